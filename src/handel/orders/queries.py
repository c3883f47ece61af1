"""Read side of orders: what a customer, a company user or staff may see."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from handel.companies.queries import viewer_for
from handel.orders.models import CreditMemo, Invoice, Order

SEE_ALL_COMPANY_ORDERS = "see_all_company_orders"


def orders_visible_to(user: Any) -> QuerySet[Order]:
    """A customer sees their own orders; a company user with the permission sees the company's."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Order.objects.none()
    visible = Q(customer_id=user.pk)
    viewer = viewer_for(user)
    if viewer is not None and viewer.can(SEE_ALL_COMPANY_ORDERS):
        visible |= Q(company_id=viewer.company_id)
    return Order.objects.filter(visible)


def order_for(user: Any, number: str) -> Order | None:
    return orders_visible_to(user).prefetch_related("lines", "events").filter(number=number).first()


SEE_INVOICES = "see_invoices_and_statements"


def invoices_visible_to(user: Any) -> QuerySet[Invoice]:
    """A customer's own invoices; a company user with the permission sees the company's."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Invoice.objects.none()
    viewer = viewer_for(user)
    if viewer is not None:
        if not viewer.can(SEE_INVOICES):
            return Invoice.objects.filter(customer_id=user.pk, company_id__isnull=True)
        return Invoice.objects.filter(Q(company_id=viewer.company_id) | Q(customer_id=user.pk, company_id__isnull=True))
    return Invoice.objects.filter(customer_id=user.pk)


def credit_memos_visible_to(user: Any) -> QuerySet[CreditMemo]:
    return CreditMemo.objects.filter(invoice__in=invoices_visible_to(user))
