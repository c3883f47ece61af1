"""The audit trail: services record who changed what in the transaction of the change."""

from __future__ import annotations

from typing import Any

from django.db import models

from handel.core.models import AuditEntry


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
    return AuditEntry.objects.create(
        actor=user,
        actor_label=(getattr(user, "email", "") or str(user)) if user else "system",
        action=action,
        object_type=object_type,
        object_id=object_id,
        data=data or {},
    )


def history(object_type: str, object_id: str) -> models.QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(object_type=object_type, object_id=str(object_id)).order_by("at", "id")
