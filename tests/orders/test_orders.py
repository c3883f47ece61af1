from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction

from handel.core.errors import InvalidInput
from handel.core.tokens import SCOPES
from handel.orders import lifecycle, services
from handel.orders.models import Order, OrderLine
from tests.conftest import assert_problem
from tests.orders.conftest import line, snapshot


@pytest.mark.django_db
def test_a_recorded_order_is_a_snapshot_with_a_human_number(place):
    first, second = place(), place()
    assert first.number == "ORD-000001" and second.number == "ORD-000002"
    assert first.status == lifecycle.PENDING_PAYMENT
    assert first.grand_total == Decimal("175.45")  # 200 + 40 net, 21 % tax, 5 shipping
    assert [(item.sku, item.quantity) for item in first.lines.all()] == [("DRILL-1", 2), ("SAW-2", 1)]
    assert first.billing_address["city"] == "Amsterdam"
    assert first.events.get().kind == "placed"


@pytest.mark.django_db
def test_totals_must_add_up_to_the_cent():
    bad = snapshot()
    bad = bad.__class__(**{**bad.__dict__, "grand_total": bad.grand_total + Decimal("0.01")})
    with pytest.raises(InvalidInput) as refused, transaction.atomic():
        services.record_order(snapshot=bad)
    assert refused.value.slug == "order-totals-mismatch"
    with pytest.raises(InvalidInput), transaction.atomic():
        services.record_order(snapshot=snapshot(lines=()))
    assert not Order.objects.exists()


@pytest.mark.django_db
def test_order_lines_cannot_be_changed_in_place(place):
    order = place()
    item = order.lines.first()
    item.quantity = 99
    with pytest.raises(RuntimeError):
        item.save()
    assert OrderLine.objects.get(pk=item.pk).quantity == 2


# The targets are sets: sorted, every xdist worker collects the same test ids in the same order.
VALID = [(a, b) for a, targets in lifecycle.TRANSITIONS.items() for b in sorted(targets)]
INVALID = [
    (a, b) for a in lifecycle.TRANSITIONS for b in lifecycle.TRANSITIONS if b not in lifecycle.TRANSITIONS[a] and a != b
]


@pytest.mark.django_db
@pytest.mark.parametrize(("start", "target"), INVALID)
def test_invalid_transitions_are_refused(place, make_user, start, target):
    order = place()
    Order.objects.filter(pk=order.pk).update(status=start)
    with pytest.raises(services.InvalidTransition):
        services.transition_order(number=order.number, to=target, actor=make_user(staff=True))
    order.refresh_from_db()
    assert order.status == start


@pytest.mark.django_db
@pytest.mark.parametrize(("start", "target"), [(a, b) for a, b in VALID if a != lifecycle.ON_HOLD])
def test_valid_transitions_are_recorded_with_actor_and_time(place, make_user, start, target):
    staff = make_user(staff=True)
    order = place()
    Order.objects.filter(pk=order.pk).update(status=start)
    services.transition_order(number=order.number, to=target, actor=staff, reason="test")
    order.refresh_from_db()
    assert order.status == target
    event = order.events.filter(kind="status_changed").get()
    assert (event.from_status, event.to_status, event.actor) == (start, target, staff)


@pytest.mark.django_db
def test_hold_and_release_return_to_where_the_order_was(place, make_user):
    staff = make_user(staff=True)
    order = place()
    services.transition_order(number=order.number, to=lifecycle.PROCESSING, actor=staff)
    services.hold_order(number=order.number, actor=staff, reason="address check")
    with pytest.raises(services.InvalidTransition):
        services.transition_order(number=order.number, to=lifecycle.SHIPPED, actor=staff)
    order = services.release_order(number=order.number, actor=staff)
    assert order.status == lifecycle.PROCESSING


@pytest.mark.django_db(transaction=True)
def test_cancelling_voids_the_payment_and_gives_back_company_credit(make_user):
    from handel.companies import services as company_services
    from handel.companies.models import CompanyCredit
    from handel.payments import services as payment_services
    from handel.payments.providers import test_gateway
    from tests.companies.conftest import BILLING

    admin = make_user("boss@acme.example")
    company = company_services.register_company(user=admin, legal_name="Acme", country="NL", billing_address=BILLING)
    staff = make_user(superuser=True)
    company_services.approve_company(actor=staff, code=company.code)
    company_services.set_credit_terms(actor=staff, company_code=company.code, credit_limit=Decimal("1000.00"))
    with transaction.atomic():
        on_account = services.record_order(snapshot=snapshot(payment_method="on_account", company_id=company.pk))
        company_services.charge_on_account(
            company_code=company.code, amount=on_account.grand_total, reference=on_account.number
        )
    with transaction.atomic():
        by_card = services.record_order(snapshot=snapshot())
    payment = payment_services.start_payment(
        reference=by_card.number,
        method="card",
        amount=by_card.grand_total,
        currency="EUR",
        card={"number": test_gateway.APPROVED, "expiry": "12/39", "cvc": "123"},
    )
    by_card.refresh_from_db()
    assert by_card.status == lifecycle.PROCESSING  # the payment.authorized event moved it
    services.cancel_order(number=by_card.number, actor=staff, reason="customer asked")
    services.cancel_order(number=on_account.number, actor=staff, reason="customer asked")
    payment.refresh_from_db()
    assert payment.status == "voided"
    assert CompanyCredit.objects.get(company=company).balance == Decimal("0.00")


@pytest.mark.django_db
def test_an_edit_reprices_and_keeps_the_previous_version(place, make_user):
    staff = make_user(staff=True)
    order = place()
    edited = services.edit_order(
        number=order.number,
        snapshot=snapshot(lines=(line(quantity=3, net="150.00"),)),
        actor=staff,
        reason="customer called: 3 drills, no saw",
    )
    assert edited.version == 2 and edited.lines.count() == 1
    event = edited.events.get(kind="edited")
    assert event.data["previous"]["grand_total"] == "175.45"
    Order.objects.filter(pk=order.pk).update(status=lifecycle.SHIPPED)
    with pytest.raises(services.Conflict):
        services.edit_order(number=order.number, snapshot=snapshot(), actor=staff, reason="too late")


@pytest.mark.django_db
def test_customers_see_only_their_own_orders_and_never_by_guessing(place, make_user, api_for):
    owner, other = make_user(), make_user()
    mine = place(customer_id=owner.pk)
    place(customer_id=other.pk)
    listing = api_for(owner).call("get", "/orders").json()
    assert [item["number"] for item in listing["items"]] == [mine.number]
    detail = api_for(owner).call("get", f"/orders/{mine.number}").json()
    assert detail["customer_status"] == "We are waiting for your payment." and len(detail["lines"]) == 2
    assert_problem(api_for(other).call("get", f"/orders/{mine.number}"), 404)
    assert_problem(api_for(other).call("get", "/orders/ORD-999999"), 404)


@pytest.mark.django_db
def test_company_users_see_company_orders_only_with_the_permission(place, company_with_roles, api_for):
    company, users, _ = company_with_roles
    order = place(customer_id=users["buyer"].pk, company_id=company.pk)
    assert api_for(users["approver"]).call("get", f"/orders/{order.number}").status_code == 200
    assert api_for(users["viewer"]).call("get", f"/orders/{order.number}").status_code == 404
    assert api_for(users["buyer"]).call("get", f"/orders/{order.number}").status_code == 200


@pytest.mark.django_db
def test_staff_move_orders_through_the_api(place, make_user, api_for):
    order = place()
    staff = api_for(make_user(superuser=True), scopes=tuple(SCOPES))
    response = staff.call("post", f"/orders/{order.number}/status", {"status": "processing", "reason": "paid"})
    assert response.status_code == 200 and response.json()["status"] == "processing"
    assert_problem(staff.call("post", f"/orders/{order.number}/status", {"status": "delivered"}), 409)
    assert_problem(staff.call("post", f"/orders/{order.number}/status", {"status": "teleported"}), 422)
    customer = api_for(make_user())
    assert_problem(customer.call("post", f"/orders/{order.number}/status", {"status": "cancelled"}), 403)


@pytest.mark.django_db
def test_listing_orders_costs_the_same_queries_for_any_page_size(
    place, make_user, api_for, django_assert_max_num_queries
):
    owner = make_user()
    for _ in range(25):
        place(customer_id=owner.pk)
    client = api_for(owner)
    for size in (5, 25):
        with django_assert_max_num_queries(8):
            assert len(client.call("get", f"/orders?page_size={size}").json()["items"]) == size
