"""B2B account pages: requisition lists (list, create, edit lines, CSV in and out, into the cart,
quick add from the product page) and company admins managing their users. Plain forms with
CSRF; users without the permission are refused and change nothing."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from handel.checkout.models import Cart
from handel.companies.models import CompanyMember
from handel.procurement import queries, requisitions
from handel.procurement.models import RequisitionList, RequisitionListLine
from handel.procurement.requisitions import LineRequest
from tests.checkout.conftest import shop  # noqa: F401 (a shared fixture)
from tests.companies.conftest import BILLING, company_with_roles  # noqa: F401 (a shared fixture)

pytestmark = pytest.mark.django_db


def signed_in(user: Any, *, csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    client.force_login(user)
    session = client.session
    session["channel"] = "b2b"
    session.save()
    return client


def csrf_token(client: Client, path: str) -> str:
    page = client.get(path)
    return re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.content).group(1).decode()


@pytest.fixture
def setup(shop, company_with_roles, make_user) -> dict[str, Any]:  # noqa: F811
    company, users, staff = company_with_roles
    from handel.companies import services as company_services

    outsider = make_user("admin@other.example")
    other = company_services.register_company(user=outsider, legal_name="Other", country="NL", billing_address=BILLING)
    company_services.approve_company(actor=staff, code=other.code)
    weekly = requisitions.create_list(actor=users["buyer"], channel_code="b2b", name="Weekly")
    requisitions.add_lines(
        actor=users["buyer"], list_id=weekly.pk, requested=[LineRequest("A", 2), LineRequest("B", 1)]
    )
    return {"company": company, "users": {**users, "outsider": outsider}, "list": weekly}


def test_every_company_user_sees_the_lists_and_only_buyers_get_forms(setup, django_assert_max_num_queries):
    users, weekly = setup["users"], setup["list"]
    for number in range(25):
        requisitions.create_list(actor=users["buyer"], channel_code="b2b", name=f"List {number}")
    for role, forms in (("admin", True), ("buyer", True), ("approver", False), ("viewer", False)):
        client = signed_in(users[role])
        with django_assert_max_num_queries(12):
            page = client.get("/account/requisition-lists/")
        assert page.status_code == 200
        assert b"List 24" in page.content and b"Weekly" not in page.content  # second page
        assert (b"Create list" in page.content) is forms
        assert b"Weekly" in client.get("/account/requisition-lists/?page=2").content
        detail = client.get(f"/account/requisition-lists/{weekly.pk}/")
        assert detail.status_code == 200 and b"Product A" in detail.content
        assert (b"Add a product" in detail.content) is forms
        assert b"Add all to cart" in detail.content
    outsider = signed_in(users["outsider"])
    assert b"Weekly" not in outsider.get("/account/requisition-lists/?page=2").content
    assert outsider.get(f"/account/requisition-lists/{weekly.pk}/").status_code == 404
    assert outsider.get(f"/account/requisition-lists/{weekly.pk}/export/").status_code == 404
    assert Client().get("/account/requisition-lists/").status_code == 302  # to the sign-in page


def test_a_buyer_creates_a_list_and_edits_its_lines(setup):
    buyer = signed_in(setup["users"]["buyer"])
    response = buyer.post("/account/requisition-lists/", {"name": "Site B", "description": "monthly"})
    created = RequisitionList.objects.get(name="Site B")
    assert response.status_code == 302 and response["Location"] == f"/account/requisition-lists/{created.pk}/"
    assert created.channel_code == "b2b"
    base = f"/account/requisition-lists/{created.pk}"
    buyer.post(f"{base}/lines/", {"sku": "A", "quantity": "3", "note": "bay 4"})
    buyer.post(f"{base}/lines/", {"sku": "A", "quantity": "2"})
    response = buyer.post(f"{base}/lines/", {"sku": "GHOST", "quantity": "1"}, follow=True)
    assert b"GHOST: no product has this SKU" in response.content
    line = queries.lines_of(created)[0]
    assert (line.sku, line.quantity, line.note) == ("A", 5, "bay 4")
    buyer.post(f"{base}/lines/{line.pk}/", {"quantity": "8", "note": "top shelf"})
    line.refresh_from_db()
    assert (line.quantity, line.note) == (8, "top shelf")
    response = buyer.post(f"{base}/lines/{line.pk}/", {"quantity": "zero", "note": ""}, follow=True)
    assert b"whole number" in response.content
    line.refresh_from_db()
    assert line.quantity == 8
    buyer.post(f"{base}/rename/", {"name": "Site C", "description": ""})
    assert RequisitionList.objects.get(pk=created.pk).name == "Site C"
    buyer.post(f"{base}/lines/{line.pk}/remove/")
    assert not queries.lines_of(created)
    assert buyer.post(f"{base}/delete/").status_code == 302
    assert not RequisitionList.objects.filter(pk=created.pk).exists()


def test_csv_upload_and_export_pages(setup):
    buyer, weekly = signed_in(setup["users"]["buyer"]), setup["list"]
    base = f"/account/requisition-lists/{weekly.pk}"
    upload = SimpleUploadedFile("lines.csv", b"sku,quantity,note\nMIN,5,spare\nB2,1\n", content_type="text/csv")
    response = buyer.post(f"{base}/import/", {"file": upload}, follow=True)
    assert b"1 line added." in response.content and b"B2: no product has this SKU" in response.content
    exported = buyer.get(f"{base}/export/")
    assert exported["Content-Type"].startswith("text/csv")
    assert exported.content.decode().splitlines() == ["sku,quantity,note", "A,2,", "B,1,", "MIN,5,spare"]
    response = buyer.post(f"{base}/import/", {}, follow=True)
    assert b"Choose a CSV file." in response.content


def test_add_all_or_selected_lines_to_the_cart(setup):
    buyer_user, weekly = setup["users"]["buyer"], setup["list"]
    buyer = signed_in(buyer_user)
    lines = queries.lines_of(weekly)
    base = f"/account/requisition-lists/{weekly.pk}"
    response = buyer.post(f"{base}/cart/", {"line": [str(lines[1].pk)]})
    assert response.status_code == 302 and response["Location"] == "/cart/"
    cart = Cart.objects.get(customer=buyer_user, status="open")
    assert [(line.sku, line.quantity) for line in cart.lines.all()] == [("B", 1)]
    buyer.post(f"{base}/cart/", {"all": "1"})
    assert sorted((line.sku, line.quantity) for line in cart.lines.all()) == [("A", 2), ("B", 2)]
    response = buyer.post(f"{base}/cart/", {}, follow=True)
    assert b"Tick the lines to add" in response.content
    viewer = signed_in(setup["users"]["viewer"])
    assert viewer.post(f"{base}/cart/", {"all": "1"}).status_code == 302  # reading lets a user fill their cart
    assert signed_in(setup["users"]["outsider"]).post(f"{base}/cart/", {"all": "1"}).status_code == 404


def test_quick_add_from_the_product_page(setup):
    users, weekly = setup["users"], setup["list"]
    admin = signed_in(users["admin"])
    response = admin.post("/account/requisition-lists/add/", {"sku": "MIN", "quantity": "5"})
    mine = RequisitionList.objects.get(owner=users["admin"])
    assert mine.name == "My list" and response["Location"] == f"/account/requisition-lists/{mine.pk}/"
    admin.post("/account/requisition-lists/add/", {"sku": "MIN", "quantity": "5", "next": "/p/MIN/"})
    assert [(line.sku, line.quantity) for line in queries.lines_of(mine)] == [("MIN", 10)]
    buyer = signed_in(users["buyer"])
    response = buyer.post("/account/requisition-lists/add/", {"sku": "DIG", "next": "https://evil.example/"})
    assert response["Location"] == f"/account/requisition-lists/{weekly.pk}/"  # the buyer's latest list
    buyer.post("/account/requisition-lists/add/", {"sku": "A", "quantity": "1", "list": str(mine.pk)})
    assert [(line.sku, line.quantity) for line in queries.lines_of(mine)] == [("MIN", 10), ("A", 1)]
    assert [line.sku for line in queries.lines_of(weekly)] == ["A", "B", "DIG"]


@pytest.mark.parametrize("role", ["approver", "viewer", "outsider"])
def test_users_without_the_permission_change_nothing(setup, role):
    client, weekly = signed_in(setup["users"][role]), setup["list"]
    line = queries.lines_of(weekly)[0]
    base = f"/account/requisition-lists/{weekly.pk}"
    # (The outsider may keep lists of their own company; these are refused to roles that only read.)
    own_lists = (
        []
        if role == "outsider"
        else [
            ("/account/requisition-lists/", {"name": "Mine"}),
            ("/account/requisition-lists/add/", {"sku": "A", "quantity": "1"}),
        ]
    )
    for path, data in (
        *own_lists,
        (f"{base}/rename/", {"name": "Renamed"}),
        (f"{base}/lines/", {"sku": "A", "quantity": "1"}),
        (f"{base}/lines/{line.pk}/", {"quantity": "9"}),
        (f"{base}/lines/{line.pk}/remove/", {}),
        (f"{base}/import/", {"file": SimpleUploadedFile("x.csv", b"A,1\n")}),
        (f"{base}/from-order/", {"order_number": "ORD-1"}),
        (f"{base}/delete/", {}),
    ):
        assert client.post(path, data).status_code == 404, path
    assert list(RequisitionList.objects.values_list("name", flat=True)) == ["Weekly"]
    assert [(line.sku, line.quantity) for line in RequisitionListLine.objects.order_by("position")] == [
        ("A", 2),
        ("B", 1),
    ]


def test_forms_without_csrf_are_refused(setup):
    users, weekly = setup["users"], setup["list"]
    client = signed_in(users["buyer"], csrf=True)
    base = f"/account/requisition-lists/{weekly.pk}"
    assert client.post("/account/requisition-lists/", {"name": "Mine"}).status_code == 403
    assert client.post(f"{base}/lines/", {"sku": "A", "quantity": "1"}).status_code == 403
    assert client.post(f"{base}/cart/", {"all": "1"}).status_code == 403
    assert client.post("/account/requisition-lists/add/", {"sku": "A"}).status_code == 403
    member = CompanyMember.objects.get(user=users["viewer"])
    admin = signed_in(users["admin"], csrf=True)
    assert admin.post(f"/account/company/users/{member.pk}/", {"status": "deactivated"}).status_code == 403
    assert RequisitionList.objects.count() == 1
    token = csrf_token(client, base + "/")
    assert (
        client.post(f"{base}/lines/", {"sku": "MIN", "quantity": "5", "csrfmiddlewaretoken": token}).status_code == 302
    )
    assert [line.sku for line in queries.lines_of(weekly)] == ["A", "B", "MIN"]


def test_company_admins_change_roles_and_deactivate_users(setup):
    users = setup["users"]
    admin = signed_in(users["admin"])
    page = admin.get("/account/company/")
    assert b"Change role" in page.content and b"Deactivate" in page.content
    assert b"Requisition lists" in page.content
    viewer = CompanyMember.objects.get(user=users["viewer"])
    assert admin.post(f"/account/company/users/{viewer.pk}/", {"role": "buyer"}).status_code == 302
    viewer.refresh_from_db()
    assert viewer.role.code == "buyer"
    admin.post(f"/account/company/users/{viewer.pk}/", {"status": "deactivated"})
    viewer.refresh_from_db()
    assert viewer.status == "deactivated"
    assert signed_in(users["viewer"]).get("/account/requisition-lists/").status_code == 404
    admin.post(f"/account/company/users/{viewer.pk}/", {"status": "active"})
    viewer.refresh_from_db()
    assert viewer.status == "active"
    me = CompanyMember.objects.get(user=users["admin"])
    response = admin.post(f"/account/company/users/{me.pk}/", {"role": "viewer"}, follow=True)
    assert b"at least one active user who can manage users" in response.content
    assert CompanyMember.objects.get(pk=me.pk).role.code == "admin"
    buyer = signed_in(users["buyer"])
    assert buyer.post(f"/account/company/users/{viewer.pk}/", {"role": "admin"}).status_code == 404
    assert b"Change role" not in buyer.get("/account/company/").content
    outsider_member = CompanyMember.objects.get(user=users["outsider"])
    response = admin.post(f"/account/company/users/{outsider_member.pk}/", {"status": "deactivated"}, follow=True)
    assert b"no such company user" in response.content
    assert CompanyMember.objects.get(pk=outsider_member.pk).status == "active"


def test_the_account_overview_links_company_users_to_their_lists(setup, make_user):
    assert b"/account/requisition-lists/" in signed_in(setup["users"]["viewer"]).get("/account/").content
    assert b"/account/requisition-lists/" not in signed_in(make_user("shopper@example.com")).get("/account/").content
