"""Price list resolution, tiers, derived lists, catalog and dynamic rules with guard rails (pure engine)."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from handel.pricing.engine import PriceRuleData, ProductFilter, price_items
from tests.pricing.builders import NOW, D, base_list, context, facts, price_list, replace, tiers

BASE = base_list({"A": tiers((1, "10.00"), (10, "9.00"), (100, "8.00")), "B": tiers((1, "20.00"))})


def unit(ctx, sku="A", quantity=1):
    result = price_items(ctx, [(sku, quantity)])[0]
    assert result.found, result.explanation
    return result.unit_price


# --- resolution order ---------------------------------------------------------------------------

RESOLUTION_CASES = [
    # (description, extra lists, context fields, expected unit price of A at quantity 1)
    ("base list only", (), {}, "10.00"),
    (
        "channel list beats the base list",
        (price_list("sale", "channel", "b2c", {"A": tiers((1, "9.50"))}),),
        {},
        "9.50",
    ),
    (
        "group list beats the channel list",
        (
            price_list("sale", "channel", "b2c", {"A": tiers((1, "9.50"))}),
            price_list("dealer", "customer_group", "dealer", {"A": tiers((1, "9.90"))}),
        ),
        {"customer_group": "dealer"},
        "9.90",
    ),
    (
        "a group list for another group does not apply",
        (price_list("dealer", "customer_group", "dealer", {"A": tiers((1, "7.00"))}),),
        {"customer_group": "retail"},
        "10.00",
    ),
    (
        "company list beats the group list",
        (
            price_list("dealer", "customer_group", "dealer", {"A": tiers((1, "9.00"))}),
            price_list("acme", "company", "acme", {"A": tiers((1, "9.40"))}),
        ),
        {"customer_group": "dealer", "company_key": "acme"},
        "9.40",
    ),
    (
        "customer list beats the company list, even when dearer",
        (
            price_list("acme", "company", "acme", {"A": tiers((1, "8.00"))}),
            price_list("contract", "customer", "c-1", {"A": tiers((1, "9.99"))}),
        ),
        {"company_key": "acme", "customer_key": "c-1"},
        "9.99",
    ),
    (
        "higher priority wins among equally specific lists",
        (
            price_list("low", "customer_group", "dealer", {"A": tiers((1, "7.00"))}, priority=1),
            price_list("high", "customer_group", "dealer", {"A": tiers((1, "8.00"))}, priority=5),
        ),
        {"customer_group": "dealer"},
        "8.00",
    ),
    (
        "equal priority: list code breaks the tie",
        (
            price_list("zulu", "customer_group", "dealer", {"A": tiers((1, "7.00"))}),
            price_list("alpha", "customer_group", "dealer", {"A": tiers((1, "8.00"))}),
        ),
        {"customer_group": "dealer"},
        "8.00",
    ),
    (
        "a list without the SKU falls through to the next",
        (price_list("dealer", "customer_group", "dealer", {"B": tiers((1, "1.00"))}),),
        {"customer_group": "dealer"},
        "10.00",
    ),
    (
        "an expired list is skipped",
        (price_list("old", "channel", "b2c", {"A": tiers((1, "5.00"))}, valid_until=NOW - timedelta(seconds=1)),),
        {},
        "10.00",
    ),
    (
        "a future list is skipped",
        (price_list("next", "channel", "b2c", {"A": tiers((1, "5.00"))}, valid_from=NOW + timedelta(days=1)),),
        {},
        "10.00",
    ),
    (
        "valid_until is exclusive, valid_from inclusive",
        (
            price_list(
                "now", "channel", "b2c", {"A": tiers((1, "5.00"))}, valid_from=NOW, valid_until=NOW + timedelta(hours=1)
            ),
        ),
        {},
        "5.00",
    ),
    (
        "a list in another currency is skipped",
        (price_list("usd", "channel", "b2c", {"A": tiers((1, "1.00"))}, currency="USD"),),
        {},
        "10.00",
    ),
    (
        "a derived list takes its parent's price adjusted",
        (price_list("dealer", "customer_group", "dealer", parent_code="base", adjustment_percent=D("-15")),),
        {"customer_group": "dealer"},
        "8.50",
    ),
    (
        "a derived list's own entry wins over derivation",
        (
            price_list(
                "dealer",
                "customer_group",
                "dealer",
                {"A": tiers((1, "9.10"))},
                parent_code="base",
                adjustment_percent=D("-15"),
            ),
        ),
        {"customer_group": "dealer"},
        "9.10",
    ),
    (
        "derived from an unassigned parent",
        (
            price_list("wholesale", "channel", "elsewhere", {"A": tiers((1, "6.00"))}),
            price_list("dealer", "customer_group", "dealer", parent_code="wholesale", adjustment_percent=D("10")),
        ),
        {"customer_group": "dealer"},
        "6.60",
    ),
]


@pytest.mark.parametrize(
    ("description", "extra", "fields", "expected"), RESOLUTION_CASES, ids=[case[0] for case in RESOLUTION_CASES]
)
def test_price_list_resolution(description, extra, fields, expected):
    ctx = context(lists=(BASE, *extra), **fields)
    assert unit(ctx) == D(expected)


def test_resolution_does_not_depend_on_the_order_lists_arrive_in():
    lists = tuple(case[1] for case in RESOLUTION_CASES[6:8])
    flat = tuple(item for group in lists for item in group)
    ctx = context(lists=(BASE, *flat), customer_group="dealer")
    reversed_ctx = context(lists=tuple(reversed((BASE, *flat))), customer_group="dealer")
    assert price_items(ctx, [("A", 1)]) == price_items(reversed_ctx, [("A", 1)])


@pytest.mark.parametrize(
    ("quantity", "expected"), [(1, "10.00"), (9, "10.00"), (10, "9.00"), (99, "9.00"), (100, "8.00"), (5000, "8.00")]
)
def test_tier_breaks(quantity, expected):
    result = price_items(context(lists=(BASE,)), [("A", quantity)])[0]
    assert result.unit_price == D(expected)
    assert result.line.net == D(expected) * quantity


def test_tiers_above_the_quantity_fall_through_to_the_next_list():
    volume_only = price_list("volume", "channel", "b2c", {"A": tiers((50, "7.00"))})
    assert unit(context(lists=(BASE, volume_only)), quantity=10) == D("9.00")
    assert unit(context(lists=(BASE, volume_only)), quantity=50) == D("7.00")


def test_variant_falls_back_to_its_parents_entry():
    ctx = context(lists=(BASE,), products={"A-RED": facts("A-RED", parent_sku="A")})
    assert unit(ctx, "A-RED") == D("10.00")


def test_unknown_sku_is_not_found_and_explained():
    result = price_items(context(lists=(BASE,)), [("NOPE", 1)])[0]
    assert not result.found
    assert result.explanation[0].kind == "no_price"


def test_quantity_must_be_positive():
    with pytest.raises(ValueError):
        price_items(context(lists=(BASE,)), [("A", 0)])


def test_explanation_names_list_tier_derivation_and_tax():
    dealer = price_list("dealer", "customer_group", "dealer", parent_code="base", adjustment_percent=D("-15"))
    result = price_items(context(lists=(BASE, dealer), customer_group="dealer"), [("A", 10)])[0]
    kinds = [(step.kind, step.code) for step in result.explanation]
    assert kinds == [("price_list", "base"), ("tier", "base"), ("derived", "dealer"), ("tax", "standard")]
    assert result.price_list_code == "dealer"
    assert result.unit_price == D("7.65")


# --- rules --------------------------------------------------------------------------------------


def rule(code="r", **fields):
    return PriceRuleData(code=code, name=code.upper(), **fields)


PRODUCTS = {
    "A": facts(
        "A",
        category_paths=("tools", "tools/drills"),
        attributes={"colour": ("red",)},
        cost_price=D("6.00"),
        msrp=D("12.00"),
    ),
    "B": facts(
        "B", category_paths=("garden",), attributes={"colour": ("blue",)}, cost_price=D("5.00"), msrp=D("25.00")
    ),
}

RULE_CASES = [
    # (description, rule, context fields, expected A, expected B)
    ("catalog: 10% off everything", rule(adjustment_value=D("-10")), {}, "9.00", "18.00"),
    (
        "catalog: 10% off a category",
        rule(adjustment_value=D("-10"), products=ProductFilter(category_paths=frozenset({"tools"}))),
        {},
        "9.00",
        "20.00",
    ),
    (
        "catalog: by attribute value",
        rule(adjustment_value=D("-10"), products=ProductFilter(attributes={"colour": frozenset({"blue"})})),
        {},
        "10.00",
        "18.00",
    ),
    (
        "catalog: by SKU, amount off",
        rule(adjustment_kind="amount", adjustment_value=D("-1.50"), products=ProductFilter(skus=frozenset({"B"}))),
        {},
        "10.00",
        "18.50",
    ),
    ("catalog: fixed price", rule(adjustment_kind="fixed_price", adjustment_value=D("7.77")), {}, "7.77", "7.77"),
    (
        "catalog: for group Y only, context is Y",
        rule(adjustment_value=D("-10"), customer_groups=frozenset({"y"})),
        {"customer_group": "y"},
        "9.00",
        "18.00",
    ),
    (
        "catalog: for group Y only, context is another group",
        rule(adjustment_value=D("-10"), customer_groups=frozenset({"y"})),
        {"customer_group": "z"},
        "10.00",
        "20.00",
    ),
    ("catalog: other channel", rule(adjustment_value=D("-10"), channels=frozenset({"b2b"})), {}, "10.00", "20.00"),
    (
        "catalog: this week",
        rule(adjustment_value=D("-10"), starts_at=NOW - timedelta(days=1), ends_at=NOW + timedelta(days=6)),
        {},
        "9.00",
        "18.00",
    ),
    ("catalog: ended", rule(adjustment_value=D("-10"), ends_at=NOW), {}, "10.00", "20.00"),
    (
        "stock: low stock raises the price",
        rule(kind="stock", stock_below=5, adjustment_value=D("10")),
        {"stock_levels": {"A": 3, "B": 50}},
        "11.00",
        "20.00",
    ),
    (
        "stock: overstock lowers the price",
        rule(kind="stock", stock_at_least=40, adjustment_value=D("-20")),
        {"stock_levels": {"A": 3, "B": 50}},
        "10.00",
        "16.00",
    ),
    (
        "stock: unknown stock never fires",
        rule(kind="stock", stock_below=5, adjustment_value=D("10")),
        {},
        "10.00",
        "20.00",
    ),
    (
        "demand: high sell-through raises",
        rule(kind="demand", min_sell_through_percent=D("60"), adjustment_value=D("5")),
        {"sell_through_percent": {"A": D("75"), "B": D("10")}},
        "10.50",
        "20.00",
    ),
    (
        "demand: low sell-through lowers",
        rule(kind="demand", max_sell_through_percent=D("20"), adjustment_value=D("-10")),
        {"sell_through_percent": {"A": D("75"), "B": D("10")}},
        "10.00",
        "18.00",
    ),
    (
        "time: happy hour now",
        rule(kind="time", time_from=time(11), time_until=time(13), adjustment_value=D("-10")),
        {},
        "9.00",
        "18.00",
    ),
    (
        "time: happy hour later",
        rule(kind="time", time_from=time(17), time_until=time(19), adjustment_value=D("-10")),
        {},
        "10.00",
        "20.00",
    ),
    (
        "time: overnight window",
        rule(kind="time", time_from=time(22), time_until=time(13), adjustment_value=D("-10")),
        {},
        "9.00",
        "18.00",
    ),
    (
        "time: weekday (Thursday)",
        rule(kind="time", weekdays=frozenset({3}), adjustment_value=D("-10")),
        {},
        "9.00",
        "18.00",
    ),
    (
        "time: weekend only",
        rule(kind="time", weekdays=frozenset({5, 6}), adjustment_value=D("-10")),
        {},
        "10.00",
        "20.00",
    ),
    ("guard rail: never below cost", rule(adjustment_value=D("-50")), {}, "6.00", "10.00"),
    (
        "guard rail: never below cost + margin",
        rule(adjustment_value=D("-50"), min_margin_percent=D("20")),
        {},
        "7.20",
        "10.00",
    ),
    ("guard rail: never above MSRP", rule(adjustment_value=D("50")), {}, "12.00", "25.00"),
    (
        "guard rail: MSRP cap can be switched off",
        rule(adjustment_value=D("50"), cap_at_msrp=False),
        {},
        "15.00",
        "30.00",
    ),
]


@pytest.mark.parametrize(
    ("description", "the_rule", "fields", "expected_a", "expected_b"), RULE_CASES, ids=[case[0] for case in RULE_CASES]
)
def test_rule_kinds(description, the_rule, fields, expected_a, expected_b):
    ctx = context(lists=(BASE,), products=PRODUCTS, rules=(the_rule,), **fields)
    assert unit(ctx, "A") == D(expected_a)
    assert unit(ctx, "B") == D(expected_b)


@pytest.mark.parametrize(
    ("description", "the_rule", "fields", "expected_a", "expected_b"), RULE_CASES, ids=[case[0] for case in RULE_CASES]
)
def test_rule_kinds_price_the_same_without_explanation(description, the_rule, fields, expected_a, expected_b):
    ctx = context(lists=(BASE,), products=PRODUCTS, rules=(the_rule,), **fields)
    items = [("A", 1), ("B", 3), ("UNKNOWN", 1)]
    explained = price_items(ctx, items)
    assert [result._replace(explanation=()) for result in explained] == price_items(ctx, items, explain=False)


def test_guard_rail_never_raises_a_price_already_below_the_floor():
    cheap = context(
        lists=(base_list({"A": tiers((1, "5.00"))}),), products=PRODUCTS, rules=(rule(adjustment_value=D("-10")),)
    )
    assert unit(cheap) == D("5.00")


def test_rules_apply_in_priority_order_and_stop_further_rules():
    rules = (
        rule("b-second", adjustment_value=D("-10"), priority=1),
        rule("a-first", adjustment_kind="amount", adjustment_value=D("-1"), priority=5),
        rule("c-never", adjustment_value=D("-50"), priority=0),
    )
    stopping = replace(rules[0], stop_further_rules=True)
    ctx = context(lists=(BASE,), rules=(stopping, rules[1], rules[2]))
    # 10.00 - 1 = 9.00, then -10% = 8.10, then stop
    result = price_items(ctx, [("A", 1)])[0]
    assert result.unit_price == D("8.10")
    assert [step.code for step in result.explanation if step.kind == "rule"][:2] == ["a-first", "b-second"]


def test_rule_explanation_carries_the_reason():
    ctx = context(
        lists=(BASE,),
        products=PRODUCTS,
        stock_levels={"A": 2},
        rules=(rule("scarce", kind="stock", stock_below=5, adjustment_value=D("10")),),
    )
    step = next(step for step in price_items(ctx, [("A", 1)])[0].explanation if step.kind == "rule")
    assert "stock level 2" in step.detail
