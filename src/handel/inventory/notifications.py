"""Mail sent on inventory events: back-in-stock notices to customers, low-stock alerts to staff.

Handlers of outbox events (declared in handel/wiring.py); they run after the change committed.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db.models import Q
from django.utils import timezone

from handel.inventory.models import BackInStockSubscription, Source
from handel.inventory.queries import salable_quantities

ALERT_PERMISSION = ("inventory", "change_stockitem")


def send_back_in_stock_notices(payload: dict[str, Any]) -> None:
    """Each waiting customer hears once, and only when the SKU is salable in their channel again."""
    pending = list(BackInStockSubscription.objects.filter(sku__in=payload["skus"], notified_at__isnull=True))
    salable: dict[str, dict[str, int]] = {}
    for channel_code in {subscription.channel_code for subscription in pending}:
        salable[channel_code] = salable_quantities(
            {s.sku for s in pending if s.channel_code == channel_code}, channel_code
        )
    for subscription in pending:
        if salable[subscription.channel_code].get(subscription.sku, 0) <= 0:
            continue
        # Claim first, so that two deliverers of the same event never both send the mail.
        claimed = BackInStockSubscription.objects.filter(pk=subscription.pk, notified_at__isnull=True).update(
            notified_at=timezone.now()
        )
        if not claimed:
            continue
        try:
            send_mail(
                subject=f"{subscription.sku} is back in stock",
                message=(
                    f"Good news: {subscription.sku}, which you asked us to watch, can be ordered again.\n"
                    "This is the only message you get about it.\n"
                ),
                from_email=None,
                recipient_list=[subscription.email],
            )
        except Exception:
            BackInStockSubscription.objects.filter(pk=subscription.pk).update(notified_at=None)
            raise


def staff_to_alert() -> list[str]:
    app_label, codename = ALERT_PERMISSION
    has_permission = Q(user_permissions__content_type__app_label=app_label, user_permissions__codename=codename) | Q(
        groups__permissions__content_type__app_label=app_label, groups__permissions__codename=codename
    )
    users = get_user_model().objects.filter(is_active=True, is_staff=True).filter(Q(is_superuser=True) | has_permission)
    return sorted(set(users.values_list("email", flat=True)))


def send_low_stock_alert(payload: dict[str, Any]) -> None:
    recipients = staff_to_alert()
    if not recipients:
        return
    names = dict(
        Source.objects.filter(pk__in={item["source_id"] for item in payload["items"]}).values_list("id", "name")
    )
    lines = [
        f"- {item['sku']} at {names.get(item['source_id'], item['source_id'])}: {item['available']} left "
        f"(alert at {item['threshold']})"
        for item in payload["items"]
    ]
    send_mail(
        subject=f"Low stock: {len(lines)} item{'s' if len(lines) != 1 else ''}",
        message="These items ran low:\n" + "\n".join(lines[:500]) + "\n",
        from_email=None,
        recipient_list=recipients,
    )
