"""Pricing API at /api/v1/pricing: prices and carts in the caller's context, explanations for
staff; the staff CRUD operations live in staff_api.py and are mounted on the same router."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from handel.channels.models import Channel
from handel.core.api import AUTH, bearer_auth, require_staff
from handel.core.countries import clean_country
from handel.core.errors import NotAuthenticated, NotFound
from handel.customers import queries as customer_queries
from handel.pricing.engine import CartResult, PriceResult, price_cart, price_items
from handel.pricing.queries import Buyer, buyer_for, load_pricing_context
from handel.pricing.schemas import (
    CartOut,
    CartRequest,
    ExplainCartIn,
    ExplainContextIn,
    ExplainPriceIn,
    PriceOut,
    PriceRequest,
    PricesOut,
)
from handel.pricing.staff_api import READ_SCOPE, channel_or_404, steps_out
from handel.pricing.staff_api import router as staff_router

router = Router(tags=["pricing"])


def _caller(request: HttpRequest) -> Any:
    """The signed-in customer (bearer token or session), or None for a guest."""
    if request.headers.get("Authorization"):
        user = bearer_auth(request)
        if user is None:
            raise NotAuthenticated("the bearer token is not valid")
        return user
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def price_out(result: PriceResult, *, explain: bool) -> dict[str, Any]:
    unit, line = result.unit, result.line
    return {
        "sku": result.sku,
        "quantity": result.quantity,
        "found": result.found,
        "unit_price": result.unit_display if result.found else None,
        "line_total": result.line_display if result.found else None,
        "unit_net": unit.net if unit else None,
        "unit_gross": unit.gross if unit else None,
        "line_net": line.net if line else None,
        "line_tax": line.tax if line else None,
        "line_gross": line.gross if line else None,
        "tax_rate": line.rate if line else None,
        "reverse_charge": bool(line and line.reverse_charge),
        "list_unit_price": result.list_unit_price if result.found else None,
        "msrp": result.msrp,
        "explanation": steps_out(result.explanation) if explain else None,
    }


def cart_out(channel: Channel, cart: CartResult, *, explain: bool) -> dict[str, Any]:
    return {
        "channel": channel.code,
        "currency": cart.currency,
        "prices_include_tax": cart.prices_shown_including_tax,
        "lines": [
            {
                "sku": line.sku,
                "quantity": line.quantity,
                "found": line.found,
                "unit_price": line.unit_price,
                "subtotal": line.subtotal,
                "discount": line.discount,
                "total": line.total,
                "net": line.taxed.net,
                "tax": line.taxed.tax,
                "gross": line.taxed.gross,
                "tax_rate": line.taxed.rate,
                "display_total": line.display_total,
                "explanation": steps_out(line.explanation) if explain else None,
            }
            for line in cart.lines
        ],
        "subtotal": cart.subtotal,
        "discount_total": cart.discount_total,
        "total": cart.total,
        "net_total": cart.net_total,
        "tax_total": cart.tax_total,
        "gross_total": cart.gross_total,
        "display_total": cart.display_total,
        "free_shipping": cart.free_shipping,
        "gifts": [{"sku": g.sku, "quantity": g.quantity, "promotion_code": g.promotion_code} for g in cart.gifts],
        "applied_promotions": [
            {"code": p.code, "name": p.name, "action": p.action, "discount": p.discount, "coupon": p.coupon}
            for p in cart.applied_promotions
        ],
        "accepted_coupons": list(cart.accepted_coupons),
        "rejected_coupons": [{"code": code, "reason": reason} for code, reason in cart.rejected_coupons],
        "unpriced_skus": list(cart.unpriced_skus),
        "explanation": steps_out(cart.explanation) if explain else None,
    }


def _is_staff(user: Any) -> bool:
    return bool(user is not None and user.is_staff and user.is_active)


# --- prices in the caller's context -----------------------------------------------------------


@router.post("/prices", response=PricesOut, operation_id="get_prices", auth=None)
def get_prices(request: HttpRequest, payload: PriceRequest) -> dict[str, Any]:
    """Prices of many SKUs and quantities in one call, for the caller: the request's channel, the
    signed-in customer and their group, or their company (its lists, group, country and VAT number);
    guests get the channel's prices. Read-only."""
    channel = channel_or_404(request)
    user = _caller(request)
    context = load_pricing_context(
        channel=channel, skus=[item.sku for item in payload.items], customer=user, buyer=buyer_for(user)
    )
    explain = _is_staff(user)
    results = price_items(context, [(item.sku, item.quantity) for item in payload.items], explain=explain)
    return {
        "channel": channel.code,
        "currency": channel.currency,
        "prices_include_tax": channel.prices_include_tax,
        "items": [price_out(result, explain=explain) for result in results],
    }


@router.post("/cart", response=CartOut, operation_id="price_cart", auth=None)
def price_cart_view(request: HttpRequest, payload: CartRequest) -> dict[str, Any]:
    """Lines, promotions, coupons, tax and totals of a cart for the caller; nothing is stored."""
    channel = channel_or_404(request)
    user = _caller(request)
    skus = [line.sku for line in payload.lines]
    context = load_pricing_context(
        channel=channel,
        skus=skus,
        customer=user,
        buyer=buyer_for(user),
        with_promotions=True,
        coupon_codes=payload.coupons,
    )
    cart = price_cart(context, [(line.sku, line.quantity) for line in payload.lines], payload.coupons)
    return cart_out(channel, cart, explain=_is_staff(user))


def _staff_context(
    request: HttpRequest,
    payload: ExplainContextIn,
    skus: list[str],
    *,
    with_promotions: bool = False,
    coupons: list[str] | None = None,
) -> tuple[Channel, Any]:
    channel = channel_or_404(request, payload.channel)
    customer = None
    if payload.customer:
        customer = customer_queries.customer_by_key(payload.customer)
        if customer is None:
            raise NotFound(f"no customer '{payload.customer}'")
    buyer = Buyer(
        company_key=payload.company_key,
        segments=frozenset(payload.segments),
        is_first_order=payload.first_order,
        country=clean_country(payload.country, field="country") if payload.country else None,
        region=payload.region,
        vat_number=payload.vat_number,
    )
    context = load_pricing_context(
        channel=channel,
        skus=skus,
        customer=customer,
        buyer=buyer,
        at=payload.at,
        with_promotions=with_promotions,
        coupon_codes=coupons or (),
    )
    return channel, context


@router.post("/explain", response=PriceOut, operation_id="explain_price", auth=AUTH)
def explain_price(request: HttpRequest, payload: ExplainPriceIn) -> dict[str, Any]:
    """Staff: the price of a SKU in any context (channel, customer, company, time, destination, VAT
    number) with every step that made it: list, tier, rules, guard rails, tax."""
    require_staff(request, "pricing.view_pricelist", scope=READ_SCOPE)
    _, context = _staff_context(request, payload, [payload.sku])
    return price_out(price_items(context, [(payload.sku, payload.quantity)])[0], explain=True)


@router.post("/explain-cart", response=CartOut, operation_id="explain_cart", auth=AUTH)
def explain_cart(request: HttpRequest, payload: ExplainCartIn) -> dict[str, Any]:
    """Staff: a cart in any context, with promotions, coupons and every line's explanation."""
    require_staff(request, "pricing.view_promotion", scope=READ_SCOPE)
    channel, context = _staff_context(
        request, payload, [line.sku for line in payload.lines], with_promotions=True, coupons=payload.coupons
    )
    cart = price_cart(context, [(line.sku, line.quantity) for line in payload.lines], payload.coupons)
    return cart_out(channel, cart, explain=True)


router.add_router("", staff_router)
