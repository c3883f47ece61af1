"""Request bodies of the checkout API and how a priced cart is shown."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ninja import Schema
from pydantic import Field

from handel.checkout.placement import Placement
from handel.checkout.queries import PricedCheckout
from handel.checkout.totals import shown_amount, tax_shipping


class CreateCartIn(Schema):
    customer_email: str | None = Field(None, max_length=254, description="staff: a cart on this customer's behalf")


class LineIn(Schema):
    sku: str = Field(max_length=64)
    quantity: int = Field(ge=1, le=100_000)
    options: dict[str, list[str]] = Field(default_factory=dict, description="a bundle's choices: group -> SKUs")
    note: str = Field("", max_length=500)


class LinesIn(Schema):
    lines: list[LineIn] = Field(min_length=1, max_length=500)


class QuickLineIn(Schema):
    sku: str = Field(max_length=64)
    quantity: int = Field(ge=-1_000_000, le=1_000_000)


class QuickOrderIn(Schema):
    lines: list[QuickLineIn] = Field(min_length=1, max_length=500)


class LineUpdateIn(Schema):
    quantity: int | None = Field(None, ge=1, le=100_000)
    note: str | None = Field(None, max_length=500)
    saved_for_later: bool | None = None


class CouponIn(Schema):
    code: str = Field(max_length=40)


class ReorderIn(Schema):
    order_number: str = Field(max_length=30)


class AddressIn(Schema):
    first_name: str = Field("", max_length=100)
    last_name: str = Field("", max_length=100)
    company_name: str = Field("", max_length=200)
    street: str = Field("", max_length=200)
    street2: str = Field("", max_length=200)
    postal_code: str = Field("", max_length=20)
    city: str = Field("", max_length=100)
    region: str = Field("", max_length=100)
    country: str = Field("", max_length=2)
    phone: str = Field("", max_length=40)


class AddressesIn(Schema):
    email: str = Field("", max_length=254)
    shipping_address: AddressIn | None = None
    shipping_address_id: int | None = None
    billing_address: AddressIn | None = None
    billing_address_id: int | None = None
    billing_same_as_shipping: bool = True
    extra_addresses: dict[str, AddressIn] = Field(default_factory=dict, description="multi-address checkout")
    line_addresses: dict[int, str] = Field(default_factory=dict, description="cart line id -> extra address key")


class DeliveryIn(Schema):
    code: str = Field(max_length=60)


class CardIn(Schema):
    number: str = Field(max_length=30)
    expiry: str = Field(max_length=7)
    cvc: str = Field(max_length=4)
    holder: str = Field("", max_length=100)


class PlaceOrderIn(Schema):
    payment_method: str = Field(max_length=30)
    expected_total: Decimal | None = Field(
        None, ge=0, max_digits=14, decimal_places=2, description="the total the buyer was shown"
    )
    accept_price_change: bool = False
    card: CardIn | None = None
    return_url: str = Field("", max_length=500)
    purchase_order_number: str = Field("", max_length=50)
    notes: str = Field("", max_length=2000)


def money(amount: Decimal) -> str:
    return str(amount)


def cart_out(priced: PricedCheckout) -> dict[str, Any]:
    cart, totals, tax = priced.cart, priced.totals, priced.context.tax
    lines = []
    for item in priced.lines:
        result, line = item.result, item.line
        lines.append(
            {
                "id": line.pk,
                "sku": line.sku,
                "name": item.facts.name if item.facts else line.sku,
                "kind": item.facts.kind if item.facts else "",
                "quantity": line.quantity,
                "options": line.options,
                "note": line.note,
                "ship_to": line.ship_to,
                "priced": result is not None,
                "unit_price": money(
                    shown_amount(
                        result.unit_price,
                        result.taxed.rate,
                        entered_including_tax=tax.prices_entered_including_tax,
                        shown_including_tax=tax.prices_shown_including_tax,
                    )
                )
                if result
                else None,
                "discount": money(
                    shown_amount(
                        result.discount,
                        result.taxed.rate,
                        entered_including_tax=tax.prices_entered_including_tax,
                        shown_including_tax=tax.prices_shown_including_tax,
                    )
                )
                if result
                else None,
                "total": money(result.display_total) if result else None,
                "tax_rate": money(result.taxed.rate) if result else None,
            }
        )
    return {
        "id": str(cart.public_id),
        "channel": cart.channel_code,
        "status": cart.status,
        "currency": totals.currency,
        "prices_include_tax": totals.prices_include_tax,
        "email": cart.email,
        "lines": lines,
        "saved_for_later": [
            {"id": line.pk, "sku": line.sku, "quantity": line.quantity, "note": line.note} for line in priced.saved
        ],
        "gifts": [
            {"sku": gift.sku, "quantity": gift.quantity, "promotion": gift.promotion_code}
            for gift in priced.result.gifts
        ],
        "coupons": list(cart.coupon_codes),
        "rejected_coupons": [{"code": code, "reason": reason} for code, reason in priced.result.rejected_coupons],
        "promotions": [
            {"code": item.code, "name": item.name, "discount": money(item.discount), "coupon": item.coupon}
            for item in priced.result.applied_promotions
        ],
        "unpriced_skus": priced.unpriced,
        "subtotal": money(totals.goods_display),
        "discount_total": money(totals.discount_total),
        "shipping": money(totals.shipping_display),
        "tax_total": money(totals.tax_total),
        "total_net": money(totals.goods_net + totals.shipping.net),
        "grand_total": money(totals.grand_total),
        "shipping_address": cart.shipping_address,
        "billing_address": cart.billing_address,
        "extra_addresses": cart.extra_addresses,
        "delivery": cart.delivery or None,
        "order_number": cart.order_number or None,
        "purchase_order": cart.approval_number or None,
    }


def options_out(priced: PricedCheckout) -> dict[str, Any]:
    tax = priced.context.tax
    items = []
    for option in priced.options:
        taxed = tax_shipping(option.price, tax)
        items.append(
            {
                "code": option.code,
                "kind": option.kind,
                "name": option.name,
                "price": money(taxed.gross if priced.totals.prices_include_tax else taxed.net),
                "price_net": money(taxed.net),
                "price_gross": money(taxed.gross),
                "details": dict(option.details),
            }
        )
    return {
        "items": items,
        "deliverable": priced.shipments > 0 or all(o.kind == "digital" for o in priced.options),
        "shipments": priced.shipments,
        "chosen": priced.chosen.code if priced.chosen else None,
    }


def placement_out(placement: Placement) -> dict[str, Any]:
    return {
        "order_number": placement.order_number or None,
        "status": placement.status,
        "grand_total": money(placement.grand_total),
        "currency": placement.currency,
        "payment": {
            "status": placement.payment_status,
            "id": placement.payment_id or None,
            "action_url": placement.payment_action_url or None,
        }
        if placement.order_number
        else None,
        "purchase_order": placement.purchase_order or None,
        "delivery": placement.delivery or None,
    }


def quick_answers_out(answers: list[Any]) -> dict[str, Any]:
    """One answer per requested line (quick order, a requisition list into the cart)."""
    return {
        "lines": [
            {
                "line": answer.index + 1,
                "sku": answer.sku,
                "requested": answer.requested,
                "quantity": answer.quantity,
                "status": answer.status,
                "message": answer.message,
            }
            for answer in answers
        ],
        "added": sum(1 for answer in answers if answer.accepted),
    }
