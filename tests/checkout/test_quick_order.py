"""Quick order (typed, CSV, XLSX) answers per line and never blocks the valid lines; reorder."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from tests.checkout.conftest import ADDRESS, set_stock
from tests.checkout.flow import body, new_cart
from tests.conftest import assert_problem

pytestmark = pytest.mark.django_db

EXPECTED = [
    ("A", "added", 2),
    ("NOPE", "unknown_sku", 0),
    ("B2B-ONLY", "not_in_assortment", 0),
    ("MIN", "below_minimum", 0),
    ("MIN", "adjusted", 10),
    ("B", "invalid_quantity", 0),
]


def answers(response):
    assert response.status_code == 200, response.content
    return [(line["sku"], line["status"], line["quantity"]) for line in body(response)["lines"]]


def test_typed_quick_order(api, shop):
    cart = new_cart(api)
    response = api.call(
        "post",
        f"/checkout/carts/{cart}/quick-order",
        {
            "lines": [
                {"sku": "A", "quantity": 2},
                {"sku": "NOPE", "quantity": 1},
                {"sku": "B2B-ONLY", "quantity": 1},
                {"sku": "MIN", "quantity": 3},
                {"sku": "MIN", "quantity": 8},
                {"sku": "B", "quantity": -1},
            ]
        },
    )
    assert answers(response) == EXPECTED
    shown = body(api.call("get", f"/checkout/carts/{cart}"))
    assert sorted((line["sku"], line["quantity"]) for line in shown["lines"]) == [("A", 2), ("MIN", 10)]


def test_csv_and_xlsx_uploads(api, shop, client):
    csv_file = io.BytesIO(b"sku;quantity\nA;2\nNOPE;1\nB2B-ONLY;1\nMIN;3\nMIN;8\nB;lots\n")
    csv_file.name = "order.csv"
    cart = new_cart(api)
    assert answers(client.post(f"/api/v1/checkout/carts/{cart}/quick-order/upload", {"file": csv_file})) == EXPECTED
    workbook = Workbook()
    sheet = workbook.active
    for row in (("SKU", "Qty"), ("A", 2), ("NOPE", 1), ("B2B-ONLY", 1), ("MIN", 3), ("MIN", 8), ("B", "lots")):
        sheet.append(row)
    xlsx = io.BytesIO()
    workbook.save(xlsx)
    xlsx.seek(0)
    xlsx.name = "order.xlsx"
    other = new_cart(api)
    assert answers(client.post(f"/api/v1/checkout/carts/{other}/quick-order/upload", {"file": xlsx})) == EXPECTED
    broken = io.BytesIO(b"PK\x03\x04 not really a zip")
    broken.name = "broken.xlsx"
    assert_problem(client.post(f"/api/v1/checkout/carts/{other}/quick-order/upload", {"file": broken}), 422)


def test_reorder_at_todays_prices_reports_what_cannot_be_had(shop, make_user, client):
    user = make_user()
    client.force_login(user)

    def call(method, path, payload=None):
        return getattr(client, method)(
            f"/api/v1/checkout{path}", payload, content_type="application/json", headers={"X-Handel-Channel": "b2c"}
        )

    cart = body(call("post", "/carts"))["id"]
    call("post", f"/carts/{cart}/lines", {"lines": [{"sku": "A", "quantity": 2}, {"sku": "B", "quantity": 1}]})
    call("put", f"/carts/{cart}/addresses", {"email": user.email, "shipping_address": ADDRESS})
    call("put", f"/carts/{cart}/delivery", {"code": "flat_rate"})
    number = body(call("post", f"/carts/{cart}/order", {"payment_method": "bank_transfer"}))["order_number"]
    set_stock({("B", "main"): 0, ("B", "south"): 0})
    fresh = body(call("post", "/carts"))["id"]
    response = call("post", f"/carts/{fresh}/reorder", {"order_number": number})
    assert response.status_code == 200, response.content
    lines = {line["sku"]: line for line in body(response)["lines"]}
    assert lines["A"]["status"] == "added" and lines["A"]["quantity"] == 2
    assert lines["B"]["status"] == "out_of_stock" and lines["B"]["quantity"] == 0
    assert_problem(call("post", f"/carts/{fresh}/reorder", {"order_number": "ORD-999999"}), 404)
