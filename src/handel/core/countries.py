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


# EU VAT number formats (VIES), by the number's prefix. Greece uses EL, not GR.
VAT_FORMATS = {
    "AT": r"U\d{8}",
    "BE": r"[01]\d{9}",
    "BG": r"\d{9,10}",
    "CY": r"\d{8}[A-Z]",
    "CZ": r"\d{8,10}",
    "DE": r"\d{9}",
    "DK": r"\d{8}",
    "EE": r"\d{9}",
    "EL": r"\d{9}",
    "ES": r"[A-Z0-9]\d{7}[A-Z0-9]",
    "FI": r"\d{8}",
    "FR": r"[A-HJ-NP-Z0-9]{2}\d{9}",
    "HR": r"\d{11}",
    "HU": r"\d{8}",
    "IE": r"\d[A-Z0-9+*]\d{5}[A-Z]{1,2}",
    "IT": r"\d{11}",
    "LT": r"\d{9}|\d{12}",
    "LU": r"\d{8}",
    "LV": r"\d{11}",
    "MT": r"\d{8}",
    "NL": r"\d{9}B\d{2}",
    "PL": r"\d{10}",
    "PT": r"\d{9}",
    "RO": r"\d{2,10}",
    "SE": r"\d{12}",
    "SI": r"\d{8}",
    "SK": r"\d{10}",
    "XI": r"\d{9}|\d{12}|GD\d{3}|HA\d{3}",
}
VAT_PREFIX_COUNTRY = {"EL": "GR", "XI": "GB"}


def clean_vat_number(number: str, *, field: str = "vat_number") -> str:
    """Normalise (upper case, no spaces or dots) and check an EU VAT number's format for its country."""
    import re

    value = re.sub(r"[\s.\-]", "", number or "").upper()
    prefix, rest = value[:2], value[2:]
    pattern = VAT_FORMATS.get(prefix)
    if pattern is None:
        raise InvalidInput(
            f"'{number}' does not start with an EU country prefix",
            errors=[field_error(["body", field], "must start with an EU country prefix such as NL or DE")],
        )
    if not re.fullmatch(pattern, rest):
        raise InvalidInput(
            f"'{number}' is not a valid {prefix} VAT number",
            errors=[field_error(["body", field], f"not a valid VAT number for {prefix}")],
        )
    return value


def vat_country(vat_number: str) -> str:
    """The ISO country of a (clean) VAT number: EL is Greece (GR), XI Northern Ireland (GB)."""
    prefix = vat_number[:2]
    return VAT_PREFIX_COUNTRY.get(prefix, prefix)
