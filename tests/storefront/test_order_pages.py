"""Account pages for orders, documents, returns, statements and the B2B company."""

from __future__ import annotations

import pytest
from django.test import Client

from handel.orders import lifecycle, services
from handel.orders.models import Order, ReturnRequest
from tests.companies.conftest import company_with_roles  # noqa: F401 (a shared fixture)
from tests.orders.conftest import place  # noqa: F401 (a shared fixture)
from tests.procurement.test_approvals import approval_setup, submit  # noqa: F401 (shared fixtures)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_order_history_search_and_detail_with_tracking_and_documents(place, make_user, channels):  # noqa: F811
    owner, stranger = make_user(), make_user()
    order = place(customer_id=owner.pk, purchase_order_number="PO-77")
    place(customer_id=owner.pk)
    services.transition_order(number=order.number, to=lifecycle.PROCESSING, actor=None)
    shipment = services.create_shipment(
        order_number=order.number, source_code="rotterdam", carrier="postnl", tracking_number="3SABC"
    )
    invoice = services.issue_invoice(order_number=order.number)
    client = signed_in(owner)
    listing = client.get("/account/orders/?q=PO-77").content.decode()
    assert order.number in listing and "ORD-000002" not in listing
    detail = client.get(f"/account/orders/{order.number}/").content.decode()
    assert "We are preparing your order." in detail
    assert "https://jouw.postnl.nl/track-and-trace/3SABC-NL-1012LG" in detail and shipment.number in detail
    assert f"/account/invoices/{invoice.number}.pdf" in detail
    assert client.get(f"/account/invoices/{invoice.number}.pdf").content.startswith(b"%PDF")
    intruder = signed_in(stranger)
    assert intruder.get(f"/account/orders/{order.number}/").status_code == 404
    assert intruder.get(f"/account/invoices/{invoice.number}.pdf").status_code == 404
    assert Client().get("/account/orders/").status_code == 302


@pytest.mark.django_db
def test_a_return_is_requested_on_the_page(place, make_user, channels):  # noqa: F811
    owner = make_user()
    order = place(customer_id=owner.pk)
    Order.objects.filter(pk=order.pk).update(status=lifecycle.DELIVERED)
    client = signed_in(owner)
    page = client.get(f"/account/orders/{order.number}/return/")
    assert page.status_code == 200 and "DRILL-1" in page.content.decode()
    bad = client.post(f"/account/orders/{order.number}/return/", {"quantity-1": "0", "resolution": "refund"})
    assert bad.status_code == 422 and not ReturnRequest.objects.exists()
    done = client.post(
        f"/account/orders/{order.number}/return/",
        {"quantity-1": "1", "reason-1": "damaged", "condition-1": "opened", "resolution": "refund"},
    )
    assert done.status_code == 302
    assert "RMA-000001" in client.get("/account/returns/").content.decode()


@pytest.mark.django_db
def test_statement_page_and_downloads(place, make_user, channels):  # noqa: F811
    owner = make_user()
    services.issue_invoice(order_number=place(customer_id=owner.pk).number)
    client = signed_in(owner)
    page = client.get("/account/statement/").content.decode()
    assert "175.45" in page and "INV-000001" in page
    assert client.get("/account/statement/?format=csv")["Content-Type"] == "text/csv"
    assert client.get("/account/statement/?format=pdf").content.startswith(b"%PDF")


@pytest.mark.django_db
def test_company_pages_invite_and_approve(approval_setup, channels):  # noqa: F811
    company, users, _ = approval_setup
    admin = signed_in(users["admin"])
    page = admin.get("/account/company/").content.decode()
    assert company.legal_name in page and "buyer@acme.example" in page
    response = admin.post("/account/company/", {"email": "new@acme.example", "role": "viewer"})
    assert response.status_code == 302
    assert "new@acme.example" in admin.get("/account/company/").content.decode()
    viewer_page = signed_in(users["viewer"]).get("/account/company/").content.decode()
    assert "buyer@acme.example" not in viewer_page  # only user managers see the users
    po = submit(users["buyer"], "1500.00")
    waiting = admin.get("/account/purchase-orders/").content.decode()
    assert po.number in waiting
    admin.post(f"/account/purchase-orders/{po.number}/decide/", {"decision": "approve", "comment": "ok"})
    po.refresh_from_db()
    assert po.status == "approved"
    assert signed_in(users["viewer"]).get(f"/account/purchase-orders/{po.number}/").status_code == 404


@pytest.mark.django_db
def test_order_again_reports_what_cannot_be_had(place, make_user, channels):  # noqa: F811
    owner, stranger = make_user(), make_user()
    order = place(customer_id=owner.pk)
    client = signed_in(owner)
    response = client.post(f"/account/orders/{order.number}/reorder/", follow=True)
    assert response.status_code == 200
    shown = [str(message) for message in response.context["messages"]]
    assert any(text.startswith("DRILL-1:") for text in shown), shown  # not in the catalog: reported, not added
    assert signed_in(stranger).post(f"/account/orders/{order.number}/reorder/").status_code == 404
    assert client.get(f"/account/orders/{order.number}/reorder/").status_code == 405
