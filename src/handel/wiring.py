"""How the domains are wired together, in one place.

EVENT_HANDLERS: which handlers each outbox event reaches (handel/core/events.py delivers them).
PERIODIC_JOBS:  jobs run by Celery beat or `handel jobs run-due`.
DEMO_STEPS:     what `handel demo` builds, in order; each step is idempotent.
"""

from __future__ import annotations

from datetime import timedelta

from handel.channels import demo as channels_demo
from handel.companies import demo as companies_demo
from handel.companies import notifications as company_notifications
from handel.companies import services as company_services
from handel.core import events, idempotency
from handel.core.jobs import PeriodicJob
from handel.customers import demo as customers_demo
from handel.customers import notifications as customer_notifications
from handel.orders import notifications as order_notifications
from handel.orders import services as order_services
from handel.payments import services as payment_services
from handel.payments.providers.test_gateway import WEBHOOK_EVENT as TEST_GATEWAY_WEBHOOK
from handel.procurement import notifications as procurement_notifications

EVENT_HANDLERS = {
    "customer.signed_up": [customer_notifications.send_welcome_email],
    "customer.anonymised": [],
    "customer.password_set": [company_services.activate_invited_member],
    TEST_GATEWAY_WEBHOOK: [payment_services.deliver_test_gateway_webhook],
    "payment.authorized": [order_services.on_payment_authorized],
    "payment.failed": [order_services.on_payment_failed],
    "payment.captured": [order_services.on_payment_captured],
    "invoice.issued": [order_notifications.send_invoice],
    "shipment.status_changed": [order_notifications.send_shipment_update],
    "return.changed": [order_notifications.send_return_update],
    "purchase_order.submitted": [procurement_notifications.ask_approvers],
    "purchase_order.step_approved": [procurement_notifications.ask_approvers],
    "purchase_order.approved": [procurement_notifications.tell_buyer],
    "purchase_order.rejected": [procurement_notifications.tell_buyer],
    "order.cancelled": [payment_services.on_order_cancelled, company_services.on_order_cancelled],
    "company.registered": [],
    "company.approved": [company_notifications.send_approval],
    "company.blocked": [],
    "company.user_invited": [company_notifications.send_invitation],
}

PERIODIC_JOBS = [
    PeriodicJob(
        "send_payment_reminders",
        order_services.run_dunning,
        timedelta(days=1),
        "remind customers of overdue invoices, escalating",
    ),
    PeriodicJob(
        "deliver_outbox", events.deliver_pending, timedelta(minutes=1), "retry outbox events that were not delivered"
    ),
    PeriodicJob(
        "purge_idempotency_keys",
        idempotency.purge_expired,
        timedelta(hours=1),
        "forget Idempotency-Key answers older than 24 hours",
    ),
]

DEMO_STEPS = [
    ("channels", channels_demo.build),
    ("staff and customers", customers_demo.build),
    ("companies", companies_demo.build),
]

DEMO_LOGINS = [*customers_demo.LOGINS, *companies_demo.LOGINS]
