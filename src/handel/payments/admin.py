from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from unfold.admin import ModelAdmin, TabularInline

from handel.core.admin import AuditedModelAdmin, ReadOnlyAdmin
from handel.core.errors import DomainError
from handel.core.money import known_currencies
from handel.payments import queries, services
from handel.payments.models import (
    Payment,
    PaymentMethodConfig,
    PaymentTransaction,
    StoreCreditAccount,
    StoreCreditEntry,
)


class TransactionInline(TabularInline):
    model = PaymentTransaction
    extra = 0
    can_delete = False
    readonly_fields = ("kind", "amount", "success", "provider_reference", "error_code", "message", "created_at")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = (
        "reference",
        "method",
        "status",
        "amount",
        "captured_amount",
        "refunded_amount",
        "currency",
        "created_at",
    )
    list_filter = ("status", "method")
    search_fields = ("reference", "provider_reference", "public_id")
    inlines = [TransactionInline]
    actions = ["capture", "void"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and request.user.has_perm("payments.change_payment")

    @admin.action(description="Capture the rest of the selected payments")
    def capture(self, request: HttpRequest, queryset: Any) -> None:
        for payment in queryset:
            services.capture_payment(public_id=str(payment.public_id), actor=request.user)

    @admin.action(description="Void the selected payments")
    def void(self, request: HttpRequest, queryset: Any) -> None:
        for payment in queryset:
            services.void_payment(public_id=str(payment.public_id), actor=request.user)


@admin.register(PaymentMethodConfig)
class PaymentMethodConfigAdmin(AuditedModelAdmin):
    list_display = ("code", "enabled", "channels", "sort_order", "min_amount", "max_amount")
    list_editable = ("enabled", "sort_order")


class StoreCreditEntryInline(TabularInline):
    model = StoreCreditEntry
    extra = 0
    can_delete = False
    fields = ("created_at", "kind", "amount", "balance_after", "reference", "note", "created_by")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(StoreCreditAccount)
class StoreCreditAccountAdmin(ReadOnlyAdmin):
    list_display = ("customer", "currency", "balance", "updated_at")
    list_filter = ("currency",)
    search_fields = ("customer__email",)
    list_select_related = ("customer",)
    inlines = [StoreCreditEntryInline]

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_view_permission(request, obj) or request.user.has_perm("payments.adjust_store_credit")


class StoreCreditAdjustmentForm(forms.ModelForm):  # type: ignore[type-arg]
    customer_email = forms.EmailField(label="Customer email")
    currency = forms.CharField(min_length=3, max_length=3, initial="EUR")
    amount = forms.DecimalField(
        max_digits=14, decimal_places=2, help_text="positive adds store credit, negative takes it away"
    )
    note = forms.CharField(label="Reason", max_length=255)

    class Meta:
        model = StoreCreditEntry
        fields = ("amount", "note")

    def clean_amount(self) -> Decimal:
        amount: Decimal = self.cleaned_data["amount"]
        if amount == 0:
            raise forms.ValidationError("must not be zero")
        return amount

    def clean_currency(self) -> str:
        currency = str(self.cleaned_data["currency"]).upper()
        if currency not in known_currencies():
            raise forms.ValidationError("not an ISO 4217 currency code")
        return currency

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        email, currency, amount = data.get("customer_email"), data.get("currency"), data.get("amount")
        customer = get_user_model().objects.filter(email__iexact=email).first() if email else None
        if email and customer is None:
            self.add_error("customer_email", "no customer with this email address")
        if customer is not None and currency and amount is not None and amount < 0:
            balance = queries.store_credit_balance(customer_id=customer.pk, currency=currency)
            if balance < -amount:
                self.add_error("amount", f"the balance is {balance} {currency}; at most that can be taken away")
        return data


@admin.register(StoreCreditEntry)
class StoreCreditEntryAdmin(ModelAdmin):
    """The ledger is read-only; "add" records a staff adjustment through the service."""

    list_display = ("created_at", "account", "kind", "amount", "balance_after", "reference", "note", "created_by")
    list_filter = ("kind", "account__currency")
    search_fields = ("account__customer__email", "reference", "note")
    list_select_related = ("account__customer", "created_by")
    form = StoreCreditAdjustmentForm

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("payments.adjust_store_credit")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_view_permission(request, obj) or request.user.has_perm("payments.adjust_store_credit")

    def changeform_view(
        self, request: HttpRequest, object_id: str | None = None, form_url: str = "", extra_context: Any = None
    ) -> Any:
        # The admin wraps this view in a transaction; the adjustment service opens its own durable one.
        return self._changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request: HttpRequest, obj: StoreCreditEntry, form: Any, change: bool) -> None:
        data = form.cleaned_data
        try:
            entry = services.adjust_store_credit(
                actor=request.user,
                customer_email=data["customer_email"],
                currency=data["currency"],
                amount=data["amount"],
                reason=data["note"],
            )
        except DomainError as exc:
            # The form checked the balance; a concurrent spend can still take it first.
            messages.error(request, f"Store credit not adjusted: {exc.detail}")
            return
        obj.pk = entry.pk
        messages.success(request, f"{entry.account.customer}: {entry.balance_after} {entry.account.currency}")

    def log_addition(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        # The audit trail of the adjustment service is the record; an unsaved refusal logs nothing.
        return None

    def response_add(self, request: HttpRequest, obj: Any, post_url_continue: str | None = None) -> HttpResponse:
        if obj.pk is None:
            return HttpResponseRedirect(request.path)
        return super().response_add(request, obj, post_url_continue)
