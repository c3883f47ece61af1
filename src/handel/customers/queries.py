"""Read side of customers."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, QuerySet

from handel.core.models import AuditEntry
from handel.customers.models import Address, CustomerGroup, Segment, SegmentMembership, User

ACT_ON_BEHALF = "customers.act_on_behalf"
NO_SUCH_CUSTOMER = "no such customer"


def why_not_act_as(staff: Any, customer: User | None) -> str:
    """Why `staff` may not act on behalf of `customer`; empty when they may. Only active staff with
    the permission may, and only as an active customer (a consumer or a company user): never as
    another staff member or a superuser, whose rights would then be theirs."""
    if staff is None or not getattr(staff, "is_authenticated", False) or not staff.is_staff or not staff.is_active:
        return "only staff can act on behalf of a customer"
    if not staff.has_perm(ACT_ON_BEHALF):
        return "you lack the permission to act on behalf of customers"
    if customer is None:
        return NO_SUCH_CUSTOMER
    if customer.is_staff or customer.is_superuser:
        return "staff accounts cannot be acted as"
    if not customer.is_active or customer.anonymised_at is not None:
        return "the customer's account is closed"
    return ""


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
        # Profiling is personal data too (GDPR art. 15): the segments they are in and why.
        "segments": [
            {"code": membership.segment.code, "name": membership.segment.name, "source": membership.source}
            for membership in SegmentMembership.objects.select_related("segment").filter(customer=user)
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


def customer_group(code: str) -> CustomerGroup | None:
    return CustomerGroup.objects.filter(code=code).first()


def customer_by_key(key: str) -> User | None:
    """A customer by email address or public id (what staff type to look one up), with their group."""
    customers = User.objects.select_related("customer_group")
    if "@" in key:
        return customers.filter(email__iexact=key).first()
    try:
        public_id = uuid.UUID(key)
    except ValueError:
        return None
    return customers.filter(public_id=public_id).first()


def segments_of(user: Any) -> frozenset[str]:
    """Codes of the active segments the signed-in customer is in (one indexed query; none for a
    guest). The price engine's promotion condition reads them."""
    if user is None or not getattr(user, "is_authenticated", False):
        return frozenset()
    return frozenset(
        SegmentMembership.objects.filter(customer_id=user.pk, segment__is_active=True).values_list(
            "segment__code", flat=True
        )
    )


def segments() -> QuerySet[Segment]:
    """Segments with their member counts."""
    return Segment.objects.annotate(member_count=Count("memberships"))


def segment(code: str) -> Segment | None:
    return segments().filter(code=code).first()


def segment_members(segment: Segment) -> QuerySet[SegmentMembership]:
    return SegmentMembership.objects.select_related("customer").filter(segment=segment)


def existing_segment_codes(codes: Iterable[str]) -> set[str]:
    """Which of these segment codes exist (active or not)."""
    return set(Segment.objects.filter(code__in=list(codes)).values_list("code", flat=True))
