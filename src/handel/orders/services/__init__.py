"""Every write use case of orders: lifecycle, invoices and credit memos, receivables, shipments."""

from handel.orders.services.invoicing import create_credit_memo, issue_invoice, on_payment_captured
from handel.orders.services.lifecycle import (
    Conflict,
    InvalidTransition,
    add_note,
    cancel_order,
    edit_order,
    hold_order,
    on_payment_authorized,
    on_payment_failed,
    record_order,
    release_order,
    transition_order,
)
from handel.orders.services.receivables import record_customer_payment, run_dunning
from handel.orders.services.returns import (
    cancel_return,
    complete_return,
    decide_return,
    receive_return,
    request_return,
)
from handel.orders.services.shipments import (
    create_shipment,
    plan_shipments,
    receive_carrier_webhook,
    update_shipment_status,
)

__all__ = [
    "Conflict",
    "InvalidTransition",
    "add_note",
    "cancel_order",
    "cancel_return",
    "complete_return",
    "create_credit_memo",
    "create_shipment",
    "decide_return",
    "edit_order",
    "hold_order",
    "issue_invoice",
    "on_payment_authorized",
    "on_payment_captured",
    "on_payment_failed",
    "plan_shipments",
    "receive_carrier_webhook",
    "receive_return",
    "record_customer_payment",
    "record_order",
    "release_order",
    "request_return",
    "run_dunning",
    "transition_order",
    "update_shipment_status",
]
