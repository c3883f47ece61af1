"""Cart promotions and coupons over unit prices from the price book, then tax per line.

Evaluation order (docs/pricing.md): promotions by priority (higher first), then code. Conditions
read the cart before any promotion (subtotal, quantity, products) and the context (channel,
customer group, segment, first order, coupon). Each action discounts what is left of the lines it
targets, so a discount never exceeds what it discounts. A promotion that is not stackable applies
only to a cart no other promotion has discounted and ends the chain; "stop further rules" ends the
chain too.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from handel.core.money import Money
from handel.pricing.engine.collection import collection_paused
from handel.pricing.engine.prices import PriceBook, in_window
from handel.pricing.engine.tax import round_half_up
from handel.pricing.engine.types import (
    HUNDRED,
    ZERO,
    AppliedPromotion,
    CartLineInput,
    CartLineResult,
    CartResult,
    ExplanationStep,
    GiftLine,
    PricingContext,
    ProductPricingFacts,
    PromotionData,
    TaxedAmount,
)

DISCOUNT_ACTIONS = frozenset(
    {
        "percent_off_lines",
        "amount_off_lines",
        "percent_off_cart",
        "amount_off_cart",
        "fixed_price",
        "buy_x_get_y",
        "tiered_spend",
    }
)


def normalise_coupon_code(code: str) -> str:
    return code.strip().upper()


@dataclass
class WorkingLine:
    sku: str
    quantity: int
    facts: ProductPricingFacts
    unit_price: Decimal
    subtotal: Decimal
    remaining: Decimal
    steps: list[ExplanationStep] = field(default_factory=list)


def allocate(amount: Decimal, weights: Sequence[Decimal], currency: str) -> list[Decimal]:
    """Split a cart discount over lines in proportion to what is left of them, to the cent."""
    return [part.amount for part in Money(amount, currency).allocate(list(weights))]


class CartPricer:
    def __init__(self, context: PricingContext) -> None:
        self.context = context
        self.book = PriceBook(context)
        self.step = self.book.step

    def eligibility(
        self,
        promotion: PromotionData,
        lines: list[WorkingLine],
        coupon_for: dict[str, str],
        subtotal: Decimal,
        quantity: int,
    ) -> str | None:
        """None when the promotion's conditions hold; otherwise why not."""
        context = self.context
        if not in_window(promotion.starts_at, promotion.ends_at, context.at):
            return "not running now"
        if promotion.usage_exhausted:
            return "usage limit reached"
        if promotion.requires_coupon and promotion.code not in coupon_for:
            return "needs a coupon"
        if promotion.channels and context.channel_code not in promotion.channels:
            return "other channel"
        if promotion.customer_groups and context.customer_group not in promotion.customer_groups:
            return "other customer group"
        if promotion.segments and promotion.segments.isdisjoint(context.segments):
            return "other segment"
        if promotion.first_order_only and not context.is_first_order:
            return "first order only"
        if promotion.min_subtotal is not None and subtotal < promotion.min_subtotal:
            return f"subtotal below {promotion.min_subtotal}"
        if promotion.min_quantity is not None and quantity < promotion.min_quantity:
            return f"fewer than {promotion.min_quantity} items"
        if not promotion.required_products.is_empty and not any(
            promotion.required_products.matches(line.sku, line.facts) for line in lines
        ):
            return "the cart lacks the required products"
        return None

    def discounts(self, promotion: PromotionData, lines: list[WorkingLine]) -> dict[int, Decimal]:
        """Discount per line index; every value is at most what is left of that line."""
        targets = [
            index
            for index, line in enumerate(lines)
            if line.remaining > 0 and promotion.target.matches(line.sku, line.facts)
        ]
        if not targets:
            return {}
        action = promotion.action
        result: dict[int, Decimal] = {}
        if action == "percent_off_lines":
            for index in targets:
                result[index] = min(
                    lines[index].remaining, round_half_up(lines[index].remaining * promotion.value / HUNDRED, self.step)
                )
        elif action == "amount_off_lines":
            for index in targets:
                result[index] = min(lines[index].remaining, promotion.value)
        elif action == "fixed_price":
            for index in targets:
                line = lines[index]
                result[index] = max(ZERO, line.remaining - promotion.value * line.quantity)
        elif action == "buy_x_get_y":
            group = promotion.buy_quantity + promotion.get_quantity
            units = sorted((lines[index].unit_price, index) for index in targets for _ in range(lines[index].quantity))
            free = (len(units) // group) * promotion.get_quantity if group > 0 else 0
            for unit_price, index in units[:free]:
                result[index] = min(lines[index].remaining, result.get(index, ZERO) + unit_price)
        elif action in ("percent_off_cart", "amount_off_cart", "tiered_spend"):
            total = sum((lines[index].remaining for index in targets), ZERO)
            if action == "percent_off_cart":
                amount = round_half_up(total * promotion.value / HUNDRED, self.step)
            elif action == "amount_off_cart":
                amount = promotion.value
            else:
                reached = [tier for tier in promotion.tiers if tier.min_subtotal <= total]
                percent = max(reached, key=lambda tier: tier.min_subtotal).percent if reached else ZERO
                amount = round_half_up(total * percent / HUNDRED, self.step)
            amount = min(amount, total)
            if amount > 0:
                shares = allocate(amount, [lines[index].remaining for index in targets], self.context.currency)
                result = dict(zip(targets, shares, strict=True))
        return {index: value for index, value in result.items() if value > 0}

    def price(self, lines: Iterable[CartLineInput | tuple[str, int]], coupons: Sequence[str]) -> CartResult:
        context = self.context
        working: list[WorkingLine] = []
        unpriced: list[tuple[str, int]] = []
        for item in lines:
            sku, quantity, components = (
                (item.sku, item.quantity, item.components) if isinstance(item, CartLineInput) else (*item, ())
            )
            if quantity < 1:
                raise ValueError("quantity must be 1 or more")
            found = self.book.unit_price(sku, quantity, components=components)
            if found is None:
                unpriced.append((sku, quantity))
                continue
            _, unit_price, _, steps = found
            subtotal = unit_price * quantity
            working.append(
                WorkingLine(
                    sku=sku,
                    quantity=quantity,
                    facts=self.book.facts(sku),
                    unit_price=unit_price,
                    subtotal=subtotal,
                    remaining=subtotal,
                    steps=steps,
                )
            )

        cart_steps: list[ExplanationStep] = []
        rejected: list[tuple[str, str]] = []
        coupon_for: dict[str, str] = {}
        for raw_code in dict.fromkeys(normalise_coupon_code(code) for code in coupons):
            coupon = context.coupons.get(raw_code)
            if coupon is None:
                rejected.append((raw_code, "unknown coupon"))
            elif not coupon.usable:
                rejected.append((raw_code, coupon.reason or "coupon cannot be used"))
            elif coupon.promotion_code in coupon_for:
                rejected.append((raw_code, "another coupon of the same promotion is applied"))
            else:
                coupon_for[coupon.promotion_code] = raw_code

        subtotal = sum((line.subtotal for line in working), ZERO)
        quantity = sum(line.quantity for line in working)
        applied: list[AppliedPromotion] = []
        gifts: list[GiftLine] = []
        free_shipping = False
        promotions = sorted(context.promotions, key=lambda promotion: (-promotion.priority, promotion.code))
        for promotion in promotions:
            why_not = self.eligibility(promotion, working, coupon_for, subtotal, quantity)
            if why_not is not None:
                continue
            if not promotion.stackable and applied:
                cart_steps.append(
                    ExplanationStep("promotion", promotion.code, "not stackable with promotions applied before it")
                )
                continue
            coupon_code = coupon_for.get(promotion.code, "")
            discount = ZERO
            if promotion.action in DISCOUNT_ACTIONS:
                per_line = self.discounts(promotion, working)
                if not per_line:
                    continue
                for index, amount in sorted(per_line.items()):
                    line = working[index]
                    line.remaining -= amount
                    discount += amount
                    line.steps.append(ExplanationStep("promotion", promotion.code, promotion.name, -amount))
            elif promotion.action == "free_shipping":
                free_shipping = True
            elif promotion.action == "free_gift":
                gifts.append(
                    GiftLine(sku=promotion.gift_sku, quantity=promotion.gift_quantity, promotion_code=promotion.code)
                )
            applied.append(
                AppliedPromotion(
                    code=promotion.code,
                    name=promotion.name,
                    action=promotion.action,
                    discount=discount,
                    coupon=coupon_code,
                )
            )
            detail = f"{promotion.name} ({promotion.action})" + (f", coupon {coupon_code}" if coupon_code else "")
            cart_steps.append(ExplanationStep("promotion", promotion.code, detail, -discount))
            if not promotion.stackable or promotion.stop_further_rules:
                cart_steps.append(ExplanationStep("promotion", promotion.code, "stops further promotions"))
                break

        used_promotions = {promotion.code for promotion in applied}
        accepted = []
        for promotion_code, code in coupon_for.items():
            if promotion_code in used_promotions:
                accepted.append(code)
            else:
                rejected.append((code, "the promotion's conditions are not met"))

        results = []
        for line in working:
            taxed, tax_step = self.book.tax.line(line.remaining, line.facts.tax_class)
            results.append(
                CartLineResult(
                    sku=line.sku,
                    quantity=line.quantity,
                    found=True,
                    unit_price=line.unit_price,
                    subtotal=line.subtotal,
                    discount=line.subtotal - line.remaining,
                    total=line.remaining,
                    taxed=taxed,
                    display_total=self.book.tax.display(taxed),
                    explanation=(*line.steps, tax_step),
                )
            )
        no_tax = TaxedAmount(net=ZERO, tax=ZERO, gross=ZERO, rate=ZERO)
        for sku, quantity_left in unpriced:
            results.append(
                CartLineResult(
                    sku=sku,
                    quantity=quantity_left,
                    found=False,
                    unit_price=ZERO,
                    subtotal=ZERO,
                    discount=ZERO,
                    total=ZERO,
                    taxed=no_tax,
                    display_total=ZERO,
                    explanation=(ExplanationStep("no_price", sku, "no price list prices this SKU in this context"),),
                )
            )
        for code, reason in rejected:
            cart_steps.append(ExplanationStep("coupon", code, f"rejected: {reason}"))
        priced = [line for line in results if line.found]
        return CartResult(
            currency=context.currency,
            lines=tuple(results),
            subtotal=subtotal,
            discount_total=sum((line.discount for line in priced), ZERO),
            total=sum((line.total for line in priced), ZERO),
            net_total=sum((line.taxed.net for line in priced), ZERO),
            tax_total=sum((line.taxed.tax for line in priced), ZERO),
            gross_total=sum((line.taxed.gross for line in priced), ZERO),
            display_total=sum((line.display_total for line in priced), ZERO),
            prices_shown_including_tax=context.tax.prices_shown_including_tax,
            free_shipping=free_shipping,
            gifts=tuple(gifts),
            applied_promotions=tuple(applied),
            accepted_coupons=tuple(accepted),
            rejected_coupons=tuple(rejected),
            unpriced_skus=tuple(sku for sku, _ in unpriced),
            explanation=tuple(cart_steps),
        )


def price_cart(
    context: PricingContext, lines: Iterable[CartLineInput | tuple[str, int]], coupons: Sequence[str] = ()
) -> CartResult:
    """The cart's lines, discounts, tax and totals. Pure: reads only the context."""
    with collection_paused():
        return CartPricer(context).price(lines, coupons)
