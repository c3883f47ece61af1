"""Read side of checkout: find a cart the caller may use, and price it with everything it needs.

`price_checkout` is the one place a cart is priced: the cart page, every checkout step and
placement call it, so the buyer sees the price the order is recorded at. It loads a
`PricingContext` in one pass (the price engine's loader) and the catalog facts, then computes
with pure functions (`price_cart`, `checkout_totals`, `delivery_options`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from handel.catalog.queries import product_facts
from handel.catalog.types import ProductFacts
from handel.channels.models import Channel
from handel.channels.queries import get_channel
from handel.checkout import delivery
from handel.checkout.lines import priced_skus, pricing_line
from handel.checkout.models import Cart, CartLine, SlotBooking
from handel.checkout.totals import CheckoutTotals, checkout_totals
from handel.core.errors import InvalidInput, NotFound, field_error
from handel.inventory.allocation import Destination, SourceCandidate, allocate, allocate_destinations
from handel.inventory.errors import OutOfStock
from handel.inventory.queries import SourceInfo, available_by_source, channel_sources
from handel.pricing.engine import CartLineResult, CartResult, PricingContext, price_cart
from handel.pricing.queries import Buyer, buyer_for, load_pricing_context


def delivery_config() -> delivery.DeliveryConfig:
    return delivery.config_from_settings(getattr(settings, "HANDEL_DELIVERY", None))


def cart_for(public_id: UUID | str, user: Any, *, for_update: bool = False) -> Cart:
    """The cart, if the caller may use it: a guest cart by its (unguessable) id, a customer's cart
    by its customer, a cart made on a customer's behalf by the staff member who made it."""
    carts = Cart.objects.select_for_update(of=("self",)) if for_update else Cart.objects.all()
    try:
        cart = carts.select_related("customer").filter(public_id=public_id).first()
    except (ValueError, TypeError):
        cart = None
    if cart is None:
        raise NotFound("no such cart")
    user_id = getattr(user, "pk", None) if user is not None and user.is_authenticated else None
    if cart.customer_id is None and cart.placed_by_staff_id is None:
        return cart
    if user_id is not None and user_id in (cart.customer_id, cart.placed_by_staff_id):
        return cart
    raise NotFound("no such cart")


def open_cart_of(user: Any, channel_code: str) -> Cart | None:
    return (
        Cart.objects.filter(
            customer_id=user.pk, channel_code=channel_code, status=Cart.Status.OPEN, placed_by_staff__isnull=True
        )
        .order_by("-updated_at")
        .first()
    )


def channel_of(cart: Cart) -> Channel:
    channel = get_channel(cart.channel_code)
    if channel is None:
        raise NotFound(f"the channel '{cart.channel_code}' is closed")
    return channel


def buyer_of(cart: Cart) -> Buyer:
    """Whom the cart buys for: the customer's company (its lists and group) and the destination."""
    base = buyer_for(cart.customer) if cart.customer_id else Buyer()
    address = cart.shipping_address or {}
    if address.get("country"):
        return Buyer(
            company_key=base.company_key,
            customer_group_code=base.customer_group_code,
            segments=base.segments,
            is_first_order=base.is_first_order,
            country=address["country"],
            region=address.get("region", ""),
            vat_number=base.vat_number,
        )
    return base


@dataclass(frozen=True)
class PricedLine:
    line: CartLine
    facts: ProductFacts | None
    result: CartLineResult | None  # None: the engine found no price


@dataclass(frozen=True)
class PricedCheckout:
    cart: Cart
    channel: Channel
    buyer: Buyer
    context: PricingContext
    lines: tuple[PricedLine, ...]  # in the cart, not saved for later
    saved: tuple[CartLine, ...]
    result: CartResult
    facts: dict[str, ProductFacts]
    options: tuple[delivery.DeliveryOption, ...]
    chosen: delivery.DeliveryOption | None
    shipments: int
    totals: CheckoutTotals

    @property
    def unpriced(self) -> list[str]:
        return [priced.line.sku for priced in self.lines if priced.result is None]


def stock_lines(lines: Sequence[CartLine], facts: dict[str, ProductFacts]) -> list[tuple[str, int]]:
    """What the lines take from stock: a kit or bundle its components, a digital product nothing."""
    taken: dict[str, int] = {}
    for line in lines:
        fact = facts.get(line.sku)
        if fact is not None and not fact.is_shippable:
            continue
        components = line.options.get("components") if isinstance(line.options, dict) else None
        if components:
            for sku, quantity in components:
                part = facts.get(sku)
                if part is not None and not part.is_shippable:
                    continue
                taken[sku] = taken.get(sku, 0) + int(quantity) * line.quantity
        else:
            taken[line.sku] = taken.get(line.sku, 0) + line.quantity
    return sorted(taken.items())


def _allocation_size(
    channel_code: str, wanted: list[tuple[str, int]], address: dict[str, Any]
) -> tuple[int, list[delivery.PickupStore]]:
    """How many shipments the allocation needs (0: not deliverable) and which pickup stores hold it all."""
    sources = channel_sources(channel_code)
    if not wanted or not sources:
        return (0, [])
    candidates = _candidates(sources, [sku for sku, _ in wanted])
    stores = [
        delivery.PickupStore(source.code, source.name, source.city)
        for source, candidate in zip(sources, candidates, strict=True)
        if source.pickup and all(candidate.available.get(sku, 0) >= quantity for sku, quantity in wanted)
    ]
    try:
        plan = allocate(
            wanted, candidates, ship_to_country=address.get("country"), ship_to_postcode=address.get("postal_code")
        )
    except OutOfStock:
        return (0, stores)
    return (len(plan.shipments), stores)


@dataclass(frozen=True)
class DestinationGroup:
    """The lines of a multi-address cart that go to one address: `key` "" is the main address."""

    key: str
    address: dict[str, Any]
    lines: tuple[CartLine, ...]
    stock: tuple[tuple[str, int], ...]  # what they take from stock (stock_lines)

    def destination(self) -> Destination:
        return Destination(self.key, self.stock, self.address.get("country"), self.address.get("postal_code"))


def destination_groups(cart: Cart, lines: Sequence[CartLine], facts: dict[str, ProductFacts]) -> list[DestinationGroup]:
    """A multi-address cart's lines per destination, the main address first and then the extra
    addresses by key; [] when every line goes to the main address. A line naming an address the
    cart no longer has goes to the main one."""
    extra = cart.extra_addresses or {}
    if not extra or not any(line.ship_to in extra for line in lines):
        return []
    by_key: dict[str, list[CartLine]] = {}
    for line in lines:
        by_key.setdefault(line.ship_to if line.ship_to in extra else "", []).append(line)
    return [
        DestinationGroup(
            key,
            dict(extra[key]) if key else dict(cart.shipping_address or {}),
            tuple(group),
            tuple(stock_lines(group, facts)),
        )
        for key, group in sorted(by_key.items())
    ]


def _candidates(sources: Sequence[SourceInfo], skus: Sequence[str]) -> list[SourceCandidate]:
    available = available_by_source(skus, [source.id for source in sources])
    return [
        SourceCandidate.of(source, {sku: by_source.get(source.id, 0) for sku, by_source in available.items()})
        for source in sources
    ]


def _options_per_destination(
    cart: Cart,
    channel: Channel,
    groups: Sequence[DestinationGroup],
    facts: dict[str, ProductFacts],
    goods_total: Decimal,
    free_shipping: bool,
    config: delivery.DeliveryConfig,
) -> tuple[int, tuple[delivery.DeliveryOption, ...]]:
    """How many shipments a multi-address cart needs (0: not deliverable) and its options, each
    destination priced as a shipment of its own (one stock query for all of them). The free
    delivery threshold is the order's: goods_total is the whole cart's."""
    shipping = [group for group in groups if group.stock]
    today = timezone.localdate()
    if not shipping:
        digital = delivery.DeliveryRequest(
            country="",
            goods_total=goods_total,
            weight_grams=0,
            needs_shipping=False,
            free_shipping_promotion=free_shipping,
            shipments=0,
            pickup_stores=(),
            today=today,
        )
        return (0, tuple(delivery.delivery_options(digital, config)))
    sources = channel_sources(cart.channel_code)
    per_destination: dict[str, int] = {}
    if sources:
        skus = sorted({sku for group in shipping for sku, _ in group.stock})
        try:
            plan = allocate_destinations([group.destination() for group in shipping], _candidates(sources, skus))
        except OutOfStock:
            plan = None
        for shipment in plan.shipments if plan is not None else ():
            per_destination[shipment.destination] = per_destination.get(shipment.destination, 0) + 1
    requests = [
        (
            group.key,
            delivery.DeliveryRequest(
                country=(group.address.get("country") or channel.default_country).upper(),
                goods_total=goods_total,
                weight_grams=sum(
                    (facts[line.sku].weight_grams or 0) * line.quantity for line in group.lines if line.sku in facts
                ),
                needs_shipping=True,
                free_shipping_promotion=free_shipping,
                shipments=max(per_destination.get(group.key, 0), 1),
                pickup_stores=(),
                today=today,
            ),
        )
        for group in shipping
    ]
    return (sum(per_destination.values()), tuple(delivery.options_per_destination(requests, config)))


def slot_bookings(config: delivery.DeliveryConfig) -> dict[tuple[Any, str], int]:
    today = timezone.localdate()
    rows = SlotBooking.objects.filter(day__gt=today).values("day", "slot").annotate(taken=Count("id"))
    return {(row["day"], row["slot"]): row["taken"] for row in rows}


def price_checkout(
    cart: Cart,
    *,
    lines: Sequence[CartLine] | None = None,
    with_delivery: bool = True,
    at: Any = None,
    listing: bool = True,
) -> PricedCheckout:
    """Price the cart now: lines, promotions and coupons, tax for the destination, delivery.
    `listing=False` (placement) skips what only the list of options needs (free slot places)."""
    channel = channel_of(cart)
    all_lines = list(lines) if lines is not None else list(cart.lines.all())
    active = [line for line in all_lines if not line.saved_for_later]
    saved = tuple(line for line in all_lines if line.saved_for_later)
    buyer = buyer_of(cart)
    skus = priced_skus((line.sku, line.options) for line in active)
    facts = product_facts(skus)  # read once: for pricing and for checkout
    context = load_pricing_context(
        channel=channel,
        skus=skus,
        customer=cart.customer,
        buyer=buyer,
        at=at,
        with_promotions=True,
        coupon_codes=cart.coupon_codes,
        catalog_facts=facts,
    )
    result = price_cart(
        context, [pricing_line(line.sku, line.quantity, line.options) for line in active], cart.coupon_codes
    )
    gifts = sorted({gift.sku for gift in result.gifts} - facts.keys())
    if gifts:
        facts = {**facts, **product_facts(gifts)}
    results = list(result.lines)
    priced = []
    for line in active:
        match = results[0] if results and (results[0].sku, results[0].quantity) == (line.sku, line.quantity) else None
        if match is not None:
            results.pop(0)
        priced.append(PricedLine(line, facts.get(line.sku), match))
    totals = checkout_totals(result, Decimal(0), context.tax)
    config = delivery_config()
    options: tuple[delivery.DeliveryOption, ...] = ()
    shipments = 0
    chosen = None
    groups = destination_groups(cart, active, facts) if with_delivery and active else []
    if groups:
        shipments, options = _options_per_destination(
            cart, channel, groups, facts, totals.goods_display, result.free_shipping, config
        )
        chosen = next((option for option in options if option.code == cart.delivery.get("code")), None)
        if chosen is not None:
            totals = checkout_totals(result, chosen.price, context.tax)
    elif with_delivery and active:
        wanted = stock_lines(active, facts)
        address = cart.shipping_address or {}
        shipments, stores = _allocation_size(cart.channel_code, wanted, address)
        request = delivery.DeliveryRequest(
            country=(address.get("country") or channel.default_country).upper(),
            goods_total=totals.goods_display,
            weight_grams=sum(
                (facts[line.sku].weight_grams or 0) * line.quantity for line in active if line.sku in facts
            ),
            needs_shipping=bool(wanted),
            free_shipping_promotion=result.free_shipping,
            shipments=max(shipments, 1),
            pickup_stores=tuple(stores),
            # Placement only needs the bookings when the chosen option is a slot.
            slot_bookings=slot_bookings(config)
            if cart.delivery.get("kind") == delivery.SCHEDULED
            or (listing and address.get("country") in config.scheduled_countries)
            else {},
            today=timezone.localdate(),
        )
        options = tuple(delivery.delivery_options(request, config))
        code = cart.delivery.get("code")
        chosen = next((option for option in options if option.code == code), None)
        if chosen is not None:
            totals = checkout_totals(result, chosen.price, context.tax)
    return PricedCheckout(
        cart=cart,
        channel=channel,
        buyer=buyer,
        context=context,
        lines=tuple(priced),
        saved=saved,
        result=result,
        facts=facts,
        options=options,
        chosen=chosen,
        shipments=shipments,
        totals=totals,
    )


def require_lines(priced: PricedCheckout) -> None:
    if not priced.lines:
        raise InvalidInput(
            "the cart is empty", errors=[field_error(["body", "lines"], "empty cart")], slug="cart-empty"
        )
