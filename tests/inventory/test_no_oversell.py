"""No overselling: 20 processes buy the last 5 units at once, on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import multiprocessing

import pytest
from django.db import connections

from handel.inventory import queries, services
from handel.inventory.models import Reservation, StockItem
from tests.conftest import ApiClient
from tests.inventory.conftest import set_stock

BUYERS = 20
UNITS = 5


def _buy_one(queue: multiprocessing.Queue, token: str, index: int) -> None:
    connections.close_all()
    try:
        response = ApiClient(token=token).call(
            "post",
            "/inventory/reservations",
            {
                "reference": f"ORD-{index:03d}",
                "channel": "b2c",
                "lines": [{"sku": "LAST-CHAIR", "quantity": 1}],
                "ship_to_country": "NL",
                "ship_to_postcode": "3011 AD",
            },
        )
        body = json.loads(response.content)
        queue.put((response.status_code, body.get("type"), body.get("detail")))
    except Exception as exc:  # report, never hang the parent
        queue.put((0, type(exc).__name__, str(exc)))
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_twenty_buyers_for_the_last_five_units(sources, make_user, api_for):
    set_stock("LAST-CHAIR", "rotterdam", 3)
    set_stock("LAST-CHAIR", "venlo", 2)
    staff = make_user(staff=True, perms=["inventory.add_reservation"])
    token = api_for(staff, scopes=("inventory:write",)).token
    connections.close_all()
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    buyers = [context.Process(target=_buy_one, args=(queue, token, index)) for index in range(BUYERS)]
    for buyer in buyers:
        buyer.start()
    answers = [queue.get(timeout=180) for _ in buyers]
    for buyer in buyers:
        buyer.join(timeout=60)
        assert buyer.exitcode == 0

    won = [answer for answer in answers if answer[0] == 201]
    lost = [answer for answer in answers if answer[0] != 201]
    assert len(won) == UNITS, answers
    assert all(status == 409 and kind == "urn:handel:problem:out-of-stock" for status, kind, _ in lost), lost
    assert queries.salable_quantities(["LAST-CHAIR"], "b2c") == {"LAST-CHAIR": 0}
    assert Reservation.objects.filter(status="active").count() == UNITS

    for reference in Reservation.objects.values_list("reference", flat=True):
        services.ship_reservation(reference=reference)
    assert sum(StockItem.objects.filter(sku="LAST-CHAIR").values_list("on_hand", flat=True)) == 0
    assert sum(StockItem.objects.filter(sku="LAST-CHAIR").values_list("reserved", flat=True)) == 0
    assert queries.verify_ledger() == []
