"""Mail about company accounts: invitations and approval."""

from __future__ import annotations

from typing import Any

from django.core.mail import send_mail

from handel.companies.models import Company, CompanyMember
from handel.customers import services as customer_services


def send_invitation(payload: dict[str, Any]) -> None:
    member = CompanyMember.objects.select_related("user", "company").filter(pk=payload["member_id"]).first()
    if member is None or member.status != CompanyMember.Status.INVITED:
        return
    link = customer_services.password_reset_link(member.user, payload.get("base_url") or "http://127.0.0.1:8000/")
    send_mail(
        subject=f"You are invited to order for {member.company.legal_name}",
        message=(
            f"Hello,\n\nYou are invited to order for {member.company.legal_name} on our business portal.\n"
            f"Choose your password here to accept:\n\n{link}\n"
        ),
        from_email=None,
        recipient_list=[member.user.email],
    )


def send_approval(payload: dict[str, Any]) -> None:
    company = Company.objects.filter(pk=payload["company_id"]).first()
    if company is None or not company.email:
        return
    send_mail(
        subject=f"{company.legal_name} is approved",
        message=f"Hello,\n\nYour company account for {company.legal_name} is approved. You can order now.\n",
        from_email=None,
        recipient_list=[company.email],
    )
