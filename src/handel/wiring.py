"""How the domains are wired together, in one place.

EVENT_HANDLERS: which handlers each outbox event reaches (handel/core/events.py delivers them).
PERIODIC_JOBS:  jobs run by Celery beat or `handel jobs run-due`.
DEMO_STEPS:     what `handel demo` builds, in order; each step is idempotent.
"""

from __future__ import annotations

from datetime import timedelta

from handel.catalog import demo as catalog_demo
from handel.catalog.engagement import demo as catalog_engagement_demo
from handel.catalog.engagement.services import compare as catalog_compare
from handel.catalog.engagement.services import reviews as catalog_reviews
from handel.catalog.media import demo as catalog_media_demo
from handel.catalog.media import services as catalog_media_services
from handel.channels import demo as channels_demo
from handel.checkout import notifications as checkout_notifications
from handel.checkout import placement as checkout_placement
from handel.checkout import services as checkout_services
from handel.companies import demo as companies_demo
from handel.companies import notifications as company_notifications
from handel.companies import services as company_services
from handel.core import events, idempotency
from handel.core.jobs import PeriodicJob
from handel.customers import demo as customers_demo
from handel.customers import notifications as customer_notifications
from handel.customers import services as customer_services
from handel.inventory import demo as inventory_demo
from handel.inventory import events as inventory_events
from handel.inventory import notifications as inventory_notifications
from handel.inventory import services as inventory_services
from handel.orders import notifications as order_notifications
from handel.orders import services as order_services
from handel.payments import services as payment_services
from handel.payments.providers.test_gateway import WEBHOOK_EVENT as TEST_GATEWAY_WEBHOOK
from handel.pricing import demo as pricing_demo
from handel.pricing import services as pricing_services
from handel.procurement import notifications as procurement_notifications
from handel.search import demo as search_demo
from handel.search import events as search_events

EVENT_HANDLERS = {
    "customer.signed_up": [customer_notifications.send_welcome_email],
    "customer.anonymised": [],
    "customer.password_set": [company_services.activate_invited_member],
    TEST_GATEWAY_WEBHOOK: [payment_services.deliver_test_gateway_webhook],
    "payment.authorized": [order_services.on_payment_authorized],
    "payment.failed": [order_services.on_payment_failed],
    "payment.captured": [order_services.on_payment_captured],
    "invoice.issued": [order_notifications.send_invoice],
    # The memo mail says when the refund went to store credit, and the new balance.
    "credit_memo.issued": [order_notifications.send_credit_memo],
    "shipment.status_changed": [order_notifications.send_shipment_update],
    "return.changed": [order_notifications.send_return_update],
    "purchase_order.submitted": [procurement_notifications.ask_approvers],
    "purchase_order.step_approved": [procurement_notifications.ask_approvers],
    # Checkout places the approved purchase's order (re-priced) and tells procurement its number.
    "purchase_order.approved": [procurement_notifications.tell_buyer, checkout_placement.on_purchase_order_approved],
    "checkout.order_confirmed": [checkout_notifications.send_order_confirmation],
    "purchase_order.rejected": [procurement_notifications.tell_buyer],
    # Customers keep each customer's order history (count, spent, last order) for segment rules.
    "order.placed": [customer_services.on_order_placed],
    "order.edited": [customer_services.on_order_edited],
    "order.cancelled": [
        payment_services.on_order_cancelled,
        company_services.on_order_cancelled,
        inventory_events.on_order_cancelled,
        # A cancelled order's coupons and promotion uses count as unused again.
        pricing_services.on_order_cancelled,
        customer_services.on_order_cancelled,
    ],
    "shipment.shipped": [inventory_events.on_shipment_shipped],
    "return.received": [inventory_events.on_return_received],
    "company.registered": [],
    "company.approved": [company_notifications.send_approval],
    "company.blocked": [],
    "company.user_invited": [company_notifications.send_invitation],
    "inventory.back_in_stock": [inventory_notifications.send_back_in_stock_notices],
    "inventory.stock_low": [inventory_notifications.send_low_stock_alert, search_events.on_stock_changed],
    "inventory.stock_shipped": [],
    # {"skus": [...]}: a SKU became buyable, or stopped being buyable, at some source.
    "inventory.availability_changed": [search_events.on_stock_changed],
    # The search index follows the catalog, prices and stock (at once in the embedded default).
    # Imported image references (Product.media) become external gallery images.
    "catalog.products.changed": [search_events.on_products_changed, catalog_media_services.sync_image_references],
    "catalog.products.deleted": [search_events.on_products_deleted],
    "catalog.category.changed": [search_events.on_category_changed],
    "catalog.category.moved": [search_events.on_catalog_structure_changed],
    "catalog.category.deleted": [search_events.on_catalog_structure_changed],
    "catalog.assortment.changed": [search_events.on_catalog_structure_changed],
    "pricing.prices_changed": [search_events.on_prices_changed],
    # Emitted at order placement with {"units": {"SKU": n}, "customer_id"}: best sellers, demand, verified buyers.
    "orders.products_sold": [
        search_events.on_products_sold,
        pricing_services.on_products_sold,
        catalog_reviews.on_products_sold,
    ],
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
    PeriodicJob(
        "expire_reservations",
        inventory_services.expire_reservations,
        timedelta(minutes=1),
        "release checkout stock reservations whose time is up",
    ),
    PeriodicJob(
        "log_dynamic_price_changes",
        pricing_services.log_dynamic_price_changes,
        timedelta(minutes=15),
        "evaluate stock, demand and time rules and log each price they changed, with the reason",
    ),
    PeriodicJob(
        "refresh_customer_segments",
        customer_services.refresh_segments,
        timedelta(days=1),
        "recompute rule segments whose conditions move with the clock (days since sign-up, last order)",
    ),
    PeriodicJob(
        "purge_abandoned_guest_carts",
        checkout_services.purge_abandoned_guest_carts,
        timedelta(days=1),
        "remove open guest carts untouched for 30 days (their cookie has expired)",
    ),
    PeriodicJob(
        "purge_guest_compare_lists",
        catalog_compare.purge_stale_guest_lists,
        timedelta(days=1),
        "remove guests' compare lists untouched for 30 days",
    ),
    PeriodicJob(
        "sweep_catalog_media_files",
        catalog_media_services.sweep_orphaned_files,
        timedelta(days=1),
        "delete stored images, documents and 3D models whose rows are gone (e.g. deleted products)",
    ),
    PeriodicJob(
        "sweep_review_photos",
        catalog_reviews.sweep_orphaned_photos,
        timedelta(days=1),
        "delete stored review photos whose reviews are gone",
    ),
]

DEMO_STEPS = [
    ("channels", channels_demo.build),
    ("staff and customers", customers_demo.build),
    ("companies", companies_demo.build),
    ("catalog", catalog_demo.build),
    # Pictures, spin sets, 3D models and datasheets for the catalog's demo products.
    ("catalog media", catalog_media_demo.build),
    # Reviews, questions and wishlists by the demo customers on the catalog's demo products.
    ("catalog reviews and wishlists", catalog_engagement_demo.build),
    # Stocks the catalog's demo SKUs: keep it after the catalog step.
    ("inventory", inventory_demo.build),
    # Prices the catalog's demo SKUs: keep it after the catalog step.
    ("pricing", pricing_demo.build),
    # Indexes everything above: keep it last.
    ("search", search_demo.build),
]

DEMO_LOGINS = [*customers_demo.LOGINS, *companies_demo.LOGINS]
