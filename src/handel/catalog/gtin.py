"""GTIN (EAN-8, UPC-A/GTIN-12, EAN-13, GTIN-14) check digits."""

from __future__ import annotations

GTIN_LENGTHS = (8, 12, 13, 14)


def gtin_check_digit(body: str) -> int:
    """The GS1 mod-10 check digit: weights 3, 1, 3, ... from the right of the body."""
    total = sum(int(digit) * (3 if index % 2 == 0 else 1) for index, digit in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def gtin_problem(gtin: str) -> str | None:
    """Why `gtin` is not a valid GTIN, or None if it is."""
    if not gtin.isdigit() or not gtin.isascii():
        return "a GTIN has digits only"
    if len(gtin) not in GTIN_LENGTHS:
        return "a GTIN has 8, 12, 13 or 14 digits"
    if gtin_check_digit(gtin[:-1]) != int(gtin[-1]):
        return f"check digit should be {gtin_check_digit(gtin[:-1])}"
    return None


def with_check_digit(body: str) -> str:
    return body + str(gtin_check_digit(body))
