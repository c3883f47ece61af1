from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handel.core.money import CurrencyError, Money, minor_units

amounts = st.decimals(
    min_value=Decimal("-1000000"), max_value=Decimal("1000000"), places=4, allow_nan=False, allow_infinity=False
)
currencies = st.sampled_from(["EUR", "USD", "JPY", "KWD", "GBP", "CHF"])


def test_minor_units_follow_iso_4217():
    assert minor_units("EUR") == 2
    assert minor_units("JPY") == 0
    assert minor_units("KWD") == 3


def test_rounding_is_half_up_to_the_minor_unit():
    assert Money("0.005", "EUR").rounded() == Money("0.01", "EUR")
    assert Money("0.0049", "EUR").rounded() == Money("0.00", "EUR")
    assert Money("-0.005", "EUR").rounded() == Money("-0.01", "EUR")
    assert Money("2.5", "JPY").rounded() == Money("3", "JPY")
    assert Money("1.0005", "KWD").rounded() == Money("1.001", "KWD")


def test_floats_and_unknown_currencies_are_refused():
    with pytest.raises(TypeError):
        Money(0.1, "EUR")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Money("1", "EUR") * 1.5
    with pytest.raises(CurrencyError):
        Money("1", "XYZ")
    with pytest.raises(CurrencyError):
        Money("1", "EUR") + Money("1", "USD")


@given(amounts, amounts, currencies)
def test_addition_is_exact_and_commutative(a, b, currency):
    assert Money(a, currency) + Money(b, currency) == Money(b, currency) + Money(a, currency)
    assert (Money(a, currency) + Money(b, currency)).amount == a + b


@given(amounts, currencies)
def test_rounding_is_idempotent_and_within_half_a_minor_unit(a, currency):
    rounded = Money(a, currency).rounded()
    assert rounded.rounded() == rounded
    assert rounded.is_rounded
    step = Decimal(1).scaleb(-minor_units(currency))
    assert abs(rounded.amount - a) <= step / 2


@given(amounts, st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=20), currencies)
def test_allocation_sums_back_to_the_cent(a, weights, currency):
    total = Money(a, currency).rounded()
    parts = total.allocate(weights)
    assert len(parts) == len(weights)
    assert sum(parts, Money.zero(currency)) == total
    assert all(part.is_rounded for part in parts)


@given(st.lists(amounts, min_size=1, max_size=30), currencies)
def test_sum_of_rounded_lines_equals_rounded_total_of_rounded_lines(lines, currency):
    rounded_lines = [Money(amount, currency).rounded() for amount in lines]
    total = sum(rounded_lines, Money.zero(currency))
    assert total.is_rounded
    assert total == total.rounded()


def test_formatting_follows_the_locale():
    assert Money("1234.5", "EUR").format("nl_NL") == "€\xa01.234,50"
    assert Money("1234.5", "EUR").format("en") == "€1,234.50"
