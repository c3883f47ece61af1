from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from unfold.admin import ModelAdmin

from handel.core import audit
from handel.core.models import ApiToken, AuditEntry, JobRun, NumberSeries, OutboxEvent


class AuditedModelAdmin(ModelAdmin):
    """Back-office edits leave the same audit trail as service calls."""

    def save_model(self, request: HttpRequest, obj: models.Model, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        audit.record(
            actor=request.user,
            action=f"{obj._meta.model_name}.{'updated' if change else 'created'}",
            obj=obj,
            data={"fields": sorted(form.changed_data)} if form is not None else {},
        )

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        audit.record(actor=request.user, action=f"{obj._meta.model_name}.deleted", obj=obj)
        super().delete_model(request, obj)


class ReadOnlyAdmin(ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor_label", "action", "object_type", "object_id")
    list_filter = ("action", "object_type")
    search_fields = ("actor_label", "action", "object_id")
    date_hierarchy = "at"


@admin.register(OutboxEvent)
class OutboxEventAdmin(ReadOnlyAdmin):
    list_display = ("id", "name", "created_at", "processed_at", "attempts")
    list_filter = ("name",)
    search_fields = ("name",)


@admin.register(NumberSeries)
class NumberSeriesAdmin(ReadOnlyAdmin):
    list_display = ("name", "prefix", "padding", "next_value")


@admin.register(JobRun)
class JobRunAdmin(ReadOnlyAdmin):
    list_display = ("name", "last_started_at", "last_finished_at", "last_error")


@admin.register(ApiToken)
class ApiTokenAdmin(ModelAdmin):
    """Tokens are made with `handel tokens create` or the API (the secret is shown once there);
    here staff can see and revoke them."""

    list_display = ("name", "user", "prefix", "scopes", "created_at", "expires_at", "revoked_at", "last_used_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "prefix", "user__email")
    readonly_fields = ("user", "name", "prefix", "scopes", "created_at", "expires_at", "last_used_at", "revoked_at")
    exclude = ("digest",)
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Revoke selected tokens")
    def revoke(self, request: HttpRequest, queryset: Any) -> None:
        from handel.core import tokens

        for token in queryset:
            tokens.revoke_token(token_id=token.pk, actor=request.user)
