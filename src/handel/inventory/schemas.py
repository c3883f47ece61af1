from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from ninja import Schema
from pydantic import BaseModel, Field

from handel.inventory.queries import MAX_AVAILABILITY_SKUS
from handel.inventory.services.stock import MAX_BULK_UPDATES

Sku = Field(min_length=1, max_length=64)


class SourceOut(Schema):
    code: str
    name: str
    kind: str
    street: str
    postal_code: str
    city: str
    country: str
    priority: int
    ships: bool
    pickup: bool
    opening_hours: dict[str, str]
    handling_days: int
    is_active: bool


class SourcePage(Schema):
    items: list[SourceOut]
    meta: dict[str, int]


class SourceIn(Schema):
    code: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,49}$")
    name: str = Field(min_length=1, max_length=100)
    kind: Literal["warehouse", "store"] = "warehouse"
    street: str = Field("", max_length=200)
    postal_code: str = Field("", max_length=20)
    city: str = Field("", max_length=100)
    country: str = Field(min_length=2, max_length=2)
    priority: int = Field(100, ge=0, le=1_000_000)
    ships: bool = True
    pickup: bool = False
    opening_hours: dict[str, str] = Field(default_factory=dict)
    handling_days: int = Field(1, ge=0, le=365)
    channels: list[str] = Field(default_factory=list, description="channel codes that sell from this source")


class SourcePatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=100)
    kind: Literal["warehouse", "store"] | None = None
    street: str | None = Field(None, max_length=200)
    postal_code: str | None = Field(None, max_length=20)
    city: str | None = Field(None, max_length=100)
    country: str | None = Field(None, min_length=2, max_length=2)
    priority: int | None = Field(None, ge=0, le=1_000_000)
    ships: bool | None = None
    pickup: bool | None = None
    opening_hours: dict[str, str] | None = None
    handling_days: int | None = Field(None, ge=0, le=365)
    is_active: bool | None = None


class ChannelSourcesIn(Schema):
    sources: list[str] = Field(max_length=500)


class ChannelSourcesOut(Schema):
    channel: str
    sources: list[str]


class AvailabilityIn(Schema):
    skus: list[str] = Field(min_length=1, max_length=MAX_AVAILABILITY_SKUS)
    channel: str | None = Field(None, description="default: the request's channel (X-Handel-Channel header)")


# The availability answer carries up to 1,000 items: plain pydantic models validate it several
# times faster than ninja Schemas, whose per-object hook exists to read Django model attributes.
class StoreStockOut(BaseModel):
    source: str
    name: str
    city: str
    quantity: int
    label: str = Field(description='e.g. "3 at the Rotterdam store"')


class AvailabilityOut(BaseModel):
    sku: str
    state: Literal["in_stock", "low_stock", "backorder", "preorder", "out_of_stock"]
    salable: int
    can_order: bool
    expected_on: date | None
    stores: list[StoreStockOut] = Field(description="pickup stores of the channel and what each holds")


class AvailabilityListOut(BaseModel):
    channel: str
    items: list[AvailabilityOut]


# A feed carries up to 10,000 lines: plain pydantic, for the same reason as the availability answer.
class StockUpdateIn(BaseModel):
    sku: str = Sku
    source: str = Field(min_length=1, max_length=50)
    on_hand: int | None = Field(None, ge=0, le=1_000_000_000, description="absolute quantity")
    delta: int | None = Field(None, ge=-1_000_000_000, le=1_000_000_000, description="relative; needs reference")
    safety_stock: int | None = Field(None, ge=0, le=1_000_000_000)
    reference: str | None = Field(None, min_length=1, max_length=100, description="the feed line's id")
    reason: str = Field("", max_length=200)


class BulkUpdateIn(BaseModel):
    updates: list[StockUpdateIn] = Field(min_length=1, max_length=MAX_BULK_UPDATES)
    feed: str = Field("api", min_length=1, max_length=100, description="name of the feed, e.g. erp")


class BulkUpdateOut(Schema):
    received: int
    applied: int
    unchanged: int
    replayed: int
    movements: int


class StockItemOut(Schema):
    sku: str
    source: str = Field(validation_alias="source.code")
    on_hand: int
    reserved: int
    safety_stock: int
    available: int
    updated_at: datetime


class StockItemPage(Schema):
    items: list[StockItemOut]
    meta: dict[str, int]


class MovementIn(Schema):
    kind: Literal["receipt", "adjustment", "return"]
    source: str = Field(min_length=1, max_length=50)
    sku: str = Sku
    quantity: int = Field(ge=-1_000_000_000, le=1_000_000_000)
    reason: str = Field("", max_length=200)
    reference: str = Field("", max_length=100)


class MovementOut(Schema):
    id: int
    sku: str
    source: str = Field(validation_alias="source.code")
    kind: str
    quantity: int
    reason: str
    reference: str
    external_reference: str | None
    actor_label: str
    created_at: datetime


class MovementPage(Schema):
    items: list[MovementOut]
    meta: dict[str, int]


class TransferIn(Schema):
    sku: str = Sku
    from_source: str = Field(min_length=1, max_length=50)
    to_source: str = Field(min_length=1, max_length=50)
    quantity: int = Field(ge=1, le=1_000_000_000)
    reference: str = Field("", max_length=100)


class TransferOut(Schema):
    outgoing: MovementOut
    incoming: MovementOut


class LineIn(Schema):
    sku: str = Sku
    quantity: int = Field(ge=1, le=1_000_000)


class ReservationIn(Schema):
    reference: str = Field(min_length=1, max_length=100, description="the order number or checkout id")
    channel: str = Field(min_length=1, max_length=50)
    lines: list[LineIn] = Field(min_length=1, max_length=500)
    ship_to_country: str | None = Field(None, min_length=2, max_length=2)
    ship_to_postcode: str | None = Field(None, max_length=20)
    pickup_source: str | None = Field(None, max_length=50)
    expires_at: datetime | None = Field(None, description="checkout holds expire; omit for an order")


class ShipmentLineOut(Schema):
    sku: str
    quantity: int


class PlannedShipmentOut(Schema):
    source: str
    destination: str = Field("", description="which of the order's addresses; empty: the main one")
    lines: list[ShipmentLineOut]


class ReservationOut(Schema):
    reference: str
    status: str
    expires_at: datetime | None
    split: bool
    shipments: list[PlannedShipmentOut]


class ShipIn(Schema):
    lines: list[LineIn] | None = Field(None, max_length=500, description="default: everything still held")
    source: str | None = Field(None, max_length=50)
    shipment_reference: str | None = Field(
        None, min_length=1, max_length=100, description="the parcel's id: a repeat changes nothing"
    )


class StockPolicyIn(Schema):
    allow_backorder: bool = False
    backorder_expected_on: date | None = None
    is_preorder: bool = False
    release_on: date | None = None
    low_stock_threshold: int | None = Field(None, ge=0, le=1_000_000)


class StockPolicyOut(StockPolicyIn):
    sku: str


class BackInStockIn(Schema):
    sku: str = Sku
    channel: str | None = Field(None, max_length=50)
    email: str | None = Field(None, max_length=254, description="default: the signed-in customer's address")


class BackInStockOut(Schema):
    sku: str
    channel: str = Field(validation_alias="channel_code")
    email: str
    created_at: datetime
