"""Tax: rates by country, region, product and customer tax class; incl./excl. entry and display;
EU B2B reverse charge; rounding per line, half up."""

from __future__ import annotations

import pytest

from handel.pricing.engine import TaxRateData, price_cart, price_items
from handel.pricing.engine.tax import find_rate, has_valid_vat_number_format
from tests.pricing.builders import D, facts, simple_context, tax_setup

RATES = (
    TaxRateData("NL", D("21")),
    TaxRateData("NL", D("9"), tax_class="reduced"),
    TaxRateData("DE", D("19")),
    TaxRateData("ES", D("21")),
    TaxRateData("ES", D("7"), region="Canarias"),
    TaxRateData("NL", D("0"), customer_tax_class="exempt"),
    TaxRateData("ES", D("3"), region="Canarias", customer_tax_class="exempt"),
)


@pytest.mark.parametrize(
    ("country", "region", "tax_class", "customer_class", "expected"),
    [
        ("NL", "", "standard", "standard", "21"),
        ("NL", "", "reduced", "standard", "9"),
        ("NL", "", "standard", "exempt", "0"),
        ("DE", "", "standard", "standard", "19"),
        ("ES", "Madrid", "standard", "standard", "21"),
        ("ES", "Canarias", "standard", "standard", "7"),
        ("ES", "Canarias", "standard", "exempt", "3"),
        ("FR", "", "standard", "standard", None),
    ],
)
def test_rate_lookup_most_specific_wins(country, region, tax_class, customer_class, expected):
    found = find_rate(RATES, country=country, region=region, tax_class=tax_class, customer_tax_class=customer_class)
    assert (found.rate if found else None) == (D(expected) if expected else None)


def price(prices, sku="A", quantity=1, products=None, **tax_fields):
    tax_fields.setdefault("rates", RATES)
    ctx = simple_context(prices, products=products or {}, tax=tax_setup(**tax_fields))
    return price_items(ctx, [(sku, quantity)])[0]


def test_prices_entered_excluding_tax_add_tax_per_line():
    result = price({"A": "10.00"}, quantity=3)
    assert (result.line.net, result.line.tax, result.line.gross) == (D("30.00"), D("6.30"), D("36.30"))
    assert result.unit_display == D("10.00")  # shown excl. by default


def test_prices_entered_including_tax_keep_the_entered_gross_at_home():
    result = price({"A": "9.99"}, prices_entered_including_tax=True, prices_shown_including_tax=True)
    assert result.line.gross == D("9.99")
    assert result.line.tax == D("1.73")  # 9.99 * 21 / 121 = 1.7337 -> 1.73
    assert result.line.net == D("8.26")
    assert result.unit_display == D("9.99")


def test_gross_prices_sold_abroad_are_recomputed_from_the_net():
    result = price({"A": "12.10"}, prices_entered_including_tax=True, destination_country="DE")
    assert result.line.net == D("10.00")
    assert result.line.tax == D("1.90")
    assert result.line.gross == D("11.90")


def test_product_tax_class_is_used():
    result = price({"A": "10.00"}, products={"A": facts("A", tax_class="reduced")})
    assert result.line.rate == D("9") and result.line.tax == D("0.90")


def test_no_rate_means_zero_and_is_explained():
    result = price({"A": "10.00"}, destination_country="FR")
    assert result.line.tax == 0
    assert "no tax rate" in result.explanation[-1].detail


def test_rounding_is_per_line_half_up():
    # 0.05 * 21% = 0.0105 per unit; per line of 3: 0.15 * 21% = 0.0315 -> 0.03
    result = price({"A": "0.05"}, quantity=3)
    assert result.line.tax == D("0.03")
    half = price({"A": "0.50"}, quantity=1, rates=(TaxRateData("NL", D("1")),))
    assert half.line.tax == D("0.01")  # 0.005 rounds half up


@pytest.mark.parametrize(
    ("buyer_country", "vat_number", "reverse"),
    [
        ("DE", "DE123456789", True),
        ("DE", "de 123 456 789", True),
        ("DE", "", False),
        ("DE", "FR123456789", False),  # number of another country
        ("NL", "NL123456789B01", False),  # same country as the seller: domestic VAT
        ("CH", "CHE123456789", False),  # outside the EU
    ],
)
def test_eu_b2b_reverse_charge(buyer_country, vat_number, reverse):
    result = price(
        {"A": "100.00"},
        destination_country=buyer_country,
        buyer_vat_number=vat_number,
        rates=(*RATES, TaxRateData("CH", D("8.1"))),
    )
    assert result.line.reverse_charge is reverse
    if reverse:
        assert result.line.tax == 0 and result.line.gross == D("100.00")
        assert result.explanation[-1].code == "reverse_charge"


def test_greek_vat_numbers_start_with_el():
    assert has_valid_vat_number_format("GR", "EL123456789")
    assert not has_valid_vat_number_format("GR", "GR123456789")


def test_cart_tax_is_per_line_after_discounts_and_sums_to_totals():
    from handel.pricing.engine import PromotionData

    ctx = simple_context(
        {"A": "0.35", "B": "0.35"},
        tax=tax_setup(rates=RATES),
        promotions=(PromotionData("p", "P", "percent_off_cart", value=D("10")),),
    )
    result = price_cart(ctx, [("A", 1), ("B", 1)])
    assert result.tax_total == sum(line.taxed.tax for line in result.lines)
    assert result.gross_total == result.net_total + result.tax_total
    assert result.display_total == result.net_total  # shown excl. tax
