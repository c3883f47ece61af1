"""Staff acting on behalf of a customer: only staff with the permission, never as staff; the
storefront shows it on every page; every audit record written meanwhile names both; an order placed
meanwhile is recorded as placed by staff on the customer's behalf; stopping restores the staff
member's own session."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from handel.core.models import AuditEntry
from handel.orders.models import Order
from tests.checkout.conftest import ADDRESS, shop  # noqa: F401 (a shared fixture)
from tests.companies.conftest import company_with_roles  # noqa: F401 (a shared fixture)

pytestmark = pytest.mark.django_db

PERMISSION = "customers.act_on_behalf"


@pytest.fixture
def staff(make_user: Any) -> Any:
    return make_user("helpdesk@handel.example", staff=True, perms=[PERMISSION, "customers.change_user"])


@pytest.fixture
def customer(make_user: Any) -> Any:
    return make_user("ann@example.com", first_name="Ann")


def _client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _start(client: Client, target: Any) -> Any:
    return client.post(reverse("acting_start", args=[target.public_id]))


def _banner(response: Any) -> str:
    html = response.content.decode()
    return html[html.index("<aside") : html.index("</aside>")] if 'class="acting-banner"' in html else ""


def test_staff_act_as_a_consumer_with_a_banner_then_stop(channels, staff, customer):
    client = _client_for(staff)
    page = client.get(reverse("admin:customers_user_change", args=[customer.pk]))
    assert reverse("acting_start", args=[customer.public_id]) in page.content.decode()

    response = _start(client, customer)
    assert response.status_code == 302 and response["Location"] == reverse("home")
    home = client.get(reverse("home"))
    banner = _banner(home)
    assert "You are acting as <strong>ann@example.com</strong>" in banner
    assert "on behalf of <strong>helpdesk@handel.example</strong>" in banner
    assert reverse("acting_stop") in banner
    assert _banner(client.get(reverse("account"))), "every storefront page shows the banner"
    assert client.get("/api/v1/me").json()["email"] == customer.email
    # The back office still knows the staff member.
    assert client.get(reverse("admin:index")).status_code == 200

    stopped = client.post(reverse("acting_stop"))
    assert stopped["Location"] == reverse("admin:customers_user_change", args=[customer.pk])
    assert not _banner(client.get(reverse("home")))
    assert client.get("/api/v1/me").json()["email"] == staff.email
    actions = list(AuditEntry.objects.filter(object_id=str(customer.pk)).values_list("action", "actor_id"))
    assert ("customer.acting_started", staff.pk) in actions
    assert ("customer.acting_stopped", staff.pk) in actions


def test_every_audit_record_while_acting_names_staff_and_customer(channels, staff, customer):
    client = _client_for(staff)
    _start(client, customer)
    response = client.patch("/api/v1/me", {"first_name": "Anna"}, content_type="application/json")
    assert response.status_code == 200, response.content
    entry = AuditEntry.objects.get(action="customer.profile_updated")
    assert entry.actor_id == customer.pk
    assert entry.data["acting_staff"] == {"id": staff.pk, "email": staff.email}
    assert entry.actor_label == "helpdesk@handel.example on behalf of ann@example.com"
    # Outside acting nothing is marked.
    _client_for(customer).patch("/api/v1/me", {"first_name": "Ann"}, content_type="application/json")
    own = AuditEntry.objects.filter(action="customer.profile_updated").order_by("-id").first()
    assert own is not None and "acting_staff" not in own.data and own.actor_label == customer.email


def test_an_order_placed_while_acting_for_a_company_user_is_marked(shop, staff, company_with_roles):  # noqa: F811
    _, users, _ = company_with_roles
    buyer = users["buyer"]
    client = _client_for(staff)
    assert _start(client, buyer).status_code == 302
    headers = {"X-Handel-Channel": "b2b"}

    def call(method: str, path: str, payload: Any = None) -> Any:
        return getattr(client, method)(
            f"/api/v1/checkout{path}", payload, content_type="application/json", headers=headers
        )

    cart = call("post", "/carts").json()["id"]
    assert call("post", f"/carts/{cart}/lines", {"lines": [{"sku": "A", "quantity": 2}]}).status_code == 200
    call("put", f"/carts/{cart}/addresses", {"email": buyer.email, "shipping_address": ADDRESS})
    assert call("put", f"/carts/{cart}/delivery", {"code": "flat_rate"}).status_code == 200
    placed = call("post", f"/carts/{cart}/order", {"payment_method": "purchase_order", "purchase_order_number": "P1"})
    assert placed.status_code == 201, placed.content
    order = Order.objects.get(number=placed.json()["order_number"])
    assert order.customer_id == buyer.pk
    entry = AuditEntry.objects.get(action="order.placed", object_id=str(order.pk))
    assert entry.actor_id == buyer.pk and entry.data["acting_staff"]["id"] == staff.pk


@pytest.mark.parametrize(
    "who",
    ["anonymous", "customer", "staff_without_permission"],
)
def test_only_staff_with_the_permission_may_act(channels, make_user, customer, who):
    client = Client()
    if who == "customer":
        client.force_login(make_user())
    elif who == "staff_without_permission":
        client.force_login(make_user(staff=True, perms=["customers.change_user"]))
    response = _start(client, customer)
    assert response.status_code == 403
    assert not _banner(client.get(reverse("home")))
    assert not AuditEntry.objects.filter(action="customer.acting_started").exists()


def test_nobody_acts_as_staff_a_superuser_or_a_closed_account(channels, make_user, staff):
    client = _client_for(staff)
    for target in (
        make_user(staff=True),
        make_user(superuser=True),
        make_user(is_active=False),
        staff,
    ):
        assert _start(client, target).status_code == 403
    assert client.post(reverse("acting_start", args=["00000000-0000-0000-0000-000000000000"])).status_code == 404
    assert client.get(reverse("acting_start", args=[staff.public_id])).status_code == 405
    assert not AuditEntry.objects.filter(action="customer.acting_started").exists()


def test_acting_ends_when_the_permission_is_withdrawn(channels, staff, customer):
    client = _client_for(staff)
    _start(client, customer)
    assert _banner(client.get(reverse("home")))
    staff.user_permissions.clear()
    assert not _banner(client.get(reverse("home")))
    assert client.get("/api/v1/me").json()["email"] == staff.email


def test_while_acting_staff_cannot_start_acting_again(channels, staff, customer, make_user):
    client = _client_for(staff)
    _start(client, customer)
    assert _start(client, make_user()).status_code == 403
    assert "ann@example.com" in _banner(client.get(reverse("home")))
