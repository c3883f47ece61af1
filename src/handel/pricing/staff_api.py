"""Staff API of pricing: price lists and entries, rules and their previews, promotions, coupons
(generation and CSV export), tax rates, channel pricing settings and the price change log."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, StreamingHttpResponse
from ninja import Router, Status
from ninja.decorators import decorate_view

from handel.channels.models import Channel
from handel.channels.queries import channel_for_request, get_channel
from handel.core.api import AUTH, require_staff
from handel.core.errors import NotFound
from handel.core.idempotency import idempotent
from handel.core.pagination import paginate
from handel.pricing import services
from handel.pricing.models import (
    Coupon,
    CouponBatch,
    PriceChangeLog,
    PriceList,
    PriceListEntry,
    PriceRule,
    Promotion,
    TaxRate,
)
from handel.pricing.previews import preview_rule as preview_rule_service
from handel.pricing.queries import channel_settings, price_lists
from handel.pricing.schemas import (
    ChannelPricingIn,
    ChannelPricingOut,
    CountOut,
    CouponBatchIn,
    CouponBatchOut,
    CouponIn,
    CouponOut,
    CouponPage,
    EntriesIn,
    EntryPage,
    PreviewIn,
    PreviewOut,
    PriceChangePage,
    PriceListIn,
    PriceListOut,
    PriceListPage,
    PriceListPatch,
    PromotionIn,
    PromotionOut,
    PromotionPage,
    PromotionPatch,
    RuleIn,
    RuleOut,
    RulePage,
    RulePatch,
    TaxRateIn,
    TaxRateOut,
    TaxRatePage,
)

router = Router()  # mounted on handel.pricing.api.router, which carries the "pricing" tag
WRITE_SCOPE = "pricing:write"
READ_SCOPE = "pricing:read"
# Fields that may be set to null in a PATCH; any other null is "leave unchanged".
NULLABLE = {
    "valid_from",
    "valid_until",
    "parent",
    "starts_at",
    "ends_at",
    "stock_below",
    "stock_at_least",
    "min_sell_through_percent",
    "max_sell_through_percent",
    "time_from",
    "time_until",
    "min_subtotal",
    "min_quantity",
    "usage_limit",
    "usage_limit_per_customer",
}


def patch_fields(payload: Any) -> dict[str, Any]:
    return {
        field: value
        for field, value in payload.dict(exclude_unset=True).items()
        if value is not None or field in NULLABLE
    }


def channel_or_404(request: HttpRequest, code: str | None = None) -> Channel:
    channel = get_channel(code) if code else channel_for_request(request)
    if channel is None:
        raise NotFound(f"no active channel '{code}'" if code else "no active channel")
    return channel


def steps_out(steps: Any) -> list[dict[str, Any]]:
    return [{"kind": step.kind, "code": step.code, "detail": step.detail, "amount": step.amount} for step in steps]


# --- channel settings and tax -----------------------------------------------------------------


@router.get("/channels/{code}", response=ChannelPricingOut, operation_id="get_channel_pricing", auth=AUTH)
def get_channel_pricing(request: HttpRequest, code: str) -> dict[str, Any]:
    require_staff(request, "pricing.view_pricingchannelsettings", scope=READ_SCOPE)
    channel = channel_or_404(request, code)
    settings = channel_settings(channel)
    return {
        "channel": channel.code,
        "prices_entered_including_tax": settings.prices_entered_including_tax,
        "seller_country": settings.seller_country,
    }


@router.put("/channels/{code}", response=ChannelPricingOut, operation_id="set_channel_pricing", auth=AUTH)
def set_channel_pricing(request: HttpRequest, code: str, payload: ChannelPricingIn) -> dict[str, Any]:
    actor = require_staff(request, "pricing.change_pricingchannelsettings", scope=WRITE_SCOPE)
    settings = services.set_channel_pricing(actor=actor, channel_code=code, **payload.dict())
    return {
        "channel": code,
        "prices_entered_including_tax": settings.prices_entered_including_tax,
        "seller_country": settings.seller_country,
    }


@router.get("/tax-rates", response=TaxRatePage, operation_id="list_tax_rates", auth=AUTH)
def list_tax_rates(
    request: HttpRequest, country: str | None = None, page: int = 1, page_size: int = 20
) -> dict[str, Any]:
    require_staff(request, "pricing.view_taxrate", scope=READ_SCOPE)
    rates = TaxRate.objects.all()
    if country:
        rates = rates.filter(country=country.upper())
    return paginate(rates, page=page, page_size=page_size).as_dict()


@router.put("/tax-rates", response=TaxRateOut, operation_id="set_tax_rate", auth=AUTH)
def set_tax_rate(request: HttpRequest, payload: TaxRateIn) -> TaxRate:
    """Create or change the rate for (country, region, tax class, customer tax class)."""
    actor = require_staff(request, "pricing.change_taxrate", scope=WRITE_SCOPE)
    return services.set_tax_rate(actor=actor, **payload.dict())


@router.delete("/tax-rates/{tax_rate_id}", response={204: None}, operation_id="delete_tax_rate", auth=AUTH)
def delete_tax_rate(request: HttpRequest, tax_rate_id: int) -> Status[None]:
    actor = require_staff(request, "pricing.delete_taxrate", scope=WRITE_SCOPE)
    services.delete_tax_rate(actor=actor, tax_rate_id=tax_rate_id)
    return Status(204, None)


# --- price lists and entries ------------------------------------------------------------------


def _price_list(code: str) -> PriceList:
    found = price_lists().filter(code=code).first()
    if found is None:
        raise NotFound(f"no price list '{code}'")
    return found


@router.get("/price-lists", response=PriceListPage, operation_id="list_price_lists", auth=AUTH)
def list_price_lists(
    request: HttpRequest, currency: str | None = None, page: int = 1, page_size: int = 20
) -> dict[str, Any]:
    require_staff(request, "pricing.view_pricelist", scope=READ_SCOPE)
    lists = price_lists()
    if currency:
        lists = lists.filter(currency=currency.upper())
    return paginate(lists, page=page, page_size=page_size, order_by=["code"]).as_dict()


@router.post("/price-lists", response={201: PriceListOut}, operation_id="create_price_list", auth=AUTH)
@decorate_view(idempotent("create_price_list"))
def create_price_list(request: HttpRequest, payload: PriceListIn) -> Status[PriceList]:
    actor = require_staff(request, "pricing.add_pricelist", scope=WRITE_SCOPE)
    data = payload.dict()
    data["assignments"] = [dict(item) for item in data["assignments"]]
    created = services.create_price_list(actor=actor, **data)
    return Status(201, _price_list(created.code))


@router.get("/price-lists/{code}", response=PriceListOut, operation_id="get_price_list", auth=AUTH)
def get_price_list(request: HttpRequest, code: str) -> PriceList:
    require_staff(request, "pricing.view_pricelist", scope=READ_SCOPE)
    return _price_list(code)


@router.patch("/price-lists/{code}", response=PriceListOut, operation_id="update_price_list", auth=AUTH)
def update_price_list(request: HttpRequest, code: str, payload: PriceListPatch) -> PriceList:  # type: ignore[valid-type]
    actor = require_staff(request, "pricing.change_pricelist", scope=WRITE_SCOPE)
    changes = patch_fields(payload)
    if "assignments" in changes:
        changes["assignments"] = [dict(item) for item in changes["assignments"]]
    services.update_price_list(actor=actor, code=code, changes=changes)
    return _price_list(code)


@router.delete("/price-lists/{code}", response={204: None}, operation_id="delete_price_list", auth=AUTH)
def delete_price_list(request: HttpRequest, code: str) -> Status[None]:
    actor = require_staff(request, "pricing.delete_pricelist", scope=WRITE_SCOPE)
    services.delete_price_list(actor=actor, code=code)
    return Status(204, None)


@router.get("/price-lists/{code}/entries", response=EntryPage, operation_id="list_price_entries", auth=AUTH)
def list_price_entries(
    request: HttpRequest, code: str, sku: str | None = None, page: int = 1, page_size: int = 20
) -> dict[str, Any]:
    require_staff(request, "pricing.view_pricelist", scope=READ_SCOPE)
    price_list = _price_list(code)
    entries = PriceListEntry.objects.filter(price_list=price_list)
    if sku:
        entries = entries.filter(sku=sku)
    return paginate(entries, page=page, page_size=page_size, order_by=["sku", "min_quantity"]).as_dict()


@router.put("/price-lists/{code}/entries", response=CountOut, operation_id="set_price_entries", auth=AUTH)
def set_price_entries(request: HttpRequest, code: str, payload: EntriesIn) -> dict[str, int]:
    """Upsert SKU prices and tier breaks (up to 10,000 per call)."""
    actor = require_staff(request, "pricing.change_pricelist", scope=WRITE_SCOPE)
    entries = [
        services.EntryInput(sku=e.sku, unit_price=e.unit_price, min_quantity=e.min_quantity) for e in payload.entries
    ]
    count = services.set_price_entries(
        actor=actor, price_list_code=code, entries=entries, replace_skus=payload.replace_skus
    )
    return {"count": count}


@router.delete(
    "/price-lists/{code}/entries/{sku}", response={204: None}, operation_id="delete_price_entries", auth=AUTH
)
def delete_price_entries(request: HttpRequest, code: str, sku: str) -> Status[None]:
    actor = require_staff(request, "pricing.change_pricelist", scope=WRITE_SCOPE)
    services.delete_price_entries(actor=actor, price_list_code=code, sku=sku)
    return Status(204, None)


# --- rules ------------------------------------------------------------------------------------


def _rule(code: str) -> PriceRule:
    rule = PriceRule.objects.filter(code=code).first()
    if rule is None:
        raise NotFound(f"no price rule '{code}'")
    return rule


@router.get("/rules", response=RulePage, operation_id="list_price_rules", auth=AUTH)
def list_rules(request: HttpRequest, kind: str | None = None, page: int = 1, page_size: int = 20) -> dict[str, Any]:
    require_staff(request, "pricing.view_pricerule", scope=READ_SCOPE)
    rules = PriceRule.objects.all()
    if kind:
        rules = rules.filter(kind=kind)
    return paginate(rules, page=page, page_size=page_size, order_by=["-priority", "code"]).as_dict()


@router.post("/rules", response={201: RuleOut}, operation_id="create_price_rule", auth=AUTH)
@decorate_view(idempotent("create_price_rule"))
def create_rule(request: HttpRequest, payload: RuleIn) -> Status[PriceRule]:
    actor = require_staff(request, "pricing.add_pricerule", scope=WRITE_SCOPE)
    fields = payload.dict()
    code = fields.pop("code")
    return Status(201, services.create_rule(actor=actor, code=code, fields=fields))


@router.get("/rules/{code}", response=RuleOut, operation_id="get_price_rule", auth=AUTH)
def get_rule(request: HttpRequest, code: str) -> PriceRule:
    require_staff(request, "pricing.view_pricerule", scope=READ_SCOPE)
    return _rule(code)


@router.patch("/rules/{code}", response=RuleOut, operation_id="update_price_rule", auth=AUTH)
def update_rule(request: HttpRequest, code: str, payload: RulePatch) -> PriceRule:  # type: ignore[valid-type]
    actor = require_staff(request, "pricing.change_pricerule", scope=WRITE_SCOPE)
    return services.update_rule(actor=actor, code=code, changes=patch_fields(payload))


@router.delete("/rules/{code}", response={204: None}, operation_id="delete_price_rule", auth=AUTH)
def delete_rule(request: HttpRequest, code: str) -> Status[None]:
    actor = require_staff(request, "pricing.delete_pricerule", scope=WRITE_SCOPE)
    services.delete_rule(actor=actor, code=code)
    return Status(204, None)


@router.post("/rules/{code}/preview", response=PreviewOut, operation_id="preview_rule", auth=AUTH)
def preview_rule(request: HttpRequest, code: str, payload: PreviewIn) -> dict[str, Any]:
    """Which prices the rule would change (quantity 1), before it is switched on."""
    require_staff(request, "pricing.view_pricerule", scope=READ_SCOPE)
    channel = channel_or_404(request, payload.channel)
    preview = preview_rule_service(
        code=code,
        channel=channel,
        customer_group=payload.customer_group,
        skus=payload.skus,
        at=payload.at,
        stock_levels=payload.stock_levels,
        limit=payload.limit,
    )
    return {
        "rule": preview.rule,
        "channel": preview.channel,
        "currency": preview.currency,
        "checked": preview.checked,
        "changed": len(preview.changes),
        "changes": [
            {
                "sku": change.sku,
                "price_without_rule": change.price_without_rule,
                "price_with_rule": change.price_with_rule,
                "difference": change.difference,
                "explanation": steps_out(change.explanation),
            }
            for change in preview.changes
        ],
    }


@router.get("/price-changes", response=PriceChangePage, operation_id="list_price_changes", auth=AUTH)
def list_price_changes(
    request: HttpRequest, sku: str | None = None, channel: str | None = None, page: int = 1, page_size: int = 20
) -> dict[str, Any]:
    """The log of automatic (dynamic rule) price changes, newest first, with their reasons."""
    require_staff(request, "pricing.view_pricechangelog", scope=READ_SCOPE)
    logs = PriceChangeLog.objects.all()
    if sku:
        logs = logs.filter(sku=sku)
    if channel:
        logs = logs.filter(channel_code=channel)
    return paginate(logs, page=page, page_size=page_size, order_by=["-at", "-id"]).as_dict()


# --- promotions and coupons -------------------------------------------------------------------


def _promotion(code: str) -> Promotion:
    promotion = Promotion.objects.filter(code=code).first()
    if promotion is None:
        raise NotFound(f"no promotion '{code}'")
    return promotion


def _promotion_fields(data: dict[str, Any]) -> dict[str, Any]:
    if data.get("tiers") is not None:
        data["tiers"] = [
            {"min_subtotal": str(tier["min_subtotal"]), "percent": str(tier["percent"])} for tier in data["tiers"]
        ]
    return data


@router.get("/promotions", response=PromotionPage, operation_id="list_promotions", auth=AUTH)
def list_promotions(request: HttpRequest, page: int = 1, page_size: int = 20) -> dict[str, Any]:
    require_staff(request, "pricing.view_promotion", scope=READ_SCOPE)
    return paginate(Promotion.objects.all(), page=page, page_size=page_size, order_by=["-priority", "code"]).as_dict()


@router.post("/promotions", response={201: PromotionOut}, operation_id="create_promotion", auth=AUTH)
@decorate_view(idempotent("create_promotion"))
def create_promotion(request: HttpRequest, payload: PromotionIn) -> Status[Promotion]:
    actor = require_staff(request, "pricing.add_promotion", scope=WRITE_SCOPE)
    fields = _promotion_fields(payload.dict())
    code = fields.pop("code")
    return Status(201, services.create_promotion(actor=actor, code=code, fields=fields))


@router.get("/promotions/{code}", response=PromotionOut, operation_id="get_promotion", auth=AUTH)
def get_promotion(request: HttpRequest, code: str) -> Promotion:
    require_staff(request, "pricing.view_promotion", scope=READ_SCOPE)
    return _promotion(code)


@router.patch("/promotions/{code}", response=PromotionOut, operation_id="update_promotion", auth=AUTH)
def update_promotion(request: HttpRequest, code: str, payload: PromotionPatch) -> Promotion:  # type: ignore[valid-type]
    actor = require_staff(request, "pricing.change_promotion", scope=WRITE_SCOPE)
    return services.update_promotion(actor=actor, code=code, changes=_promotion_fields(patch_fields(payload)))


@router.delete("/promotions/{code}", response={204: None}, operation_id="delete_promotion", auth=AUTH)
def delete_promotion(request: HttpRequest, code: str) -> Status[None]:
    actor = require_staff(request, "pricing.delete_promotion", scope=WRITE_SCOPE)
    services.delete_promotion(actor=actor, code=code)
    return Status(204, None)


@router.get("/promotions/{code}/coupons", response=CouponPage, operation_id="list_coupons", auth=AUTH)
def list_coupons(request: HttpRequest, code: str, page: int = 1, page_size: int = 20) -> dict[str, Any]:
    require_staff(request, "pricing.view_coupon", scope=READ_SCOPE)
    promotion = _promotion(code)
    coupons = Coupon.objects.filter(promotion=promotion).select_related("promotion")
    return paginate(coupons, page=page, page_size=page_size, order_by=["id"]).as_dict()


@router.post("/promotions/{code}/coupons", response={201: CouponOut}, operation_id="create_coupon", auth=AUTH)
@decorate_view(idempotent("create_coupon"))
def create_coupon(request: HttpRequest, code: str, payload: CouponIn) -> Status[Coupon]:
    actor = require_staff(request, "pricing.add_coupon", scope=WRITE_SCOPE)
    return Status(
        201,
        services.create_coupon(
            actor=actor,
            promotion_code=code,
            code=payload.code,
            usage_limit=payload.usage_limit,
            usage_limit_per_customer=payload.usage_limit_per_customer,
        ),
    )


def _batch_out(batch: CouponBatch) -> dict[str, Any]:
    return {
        "id": batch.pk,
        "promotion": batch.promotion.code,
        "prefix": batch.prefix,
        "quantity": batch.quantity,
        "usage_limit": batch.usage_limit,
        "created_at": batch.created_at,
        "export_url": f"/api/v1/pricing/coupon-batches/{batch.pk}/export",
    }


@router.post(
    "/promotions/{code}/coupon-batches", response={201: CouponBatchOut}, operation_id="generate_coupons", auth=AUTH
)
@decorate_view(idempotent("generate_coupons"))
def generate_coupons(request: HttpRequest, code: str, payload: CouponBatchIn) -> Status[dict[str, Any]]:
    """Generate up to 100,000 unique single- or multi-use codes at once; export them as CSV."""
    actor = require_staff(request, "pricing.add_coupon", scope=WRITE_SCOPE)
    batch = services.generate_coupons(actor=actor, promotion_code=code, **payload.dict())
    return Status(201, _batch_out(batch))


@router.get("/coupon-batches/{batch_id}/export", operation_id="export_coupons", auth=AUTH)
def export_coupons(request: HttpRequest, batch_id: int) -> StreamingHttpResponse:
    """The batch's codes as CSV (code, promotion, limits, times used, active)."""
    require_staff(request, "pricing.view_coupon", scope=READ_SCOPE)
    batch = CouponBatch.objects.filter(pk=batch_id).first()
    if batch is None:
        raise NotFound("no such coupon batch")
    coupons = Coupon.objects.filter(batch=batch).select_related("promotion").order_by("id").iterator(chunk_size=2000)
    response = StreamingHttpResponse(services.coupons_csv(coupons), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="coupons-batch-{batch.pk}.csv"'
    return response
