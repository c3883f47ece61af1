"""Write use cases for stock: receipts, adjustments, returns, transfers, ERP feeds, SKU policies.

Every change of on-hand stock is a row in the append-only StockMovement ledger written in the same
transaction, so `on_hand` always equals the ledger's sum (checked by `handel inventory verify`).
Stock rows are locked (`select_for_update`, in id order so that two writers never deadlock) on
PostgreSQL; on SQLite the IMMEDIATE transaction already serialises writers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from handel.channels.queries import get_channel
from handel.core import audit, events
from handel.core.errors import Conflict, InvalidInput, NotFound, field_error
from handel.customers.services import clean_email
from handel.inventory import bulk
from handel.inventory.models import BackInStockSubscription, Source, StockItem, StockMovement, StockPolicy
from handel.inventory.queries import low_stock_threshold, stock_policies

MAX_SKU_LENGTH = 64
MAX_BULK_UPDATES = 10_000
MAX_QUANTITY = 1_000_000_000  # per SKU and source; well inside the 32-bit integer columns
MANUAL_KINDS = {StockMovement.Kind.RECEIPT, StockMovement.Kind.ADJUSTMENT, StockMovement.Kind.RETURN}


def actor_label(actor: Any) -> str:
    if actor is not None and getattr(actor, "is_authenticated", False):
        return str(getattr(actor, "email", "") or actor)
    return "system"


@dataclass(slots=True)
class LockedStock:
    """A stock row read under lock: the services change these figures, then `write_quantities`."""

    pk: int
    sku: str
    source_id: int
    on_hand: int
    reserved: int
    safety_stock: int

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved - self.safety_stock


def _lock(skus: Sequence[str], source_ids: Sequence[int]) -> list[LockedStock]:
    # In id order, so that two transactions locking overlapping rows never deadlock. SQLite has no
    # row locks: its IMMEDIATE transaction already holds the database's write lock.
    in_sources, source_params = bulk.column_in(StockItem, "source_id", source_ids)
    in_skus, sku_params = bulk.column_in(StockItem, "sku", skus)
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, sku, source_id, on_hand, reserved, safety_stock FROM {bulk.table(StockItem)} "  # noqa: S608
            f"WHERE {in_sources} AND {in_skus} ORDER BY id{lock}",
            [*source_params, *sku_params],
        )
        return [LockedStock(*row) for row in cursor.fetchall()]


def locked_items(keys: Iterable[tuple[str, int]], *, create: bool = False) -> dict[tuple[str, int], LockedStock]:
    """Stock rows for (SKU, source id) pairs, locked for the rest of the transaction; missing rows
    are created (and locked) first when `create` is set. Plain SQL: feeds lock thousands of rows."""
    wanted = set(keys)
    if not wanted:
        return {}
    source_ids = sorted({source_id for _, source_id in wanted})
    found = {(row.sku, row.source_id): row for row in _lock(sorted({sku for sku, _ in wanted}), source_ids)}
    missing = sorted(wanted - set(found)) if create else []
    if missing:
        now = timezone.now()
        bulk.insert_rows(
            StockItem,
            ["sku", "source_id", "on_hand", "reserved", "safety_stock", "updated_at"],
            [(sku, source_id, 0, 0, 0, now) for sku, source_id in missing],
            ignore_conflicts=True,
        )
        found.update({(row.sku, row.source_id): row for row in _lock(sorted({sku for sku, _ in missing}), source_ids)})
    return {key: row for key, row in found.items() if key in wanted}


def write_quantities(items: Iterable[LockedStock]) -> None:
    """Store on hand, reserved and safety stock of many locked rows in one statement."""
    now = timezone.now()
    rows = [(item.on_hand, item.reserved, item.safety_stock, now, item.pk) for item in items]
    bulk.update_rows(StockItem, ["on_hand", "reserved", "safety_stock", "updated_at"], rows)


MOVEMENT_COLUMNS = ("sku", "source_id", "kind", "quantity", "reason", "reference", "external_reference", "actor_label")


def append_movements(rows: Sequence[tuple[Any, ...]]) -> None:
    """Add rows (values of MOVEMENT_COLUMNS) to the append-only ledger in one statement."""
    now = timezone.now()
    bulk.insert_rows(StockMovement, [*MOVEMENT_COLUMNS, "created_at"], [(*row, now) for row in rows])


class StockWatch:
    """Remembers what could be promised before a change, and after it emits the events staff and
    customers wait for: a SKU back in stock, a source running low."""

    def __init__(self) -> None:
        self.before: dict[tuple[str, int], int] = {}
        self.items: dict[tuple[str, int], LockedStock] = {}

    def track(self, item: LockedStock) -> None:
        key = (item.sku, item.source_id)
        self.before.setdefault(key, item.available)
        self.items[key] = item

    def emit(self) -> None:
        changes = [(key, before, self.items[key].available) for key, before in self.before.items()]
        # Whether a SKU can be bought at a source changed: listings and search show availability.
        flipped = sorted({sku for (sku, _), before, after in changes if (before > 0) != (after > 0)})
        if flipped:
            events.emit("inventory.availability_changed", {"skus": flipped})
        returned = sorted({sku for (sku, _), before, after in changes if before <= 0 < after})
        if returned:
            waiting = sorted(
                set(
                    BackInStockSubscription.objects.filter(sku__in=returned, notified_at__isnull=True).values_list(
                        "sku", flat=True
                    )
                )
            )
            if waiting:
                events.emit("inventory.back_in_stock", {"skus": waiting})
        falling = [(key, before, after) for key, before, after in changes if after < before]
        if not falling:
            return
        policies = stock_policies({sku for (sku, _), _, _ in falling})
        low = []
        for (sku, source_id), before, after in falling:
            threshold = low_stock_threshold(policies.get(sku))
            if before > threshold >= after:
                low.append({"sku": sku, "source_id": source_id, "available": after, "threshold": threshold})
        if low:
            events.emit("inventory.stock_low", {"items": low})


def _check_ceiling(on_hand: int, location: list[str | int]) -> None:
    if on_hand > MAX_QUANTITY:
        raise InvalidInput(
            f"more than {MAX_QUANTITY:,} units at one source", errors=[field_error(location, "too many units")]
        )


def _source(code: str, field: str = "source") -> Source:
    source = Source.objects.filter(code=code).first()
    if source is None:
        raise InvalidInput(f"no source '{code}'", errors=[field_error(["body", field], "no such source")])
    return source


def _clean_sku(sku: str, location: list[str | int]) -> str:
    cleaned = (sku or "").strip()
    if not cleaned or len(cleaned) > MAX_SKU_LENGTH:
        raise InvalidInput("the SKU is not valid", errors=[field_error(location, f"1 to {MAX_SKU_LENGTH} characters")])
    return cleaned


def record_movement(
    *, actor: Any, kind: str, source_code: str, sku: str, quantity: int, reason: str = "", reference: str = ""
) -> StockMovement:
    """A receipt (quantity > 0), a return (quantity > 0) or an adjustment (either sign, with a reason)."""
    sku = _clean_sku(sku, ["body", "sku"])
    if kind not in MANUAL_KINDS:
        raise InvalidInput(
            "kind must be receipt, adjustment or return",
            errors=[field_error(["body", "kind"], "receipt, adjustment or return")],
        )
    if quantity == 0 or (kind != StockMovement.Kind.ADJUSTMENT and quantity < 0):
        raise InvalidInput(
            "the quantity is not valid",
            errors=[
                field_error(
                    ["body", "quantity"], "must not be 0" if quantity == 0 else "receipts and returns add stock: > 0"
                )
            ],
        )
    if kind == StockMovement.Kind.ADJUSTMENT and not reason.strip():
        raise InvalidInput("an adjustment needs a reason", errors=[field_error(["body", "reason"], "required")])
    with transaction.atomic(durable=True):
        source = _source(source_code)
        item = locked_items([(sku, source.pk)], create=True)[(sku, source.pk)]
        watch = StockWatch()
        watch.track(item)
        if item.on_hand + quantity < 0:
            raise Conflict(
                f"{source.code} holds only {item.on_hand} of {sku}",
                errors=[field_error(["body", "quantity"], f"at most -{item.on_hand}")],
            )
        _check_ceiling(item.on_hand + quantity, ["body", "quantity"])
        item.on_hand += quantity
        write_quantities([item])
        movement = StockMovement.objects.create(
            sku=sku,
            source=source,
            kind=kind,
            quantity=quantity,
            reason=reason.strip(),
            reference=reference,
            actor_label=actor_label(actor),
        )
        audit.record(
            actor=actor,
            action=f"stock.{kind}",
            obj=movement,
            data={"sku": sku, "source": source.code, "quantity": quantity},
        )
        watch.emit()
    return movement


def transfer_stock(
    *, actor: Any, sku: str, from_source_code: str, to_source_code: str, quantity: int, reference: str = ""
) -> tuple[StockMovement, StockMovement]:
    """Move units between sources. Reserved units stay where they are promised."""
    sku = _clean_sku(sku, ["body", "sku"])
    if quantity <= 0:
        raise InvalidInput("the quantity must be positive", errors=[field_error(["body", "quantity"], "> 0")])
    if from_source_code == to_source_code:
        raise InvalidInput(
            "a transfer needs two different sources",
            errors=[field_error(["body", "to_source"], "must differ from from_source")],
        )
    with transaction.atomic(durable=True):
        origin, destination = _source(from_source_code, "from_source"), _source(to_source_code, "to_source")
        items = locked_items([(sku, origin.pk), (sku, destination.pk)], create=True)
        taken, given = items[(sku, origin.pk)], items[(sku, destination.pk)]
        if taken.on_hand - taken.reserved < quantity:
            raise Conflict(
                f"{origin.code} can spare only {max(0, taken.on_hand - taken.reserved)} of {sku}",
                errors=[field_error(["body", "quantity"], "more than the source can spare")],
            )
        _check_ceiling(given.on_hand + quantity, ["body", "quantity"])
        watch = StockWatch()
        watch.track(taken)
        watch.track(given)
        taken.on_hand -= quantity
        given.on_hand += quantity
        write_quantities([taken, given])
        label = actor_label(actor)
        reference = reference or f"transfer {origin.code}->{destination.code}"
        out, into = StockMovement.objects.bulk_create(
            [
                StockMovement(
                    sku=sku,
                    source=origin,
                    kind=StockMovement.Kind.TRANSFER_OUT,
                    quantity=-quantity,
                    reference=reference,
                    reason=f"to {destination.code}",
                    actor_label=label,
                ),
                StockMovement(
                    sku=sku,
                    source=destination,
                    kind=StockMovement.Kind.TRANSFER_IN,
                    quantity=quantity,
                    reference=reference,
                    reason=f"from {origin.code}",
                    actor_label=label,
                ),
            ]
        )
        audit.record(
            actor=actor,
            action="stock.transferred",
            object_type="inventory.stockitem",
            object_id=sku,
            data={"from": origin.code, "to": destination.code, "quantity": quantity},
        )
        watch.emit()
    return out, into


@dataclass(frozen=True)
class StockUpdate:
    """One line of an ERP feed. `on_hand` sets an absolute quantity (a replay changes nothing);
    `delta` adds or removes units and needs a `reference`, the feed line's id, so that a replayed
    line is recognised and skipped."""

    sku: str
    source_code: str
    on_hand: int | None = None
    delta: int | None = None
    safety_stock: int | None = None
    reference: str | None = None
    reason: str = ""


@dataclass(frozen=True)
class BulkUpdateResult:
    received: int
    applied: int
    unchanged: int
    replayed: int
    movements: int


def _check_update(index: int, update: StockUpdate, sources: dict[str, int]) -> list[dict[str, Any]]:
    at: list[str | int] = ["body", "updates", index]
    errors = []
    if not update.sku or not update.sku.strip() or len(update.sku) > MAX_SKU_LENGTH:
        errors.append(field_error([*at, "sku"], f"1 to {MAX_SKU_LENGTH} characters"))
    if update.source_code not in sources:
        errors.append(field_error([*at, "source"], "no such source"))
    if update.on_hand is not None and update.delta is not None:
        errors.append(field_error([*at, "delta"], "give on_hand (absolute) or delta (relative), not both"))
    if update.on_hand is None and update.delta is None and update.safety_stock is None:
        errors.append(field_error([*at, "on_hand"], "give on_hand, delta or safety_stock"))
    for name in ("on_hand", "safety_stock"):
        value = getattr(update, name)
        if value is not None and not 0 <= value <= MAX_QUANTITY:
            errors.append(field_error([*at, name], f"from 0 to {MAX_QUANTITY}"))
    if update.delta is not None and abs(update.delta) > MAX_QUANTITY:
        errors.append(field_error([*at, "delta"], f"from -{MAX_QUANTITY} to {MAX_QUANTITY}"))
    if update.delta is not None and not (update.reference or "").strip():
        errors.append(field_error([*at, "reference"], "a relative update needs a reference, so a replay is skipped"))
    if update.reference is not None and len(update.reference) > 100:
        errors.append(field_error([*at, "reference"], "at most 100 characters"))
    if len(update.reason) > 200:
        errors.append(field_error([*at, "reason"], "at most 200 characters"))
    for name in ("sku", "source_code", "reference", "reason"):
        if "\x00" in (getattr(update, name) or ""):
            errors.append(field_error([*at, name], "must not contain NUL characters"))
    return errors


def bulk_update_stock(*, actor: Any, updates: Sequence[StockUpdate], feed: str = "api") -> BulkUpdateResult:
    """Apply an ERP feed in one transaction: all lines or, on any bad line, none."""
    if len(updates) > MAX_BULK_UPDATES:
        raise InvalidInput(
            f"at most {MAX_BULK_UPDATES} updates per call",
            errors=[field_error(["body", "updates"], f"at most {MAX_BULK_UPDATES} items")],
        )
    sources = dict(Source.objects.filter(code__in={u.source_code for u in updates}).values_list("code", "id"))
    errors = [error for index, update in enumerate(updates) for error in _check_update(index, update, sources)]
    if errors:
        raise InvalidInput("some stock updates are not valid; nothing was changed", errors=errors[:200])
    label = actor_label(actor)
    applied = unchanged = replayed = 0
    with transaction.atomic(durable=True):
        items = locked_items({(u.sku.strip(), sources[u.source_code]) for u in updates}, create=True)
        references = [u.reference for u in updates if u.reference]
        seen = set()
        if references:
            seen = set(
                StockMovement.objects.filter(
                    external_reference__in=references, source_id__in=set(sources.values())
                ).values_list("source_id", "sku", "external_reference")
            )
        watch, dirty, movements, negative = StockWatch(), {}, [], []
        for index, update in enumerate(updates):
            sku, source_id = update.sku.strip(), sources[update.source_code]
            if update.reference and (source_id, sku, update.reference) in seen:
                replayed += 1
                continue
            item = items[(sku, source_id)]
            watch.track(item)
            delta = (update.on_hand - item.on_hand) if update.on_hand is not None else (update.delta or 0)
            if not 0 <= item.on_hand + delta <= MAX_QUANTITY:
                negative.append(
                    field_error(["body", "updates", index, "delta"], f"would leave {item.on_hand + delta} on hand")
                )
                continue
            changed = False
            if delta:
                item.on_hand += delta
                kind = StockMovement.Kind.COUNT if update.on_hand is not None else StockMovement.Kind.ADJUSTMENT
                movements.append(
                    (
                        sku,
                        source_id,
                        kind,
                        delta,
                        update.reason or f"{feed} feed",
                        feed,
                        update.reference or None,
                        label,
                    )
                )
                if update.reference:
                    seen.add((source_id, sku, update.reference))
                changed = True
            if update.safety_stock is not None and update.safety_stock != item.safety_stock:
                item.safety_stock = update.safety_stock
                changed = True
            if changed:
                dirty[(sku, source_id)] = item
                applied += 1
            else:
                unchanged += 1
        if negative:
            raise InvalidInput(
                "some stock updates would leave stock below 0 or above the maximum; nothing was changed",
                errors=negative[:200],
            )
        write_quantities(dirty.values())
        append_movements(movements)
        audit.record(
            actor=actor,
            action="stock.bulk_updated",
            object_type="inventory.feed",
            object_id=feed,
            data={
                "received": len(updates),
                "applied": applied,
                "unchanged": unchanged,
                "replayed": replayed,
                "movements": len(movements),
            },
        )
        watch.emit()
    return BulkUpdateResult(
        received=len(updates), applied=applied, unchanged=unchanged, replayed=replayed, movements=len(movements)
    )


def set_stock_policy(
    *,
    actor: Any,
    sku: str,
    allow_backorder: bool = False,
    backorder_expected_on: date | None = None,
    is_preorder: bool = False,
    release_on: date | None = None,
    low_stock_threshold: int | None = None,
) -> StockPolicy:
    sku = _clean_sku(sku, ["path", "sku"])
    if low_stock_threshold is not None and low_stock_threshold < 0:
        raise InvalidInput(
            "the threshold must be 0 or more", errors=[field_error(["body", "low_stock_threshold"], ">= 0")]
        )
    with transaction.atomic(durable=True):
        policy, _ = StockPolicy.objects.select_for_update().update_or_create(
            sku=sku,
            defaults={
                "allow_backorder": allow_backorder,
                "backorder_expected_on": backorder_expected_on,
                "is_preorder": is_preorder,
                "release_on": release_on,
                "low_stock_threshold": low_stock_threshold,
            },
        )
        audit.record(
            actor=actor,
            action="stock_policy.set",
            obj=policy,
            data={"allow_backorder": allow_backorder, "is_preorder": is_preorder},
        )
    return policy


def subscribe_back_in_stock(*, sku: str, channel_code: str, email: str, user: Any = None) -> BackInStockSubscription:
    """Ask to be told once when the SKU can be bought again; asking twice keeps one subscription."""
    sku = _clean_sku(sku, ["body", "sku"])
    address = clean_email(email)
    if get_channel(channel_code) is None:
        raise NotFound(f"no channel '{channel_code}'")
    with transaction.atomic(durable=True):
        subscription = BackInStockSubscription.objects.filter(
            sku=sku, channel_code=channel_code, email=address, notified_at__isnull=True
        ).first()
        if subscription is None:
            subscription = BackInStockSubscription.objects.create(
                sku=sku,
                channel_code=channel_code,
                email=address,
                user=user if user is not None and getattr(user, "is_authenticated", False) else None,
            )
            audit.record(actor=user, action="back_in_stock.subscribed", obj=subscription, data={"sku": sku})
    return subscription
