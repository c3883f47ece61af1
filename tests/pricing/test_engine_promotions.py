"""Cart promotions and coupons (pure engine): a table per condition and per action, stacking, stops."""

from __future__ import annotations

from datetime import timedelta

import pytest

from handel.pricing.engine import CouponData, ProductFilter, PromotionData, PromotionTier, price_cart
from tests.pricing.builders import NOW, D, facts, simple_context

PRICES = {"A": "10.00", "B": "20.00", "C": "5.00"}
PRODUCTS = {
    "A": facts("A", category_paths=("tools",), attributes={"brand": ("bosch",)}),
    "B": facts("B", category_paths=("tools", "tools/saws"), attributes={"brand": ("makita",)}),
    "C": facts("C", category_paths=("garden",), attributes={"brand": ("bosch",)}),
}
CART = [("A", 2), ("B", 1), ("C", 4)]  # 20 + 20 + 20 = 60


def promo(code="p", action="percent_off_cart", value="10", **fields):
    return PromotionData(code=code, name=code.upper(), action=action, value=D(value), **fields)


def cart(*promotions, lines=CART, coupons=(), coupon_data=None, **fields):
    ctx = simple_context(PRICES, products=PRODUCTS, promotions=promotions, coupons=coupon_data or {}, **fields)
    return price_cart(ctx, lines, coupons)


CONDITION_CASES = [
    # (description, promotion fields, context fields, applies)
    ("no conditions", {}, {}, True),
    ("subtotal reached", {"min_subtotal": D("60")}, {}, True),
    ("subtotal not reached", {"min_subtotal": D("60.01")}, {}, False),
    ("quantity reached", {"min_quantity": 7}, {}, True),
    ("quantity not reached", {"min_quantity": 8}, {}, False),
    ("required SKU present", {"required_products": ProductFilter(skus=frozenset({"B"}))}, {}, True),
    ("required SKU absent", {"required_products": ProductFilter(skus=frozenset({"Z"}))}, {}, False),
    ("required category present", {"required_products": ProductFilter(category_paths=frozenset({"garden"}))}, {}, True),
    (
        "required attribute absent",
        {"required_products": ProductFilter(attributes={"brand": frozenset({"festool"})})},
        {},
        False,
    ),
    ("customer group matches", {"customer_groups": frozenset({"vip"})}, {"customer_group": "vip"}, True),
    ("customer group differs", {"customer_groups": frozenset({"vip"})}, {"customer_group": "retail"}, False),
    ("segment matches", {"segments": frozenset({"lapsed"})}, {"segments": frozenset({"lapsed", "x"})}, True),
    ("segment missing", {"segments": frozenset({"lapsed"})}, {}, False),
    ("channel matches", {"channels": frozenset({"b2c"})}, {}, True),
    ("channel differs", {"channels": frozenset({"b2b"})}, {}, False),
    ("first order, is first", {"first_order_only": True}, {"is_first_order": True}, True),
    ("first order, is not", {"first_order_only": True}, {}, False),
    ("running now", {"starts_at": NOW - timedelta(hours=1), "ends_at": NOW + timedelta(hours=1)}, {}, True),
    ("not started", {"starts_at": NOW + timedelta(hours=1)}, {}, False),
    ("ended", {"ends_at": NOW}, {}, False),
    ("usage exhausted", {"usage_exhausted": True}, {}, False),
    ("coupon needed, none given", {"requires_coupon": True}, {}, False),
]


@pytest.mark.parametrize(
    ("description", "promotion_fields", "context_fields", "applies"),
    CONDITION_CASES,
    ids=[case[0] for case in CONDITION_CASES],
)
def test_conditions(description, promotion_fields, context_fields, applies):
    result = cart(promo(**promotion_fields), **context_fields)
    assert (result.discount_total == D("6.00")) is applies
    assert bool(result.applied_promotions) is applies


ACTION_CASES = [
    # (description, promotion, expected discount per line A, B, C)
    ("percent off lines", promo(action="percent_off_lines", value="10"), ("2.00", "2.00", "2.00")),
    (
        "percent off lines of a category",
        promo(action="percent_off_lines", value="10", target=ProductFilter(category_paths=frozenset({"tools"}))),
        ("2.00", "2.00", "0"),
    ),
    ("amount off each line", promo(action="amount_off_lines", value="3"), ("3", "3", "3")),
    (
        "amount off a line never exceeds the line",
        promo(action="amount_off_lines", value="50"),
        ("20.00", "20.00", "20.00"),
    ),
    ("percent off cart", promo(action="percent_off_cart", value="10"), ("2.00", "2.00", "2.00")),
    # the odd cent goes to the first line
    ("amount off cart, spread by value", promo(action="amount_off_cart", value="10"), ("3.34", "3.33", "3.33")),
    (
        "amount off cart never exceeds the cart",
        promo(action="amount_off_cart", value="100"),
        ("20.00", "20.00", "20.00"),
    ),
    (
        "fixed unit price",
        promo(action="fixed_price", value="4", target=ProductFilter(skus=frozenset({"A", "C"}))),
        ("12.00", "0", "4.00"),
    ),
    ("fixed price above the price gives nothing", promo(action="fixed_price", value="50"), ("0", "0", "0")),
    (
        "buy 2 get 1, cheapest free",
        promo(action="buy_x_get_y", value="0", buy_quantity=2, get_quantity=1),
        ("0", "0", "10.00"),
    ),  # 7 units -> 2 groups of 3 -> the 2 cheapest (C at 5) free
    (
        "buy 1 get 1 within tools",
        promo(
            action="buy_x_get_y",
            value="0",
            buy_quantity=1,
            get_quantity=1,
            target=ProductFilter(category_paths=frozenset({"tools"})),
        ),
        ("10.00", "0", "0"),
    ),  # A, A, B -> 1 group -> one A free
    (
        "tiered spend: 5% from 50, 10% from 100",
        promo(
            action="tiered_spend", value="0", tiers=(PromotionTier(D("50"), D("5")), PromotionTier(D("100"), D("10")))
        ),
        ("1.00", "1.00", "1.00"),
    ),
    (
        "tiered spend below the first tier",
        promo(action="tiered_spend", value="0", tiers=(PromotionTier(D("100"), D("10")),)),
        None,
    ),
]


@pytest.mark.parametrize(("description", "promotion", "expected"), ACTION_CASES, ids=[case[0] for case in ACTION_CASES])
def test_actions(description, promotion, expected):
    result = cart(promotion)
    if expected is None:
        assert result.discount_total == 0 and not result.applied_promotions
        return
    assert tuple(line.discount for line in result.lines) == tuple(D(value) for value in expected)
    assert result.discount_total == sum(D(value) for value in expected)
    assert result.total == result.subtotal - result.discount_total


def test_free_shipping_and_free_gift():
    result = cart(
        promo("ship", action="free_shipping", value="0"),
        promo("gift", action="free_gift", value="0", gift_sku="TOTE", gift_quantity=1),
    )
    assert result.free_shipping
    assert [(gift.sku, gift.quantity, gift.promotion_code) for gift in result.gifts] == [("TOTE", 1, "gift")]
    assert result.discount_total == 0
    assert {promotion.code for promotion in result.applied_promotions} == {"ship", "gift"}


def test_promotions_stack_in_priority_order():
    result = cart(
        promo("second", value="10", priority=1), promo("first", action="amount_off_cart", value="10", priority=5)
    )
    assert [p.code for p in result.applied_promotions] == ["first", "second"]
    assert result.discount_total == D("15.00")  # 10 off 60, then 10% of 50


def test_stop_further_rules():
    result = cart(promo("first", value="10", priority=5, stop_further_rules=True), promo("second", value="10"))
    assert [p.code for p in result.applied_promotions] == ["first"]


def test_a_non_stackable_promotion_is_exclusive():
    exclusive = promo("exclusive", value="50", stackable=False, priority=1)
    after_other = cart(promo("other", value="10", priority=5), exclusive)
    assert [p.code for p in after_other.applied_promotions] == ["other"]
    alone = cart(exclusive, promo("later", value="10", priority=0))
    assert [p.code for p in alone.applied_promotions] == ["exclusive"]


COUPONS = {
    "SAVE10": CouponData("SAVE10", "coupon-promo"),
    "USED": CouponData("USED", "coupon-promo", usable=False, reason="coupon has been used up"),
    "OTHER": CouponData("OTHER", "coupon-promo"),
}


def test_coupons_accept_reject_and_explain():
    needs = promo("coupon-promo", value="10", requires_coupon=True)
    result = cart(needs, coupons=[" save10 ", "USED", "NOPE", "OTHER"], coupon_data=COUPONS)
    assert result.accepted_coupons == ("SAVE10",)
    assert dict(result.rejected_coupons) == {
        "USED": "coupon has been used up",
        "NOPE": "unknown coupon",
        "OTHER": "another coupon of the same promotion is applied",
    }
    assert result.applied_promotions[0].coupon == "SAVE10"
    assert result.discount_total == D("6.00")


def test_a_coupon_whose_conditions_fail_is_rejected_with_the_reason():
    needs = promo("coupon-promo", value="10", requires_coupon=True, min_subtotal=D("1000"))
    result = cart(needs, coupons=["SAVE10"], coupon_data=COUPONS)
    assert result.accepted_coupons == ()
    assert result.rejected_coupons == (("SAVE10", "the promotion's conditions are not met"),)


def test_unpriced_lines_are_reported_not_totalled():
    result = cart(lines=[("A", 1), ("GHOST", 3)])
    assert result.unpriced_skus == ("GHOST",)
    assert result.total == D("10.00")
    assert [line.found for line in result.lines] == [True, False]


def test_line_explanation_lists_the_promotions():
    result = cart(promo("ten", value="10"))
    steps = [(step.kind, step.code) for step in result.lines[0].explanation]
    assert ("promotion", "ten") in steps and steps[-1][0] == "tax"
    assert result.explanation[0].code == "ten"
