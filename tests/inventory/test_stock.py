"""Movements, transfers, ERP feeds (API service, CSV) and the ledger check."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from handel.core.errors import Conflict, InvalidInput
from handel.inventory import queries, services
from handel.inventory.feeds import parse_stock_csv
from handel.inventory.models import StockItem, StockMovement
from handel.inventory.services import StockUpdate
from tests.inventory.conftest import set_stock

pytestmark = pytest.mark.django_db


def on_hand(sku, source):
    return StockItem.objects.get(sku=sku, source__code=source).on_hand


def test_receipts_adjustments_and_returns_are_ledger_rows(sources):
    services.record_movement(
        actor=None, kind="receipt", source_code="rotterdam", sku="CHAIR", quantity=10, reference="PO-1"
    )
    services.record_movement(
        actor=None,
        kind="adjustment",
        source_code="rotterdam",
        sku="CHAIR",
        quantity=-2,
        reason="damaged in the warehouse",
    )
    services.record_movement(
        actor=None, kind="return", source_code="rotterdam", sku="CHAIR", quantity=1, reference="RMA-1"
    )
    assert on_hand("CHAIR", "rotterdam") == 9
    assert list(StockMovement.objects.order_by("id").values_list("kind", "quantity")) == [
        ("receipt", 10),
        ("adjustment", -2),
        ("return", 1),
    ]
    assert queries.verify_ledger() == []


@pytest.mark.parametrize(
    ("kind", "quantity", "reason"),
    [("adjustment", -1, ""), ("receipt", -1, ""), ("receipt", 0, ""), ("shipment", 1, "x"), ("return", -5, "")],
)
def test_bad_movements_are_refused(sources, kind, quantity, reason):
    with pytest.raises(InvalidInput):
        services.record_movement(
            actor=None, kind=kind, source_code="rotterdam", sku="CHAIR", quantity=quantity, reason=reason
        )
    assert not StockMovement.objects.exists()


def test_stock_never_goes_below_zero(sources):
    set_stock("CHAIR", "rotterdam", 1)
    with pytest.raises(Conflict):
        services.record_movement(
            actor=None, kind="adjustment", source_code="rotterdam", sku="CHAIR", quantity=-2, reason="lost"
        )
    assert on_hand("CHAIR", "rotterdam") == 1


def test_transfers_move_stock_but_not_reserved_units(sources):
    set_stock("CHAIR", "rotterdam", 5)
    services.reserve_stock(reference="ORD-1", channel_code="b2c", lines=[("CHAIR", 3)])
    with pytest.raises(Conflict):
        services.transfer_stock(
            actor=None, sku="CHAIR", from_source_code="rotterdam", to_source_code="amsterdam-store", quantity=3
        )
    services.transfer_stock(
        actor=None, sku="CHAIR", from_source_code="rotterdam", to_source_code="amsterdam-store", quantity=2
    )
    assert (on_hand("CHAIR", "rotterdam"), on_hand("CHAIR", "amsterdam-store")) == (3, 2)
    assert queries.verify_ledger() == []


def test_the_ledger_is_append_only(sources):
    set_stock("CHAIR", "rotterdam", 5)
    movement = StockMovement.objects.get()
    with pytest.raises(TypeError):
        movement.save()
    with pytest.raises(TypeError):
        movement.delete()
    with pytest.raises(TypeError):
        StockMovement.objects.update(quantity=1)
    with pytest.raises(TypeError):
        StockMovement.objects.all().delete()


def test_absolute_feed_replayed_changes_nothing(sources):
    feed = [
        StockUpdate(sku="CHAIR", source_code="rotterdam", on_hand=10, safety_stock=2),
        StockUpdate(sku="TABLE", source_code="venlo", on_hand=4),
    ]
    first = services.bulk_update_stock(actor=None, updates=feed)
    assert (first.applied, first.movements) == (2, 2)
    again = services.bulk_update_stock(actor=None, updates=feed)
    assert (again.applied, again.unchanged, again.movements) == (0, 2, 0)
    assert StockMovement.objects.count() == 2
    assert on_hand("CHAIR", "rotterdam") == 10
    assert queries.verify_ledger() == []


def test_relative_feed_lines_are_applied_once_per_reference(sources):
    feed = [
        StockUpdate(sku="CHAIR", source_code="rotterdam", delta=5, reference="ERP-1"),
        StockUpdate(sku="CHAIR", source_code="rotterdam", delta=3, reference="ERP-2"),
    ]
    services.bulk_update_stock(actor=None, updates=feed)
    replay = services.bulk_update_stock(
        actor=None, updates=[*feed, StockUpdate(sku="CHAIR", source_code="rotterdam", delta=-1, reference="ERP-3")]
    )
    assert (replay.replayed, replay.applied) == (2, 1)
    assert on_hand("CHAIR", "rotterdam") == 7
    assert queries.verify_ledger() == []


def test_a_bad_feed_line_changes_nothing(sources):
    set_stock("CHAIR", "rotterdam", 1)
    cases = [
        StockUpdate(sku="CHAIR", source_code="nowhere", on_hand=1),
        StockUpdate(sku="CHAIR", source_code="rotterdam", delta=1),
        StockUpdate(sku="CHAIR", source_code="rotterdam", on_hand=-1),
        StockUpdate(sku="CHAIR", source_code="rotterdam", on_hand=1, delta=1, reference="x"),
        StockUpdate(sku="CHAIR", source_code="rotterdam"),
        StockUpdate(sku="CHAIR", source_code="rotterdam", delta=-5, reference="ERP-9"),
    ]
    for bad in cases:
        with pytest.raises(InvalidInput) as refused:
            services.bulk_update_stock(
                actor=None, updates=[StockUpdate(sku="TABLE", source_code="rotterdam", on_hand=9), bad]
            )
        assert refused.value.errors[0]["loc"][:3] == ["body", "updates", 1]
    assert on_hand("CHAIR", "rotterdam") == 1
    assert not StockItem.objects.filter(sku="TABLE", on_hand__gt=0).exists()


def test_csv_feed_and_the_management_commands(sources, tmp_path, capsys):
    feed = tmp_path / "stock.csv"
    feed.write_text("sku,source,on_hand,safety_stock\nCHAIR,rotterdam,12,2\nTABLE,venlo,3,\n")
    call_command("inventory", "import", str(feed))
    call_command("inventory", "import", str(feed))
    assert "0 applied, 2 unchanged" in capsys.readouterr().out
    assert (on_hand("CHAIR", "rotterdam"), on_hand("TABLE", "venlo")) == (12, 3)
    call_command("inventory", "verify")

    StockItem.objects.filter(sku="CHAIR").update(on_hand=99)
    with pytest.raises(CommandError, match="disagree"):
        call_command("inventory", "verify")
    assert "CHAIR @ rotterdam: on_hand is 99, the ledger says 12" in capsys.readouterr().err


def test_csv_parsing_refuses_bad_rows():
    with pytest.raises(InvalidInput):
        parse_stock_csv("sku,on_hand\nCHAIR,1\n")
    with pytest.raises(InvalidInput):
        parse_stock_csv("sku,source,colour\nCHAIR,rotterdam,red\n")
    with pytest.raises(InvalidInput) as refused:
        parse_stock_csv("sku,source,on_hand\nCHAIR,rotterdam,many\n")
    assert refused.value.errors[0]["loc"] == ["body", "line 2", "on_hand"]
    assert parse_stock_csv("\ufeffsku,source,delta,reference\nCHAIR,rotterdam,-2,L1\n") == [
        StockUpdate(sku="CHAIR", source_code="rotterdam", delta=-2, reference="L1")
    ]


def test_verify_spots_a_reserved_figure_without_reservation(sources):
    set_stock("CHAIR", "rotterdam", 5)
    StockItem.objects.filter(sku="CHAIR").update(reserved=1)
    assert [(m.field, m.recorded, m.expected) for m in queries.verify_ledger()] == [("reserved", 1, 0)]
