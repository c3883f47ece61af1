"""The audit trail: services record who changed what in the transaction of the change."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import models

from handel.core import batching
from handel.core.models import AuditEntry

# The staff member acting on a customer's behalf in the current request (set by the storefront).
_acting_staff: ContextVar[Any | None] = ContextVar("acting_staff", default=None)


@contextmanager
def acting_on_behalf(staff: Any) -> Iterator[None]:
    """Everything recorded inside is marked as done by `staff` on the signed-in customer's behalf."""
    token = _acting_staff.set(staff)
    try:
        yield
    finally:
        _acting_staff.reset(token)


def record(
    *,
    actor: Any | None,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    label = (getattr(user, "email", "") or str(user)) if user else "system"
    data = dict(data or {})
    staff = _acting_staff.get()
    if staff is not None and (user is None or user.pk != staff.pk):
        data["acting_staff"] = {"id": staff.pk, "email": staff.email}
        if user is not None:
            label = f"{staff.email} on behalf of {label}"
    entry = AuditEntry(
        actor=user,
        actor_label=label[:255],
        action=action,
        object_type=object_type,
        object_id=object_id,
        data=data,
    )
    batching.save(entry)
    return entry


def history(object_type: str, object_id: str) -> models.QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(object_type=object_type, object_id=str(object_id)).order_by("at", "id")
