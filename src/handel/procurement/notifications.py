"""Mail at each step of a purchase order's approval."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.mail import send_mail

from handel.procurement import approvals
from handel.procurement.models import PurchaseOrder


def _purchase_order(payload: dict[str, Any]) -> PurchaseOrder | None:
    return PurchaseOrder.objects.select_related("buyer", "approval").filter(number=payload["number"]).first()


def ask_approvers(payload: dict[str, Any]) -> None:
    po = _purchase_order(payload)
    if po is None or po.approval is None:
        return
    ids = {user_id for step in approvals.current_steps(po.approval) for user_id in step.approver_user_ids}
    emails = list(get_user_model().objects.filter(pk__in=ids, is_active=True).values_list("email", flat=True))
    if emails:
        send_mail(
            subject=f"Purchase order {po.number} waits for your approval",
            message=(
                f"Hello,\n\n{po.buyer.get_full_name()} asks to order {po.total} {po.currency} "
                f"({po.number}). Please approve or reject it in the business portal.\n"
            ),
            from_email=None,
            recipient_list=emails,
        )


def tell_buyer(payload: dict[str, Any]) -> None:
    po = _purchase_order(payload)
    if po is None:
        return
    outcome = {"approved": "is approved and will be ordered", "rejected": "was rejected", "ordered": "is ordered"}.get(
        po.status, f"is {po.get_status_display().lower()}"
    )
    comment = payload.get("comment", "")
    send_mail(
        subject=f"Purchase order {po.number} {outcome}",
        message=f"Hello,\n\nYour purchase order {po.number} {outcome}." + (f"\n\n{comment}" if comment else "") + "\n",
        from_email=None,
        recipient_list=[po.buyer.email],
    )
