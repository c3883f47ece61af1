"""The inventory API: permissions, problem+json for bad input, constant query counts, idempotency."""

from __future__ import annotations

import json

import pytest

from handel.catalog.models import Assortment, Product
from handel.channels.models import Channel
from handel.customers.models import CustomerGroup
from handel.inventory import services
from handel.inventory.models import StockItem, StockMovement
from tests.conftest import ApiClient, assert_problem
from tests.inventory.conftest import set_stock

pytestmark = pytest.mark.django_db

ALL_PERMS = [
    "inventory.add_source",
    "inventory.change_source",
    "inventory.view_stockitem",
    "inventory.change_stockitem",
    "inventory.add_stockmovement",
    "inventory.view_stockmovement",
    "inventory.add_reservation",
    "inventory.change_reservation",
    "inventory.view_reservation",
    "inventory.change_stockpolicy",
]


@pytest.fixture
def keeper(make_user, api_for):
    """A stock keeper's token with both inventory scopes."""
    user = make_user(staff=True, perms=ALL_PERMS)
    return api_for(user, scopes=("inventory:read", "inventory:write"))


def body(response):
    return json.loads(response.content)


STAFF_OPERATIONS = [
    ("get", "/inventory/stock", None),
    ("get", "/inventory/movements", None),
    ("post", "/inventory/stock/bulk", {"updates": [{"sku": "CHAIR", "source": "rotterdam", "on_hand": 1}]}),
    ("post", "/inventory/movements", {"kind": "receipt", "source": "rotterdam", "sku": "CHAIR", "quantity": 1}),
    ("post", "/inventory/transfers", {"sku": "CHAIR", "from_source": "rotterdam", "to_source": "venlo", "quantity": 1}),
    ("post", "/inventory/sources", {"code": "x", "name": "X", "country": "NL"}),
    ("patch", "/inventory/sources/rotterdam", {"priority": 1}),
    ("put", "/inventory/channels/b2c/sources", {"sources": ["rotterdam"]}),
    ("post", "/inventory/reservations", {"reference": "R", "channel": "b2c", "lines": [{"sku": "A", "quantity": 1}]}),
    ("get", "/inventory/reservations/R", None),
    ("post", "/inventory/reservations/R/release", None),
    ("post", "/inventory/reservations/R/ship", {}),
    ("put", "/inventory/policies/CHAIR", {"allow_backorder": True}),
]


@pytest.mark.parametrize(("method", "path", "payload"), STAFF_OPERATIONS)
def test_staff_operations_need_sign_in_staff_permission_and_scope(
    sources, make_user, api_for, api, method, path, payload
):
    assert_problem(api.call(method, path, payload), 401)
    customer = make_user()
    assert_problem(api_for(customer).call(method, path, payload), 403)
    bare_staff = make_user(staff=True)
    assert_problem(api_for(bare_staff, scopes=("inventory:read", "inventory:write")).call(method, path, payload), 403)
    wrong_scope = make_user(staff=True, perms=ALL_PERMS)
    assert_problem(api_for(wrong_scope, scopes=("catalog:write",)).call(method, path, payload), 403)
    assert not StockMovement.objects.exists()


def test_public_operations(sources, publish, api):
    publish("CHAIR")
    set_stock("CHAIR", "rotterdam-store", 3)
    response = api.call("post", "/inventory/availability", {"skus": ["CHAIR"], "channel": "b2c"})
    assert response.status_code == 200
    chair = body(response)["items"][0]
    assert (chair["state"], chair["salable"]) == ("low_stock", 3)
    assert "3 at the Rotterdam store" in [store["label"] for store in chair["stores"]]
    sources_page = body(api.call("get", "/inventory/sources?pickup=true&channel=b2c"))
    assert [s["code"] for s in sources_page["items"]] == ["amsterdam-store", "rotterdam-store"]
    assert sources_page["items"][0]["opening_hours"] == {"mon": "09:00-18:00"}


def test_availability_uses_the_request_channel_and_checks_input(sources, publish, api):
    publish("CHAIR", channel_codes=("b2b",))
    set_stock("CHAIR", "venlo", 30)
    found = body(api.call("post", "/inventory/availability", {"skus": ["CHAIR"]}, headers={"X-Handel-Channel": "b2b"}))
    assert found["channel"] == "b2b"
    assert found["items"][0]["state"] == "in_stock"
    assert body(api.call("post", "/inventory/availability", {"skus": ["CHAIR"]}))["items"] == [], (
        "the default channel (b2c) does not show the SKU"
    )
    assert_problem(api.call("post", "/inventory/availability", {"skus": []}), 422)
    assert_problem(api.call("post", "/inventory/availability", {"skus": ["A"] * 1001}), 422)
    assert_problem(api.call("post", "/inventory/availability", {"skus": ["A"], "channel": "nope"}), 422)
    assert_problem(api.call("post", "/inventory/availability", raw="{not json"), 400)


def test_bulk_update_with_idempotency_key(sources, keeper):
    payload = {
        "feed": "erp",
        "updates": [
            {"sku": "CHAIR", "source": "rotterdam", "on_hand": 10},
            {"sku": "CHAIR", "source": "venlo", "delta": 4, "reference": "ERP-1"},
        ],
    }
    first = keeper.call("post", "/inventory/stock/bulk", payload, headers={"Idempotency-Key": "feed-1"})
    assert first.status_code == 200
    assert body(first) == {"received": 2, "applied": 2, "unchanged": 0, "replayed": 0, "movements": 2}
    replayed = keeper.call("post", "/inventory/stock/bulk", payload, headers={"Idempotency-Key": "feed-1"})
    assert replayed["Idempotent-Replayed"] == "true"
    without_key = body(keeper.call("post", "/inventory/stock/bulk", payload))
    assert (without_key["applied"], without_key["unchanged"], without_key["replayed"]) == (0, 1, 1)
    assert StockMovement.objects.count() == 2
    assert sorted(StockItem.objects.values_list("source__code", "on_hand")) == [("rotterdam", 10), ("venlo", 4)]


@pytest.mark.parametrize(
    "payload",
    [
        {"updates": []},
        {"updates": [{"sku": "", "source": "rotterdam", "on_hand": 1}]},
        {"updates": [{"sku": "A", "source": "rotterdam", "on_hand": -1}]},
        {"updates": [{"sku": "A", "source": "rotterdam", "on_hand": "lots"}]},
        {"updates": [{"sku": "A", "source": "nowhere", "on_hand": 1}]},
        {"updates": [{"sku": "A", "source": "rotterdam", "delta": 1}]},
        {"updates": [{"sku": "A", "source": "rotterdam"}]},
        {"updates": "nope"},
    ],
)
def test_bad_bulk_updates_get_problem_json_and_change_nothing(sources, keeper, payload):
    problem = assert_problem(keeper.call("post", "/inventory/stock/bulk", payload), 422)
    assert problem["type"] == "urn:handel:problem:validation-error"
    assert problem["errors"][0]["loc"][0] == "body"
    assert not StockItem.objects.exists()


def test_csv_import_endpoint(sources, keeper):
    csv_text = "sku,source,on_hand\nCHAIR,rotterdam,7\n"
    response = keeper.generic(
        "POST",
        "/api/v1/inventory/stock/import?feed=erp",
        data=csv_text,
        content_type="text/csv",
        headers={"Authorization": f"Bearer {keeper.token}"},
    )
    assert body(response)["applied"] == 1
    bad = keeper.generic(
        "POST",
        "/api/v1/inventory/stock/import",
        data="sku,on_hand\nA,1\n",
        content_type="text/csv",
        headers={"Authorization": f"Bearer {keeper.token}"},
    )
    assert_problem(bad, 422)
    latin = keeper.generic(
        "POST",
        "/api/v1/inventory/stock/import",
        data="sku,source\n\xe9".encode("latin-1"),
        content_type="text/csv",
        headers={"Authorization": f"Bearer {keeper.token}"},
    )
    assert_problem(latin, 422)


def test_reservation_round_trip_and_out_of_stock_problem(sources, keeper):
    set_stock("CHAIR", "rotterdam", 2)
    set_stock("CHAIR", "antwerp", 2)
    created = keeper.call(
        "post",
        "/inventory/reservations",
        {
            "reference": "ORD-1",
            "channel": "b2c",
            "lines": [{"sku": "CHAIR", "quantity": 3}],
            "ship_to_country": "NL",
            "ship_to_postcode": "3011",
        },
    )
    assert created.status_code == 201
    assert body(created)["split"] is True
    assert body(created)["shipments"] == [
        {"source": "rotterdam", "destination": "", "lines": [{"sku": "CHAIR", "quantity": 2}]},
        {"source": "antwerp", "destination": "", "lines": [{"sku": "CHAIR", "quantity": 1}]},
    ]
    refused = assert_problem(
        keeper.call(
            "post",
            "/inventory/reservations",
            {"reference": "ORD-2", "channel": "b2c", "lines": [{"sku": "CHAIR", "quantity": 2}]},
        ),
        409,
    )
    assert refused["type"] == "urn:handel:problem:out-of-stock"
    assert refused["shortages"] == [{"sku": "CHAIR", "wanted": 2, "available": 1}]
    assert body(keeper.call("get", "/inventory/reservations/ORD-1"))["status"] == "active"
    shipped = keeper.call("post", "/inventory/reservations/ORD-1/ship", {"source": "antwerp"})
    assert body(shipped)["status"] == "active"
    assert body(keeper.call("post", "/inventory/reservations/ORD-1/release"))["status"] == "released"
    assert_problem(keeper.call("get", "/inventory/reservations/ORD-404"), 404)
    assert_problem(
        keeper.call(
            "post",
            "/inventory/reservations",
            {"reference": "ORD-3", "channel": "b2c", "lines": [{"sku": "CHAIR", "quantity": 0}]},
        ),
        422,
    )


def test_sources_and_channel_links(sources, keeper, api):
    created = keeper.call(
        "post",
        "/inventory/sources",
        {
            "code": "utrecht-store",
            "name": "Utrecht store",
            "kind": "store",
            "country": "nl",
            "postal_code": "3511",
            "ships": False,
            "pickup": True,
            "opening_hours": {"sat": "10:00-17:00"},
            "channels": ["b2c"],
        },
    )
    assert created.status_code == 201
    assert body(created)["country"] == "NL"
    assert_problem(
        keeper.call("post", "/inventory/sources", {"code": "utrecht-store", "name": "U", "country": "NL"}), 409
    )
    for bad in (
        {"code": "x", "name": "X", "country": "ZZ"},
        {"code": "x", "name": "X", "country": "NL", "ships": False, "pickup": False},
        {"code": "x", "name": "X", "country": "NL", "opening_hours": {"mon": "18:00-09:00"}},
        {"code": "x", "name": "X", "country": "NL", "opening_hours": {"someday": "09:00-10:00"}},
        {"code": "x", "name": "X", "country": "NL", "channels": ["nope"]},
        {"code": "Not A Code", "name": "X", "country": "NL"},
    ):
        assert_problem(keeper.call("post", "/inventory/sources", bad), 422)
    assert body(keeper.call("patch", "/inventory/sources/utrecht-store", {"priority": 5}))["priority"] == 5
    assert_problem(keeper.call("patch", "/inventory/sources/nowhere", {"priority": 5}), 404)
    linked = keeper.call("put", "/inventory/channels/b2b/sources", {"sources": ["venlo"]})
    assert body(linked) == {"channel": "b2b", "sources": ["venlo"]}
    assert_problem(keeper.call("put", "/inventory/channels/b2b/sources", {"sources": ["nowhere"]}), 422)
    assert_problem(keeper.call("put", "/inventory/channels/nope/sources", {"sources": ["venlo"]}), 422)


def test_movements_and_transfers(sources, keeper):
    assert (
        keeper.call(
            "post",
            "/inventory/movements",
            {"kind": "receipt", "source": "rotterdam", "sku": "CHAIR", "quantity": 8, "reference": "PO-1"},
        ).status_code
        == 201
    )
    problem = assert_problem(
        keeper.call(
            "post",
            "/inventory/movements",
            {"kind": "adjustment", "source": "rotterdam", "sku": "CHAIR", "quantity": -1},
        ),
        422,
    )
    assert problem["errors"][0]["loc"] == ["body", "reason"]
    moved = keeper.call(
        "post",
        "/inventory/transfers",
        {"sku": "CHAIR", "from_source": "rotterdam", "to_source": "amsterdam-store", "quantity": 3},
    )
    assert moved.status_code == 201
    assert (body(moved)["outgoing"]["quantity"], body(moved)["incoming"]["quantity"]) == (-3, 3)
    assert_problem(
        keeper.call(
            "post",
            "/inventory/transfers",
            {"sku": "CHAIR", "from_source": "rotterdam", "to_source": "amsterdam-store", "quantity": 30},
        ),
        409,
    )
    listing = body(keeper.call("get", "/inventory/movements?sku=CHAIR&source=rotterdam"))
    assert [(m["kind"], m["quantity"]) for m in listing["items"]] == [("transfer_out", -3), ("receipt", 8)]
    stock = body(keeper.call("get", "/inventory/stock?sku=CHAIR"))
    assert [(s["source"], s["on_hand"], s["available"]) for s in stock["items"]] == [
        ("amsterdam-store", 3, 3),
        ("rotterdam", 5, 5),
    ]


def test_policies(sources, keeper):
    response = keeper.call(
        "put",
        "/inventory/policies/CHAIR",
        {"allow_backorder": True, "backorder_expected_on": "2027-01-04", "low_stock_threshold": 3},
    )
    assert body(response)["backorder_expected_on"] == "2027-01-04"
    assert_problem(keeper.call("put", "/inventory/policies/CHAIR", {"low_stock_threshold": -1}), 422)
    assert_problem(keeper.call("put", "/inventory/policies/CHAIR", {"backorder_expected_on": "soon"}), 422)


def test_back_in_stock_subscription(sources, api, make_user):
    created = api.call("post", "/inventory/back-in-stock", {"sku": "CHAIR", "email": "anna@example.com"})
    assert created.status_code == 201
    assert body(created)["channel"] == "b2c"
    assert_problem(api.call("post", "/inventory/back-in-stock", {"sku": "CHAIR"}), 422)
    assert_problem(api.call("post", "/inventory/back-in-stock", {"sku": "CHAIR", "email": "not-an-email"}), 422)
    customer = make_user("chris@example.com")
    signed_in = ApiClient()
    signed_in.force_login(customer)
    mine = signed_in.call("post", "/inventory/back-in-stock", {"sku": "CHAIR", "channel": "b2b"})
    assert body(mine)["email"] == "chris@example.com"


@pytest.mark.parametrize("path", ["/inventory/stock", "/inventory/movements", "/inventory/sources"])
def test_list_query_count_is_constant_in_page_size(sources, keeper, path, django_assert_max_num_queries):
    services.bulk_update_stock(
        actor=None,
        updates=[
            services.StockUpdate(sku=f"SKU-{n:03d}", source_code=code, on_hand=n + 1)
            for n in range(30)
            for code in ("rotterdam", "venlo")
        ],
    )
    keeper.call("get", path)  # warm caches (token last-used stamp, content types)
    counts = []
    for size in (1, 50):
        with django_assert_max_num_queries(8) as captured:
            response = keeper.call("get", f"{path}?page_size={size}")
        assert response.status_code == 200
        assert len(body(response)["items"]) == min(size, body(response)["meta"]["total"])
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_bad_paging_is_a_problem(sources, keeper, api):
    assert_problem(keeper.call("get", "/inventory/movements?page_size=1000"), 422)
    assert_problem(api.call("get", "/inventory/sources?page=0"), 422)


def test_openapi_lists_every_inventory_operation(api):
    document = body(api.get("/api/v1/openapi.json"))
    operations = {
        operation["operationId"]: operation
        for path, methods in document["paths"].items()
        if path.startswith("/api/v1/inventory")
        for operation in methods.values()
    }
    assert {
        "get_availability",
        "bulk_update_stock",
        "list_sources",
        "list_stock_movements",
        "import_stock_csv",
        "reserve_stock",
        "release_reservation",
        "ship_reservation",
        "transfer_stock",
    } <= set(operations)
    assert all(operation["tags"] == ["inventory"] for operation in operations.values())
    assert "text/csv" in operations["import_stock_csv"]["requestBody"]["content"]


def test_availability_follows_the_viewers_assortment(sources, publish, make_user, api_for, api):
    publish("OPEN", "DEALER-ONLY")
    dealers = CustomerGroup.objects.create(code="dealers", name="Dealers")
    assortment = Assortment.objects.create(
        code="dealer-range", name="Dealer range", channel=Channel.objects.get(code="b2c"), customer_group=dealers
    )
    assortment.products.add(Product.objects.get(sku="DEALER-ONLY"))
    dealer = make_user(customer_group=dealers)
    asked = {"skus": ["OPEN", "DEALER-ONLY"], "channel": "b2c"}
    seen_by_token = {
        item["sku"] for item in body(api_for(dealer).call("post", "/inventory/availability", asked))["items"]
    }
    seen_by_anyone = {item["sku"] for item in body(api.call("post", "/inventory/availability", asked))["items"]}
    assert seen_by_token == {"DEALER-ONLY"}
    assert seen_by_anyone != seen_by_token
