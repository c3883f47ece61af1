"""Which sources serve an order: plain Python over frozen dataclasses, no database access.

The services load the channel's sources and their available stock (locked), call `allocate`,
and persist the answer. Sources are ranked by nearness and the merchant's priority: a source in
the delivery country first, then lower priority number, then the closer postcode. One source
that can serve every line wins; otherwise the order is split, each step taking the source that
serves most of what is left, so an order goes out in as few shipments as the stock allows.

An order whose lines go to several addresses (multi-address checkout) is allocated per
destination from one pool of stock (`allocate_destinations`): each destination from the sources
nearest to it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from handel.inventory.errors import OutOfStock

FAR_AWAY = 10**9
_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True)
class SourceCandidate:
    code: str
    country: str
    postal_code: str
    priority: int
    ships: bool
    pickup: bool
    available: Mapping[str, int] = field(default_factory=dict)  # SKU -> units that can be promised

    @classmethod
    def of(cls, source: Any, available: Mapping[str, int]) -> SourceCandidate:
        """A source (a `Source` row or the channel's `SourceInfo`) with what it can promise."""
        return cls(
            code=source.code,
            country=source.country,
            postal_code=source.postal_code,
            priority=source.priority,
            ships=source.ships,
            pickup=source.pickup,
            available=available,
        )


@dataclass(frozen=True)
class Destination:
    """Where some of an order's lines go: `key` names it ("" is the order's main address)."""

    key: str
    lines: tuple[tuple[str, int], ...]  # (SKU, quantity)
    country: str | None = None
    postcode: str | None = None


@dataclass(frozen=True)
class PlannedShipment:
    source_code: str
    lines: tuple[tuple[str, int], ...]  # (SKU, quantity)
    destination: str = ""  # the key of the Destination it goes to


@dataclass(frozen=True)
class Allocation:
    shipments: tuple[PlannedShipment, ...]

    @property
    def is_split(self) -> bool:
        return len(self.shipments) > 1

    def quantities(self) -> dict[tuple[str, str], int]:
        """(source code, SKU) -> quantity, over every destination."""
        totals: dict[tuple[str, str], int] = {}
        for shipment in self.shipments:
            for sku, quantity in shipment.lines:
                totals[(shipment.source_code, sku)] = totals.get((shipment.source_code, sku), 0) + quantity
        return totals


def postcode_distance(a: str, b: str) -> int:
    """How far apart two postcodes of one country are: the difference of their leading digits.

    Postcodes in most European countries are numbered by region, so numerically close codes are
    close on the map; this is enough to prefer Rotterdam (30xx) over Venlo (59xx) for Delft (26xx).
    """
    digits_a, digits_b = _DIGITS.findall(a or ""), _DIGITS.findall(b or "")
    if not digits_a or not digits_b:
        return FAR_AWAY
    first_a, first_b = digits_a[0][:4].ljust(4, "0"), digits_b[0][:4].ljust(4, "0")
    return abs(int(first_a) - int(first_b))


def rank(source: SourceCandidate, country: str | None, postcode: str | None) -> tuple[int, int, int, str]:
    same_country = bool(country) and source.country == (country or "").upper()
    distance = postcode_distance(source.postal_code, postcode or "") if same_country and postcode else FAR_AWAY
    return (0 if same_country or not country else 1, source.priority, distance, source.code)


def merge_lines(lines: Sequence[tuple[str, int]]) -> dict[str, int]:
    merged: dict[str, int] = {}
    for sku, quantity in lines:
        merged[sku] = merged.get(sku, 0) + quantity
    return merged


def allocate(
    lines: Sequence[tuple[str, int]],
    sources: Sequence[SourceCandidate],
    *,
    ship_to_country: str | None = None,
    ship_to_postcode: str | None = None,
    pickup_source_code: str | None = None,
) -> Allocation:
    wanted = merge_lines(lines)
    if pickup_source_code:
        store = next((s for s in sources if s.code == pickup_source_code and s.pickup), None)
        if store is None:
            raise OutOfStock(
                f"'{pickup_source_code}' is not a pickup location of this channel",
                shortages={sku: (quantity, 0) for sku, quantity in wanted.items()},
            )
        short = {
            sku: (qty, max(0, store.available.get(sku, 0)))
            for sku, qty in wanted.items()
            if store.available.get(sku, 0) < qty
        }
        if short:
            raise OutOfStock(f"not enough stock at {pickup_source_code} for pickup", shortages=short)
        return Allocation((PlannedShipment(store.code, tuple(sorted(wanted.items()))),))

    shipping = sorted((s for s in sources if s.ships), key=lambda s: rank(s, ship_to_country, ship_to_postcode))
    total = {sku: sum(max(0, s.available.get(sku, 0)) for s in shipping) for sku in wanted}
    short = {sku: (qty, total[sku]) for sku, qty in wanted.items() if total[sku] < qty}
    if short:
        raise OutOfStock("not enough stock for " + ", ".join(sorted(short)), shortages=short)

    remaining = dict(wanted)
    left = {s.code: {sku: max(0, s.available.get(sku, 0)) for sku in wanted} for s in shipping}
    shipments: list[PlannedShipment] = []
    while remaining:
        # Most lines served in full, then most units, then the best rank (the sort order above).
        best = max(
            enumerate(shipping),
            key=lambda item: (
                sum(1 for sku, qty in remaining.items() if left[item[1].code][sku] >= qty),
                sum(min(qty, left[item[1].code][sku]) for sku, qty in remaining.items()),
                -item[0],
            ),
        )[1]
        taken = []
        for sku in sorted(remaining):
            quantity = min(remaining[sku], left[best.code][sku])
            if quantity > 0:
                taken.append((sku, quantity))
                left[best.code][sku] -= quantity
                remaining[sku] -= quantity
        remaining = {sku: qty for sku, qty in remaining.items() if qty > 0}
        shipments.append(PlannedShipment(best.code, tuple(taken)))
    return Allocation(tuple(shipments))


def allocate_destinations(destinations: Sequence[Destination], sources: Sequence[SourceCandidate]) -> Allocation:
    """Allocate each destination's lines from the sources nearest to it, all from one pool of stock.

    Whether the order can be served is decided first, over the whole order, so that a refusal
    names every shortage. After that, serving the destinations one after the other (in the order
    given: the main address first) cannot run short, because any destination may take from any
    shipping source; each one takes what it needs from what the ones before it left.
    """
    wanted = merge_lines([line for destination in destinations for line in destination.lines])
    shipping = [source for source in sources if source.ships]
    total = {sku: sum(max(0, source.available.get(sku, 0)) for source in shipping) for sku in wanted}
    short = {sku: (qty, total[sku]) for sku, qty in wanted.items() if total[sku] < qty}
    if short:
        raise OutOfStock("not enough stock for " + ", ".join(sorted(short)), shortages=short)
    left = {source.code: {sku: max(0, source.available.get(sku, 0)) for sku in wanted} for source in shipping}
    shipments: list[PlannedShipment] = []
    for destination in destinations:
        if not destination.lines:
            continue
        plan = allocate(
            destination.lines,
            [replace(source, available=dict(left[source.code])) for source in shipping],
            ship_to_country=destination.country,
            ship_to_postcode=destination.postcode,
        )
        for shipment in plan.shipments:
            shipments.append(replace(shipment, destination=destination.key))
            for sku, quantity in shipment.lines:
                left[shipment.source_code][sku] -= quantity
    return Allocation(tuple(shipments))
