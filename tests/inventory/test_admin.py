from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from handel.inventory import services
from handel.inventory.models import Reservation, StockItem
from tests.inventory.conftest import set_stock

pytestmark = pytest.mark.django_db

MODELS = ["source", "stockitem", "stockmovement", "reservation", "stockpolicy", "backinstocksubscription"]


def test_back_office_screens_open(sources, make_user):
    set_stock("CHAIR", "rotterdam", 3)
    services.reserve_stock(reference="ORD-1", channel_code="b2c", lines=[("CHAIR", 1)])
    client = Client()
    client.force_login(make_user(superuser=True))
    for model in MODELS:
        assert client.get(reverse(f"admin:inventory_{model}_changelist")).status_code == 200, model
    source = sources["rotterdam"]
    assert client.get(reverse("admin:inventory_source_change", args=[source.pk])).status_code == 200
    reservation = Reservation.objects.get()
    assert client.get(reverse("admin:inventory_reservation_change", args=[reservation.pk])).status_code == 200


def test_the_release_action_calls_the_service(sources, make_user):
    set_stock("CHAIR", "rotterdam", 3)
    services.reserve_stock(reference="ORD-1", channel_code="b2c", lines=[("CHAIR", 2)])
    client = Client()
    client.force_login(make_user(superuser=True))
    response = client.post(
        reverse("admin:inventory_reservation_changelist"),
        {"action": "release", "_selected_action": [Reservation.objects.get().pk]},
    )
    assert response.status_code == 302
    assert StockItem.objects.get(sku="CHAIR").reserved == 0
