import pytest

from handel.core.countries import clean_country, clean_phone, clean_vat_number, vat_country
from handel.core.errors import InvalidInput


@pytest.mark.parametrize(
    ("number", "clean"),
    [
        ("NL 8532.43.098.B01", "NL853243098B01"),
        ("de123456789", "DE123456789"),
        ("ATU12345678", "ATU12345678"),
        ("EL123456789", "EL123456789"),
        ("FR 40 303265045", "FR40303265045"),
        ("BE0403170701", "BE0403170701"),
    ],
)
def test_valid_vat_numbers_are_normalised(number, clean):
    assert clean_vat_number(number) == clean


@pytest.mark.parametrize("number", ["NL123456789", "DE12345678", "US123456789", "ATU1234567", "", "BE2403170701"])
def test_invalid_vat_numbers_are_refused_with_the_field(number):
    with pytest.raises(InvalidInput) as refused:
        clean_vat_number(number)
    assert refused.value.errors[0]["loc"] == ["body", "vat_number"]


def test_vat_country_maps_greece_and_northern_ireland():
    assert vat_country("EL123456789") == "GR"
    assert vat_country("XI123456789") == "GB"
    assert vat_country("NL853243098B01") == "NL"


def test_countries_and_phones():
    assert clean_country(" nl ") == "NL"
    with pytest.raises(InvalidInput):
        clean_country("XX")
    assert clean_phone("020 123 4567", country="NL") == "+31201234567"
    assert clean_phone("") == ""
    with pytest.raises(InvalidInput):
        clean_phone("+31 12")
