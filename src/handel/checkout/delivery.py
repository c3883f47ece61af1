"""Delivery options for a cart and a destination: plain Python over frozen dataclasses.

The rates come from `DeliveryConfig` (defaults below, overridable with the `HANDEL_DELIVERY`
setting); what the cart weighs, costs and where its stock sits is loaded by `queries`. Prices
here are net amounts in the channel's currency; checkout adds the destination's tax.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

FLAT_RATE = "flat_rate"
TABLE_RATE = "table_rate"
FREE = "free"
EXPRESS = "express"
PICKUP = "pickup"
SCHEDULED = "scheduled"
DIGITAL = "digital"
KINDS = (FLAT_RATE, TABLE_RATE, FREE, EXPRESS, PICKUP, SCHEDULED, DIGITAL)


@dataclass(frozen=True)
class TableRate:
    """One row of the rate table; the first row that matches prices the delivery."""

    price: Decimal
    countries: frozenset[str] = frozenset()  # empty: every country
    max_weight_grams: int | None = None  # up to and including
    min_subtotal: Decimal | None = None


@dataclass(frozen=True)
class DeliveryConfig:
    flat_rate: Decimal = Decimal("4.95")
    table_rates: tuple[TableRate, ...] = (
        TableRate(Decimal("3.95"), frozenset({"NL"}), max_weight_grams=2000),
        TableRate(Decimal("6.95"), frozenset({"NL"}), max_weight_grams=20000),
        TableRate(Decimal("5.95"), frozenset({"BE", "DE", "LU"}), max_weight_grams=2000),
        TableRate(Decimal("9.95"), frozenset({"BE", "DE", "LU"}), max_weight_grams=20000),
        TableRate(Decimal("24.95")),
    )
    free_above: Decimal | None = Decimal("75.00")  # the goods' total as the channel shows it
    express_price: Decimal = Decimal("14.95")
    express_countries: frozenset[str] = frozenset({"NL", "BE", "DE"})
    scheduled_price: Decimal = Decimal("9.95")
    scheduled_countries: frozenset[str] = frozenset({"NL"})
    slots: tuple[str, ...] = ("08-12", "12-17", "17-21")
    slot_capacity: int = 20
    scheduled_first_day: int = 1  # days from today
    scheduled_days: int = 7
    split_surcharge: Decimal = Decimal("0.00")  # per extra shipment
    pickup_price: Decimal = Decimal("0.00")


def config_from_settings(value: Mapping[str, Any] | None) -> DeliveryConfig:
    config = DeliveryConfig()
    if not value:
        return config
    changes: dict[str, Any] = {}
    for key, item in value.items():
        if key == "table_rates":
            changes[key] = tuple(
                TableRate(
                    Decimal(str(row["price"])),
                    frozenset(row.get("countries", ())),
                    row.get("max_weight_grams"),
                    Decimal(str(row["min_subtotal"])) if row.get("min_subtotal") is not None else None,
                )
                for row in item
            )
        elif key in ("express_countries", "scheduled_countries"):
            changes[key] = frozenset(item)
        elif key == "slots":
            changes[key] = tuple(item)
        elif isinstance(getattr(config, key, None), Decimal) or key == "free_above":
            changes[key] = None if item is None else Decimal(str(item))
        else:
            changes[key] = item
    return replace(config, **changes)


@dataclass(frozen=True)
class PickupStore:
    code: str
    name: str
    city: str


@dataclass(frozen=True)
class DeliveryRequest:
    """What the options depend on; loaded by `queries.delivery_request`."""

    country: str
    goods_total: Decimal  # as the channel shows prices (incl. or excl. tax)
    weight_grams: int
    needs_shipping: bool  # False: only digital products
    free_shipping_promotion: bool
    shipments: int  # how many parcels the allocation needs (split delivery when > 1)
    pickup_stores: tuple[PickupStore, ...]  # pickup sources holding every line's stock
    slot_bookings: Mapping[tuple[date, str], int] = field(default_factory=dict)
    today: date = field(default_factory=date.today)


@dataclass(frozen=True)
class DeliveryOption:
    code: str  # what set_delivery takes, e.g. "flat_rate", "pickup:amsterdam-store", "scheduled:2026-12-01:08-12"
    kind: str
    name: str
    price: Decimal  # net
    details: Mapping[str, Any] = field(default_factory=dict)


def delivery_options(request: DeliveryRequest, config: DeliveryConfig) -> list[DeliveryOption]:
    """Every way this cart can reach this destination, cheapest kinds first."""
    if not request.needs_shipping:
        return [DeliveryOption(DIGITAL, DIGITAL, "Digital delivery (download)", Decimal("0.00"))]
    split = request.shipments > 1
    surcharge = config.split_surcharge * max(request.shipments - 1, 0)
    parcel = {"shipments": request.shipments, "split": split}
    suffix = f", in {request.shipments} shipments" if split else ""
    options = []
    free = request.free_shipping_promotion or (
        config.free_above is not None and request.goods_total >= config.free_above
    )
    if free:
        options.append(DeliveryOption(FREE, FREE, f"Free standard delivery{suffix}", Decimal("0.00"), parcel))
    options.append(
        DeliveryOption(FLAT_RATE, FLAT_RATE, f"Standard delivery{suffix}", config.flat_rate + surcharge, parcel)
    )
    table_price = table_rate(request, config.table_rates)
    if table_price is not None:
        options.append(
            DeliveryOption(
                TABLE_RATE,
                TABLE_RATE,
                f"Delivery by weight{suffix}",
                table_price + surcharge,
                {**parcel, "weight_grams": request.weight_grams},
            )
        )
    if request.country in config.express_countries:
        options.append(
            DeliveryOption(EXPRESS, EXPRESS, f"Express delivery{suffix}", config.express_price + surcharge, parcel)
        )
    for store in request.pickup_stores:
        options.append(
            DeliveryOption(
                f"{PICKUP}:{store.code}",
                PICKUP,
                f"Pick up at {store.name}, {store.city}",
                config.pickup_price,
                {"source": store.code},
            )
        )
    if request.country in config.scheduled_countries:
        for offset in range(config.scheduled_first_day, config.scheduled_first_day + config.scheduled_days):
            day = request.today + timedelta(days=offset)
            for slot in config.slots:
                left = config.slot_capacity - request.slot_bookings.get((day, slot), 0)
                if left > 0:
                    options.append(
                        DeliveryOption(
                            f"{SCHEDULED}:{day.isoformat()}:{slot}",
                            SCHEDULED,
                            f"Delivery on {day.isoformat()}, {slot} h",
                            config.scheduled_price + surcharge,
                            {**parcel, "date": day.isoformat(), "slot": slot, "places_left": left},
                        )
                    )
    return options


def table_rate(request: DeliveryRequest, rows: tuple[TableRate, ...]) -> Decimal | None:
    for row in rows:
        if row.countries and request.country not in row.countries:
            continue
        if row.max_weight_grams is not None and request.weight_grams > row.max_weight_grams:
            continue
        if row.min_subtotal is not None and request.goods_total < row.min_subtotal:
            continue
        return row.price
    return None


def parse_scheduled(code: str) -> tuple[date, str] | None:
    """("scheduled:2026-12-01:08-12") -> (date, slot); None when the code is not a scheduled one."""
    parts = code.split(":")
    if len(parts) != 3 or parts[0] != SCHEDULED:
        return None
    try:
        return date.fromisoformat(parts[1]), parts[2]
    except ValueError:
        return None


# A multi-address cart's options are named for all its addresses at once.
PER_DESTINATION_NAMES = {
    FREE: "Free standard delivery",
    FLAT_RATE: "Standard delivery",
    TABLE_RATE: "Delivery by weight",
    EXPRESS: "Express delivery",
}


def options_per_destination(
    requests: Sequence[tuple[str, DeliveryRequest]], config: DeliveryConfig
) -> list[DeliveryOption]:
    """Options for a cart whose lines go to several addresses, each request being one destination
    (its key, its country, weight and parcels). Every destination is a shipment of its own, so an
    option is offered when every destination can have it and costs the sum of its price for each
    destination; `details["destinations"]` keeps that price per destination. A pickup or a delivery
    slot is one place and one drop, so neither is offered."""
    offered = [
        (key, request, {option.code: option for option in delivery_options(request, config)})
        for key, request in requests
    ]
    if not offered:
        return []
    shipments = sum(request.shipments for _, request, _ in offered)
    suffix = f", in {shipments} shipments" if shipments > len(offered) else ""
    result = []
    for code, name in PER_DESTINATION_NAMES.items():
        if not all(code in options for _, _, options in offered):
            continue
        parts = [(key, request, options[code]) for key, request, options in offered]
        result.append(
            DeliveryOption(
                code,
                code,
                f"{name} to {len(parts)} addresses{suffix}",
                sum((option.price for _, _, option in parts), Decimal("0.00")),
                {
                    "shipments": shipments,
                    "split": shipments > 1,
                    "destinations": [
                        {
                            **{k: v for k, v in option.details.items() if k not in ("shipments", "split")},
                            "key": key,
                            "country": request.country,
                            "shipments": request.shipments,
                            "price": str(option.price),
                        }
                        for key, request, option in parts
                    ],
                },
            )
        )
    return result
