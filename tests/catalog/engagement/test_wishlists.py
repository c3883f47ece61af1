from __future__ import annotations

import pytest

from handel.catalog.engagement.models import Wishlist
from tests.catalog.engagement.conftest import B2B, B2C, body
from tests.conftest import assert_problem


def _create(client, name="Birthday", **fields):
    return body(client.call("post", "/catalog/wishlists", {"name": name, **fields}))


@pytest.mark.django_db
def test_several_named_wishlists_per_customer(products, customer_api, api):
    owner = customer_api()
    birthday = _create(owner)
    workshop = _create(owner, "Workshop")
    assert_problem(owner.call("post", "/catalog/wishlists", {"name": "Birthday"}), 409)
    assert_problem(owner.call("post", "/catalog/wishlists", {"name": ""}), 422)
    added = owner.call(
        "post", f"/catalog/wishlists/{birthday['id']}/items", {"sku": "TEE-RED-S", "note": "size S"}, headers=B2C
    )
    assert added.status_code == 201, added.content
    owner.call("post", f"/catalog/wishlists/{birthday['id']}/items", {"sku": "DRL-1"}, headers=B2C)
    owner.call("post", f"/catalog/wishlists/{birthday['id']}/items", {"sku": "DRL-1"}, headers=B2C)  # once only
    owner.call("post", f"/catalog/wishlists/{workshop['id']}/items", {"sku": "DRL-2"}, headers=B2C)
    listed = body(owner.call("get", "/catalog/wishlists", headers=B2C))["items"]
    assert [(w["name"], [i["sku"] for i in w["items"]]) for w in listed] == [
        ("Birthday", ["TEE-RED-S", "DRL-1"]),
        ("Workshop", ["DRL-2"]),
    ]
    removed = owner.call("delete", f"/catalog/wishlists/{birthday['id']}/items/DRL-1", headers=B2C)
    assert [item["sku"] for item in body(removed)["items"]] == ["TEE-RED-S"]
    assert_problem(owner.call("delete", f"/catalog/wishlists/{birthday['id']}/items/DRL-1", headers=B2C), 404)
    assert owner.call("delete", f"/catalog/wishlists/{workshop['id']}").status_code == 204
    assert_problem(api.call("get", "/catalog/wishlists"), 401)


@pytest.mark.django_db
def test_nobody_else_can_read_or_change_a_wishlist(products, customer_api):
    owner, stranger = customer_api(), customer_api(first_name="Eva")
    wishlist = _create(owner, is_shared=True)
    assert body(stranger.call("get", "/catalog/wishlists"))["items"] == []
    for method, path, payload in (
        ("post", f"/catalog/wishlists/{wishlist['id']}/items", {"sku": "DRL-1"}),
        ("delete", f"/catalog/wishlists/{wishlist['id']}/items/DRL-1", None),
        ("patch", f"/catalog/wishlists/{wishlist['id']}", {"name": "Mine now"}),
        ("delete", f"/catalog/wishlists/{wishlist['id']}", None),
    ):
        assert_problem(stranger.call(method, path, payload, headers=B2C), 404)
    assert Wishlist.objects.get().name == "Birthday"


@pytest.mark.django_db
def test_a_shared_wishlist_is_read_only_and_shows_only_what_the_reader_may_see(products, customer_api, api):
    owner = customer_api()
    wishlist = _create(owner)
    for sku, headers in (("TEE-RED-S", B2C), ("DRL-1", B2C), ("KIT-1", B2B)):
        assert (
            owner.call("post", f"/catalog/wishlists/{wishlist['id']}/items", {"sku": sku}, headers=headers).status_code
            == 201
        )
    token = Wishlist.objects.get().share_token
    assert len(token) >= 32
    assert_problem(api.call("get", f"/catalog/shared-wishlists/{token}", headers=B2C), 404)  # not shared yet
    shared = body(owner.call("patch", f"/catalog/wishlists/{wishlist['id']}", {"is_shared": True}))
    assert shared["share_token"] == token
    as_b2c = body(api.call("get", f"/catalog/shared-wishlists/{token}", headers=B2C))
    assert [item["sku"] for item in as_b2c["items"]] == ["TEE-RED-S", "DRL-1"]
    assert set(as_b2c) == {"name", "updated_at", "items"}  # nothing about the owner
    as_b2b = body(api.call("get", f"/catalog/shared-wishlists/{token}", headers=B2B))
    assert [item["sku"] for item in as_b2b["items"]] == ["DRL-1", "KIT-1"]
    # The owner's own view follows the channel's visibility too.
    assert [i["sku"] for i in body(owner.call("get", "/catalog/wishlists", headers=B2C))["items"][0]["items"]] == [
        "TEE-RED-S",
        "DRL-1",
    ]
    renewed = body(owner.call("patch", f"/catalog/wishlists/{wishlist['id']}", {"renew_link": True}))
    assert renewed["share_token"] != token
    assert_problem(api.call("get", f"/catalog/shared-wishlists/{token}", headers=B2C), 404)
    assert api.call("get", f"/catalog/shared-wishlists/{renewed['share_token']}", headers=B2C).status_code == 200
    owner.call("patch", f"/catalog/wishlists/{wishlist['id']}", {"is_shared": False})
    assert_problem(api.call("get", f"/catalog/shared-wishlists/{renewed['share_token']}", headers=B2C), 404)


@pytest.mark.django_db
def test_products_outside_the_viewers_channel_cannot_be_wishlisted(products, customer_api):
    owner = customer_api()
    wishlist = _create(owner)
    for sku in ("KIT-1", "DL-1", "NOPE"):
        assert_problem(owner.call("post", f"/catalog/wishlists/{wishlist['id']}/items", {"sku": sku}, headers=B2C), 404)
    assert_problem(owner.call("post", f"/catalog/wishlists/{wishlist['id']}/items", {"sku": ""}, headers=B2C), 422)


@pytest.mark.django_db
def test_wishlist_list_query_count_is_constant_in_page_size(products, customer_api, django_assert_max_num_queries):
    owner = customer_api()
    for index in range(10):
        wishlist = _create(owner, f"List {index:02d}")
        for sku in ("DRL-1", "DRL-2", "TEE-RED-S"):
            owner.call("post", f"/catalog/wishlists/{wishlist['id']}/items", {"sku": sku}, headers=B2C)
    counts = []
    for size in (2, 10):
        with django_assert_max_num_queries(15) as captured:
            response = owner.call("get", f"/catalog/wishlists?page_size={size}", headers=B2C)
        assert len(body(response)["items"]) == size
        counts.append(len(captured))
    assert counts[0] == counts[1]
