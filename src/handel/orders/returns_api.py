"""Returns: customers request and follow them; staff decide, receive and complete."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from handel.core.api import AUTH, require_scope, require_staff, require_user
from handel.core.errors import NotFound
from handel.core.pagination import paginate
from handel.orders import services
from handel.orders.models import ReturnRequest

router = Router(tags=["returns"])


class ReturnLineIn(Schema):
    position: int
    quantity: int
    reason: str
    condition: str


class ReturnIn(Schema):
    order: str = Field(max_length=20)
    lines: list[ReturnLineIn]
    resolution: str
    exchange_sku: str = Field("", max_length=64)
    note: str = Field("", max_length=2000)


class ReturnLineOut(Schema):
    position: int
    sku: str
    quantity: int
    reason: str
    condition: str
    received_quantity: int
    outcome: str


class ReturnOut(Schema):
    number: str
    order_number: str
    status: str
    status_label: str
    resolution: str
    instructions: str
    staff_comment: str
    auto_approved: bool
    credit_memo_number: str
    replacement_order_number: str
    created_at: datetime
    lines: list[ReturnLineOut]


class ReturnPage(Schema):
    items: list[ReturnOut]
    meta: dict[str, int]


class DecisionIn(Schema):
    approve: bool
    comment: str = Field("", max_length=2000)


class ReceiptLineIn(Schema):
    position: int
    received_quantity: int
    outcome: str
    source_code: str = Field("", max_length=50)


class ReceiptIn(Schema):
    lines: list[ReceiptLineIn]


class CompleteIn(Schema):
    refund_to: str = "original_payment"


def _out(request: ReturnRequest) -> dict[str, Any]:
    return {
        **{
            field: getattr(request, field)
            for field in (
                "number",
                "status",
                "resolution",
                "instructions",
                "staff_comment",
                "auto_approved",
                "credit_memo_number",
                "replacement_order_number",
                "created_at",
            )
        },
        "order_number": request.order.number,
        "status_label": request.get_status_display(),
        "lines": list(request.lines.all()),
    }


def _visible(request: HttpRequest) -> Any:
    user = require_user(request)
    if user.is_staff and user.has_perm("orders.view_returnrequest"):
        return ReturnRequest.objects.all()
    require_scope(request, "account")
    return ReturnRequest.objects.filter(customer=user)


@router.post("", response={201: ReturnOut}, operation_id="create_return", auth=AUTH)
def create_return(request: HttpRequest, payload: ReturnIn) -> Status[dict[str, Any]]:
    user = require_user(request)
    require_scope(request, "account")
    created = services.request_return(
        user=user,
        order_number=payload.order,
        resolution=payload.resolution,
        note=payload.note,
        exchange_sku=payload.exchange_sku,
        lines=[line.dict() for line in payload.lines],
    )
    return Status(201, _out(created))


@router.get("", response=ReturnPage, operation_id="list_returns", auth=AUTH)
def list_returns(request: HttpRequest, status: str = "", page: int = 1, page_size: int = 20) -> dict[str, Any]:
    returns = _visible(request).select_related("order").prefetch_related("lines")
    if status:
        returns = returns.filter(status=status)
    return paginate(returns, page=page, page_size=page_size, order_by=["-created_at"]).as_dict(_out)


@router.get("/{number}", response=ReturnOut, operation_id="get_return", auth=AUTH)
def get_return(request: HttpRequest, number: str) -> dict[str, Any]:
    found = _visible(request).select_related("order").filter(number=number).first()
    if found is None:
        raise NotFound(f"no return {number}")
    return _out(found)


@router.post("/{number}/cancel", response=ReturnOut, operation_id="cancel_return", auth=AUTH)
def cancel_return(request: HttpRequest, number: str) -> dict[str, Any]:
    user = require_user(request)
    require_scope(request, "account")
    if not ReturnRequest.objects.filter(number=number, customer=user).exists():
        raise NotFound(f"no return {number}")
    return _out(services.cancel_return(number=number, user=user))


@router.post("/{number}/decision", response=ReturnOut, operation_id="decide_return", auth=AUTH)
def decide_return(request: HttpRequest, number: str, payload: DecisionIn) -> dict[str, Any]:
    actor = require_staff(request, "orders.change_returnrequest", scope="orders:write")
    return _out(services.decide_return(number=number, approve=payload.approve, comment=payload.comment, actor=actor))


@router.post("/{number}/receipt", response=ReturnOut, operation_id="receive_return", auth=AUTH)
def receive_return(request: HttpRequest, number: str, payload: ReceiptIn) -> dict[str, Any]:
    actor = require_staff(request, "orders.change_returnrequest", scope="orders:write")
    return _out(services.receive_return(number=number, lines=[line.dict() for line in payload.lines], actor=actor))


@router.post("/{number}/complete", response=ReturnOut, operation_id="complete_return", auth=AUTH)
def complete_return(request: HttpRequest, number: str, payload: CompleteIn) -> dict[str, Any]:
    actor = require_staff(request, "orders.change_returnrequest", scope="orders:write")
    return _out(services.complete_return(number=number, actor=actor, refund_to=payload.refund_to))
