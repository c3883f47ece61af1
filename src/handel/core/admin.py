from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.http import HttpRequest
from django.utils import timezone
from unfold.admin import ModelAdmin

from handel.core import audit, tokens
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


class ApiTokenCreationForm(forms.ModelForm):  # type: ignore[type-arg]
    scopes = forms.MultipleChoiceField(
        choices=lambda: [(name, f"{name}: {text}") for name, text in tokens.SCOPES.items()],
        widget=forms.CheckboxSelectMultiple,
        initial=["account"],
    )

    class Meta:
        model = ApiToken
        fields = ("user", "name", "scopes", "expires_at")

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        user = data.get("user")
        staff_only = sorted(set(data.get("scopes", [])) & tokens.STAFF_SCOPES)
        if user is not None and staff_only and not user.is_staff:
            self.add_error("scopes", f"only staff can hold {', '.join(staff_only)}")
        expires_at = data.get("expires_at")
        if expires_at is not None and expires_at <= timezone.now():
            self.add_error("expires_at", "must be in the future")
        return data


@admin.register(ApiToken)
class ApiTokenAdmin(ModelAdmin):
    """Staff create tokens here (the secret is shown once, on the next page) and revoke them."""

    list_display = ("name", "user", "prefix", "scopes", "created_at", "expires_at", "revoked_at", "last_used_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "prefix", "user__email")
    autocomplete_fields = ("user",)
    actions = ["revoke"]

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = ApiTokenCreationForm
        return super().get_form(request, obj, change, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        if obj is None:
            return ()
        return ("user", "name", "prefix", "scopes", "created_at", "expires_at", "last_used_at", "revoked_at")

    def get_exclude(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("digest",) if obj is not None else ("digest", "prefix", "revoked_at", "last_used_at")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def changeform_view(
        self, request: HttpRequest, object_id: str | None = None, form_url: str = "", extra_context: Any = None
    ) -> Any:
        # The admin wraps this view in a transaction; the token service opens its own durable one.
        return self._changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        issued = tokens.create_token(
            user=obj.user,
            name=obj.name,
            scopes=form.cleaned_data["scopes"],
            expires_at=obj.expires_at,
            actor=request.user,
        )
        obj.pk = issued.token.pk
        messages.warning(request, f"Copy the token now, it is not shown again: {issued.secret}")

    @admin.action(description="Revoke selected tokens")
    def revoke(self, request: HttpRequest, queryset: Any) -> None:
        for token in queryset:
            tokens.revoke_token(token_id=token.pk, actor=request.user)
