"""Properties of the engine over random price lists, rules, promotions and carts (hypothesis):
no negative line or total, a discount never exceeds what it discounts, lines sum to totals to the
cent, evaluation order is deterministic, the cart agrees with the listing price, and a price is the
same with or without its explanation."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from handel.pricing.engine import (
    Assignment,
    PriceListData,
    PriceRuleData,
    ProductFilter,
    PromotionData,
    PromotionTier,
    TierPrice,
    price_cart,
    price_items,
)
from tests.pricing.builders import context, facts, tax_setup

SKUS = ["A", "B", "C", "D", "E"]
CENT = Decimal("0.01")

money = st.decimals(min_value=Decimal("0"), max_value=Decimal("500"), places=2)
percent = st.decimals(min_value=Decimal("0.5"), max_value=Decimal("100"), places=1)
signed_percent = st.decimals(min_value=Decimal("-90"), max_value=Decimal("60"), places=1)
sku_sets = st.frozensets(st.sampled_from(SKUS), max_size=3)


@st.composite
def tier_tables(draw):
    breaks = sorted(draw(st.sets(st.integers(min_value=2, max_value=50), max_size=3)))
    return tuple(TierPrice(quantity, draw(money)) for quantity in [1, *breaks])


@st.composite
def price_lists(draw):
    lists = []
    for index, (kind, key) in enumerate(
        draw(
            st.lists(
                st.sampled_from(
                    [("channel", "b2c"), ("customer_group", "dealer"), ("customer", "c-1"), ("company", "acme")]
                ),
                min_size=1,
                max_size=3,
            )
        )
    ):
        entries = {sku: draw(tier_tables()) for sku in draw(st.sets(st.sampled_from(SKUS), min_size=1))}
        lists.append(
            PriceListData(
                code=f"list-{index}",
                name=f"L{index}",
                currency="EUR",
                assignments=(Assignment(kind, key),),
                priority=draw(st.integers(0, 3)),
                is_base=index == 0,
                entries=entries,
            )
        )
    if draw(st.booleans()):
        lists.append(
            PriceListData(
                code="derived",
                name="Derived",
                currency="EUR",
                parent_code="list-0",
                adjustment_percent=draw(signed_percent),
                assignments=(Assignment("customer_group", "dealer"),),
            )
        )
    return tuple(lists)


@st.composite
def rules(draw):
    kind = draw(st.sampled_from(["percent", "amount", "fixed_price"]))
    value = (
        draw(signed_percent)
        if kind == "percent"
        else (
            draw(st.decimals(min_value=Decimal("-50"), max_value=Decimal("50"), places=2))
            if kind == "amount"
            else draw(money)
        )
    )
    return PriceRuleData(
        code=f"rule-{draw(st.integers(0, 99))}",
        name="R",
        adjustment_kind=kind,
        adjustment_value=value,
        priority=draw(st.integers(0, 3)),
        products=ProductFilter(skus=draw(sku_sets)),
        stop_further_rules=draw(st.booleans()),
        min_margin_percent=draw(st.sampled_from([Decimal(0), Decimal(10)])),
    )


@st.composite
def promotions(draw):
    action = draw(
        st.sampled_from(
            [
                "percent_off_lines",
                "amount_off_lines",
                "percent_off_cart",
                "amount_off_cart",
                "fixed_price",
                "buy_x_get_y",
                "tiered_spend",
                "free_shipping",
                "free_gift",
            ]
        )
    )
    value = draw(percent) if "percent" in action else draw(money)
    return PromotionData(
        code=f"promo-{draw(st.integers(0, 99))}",
        name="P",
        action=action,
        value=value,
        priority=draw(st.integers(0, 3)),
        stackable=draw(st.booleans()),
        stop_further_rules=draw(st.booleans()),
        min_subtotal=draw(st.none() | money),
        target=ProductFilter(skus=draw(sku_sets)),
        buy_quantity=draw(st.integers(1, 3)),
        get_quantity=draw(st.integers(1, 2)),
        tiers=(PromotionTier(draw(money), draw(percent)),),
        gift_sku="GIFT",
    )


@st.composite
def scenarios(draw):
    lists = draw(price_lists())
    products = {
        sku: facts(
            sku,
            cost_price=draw(st.none() | money),
            msrp=draw(st.none() | money),
            tax_class=draw(st.sampled_from(["standard", "reduced"])),
        )
        for sku in SKUS
    }
    ctx = context(
        lists=lists,
        products=products,
        customer_group=draw(st.sampled_from([None, "dealer"])),
        customer_key=draw(st.sampled_from([None, "c-1"])),
        company_key=draw(st.sampled_from([None, "acme"])),
        rules=tuple(draw(st.lists(rules(), max_size=4, unique_by=lambda rule: rule.code))),
        promotions=tuple(draw(st.lists(promotions(), max_size=4, unique_by=lambda promotion: promotion.code))),
        tax=tax_setup(
            prices_entered_including_tax=draw(st.booleans()), destination_country=draw(st.sampled_from(["NL", "DE"]))
        ),
    )
    lines = draw(st.lists(st.tuples(st.sampled_from(SKUS), st.integers(1, 60)), min_size=1, max_size=8))
    return ctx, lines


def is_cents(amount: Decimal) -> bool:
    return amount == amount.quantize(CENT)


@settings(max_examples=300, deadline=None)
@given(scenarios())
def test_cart_invariants(scenario):
    ctx, lines = scenario
    result = price_cart(ctx, lines)
    priced = [line for line in result.lines if line.found]
    for line in priced:
        assert line.unit_price >= 0 and line.subtotal >= 0
        assert 0 <= line.discount <= line.subtotal, "a discount exceeds what it discounts"
        assert line.total == line.subtotal - line.discount >= 0
        assert line.taxed.net >= 0 and line.taxed.tax >= 0 and line.taxed.gross >= 0
        assert line.taxed.gross == line.taxed.net + line.taxed.tax
        for amount in (line.unit_price, line.subtotal, line.discount, line.total, line.taxed.net, line.taxed.tax):
            assert is_cents(amount)
    assert result.subtotal == sum((line.subtotal for line in priced), Decimal(0))
    assert result.discount_total == sum((line.discount for line in priced), Decimal(0))
    assert result.discount_total == sum((p.discount for p in result.applied_promotions), Decimal(0))
    assert all(p.discount >= 0 for p in result.applied_promotions)
    assert result.total == result.subtotal - result.discount_total >= 0
    assert result.net_total == sum((line.taxed.net for line in priced), Decimal(0))
    assert result.tax_total == sum((line.taxed.tax for line in priced), Decimal(0))
    assert result.gross_total == result.net_total + result.tax_total
    assert result.display_total in (result.net_total, result.gross_total)


@settings(max_examples=200, deadline=None)
@given(scenarios(), st.randoms(use_true_random=False))
def test_evaluation_order_is_deterministic(scenario, random):
    ctx, lines = scenario
    shuffled_lists, shuffled_rules, shuffled_promotions = list(ctx.price_lists), list(ctx.rules), list(ctx.promotions)
    random.shuffle(shuffled_lists)
    random.shuffle(shuffled_rules)
    random.shuffle(shuffled_promotions)
    shuffled = replace(
        ctx, price_lists=tuple(shuffled_lists), rules=tuple(shuffled_rules), promotions=tuple(shuffled_promotions)
    )
    assert price_cart(ctx, lines) == price_cart(shuffled, lines)
    assert price_items(ctx, lines) == price_items(shuffled, lines)
    assert price_cart(ctx, lines) == price_cart(ctx, lines)


@settings(max_examples=200, deadline=None)
@given(scenarios())
def test_the_cart_agrees_with_the_listed_price(scenario):
    ctx, lines = scenario
    listed = [item for item in price_items(ctx, lines) if item.found]
    cart = [line for line in price_cart(replace(ctx, promotions=()), lines).lines if line.found]
    assert [(item.sku, item.quantity) for item in listed] == [(line.sku, line.quantity) for line in cart]
    for item, line in zip(listed, cart, strict=True):
        assert line.unit_price == item.unit_price >= 0
        assert line.taxed == item.line


@settings(max_examples=200, deadline=None)
@given(scenarios())
def test_prices_without_their_explanation_are_the_same(scenario):
    # Listings and the search index ask for prices only; every amount must be what the explained
    # price (the product page, the cart) shows.
    ctx, lines = scenario
    explained = price_items(ctx, lines)
    plain = price_items(ctx, lines, explain=False)
    assert all(item.explanation for item in explained)
    assert [item._replace(explanation=()) for item in explained] == plain
