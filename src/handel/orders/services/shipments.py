"""Shipments: planned from the order's allocation, packed, handed to a carrier, tracked.

The first time a shipment moves (in transit), `shipment.shipped` tells inventory to turn the
held stock into a deduction, and the order becomes (partially) shipped; when every shipment is
delivered the order is delivered. Customers hear of each change by mail.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections import defaultdict
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from handel.channels.queries import get_channel
from handel.core import audit
from handel.core.errors import Conflict, InvalidInput, NotFound, field_error
from handel.core.events import emit
from handel.core.numbering import next_number
from handel.orders import lifecycle
from handel.orders.carriers import CARRIERS
from handel.orders.models import Order, Shipment, ShipmentEvent, ShipmentLine
from handel.orders.services.invoicing import issue_invoice
from handel.orders.services.lifecycle import _move

SHIPMENT_SERIES = ("shipment", "SHP-")
S = Shipment.Status
# A shipment's status only moves forward (an exception can recover, a delivery is final).
SHIPMENT_TRANSITIONS = {
    S.PENDING: {S.LABEL_CREATED, S.IN_TRANSIT, S.CANCELLED},
    S.LABEL_CREATED: {S.IN_TRANSIT, S.CANCELLED, S.EXCEPTION},
    S.IN_TRANSIT: {S.OUT_FOR_DELIVERY, S.DELIVERED, S.EXCEPTION},
    S.OUT_FOR_DELIVERY: {S.DELIVERED, S.EXCEPTION},
    S.EXCEPTION: {S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.DELIVERED},
    S.DELIVERED: set(),
    S.CANCELLED: set(),
}
MOVING = {S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.DELIVERED}
SIGNATURE_HEADER = "X-Carrier-Signature"


def _shipped_quantities(order: Order) -> dict[int, int]:
    shipped: dict[int, int] = defaultdict(int)
    for line in ShipmentLine.objects.filter(shipment__order=order).exclude(shipment__status=S.CANCELLED):
        shipped[line.position] += line.quantity
    return shipped


def create_shipment(
    *,
    order_number: str,
    source_code: str,
    carrier: str,
    lines: list[tuple[int, int]] | None = None,
    tracking_number: str = "",
    packages: list[dict[str, Any]] | None = None,
    address: dict[str, Any] | None = None,
    actor: Any = None,
) -> Shipment:
    """A shipment of (order line position, quantity) from one source; without lines, all that is left.
    It goes to the order's shipping address unless `address` (one of a multi-address order's) says otherwise."""
    if carrier not in CARRIERS:
        raise InvalidInput(
            f"unknown carrier '{carrier}'", errors=[field_error(["body", "carrier"], f"one of {', '.join(CARRIERS)}")]
        )
    with transaction.atomic(durable=True):
        order = Order.objects.select_for_update().filter(number=order_number).first()
        if order is None:
            raise NotFound(f"no order {order_number}")
        if order.status not in (lifecycle.PROCESSING, lifecycle.PARTIALLY_SHIPPED):
            raise Conflict(
                f"an order that is {order.get_status_display().lower()} cannot be shipped", slug="order-not-shippable"
            )
        by_position = {line.position: line for line in order.lines.all()}
        shipped = _shipped_quantities(order)
        wanted = (
            lines
            if lines is not None
            else [
                (position, line.quantity - shipped[position])
                for position, line in by_position.items()
                if line.quantity > shipped[position]
            ]
        )
        errors = []
        for index, (position, quantity) in enumerate(wanted):
            line = by_position.get(position)
            if line is None:
                errors.append(field_error(["body", "lines", index, "position"], "no such order line"))
            elif quantity <= 0 or quantity > line.quantity - shipped[position]:
                errors.append(
                    field_error(
                        ["body", "lines", index, "quantity"], f"between 1 and {line.quantity - shipped[position]}"
                    )
                )
        if errors or not wanted:
            raise InvalidInput(
                "the shipment is not valid",
                errors=errors or [field_error(["body", "lines"], "everything is shipped already")],
            )
        shipment = Shipment.objects.create(
            number=next_number(SHIPMENT_SERIES[0], prefix=SHIPMENT_SERIES[1]),
            order=order,
            source_code=source_code,
            carrier=carrier,
            tracking_number=tracking_number.strip(),
            status=S.LABEL_CREATED if tracking_number else S.PENDING,
            address=address or order.shipping_address or order.billing_address,
            packages=packages or [],
        )
        ShipmentLine.objects.bulk_create(
            [
                ShipmentLine(shipment=shipment, position=position, sku=by_position[position].sku, quantity=quantity)
                for position, quantity in wanted
            ]
        )
        ShipmentEvent.objects.create(
            shipment=shipment,
            status=shipment.status,
            origin=ShipmentEvent.Origin.STAFF,
            occurred_at=timezone.now(),
            message="shipment created",
        )
        audit.record(actor=actor, action="shipment.created", obj=shipment, data={"order": order.number})
    return shipment


def plan_shipments(*, order_number: str, actor: Any = None) -> list[Shipment]:
    """One shipment per source, as the stock allocation at placement decided (order.delivery['allocation']).
    A multi-address order gets one per destination and source, each to its destination's address
    (order.delivery['destinations']) with the lines that go there (a line's options['ship_to'])."""
    order = Order.objects.filter(number=order_number).first()
    if order is None:
        raise NotFound(f"no order {order_number}")
    allocation = order.delivery.get("allocation") or []
    carrier = order.delivery.get("carrier") or ("pickup" if order.delivery.get("method") == "pickup" else "postnl")
    addresses = {part["key"]: part.get("address") for part in order.delivery.get("destinations") or []}
    lines_by_sku: dict[tuple[str, str], list[int]] = defaultdict(list)
    left: dict[int, int] = {}
    for line in order.lines.all():
        destination = str((line.options or {}).get("ship_to", "")) if addresses else ""
        lines_by_sku[(destination, line.sku)].append(line.position)
        left[line.position] = line.quantity
    shipments = []
    for planned in allocation:
        destination = planned.get("destination", "")
        lines = []
        for sku, quantity in planned["lines"]:
            # Spread over the lines of that SKU going there (the same SKU may be on several lines).
            wanted = int(quantity)
            for position in lines_by_sku.get((destination, sku), ()):
                take = min(wanted, left[position])
                if take > 0:
                    lines.append((position, take))
                    left[position] -= take
                    wanted -= take
        if lines:
            shipments.append(
                create_shipment(
                    order_number=order_number,
                    source_code=planned["source"],
                    carrier=carrier,
                    lines=lines,
                    address=addresses.get(destination) or None,
                    actor=actor,
                )
            )
    return shipments


def update_shipment_status(
    *,
    number: str,
    status: str,
    origin: str = ShipmentEvent.Origin.STAFF,
    tracking_number: str | None = None,
    location: str = "",
    message: str = "",
    occurred_at: datetime | None = None,
    carrier_event_id: str = "",
    actor: Any = None,
) -> Shipment:
    if status not in S.values:
        raise InvalidInput(f"unknown status '{status}'", errors=[field_error(["body", "status"], "unknown status")])
    with transaction.atomic(durable=True):
        shipment = Shipment.objects.select_for_update().select_related("order").filter(number=number).first()
        if shipment is None:
            raise NotFound(f"no shipment {number}")
        if carrier_event_id and shipment.events.filter(carrier_event_id=carrier_event_id).exists():
            return shipment
        if status != shipment.status and status not in SHIPMENT_TRANSITIONS[shipment.status]:
            raise Conflict(
                f"a shipment that is {shipment.get_status_display().lower()} cannot become {S(status).label.lower()}",
                slug="invalid-shipment-transition",
            )
        first_move = status in MOVING and shipment.shipped_at is None
        previous = shipment.status
        shipment.status = status
        if tracking_number is not None:
            shipment.tracking_number = tracking_number.strip()
        if first_move:
            shipment.shipped_at = occurred_at or timezone.now()
        if status == S.DELIVERED:
            shipment.delivered_at = occurred_at or timezone.now()
        shipment.save()
        try:
            with transaction.atomic():
                ShipmentEvent.objects.create(
                    shipment=shipment,
                    status=status,
                    origin=origin,
                    location=location,
                    message=message,
                    occurred_at=occurred_at or timezone.now(),
                    carrier_event_id=carrier_event_id,
                )
        except IntegrityError:
            return shipment
        audit.record(
            actor=actor,
            action="shipment.status_changed",
            obj=shipment,
            data={"from": previous, "to": status, "origin": origin},
        )
        if status != previous:
            emit("shipment.status_changed", {"shipment_id": shipment.pk, "from": previous, "to": status})
        if first_move:
            emit(
                "shipment.shipped",
                {
                    "reference": shipment.order.number,
                    "shipment": shipment.number,
                    "source_code": shipment.source_code,
                    "lines": [[line.sku, line.quantity] for line in shipment.lines.all()],
                },
            )
        _sync_order(shipment.order, actor)
    if first_move:
        _invoice_at_shipment(shipment)
    return shipment


def _sync_order(order: Order, actor: Any) -> None:
    """The order follows its shipments: partially shipped, shipped, delivered."""
    order = Order.objects.select_for_update().get(pk=order.pk)
    shipments = list(order.shipments.exclude(status=S.CANCELLED).prefetch_related("lines"))
    ordered = sum(line.quantity for line in order.lines.all())
    moving = sum(line.quantity for shipment in shipments if shipment.shipped_at for line in shipment.lines.all())
    all_delivered = moving == ordered and all(s.status == S.DELIVERED for s in shipments if s.shipped_at)
    target = None
    if all_delivered and order.status in (lifecycle.SHIPPED, lifecycle.PARTIALLY_SHIPPED, lifecycle.PROCESSING):
        for step in (lifecycle.SHIPPED, lifecycle.DELIVERED):
            if lifecycle.can_move(order.status, step):
                _move(
                    order,
                    step,
                    actor=actor,
                    reason="all shipments delivered"
                    if step == lifecycle.DELIVERED
                    else "everything has left the warehouse",
                )
        return
    if moving == ordered:
        target = lifecycle.SHIPPED
    elif moving > 0:
        target = lifecycle.PARTIALLY_SHIPPED
    if target and target != order.status and lifecycle.can_move(order.status, target):
        _move(order, target, actor=actor, reason="shipment on its way")


def _invoice_at_shipment(shipment: Shipment) -> None:
    channel = get_channel(shipment.order.channel_code)
    if channel is None or channel.invoice_on != "shipment":
        return
    issue_invoice(
        order_number=shipment.order.number, quantities={line.position: line.quantity for line in shipment.lines.all()}
    )


def carrier_secret(carrier: str) -> str:
    configured: dict[str, str] = getattr(settings, "HANDEL_CARRIER_WEBHOOK_SECRETS", {})
    return configured.get(carrier) or hashlib.sha256(f"carrier:{carrier}:{settings.SECRET_KEY}".encode()).hexdigest()


def sign_carrier_payload(carrier: str, body: bytes, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(carrier_secret(carrier).encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


CARRIER_STATUS = {
    "label_created": S.LABEL_CREATED,
    "in_transit": S.IN_TRANSIT,
    "out_for_delivery": S.OUT_FOR_DELIVERY,
    "delivered": S.DELIVERED,
    "exception": S.EXCEPTION,
}


def receive_carrier_webhook(*, carrier: str, body: bytes, signature: str) -> Shipment:
    """A carrier's signed tracking update: {"event_id", "tracking_number", "status", "occurred_at", "location"}."""
    if carrier not in CARRIERS:
        raise NotFound(f"no carrier '{carrier}'")
    try:
        parts = dict(item.split("=", 1) for item in signature.split(","))
        timestamp = int(parts["t"])
    except (KeyError, ValueError) as exc:
        raise InvalidInput("missing or malformed signature", slug="webhook-rejected") from exc
    if not hmac.compare_digest(sign_carrier_payload(carrier, body, timestamp), signature) or (
        abs(time.time() - timestamp) > 300
    ):
        raise InvalidInput("bad or stale signature", slug="webhook-rejected")
    try:
        data = json.loads(body)
        status = CARRIER_STATUS[data["status"]]
        tracking_number, event_id = str(data["tracking_number"]), str(data["event_id"])
        occurred_at = parse_datetime(str(data.get("occurred_at", ""))) or timezone.now()
    except (ValueError, KeyError, TypeError) as exc:
        raise InvalidInput("the tracking update is not valid", slug="webhook-rejected") from exc
    shipment = Shipment.objects.filter(carrier=carrier, tracking_number=tracking_number).first()
    if shipment is None:
        raise NotFound("no shipment with this tracking number")
    return update_shipment_status(
        number=shipment.number,
        status=status,
        origin=ShipmentEvent.Origin.CARRIER,
        location=str(data.get("location", ""))[:200],
        occurred_at=occurred_at,
        carrier_event_id=event_id,
    )
