"""Shipments: the customer's (by order ownership), staff creation and updates, carrier webhooks."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from handel.core.api import AUTH, require_scope, require_staff, require_user
from handel.core.errors import NotFound
from handel.core.pagination import paginate
from handel.orders import queries, services
from handel.orders.carriers import CARRIERS
from handel.orders.models import Shipment

router = Router(tags=["shipments"])


class ShipmentLineOut(Schema):
    position: int
    sku: str
    quantity: int


class ShipmentEventOut(Schema):
    status: str
    origin: str
    location: str
    message: str
    occurred_at: datetime


class ShipmentOut(Schema):
    id: UUID = Field(validation_alias="public_id")
    number: str
    order_number: str
    source_code: str
    carrier: str
    tracking_number: str
    tracking_url: str
    status: str
    shipped_at: datetime | None
    delivered_at: datetime | None
    lines: list[ShipmentLineOut]
    events: list[ShipmentEventOut]


class ShipmentPage(Schema):
    items: list[ShipmentOut]
    meta: dict[str, int]


class ShipmentLineIn(Schema):
    position: int
    quantity: int = Field(gt=0)


class ShipmentIn(Schema):
    source_code: str = Field(min_length=1, max_length=50)
    carrier: str = Field(max_length=20)
    tracking_number: str = Field("", max_length=100)
    lines: list[ShipmentLineIn] | None = None
    packages: list[dict[str, Any]] = Field(default_factory=list)


class ShipmentStatusIn(Schema):
    status: str = Field(max_length=20)
    tracking_number: str | None = Field(None, max_length=100)
    location: str = Field("", max_length=200)
    message: str = Field("", max_length=500)


def _out(shipment: Shipment) -> dict[str, Any]:
    address = shipment.address or {}
    carrier = CARRIERS.get(shipment.carrier)
    return {
        "public_id": shipment.public_id,
        "number": shipment.number,
        "order_number": shipment.order.number,
        "source_code": shipment.source_code,
        "carrier": shipment.carrier,
        "tracking_number": shipment.tracking_number,
        "status": shipment.status,
        "tracking_url": carrier.link(
            shipment.tracking_number, address.get("country", ""), address.get("postal_code", "")
        )
        if carrier
        else "",
        "shipped_at": shipment.shipped_at,
        "delivered_at": shipment.delivered_at,
        "lines": list(shipment.lines.all()),
        "events": list(shipment.events.all()),
    }


def _visible(request: HttpRequest) -> Any:
    user = require_user(request)
    if user.is_staff and user.has_perm("orders.view_shipment"):
        return Shipment.objects.all()
    require_scope(request, "account")
    return Shipment.objects.filter(order__in=queries.orders_visible_to(user))


@router.get("/shipments", response=ShipmentPage, operation_id="list_shipments", auth=AUTH)
def list_shipments(request: HttpRequest, order: str = "", page: int = 1, page_size: int = 20) -> dict[str, Any]:
    shipments = _visible(request).select_related("order").prefetch_related("lines", "events")
    if order:
        shipments = shipments.filter(order__number=order)
    return paginate(shipments, page=page, page_size=page_size, order_by=["-created_at"]).as_dict(_out)


@router.get("/shipments/{number}", response=ShipmentOut, operation_id="get_shipment", auth=AUTH)
def get_shipment(request: HttpRequest, number: str) -> dict[str, Any]:
    shipment = _visible(request).select_related("order").filter(number=number).first()
    if shipment is None:
        raise NotFound(f"no shipment {number}")
    return _out(shipment)


@router.post("/orders/{number}/shipments", response={201: ShipmentOut}, operation_id="create_shipment", auth=AUTH)
def create_shipment(request: HttpRequest, number: str, payload: ShipmentIn) -> Status[dict[str, Any]]:
    actor = require_staff(request, "orders.add_shipment", scope="orders:write")
    shipment = services.create_shipment(
        order_number=number,
        source_code=payload.source_code,
        carrier=payload.carrier,
        tracking_number=payload.tracking_number,
        packages=payload.packages,
        actor=actor,
        lines=[(line.position, line.quantity) for line in payload.lines] if payload.lines is not None else None,
    )
    return Status(201, _out(shipment))


@router.post("/shipments/{number}/status", response=ShipmentOut, operation_id="update_shipment_status", auth=AUTH)
def update_shipment_status(request: HttpRequest, number: str, payload: ShipmentStatusIn) -> dict[str, Any]:
    actor = require_staff(request, "orders.change_shipment", scope="orders:write")
    return _out(services.update_shipment_status(number=number, actor=actor, **payload.dict()))


@router.post("/shipments/webhooks/{carrier}", response={200: dict}, operation_id="carrier_webhook", auth=None)
def carrier_webhook(request: HttpRequest, carrier: str) -> dict[str, str]:
    """Tracking updates pushed by a carrier, signed with HMAC-SHA256 (header X-Carrier-Signature:
    t=<unix time>,v1=<hex digest of "t.body">)."""
    shipment = services.receive_carrier_webhook(
        carrier=carrier, body=request.body, signature=request.headers.get("X-Carrier-Signature", "")
    )
    return {"shipment": shipment.number, "status": shipment.status}
