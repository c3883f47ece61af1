"""The order snapshot placement records: what the buyer was sold, as priced at that moment."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from handel.checkout import delivery
from handel.checkout.models import Cart
from handel.checkout.queries import PricedCheckout
from handel.checkout.totals import shown_amount
from handel.orders.types import AddressSnapshot, LineSnapshot, OrderSnapshot

ZERO = Decimal("0.00")


def _address(data: dict[str, Any] | None) -> AddressSnapshot | None:
    if not data:
        return None
    return AddressSnapshot(**{key: str(data.get(key) or "") for key in AddressSnapshot.__dataclass_fields__})


def order_snapshot(
    *,
    priced: PricedCheckout,
    cart: Cart,
    delivery_info: dict[str, Any],
    payment_method: str,
    purchase_order_number: str,
    notes: str,
    company_id: int | None,
) -> OrderSnapshot:
    """The order as placed: lines with their prices, tax, discounts and explanations, gifts, the
    addresses, the delivery (with its allocation), totals and the tax breakdown."""
    tax = priced.context.tax
    lines = []
    for item in priced.lines:
        result = item.result
        assert result is not None  # unpriced lines were refused
        options = dict(item.line.options)
        if item.line.ship_to and item.line.ship_to in cart.extra_addresses:
            options["ship_to"] = item.line.ship_to
        lines.append(
            LineSnapshot(
                sku=item.line.sku,
                name=item.facts.name if item.facts else item.line.sku,
                quantity=item.line.quantity,
                unit_price=shown_amount(
                    result.unit_price,
                    result.taxed.rate,
                    entered_including_tax=tax.prices_entered_including_tax,
                    shown_including_tax=tax.prices_shown_including_tax,
                ),
                discount=shown_amount(
                    result.discount,
                    result.taxed.rate,
                    entered_including_tax=tax.prices_entered_including_tax,
                    shown_including_tax=tax.prices_shown_including_tax,
                ),
                tax_rate=result.taxed.rate,
                tax_amount=result.taxed.tax,
                total_net=result.taxed.net,
                total_gross=result.taxed.gross,
                kind=item.facts.kind if item.facts else "simple",
                options=options,
                explanation={"steps": [step.as_dict() for step in result.explanation]},
                note=item.line.note,
            )
        )
    for gift in priced.result.gifts:
        fact = priced.facts.get(gift.sku)
        lines.append(
            LineSnapshot(
                sku=gift.sku,
                name=fact.name if fact else gift.sku,
                quantity=gift.quantity,
                unit_price=ZERO,
                discount=ZERO,
                tax_rate=Decimal(0),
                tax_amount=ZERO,
                total_net=ZERO,
                total_gross=ZERO,
                kind="gift",
                explanation={
                    "steps": [
                        {"kind": "promotion", "code": gift.promotion_code, "detail": "free gift", "amount": "0.00"}
                    ]
                },
            )
        )
    totals = priced.totals
    breakdown: dict[Decimal, list[Decimal]] = {}
    for line in lines:
        entry = breakdown.setdefault(line.tax_rate, [ZERO, ZERO])
        entry[0] += line.total_net
        entry[1] += line.tax_amount
    if totals.shipping.net:
        entry = breakdown.setdefault(totals.shipping.rate, [ZERO, ZERO])
        entry[0] += totals.shipping.net
        entry[1] += totals.shipping.tax
    delivery_info = dict(delivery_info)
    if cart.extra_addresses:
        delivery_info["addresses"] = cart.extra_addresses  # each line's options name its own (ship_to)
    return OrderSnapshot(
        channel_code=cart.channel_code,
        currency=totals.currency,
        locale=priced.channel.default_locale,
        email=cart.email,
        prices_include_tax=totals.prices_include_tax,
        lines=tuple(lines),
        billing_address=_address(cart.billing_address) or AddressSnapshot("", "", "", "", "", ""),
        shipping_address=_address(cart.shipping_address)
        if delivery_info["method"] not in (delivery.DIGITAL,)
        else None,
        delivery=delivery_info,
        shipping_net=totals.shipping.net,
        shipping_gross=totals.shipping.gross,
        discount_total=totals.discount_total,
        subtotal_net=totals.goods_net,
        subtotal_gross=totals.goods_gross,
        tax_total=totals.tax_total,
        grand_total=totals.grand_total,
        payment_method=payment_method,
        customer_id=cart.customer_id,
        company_id=company_id,
        purchase_order_number=purchase_order_number.strip()[:50],
        placed_by_staff_id=cart.placed_by_staff_id,
        promotions=tuple(
            {
                "code": item.code,
                "name": item.name,
                "action": item.action,
                "discount": str(item.discount),
                "coupon": item.coupon,
            }
            for item in priced.result.applied_promotions
        ),
        tax_breakdown=tuple(
            {"rate": str(rate), "net": str(net), "tax": str(amount)}
            for rate, (net, amount) in sorted(breakdown.items())
        ),
        notes=notes.strip()[:2000],
    )
