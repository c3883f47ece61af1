"""The order lifecycle: which status may follow which, and how each is worded for the customer."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

PENDING_PAYMENT = "pending_payment"
PROCESSING = "processing"
PARTIALLY_SHIPPED = "partially_shipped"
SHIPPED = "shipped"
DELIVERED = "delivered"
COMPLETED = "completed"
ON_HOLD = "on_hold"
CANCELLED = "cancelled"
CLOSED = "closed"

CHOICES = [
    (PENDING_PAYMENT, "Pending payment"),
    (PROCESSING, "Processing"),
    (PARTIALLY_SHIPPED, "Partially shipped"),
    (SHIPPED, "Shipped"),
    (DELIVERED, "Delivered"),
    (COMPLETED, "Completed"),
    (ON_HOLD, "On hold"),
    (CANCELLED, "Cancelled"),
    (CLOSED, "Closed (refunded)"),
]

TRANSITIONS: dict[str, frozenset[str]] = {
    PENDING_PAYMENT: frozenset({PROCESSING, ON_HOLD, CANCELLED}),
    PROCESSING: frozenset({PARTIALLY_SHIPPED, SHIPPED, ON_HOLD, CANCELLED}),
    PARTIALLY_SHIPPED: frozenset({SHIPPED, ON_HOLD}),
    SHIPPED: frozenset({DELIVERED, CLOSED}),
    DELIVERED: frozenset({COMPLETED, CLOSED}),
    COMPLETED: frozenset({CLOSED}),
    ON_HOLD: frozenset({PENDING_PAYMENT, PROCESSING, PARTIALLY_SHIPPED, CANCELLED}),
    CANCELLED: frozenset(),
    CLOSED: frozenset(),
}

# What the customer reads; staff see the plain status names.
CUSTOMER_WORDING = {
    PENDING_PAYMENT: _("We are waiting for your payment."),
    PROCESSING: _("We are preparing your order."),
    PARTIALLY_SHIPPED: _("Part of your order is on its way."),
    SHIPPED: _("Your order is on its way."),
    DELIVERED: _("Your order has been delivered."),
    COMPLETED: _("Your order is complete."),
    ON_HOLD: _("Your order is paused; we will contact you."),
    CANCELLED: _("Your order was cancelled."),
    CLOSED: _("Your order is closed and refunded."),
}

EDITABLE = frozenset({PENDING_PAYMENT, PROCESSING, ON_HOLD})
CANCELLABLE = frozenset({PENDING_PAYMENT, PROCESSING, ON_HOLD})


def can_move(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())
