"""Checkout totals: the priced cart plus delivery, with tax, as plain Python (no database).

The cart's lines come from the price engine (`CartResult`); delivery is taxed at the
destination's standard rate (nothing under the EU reverse charge). Totals are sums of rounded
lines, so an order adds up to the cent.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from handel.pricing.engine import CartResult, TaxSetup
from handel.pricing.engine.tax import find_rate, is_reverse_charge

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
HUNDRED = Decimal(100)


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, ROUND_HALF_UP)


@dataclass(frozen=True)
class ShippingAmount:
    net: Decimal
    tax: Decimal
    gross: Decimal
    rate: Decimal


@dataclass(frozen=True)
class CheckoutTotals:
    currency: str
    prices_include_tax: bool
    goods_net: Decimal
    goods_gross: Decimal
    goods_tax: Decimal
    discount_total: Decimal
    shipping: ShippingAmount
    tax_total: Decimal
    grand_total: Decimal  # what the buyer pays (always incl. tax)

    @property
    def goods_display(self) -> Decimal:
        return self.goods_gross if self.prices_include_tax else self.goods_net

    @property
    def shipping_display(self) -> Decimal:
        return self.shipping.gross if self.prices_include_tax else self.shipping.net


def shipping_rate(tax: TaxSetup) -> Decimal:
    if is_reverse_charge(tax):
        return Decimal(0)
    rate = find_rate(
        tax.rates,
        country=tax.destination_country,
        region=tax.destination_region,
        tax_class="standard",
        customer_tax_class=tax.customer_tax_class,
    )
    return rate.rate if rate else Decimal(0)


def tax_shipping(net: Decimal, tax: TaxSetup) -> ShippingAmount:
    rate = shipping_rate(tax)
    amount = cents(net * rate / HUNDRED)
    return ShippingAmount(net=cents(net), tax=amount, gross=cents(net) + amount, rate=rate)


def checkout_totals(cart: CartResult, shipping_net: Decimal, tax: TaxSetup) -> CheckoutTotals:
    lines = [line for line in cart.lines if line.found]
    goods_net = sum((line.taxed.net for line in lines), ZERO)
    goods_gross = sum((line.taxed.gross for line in lines), ZERO)
    goods_tax = sum((line.taxed.tax for line in lines), ZERO)
    shipping = tax_shipping(shipping_net, tax)
    return CheckoutTotals(
        currency=cart.currency,
        prices_include_tax=cart.prices_shown_including_tax,
        goods_net=goods_net,
        goods_gross=goods_gross,
        goods_tax=goods_tax,
        discount_total=cents(cart.discount_total),
        shipping=shipping,
        tax_total=goods_tax + shipping.tax,
        grand_total=goods_gross + shipping.gross,
    )


def shown_amount(amount: Decimal, rate: Decimal, *, entered_including_tax: bool, shown_including_tax: bool) -> Decimal:
    """An entry-basis amount as the channel shows it (a unit price, a discount)."""
    if entered_including_tax == shown_including_tax:
        return cents(amount)
    factor = (HUNDRED + rate) / HUNDRED
    return cents(amount * factor if shown_including_tax else amount / factor)
