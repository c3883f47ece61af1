"""Read side of pricing: the loader that builds a `PricingContext` in one pass, and list queries.

`load_pricing_context` asks a fixed number of queries whatever the number of SKUs (price lists
with their assignments, entries, rules, product facts, tax rates, and for carts promotions and
coupons), so pricing 1,000 SKUs costs the same round trips as pricing one. What does not change
from order to order (lists, entries, rules, tax rates, product facts) the process keeps between
calls while the revisions it was read at stand (`pricing/kept.py`): a warm call asks one query.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from handel.catalog import queries as catalog_queries
from handel.catalog.types import ProductFacts
from handel.channels.models import Channel
from handel.companies import queries as company_queries
from handel.core import revisions
from handel.core.countries import EU_COUNTRIES
from handel.core.sql import among
from handel.customers import queries as customer_queries
from handel.customers.models import CustomerGroup
from handel.inventory import queries as inventory_queries
from handel.pricing.engine.prices import price_items
from handel.pricing.engine.promotions import normalise_coupon_code
from handel.pricing.engine.types import (
    HUNDRED,
    Assignment,
    CouponData,
    PriceListData,
    PriceRuleData,
    PricingContext,
    ProductFilter,
    ProductPricingFacts,
    PromotionData,
    PromotionTier,
    TaxRateData,
    TaxSetup,
)
from handel.pricing.kept import KeptFacts, KeptList, KeptPricing, PricingSetup, kept_facts, kept_pricing
from handel.pricing.models import (
    Coupon,
    CustomerOrders,
    DailySales,
    PriceList,
    PriceListEntry,
    PriceRule,
    PricingChannelSettings,
    Promotion,
    PromotionUsage,
    TaxRate,
)

DYNAMIC_KINDS = ("stock", "demand")


@dataclass(frozen=True)
class Buyer:
    """Who is buying, beyond the signed-in user: what checkout, quotes and punchout know."""

    company_key: str | None = None
    customer_group_code: str | None = None  # the company's group; wins over the user's own
    segments: frozenset[str] = frozenset()
    is_first_order: bool = False
    country: str | None = None  # destination; default: the channel's default country
    region: str = ""
    vat_number: str = ""


def buyer_for(user: Any) -> Buyer:
    """What the signed-in user buys as: for an active company member, the company (its key, its
    customer group, its country and VAT number for the reverse charge); otherwise themselves.
    Either way the user's own segments (promotion conditions); a guest costs no query."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Buyer()
    segments = customer_queries.segments_of(user)
    viewer = company_queries.viewer_for(user)
    if viewer is None or viewer.company_status != "active":
        return Buyer(segments=segments)
    company = company_queries.company_by_code(viewer.company_code)
    return Buyer(
        company_key=viewer.company_code,
        customer_group_code=viewer.customer_group_code,
        segments=segments,
        country=company.country if company else None,
        vat_number=company.vat_number if company else "",
    )


def customer_key(customer: Any) -> str | None:
    if customer is None or not getattr(customer, "is_authenticated", False):
        return None
    return str(customer.public_id)


def channel_settings(channel: Channel) -> PricingChannelSettings:
    found = PricingChannelSettings.objects.filter(channel=channel).first()
    return found or PricingChannelSettings(channel=channel)


def product_filter(
    skus: Iterable[str], category_paths: Iterable[str], attributes: Mapping[str, Iterable[str]]
) -> ProductFilter:
    return ProductFilter(
        skus=frozenset(skus),
        category_paths=frozenset(category_paths),
        attributes={code: frozenset(str(value) for value in values) for code, values in (attributes or {}).items()},
    )


def rule_data(rule: PriceRule) -> PriceRuleData:
    return PriceRuleData(
        code=rule.code,
        name=rule.name,
        kind=rule.kind,
        priority=rule.priority,
        adjustment_kind=rule.adjustment_kind,
        adjustment_value=rule.adjustment_value,
        products=product_filter(rule.skus, rule.category_paths, rule.attributes),
        channels=frozenset(rule.channels),
        customer_groups=frozenset(rule.customer_groups),
        starts_at=rule.starts_at,
        ends_at=rule.ends_at,
        stop_further_rules=rule.stop_further_rules,
        stock_below=rule.stock_below,
        stock_at_least=rule.stock_at_least,
        min_sell_through_percent=rule.min_sell_through_percent,
        max_sell_through_percent=rule.max_sell_through_percent,
        demand_window_days=rule.demand_window_days,
        time_from=rule.time_from,
        time_until=rule.time_until,
        weekdays=frozenset(rule.weekdays),
        min_margin_percent=rule.min_margin_percent,
        cap_at_msrp=rule.cap_at_msrp,
    )


def promotion_data(promotion: Promotion, *, usage_exhausted: bool = False) -> PromotionData:
    return PromotionData(
        code=promotion.code,
        name=promotion.name,
        action=promotion.action,
        priority=promotion.priority,
        value=promotion.value,
        stackable=promotion.stackable,
        stop_further_rules=promotion.stop_further_rules,
        starts_at=promotion.starts_at,
        ends_at=promotion.ends_at,
        requires_coupon=promotion.requires_coupon,
        min_subtotal=promotion.min_subtotal,
        min_quantity=promotion.min_quantity,
        required_products=product_filter(
            promotion.required_skus, promotion.required_category_paths, promotion.required_attributes
        ),
        customer_groups=frozenset(promotion.customer_groups),
        segments=frozenset(promotion.segments),
        channels=frozenset(promotion.channels),
        first_order_only=promotion.first_order_only,
        target=product_filter(promotion.target_skus, promotion.target_category_paths, promotion.target_attributes),
        buy_quantity=promotion.buy_quantity,
        get_quantity=promotion.get_quantity,
        tiers=tuple(
            PromotionTier(min_subtotal=Decimal(str(tier["min_subtotal"])), percent=Decimal(str(tier["percent"])))
            for tier in promotion.tiers
        ),
        gift_sku=promotion.gift_sku,
        gift_quantity=promotion.gift_quantity,
        usage_exhausted=usage_exhausted,
    )


def _assignment_condition(channel_code: str, customer: str | None, group: str | None, company: str | None) -> Q:
    condition = Q(assignments__kind="channel", assignments__key=channel_code)
    for kind, key in (("customer", customer), ("customer_group", group), ("company", company)):
        if key:
            condition |= Q(assignments__kind=kind, assignments__key=key)
    return condition


def read_setup() -> PricingSetup:
    """Every price list (without entries), the active rules, the tax rates and the channels'
    settings: what `KeptPricing` keeps while the pricing revision stands (4 queries)."""
    fetched = list(PriceList.objects.order_by().prefetch_related("assignments"))
    codes = {price_list.id: price_list.code for price_list in fetched}
    lists = {
        price_list.id: KeptList(
            id=price_list.id,
            parent_id=price_list.parent_id,
            is_active=price_list.is_active,
            data=PriceListData(
                code=price_list.code,
                name=price_list.name,
                currency=price_list.currency,
                priority=price_list.priority,
                is_base=price_list.is_base,
                assignments=tuple(Assignment(kind=a.kind, key=a.key) for a in price_list.assignments.all()),
                valid_from=price_list.valid_from,
                valid_until=price_list.valid_until,
                parent_code=codes.get(price_list.parent_id) if price_list.parent_id else None,
                adjustment_percent=price_list.adjustment_percent,
            ),
        )
        for price_list in fetched
    }
    return PricingSetup(
        lists=lists,
        active_rules=tuple(rule_data(rule) for rule in PriceRule.objects.filter(is_active=True).order_by("id")),
        tax_rates=tuple(
            TaxRateData(
                country=rate.country,
                rate=rate.rate,
                tax_class=rate.tax_class,
                region=rate.region,
                customer_tax_class=rate.customer_tax_class,
                name=rate.name,
            )
            for rate in TaxRate.objects.order_by("id")
        ),
        channel_settings={
            row.channel_id: (row.seller_country, row.prices_entered_including_tax)
            for row in PricingChannelSettings.objects.all()
        },
    )


def price_entry_rows(list_ids: list[int], skus: list[str]) -> Iterable[tuple[int, str, int, Decimal]]:
    """Tier rows of these SKUs in these lists, by list, SKU and quantity (plain rows: thousands per call)."""
    return (
        PriceListEntry.objects.filter(price_list_id__in=list_ids, sku__in=among(skus, db_type="varchar"))
        .order_by("price_list_id", "sku", "min_quantity")
        .values_list("price_list_id", "sku", "min_quantity", "unit_price")
    )


def kept() -> tuple[KeptFacts, KeptPricing]:
    """What this process keeps of product facts and of pricing, each checked against its
    revision (one query for both)."""
    database = connection.settings_dict["NAME"]
    facts_token, pricing_token = revisions.tokens((catalog_queries.FACTS_REVISION, "pricing"))
    limit = settings.HANDEL_PRICING_KEPT_ITEMS
    return (
        kept_facts((database, facts_token), max_items=limit),
        kept_pricing((database, pricing_token), read_setup, max_items=limit),
    )


def load_product_facts(
    skus: Iterable[str], catalog_facts: Mapping[str, ProductFacts] | None = None
) -> dict[str, ProductPricingFacts]:
    """What pricing needs of each known SKU; `catalog_facts`: the catalog's facts, when the caller
    has loaded them already (checkout needs them too), so they are not read twice."""
    wanted = list(skus)
    if catalog_facts is not None:
        known = {sku: catalog_facts[sku] for sku in wanted if sku in catalog_facts}
    else:
        known = catalog_queries.product_facts(wanted)
    return {
        sku: ProductPricingFacts(
            sku=sku,
            parent_sku=facts.parent_sku or "",
            category_paths=tuple(facts.category_paths),
            attributes={code: tuple(values) for code, values in facts.attributes.items()},
            tax_class=facts.tax_class or "standard",
            cost_price=facts.cost_price,
            msrp=facts.msrp,
            dynamic_bundle=facts.bundle_pricing == "dynamic",
            default_components=facts.default_components,
        )
        for sku, facts in known.items()
    }


def sell_through_percent(
    skus: list[str], stock: Mapping[str, int], window_days: int, at: datetime
) -> dict[str, Decimal]:
    """Units sold in the window / (units sold + salable stock now), in percent."""
    since = (at - timedelta(days=window_days)).date()
    sold = dict(
        DailySales.objects.filter(sku__in=skus, day__gt=since)
        .values("sku")
        .annotate(total=Sum("units"))
        .values_list("sku", "total")
    )
    result = {}
    for sku in skus:
        units = int(sold.get(sku) or 0)
        available = units + max(0, stock.get(sku, 0))
        if available:
            result[sku] = (Decimal(units) * HUNDRED / available).quantize(Decimal("0.01"))
    return result


def load_promotions(
    at: datetime, customer: str | None, coupon_codes: Iterable[str]
) -> tuple[tuple[PromotionData, ...], dict[str, CouponData]]:
    promotions = list(
        Promotion.objects.filter(is_active=True).filter(
            Q(starts_at__isnull=True) | Q(starts_at__lte=at), Q(ends_at__isnull=True) | Q(ends_at__gt=at)
        )
    )
    used_by_customer: dict[int, int] = {}
    limited = [promotion.id for promotion in promotions if promotion.usage_limit_per_customer is not None]
    if customer and limited:
        used_by_customer = dict(
            PromotionUsage.objects.filter(promotion_id__in=limited, customer_key=customer)
            .values("promotion_id")
            .annotate(n=Count("id"))
            .values_list("promotion_id", "n")
        )
    data = []
    for promotion in promotions:
        exhausted = (promotion.usage_limit is not None and promotion.times_used >= promotion.usage_limit) or (
            promotion.usage_limit_per_customer is not None
            and used_by_customer.get(promotion.id, 0) >= promotion.usage_limit_per_customer
        )
        data.append(promotion_data(promotion, usage_exhausted=exhausted))
    coupons: dict[str, CouponData] = {}
    codes = list(dict.fromkeys(normalise_coupon_code(code) for code in coupon_codes))
    if codes:
        found = list(Coupon.objects.filter(code__in=codes).select_related("promotion"))
        coupon_used: dict[int, int] = {}
        per_customer = [coupon.id for coupon in found if coupon.usage_limit_per_customer is not None]
        if customer and per_customer:
            coupon_used = dict(
                PromotionUsage.objects.filter(coupon_id__in=per_customer, customer_key=customer)
                .values("coupon_id")
                .annotate(n=Count("id"))
                .values_list("coupon_id", "n")
            )
        for coupon in found:
            coupons[coupon.code] = coupon_data(coupon, coupon_used.get(coupon.id, 0), customer)
    return tuple(data), coupons


def has_ordered(customer_id: int) -> bool:
    """Whether the customer has placed an order before (the orders domain reports each by event)."""
    return CustomerOrders.objects.filter(customer_id=customer_id).exists()


def coupon_data(coupon: Coupon, used_by_customer: int, customer: str | None) -> CouponData:
    reason = ""
    if not coupon.is_active or not coupon.promotion.is_active:
        reason = "coupon is not active"
    elif coupon.usage_limit is not None and coupon.times_used >= coupon.usage_limit:
        reason = "coupon has been used up"
    elif coupon.usage_limit_per_customer is not None and (
        customer is None or used_by_customer >= coupon.usage_limit_per_customer
    ):
        reason = "sign in to use this coupon" if customer is None else "you have used this coupon already"
    return CouponData(code=coupon.code, promotion_code=coupon.promotion.code, usable=not reason, reason=reason)


def load_pricing_context(
    *,
    channel: Channel,
    skus: Iterable[str],
    customer: Any = None,
    buyer: Buyer | None = None,
    at: datetime | None = None,
    with_promotions: bool = False,
    coupon_codes: Iterable[str] = (),
    stock_levels: Mapping[str, int] | None = None,
    rule_override: PriceRule | None = None,
    without_rule: str | None = None,
    customer_group: CustomerGroup | None = None,
    catalog_facts: Mapping[str, ProductFacts] | None = None,
) -> PricingContext:
    """Everything the engine needs for these SKUs in this channel, for this customer, at this time.

    With promotions, a signed-in customer who has never ordered is on their first order (the
    buyer's `is_first_order` can also say so), whichever cart asks: the API's or checkout's.

    `rule_override` adds a rule that is not (yet) active and `without_rule` leaves one out: the
    preview compares the two. `stock_levels` replaces what inventory reports (tests, what-ifs).
    `customer_group` prices for a group without a particular customer (previews, staff).
    `catalog_facts`: the catalog's facts of (at least) these SKUs, when the caller has them.
    """
    buyer = buyer or Buyer()
    if at is not None and timezone.is_naive(at):
        at = timezone.make_aware(at)  # a time without a zone is the shop's local time
    moment = timezone.localtime(at or timezone.now())
    sku_list = list(dict.fromkeys(skus))
    facts_kept, prices_kept = kept()
    key = customer_key(customer)
    group = customer_group
    if buyer.customer_group_code:
        group = customer_queries.customer_group(buyer.customer_group_code)
    elif group is None and key and customer.customer_group_id:
        group = customer.customer_group
    group_code = group.code if group else None
    if catalog_facts is not None:
        facts = load_product_facts(sku_list, catalog_facts)
    else:
        facts = facts_kept.facts_of(sku_list, load_product_facts)
    # A dynamic bundle not configured yet is priced by its preselected options: they are priced too.
    preselected = {sku for f in facts.values() for sku, _ in f.default_components} - set(facts)
    if preselected:
        facts.update(facts_kept.facts_of(sorted(preselected), load_product_facts))
        sku_list += sorted(preselected)
    lookup_skus = sku_list + sorted({f.parent_sku for f in facts.values() if f.parent_sku} - set(sku_list))
    assignees = [("channel", channel.code)] + [
        (kind, assignee)
        for kind, assignee in (("customer", key), ("customer_group", group_code), ("company", buyer.company_key))
        if assignee
    ]
    assigned, needed = prices_kept.list_ids(currency=channel.currency, at=moment, assignees=assignees)
    price_lists = prices_kept.price_lists(assigned, needed, lookup_skus, price_entry_rows)
    rules = prices_kept.rules_at(
        moment, extra=rule_data(rule_override) if rule_override is not None else None, skip_code=without_rule
    )
    kinds = {rule.kind for rule in rules}
    stock: Mapping[str, int] = {}
    if stock_levels is not None:
        stock = stock_levels
    elif kinds & set(DYNAMIC_KINDS):
        stock = inventory_queries.salable_quantities(sku_list, channel.code)
    sell_through: dict[str, Decimal] = {}
    if "demand" in kinds:
        window = max(rule.demand_window_days for rule in rules if rule.kind == "demand")
        sell_through = sell_through_percent(sku_list, stock, window, moment)
    seller_country, prices_entered_including_tax = prices_kept.channel_settings(channel.pk)
    seller_country = seller_country or channel.default_country
    destination = (buyer.country or channel.default_country).upper()
    promotions: tuple[PromotionData, ...] = ()
    coupons: dict[str, CouponData] = {}
    is_first_order = buyer.is_first_order
    if with_promotions:
        promotions, coupons = load_promotions(moment, key, coupon_codes)
        if key and not is_first_order and any(promotion.first_order_only for promotion in promotions):
            is_first_order = not has_ordered(customer.pk)
    return PricingContext(
        channel_code=channel.code,
        currency=channel.currency,
        at=moment,
        tax=TaxSetup(
            seller_country=seller_country,
            destination_country=destination,
            destination_region=buyer.region,
            customer_tax_class=group.tax_class if group else "standard",
            buyer_vat_number=buyer.vat_number,
            prices_entered_including_tax=prices_entered_including_tax,
            prices_shown_including_tax=channel.prices_include_tax,
            rates=prices_kept.tax_rates({seller_country, destination}),
            eu_countries=EU_COUNTRIES,
        ),
        customer_key=key,
        customer_group=group_code,
        company_key=buyer.company_key,
        segments=buyer.segments,
        is_first_order=is_first_order,
        price_lists=price_lists,
        rules=rules,
        promotions=promotions,
        coupons=coupons,
        products=facts,
        stock_levels=stock,
        sell_through_percent=sell_through,
    )


def unit_prices(
    channel: Channel,
    skus: list[str],
    *,
    customer: Any = None,
    catalog_facts: Mapping[str, ProductFacts] | None = None,
) -> dict[str, Decimal]:
    """The price of one unit, as the channel shows it, of each SKU a list prices, for the customer
    (a guest when None): what listings, search results and comparisons show. No explanations."""
    if not skus:
        return {}
    context = load_pricing_context(channel=channel, skus=skus, customer=customer, catalog_facts=catalog_facts)
    return {
        result.sku: result.unit_display
        for result in price_items(context, [(sku, 1) for sku in skus], explain=False)
        if result.found
    }


def channel_skus(channel: Channel, *, customer_group: str | None = None, limit: int | None = None) -> list[str]:
    """SKUs priced by the lists assigned to the channel (or the group), for previews and the change log."""
    lists = PriceList.objects.filter(is_active=True, currency=channel.currency).filter(
        _assignment_condition(channel.code, None, customer_group, None)
    )
    list_ids = set(lists.values_list("id", flat=True))
    list_ids |= set(PriceList.objects.filter(derived__id__in=list_ids).values_list("id", flat=True))
    skus = (
        PriceListEntry.objects.filter(price_list_id__in=list_ids)
        .order_by("sku")
        .values_list("sku", flat=True)
        .distinct()
    )
    return list(skus[:limit] if limit else skus)


def price_lists() -> QuerySet[PriceList]:
    return PriceList.objects.select_related("parent").prefetch_related("assignments")
