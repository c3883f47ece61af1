from __future__ import annotations

import pytest

from handel.catalog.engagement.models import CompareList
from handel.catalog.engagement.services.compare import find_compare_list, merge_guest_compare_list
from tests.catalog.engagement.conftest import B2B, B2C, body
from tests.conftest import PASSWORD, ApiClient, assert_problem


def _add(client, sku, headers=B2C):
    return client.call("post", "/catalog/compare/items", {"sku": sku}, headers=headers)


@pytest.mark.django_db
def test_the_comparison_marks_differences(comparable, api):
    assert _add(api, "DRL-1").status_code == 201
    compared = body(_add(api, "DRL-2"))
    assert [product["sku"] for product in compared["products"]] == ["DRL-1", "DRL-2"]
    rows = {row["code"]: row for row in compared["attributes"]}
    assert rows["power"]["values"] == ["750.5 W", "1000 W"] and rows["power"]["differs"]
    assert rows["voltage"]["values"] == ["18 V", None] and rows["voltage"]["differs"]
    assert rows["cordless"]["values"] == ["Yes", None]
    assert rows["features"]["values"] == ["led, brushless", None]
    assert compared["products"][0]["brand"] == "Bosch" and compared["limit"] == 4
    same = body(api.call("delete", "/catalog/compare/items/DRL-2", headers=B2C))
    assert all(not row["differs"] for row in same["attributes"])
    assert_problem(api.call("delete", "/catalog/compare/items/DRL-2", headers=B2C), 404)


@pytest.mark.django_db
def test_variants_inherit_their_configurables_values(comparable, api):
    _add(api, "TEE-RED-S")
    compared = body(_add(api, "TEE-BLUE-M"))
    rows = {row["code"]: row for row in compared["attributes"]}
    assert rows["colour"]["values"] == ["Red", "Blue"] and rows["colour"]["differs"]
    assert rows["size"]["values"] == ["S", "M"]
    assert compared["products"][1]["brand"] == "Acme"


@pytest.mark.django_db
def test_the_limit_is_configurable(comparable, api, settings):
    settings.HANDEL_COMPARE_LIMIT = 2
    _add(api, "DRL-1")
    _add(api, "DRL-2")
    assert _add(api, "DRL-1").status_code == 201  # already there: nothing changes
    problem = assert_problem(_add(api, "TEE"), 409)
    assert "at most 2" in problem["detail"]
    assert [p["sku"] for p in body(api.call("get", "/catalog/compare", headers=B2C))["products"]] == ["DRL-1", "DRL-2"]


@pytest.mark.django_db
def test_guests_keep_their_own_lists(comparable, api):
    other_guest = ApiClient()
    _add(api, "DRL-1")
    assert body(other_guest.call("get", "/catalog/compare", headers=B2C))["products"] == []
    # A headless guest without cookies names its list in a header.
    headless = ApiClient()
    list_id = body(_add(headless, "DRL-2"))["id"]
    fresh = ApiClient()
    seen = body(fresh.call("get", "/catalog/compare", headers={**B2C, "X-Handel-Compare-List": list_id}))
    assert [p["sku"] for p in seen["products"]] == ["DRL-2"]


@pytest.mark.django_db
def test_products_outside_the_viewers_channel_cannot_be_compared(comparable, api):
    for sku in ("KIT-1", "DL-1", "NOPE"):
        assert_problem(_add(api, sku), 404)
    assert_problem(api.call("post", "/catalog/compare/items", {}, headers=B2C), 422)
    _add(api, "KIT-1", headers=B2B)
    _add(api, "DRL-1", headers=B2B)
    # Read in another channel, the b2b-only kit is left out.
    assert [p["sku"] for p in body(api.call("get", "/catalog/compare", headers=B2C))["products"]] == ["DRL-1"]


@pytest.mark.django_db
def test_a_guest_list_joins_the_customers_at_sign_in(comparable, api, make_user, settings):
    settings.HANDEL_COMPARE_LIMIT = 3
    customer = make_user()
    signed_in = ApiClient()
    assert signed_in.login(email=customer.email, password=PASSWORD)
    _add(signed_in, "DRL-1")
    _add(signed_in, "TEE")
    guest_id = body(_add(api, "DRL-2"))["id"]
    _add(api, "DRL-1")
    _add(api, "TEE-RED-S")
    merged = merge_guest_compare_list(guest_list_id=guest_id, customer=customer)
    assert [item.product.sku for item in merged.items.order_by("added_at", "id")] == ["DRL-1", "TEE", "DRL-2"]
    assert find_compare_list(guest_list_id=guest_id) is None
    assert CompareList.objects.count() == 1
    assert merge_guest_compare_list(guest_list_id=guest_id, customer=customer) == merged
    assert merge_guest_compare_list(guest_list_id="not-a-uuid", customer=customer) == merged
    # A customer's list is never reachable as a guest list.
    assert find_compare_list(guest_list_id=str(merged.public_id)) is None


@pytest.mark.django_db
def test_comparison_query_count_is_constant(comparable, api, settings, django_assert_max_num_queries):
    settings.HANDEL_COMPARE_LIMIT = 4
    counts = []
    for sku in ("DRL-1", "DRL-2", "TEE-RED-S", "BUN-1"):
        _add(api, sku)
        with django_assert_max_num_queries(12) as captured:
            api.call("get", "/catalog/compare", headers=B2C)
        counts.append(len(captured))
    assert len(set(counts)) == 1
