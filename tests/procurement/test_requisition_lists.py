"""Requisition lists: shared within a company, changed by roles that buy, filled by hand, from CSV
and from past orders, exported, and added to the cart through the cart's own line checks; a
product outside the company's shared catalog never gets onto a list or into the cart from one."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from handel.catalog import services as catalog_services
from handel.checkout.models import Cart
from handel.companies import services as company_services
from handel.core.models import AuditEntry
from handel.procurement import queries, requisitions
from handel.procurement.models import RequisitionList, RequisitionListLine
from handel.procurement.requisitions import LineRequest
from tests.checkout.conftest import ADDRESS, shop  # noqa: F401 (a shared fixture)
from tests.companies.conftest import BILLING
from tests.conftest import assert_problem

B2B = {"X-Handel-Channel": "b2b"}


@pytest.fixture
def lists(shop, company_with_roles, make_user) -> dict[str, Any]:  # noqa: F811
    """The company's buyer owns a list with A and B; another company and a consumer exist."""
    company, users, staff = company_with_roles
    other_admin = make_user("admin@other.example")
    other = company_services.register_company(
        user=other_admin, legal_name="Other B.V.", country="NL", billing_address=BILLING
    )
    company_services.approve_company(actor=staff, code=other.code)
    mine = requisitions.create_list(actor=users["buyer"], channel_code="b2b", name="Weekly")
    requisitions.add_lines(
        actor=users["buyer"], list_id=mine.pk, requested=[LineRequest("A", 2, "bay 4"), LineRequest("B", 1)]
    )
    return {
        "company": company,
        "users": {**users, "outsider": other_admin, "consumer": make_user("consumer@example.com")},
        "staff": staff,
        "list": mine,
    }


def share_only(company: Any, staff: Any, skus: list[str]) -> None:
    """Give the company a shared catalog of just these SKUs."""
    catalog_services.save_assortment(actor=None, code=f"shared-{company.code}", name="Shared", skus=skus)
    catalog_services.forget_cached_assortments()
    company_services.update_company(
        actor=staff, code=company.code, changes={"assortment_code": f"shared-{company.code}"}
    )


def cart_of(client: Any) -> str:
    response = client.call("post", "/checkout/carts", headers=B2B)
    assert response.status_code == 201, response.content
    return response.json()["id"]


# -- the domain ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_adding_the_same_sku_raises_the_quantity_and_every_line_is_answered(lists):
    buyer, mine = lists["users"]["buyer"], lists["list"]
    answers = requisitions.add_lines(
        actor=buyer,
        list_id=mine.pk,
        requested=[
            LineRequest("A", 3),
            LineRequest("NOPE", 1),
            LineRequest("MIN", 0),
            LineRequest("MIN", 5, "for site B"),
            LineRequest("MIN", 5),
        ],
    )
    assert [(answer.sku, answer.status) for answer in answers] == [
        ("A", "merged"),
        ("NOPE", "unknown_sku"),
        ("MIN", "invalid_quantity"),
        ("MIN", "added"),
        ("MIN", "merged"),
    ]
    lines = {line.sku: line for line in RequisitionListLine.objects.filter(requisition_list=mine)}
    assert (lines["A"].quantity, lines["A"].note) == (5, "bay 4")
    assert (lines["MIN"].quantity, lines["MIN"].note) == (10, "for site B")
    assert [line.sku for line in queries.lines_of(mine)] == ["A", "B", "MIN"]
    assert AuditEntry.objects.filter(action="requisition_list.lines_added", object_id=str(mine.pk)).count() == 2


@pytest.mark.django_db
def test_csv_import_answers_per_row_and_export_reads_back(lists):
    buyer, mine = lists["users"]["buyer"], lists["list"]
    content = b'SKU;Quantity;Note\nB;4;=HYPERLINK("x")\nGHOST;1\nA;lots\n\nMIN;5\n'
    answers = requisitions.import_csv(actor=buyer, list_id=mine.pk, content=content)
    assert [(answer.sku, answer.status) for answer in answers] == [
        ("B", "merged"),
        ("GHOST", "unknown_sku"),
        ("A", "invalid_quantity"),
        ("MIN", "added"),
    ]
    exported = queries.requisition_list_csv(mine)
    rows = list(csv.reader(io.StringIO(exported)))
    assert rows[0] == ["sku", "quantity", "note"]
    assert rows[1:] == [["A", "2", "bay 4"], ["B", "5", '\'=HYPERLINK("x")'], ["MIN", "5", ""]]
    copy = requisitions.create_list(actor=buyer, channel_code="b2b", name="Copy")
    answers = requisitions.import_csv(actor=buyer, list_id=copy.pk, content=exported.encode())
    assert all(answer.accepted for answer in answers)
    assert [(line.sku, line.quantity) for line in queries.lines_of(copy)] == [("A", 2), ("B", 5), ("MIN", 5)]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "content",
    [b"", b"sku,quantity\n", b"x" * (requisitions.MAX_CSV_BYTES + 1), b"A,1\n" * (requisitions.MAX_LINES + 1)],
)
def test_unreadable_csv_is_refused_and_changes_nothing(lists, content):
    with pytest.raises(requisitions.InvalidInput):
        requisitions.import_csv(actor=lists["users"]["buyer"], list_id=lists["list"].pk, content=content)
    assert RequisitionListLine.objects.filter(requisition_list=lists["list"]).count() == 2


@pytest.mark.django_db
def test_names_are_required_and_lines_are_bounded(lists):
    buyer, mine = lists["users"]["buyer"], lists["list"]
    with pytest.raises(requisitions.InvalidInput):
        requisitions.create_list(actor=buyer, channel_code="b2b", name="   ")
    with pytest.raises(requisitions.InvalidInput):
        requisitions.create_list(actor=buyer, channel_code="nowhere", name="List")
    line = queries.lines_of(mine)[0]
    with pytest.raises(requisitions.InvalidInput):
        requisitions.update_line(actor=buyer, list_id=mine.pk, line_id=line.pk, quantity=0)
    with pytest.raises(requisitions.NotFound):
        requisitions.update_line(actor=buyer, list_id=mine.pk, line_id=10**9, quantity=2)
    assert RequisitionListLine.objects.get(pk=line.pk).quantity == 2


@pytest.mark.django_db
def test_a_product_outside_the_shared_catalog_never_gets_on_a_list_and_is_marked_unavailable(lists):
    company, users, staff, mine = lists["company"], lists["users"], lists["staff"], lists["list"]
    share_only(company, staff, ["A", "MIN"])
    answers = requisitions.add_lines(
        actor=users["buyer"], list_id=mine.pk, requested=[LineRequest("B2B-ONLY", 1), LineRequest("MIN", 5)]
    )
    assert [(answer.status, answer.message) for answer in answers] == [
        ("not_in_assortment", "not in your assortment"),
        ("added", ""),
    ]
    view = {line.sku: line for line in queries.requisition_lines(users["viewer"], mine)}
    assert view["A"].available and view["A"].name == "Product A"
    assert not view["B"].available and view["B"].name == ""  # was on the list before the catalog was shared
    assert "B2B-ONLY" not in view


@pytest.mark.django_db
def test_deleting_is_for_the_owner_or_a_company_admin(lists):
    users, mine = lists["users"], lists["list"]
    other_list = requisitions.create_list(actor=users["admin"], channel_code="b2b", name="Admin's")
    with pytest.raises(requisitions.PermissionDenied):
        requisitions.delete_list(actor=users["buyer"], list_id=other_list.pk)
    requisitions.delete_list(actor=users["admin"], list_id=mine.pk)
    requisitions.delete_list(actor=users["admin"], list_id=other_list.pk)
    assert not RequisitionList.objects.exists()
    assert not RequisitionListLine.objects.exists()
    assert AuditEntry.objects.filter(action="requisition_list.deleted").count() == 2


# -- the API and its permission matrix ------------------------------------------------------------

READ, WRITE, DELETE, CART = "read", "write", "delete", "cart"
ALLOWED = {
    "admin": {READ, WRITE, DELETE, CART},
    "buyer": {READ, WRITE, DELETE, CART},  # the buyer owns the list
    "approver": {READ, CART},  # a cart takes lines from anyone; placing the order checks the role
    "viewer": {READ, CART},
    "outsider": set(),  # the admin of another company
    "consumer": set(),
}


def _actions(mine: RequisitionList) -> list[tuple[str, str, str, Any, int]]:
    line = queries.lines_of(mine)[0].pk
    base = f"/requisition-lists/{mine.pk}"
    return [
        (READ, "get", base, None, 200),
        (READ, "get", f"{base}/export", None, 200),
        (WRITE, "patch", base, {"name": "Renamed"}, 200),
        (WRITE, "post", f"{base}/lines", {"lines": [{"sku": "A", "quantity": 1}]}, 200),
        (WRITE, "patch", f"{base}/lines/{line}", {"quantity": 7}, 200),
        (WRITE, "delete", f"{base}/lines/{line}", None, 200),
        (CART, "post", f"{base}/add-to-cart", {}, 200),
        (DELETE, "delete", base, None, 204),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(ALLOWED))
def test_permission_matrix(lists, api_for, role):
    client = api_for(lists["users"][role])
    mine = lists["list"]
    listed = client.call("get", "/requisition-lists")
    if role == "consumer":
        assert_problem(listed, 404)
    else:
        assert (mine.pk in [item["id"] for item in listed.json()["items"]]) == (READ in ALLOWED[role])
    for kind, method, path, body, success in _actions(mine):
        if kind == CART:
            body = {"cart_id": cart_of(client)}
        response = client.call(method, path, body, headers=B2B)
        if kind in ALLOWED[role]:
            assert response.status_code == success, (role, method, path, response.content)
        else:
            # Outside the company a list does not exist; inside it, the role lacks the right.
            assert_problem(response, 403 if READ in ALLOWED[role] else 404)
    if WRITE not in ALLOWED[role]:
        assert RequisitionList.objects.get(pk=mine.pk).name == "Weekly"
        assert [(line.sku, line.quantity) for line in queries.lines_of(mine)] == [("A", 2), ("B", 1)]
    created = client.call("post", "/requisition-lists", {"name": "Mine"}, headers=B2B)
    if role in ("admin", "buyer", "outsider"):
        assert created.status_code == 201, created.content
        assert created.json()["channel"] == "b2b" and created.json()["can_manage"]
    else:
        assert_problem(created, 404 if role == "consumer" else 403)


@pytest.mark.django_db
def test_add_to_cart_adds_whole_list_or_chosen_lines_with_an_answer_per_line(lists, api_for):
    company, users, staff, mine = lists["company"], lists["users"], lists["staff"], lists["list"]
    client = api_for(users["buyer"])
    requisitions.add_lines(actor=users["buyer"], list_id=mine.pk, requested=[LineRequest("MIN", 7)])
    lines = queries.lines_of(mine)
    cart = cart_of(client)
    response = client.call(
        "post", f"/requisition-lists/{mine.pk}/add-to-cart", {"cart_id": cart, "line_ids": [lines[0].pk]}
    )
    assert response.status_code == 200, response.content
    assert response.json()["added"] == 1
    assert [(line.sku, line.quantity, line.note) for line in Cart.objects.get(public_id=cart).lines.all()] == [
        ("A", 2, "bay 4")
    ]
    share_only(company, staff, ["A", "MIN"])
    response = client.call("post", f"/requisition-lists/{mine.pk}/add-to-cart", {"cart_id": cart})
    answers = {answer["sku"]: answer for answer in response.json()["lines"]}
    assert answers["B"]["status"] == "not_in_assortment" and answers["B"]["quantity"] == 0
    assert answers["MIN"]["status"] == "adjusted" and answers["MIN"]["quantity"] == 10
    assert {(line.sku, line.quantity) for line in Cart.objects.get(public_id=cart).lines.all()} == {
        ("A", 4),
        ("MIN", 10),
    }
    detail = client.call("get", f"/requisition-lists/{mine.pk}").json()
    assert [line["available"] for line in detail["lines"]] == [True, False, True]


@pytest.mark.django_db
def test_add_to_cart_refuses_foreign_lines_carts_and_channels(lists, api_for, make_user):
    users, mine = lists["users"], lists["list"]
    client = api_for(users["buyer"])
    cart = cart_of(client)
    other_list = requisitions.create_list(actor=users["outsider"], channel_code="b2b", name="Theirs")
    assert_problem(client.call("post", f"/requisition-lists/{other_list.pk}/add-to-cart", {"cart_id": cart}), 404)
    assert_problem(
        client.call("post", f"/requisition-lists/{mine.pk}/add-to-cart", {"cart_id": cart, "line_ids": [10**9]}), 422
    )
    someone_elses = cart_of(api_for(users["admin"]))
    assert_problem(client.call("post", f"/requisition-lists/{mine.pk}/add-to-cart", {"cart_id": someone_elses}), 404)
    b2c = client.call("post", "/checkout/carts", headers={"X-Handel-Channel": "b2c"}).json()["id"]
    assert_problem(client.call("post", f"/requisition-lists/{mine.pk}/add-to-cart", {"cart_id": b2c}), 422)
    assert not Cart.objects.get(public_id=cart).lines.exists()


@pytest.mark.django_db
def test_bad_input_gets_problem_json_and_changes_nothing(lists, api_for):
    client = api_for(lists["users"]["buyer"])
    mine = lists["list"]
    line = queries.lines_of(mine)[0].pk
    for method, path, body, status in (
        ("post", "/requisition-lists", {"name": ""}, 422),
        ("post", "/requisition-lists", {"name": "x" * 101}, 422),
        ("post", f"/requisition-lists/{mine.pk}/lines", {"lines": []}, 422),
        ("post", f"/requisition-lists/{mine.pk}/lines", {"lines": [{"sku": "A", "quantity": 0}]}, 422),
        ("patch", f"/requisition-lists/{mine.pk}/lines/{line}", {"quantity": -1}, 422),
        ("patch", f"/requisition-lists/{mine.pk}/lines/999999", {"quantity": 1}, 404),
        ("post", f"/requisition-lists/{mine.pk}/lines/from-order", {"order_number": "ORD-999999"}, 404),
        ("get", "/requisition-lists?page=0", None, 422),
        ("get", "/requisition-lists/999999", None, 404),
    ):
        assert_problem(client.call(method, path, body), status)
    assert [(line.sku, line.quantity) for line in queries.lines_of(mine)] == [("A", 2), ("B", 1)]
    assert RequisitionList.objects.count() == 1


@pytest.mark.django_db
def test_csv_upload_and_export_through_the_api(lists, api_for):
    client = api_for(lists["users"]["buyer"])
    mine = lists["list"]
    upload = SimpleUploadedFile("list.csv", b"sku,quantity,note\nMIN,5,top shelf\nNOPE,2\n", content_type="text/csv")
    response = client.post(
        f"/api/v1/requisition-lists/{mine.pk}/import",
        {"file": upload},
        headers={"Authorization": f"Bearer {client.token}"},
    )
    assert response.status_code == 200, response.content
    assert [(line["sku"], line["status"]) for line in response.json()["lines"]] == [
        ("MIN", "added"),
        ("NOPE", "unknown_sku"),
    ]
    exported = client.call("get", f"/requisition-lists/{mine.pk}/export")
    assert exported["Content-Type"].startswith("text/csv")
    assert exported.content.decode().splitlines()[-1] == "MIN,5,top shelf"


@pytest.mark.django_db
def test_listing_paginates_in_constant_queries(lists, api_for, django_assert_max_num_queries):
    buyer = lists["users"]["buyer"]
    for number in range(30):
        requisitions.create_list(actor=buyer, channel_code="b2b", name=f"List {number}")
    client = api_for(buyer)
    with django_assert_max_num_queries(8):
        page = client.call("get", "/requisition-lists?page_size=25").json()
    assert page["meta"] == {"page": 1, "page_size": 25, "total": 31, "pages": 2}
    assert page["items"][0]["name"] == "List 29"
    assert {item["line_count"] for item in page["items"]} == {0}
    with django_assert_max_num_queries(8):
        last = client.call("get", "/requisition-lists?page=2&page_size=25").json()
    oldest = last["items"][-1]
    assert (oldest["name"], oldest["line_count"], oldest["owner"]) == ("Weekly", 2, buyer.email)


@pytest.mark.django_db(transaction=True)
def test_add_the_products_of_a_past_order(lists, api_for):
    users, mine = lists["users"], lists["list"]
    client = api_for(users["buyer"], scopes=("account", "orders:write"))
    cart = cart_of(client)
    client.call(
        "post", f"/checkout/carts/{cart}/lines", {"lines": [{"sku": "B", "quantity": 3}, {"sku": "MIN", "quantity": 5}]}
    )
    client.call(
        "put", f"/checkout/carts/{cart}/addresses", {"email": users["buyer"].email, "shipping_address": ADDRESS}
    )
    assert client.call("put", f"/checkout/carts/{cart}/delivery", {"code": "flat_rate"}).status_code == 200
    placed = client.call(
        "post", f"/checkout/carts/{cart}/order", {"payment_method": "purchase_order", "purchase_order_number": "P-1"}
    )
    assert placed.status_code == 201, placed.content
    number = placed.json()["order_number"]
    response = client.call("post", f"/requisition-lists/{mine.pk}/lines/from-order", {"order_number": number})
    assert response.status_code == 200, response.content
    assert [(line.sku, line.quantity) for line in queries.lines_of(mine)] == [("A", 2), ("B", 4), ("MIN", 5)]
    # Another company's admin cannot see the order, so it cannot be copied onto their list.
    theirs = requisitions.create_list(actor=users["outsider"], channel_code="b2b", name="Theirs")
    with pytest.raises(requisitions.NotFound):
        requisitions.add_from_order(actor=users["outsider"], list_id=theirs.pk, order_number=number)
    assert not queries.lines_of(theirs)
