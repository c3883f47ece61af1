"""What inventory does when later domains report what happened (declared in handel/wiring.py).

Each handler takes the event's payload and is safe to run again for the same event.
"""

from __future__ import annotations

from typing import Any

from handel.core.errors import NotFound
from handel.inventory.models import Reservation, StockMovement
from handel.inventory.services import record_movement, release_reservation, ship_reservation


def on_order_cancelled(payload: dict[str, Any]) -> None:
    """A cancelled order gives its held stock back (orders of digital goods hold none)."""
    try:
        release_reservation(reference=payload["number"], reason="order cancelled")
    except NotFound:
        return


def on_shipment_shipped(payload: dict[str, Any]) -> None:
    """Units that left a source stop being held and leave the books. A shipment without a hold
    (a replacement, say) is booked as an adjustment so that stock still equals the ledger."""
    reference, source_code = payload["reference"], payload["source_code"]
    lines = [(str(sku), int(quantity)) for sku, quantity in payload["lines"]]
    if Reservation.objects.filter(reference=reference, status=Reservation.Status.ACTIVE).exists():
        ship_reservation(
            reference=reference, lines=lines, source_code=source_code, shipment_reference=payload.get("shipment", "")
        )
        return
    for sku, quantity in lines:
        already = StockMovement.objects.filter(
            reference=reference, sku=sku, source__code=source_code, kind=StockMovement.Kind.ADJUSTMENT
        ).exists()
        if not already:
            record_movement(
                actor=None,
                kind=StockMovement.Kind.ADJUSTMENT,
                source_code=source_code,
                sku=sku,
                quantity=-quantity,
                reason="shipped without a reservation",
                reference=reference,
            )


def on_return_received(payload: dict[str, Any]) -> None:
    """Restocked return lines go back on hand through the ledger, once per return and SKU."""
    for line in payload.get("restock", []):
        already = StockMovement.objects.filter(
            reference=payload["reference"], sku=line["sku"], kind=StockMovement.Kind.RETURN
        ).exists()
        if not already:
            record_movement(
                actor=None,
                kind=StockMovement.Kind.RETURN,
                source_code=line["source_code"],
                sku=line["sku"],
                quantity=int(line["quantity"]),
                reference=payload["reference"],
            )
