"""A whole number typed by a person is read, or refused, never a server error."""

from __future__ import annotations

import pytest

from handel.core.whole_numbers import whole_number


@pytest.mark.parametrize(("text", "number"), [("0", 0), ("7", 7), ("000123", 123), ("999999999", 999_999_999)])
def test_ascii_digits_are_read(text, number):
    assert whole_number(text) == number


@pytest.mark.parametrize("text", [None, "", "²", "١٢", "-1", "1.5", " 1", "1e3", "1234567890", "9" * 5000])
def test_anything_else_is_none(text):
    assert whole_number(text) is None
