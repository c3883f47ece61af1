"""Read side of customers."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from handel.core.models import AuditEntry
from handel.customers.models import Address, User


def addresses_of(user: User) -> QuerySet[Address]:
    return Address.objects.filter(customer=user).order_by("id")


def personal_data(user: User) -> dict[str, Any]:
    """The data export. Later domains (orders, quotes...) add their sections through wiring."""
    return {
        "account": {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "phone": user.phone,
            "language": user.language,
            "marketing_opt_in": user.marketing_opt_in,
            "date_joined": user.date_joined.isoformat(),
            "customer_group": user.customer_group.code if user.customer_group else None,
        },
        "addresses": [
            {
                field: getattr(address, field)
                for field in (
                    "label",
                    "first_name",
                    "last_name",
                    "company_name",
                    "street",
                    "street2",
                    "postal_code",
                    "city",
                    "region",
                    "country",
                    "phone",
                    "is_default_shipping",
                    "is_default_billing",
                )
            }
            for address in addresses_of(user)
        ],
        "api_tokens": [
            {
                "name": token.name,
                "prefix": token.prefix,
                "scopes": token.scopes,
                "created_at": token.created_at.isoformat(),
            }
            for token in user.api_tokens.all()
        ],
        "activity": [
            {"action": entry.action, "at": entry.at.isoformat()}
            for entry in AuditEntry.objects.filter(actor=user).order_by("at")[:1000]
        ],
    }
