"""Requisition lists of the caller's company: read by every company user, changed by those whose
role may place orders."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from handel.channels.queries import channel_for_request
from handel.companies.queries import viewer_for
from handel.core.api import AUTH, require_scope, require_user
from handel.core.errors import NotFound
from handel.core.pagination import paginate
from handel.procurement import queries, requisitions
from handel.procurement.models import RequisitionList

router = Router(tags=["procurement"])


class RequisitionListIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    description: str = Field("", max_length=500)


class RequisitionListPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=100)
    description: str | None = Field(None, max_length=500)


class RequisitionListOut(Schema):
    id: int
    name: str
    description: str
    channel: str
    owner: str
    line_count: int
    created_at: datetime
    updated_at: datetime


class RequisitionListPage(Schema):
    items: list[RequisitionListOut]
    meta: dict[str, int]


class RequisitionLineOut(Schema):
    id: int
    sku: str
    name: str
    quantity: int
    note: str
    position: int
    available: bool


class RequisitionListDetail(RequisitionListOut):
    can_manage: bool
    lines: list[RequisitionLineOut]


class RequisitionLineIn(Schema):
    sku: str = Field(min_length=1, max_length=64)
    quantity: int = Field(1, ge=1, le=requisitions.MAX_QUANTITY)
    note: str = Field("", max_length=500)


class RequisitionLinesIn(Schema):
    lines: list[RequisitionLineIn] = Field(min_length=1, max_length=requisitions.MAX_LINES)


class RequisitionLinePatch(Schema):
    quantity: int | None = Field(None, ge=1, le=requisitions.MAX_QUANTITY)
    note: str | None = Field(None, max_length=500)


class FromOrderIn(Schema):
    order_number: str = Field(min_length=1, max_length=30)


class LineAnswerOut(Schema):
    line: int
    sku: str
    quantity: int
    status: str
    message: str


class LineAnswersOut(Schema):
    lines: list[LineAnswerOut]
    added: int


def _caller(request: HttpRequest) -> Any:
    user = require_user(request)
    require_scope(request, "account")
    if viewer_for(user) is None:
        raise NotFound("you do not act for a company")
    return user


def _list_out(requisition_list: RequisitionList) -> dict[str, Any]:
    return {
        "id": requisition_list.pk,
        "name": requisition_list.name,
        "description": requisition_list.description,
        "channel": requisition_list.channel_code,
        "owner": requisition_list.owner.email if requisition_list.owner else "",
        "line_count": getattr(requisition_list, "line_count", 0),
        "created_at": requisition_list.created_at,
        "updated_at": requisition_list.updated_at,
    }


def _detail(user: Any, list_id: int) -> dict[str, Any]:
    requisition_list = queries.requisition_list_for(user, list_id)
    if requisition_list is None:
        raise NotFound(f"no requisition list {list_id}")
    return {
        **_list_out(requisition_list),
        "can_manage": queries.can_manage_requisition_lists(viewer_for(user)),
        "lines": [line.__dict__ for line in queries.requisition_lines(user, requisition_list)],
    }


def _answers_out(answers: list[requisitions.LineAnswer]) -> dict[str, Any]:
    return {
        "lines": [
            {
                "line": answer.index + 1,
                "sku": answer.sku,
                "quantity": answer.quantity,
                "status": answer.status,
                "message": answer.message,
            }
            for answer in answers
        ],
        "added": sum(1 for answer in answers if answer.accepted),
    }


@router.get("/requisition-lists", response=RequisitionListPage, operation_id="list_requisition_lists", auth=AUTH)
def list_requisition_lists(request: HttpRequest, page: int = 1, page_size: int = 20) -> dict[str, Any]:
    """The company's requisition lists, most recently changed first."""
    user = _caller(request)
    return paginate(
        queries.requisition_lists_visible_to(user), page=page, page_size=page_size, order_by=["-updated_at", "-id"]
    ).as_dict(_list_out)


@router.post(
    "/requisition-lists",
    response={201: RequisitionListDetail},
    operation_id="create_requisition_list",
    auth=AUTH,
)
def create_requisition_list(request: HttpRequest, payload: RequisitionListIn) -> Status[dict[str, Any]]:
    """A new list for the channel of the request (the `X-Handel-Channel` header, else the default)."""
    user = _caller(request)
    channel = channel_for_request(request)
    if channel is None:
        raise NotFound("no active channel")
    created = requisitions.create_list(
        actor=user, channel_code=channel.code, name=payload.name, description=payload.description
    )
    return Status(201, _detail(user, created.pk))


@router.get(
    "/requisition-lists/{list_id}", response=RequisitionListDetail, operation_id="get_requisition_list", auth=AUTH
)
def get_requisition_list(request: HttpRequest, list_id: int) -> dict[str, Any]:
    """The list with its lines; a line whose product you can no longer buy is marked unavailable."""
    return _detail(_caller(request), list_id)


@router.patch(
    "/requisition-lists/{list_id}", response=RequisitionListDetail, operation_id="update_requisition_list", auth=AUTH
)
def update_requisition_list(request: HttpRequest, list_id: int, payload: RequisitionListPatch) -> dict[str, Any]:
    user = _caller(request)
    requisitions.update_list(actor=user, list_id=list_id, name=payload.name, description=payload.description)
    return _detail(user, list_id)


@router.delete("/requisition-lists/{list_id}", response={204: None}, operation_id="delete_requisition_list", auth=AUTH)
def delete_requisition_list(request: HttpRequest, list_id: int) -> Status[None]:
    """The list's owner or a company admin deletes it."""
    requisitions.delete_list(actor=_caller(request), list_id=list_id)
    return Status(204, None)


@router.post(
    "/requisition-lists/{list_id}/lines",
    response=LineAnswersOut,
    operation_id="add_requisition_list_lines",
    auth=AUTH,
)
def add_requisition_list_lines(request: HttpRequest, list_id: int, payload: RequisitionLinesIn) -> dict[str, Any]:
    """Add SKUs; each line gets its answer (added, merged into the line of the same SKU, unknown
    SKU, not in your assortment) and acceptable lines are added whatever the rest."""
    requested = [requisitions.LineRequest(line.sku.strip(), line.quantity, line.note) for line in payload.lines]
    return _answers_out(requisitions.add_lines(actor=_caller(request), list_id=list_id, requested=requested))


@router.post(
    "/requisition-lists/{list_id}/lines/from-order",
    response=LineAnswersOut,
    operation_id="add_requisition_list_lines_from_order",
    auth=AUTH,
)
def add_requisition_list_lines_from_order(request: HttpRequest, list_id: int, payload: FromOrderIn) -> dict[str, Any]:
    """Add the products of a past order you can see."""
    answers = requisitions.add_from_order(
        actor=_caller(request), list_id=list_id, order_number=payload.order_number.strip()
    )
    return _answers_out(answers)


@router.patch(
    "/requisition-lists/{list_id}/lines/{line_id}",
    response=RequisitionListDetail,
    operation_id="update_requisition_list_line",
    auth=AUTH,
)
def update_requisition_list_line(
    request: HttpRequest, list_id: int, line_id: int, payload: RequisitionLinePatch
) -> dict[str, Any]:
    user = _caller(request)
    requisitions.update_line(actor=user, list_id=list_id, line_id=line_id, quantity=payload.quantity, note=payload.note)
    return _detail(user, list_id)


@router.delete(
    "/requisition-lists/{list_id}/lines/{line_id}",
    response=RequisitionListDetail,
    operation_id="remove_requisition_list_line",
    auth=AUTH,
)
def remove_requisition_list_line(request: HttpRequest, list_id: int, line_id: int) -> dict[str, Any]:
    user = _caller(request)
    requisitions.remove_line(actor=user, list_id=list_id, line_id=line_id)
    return _detail(user, list_id)


@router.post(
    "/requisition-lists/{list_id}/import",
    response=LineAnswersOut,
    operation_id="import_requisition_list_csv",
    auth=AUTH,
)
def import_requisition_list_csv(request: HttpRequest, list_id: int, file: File[UploadedFile]) -> dict[str, Any]:
    """A CSV file of sku,quantity[,note] rows (comma, semicolon or tab; header optional)."""
    answers = requisitions.import_csv(actor=_caller(request), list_id=list_id, content=file.read())
    return _answers_out(answers)


@router.get(
    "/requisition-lists/{list_id}/export",
    response={200: str},
    operation_id="export_requisition_list_csv",
    auth=AUTH,
    openapi_extra={"responses": {"200": {"description": "sku,quantity,note", "content": {"text/csv": {}}}}},
)
def export_requisition_list_csv(request: HttpRequest, list_id: int) -> HttpResponse:
    requisition_list = queries.requisition_list_for(_caller(request), list_id)
    if requisition_list is None:
        raise NotFound(f"no requisition list {list_id}")
    response = HttpResponse(queries.requisition_list_csv(requisition_list), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="requisition-list-{requisition_list.pk}.csv"'
    return response
