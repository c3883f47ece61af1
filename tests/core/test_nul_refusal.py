"""A NUL character anywhere in an API request (path, query, JSON body) is refused with a clear
4xx and changes nothing, on every router: PostgreSQL can neither store nor compare such text."""

from __future__ import annotations

import pytest

from handel.pricing import services
from handel.pricing.models import PriceListEntry
from tests.conftest import assert_problem

pytestmark = pytest.mark.django_db

STAFF_SCOPES = ("pricing:read", "pricing:write")


@pytest.mark.parametrize(
    ("path", "body", "location"),
    [
        ("/pricing/prices", {"items": [{"sku": "A\x00", "quantity": 1}]}, ["body", "items", 0, "sku"]),
        ("/pricing/cart", {"lines": [{"sku": "A\x00", "quantity": 1}]}, ["body", "lines", 0, "sku"]),
        ("/pricing/cart", {"lines": [{"sku": "A"}], "coupons": ["X\x00"]}, ["body", "coupons", 0]),
        ("/search", {"q\x00": "drill"}, ["body"]),  # a key is refused too
    ],
)
def test_a_nul_in_a_json_body_is_refused_naming_the_field(api, channels, path, body, location):
    problem = assert_problem(api.call("post", path, body), 422)
    assert problem["errors"][0]["loc"] == location


def test_a_nul_in_the_query_or_the_path_is_refused(api_for, make_user, channels):
    staff = api_for(make_user(superuser=True), scopes=STAFF_SCOPES)
    problem = assert_problem(staff.call("get", "/pricing/price-lists/x/entries?sku=%00"), 422)
    assert problem["errors"][0]["loc"] == ["query", "sku"]
    assert_problem(staff.call("get", "/pricing/price-lists/%00/entries"), 404)


def test_a_refused_write_changes_nothing(api_for, make_user, channels):
    services.create_price_list(actor=None, code="b2c-base", name="Base", currency="EUR")
    staff = api_for(make_user(superuser=True), scopes=STAFF_SCOPES)
    response = staff.call(
        "put",
        "/pricing/price-lists/b2c-base/entries",
        {"entries": [{"sku": "OK", "unit_price": "1.00"}, {"sku": "BAD\x00", "unit_price": "2.00"}]},
    )
    assert assert_problem(response, 422)["errors"][0]["loc"] == ["body", "entries", 1, "sku"]
    assert not PriceListEntry.objects.filter(sku="OK").exists()


def test_a_backslash_u_in_plain_text_is_not_a_nul(api, channels):
    response = api.call("post", "/pricing/prices", {"items": [{"sku": "A\\u0000", "quantity": 1}]})
    assert response.status_code == 200, response.content
