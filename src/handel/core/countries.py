"""ISO 3166-1 alpha-2 country codes and E.164 phone numbers, validated."""

from __future__ import annotations

from functools import lru_cache

import phonenumbers
import pycountry

from handel.core.errors import InvalidInput, field_error

EU_COUNTRIES = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "HU",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
    ]
)


@lru_cache(maxsize=1)
def country_codes() -> frozenset[str]:
    return frozenset(country.alpha_2 for country in pycountry.countries)


def country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    return str(country.name) if country else code


def clean_country(code: str, *, field: str = "country") -> str:
    value = (code or "").strip().upper()
    if value not in country_codes():
        raise InvalidInput(
            f"'{code}' is not an ISO 3166-1 country code",
            errors=[field_error(["body", field], "not an ISO 3166-1 alpha-2 country code")],
        )
    return value


def clean_phone(number: str, *, country: str | None = None, field: str = "phone") -> str:
    """Return the number in E.164 form; an empty number stays empty."""
    if not number or not number.strip():
        return ""
    try:
        parsed = phonenumbers.parse(number, country or None)
    except phonenumbers.NumberParseException as exc:
        raise InvalidInput(
            f"'{number}' is not a phone number", errors=[field_error(["body", field], "not a phone number")]
        ) from exc
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidInput(
            f"'{number}' is not a valid phone number", errors=[field_error(["body", field], "not a valid phone number")]
        )
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
