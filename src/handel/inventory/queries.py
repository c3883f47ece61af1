"""Read side of inventory: a channel's sources, salable stock, availability, the ledger check."""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple

from django.core.cache import cache
from django.db import connection
from django.db.models import F, QuerySet, Sum

from handel.catalog.queries import stock_structure, visible_skus
from handel.inventory import bulk
from handel.inventory.allocation import Allocation, PlannedShipment
from handel.inventory.models import (
    Reservation,
    ReservationLine,
    Source,
    StockItem,
    StockMovement,
    StockPolicy,
)

DEFAULT_LOW_STOCK_THRESHOLD = 5
MAX_AVAILABILITY_SKUS = 1000
CACHE_PREFIX = "inventory:channel-sources:v1:"
GENERATION_KEY = "inventory:channel-sources:generation"


@dataclass(frozen=True)
class SourceInfo:
    id: int
    code: str
    name: str
    kind: str
    city: str
    country: str
    postal_code: str
    priority: int
    ships: bool
    pickup: bool
    handling_days: int


# Availability answers for up to 1,000 SKUs at once: named tuples are several times cheaper to
# create than frozen dataclasses, and just as immutable.
class StoreStock(NamedTuple):
    source_code: str
    source_name: str
    city: str
    quantity: int

    @property
    def label(self) -> str:
        return f"{self.quantity} at the {self.source_name}"


class SkuAvailability(NamedTuple):
    sku: str
    state: str  # in_stock | low_stock | backorder | preorder | out_of_stock
    salable: int
    can_order: bool
    expected_on: date | None
    stores: tuple[StoreStock, ...]


def channel_sources(channel_code: str) -> list[SourceInfo]:
    """The active sources a channel sells from, best priority first (cached; forgotten on change)."""
    key = f"{CACHE_PREFIX}{_generation()}:{channel_code}"
    sources: list[SourceInfo] | None = cache.get(key)
    if sources is None:
        sources = [
            SourceInfo(
                id=s.pk,
                code=s.code,
                name=s.name,
                kind=s.kind,
                city=s.city,
                country=s.country,
                postal_code=s.postal_code,
                priority=s.priority,
                ships=s.ships,
                pickup=s.pickup,
                handling_days=s.handling_days,
            )
            for s in Source.objects.filter(is_active=True, channel_links__channel__code=channel_code).order_by(
                "priority", "code"
            )
        ]
        cache.set(key, sources, timeout=300)
    return sources


def forget_channel_sources() -> None:
    """Called after any change to sources or channel links: a new generation orphans every cached list."""
    cache.set(GENERATION_KEY, time.time_ns(), timeout=None)


def _generation() -> int:
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        generation = time.time_ns()
        cache.set(GENERATION_KEY, generation, timeout=None)
    return int(generation)


def available_by_source(skus: Iterable[str], source_ids: Sequence[int]) -> dict[str, dict[int, int]]:
    """SKU -> source id -> on hand - reserved - safety stock (may be negative after a stock count)."""
    wanted, ids = list(skus), list(source_ids)
    if not wanted or not ids:
        return {}
    # A plain cursor: availability of 1,000 SKUs must answer within 20 ms, and the ORM's per-row
    # and per-parameter work would take most of that.
    in_sources, source_params = bulk.column_in(StockItem, "source_id", ids)
    in_skus, sku_params = bulk.column_in(StockItem, "sku", wanted)
    sql = f"SELECT sku, source_id, on_hand - reserved - safety_stock FROM {bulk.table(StockItem)} WHERE {in_sources} AND {in_skus}"  # noqa: E501, S608
    result: dict[str, dict[int, int]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [*source_params, *sku_params])
        for sku, source_id, available in cursor.fetchall():
            result.setdefault(sku, {})[source_id] = available
    return result


def salable_quantities(skus: Iterable[str], channel_code: str) -> dict[str, int]:
    """SKU -> the sum over the channel's sources of what can still be promised (never below 0 per source)."""
    wanted = list(dict.fromkeys(skus))
    per_source = available_by_source(wanted, [s.id for s in channel_sources(channel_code)])
    return {sku: sum(max(0, qty) for qty in per_source.get(sku, {}).values()) for sku in wanted}


class PolicyFacts(NamedTuple):
    allow_backorder: bool
    backorder_expected_on: date | None
    is_preorder: bool
    release_on: date | None
    low_stock_threshold: int | None


def _as_date(value: date | str | None) -> date | None:
    # SQLite hands a raw cursor ISO strings where PostgreSQL hands dates.
    return date.fromisoformat(value) if isinstance(value, str) else value


def stock_policies(skus: Iterable[str]) -> dict[str, PolicyFacts]:
    """The policies of those SKUs that have one (a plain cursor, for the same reason as above)."""
    wanted = list(skus)
    if not wanted:
        return {}
    columns = "sku, allow_backorder, backorder_expected_on, is_preorder, release_on, low_stock_threshold"
    in_skus, params = bulk.column_in(StockPolicy, "sku", wanted)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {bulk.table(StockPolicy)} WHERE {in_skus}", params)  # noqa: S608
        return {
            sku: PolicyFacts(bool(backorder), _as_date(expected_on), bool(preorder), _as_date(release_on), threshold)
            for sku, backorder, expected_on, preorder, release_on, threshold in cursor.fetchall()
        }


def low_stock_threshold(policy: PolicyFacts | None) -> int:
    if policy is not None and policy.low_stock_threshold is not None:
        return policy.low_stock_threshold
    return DEFAULT_LOW_STOCK_THRESHOLD


def availability(skus: Sequence[str], *, channel_code: str) -> dict[str, SkuAvailability]:
    """What a buyer in the channel is told about each SKU: two queries, whatever the number of SKUs."""
    wanted = list(dict.fromkeys(skus))
    virtual, kits = stock_structure(wanted)
    components = {sku for parts in kits.values() for sku, _ in parts}
    sources = channel_sources(channel_code)
    per_source = available_by_source(list(dict.fromkeys([*wanted, *components])), [s.id for s in sources])
    policies = stock_policies(wanted)
    stores = [(s.id, s.code, s.name, s.city) for s in sources if s.pickup]
    result = {}
    for sku in wanted:
        if sku in virtual:
            # Downloads and licences are never out of stock.
            result[sku] = SkuAvailability(sku, "in_stock", 0, True, None, ())
            continue
        quantities = _kit_quantities(kits[sku], per_source) if sku in kits else per_source.get(sku, {})
        salable = sum(qty for qty in quantities.values() if qty > 0)
        state, can_order, expected_on = _state(salable, policies.get(sku))
        result[sku] = SkuAvailability(
            sku,
            state,
            salable,
            can_order,
            expected_on,
            tuple(
                StoreStock(code, name, city, max(0, quantities.get(source_id, 0)))
                for source_id, code, name, city in stores
            ),
        )
    return result


def _kit_quantities(parts: Sequence[tuple[str, int]], per_source: dict[str, dict[int, int]]) -> dict[int, int]:
    """How many whole kits each source can put together from its component stock."""
    source_ids = set.intersection(*(set(per_source.get(sku, {})) for sku, _ in parts))
    return {
        source_id: min(max(0, per_source[sku][source_id]) // quantity for sku, quantity in parts)
        for source_id in source_ids
    }


def availability_for_viewer(
    skus: Sequence[str],
    *,
    channel_code: str,
    customer_group_code: str | None = None,
    assortment_code: str | None = None,
) -> dict[str, SkuAvailability]:
    """Availability of the SKUs the viewer may see: what is outside the channel's catalog or the
    viewer's assortment is left out, as if it did not exist."""
    visible = visible_skus(
        channel_code=channel_code, customer_group_code=customer_group_code, assortment_code=assortment_code, skus=skus
    )
    return availability([sku for sku in skus if sku in visible], channel_code=channel_code)


def _state(salable: int, policy: PolicyFacts | None) -> tuple[str, bool, date | None]:
    if policy is not None and policy.is_preorder:
        return "preorder", True, policy.release_on
    if salable > low_stock_threshold(policy):
        return "in_stock", True, None
    if salable > 0:
        return "low_stock", True, None
    if policy is not None and policy.allow_backorder:
        return "backorder", True, policy.backorder_expected_on
    return "out_of_stock", False, None


def sources() -> QuerySet[Source]:
    return Source.objects.all()


def stock_items() -> QuerySet[StockItem]:
    return StockItem.objects.select_related("source")


def movements() -> QuerySet[StockMovement]:
    return StockMovement.objects.select_related("source")


def reservation(reference: str) -> Reservation | None:
    """The active reservation for a reference, else its latest one."""
    reservations = (
        Reservation.objects.filter(reference=reference)
        .prefetch_related("lines__source")
        .select_related("pickup_source")
    )
    return reservations.filter(status=Reservation.Status.ACTIVE).first() or reservations.order_by("-id").first()


@dataclass(frozen=True)
class ReservationResult:
    reference: str
    status: str
    expires_at: datetime | None
    allocation: Allocation


def reservation_result(reservation: Reservation, lines: Sequence[ReservationLine]) -> ReservationResult:
    """The reservation as an allocation: its lines grouped by destination and source."""
    by_source: dict[tuple[str, str], list[tuple[str, int]]] = {}
    for line in lines:
        by_source.setdefault((line.destination, line.source.code), []).append((line.sku, line.quantity))
    shipments = tuple(
        PlannedShipment(code, tuple(sorted(skus)), destination) for (destination, code), skus in by_source.items()
    )
    return ReservationResult(reservation.reference, reservation.status, reservation.expires_at, Allocation(shipments))


@dataclass(frozen=True)
class LedgerMismatch:
    sku: str
    source_code: str
    field: str  # on_hand | reserved
    recorded: int
    expected: int

    def __str__(self) -> str:
        basis = "the ledger says" if self.field == "on_hand" else "the open reservations say"
        return f"{self.sku} @ {self.source_code}: {self.field} is {self.recorded}, {basis} {self.expected}"


def verify_ledger() -> list[LedgerMismatch]:
    """Every stock item's on hand equals the sum of its movements, and its reserved quantity the
    open quantity of active reservations. Three aggregate queries over the whole store."""
    codes = dict(Source.objects.values_list("id", "code"))
    ledger = {
        (row["sku"], row["source_id"]): row["total"]
        for row in StockMovement.objects.order_by().values("sku", "source_id").annotate(total=Sum("quantity"))
    }
    held = {
        (row["sku"], row["source_id"]): row["total"]
        for row in ReservationLine.objects.filter(reservation__status=Reservation.Status.ACTIVE)
        .order_by()
        .values("sku", "source_id")
        .annotate(total=Sum(F("quantity") - F("shipped_quantity")))
    }
    mismatches = []
    seen = set()
    for sku, source_id, on_hand, reserved in StockItem.objects.values_list("sku", "source_id", "on_hand", "reserved"):
        seen.add((sku, source_id))
        expected_on_hand, expected_reserved = ledger.get((sku, source_id), 0), held.get((sku, source_id), 0)
        if on_hand != expected_on_hand:
            mismatches.append(LedgerMismatch(sku, codes[source_id], "on_hand", on_hand, expected_on_hand))
        if reserved != expected_reserved:
            mismatches.append(LedgerMismatch(sku, codes[source_id], "reserved", reserved, expected_reserved))
    for (sku, source_id), total in ledger.items():
        if (sku, source_id) not in seen and total != 0:
            mismatches.append(LedgerMismatch(sku, codes[source_id], "on_hand", 0, total))
    for (sku, source_id), total in held.items():
        if (sku, source_id) not in seen and total != 0:
            mismatches.append(LedgerMismatch(sku, codes[source_id], "reserved", 0, total))
    return mismatches
