"""The pricing API: prices in the caller's context, staff CRUD with permissions and scopes,
explanations, previews, coupons, problem+json for bad input, constant query counts."""

from __future__ import annotations

import csv
import io

import pytest

from handel.pricing.models import Coupon, PriceList, PriceRule, Promotion
from tests.conftest import assert_problem

STAFF_SCOPES = ("pricing:read", "pricing:write")


@pytest.fixture
def admin(make_user, api_for):
    return api_for(make_user(superuser=True), scopes=STAFF_SCOPES)


# --- prices in the caller's context ----------------------------------------------------------


def test_guest_prices_in_the_request_channel(api, pricing):
    body = api.call(
        "post",
        "/pricing/prices",
        {"items": [{"sku": "A", "quantity": 1}, {"sku": "A", "quantity": 10}, {"sku": "NOPE"}]},
    ).json()
    assert body["channel"] == "b2c" and body["prices_include_tax"] is True
    first, tier, missing = body["items"]
    assert (first["unit_net"], first["unit_gross"], first["unit_price"]) == ("10.00", "12.10", "12.10")
    assert tier["list_unit_price"] == "9.00" and tier["line_gross"] == "108.90"
    assert missing["found"] is False and missing["unit_price"] is None
    assert first["explanation"] is None  # only staff see how a price came about
    b2b = api.call("post", "/pricing/prices", {"items": [{"sku": "A"}]}, headers={"X-Handel-Channel": "b2b"}).json()
    assert b2b["channel"] == "b2b" and b2b["items"][0]["unit_price"] == "8.00"


def test_signed_in_customer_gets_their_group_price(api_for, make_user, pricing):
    dealer = make_user(customer_group=pricing["dealer_group"])
    body = api_for(dealer).call("post", "/pricing/prices", {"items": [{"sku": "A"}]}).json()
    assert body["items"][0]["unit_net"] == "8.50"
    session = api_for(dealer)
    session.token = None
    session.force_login(dealer)
    assert session.call("post", "/pricing/prices", {"items": [{"sku": "A"}]}).json()["items"][0]["unit_net"] == "8.50"


def test_staff_see_the_explanation(admin, pricing):
    body = admin.call("post", "/pricing/prices", {"items": [{"sku": "A", "quantity": 10}]}).json()
    assert [step["kind"] for step in body["items"][0]["explanation"]] == ["price_list", "tier", "tax"]


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"items": []},
        {"items": [{"sku": "A", "quantity": 0}]},
        {"items": [{"sku": ""}]},
        {"items": [{"sku": "A"}] * 1001},
        {"items": "A"},
        {"items": [{"sku": "A", "quantity": 10**12}]},
    ],
)
def test_bad_price_requests_are_problems(api, pricing, body):
    assert_problem(api.call("post", "/pricing/prices", body), 422)


def test_an_invalid_token_is_refused(api, pricing):
    response = api.call(
        "post", "/pricing/prices", {"items": [{"sku": "A"}]}, headers={"Authorization": "Bearer hdl_nope"}
    )
    assert_problem(response, 401)


def test_price_a_cart_with_a_coupon(api, admin, pricing):
    admin.call(
        "post",
        "/pricing/promotions",
        {"code": "ten", "name": "Ten", "action": "percent_off_cart", "value": "10", "requires_coupon": True},
    )
    admin.call("post", "/pricing/promotions/ten/coupons", {"code": "TEN"})
    body = api.call(
        "post", "/pricing/cart", {"lines": [{"sku": "A", "quantity": 2}, {"sku": "B"}], "coupons": ["ten", "bogus"]}
    ).json()
    assert body["subtotal"] == "40.00" and body["discount_total"] == "4.00" and body["total"] == "36.00"
    assert body["gross_total"] == "43.56" and body["display_total"] == "43.56"
    assert body["accepted_coupons"] == ["TEN"]
    assert body["rejected_coupons"] == [{"code": "BOGUS", "reason": "unknown coupon"}]
    assert body["lines"][0]["explanation"] is None
    staff_view = admin.call("post", "/pricing/cart", {"lines": [{"sku": "A"}], "coupons": ["TEN"]}).json()
    assert any(step["kind"] == "promotion" for step in staff_view["lines"][0]["explanation"])


# --- permissions ------------------------------------------------------------------------------

STAFF_OPERATIONS = [
    ("get", "/pricing/price-lists", None),
    ("post", "/pricing/price-lists", {"code": "x", "name": "X", "currency": "EUR"}),
    ("patch", "/pricing/price-lists/b2c-base", {"priority": 3}),
    ("delete", "/pricing/price-lists/dealer", None),
    ("put", "/pricing/price-lists/b2c-base/entries", {"entries": [{"sku": "A", "unit_price": "1"}]}),
    ("get", "/pricing/rules", None),
    ("post", "/pricing/rules", {"code": "r", "name": "R", "adjustment_value": "-10"}),
    ("get", "/pricing/promotions", None),
    ("post", "/pricing/promotions", {"code": "p", "name": "P", "action": "free_shipping"}),
    ("post", "/pricing/explain", {"sku": "A"}),
    ("put", "/pricing/tax-rates", {"country": "FR", "rate": "20"}),
    ("get", "/pricing/price-changes", None),
]


@pytest.mark.parametrize(("method", "path", "body"), STAFF_OPERATIONS)
def test_staff_operations_need_staff_permission_and_scope(api, api_for, make_user, pricing, method, path, body):
    assert_problem(api.call(method, path, body), 401)
    assert_problem(api_for(make_user()).call(method, path, body), 403)
    assert_problem(api_for(make_user(staff=True), scopes=STAFF_SCOPES).call(method, path, body), 403)
    superuser = make_user(superuser=True)
    assert_problem(api_for(superuser, scopes=("account",)).call(method, path, body), 403)
    assert api_for(superuser, scopes=STAFF_SCOPES).call(method, path, body).status_code < 300


def test_staff_with_the_model_permission_may(api_for, make_user, pricing):
    merchandiser = make_user(staff=True, perms=["pricing.view_pricelist"])
    client = api_for(merchandiser, scopes=STAFF_SCOPES)
    assert client.call("get", "/pricing/price-lists").status_code == 200
    assert_problem(client.call("post", "/pricing/price-lists", {"code": "x", "name": "X", "currency": "EUR"}), 403)


# --- staff CRUD -------------------------------------------------------------------------------


def test_price_list_crud(admin, pricing):
    created = admin.call(
        "post",
        "/pricing/price-lists",
        {
            "code": "vip",
            "name": "VIP",
            "currency": "eur",
            "parent": "b2c-base",
            "adjustment_percent": "-20",
            "assignments": [{"kind": "customer_group", "key": "vip"}, {"kind": "company", "key": "acme"}],
        },
    )
    assert created.status_code == 201, created.content
    assert created.json()["parent"] == "b2c-base" and created.json()["currency"] == "EUR"
    assert_problem(admin.call("post", "/pricing/price-lists", {"code": "vip", "name": "VIP", "currency": "EUR"}), 409)
    patched = admin.call(
        "patch",
        "/pricing/price-lists/vip",
        {"priority": 5, "name": None, "parent": None, "assignments": [{"kind": "channel", "key": "b2c"}]},
    )
    assert patched.json()["priority"] == 5 and patched.json()["name"] == "VIP" and patched.json()["parent"] is None
    assert patched.json()["assignments"] == [{"kind": "channel", "key": "b2c"}]
    assert admin.call(
        "put",
        "/pricing/price-lists/vip/entries",
        {"entries": [{"sku": "A", "unit_price": "7.00"}, {"sku": "A", "min_quantity": 5, "unit_price": "6.50"}]},
    ).json() == {"count": 2}
    entries = admin.call("get", "/pricing/price-lists/vip/entries").json()
    assert [(e["sku"], e["min_quantity"]) for e in entries["items"]] == [("A", 1), ("A", 5)]
    assert admin.call("delete", "/pricing/price-lists/vip/entries/A").status_code == 204
    assert_problem(admin.call("delete", "/pricing/price-lists/vip/entries/A"), 404)
    assert admin.call("delete", "/pricing/price-lists/vip").status_code == 204
    assert_problem(admin.call("get", "/pricing/price-lists/vip"), 404)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"code": "Bad Code", "name": "X", "currency": "EUR"}, "code"),
        ({"code": "x", "name": "X", "currency": "ABC"}, "currency"),
        ({"code": "x", "name": "X", "currency": "EUR", "adjustment_percent": "-100"}, "adjustment_percent"),
        ({"code": "x", "name": "X", "currency": "EUR", "parent": "ghost"}, "parent"),
        (
            {
                "code": "x",
                "name": "X",
                "currency": "EUR",
                "valid_from": "2026-02-01T00:00:00Z",
                "valid_until": "2026-01-01T00:00:00Z",
            },
            "valid_until",
        ),
        ({"code": "x", "name": "X", "currency": "EUR", "assignments": [{"kind": "planet", "key": "x"}]}, "kind"),
        ({"code": "x", "name": "X", "currency": "EUR", "priority": 10**20}, "priority"),
    ],
)
def test_invalid_price_lists_are_refused_with_the_field(admin, pricing, body, field):
    problem = assert_problem(admin.call("post", "/pricing/price-lists", body), 422)
    assert any(field in [str(part) for part in error["loc"]] for error in problem["errors"]), problem
    assert not PriceList.objects.filter(code="x").exists()


def test_rule_crud_and_preview(admin, pricing):
    created = admin.call(
        "post",
        "/pricing/rules",
        {
            "code": "tools-week",
            "name": "10% off B for dealers",
            "adjustment_value": "-10",
            "skus": ["B"],
            "customer_groups": ["dealer"],
            "time_from": "08:00:00",
            "weekdays": [0, 1, 2, 3, 4, 5, 6],
        },
    )
    assert created.status_code == 201, created.content
    assert created.json()["is_active"] is False
    preview = admin.call(
        "post", "/pricing/rules/tools-week/preview", {"customer_group": "dealer", "at": "2026-11-26T12:00:00Z"}
    ).json()
    assert preview["checked"] == 2 and preview["changed"] == 1
    change = preview["changes"][0]
    assert (change["sku"], change["price_without_rule"], change["price_with_rule"]) == ("B", "17.00", "15.30")
    assert_problem(admin.call("post", "/pricing/rules/tools-week/preview", {"customer_group": "ghost"}), 404)
    patched = admin.call("patch", "/pricing/rules/tools-week", {"is_active": True, "time_from": None})
    assert patched.json()["is_active"] is True and patched.json()["time_from"] is None
    assert_problem(admin.call("patch", "/pricing/rules/tools-week", {"kind": "stock"}), 422)
    assert_problem(admin.call("post", "/pricing/rules", {"code": "x", "name": "X", "adjustment_value": "1e30"}), 422)
    assert admin.call("delete", "/pricing/rules/tools-week").status_code == 204
    assert not PriceRule.objects.exists()


def test_explain_price_for_a_customer_in_another_country(admin, make_user, pricing):
    dealer = make_user("dealer@example.com", customer_group=pricing["dealer_group"])
    body = admin.call(
        "post",
        "/pricing/explain",
        {
            "sku": "A",
            "quantity": 10,
            "customer": "dealer@example.com",
            "channel": "b2c",
            "country": "DE",
            "vat_number": "DE123456789",
        },
    ).json()
    assert [step["kind"] for step in body["explanation"]] == ["price_list", "tier", "derived", "tax"]
    assert body["reverse_charge"] is True and body["line_tax"] == "0.00"
    by_id = admin.call("post", "/pricing/explain", {"sku": "A", "customer": str(dealer.public_id)}).json()
    assert by_id["unit_net"] == "8.50"
    assert_problem(admin.call("post", "/pricing/explain", {"sku": "A", "customer": "not-a-uuid"}), 404)
    assert_problem(admin.call("post", "/pricing/explain", {"sku": "A", "country": "ZZ"}), 422)
    assert_problem(admin.call("post", "/pricing/explain", {"sku": "A", "channel": "nope"}), 404)
    naive = admin.call("post", "/pricing/explain", {"sku": "A", "at": "2026-11-26T12:00:00"})
    assert naive.status_code == 200 and naive.json()["unit_net"] == "10.00"
    assert_problem(admin.call("post", "/pricing/explain", {"sku": "A", "at": "yesterday"}), 422)
    cart = admin.call("post", "/pricing/explain-cart", {"lines": [{"sku": "A"}], "first_order": True}).json()
    assert cart["lines"][0]["explanation"][0]["kind"] == "price_list"


def test_promotions_coupons_batches_and_export(admin, pricing):
    created = admin.call(
        "post",
        "/pricing/promotions",
        {
            "code": "spend",
            "name": "Spend more",
            "action": "tiered_spend",
            "tiers": [{"min_subtotal": "50", "percent": "5"}, {"min_subtotal": "100", "percent": "10"}],
        },
    )
    assert created.status_code == 201, created.content
    assert created.json()["tiers"][1]["percent"] == "10"
    assert_problem(
        admin.call("post", "/pricing/promotions", {"code": "bad", "name": "B", "action": "buy_x_get_y"}), 422
    )
    batch = admin.call("post", "/pricing/promotions/spend/coupon-batches", {"quantity": 50, "prefix": "vip-"})
    assert batch.status_code == 201
    assert Promotion.objects.get(code="spend").requires_coupon
    export = admin.get(batch.json()["export_url"], headers={"Authorization": f"Bearer {admin.token}"})
    assert export.status_code == 200 and export["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode())))
    assert len(rows) == 51 and all(row[0].startswith("VIP-") for row in rows[1:])
    coupons = admin.call("get", "/pricing/promotions/spend/coupons?page_size=10").json()
    assert coupons["meta"]["total"] == 50 and len(coupons["items"]) == 10
    assert_problem(admin.call("post", "/pricing/promotions/spend/coupons", {"code": rows[1][0]}), 409)
    assert_problem(admin.call("post", "/pricing/promotions/spend/coupon-batches", {"quantity": 0}), 422)
    assert_problem(admin.call("get", "/pricing/coupon-batches/999999/export"), 404)
    assert admin.call("patch", "/pricing/promotions/spend", {"is_active": False}).json()["is_active"] is False
    assert admin.call("delete", "/pricing/promotions/spend").status_code == 204
    assert not Coupon.objects.exists()


def test_tax_rates_and_channel_settings(admin, pricing):
    rate = admin.call("put", "/pricing/tax-rates", {"country": "fr", "rate": "20"}).json()
    assert rate["country"] == "FR"
    assert admin.call("put", "/pricing/tax-rates", {"country": "FR", "rate": "5.5"}).json()["id"] == rate["id"]
    assert_problem(admin.call("put", "/pricing/tax-rates", {"country": "ZZ", "rate": "5"}), 422)
    assert_problem(admin.call("put", "/pricing/tax-rates", {"country": "FR", "rate": "101"}), 422)
    assert admin.call("get", "/pricing/tax-rates?country=FR").json()["meta"]["total"] == 1
    assert admin.call("delete", f"/pricing/tax-rates/{rate['id']}").status_code == 204
    settings = admin.call("put", "/pricing/channels/b2c", {"prices_entered_including_tax": True}).json()
    assert settings["prices_entered_including_tax"] is True
    assert admin.call("get", "/pricing/channels/b2c").json()["prices_entered_including_tax"] is True
    assert_problem(admin.call("put", "/pricing/channels/nope", {"prices_entered_including_tax": True}), 404)


# --- query counts ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/pricing/price-lists", "/pricing/promotions", "/pricing/rules", "/pricing/price-lists/b2c-base/entries"]
)
def test_list_query_count_is_constant_in_page_size(admin, pricing, django_assert_max_num_queries, path):
    for index in range(30):
        admin.call(
            "post",
            "/pricing/price-lists",
            {"code": f"l-{index}", "name": "L", "currency": "EUR", "assignments": [{"kind": "channel", "key": "b2c"}]},
        )
        admin.call("post", "/pricing/promotions", {"code": f"p-{index}", "name": "P", "action": "free_shipping"})
        admin.call("post", "/pricing/rules", {"code": f"r-{index}", "name": "R", "adjustment_value": "-1"})
    admin.call(
        "put",
        "/pricing/price-lists/b2c-base/entries",
        {"entries": [{"sku": f"S-{index}", "unit_price": "1"} for index in range(30)]},
    )
    with django_assert_max_num_queries(12) as small:
        assert admin.call("get", f"{path}?page_size=2").status_code == 200
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(admin.call("get", f"{path}?page_size=30").json()["items"]) == 30


def test_get_prices_query_count_is_constant_in_the_number_of_skus(api, admin, pricing, django_assert_max_num_queries):
    admin.call(
        "put",
        "/pricing/price-lists/b2c-base/entries",
        {"entries": [{"sku": f"S-{index}", "unit_price": "1"} for index in range(200)]},
    )
    with django_assert_max_num_queries(15) as few:
        api.call("post", "/pricing/prices", {"items": [{"sku": "S-1"}]})
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = api.call("post", "/pricing/prices", {"items": [{"sku": f"S-{i}"} for i in range(200)]}).json()
    assert all(item["found"] for item in body["items"])
