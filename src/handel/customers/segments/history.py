"""Each customer's order history (count, spent, first and last order), told by the orders domain through
its events; the customer's rule segments follow it."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Count, Max, Min, Sum
from django.utils.dateparse import parse_datetime

from handel.customers.models import (
    CustomerOrder,
    CustomerStats,
    User,
)
from handel.customers.segments.members import recompute_and_record

# --- order history (told by the orders domain through events) ---------------------------------


def _facts(payload: Mapping[str, Any]) -> dict[str, Any] | None:
    """The order's customer facts from an orders event, or None (a guest's order, an old event)."""
    try:
        customer_id = int(payload.get("customer_id") or 0)
        total = Decimal(str(payload["total"]))
        placed_at = parse_datetime(str(payload["placed_at"]))
    except (KeyError, TypeError, ValueError, InvalidOperation):
        return None
    if not customer_id or placed_at is None or not payload.get("number"):
        return None
    return {
        "customer_id": customer_id,
        "total": total,
        "currency": str(payload.get("currency", "")),
        "placed_at": placed_at,
    }


def _restate(customer_id: int) -> None:
    """CustomerStats from the customer's live (not cancelled) orders: one aggregate, idempotent."""
    totals = CustomerOrder.objects.filter(customer_id=customer_id, cancelled=False).aggregate(
        count=Count("pk"), spent=Sum("total"), first=Min("placed_at"), last=Max("placed_at")
    )
    CustomerStats.objects.update_or_create(
        customer_id=customer_id,
        defaults={
            "order_count": totals["count"] or 0,
            "total_spent": totals["spent"] or Decimal("0"),
            "first_order_at": totals["first"],
            "last_order_at": totals["last"],
        },
    )


def record_order_history(*, number: str, event: str, facts: Mapping[str, Any]) -> None:
    """Keep the customer's order history and their segments up to date. `event` is placed,
    edited or cancelled; a repeated or late event changes nothing more (one row per order)."""
    customer_id = facts["customer_id"]
    with transaction.atomic(durable=True):
        # Locking the customer serialises concurrent events of their orders (stats, memberships).
        # No key update: a segment's recompute may meanwhile insert this customer's memberships,
        # whose foreign key needs a share lock on the row (a full update lock would deadlock them).
        customer = User.objects.select_for_update(no_key=True).filter(pk=customer_id)
        if customer.values_list("pk", flat=True).first() is None:
            return
        values = {
            "customer_id": customer_id,
            "total": facts["total"],
            "currency": facts["currency"],
            "placed_at": facts["placed_at"],
        }
        if event == "placed":
            CustomerOrder.objects.get_or_create(number=number, defaults=values)
        elif event == "edited":
            CustomerOrder.objects.update_or_create(number=number, defaults=values)
        else:
            CustomerOrder.objects.update_or_create(number=number, defaults={**values, "cancelled": True})
        _restate(customer_id)
        recompute_and_record(customer_id, order=number)


def on_order_placed(payload: dict[str, Any]) -> None:
    """Handler of the orders' `order.placed` event: the customer's stats and segments follow."""
    _on_order_event(payload, "placed")


def on_order_edited(payload: dict[str, Any]) -> None:
    """Handler of `order.edited`: the order's new total counts instead of the old one."""
    _on_order_event(payload, "edited")


def on_order_cancelled(payload: dict[str, Any]) -> None:
    """Handler of `order.cancelled`: a cancelled order no longer counts."""
    _on_order_event(payload, "cancelled")


def _on_order_event(payload: Mapping[str, Any], event: str) -> None:
    facts = _facts(payload)
    if facts is not None:
        record_order_history(number=str(payload["number"]), event=event, facts=facts)
