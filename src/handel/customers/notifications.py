"""Mail sent to customers in answer to their own actions."""

from __future__ import annotations

from typing import Any

from django.core.mail import send_mail

from handel.customers.models import User


def send_welcome_email(payload: dict[str, Any]) -> None:
    user = User.objects.filter(pk=payload["user_id"], is_active=True).first()
    if user is None:
        return
    send_mail(
        subject="Welcome to Handel",
        message=f"Hello {user.get_short_name()},\n\nYour account is ready. Sign in with {user.email}.\n",
        from_email=None,
        recipient_list=[user.email],
    )
