from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from handel.core.api import AUTH, require_scope, require_staff, require_user
from handel.core.errors import NotFound
from handel.core.pagination import paginate
from handel.orders import queries, services
from handel.orders.models import Order
from handel.orders.schemas import NoteIn, OrderOut, OrderPage, TransitionIn

router = Router(tags=["orders"])


def _detail(order: Order, *, staff: bool) -> dict[str, Any]:
    data = {field: getattr(order, field) for field in OrderOut.model_fields if hasattr(order, field)}
    data["lines"] = list(order.lines.all())
    data["timeline"] = [event for event in order.events.all() if staff or event.customer_visible]
    return data


@router.get("", response=OrderPage, operation_id="list_orders", auth=AUTH)
def list_orders(
    request: HttpRequest, status: str = "", q: str = "", page: int = 1, page_size: int = 20
) -> dict[str, Any]:
    """The caller's orders (and their company's, if their role may see them)."""
    user = require_user(request)
    require_scope(request, "account")
    orders = queries.orders_visible_to(user)
    if status:
        orders = orders.filter(status=status)
    if q:
        orders = orders.filter(number__icontains=q) | orders.filter(purchase_order_number__icontains=q)
    return paginate(orders, page=page, page_size=page_size, order_by=["-placed_at"]).as_dict()


@router.get("/{number}", response=OrderOut, operation_id="get_order", auth=AUTH)
def get_order(request: HttpRequest, number: str) -> dict[str, Any]:
    user = require_user(request)
    if user.is_staff and user.has_perm("orders.view_order"):
        order = Order.objects.prefetch_related("lines", "events").filter(number=number).first()
        staff = True
    else:
        require_scope(request, "account")
        order, staff = queries.order_for(user, number), False
    if order is None:
        raise NotFound(f"no order {number}")
    return _detail(order, staff=staff)


@router.post("/{number}/status", response=OrderOut, operation_id="transition_order", auth=AUTH)
def transition_order(request: HttpRequest, number: str, payload: TransitionIn) -> dict[str, Any]:
    actor = require_staff(request, "orders.change_order", scope="orders:write")
    services.transition_order(number=number, to=payload.status, actor=actor, reason=payload.reason)
    return get_order(request, number)


@router.post("/{number}/release", response=OrderOut, operation_id="release_order", auth=AUTH)
def release_order(request: HttpRequest, number: str) -> dict[str, Any]:
    actor = require_staff(request, "orders.change_order", scope="orders:write")
    services.release_order(number=number, actor=actor)
    return get_order(request, number)


@router.post("/{number}/notes", response=OrderOut, operation_id="add_order_note", auth=AUTH)
def add_order_note(request: HttpRequest, number: str, payload: NoteIn) -> dict[str, Any]:
    actor = require_staff(request, "orders.change_order", scope="orders:write")
    services.add_note(number=number, actor=actor, message=payload.message, customer_visible=payload.customer_visible)
    return get_order(request, number)
