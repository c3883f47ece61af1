"""Back-office screens. Stock figures change only through services, so that the ledger always
balances: stock rows, movements and reservations are read-only here; actions call services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest
from unfold.admin import TabularInline

from handel.core.admin import AuditedModelAdmin, ReadOnlyAdmin
from handel.core.errors import DomainError
from handel.inventory import services
from handel.inventory.models import (
    BackInStockSubscription,
    ChannelSource,
    Reservation,
    ReservationLine,
    Source,
    StockItem,
    StockMovement,
    StockPolicy,
)
from handel.inventory.queries import forget_channel_sources


class ChannelSourceInline(TabularInline):
    model = ChannelSource
    extra = 0
    verbose_name = "channel selling from this source"


@admin.register(Source)
class SourceAdmin(AuditedModelAdmin):
    list_display = (
        "code",
        "name",
        "kind",
        "city",
        "country",
        "priority",
        "ships",
        "pickup",
        "handling_days",
        "is_active",
    )
    list_filter = ("kind", "ships", "pickup", "is_active", "country")
    search_fields = ("code", "name", "city", "postal_code")
    inlines = [ChannelSourceInline]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        forget_channel_sources()

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        forget_channel_sources()


@admin.register(StockItem)
class StockItemAdmin(ReadOnlyAdmin):
    list_display = ("sku", "source", "on_hand", "reserved", "safety_stock", "available_now", "updated_at")
    list_filter = ("source",)
    search_fields = ("sku",)
    list_select_related = ("source",)

    @admin.display(description="available")
    def available_now(self, obj: StockItem) -> int:
        return obj.available


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "sku", "source", "kind", "quantity", "reason", "reference", "actor_label")
    list_filter = ("kind", "source")
    search_fields = ("sku", "reference", "external_reference")
    list_select_related = ("source",)
    date_hierarchy = "created_at"


class ReservationLineInline(TabularInline):
    model = ReservationLine
    extra = 0
    can_delete = False
    readonly_fields = ("sku", "source", "quantity", "shipped_quantity")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Reservation)
class ReservationAdmin(ReadOnlyAdmin):
    list_display = ("reference", "channel_code", "status", "pickup_source", "expires_at", "created_at", "closed_at")
    list_filter = ("status", "channel_code")
    search_fields = ("reference",)
    inlines = [ReservationLineInline]
    actions = ["release"]

    @admin.action(description="Release selected reservations (cancel)")
    def release(self, request: HttpRequest, queryset: Any) -> None:
        for reservation in queryset.filter(status=Reservation.Status.ACTIVE):
            try:
                services.release_reservation(reference=reservation.reference, actor=request.user)
            except DomainError as exc:
                self.message_user(request, f"{reservation.reference}: {exc.detail}", messages.ERROR)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Viewing a reservation and running the release action; fields stay read-only.
        return request.user.has_perm("inventory.change_reservation")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [field.name for field in Reservation._meta.fields]


@admin.register(StockPolicy)
class StockPolicyAdmin(AuditedModelAdmin):
    list_display = (
        "sku",
        "allow_backorder",
        "backorder_expected_on",
        "is_preorder",
        "release_on",
        "low_stock_threshold",
    )
    list_filter = ("allow_backorder", "is_preorder")
    search_fields = ("sku",)


@admin.register(BackInStockSubscription)
class BackInStockSubscriptionAdmin(ReadOnlyAdmin):
    list_display = ("sku", "channel_code", "email", "created_at", "notified_at")
    list_filter = ("channel_code",)
    search_fields = ("sku", "email")
