"""The events of one placement are delivered in the order they happened, whatever the payment
method: events go out in id order, so the invoice handler must not see a payment before its order."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction

from handel.core.models import AuditEntry, OutboxEvent
from handel.payments import services as payment_services
from tests.checkout.flow import place, ready_cart

pytestmark = pytest.mark.django_db


def test_a_store_credit_order_reports_the_order_before_its_payment(api_for, shop, make_user):
    customer = make_user()
    with transaction.atomic():
        payment_services.grant_store_credit(
            customer_id=customer.pk, currency="EUR", amount=Decimal("500.00"), reference="CM-1"
        )
    client = api_for(customer, scopes=("orders:write",))
    cart = ready_cart(client)
    OutboxEvent.objects.all().delete()
    AuditEntry.objects.all().delete()
    response = place(client, cart, "store_credit")
    assert response.status_code == 201, response.content
    events = list(OutboxEvent.objects.order_by("id").values_list("name", flat=True))
    assert events.index("order.placed") < events.index("payment.authorized") < events.index("payment.captured")
    actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
    assert actions.index("reservation.created") < actions.index("payment.captured")
