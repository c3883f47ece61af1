"""No input makes the inventory API answer 5xx: NUL bytes, huge numbers, broken CSV."""

from __future__ import annotations

import pytest

from tests.inventory.test_api import ALL_PERMS

pytestmark = pytest.mark.django_db

NUL = "bad\x00sku"


@pytest.fixture
def keeper(make_user, api_for):
    return api_for(make_user(staff=True, perms=ALL_PERMS), scopes=("inventory:read", "inventory:write"))


@pytest.mark.parametrize(
    ("method", "path", "payload"),
    [
        ("post", "/inventory/availability", {"skus": [NUL]}),
        ("post", "/inventory/availability", {"skus": ["A"], "channel": NUL}),
        ("post", "/inventory/stock/bulk", {"updates": [{"sku": NUL, "source": "rotterdam", "on_hand": 1}]}),
        ("post", "/inventory/stock/bulk", {"updates": [{"sku": "A", "source": NUL, "on_hand": 1}]}),
        (
            "post",
            "/inventory/stock/bulk",
            {"updates": [{"sku": "A", "source": "rotterdam", "delta": 1, "reference": NUL}]},
        ),
        (
            "post",
            "/inventory/stock/bulk",
            {"updates": [{"sku": "A", "source": "rotterdam", "on_hand": 1, "reason": NUL}], "feed": NUL},
        ),
        ("post", "/inventory/movements", {"kind": "receipt", "source": "rotterdam", "sku": NUL, "quantity": 1}),
        (
            "post",
            "/inventory/movements",
            {"kind": "adjustment", "source": "rotterdam", "sku": "A", "quantity": 1, "reason": NUL, "reference": NUL},
        ),
        ("post", "/inventory/transfers", {"sku": NUL, "from_source": "rotterdam", "to_source": "venlo", "quantity": 1}),
        (
            "post",
            "/inventory/reservations",
            {"reference": NUL, "channel": "b2c", "lines": [{"sku": "A", "quantity": 1}]},
        ),
        (
            "post",
            "/inventory/reservations",
            {
                "reference": "R",
                "channel": "b2c",
                "lines": [{"sku": NUL, "quantity": 1}],
                "ship_to_postcode": NUL,
                "pickup_source": NUL,
            },
        ),
        ("post", "/inventory/sources", {"code": "x", "name": NUL, "country": "NL", "city": NUL}),
        ("patch", "/inventory/sources/rotterdam", {"name": NUL}),
        ("put", "/inventory/channels/b2c/sources", {"sources": [NUL]}),
        ("post", "/inventory/back-in-stock", {"sku": NUL, "email": "a@example.com"}),
        ("get", "/inventory/stock?sku=%00&source=%00", None),
        ("get", "/inventory/movements?sku=%00&source=%00&kind=%00", None),
        ("get", "/inventory/sources?channel=%00", None),
        ("get", "/inventory/reservations/%00", None),
        ("post", "/inventory/reservations/%00/release", None),
        ("post", "/inventory/reservations/%00/ship", {}),
        ("patch", "/inventory/sources/%00", {"priority": 1}),
        ("put", "/inventory/channels/%00/sources", {"sources": []}),
        ("put", "/inventory/policies/%00", {}),
    ],
)
def test_nul_bytes_are_refused_cleanly(sources, keeper, method, path, payload):
    response = keeper.call(method, path, payload)
    assert 400 <= response.status_code < 500, response.content


def test_quantities_past_the_column_range_are_refused(sources, keeper):
    for _ in range(2):
        response = keeper.call(
            "post",
            "/inventory/stock/bulk",
            {"updates": [{"sku": "A", "source": "rotterdam", "delta": 1_000_000_000, "reference": f"big-{_}"}]},
        )
    assert response.status_code == 422, response.content
    for _ in range(3):
        response = keeper.call(
            "post",
            "/inventory/movements",
            {"kind": "receipt", "source": "venlo", "sku": "A", "quantity": 1_000_000_000},
        )
    assert response.status_code == 422, response.content


def test_broken_csv_is_refused_cleanly(sources, keeper):
    for data in (b"sku,source,on_hand\nA,rotterdam,1\x00\n", b"\x00\x01\x02", b'sku,source\n"unterminated\n'):
        response = keeper.generic(
            "POST",
            "/api/v1/inventory/stock/import",
            data=data,
            content_type="text/csv",
            headers={"Authorization": f"Bearer {keeper.token}"},
        )
        assert 400 <= response.status_code < 500, response.content
