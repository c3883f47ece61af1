"""Reservations: stock held for an order or a checkout, released on cancel or expiry, deducted at shipment.

No overselling, however many buyers check out at once: the stock rows of the lines are locked
(PostgreSQL: `select_for_update` in id order; SQLite: the IMMEDIATE transaction holds the write
lock), the allocation is computed from the locked figures, each hold is checked against on hand -
reserved - safety stock of the locked row, and the held rows are written in one statement.

An order whose lines go to several addresses is one reservation too: each destination is
allocated from the sources nearest to it, and every reservation line says which destination its
units are for. One lock statement covers the stock rows of all destinations.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from handel.channels.queries import get_channel
from handel.core import audit, events
from handel.core.errors import Conflict, InvalidInput, NotFound, field_error
from handel.inventory.allocation import (
    Allocation,
    Destination,
    SourceCandidate,
    allocate,
    allocate_destinations,
    merge_lines,
)
from handel.inventory.errors import OutOfStock
from handel.inventory.models import Reservation, ReservationLine, StockMovement
from handel.inventory.queries import ReservationResult, channel_sources, reservation_result
from handel.inventory.services.stock import (
    MAX_SKU_LENGTH,
    LockedStock,
    StockWatch,
    actor_label,
    locked_items,
    write_quantities,
)

MAX_LINES = 500
MAX_DESTINATION_KEY = 30  # a cart's extra address keys


def _clean_lines(
    lines: Sequence[tuple[str, int]], location: tuple[str | int, ...] = ("body", "lines")
) -> list[tuple[str, int]]:
    if not lines:
        raise InvalidInput("a reservation needs at least one line", errors=[field_error([*location], "empty")])
    if len(lines) > MAX_LINES:
        raise InvalidInput(f"at most {MAX_LINES} lines", errors=[field_error([*location], "too many lines")])
    errors, cleaned = [], []
    for index, (sku, quantity) in enumerate(lines):
        sku = (sku or "").strip() if isinstance(sku, str) else ""
        if not sku or len(sku) > MAX_SKU_LENGTH:
            errors.append(field_error([*location, index, "sku"], f"1 to {MAX_SKU_LENGTH} characters"))
        if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity <= 0:
            errors.append(field_error([*location, index, "quantity"], "a whole number above 0"))
        cleaned.append((sku, quantity))
    if errors:
        raise InvalidInput("some lines are not valid", errors=errors)
    return cleaned


def _clean_destinations(
    lines: Sequence[tuple[str, int]],
    destinations: Sequence[Destination] | None,
    ship_to_country: str | None,
    ship_to_postcode: str | None,
) -> list[Destination]:
    """The destinations with their lines merged per SKU: a plain list of lines goes to one (the main address)."""
    if destinations is None:
        return [Destination("", tuple(merge_lines(_clean_lines(lines)).items()), ship_to_country, ship_to_postcode)]
    if lines:
        raise ValueError("reserve_stock takes lines or destinations, not both")
    keys = [destination.key for destination in destinations]
    if not destinations or sum(len(destination.lines) for destination in destinations) > MAX_LINES:
        raise InvalidInput(
            f"a reservation needs 1 to {MAX_LINES} lines",
            errors=[field_error(["body", "destinations"], "empty or too many lines")],
        )
    if any(not isinstance(key, str) or len(key) > MAX_DESTINATION_KEY for key in keys) or len(set(keys)) != len(keys):
        raise InvalidInput(
            "each destination needs its own key",
            errors=[
                field_error(["body", "destinations"], f"distinct keys of at most {MAX_DESTINATION_KEY} characters")
            ],
        )
    return [
        replace(
            destination,
            lines=tuple(merge_lines(_clean_lines(destination.lines, ("body", "destinations", index, "lines"))).items()),
        )
        for index, destination in enumerate(destinations)
    ]


def reserve_stock(
    *,
    reference: str,
    channel_code: str,
    lines: Sequence[tuple[str, int]] = (),
    ship_to_country: str | None = None,
    ship_to_postcode: str | None = None,
    destinations: Sequence[Destination] | None = None,
    pickup_source_code: str | None = None,
    expires_at: datetime | None = None,
    actor: Any = None,
    savepoint: bool = True,
) -> ReservationResult:
    """Hold stock for an order (no expiry) or a checkout (`expires_at`), allocated to sources.

    The lines go to `ship_to_country`/`ship_to_postcode`; or, for an order shipped to several
    addresses, `destinations` (instead of `lines`) says which lines go where, and each destination
    is allocated from the sources nearest to it (the main address, key "", first).
    Calling it again for the same reference with the same lines returns the existing hold (and
    takes the new expiry: a checkout hold becomes an order hold by passing `expires_at=None`);
    with other lines the old hold is released and a new one taken, in one transaction.
    Raises OutOfStock (409, urn:handel:problem:out-of-stock) when the lines cannot be served.
    Inside a caller's transaction `savepoint=False` saves the savepoint's round trips when a
    refusal rolls back the caller's whole transaction anyway (order placement).
    """
    reference = (reference or "").strip()
    if not reference or len(reference) > 100:
        raise InvalidInput(
            "a reference is required", errors=[field_error(["body", "reference"], "1 to 100 characters")]
        )
    targets = _clean_destinations(lines, destinations, ship_to_country, ship_to_postcode)
    wanted = merge_lines([line for target in targets for line in target.lines])
    holding = {(target.key, sku): quantity for target in targets for sku, quantity in target.lines}
    if get_channel(channel_code) is None:
        raise InvalidInput(f"no channel '{channel_code}'", errors=[field_error(["body", "channel"], "no such channel")])
    if expires_at is not None and expires_at <= timezone.now():
        raise InvalidInput("the expiry is in the past", errors=[field_error(["body", "expires_at"], "in the past")])
    sources = channel_sources(channel_code)
    if pickup_source_code and not any(s.code == pickup_source_code and s.pickup for s in sources):
        raise InvalidInput(
            f"'{pickup_source_code}' is not a pickup store of this channel",
            errors=[field_error(["body", "pickup_source"], "not a pickup store of the channel")],
        )
    if pickup_source_code and len(targets) > 1:
        raise InvalidInput(
            "a pickup order is collected in one place",
            errors=[field_error(["body", "pickup_source"], "not with several destinations")],
        )
    try:
        # Durable on its own; inside an order placement it joins the placing transaction, so the
        # hold and the order commit (or roll back) together.
        with transaction.atomic(durable=not transaction.get_connection().in_atomic_block, savepoint=savepoint):
            existing = (
                Reservation.objects.select_for_update()
                .filter(reference=reference, status=Reservation.Status.ACTIVE)
                .first()
            )
            watch = StockWatch()
            if existing is not None:
                held = list(existing.lines.select_related("source"))
                pickup = existing.pickup_source
                same_pickup = (pickup.code if pickup is not None else None) == (pickup_source_code or None)
                if same_pickup and _held(held) == holding:
                    existing.expires_at = expires_at
                    existing.save(update_fields=["expires_at"])
                    return reservation_result(existing, held)
                _release(existing, held, Reservation.Status.RELEASED, watch)

            items = locked_items({(sku, source.id) for sku in wanted for source in sources})
            candidates = [
                SourceCandidate.of(
                    source, {sku: items[(sku, source.id)].available for sku in wanted if (sku, source.id) in items}
                )
                for source in sources
            ]
            allocation = _allocate(targets, candidates, pickup_source_code)
            ids = {source.code: source.id for source in sources}
            main = targets[0]
            reservation = Reservation.objects.create(
                reference=reference,
                channel_code=channel_code,
                expires_at=expires_at,
                ship_to_country=(main.country or "").upper()[:2],
                ship_to_postcode=(main.postcode or "")[:20],
                pickup_source_id=ids[pickup_source_code] if pickup_source_code else None,
            )
            new_lines: list[ReservationLine] = []
            taken: dict[int, LockedStock] = {}
            for shipment in allocation.shipments:
                for sku, quantity in shipment.lines:
                    item = items[(sku, ids[shipment.source_code])]
                    if item.available < quantity:
                        raise OutOfStock(f"{sku} was sold out meanwhile", shortages={sku: (quantity, item.available)})
                    watch.track(item)
                    item.reserved += quantity
                    taken[item.pk] = item
                    new_lines.append(
                        ReservationLine(
                            reservation=reservation,
                            sku=sku,
                            source_id=item.source_id,
                            quantity=quantity,
                            destination=shipment.destination,
                        )
                    )
            # The rows are locked, so the held figures are written in one statement.
            write_quantities(taken.values())
            ReservationLine.objects.bulk_create(new_lines)
            data: dict[str, Any] = {
                "lines": [[sku, qty] for sku, qty in sorted(wanted.items())],
                "shipments": len(allocation.shipments),
            }
            if len(targets) > 1 or main.key:
                data["destinations"] = {target.key: [[sku, qty] for sku, qty in target.lines] for target in targets}
            audit.record(actor=actor, action="reservation.created", obj=reservation, data=data)
            watch.emit()
    except IntegrityError as exc:
        raise Conflict(
            f"reservation {reference} is being taken by another request; retry", slug="reservation-in-progress"
        ) from exc
    return ReservationResult(reservation.reference, reservation.status, reservation.expires_at, allocation)


def _held(lines: Sequence[ReservationLine]) -> dict[tuple[str, str], int]:
    """(destination, SKU) -> quantity held by a reservation's lines."""
    held: dict[tuple[str, str], int] = {}
    for line in lines:
        held[(line.destination, line.sku)] = held.get((line.destination, line.sku), 0) + line.quantity
    return held


def _allocate(
    targets: Sequence[Destination], candidates: Sequence[SourceCandidate], pickup_source_code: str | None
) -> Allocation:
    if len(targets) > 1:
        return allocate_destinations(targets, candidates)
    only = targets[0]
    allocation = allocate(
        list(only.lines),
        candidates,
        ship_to_country=only.country,
        ship_to_postcode=only.postcode,
        pickup_source_code=pickup_source_code,
    )
    if not only.key:
        return allocation
    return Allocation(tuple(replace(shipment, destination=only.key) for shipment in allocation.shipments))


def _release(reservation: Reservation, lines: Sequence[ReservationLine], status: str, watch: StockWatch) -> None:
    """Give back what is still held. The caller holds the reservation's row lock."""
    open_lines = [line for line in lines if line.open_quantity > 0]
    items = locked_items({(line.sku, line.source_id) for line in open_lines})
    for line in open_lines:
        item = items[(line.sku, line.source_id)]
        watch.track(item)
        item.reserved -= line.open_quantity
    write_quantities(items.values())
    reservation.status = status
    reservation.closed_at = timezone.now()
    reservation.save(update_fields=["status", "closed_at"])


def release_reservation(*, reference: str, actor: Any = None, reason: str = "cancelled") -> ReservationResult:
    """Cancel a hold. Releasing one that is already released or expired changes nothing."""
    with transaction.atomic(durable=True):
        reservation = (
            Reservation.objects.select_for_update()
            .filter(reference=reference, status=Reservation.Status.ACTIVE)
            .first()
        )
        if reservation is None:
            latest = Reservation.objects.filter(reference=reference).order_by("-id").first()
            if latest is None:
                raise NotFound(f"no reservation '{reference}'")
            if latest.status == Reservation.Status.SHIPPED:
                raise Conflict(f"reservation {reference} has shipped; record a return instead")
            return reservation_result(latest, list(latest.lines.select_related("source")))
        lines = list(reservation.lines.select_related("source"))
        watch = StockWatch()
        _release(reservation, lines, Reservation.Status.RELEASED, watch)
        audit.record(actor=actor, action="reservation.released", obj=reservation, data={"reason": reason})
        watch.emit()
    return reservation_result(reservation, lines)


def ship_reservation(
    *,
    reference: str,
    lines: Sequence[tuple[str, int]] | None = None,
    source_code: str | None = None,
    shipment_reference: str | None = None,
    actor: Any = None,
) -> ReservationResult:
    """Turn held units into a deduction: on hand and reserved go down, the ledger records a shipment.

    Without `lines` everything still held ships; with lines (SKU, quantity) only those, optionally
    only from one source. The reservation is done when every unit has shipped. With a
    `shipment_reference` (the parcel's id) a repeated call for the same shipment changes nothing,
    so an event handler may run twice.
    """
    wanted = merge_lines(_clean_lines(lines)) if lines is not None else None
    with transaction.atomic(durable=True):
        reservation = (
            Reservation.objects.select_for_update()
            .filter(reference=reference, status=Reservation.Status.ACTIVE)
            .first()
        )
        # Checked under the reservation's lock, so a concurrent repeat sees the first one's rows.
        if (
            shipment_reference
            and StockMovement.objects.filter(
                kind=StockMovement.Kind.SHIPMENT, reference=reference, external_reference=shipment_reference
            ).exists()
        ):
            done = Reservation.objects.filter(reference=reference).order_by("-id").first()
            if done is not None:
                return reservation_result(done, list(done.lines.select_related("source")))
        if reservation is None:
            raise NotFound(f"no active reservation '{reference}'")
        held = list(reservation.lines.select_related("source"))
        shipping: list[tuple[ReservationLine, int]] = []
        if wanted is None:
            shipping = [
                (line, line.open_quantity)
                for line in held
                if line.open_quantity > 0 and (source_code is None or line.source.code == source_code)
            ]
        else:
            for sku, quantity in wanted.items():
                left = quantity
                for line in held:
                    if (
                        line.sku == sku
                        and left
                        and line.open_quantity
                        and (source_code is None or line.source.code == source_code)
                    ):
                        take = min(left, line.open_quantity)
                        shipping.append((line, take))
                        left -= take
                if left:
                    raise InvalidInput(
                        f"{quantity} x {sku} is more than is held for {reference}",
                        errors=[field_error(["body", "lines", sku], "more than is held")],
                    )
        if not shipping:
            raise InvalidInput("nothing to ship", errors=[field_error(["body", "lines"], "nothing held matches")])
        items = locked_items({(line.sku, line.source_id) for line, _ in shipping})
        label = actor_label(actor)
        movements = []
        for line, quantity in shipping:
            item = items[(line.sku, line.source_id)]
            item.on_hand -= quantity
            item.reserved -= quantity
            line.shipped_quantity += quantity
            movements.append(
                StockMovement(
                    sku=line.sku,
                    source_id=line.source_id,
                    kind=StockMovement.Kind.SHIPMENT,
                    quantity=-quantity,
                    reference=reference,
                    external_reference=shipment_reference or None,
                    actor_label=label,
                )
            )
        write_quantities(items.values())
        ReservationLine.objects.bulk_update([line for line, _ in shipping], ["shipped_quantity"])
        StockMovement.objects.bulk_create(movements)
        if all(line.open_quantity == 0 for line in held):
            reservation.status = Reservation.Status.SHIPPED
            reservation.closed_at = timezone.now()
            reservation.save(update_fields=["status", "closed_at"])
        shipped = [[line.sku, line.source.code, quantity] for line, quantity in shipping]
        audit.record(actor=actor, action="reservation.shipped", obj=reservation, data={"lines": shipped})
        events.emit(
            "inventory.stock_shipped",
            {"reference": reference, "shipment_reference": shipment_reference, "lines": shipped},
        )
    return reservation_result(reservation, held)


def expire_reservations(now: datetime | None = None, limit: int = 500) -> int:
    """The periodic job: release checkout holds whose time is up. Each in its own transaction."""
    now = now or timezone.now()
    due = list(
        Reservation.objects.filter(status=Reservation.Status.ACTIVE, expires_at__lte=now)
        .order_by("expires_at", "id")
        .values_list("id", flat=True)[:limit]
    )
    expired = 0
    for reservation_id in due:
        with transaction.atomic(durable=True):
            reservation = (
                Reservation.objects.select_for_update()
                .filter(pk=reservation_id, status=Reservation.Status.ACTIVE, expires_at__lte=now)
                .first()
            )
            if reservation is None:
                continue
            watch = StockWatch()
            _release(reservation, list(reservation.lines.all()), Reservation.Status.EXPIRED, watch)
            audit.record(actor=None, action="reservation.expired", obj=reservation)
            watch.emit()
            expired += 1
    return expired
