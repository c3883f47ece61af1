"""Returns (RMA): request within the window, approval (automatic by policy, or by staff),
receipt and inspection per line (restock through the inventory ledger, or scrap), and the
resolution: a refund by credit memo, a replacement or an exchange."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from handel.core import audit
from handel.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied, field_error
from handel.core.events import emit
from handel.core.numbering import next_number
from handel.orders import lifecycle, queries
from handel.orders.models import Order, OrderLine, ReturnLine, ReturnPolicy, ReturnRequest, Shipment
from handel.orders.services.invoicing import create_credit_memo
from handel.orders.services.lifecycle import _timeline, record_order
from handel.orders.types import AddressSnapshot, LineSnapshot, OrderSnapshot

RETURN_SERIES = ("return", "RMA-")
R = ReturnRequest.Status
RETURNABLE = (lifecycle.DELIVERED, lifecycle.COMPLETED)


def policy_for(channel_code: str) -> ReturnPolicy:
    return ReturnPolicy.objects.filter(channel_code=channel_code).first() or ReturnPolicy(channel_code=channel_code)


def _delivered_at(order: Order) -> Any:
    latest = Shipment.objects.filter(order=order, delivered_at__isnull=False).aggregate(at=Max("delivered_at"))["at"]
    if latest is not None:
        return latest
    event = order.events.filter(to_status=lifecycle.DELIVERED).order_by("-at").first()
    return event.at if event else order.placed_at


def _returned(order: Order) -> dict[int, int]:
    taken: dict[int, int] = defaultdict(int)
    for line in ReturnLine.objects.filter(request__order=order).exclude(request__status__in=[R.REJECTED, R.CANCELLED]):
        taken[line.position] += line.quantity
    return taken


def request_return(
    *,
    user: Any,
    order_number: str,
    lines: list[dict[str, Any]],
    resolution: str,
    note: str = "",
    exchange_sku: str = "",
) -> ReturnRequest:
    """The customer asks to return delivered lines: [{"position", "quantity", "reason", "condition"}]."""
    if resolution not in ReturnRequest.Resolution.values:
        raise InvalidInput(
            "resolution must be refund, replacement or exchange",
            errors=[field_error(["body", "resolution"], "refund, replacement or exchange")],
        )
    if resolution == ReturnRequest.Resolution.EXCHANGE and not exchange_sku.strip():
        raise InvalidInput("name the item to exchange for", errors=[field_error(["body", "exchange_sku"], "required")])
    with transaction.atomic(durable=True):
        order = queries.orders_visible_to(user).select_for_update().filter(number=order_number).first()
        if order is None:
            raise NotFound(f"no order {order_number}")
        if order.status not in RETURNABLE:
            raise Conflict("only delivered orders can be returned", slug="not-returnable")
        policy = policy_for(order.channel_code)
        if timezone.now() > _delivered_at(order) + timedelta(days=policy.window_days):
            raise Conflict(f"the return window of {policy.window_days} days has passed", slug="return-window-closed")
        by_position = {line.position: line for line in order.lines.all()}
        taken = _returned(order)
        errors, clean = [], []
        for index, item in enumerate(lines):
            line: OrderLine | None = by_position.get(item.get("position", -1))
            quantity = item.get("quantity", 0)
            if line is None:
                errors.append(field_error(["body", "lines", index, "position"], "no such order line"))
                continue
            if not isinstance(quantity, int) or quantity <= 0 or quantity > line.quantity - taken[line.position]:
                errors.append(
                    field_error(
                        ["body", "lines", index, "quantity"], f"between 1 and {line.quantity - taken[line.position]}"
                    )
                )
            if item.get("reason") not in ReturnLine.Reason.values:
                errors.append(field_error(["body", "lines", index, "reason"], "unknown reason"))
            if item.get("condition") not in ReturnLine.Condition.values:
                errors.append(field_error(["body", "lines", index, "condition"], "unknown condition"))
            clean.append((line, quantity, item.get("reason"), item.get("condition")))
        if errors or not clean:
            raise InvalidInput(
                "the return is not valid", errors=errors or [field_error(["body", "lines"], "name at least one line")]
            )
        request = ReturnRequest.objects.create(
            number=next_number(RETURN_SERIES[0], prefix=RETURN_SERIES[1]),
            order=order,
            customer=user,
            resolution=resolution,
            note=note.strip(),
            exchange_sku=exchange_sku.strip(),
        )
        ReturnLine.objects.bulk_create(
            [
                ReturnLine(
                    request=request,
                    position=line.position,
                    sku=line.sku,
                    quantity=quantity,
                    reason=reason,
                    condition=condition,
                )
                for line, quantity, reason, condition in clean
            ]
        )
        value = sum((line.total_gross * quantity / line.quantity for line, quantity, _, _ in clean), Decimal(0))
        automatic = value <= policy.auto_approve_max_amount and all(
            reason in policy.auto_approve_reasons for _, _, reason, _ in clean
        )
        if automatic:
            request.status, request.auto_approved, request.instructions = R.APPROVED, True, policy.instructions
            request.save(update_fields=["status", "auto_approved", "instructions"])
        _timeline(order, actor=user, kind="return_requested", message=f"Return {request.number} requested")
        audit.record(actor=user, action="return.requested", obj=request, data={"auto_approved": automatic})
        emit("return.changed", {"return_id": request.pk, "status": request.status})
    return request


def _locked(number: str) -> ReturnRequest:
    request = ReturnRequest.objects.select_for_update().select_related("order").filter(number=number).first()
    if request is None:
        raise NotFound(f"no return {number}")
    return request


def decide_return(*, number: str, approve: bool, actor: Any, comment: str = "") -> ReturnRequest:
    with transaction.atomic(durable=True):
        request = _locked(number)
        if request.status != R.REQUESTED:
            raise Conflict(
                f"a return that is {request.get_status_display().lower()} cannot be decided again",
                slug="return-decided",
            )
        request.status = R.APPROVED if approve else R.REJECTED
        request.staff_comment = comment.strip()
        if approve:
            request.instructions = policy_for(request.order.channel_code).instructions
        request.save(update_fields=["status", "staff_comment", "instructions", "updated_at"])
        audit.record(
            actor=actor,
            action="return.approved" if approve else "return.rejected",
            obj=request,
            data={"comment": comment},
        )
        emit("return.changed", {"return_id": request.pk, "status": request.status})
    return request


def receive_return(*, number: str, lines: list[dict[str, Any]], actor: Any) -> ReturnRequest:
    """Staff record what arrived, per line: {"position", "received_quantity", "outcome": restock|scrap,
    "source_code"}. Restocked units go back through the inventory ledger (event `return.received`)."""
    with transaction.atomic(durable=True):
        request = _locked(number)
        if request.status != R.APPROVED:
            raise Conflict("only approved returns can be received", slug="return-not-approved")
        by_position = {line.position: line for line in request.lines.all()}
        errors = []
        for index, item in enumerate(lines):
            line = by_position.get(item.get("position", -1))
            received = item.get("received_quantity", 0)
            if line is None:
                errors.append(field_error(["body", "lines", index, "position"], "not in this return"))
                continue
            if not isinstance(received, int) or not 0 <= received <= line.quantity:
                errors.append(field_error(["body", "lines", index, "received_quantity"], f"0 to {line.quantity}"))
            if item.get("outcome") not in (ReturnLine.Outcome.RESTOCK, ReturnLine.Outcome.SCRAP):
                errors.append(field_error(["body", "lines", index, "outcome"], "restock or scrap"))
            if item.get("outcome") == ReturnLine.Outcome.RESTOCK and not item.get("source_code"):
                errors.append(field_error(["body", "lines", index, "source_code"], "where to restock"))
        if errors:
            raise InvalidInput("the receipt is not valid", errors=errors)
        restock = []
        for item in lines:
            line = by_position[item["position"]]
            line.received_quantity, line.outcome = item["received_quantity"], item["outcome"]
            line.restock_source = item.get("source_code", "") if line.outcome == ReturnLine.Outcome.RESTOCK else ""
            line.save(update_fields=["received_quantity", "outcome", "restock_source"])
            if line.outcome == ReturnLine.Outcome.RESTOCK and line.received_quantity:
                restock.append(
                    {"sku": line.sku, "quantity": line.received_quantity, "source_code": line.restock_source}
                )
        request.status = R.RECEIVED
        request.save(update_fields=["status", "updated_at"])
        audit.record(actor=actor, action="return.received", obj=request, data={"restock": restock})
        emit("return.received", {"reference": request.number, "order": request.order.number, "restock": restock})
        emit("return.changed", {"return_id": request.pk, "status": request.status})
    return request


def complete_return(*, number: str, actor: Any, refund_to: str = "original_payment") -> ReturnRequest:
    """Resolve a received return: credit what arrived, or send a replacement (or the exchange item)."""
    with transaction.atomic(durable=True):
        request = _locked(number)
        if request.status != R.RECEIVED:
            raise Conflict("only received returns can be completed", slug="return-not-received")
        received = [(line.position, line.received_quantity) for line in request.lines.all() if line.received_quantity]
    if not received:
        raise Conflict("nothing arrived: reject or cancel the return instead", slug="nothing-received")
    memo_number = replacement_number = ""
    if request.resolution == ReturnRequest.Resolution.REFUND:
        memo_number = _credit_returned(request, received, refund_to, actor)
    else:
        replacement_number = _send_replacement(request, dict(received), actor)
    with transaction.atomic(durable=True):
        request = _locked(number)
        request.status = R.COMPLETED
        request.credit_memo_number, request.replacement_order_number = memo_number, replacement_number
        request.save(update_fields=["status", "credit_memo_number", "replacement_order_number", "updated_at"])
        audit.record(
            actor=actor,
            action="return.completed",
            obj=request,
            data={"credit_memo": memo_number, "replacement": replacement_number},
        )
        emit("return.changed", {"return_id": request.pk, "status": request.status})
    return request


def _credit_returned(request: ReturnRequest, received: list[tuple[int, int]], refund_to: str, actor: Any) -> str:
    """Credit each returned line on the invoice that billed it (invoice line positions are order
    line positions); one credit memo per invoice involved."""
    invoices = list(request.order.invoices.prefetch_related("lines").order_by("id"))
    if not invoices:
        raise Conflict("the order has no invoice to credit yet", slug="no-invoice")
    per_invoice: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for position, quantity in received:
        invoice = next((inv for inv in invoices if any(line.position == position for line in inv.lines.all())), None)
        if invoice is None:
            raise Conflict(f"order line {position} is not invoiced yet", slug="no-invoice")
        per_invoice[invoice.number].append((position, quantity))
    numbers = [
        create_credit_memo(
            invoice_number=invoice_number,
            lines=lines,
            refund_to=refund_to,
            actor=actor,
            reason=f"return {request.number}",
        ).number
        for invoice_number, lines in per_invoice.items()
    ]
    return ", ".join(numbers)


def _send_replacement(request: ReturnRequest, received: dict[int, int], actor: Any) -> str:
    """A no-charge order for the same items (or the exchange item), shipped like any other."""
    order = request.order
    zero = Decimal("0.00")
    lines = tuple(
        LineSnapshot(
            sku=request.exchange_sku or line.sku,
            name=line.name if not request.exchange_sku else f"Exchange for {line.sku}",
            quantity=received[line.position],
            unit_price=zero,
            discount=zero,
            tax_rate=line.tax_rate,
            tax_amount=zero,
            total_net=zero,
            total_gross=zero,
            note=f"replacement for {request.number}",
        )
        for line in order.lines.all()
        if line.position in received
    )
    address = order.shipping_address or order.billing_address
    snapshot = OrderSnapshot(
        channel_code=order.channel_code,
        currency=order.currency,
        locale=order.locale,
        email=order.email,
        prices_include_tax=order.prices_include_tax,
        lines=lines,
        billing_address=AddressSnapshot(**order.billing_address),
        shipping_address=AddressSnapshot(**address),
        delivery=dict(order.delivery),
        shipping_net=zero,
        shipping_gross=zero,
        discount_total=zero,
        subtotal_net=zero,
        subtotal_gross=zero,
        tax_total=zero,
        grand_total=zero,
        payment_method="none",
        customer_id=order.customer_id,
        company_id=order.company_id,
        notes=f"Replacement for return {request.number}",
    )
    with transaction.atomic(durable=True):
        replacement = record_order(snapshot=snapshot, actor=actor)
        replacement.status = lifecycle.PROCESSING
        replacement.save(update_fields=["status"])
    return replacement.number


def cancel_return(*, number: str, user: Any) -> ReturnRequest:
    with transaction.atomic(durable=True):
        request = _locked(number)
        if request.customer_id != getattr(user, "pk", None):
            raise PermissionDenied("this is not your return")
        if request.status not in (R.REQUESTED, R.APPROVED):
            raise Conflict("the items have arrived already; the return cannot be cancelled", slug="return-received")
        request.status = R.CANCELLED
        request.save(update_fields=["status", "updated_at"])
        audit.record(actor=user, action="return.cancelled", obj=request)
        emit("return.changed", {"return_id": request.pk, "status": request.status})
    return request
