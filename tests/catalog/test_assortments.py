"""A product outside the viewer's assortment does not exist for that viewer, on any endpoint."""

from __future__ import annotations

import json

import pytest

from handel.catalog import services
from handel.catalog.queries import product_facts, visible_products, visible_skus
from handel.customers.models import CustomerGroup
from tests.conftest import PASSWORD, assert_problem


@pytest.fixture
def assortments(products):
    CustomerGroup.objects.create(code="installers", name="Installers")
    services.save_assortment(
        actor=None,
        code="b2b-default",
        name="B2B",
        channel_code="b2b",
        is_channel_default=True,
        category_paths=["tools"],
        skus=["SW-1"],
    )
    services.save_assortment(
        actor=None,
        code="installers",
        name="Installers",
        channel_code="b2b",
        customer_group_code="installers",
        category_paths=["tools/drills"],
    )


def _skus(response):
    return sorted(item["sku"] for item in json.loads(response.content)["items"])


@pytest.mark.django_db
def test_channel_default_assortment(assortments, api):
    headers = {"X-Handel-Channel": "b2b"}
    assert _skus(api.call("get", "/catalog/products?page_size=100", headers=headers)) == [
        "BUN-1",
        "DRL-1",
        "DRL-2",
        "KIT-1",
        "SW-1",
    ]
    categories = json.loads(api.call("get", "/catalog/categories", headers=headers).content)["items"]
    assert sorted(c["path"] for c in categories) == ["tools", "tools/drills", "tools/drills/cordless", "tools/saws"]
    assert_problem(api.call("get", "/catalog/categories/apparel", headers=headers), 404)
    assert api.call("get", "/catalog/categories/tools/drills", headers=headers).status_code == 200


@pytest.mark.django_db
def test_customer_group_assortment_hides_everything_else_on_every_endpoint(assortments, api, make_user):
    group = CustomerGroup.objects.get(code="installers")
    user = make_user(customer_group=group)
    assert api.login(email=user.email, password=PASSWORD)
    headers = {"X-Handel-Channel": "b2b"}
    assert _skus(api.call("get", "/catalog/products?page_size=100", headers=headers)) == ["DRL-1", "DRL-2"]
    for sku in ("KIT-1", "SW-1", "BUN-1", "TEE", "TEE-RED-S"):
        assert_problem(api.call("get", f"/catalog/products/{sku}", headers=headers), 404)
        assert (
            _skus(api.call("get", "/catalog/products?brand=acme&category=apparel&attr=colour:red", headers=headers))
            == []
        )
    assert api.call("get", "/catalog/products/DRL-1", headers=headers).status_code == 200
    assert_problem(api.call("get", "/catalog/categories/tools/saws", headers=headers), 404)
    # The detail of a visible product does not leak invisible related products.
    detail = json.loads(api.call("get", "/catalog/products/DRL-2", headers=headers).content)
    assert {r["sku"] for r in detail["relations"]} == {"DRL-1"}


@pytest.mark.django_db
def test_query_functions_respect_assortments(assortments):
    everything = ["DRL-1", "DRL-2", "TEE", "TEE-RED-S", "KIT-1", "BUN-1", "SW-1", "DL-1", "NOPE"]
    assert visible_skus(channel_code="b2b", customer_group_code=None, skus=everything) == {
        "DRL-1",
        "DRL-2",
        "KIT-1",
        "BUN-1",
        "SW-1",
    }
    assert visible_skus(channel_code="b2b", customer_group_code="installers", skus=everything) == {"DRL-1", "DRL-2"}
    assert visible_skus(channel_code="b2c", customer_group_code=None, skus=everything) == {
        "DRL-1",
        "DRL-2",
        "TEE",
        "TEE-RED-S",
        "BUN-1",
    }
    assert visible_skus(channel_code="nowhere", customer_group_code=None, skus=everything) == set()
    assert (
        visible_skus(channel_code="b2b", customer_group_code=None, skus=everything, assortment_code="unknown") == set()
    )
    assert set(
        visible_products(channel_code="b2c", customer_group_code=None, include_variants=True).values_list(
            "sku", flat=True
        )
    ) == {"DRL-1", "DRL-2", "TEE", "TEE-RED-S", "TEE-BLUE-M", "BUN-1"}


@pytest.mark.django_db
def test_product_facts(products, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        facts = product_facts(["DRL-1", "TEE-RED-S", "SW-1", "NOPE"])
    assert set(facts) == {"DRL-1", "TEE-RED-S", "SW-1"}
    drill = facts["DRL-1"]
    assert drill.kind == "simple" and drill.parent_sku is None and drill.brand == "bosch"
    assert drill.category_paths == ("tools", "tools/drills")
    assert drill.attributes["features"] == ("led", "brushless")
    assert drill.attributes["power"] == ("750.5",)
    assert str(drill.cost_price) == "40.1234" and str(drill.msrp) == "99.95"
    assert (drill.weight_grams, drill.min_order_qty, drill.order_increment) == (1800, 2, 2)
    variant = facts["TEE-RED-S"]
    assert variant.parent_sku == "TEE" and variant.kind == "variant" and variant.brand == "acme"
    assert variant.category_paths == ("apparel", "apparel/shirts")
    assert variant.attributes["colour"] == ("red",) and variant.attributes["material"] == ("cotton",)
    assert facts["SW-1"].is_shippable is False and facts["SW-1"].tax_class == "reduced"


@pytest.mark.django_db
def test_a_bundle_page_leaves_out_options_outside_the_viewers_assortment(assortments, api):
    services.save_assortment(
        actor=None,
        code="b2b-default",
        name="B2B",
        channel_code="b2b",
        is_channel_default=True,
        category_paths=[],
        skus=["BUN-1", "DRL-1"],
    )
    services.forget_cached_assortments()
    response = api.call("get", "/catalog/products/BUN-1", headers={"X-Handel-Channel": "b2b"})
    assert response.status_code == 200, response.content
    groups = {group["code"]: group for group in json.loads(response.content)["bundle"]["groups"]}
    assert [option["sku"] for option in groups["drill"]["options"]] == ["DRL-1"]
