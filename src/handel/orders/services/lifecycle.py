"""Write use cases for orders: record a placed order, move it through its lifecycle, edit, cancel."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction

from handel.core import audit
from handel.core.errors import Conflict, DomainError, InvalidInput, NotFound, field_error
from handel.core.events import emit
from handel.core.money import round_amount
from handel.core.numbering import next_number
from handel.orders import lifecycle
from handel.orders.models import Order, OrderEvent, OrderLine
from handel.orders.types import OrderSnapshot

ORDER_SERIES = ("order", "ORD-")


class InvalidTransition(DomainError):
    status = 409
    slug = "invalid-order-transition"
    title = "The order cannot move to that status"


def _check_totals(snapshot: OrderSnapshot) -> None:
    """An order total equals the sum of its parts, to the cent, or it is not recorded."""
    currency = snapshot.currency
    problems = []
    if not snapshot.lines:
        problems.append(field_error(["body", "lines"], "an order needs at least one line"))
    amounts = [
        snapshot.shipping_net,
        snapshot.shipping_gross,
        snapshot.tax_total,
        snapshot.grand_total,
        snapshot.subtotal_net,
        snapshot.subtotal_gross,
        snapshot.discount_total,
    ]
    for line in snapshot.lines:
        amounts += [line.total_net, line.total_gross, line.tax_amount, line.discount]
        if line.quantity <= 0:
            problems.append(field_error(["body", "lines", line.sku, "quantity"], "must be positive"))
        if line.total_gross - line.total_net != line.tax_amount:
            problems.append(field_error(["body", "lines", line.sku], "gross minus net is not the line's tax"))
    if any(round_amount(amount, currency) != amount or amount < 0 for amount in amounts):
        problems.append(field_error(["body", "totals"], f"amounts must be non-negative and rounded to {currency}"))
    net = sum((line.total_net for line in snapshot.lines), Decimal(0))
    gross = sum((line.total_gross for line in snapshot.lines), Decimal(0))
    tax = sum((line.tax_amount for line in snapshot.lines), Decimal(0))
    if net != snapshot.subtotal_net or gross != snapshot.subtotal_gross:
        problems.append(field_error(["body", "subtotal"], "the subtotal is not the sum of the lines"))
    if tax + (snapshot.shipping_gross - snapshot.shipping_net) != snapshot.tax_total:
        problems.append(
            field_error(["body", "tax_total"], "the tax total is not the sum of the lines' and shipping tax")
        )
    if gross + snapshot.shipping_gross != snapshot.grand_total:
        problems.append(field_error(["body", "grand_total"], "the total is not lines plus shipping"))
    if problems:
        raise InvalidInput("the order's amounts do not add up", errors=problems, slug="order-totals-mismatch")


def _timeline(
    order: Order,
    *,
    actor: Any,
    kind: str,
    message: str = "",
    from_status: str = "",
    to_status: str = "",
    data: dict[str, Any] | None = None,
    customer_visible: bool = True,
) -> None:
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    OrderEvent.objects.create(
        order=order,
        actor=user,
        actor_label=getattr(user, "email", "") if user else "system",
        kind=kind,
        message=message,
        from_status=from_status,
        to_status=to_status,
        data=data or {},
        customer_visible=customer_visible,
    )


def _write_lines(order: Order, snapshot: OrderSnapshot) -> None:
    OrderLine.objects.bulk_create(
        [
            OrderLine(
                order=order,
                position=index,
                sku=line.sku,
                name=line.name,
                kind=line.kind,
                quantity=line.quantity,
                unit_price=line.unit_price,
                discount=line.discount,
                tax_rate=line.tax_rate,
                tax_amount=line.tax_amount,
                total_net=line.total_net,
                total_gross=line.total_gross,
                options=line.options,
                explanation=line.explanation,
                note=line.note,
            )
            for index, line in enumerate(snapshot.lines, start=1)
        ]
    )


def _snapshot_fields(snapshot: OrderSnapshot) -> dict[str, Any]:
    return {
        "channel_code": snapshot.channel_code,
        "currency": snapshot.currency,
        "locale": snapshot.locale,
        "email": snapshot.email,
        "customer_id": snapshot.customer_id,
        "company_id": snapshot.company_id,
        "purchase_order_number": snapshot.purchase_order_number,
        "placed_by_staff_id": snapshot.placed_by_staff_id,
        "prices_include_tax": snapshot.prices_include_tax,
        "subtotal_net": snapshot.subtotal_net,
        "subtotal_gross": snapshot.subtotal_gross,
        "discount_total": snapshot.discount_total,
        "shipping_net": snapshot.shipping_net,
        "shipping_gross": snapshot.shipping_gross,
        "tax_total": snapshot.tax_total,
        "grand_total": snapshot.grand_total,
        "payment_method": snapshot.payment_method,
        "billing_address": snapshot.billing_address.as_dict(),
        "shipping_address": snapshot.shipping_address.as_dict() if snapshot.shipping_address else None,
        "delivery": snapshot.delivery,
        "promotions": list(snapshot.promotions),
        "tax_breakdown": list(snapshot.tax_breakdown),
        "notes": snapshot.notes,
    }


def _customer_facts(order: Order) -> dict[str, Any]:
    """What the customers domain keeps of an order for its segment rules (order history)."""
    return {
        "customer_id": order.customer_id,
        "total": str(order.grand_total),
        "currency": order.currency,
        "placed_at": order.placed_at.isoformat(),
    }


def record_order(*, snapshot: OrderSnapshot, actor: Any = None, number: str = "") -> Order:
    """Write a placed order. Runs inside checkout's transaction, so a failure later in placement
    (stock, payment) takes the order and its number back with it. `number` is one the placing
    transaction took already (`next_number` of ORDER_SERIES); without it the order takes the next."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_order must run inside the placing transaction")
    _check_totals(snapshot)
    order = Order.objects.create(
        number=number or next_number(ORDER_SERIES[0], prefix=ORDER_SERIES[1]), **_snapshot_fields(snapshot)
    )
    _write_lines(order, snapshot)
    _timeline(
        order,
        actor=actor,
        kind="placed",
        to_status=order.status,
        message="Placed on behalf of the customer by staff" if snapshot.placed_by_staff_id else "",
    )
    audit.record(actor=actor, action="order.placed", obj=order, data={"total": str(order.grand_total)})
    emit("order.placed", {"order_id": order.pk, "number": order.number, **_customer_facts(order)})
    units: dict[str, int] = {}
    for line in snapshot.lines:
        units[line.sku] = units.get(line.sku, 0) + line.quantity
    emit("orders.products_sold", {"units": units, "customer_id": snapshot.customer_id, "order": order.number})
    return order


def _locked(number: str) -> Order:
    order = Order.objects.select_for_update().filter(number=number).first()
    if order is None:
        raise NotFound(f"no order {number}")
    return order


def _move(order: Order, target: str, *, actor: Any, reason: str = "") -> None:
    if not lifecycle.can_move(order.status, target):
        raise InvalidTransition(
            f"an order that is {order.get_status_display().lower()} cannot become "
            f"{dict(lifecycle.CHOICES)[target].lower()}"
        )
    previous = order.status
    order.status = target
    order.save(update_fields=["status", "status_before_hold", "updated_at"])
    _timeline(order, actor=actor, kind="status_changed", from_status=previous, to_status=target, message=reason)
    audit.record(
        actor=actor, action="order.status_changed", obj=order, data={"from": previous, "to": target, "reason": reason}
    )
    emit("order.status_changed", {"order_id": order.pk, "number": order.number, "from": previous, "to": target})


def transition_order(*, number: str, to: str, actor: Any, reason: str = "") -> Order:
    if to not in dict(lifecycle.CHOICES):
        raise InvalidInput(f"unknown status '{to}'", errors=[field_error(["body", "status"], "unknown status")])
    if to in (lifecycle.CANCELLED, lifecycle.ON_HOLD):
        return (
            cancel_order(number=number, actor=actor, reason=reason)
            if to == lifecycle.CANCELLED
            else (hold_order(number=number, actor=actor, reason=reason))
        )
    with transaction.atomic(durable=True):
        order = _locked(number)
        if order.status == lifecycle.ON_HOLD:
            raise InvalidTransition("release the hold first", slug="order-on-hold")
        _move(order, to, actor=actor, reason=reason)
    return order


def hold_order(*, number: str, actor: Any, reason: str = "") -> Order:
    with transaction.atomic(durable=True):
        order = _locked(number)
        order.status_before_hold = order.status
        _move(order, lifecycle.ON_HOLD, actor=actor, reason=reason)
    return order


def release_order(*, number: str, actor: Any, reason: str = "") -> Order:
    with transaction.atomic(durable=True):
        order = _locked(number)
        if order.status != lifecycle.ON_HOLD:
            raise InvalidTransition("the order is not on hold", slug="order-not-on-hold")
        target = order.status_before_hold or lifecycle.PROCESSING
        order.status_before_hold = ""
        _move(order, target, actor=actor, reason=reason)
    return order


def cancel_order(*, number: str, actor: Any, reason: str = "") -> Order:
    """Cancel before fulfilment. Handlers of `order.cancelled` release stock, void the payment and
    give back company credit (see handel/wiring.py)."""
    with transaction.atomic(durable=True):
        order = _locked(number)
        if order.status not in lifecycle.CANCELLABLE:
            raise InvalidTransition("only orders that are not shipped yet can be cancelled")
        _move(order, lifecycle.CANCELLED, actor=actor, reason=reason)
        emit(
            "order.cancelled",
            {
                "order_id": order.pk,
                "number": order.number,
                "channel_code": order.channel_code,
                "company_id": order.company_id,
                "payment_method": order.payment_method,
                "lines": [{"sku": line.sku, "quantity": line.quantity} for line in order.lines.all()],
                **_customer_facts(order),
            },
        )
    return order


def edit_order(*, number: str, snapshot: OrderSnapshot, actor: Any, reason: str) -> Order:
    """Replace an unfulfilled order's lines and totals with a re-priced snapshot; the previous
    version stays in the timeline."""
    _check_totals(snapshot)
    with transaction.atomic(durable=True):
        order = _locked(number)
        if order.status not in lifecycle.EDITABLE:
            raise Conflict("only orders that are not shipped yet can be edited", slug="order-not-editable")
        previous = {
            "version": order.version,
            "grand_total": str(order.grand_total),
            "lines": [
                {"sku": line.sku, "quantity": line.quantity, "total_gross": str(line.total_gross)}
                for line in order.lines.all()
            ],
        }
        order.lines.all().delete()
        for field, value in _snapshot_fields(snapshot).items():
            setattr(order, field, value)
        order.version += 1
        order.save()
        _write_lines(order, snapshot)
        _timeline(order, actor=actor, kind="edited", message=reason, data={"previous": previous})
        audit.record(actor=actor, action="order.edited", obj=order, data={"reason": reason, "previous": previous})
        emit("order.edited", {"order_id": order.pk, "number": order.number, **_customer_facts(order)})
    return order


def add_note(*, number: str, actor: Any, message: str, customer_visible: bool = False) -> Order:
    if not message.strip():
        raise InvalidInput("a note needs text", errors=[field_error(["body", "message"], "required")])
    with transaction.atomic(durable=True):
        order = _locked(number)
        _timeline(order, actor=actor, kind="note", message=message.strip(), customer_visible=customer_visible)
    return order


def on_payment_authorized(payload: dict[str, Any]) -> None:
    """A payment for an order went through: a waiting order starts processing."""
    with transaction.atomic(durable=True):
        order = Order.objects.select_for_update().filter(number=payload.get("reference", "")).first()
        if order is not None and order.status == lifecycle.PENDING_PAYMENT:
            _move(order, lifecycle.PROCESSING, actor=None, reason="payment received")


def on_payment_failed(payload: dict[str, Any]) -> None:
    with transaction.atomic(durable=True):
        order = Order.objects.filter(number=payload.get("reference", "")).first()
        if order is not None:
            _timeline(order, actor=None, kind="payment_failed", message="The payment did not go through.")
