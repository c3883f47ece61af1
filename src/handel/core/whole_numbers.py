"""Reading a whole number typed by a person (a form field, a query parameter, a CSV cell).

`str.isdigit()` is true for "²" and other digits `int()` refuses, and `int()` refuses more than
4,300 digits: both reached users as a server error. One reader instead, bounded so the number
also fits the database's integer columns.
"""

from __future__ import annotations


def whole_number(text: str | None, *, digits: int = 9) -> int | None:
    """The number `text` spells in ASCII digits 0-9 (at most `digits` of them), or None."""
    if not text or len(text) > digits or not text.isascii() or not text.isdigit():
        return None
    return int(text)
