from __future__ import annotations

import json

import pytest

from handel.catalog.models import Product
from handel.catalog.records import to_json_object
from tests.catalog.conftest import every_kind, simple
from tests.conftest import assert_problem

WRITE = ("catalog:write", "catalog:read")


@pytest.fixture
def staff_api(make_user, api_for):
    return api_for(make_user(superuser=True), scopes=WRITE)


def _body(response):
    return json.loads(response.content)


@pytest.mark.django_db
def test_every_kind_round_trips_through_the_api(catalog, staff_api):
    for record in every_kind():
        document = to_json_object(record)
        response = staff_api.call("post", "/catalog/products", document)
        assert response.status_code == 201, response.content
    for record in every_kind():
        stored = _body(staff_api.call("get", f"/catalog/staff/products/{record['sku']}"))
        again = staff_api.call("patch", f"/catalog/products/{record['sku']}", stored)
        assert again.status_code == 200, again.content
        assert _body(again) == stored
    drill = _body(staff_api.call("get", "/catalog/staff/products/DRL-1"))
    assert drill["attributes"]["material"] == {"en": "steel", "nl": "staal"}
    assert drill["attributes"]["features"] == ["led", "brushless"]
    assert drill["cost_price"] == "40.1234"
    assert drill["translations"] == {"nl": {"name": "Boormachine"}}
    bundle = _body(staff_api.call("get", "/catalog/staff/products/BUN-1"))
    assert bundle["bundle_groups"][1]["options"] == [{"sku": "TEE-RED-S", "quantity": 2, "default": False}]
    assert _body(staff_api.call("get", "/catalog/staff/products/KIT-1"))["kit_components"] == ["DRL-1*1", "DRL-2*2"]


@pytest.mark.django_db
def test_update_and_delete(catalog, staff_api):
    assert staff_api.call("post", "/catalog/products", to_json_object(simple())).status_code == 201
    response = staff_api.call("patch", "/catalog/products/DRL-1", {"name": "Better drill", "msrp": "89.00"})
    assert _body(response)["name"] == "Better drill"
    assert _body(response)["msrp"] == "89"
    assert staff_api.call("delete", "/catalog/products/DRL-1").status_code == 204
    assert_problem(staff_api.call("delete", "/catalog/products/DRL-1"), 404)


@pytest.mark.django_db
def test_public_reads_never_show_cost_price(products, api):
    listing = api.call("get", "/catalog/products?page_size=100", headers={"X-Handel-Channel": "b2b"})
    detail = api.call("get", "/catalog/products/DRL-1", headers={"X-Handel-Channel": "b2b"})
    assert listing.status_code == detail.status_code == 200
    assert b"cost_price" not in listing.content and b"40.1234" not in listing.content
    assert b"cost_price" not in detail.content and b"40.1234" not in detail.content


@pytest.mark.django_db
def test_create_rejects_bad_gtin_with_field_location(catalog, staff_api):
    response = staff_api.call("post", "/catalog/products", to_json_object(simple(gtin="4006381333932")))
    body = assert_problem(response, 422)
    assert body["errors"] == [{"loc": ["body", "gtin"], "msg": "check digit should be 1", "type": "invalid"}]
    assert not Product.objects.exists()


@pytest.mark.django_db
def test_duplicate_sku_is_a_conflict(catalog, staff_api):
    staff_api.call("post", "/catalog/products", to_json_object(simple()))
    assert_problem(staff_api.call("post", "/catalog/products", to_json_object(simple())), 409)


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["anonymous", "customer", "staff_without_perm", "token_without_scope"])
def test_who_cannot_write(catalog, api, make_user, api_for, who):
    record = to_json_object(simple())
    if who == "anonymous":
        client, status = api, 401
    elif who == "customer":
        client, status = api_for(make_user(), scopes=("account",)), 403
    elif who == "staff_without_perm":
        client, status = api_for(make_user(staff=True), scopes=WRITE), 403
    else:
        client, status = api_for(make_user(superuser=True), scopes=("account",)), 403
    assert_problem(client.call("post", "/catalog/products", record), status)
    assert_problem(client.call("patch", "/catalog/products/DRL-1", {"name": "x"}), status)
    assert_problem(client.call("delete", "/catalog/products/DRL-1"), status)
    assert_problem(client.call("post", "/catalog/imports", {"format": "csv", "content": "sku\nX"}), status)
    assert_problem(client.call("get", "/catalog/export?format=csv"), status)
    assert_problem(client.call("post", "/catalog/categories", {"slug": "x", "name": "X"}), status)
    assert_problem(client.call("get", "/catalog/staff/products/DRL-1"), status)
    assert not Product.objects.exists()


@pytest.mark.django_db
def test_staff_with_permission_can_write(catalog, make_user, api_for):
    user = make_user(staff=True, perms=["catalog.add_product", "catalog.change_product"])
    client = api_for(user, scopes=("catalog:write",))
    assert client.call("post", "/catalog/products", to_json_object(simple())).status_code == 201
    assert client.call("patch", "/catalog/products/DRL-1", {"name": "New"}).status_code == 200
    assert_problem(client.call("delete", "/catalog/products/DRL-1"), 403)


@pytest.mark.django_db
def test_filters(products, api):
    def skus(query, channel="b2b"):
        response = api.call("get", f"/catalog/products?{query}", headers={"X-Handel-Channel": channel})
        assert response.status_code == 200, response.content
        return sorted(item["sku"] for item in _body(response)["items"])

    assert skus("category=tools/drills") == ["DRL-1", "DRL-2"]
    assert skus("category=tools") == ["BUN-1", "DRL-1", "DRL-2", "KIT-1"]
    assert skus("attr=features:hammer") == []
    assert skus("attr=features:led") == ["DRL-1"]
    assert skus("attr=power:800..") == ["DRL-2"]
    assert skus("attr=voltage:18&attr=cordless:true") == ["DRL-1"]
    assert skus("attr=colour:blue", channel="b2c") == ["TEE"]
    assert skus("brand=acme", channel="b2c") == ["TEE"]
    assert skus("updated_since=2999-01-01T00:00:00Z") == []
    assert_problem(api.call("get", "/catalog/products?attr=nonsense:1"), 422)
    assert_problem(api.call("get", "/catalog/products?attr=power:abc"), 422)


@pytest.mark.django_db
def test_list_shows_variant_summaries_and_hides_drafts_and_other_channels(products, api):
    body = _body(api.call("get", "/catalog/products?page_size=100", headers={"X-Handel-Channel": "b2c"}))
    by_sku = {item["sku"]: item for item in body["items"]}
    assert set(by_sku) == {"DRL-1", "DRL-2", "TEE", "BUN-1"}  # DL-1 is a draft, KIT-1 and SW-1 are B2B only
    assert [v["sku"] for v in by_sku["TEE"]["variants"]] == ["TEE-BLUE-M", "TEE-RED-S"]
    assert by_sku["TEE"]["variants"][0]["attributes"] == {"colour": ["blue"], "size": ["m"]}
    assert by_sku["DRL-1"]["images"] == ["https://img.example.com/drl-1.jpg", "products/drl-1-side.jpg"]
    assert_problem(api.call("get", "/catalog/products/SW-1", headers={"X-Handel-Channel": "b2c"}), 404)
    assert_problem(api.call("get", "/catalog/products/DL-1", headers={"X-Handel-Channel": "b2c"}), 404)
    variant = _body(api.call("get", "/catalog/products/TEE-RED-S", headers={"X-Handel-Channel": "b2c"}))
    assert variant["parent_sku"] == "TEE"


@pytest.mark.django_db
def test_product_list_query_count_is_constant_in_page_size(catalog, django_assert_max_num_queries, api):
    from handel.catalog.importing import import_products

    lines = [to_json_object(simple(f"P-{i:03d}", gtin="")) for i in range(60)]
    lines += [
        to_json_object(
            {
                "sku": f"C-{i}",
                "kind": "configurable",
                "status": "active",
                "name": "C",
                "variant_attributes": ["colour"],
                "channels": ["b2b"],
                "categories": ["tools"],
            }
        )
        for i in range(10)
    ]
    lines += [
        to_json_object({"sku": f"C-{i}-{c}", "parent_sku": f"C-{i}", "status": "active", "name": "V", "attr.colour": c})
        for i in range(10)
        for c in ("red", "blue")
    ]
    report = import_products(text="\n".join(json.dumps(line) for line in lines), format="jsonl")
    assert not report.errors
    api.call("get", "/catalog/products?page_size=1", headers={"X-Handel-Channel": "b2b"})  # warm the caches
    for size in (1, 10, 50):
        with django_assert_max_num_queries(6):
            response = api.call("get", f"/catalog/products?page_size={size}", headers={"X-Handel-Channel": "b2b"})
        assert len(_body(response)["items"]) == size
    with django_assert_max_num_queries(6):
        api.call("get", "/catalog/categories?page_size=100", headers={"X-Handel-Channel": "b2b"})


@pytest.mark.django_db
def test_list_output_matches_its_documented_schema_and_operation_ids_exist(products, api):
    from handel.catalog.schemas import ProductPage

    body = _body(api.call("get", "/catalog/products?page_size=100", headers={"X-Handel-Channel": "b2c"}))
    page = ProductPage.model_validate(body)
    assert page.items and page.meta["total"] == len(page.items)
    schema = _body(api.get("/api/v1/openapi.json"))
    operation_ids = {op["operationId"] for methods in schema["paths"].values() for op in methods.values()}
    assert {
        "list_products",
        "get_product",
        "create_product",
        "update_product",
        "delete_product",
        "list_categories",
        "get_category",
        "import_products",
        "export_products",
    } <= operation_ids


@pytest.mark.django_db
def test_category_positions_and_facet_counts(products, api):
    from handel.catalog.queries import facet_counts, visible_products

    body = _body(
        api.call("get", "/catalog/products?category=tools/drills&sort=position", headers={"X-Handel-Channel": "b2b"})
    )
    assert [item["sku"] for item in body["items"]] == ["DRL-1", "DRL-2"]  # positions 0 and 4
    assert_problem(api.call("get", "/catalog/products?sort=position"), 422)
    facets = facet_counts(visible_products(channel_code="b2c"), ["colour", "features", "cordless"])
    assert facets == {"colour": {"red": 1, "blue": 1}, "features": {"led": 1, "brushless": 1}, "cordless": {"true": 1}}
