"""Dynamic bundles cost the sum of the options the buyer chose, each priced for this buyer (tiers
at the quantity the line takes of it), then the bundle's own rules; fixed bundles keep their own
price whatever is chosen. The same in price_items (product pages) and price_cart (the cart)."""

from __future__ import annotations

from handel.pricing.engine import CartLineInput, PriceRuleData, ProductFilter, price_cart, price_items
from tests.pricing.builders import D, base_list, context, facts, tiers

LIST = base_list(
    {
        "DRILL": tiers((1, "100.00")),
        "BITS": tiers((1, "20.00"), (10, "15.00")),
        "CASE": tiers((1, "30.00")),
        "FIXED": tiers((1, "99.00")),
        "DYN": tiers((1, "500.00")),
    }
)
PRODUCTS = {
    "DYN": facts("DYN", dynamic_bundle=True),
    "FIXED": facts("FIXED"),
    "DRILL": facts("DRILL"),
    "BITS": facts("BITS"),
    "CASE": facts("CASE"),
}
CHOSEN = (("DRILL", 1), ("BITS", 2))


def test_a_dynamic_bundle_costs_the_sum_of_the_chosen_options():
    ctx = context(lists=(LIST,), products=PRODUCTS)
    result = price_items(ctx, [CartLineInput("DYN", 1, CHOSEN)])[0]
    assert result.unit_price == D("140.00")
    assert result.explanation[0].kind == "bundle"
    assert "2 x BITS at 20.00" in result.explanation[0].detail
    other = price_items(ctx, [CartLineInput("DYN", 1, (("DRILL", 1), ("CASE", 1)))])[0]
    assert other.unit_price == D("130.00")


def test_a_dynamic_bundle_costs_the_same_without_explanation():
    ctx = context(lists=(LIST,), products=PRODUCTS)
    lines = [CartLineInput("DYN", 1, CHOSEN), CartLineInput("DYN", 5, CHOSEN), CartLineInput("DYN", 1, (("X", 1),))]
    explained = price_items(ctx, lines)
    assert [result._replace(explanation=()) for result in explained] == price_items(ctx, lines, explain=False)


def test_the_options_tiers_apply_at_the_quantity_the_line_takes():
    ctx = context(lists=(LIST,), products=PRODUCTS)
    # 5 bundles take 10 packs of bits: their tier from 10 applies.
    assert price_items(ctx, [CartLineInput("DYN", 5, CHOSEN)])[0].unit_price == D("130.00")


def test_the_bundles_own_rules_apply_to_the_sum():
    rule = PriceRuleData(
        code="bundle-deal",
        name="Bundle deal",
        products=ProductFilter(skus=frozenset({"DYN"})),
        adjustment_kind="percent",
        adjustment_value=D("-10"),
    )
    ctx = context(lists=(LIST,), products=PRODUCTS, rules=(rule,))
    result = price_items(ctx, [CartLineInput("DYN", 1, CHOSEN)])[0]
    assert result.unit_price == D("126.00")
    assert [step.kind for step in result.explanation] == ["bundle", "rule", "tax"]


def test_an_option_without_a_price_leaves_the_bundle_without_one():
    ctx = context(lists=(LIST,), products=PRODUCTS)
    assert not price_items(ctx, [CartLineInput("DYN", 1, (("DRILL", 1), ("NOPE", 1)))])[0].found


def test_fixed_bundles_and_bundles_without_choices_keep_their_own_price():
    ctx = context(lists=(LIST,), products=PRODUCTS)
    assert price_items(ctx, [CartLineInput("FIXED", 1, CHOSEN)])[0].unit_price == D("99.00")
    assert price_items(ctx, [("DYN", 1)])[0].unit_price == D("500.00")


def test_the_cart_prices_a_dynamic_bundle_like_the_product_page():
    ctx = context(lists=(LIST,), products=PRODUCTS)
    line = price_cart(ctx, [CartLineInput("DYN", 2, CHOSEN), ("CASE", 1)]).lines[0]
    page = price_items(ctx, [CartLineInput("DYN", 2, CHOSEN)])[0]
    assert line.unit_price == page.unit_price == D("140.00")
    assert line.display_total == page.line_display
