from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from handel.catalog.gtin import gtin_problem, with_check_digit


def test_known_gtins():
    assert gtin_problem("4006381333931") is None  # EAN-13
    assert gtin_problem("73513537") is None  # EAN-8
    assert gtin_problem("036000291452") is None  # UPC-A
    assert gtin_problem("10036000291459") is None  # GTIN-14
    assert gtin_problem("4006381333932") == "check digit should be 1"
    assert gtin_problem("400638133393") is not None
    assert gtin_problem("40063813339a1") == "a GTIN has digits only"
    assert gtin_problem("١٢٣٤٥٦٧٨") == "a GTIN has digits only"


@given(st.sampled_from([7, 11, 12, 13]).flatmap(lambda n: st.text("0123456789", min_size=n, max_size=n)))
def test_every_body_gets_a_valid_check_digit_and_any_other_digit_fails(body):
    gtin = with_check_digit(body)
    assert gtin_problem(gtin) is None
    wrong = gtin[:-1] + str((int(gtin[-1]) + 1) % 10)
    assert gtin_problem(wrong) is not None
