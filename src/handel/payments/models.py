"""Payments and every step taken on them. Card numbers are never stored: only brand and last four."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models


class Payment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for confirmation"
        REQUIRES_ACTION = "requires_action", "Waiting for the buyer (3-D Secure)"
        AUTHORIZED = "authorized", "Authorized"
        PARTIALLY_CAPTURED = "partially_captured", "Partially captured"
        CAPTURED = "captured", "Captured"
        PARTIALLY_REFUNDED = "partially_refunded", "Partially refunded"
        REFUNDED = "refunded", "Refunded"
        VOIDED = "voided", "Voided"
        FAILED = "failed", "Failed"
        AWAITING_TRANSFER = "awaiting_transfer", "Waiting for the money (offline)"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(max_length=100, db_index=True, help_text="what is paid, e.g. an order number")
    method = models.CharField(max_length=30)
    provider = models.CharField(max_length=30)
    currency = models.CharField(max_length=3)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    authorized_amount = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    captured_amount = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    refunded_amount = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True)
    provider_reference = models.CharField(max_length=100, blank=True, db_index=True)
    action_url = models.CharField(max_length=500, blank=True, help_text="where the buyer completes 3-D Secure")
    return_url = models.CharField(max_length=500, blank=True)
    card_brand = models.CharField(max_length=20, blank=True)
    card_last4 = models.CharField(max_length=4, blank=True)
    failure_code = models.CharField(max_length=50, blank=True)
    failure_message = models.CharField(max_length=255, blank=True)
    details = models.JSONField(default=dict, blank=True, help_text="offline method details, e.g. a PO number")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.method} {self.amount} {self.currency} for {self.reference} ({self.status})"


class PaymentTransaction(models.Model):
    class Kind(models.TextChoices):
        AUTHORIZE = "authorize"
        CAPTURE = "capture"
        VOID = "void"
        REFUND = "refund"
        WEBHOOK = "webhook"
        CHALLENGE = "challenge"

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="transactions")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    amount = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    success = models.BooleanField()
    provider_reference = models.CharField(max_length=100, blank=True)
    error_code = models.CharField(max_length=50, blank=True)
    message = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} ({'ok' if self.success else 'failed'})"


class WebhookReceipt(models.Model):
    """Each provider event is handled once, however often the provider sends it."""

    provider = models.CharField(max_length=30)
    event_id = models.CharField(max_length=100)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["provider", "event_id"], name="webhook_once")]

    def __str__(self) -> str:
        return f"{self.provider} {self.event_id}"


class TestGatewayCharge(models.Model):
    """The built-in test gateway's own books, standing in for a remote card processor's."""

    __test__ = False  # not a pytest test class

    charge_id = models.CharField(max_length=40, unique=True)
    merchant_reference = models.CharField(max_length=100, blank=True, help_text="the merchant's payment id")
    card_last4 = models.CharField(max_length=4)
    currency = models.CharField(max_length=3)
    authorized = models.DecimalField(max_digits=14, decimal_places=2)
    captured = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    refunded = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    state = models.CharField(max_length=20)
    challenge_token = models.CharField(max_length=64, blank=True, db_index=True)
    return_url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.charge_id


class PaymentMethodConfig(models.Model):
    """Which payment methods a merchant offers, where, and in which order."""

    code = models.CharField(max_length=30, unique=True)
    enabled = models.BooleanField(default=True)
    channels = models.JSONField(default=list, blank=True, help_text="channel codes; empty means every channel")
    sort_order = models.PositiveSmallIntegerField(default=0)
    min_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    max_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    instructions = models.TextField(blank=True, help_text="shown to the buyer, e.g. bank details")

    class Meta:
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.code


class StoreCreditAccount(models.Model):
    """A customer's store credit in one currency. `balance` is the sum of the entries, kept on the
    row so that spending can check and lower it in one statement; it never goes below zero."""

    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="store_credit")
    currency = models.CharField(max_length=3)
    balance = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["customer_id", "currency"]
        permissions = [("adjust_store_credit", "Can adjust customers' store credit")]
        constraints = [
            models.UniqueConstraint(fields=["customer", "currency"], name="store_credit_account_once"),
            models.CheckConstraint(condition=models.Q(balance__gte=0), name="store_credit_never_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.customer} {self.balance} {self.currency}"


class StoreCreditEntry(models.Model):
    """The store credit ledger, append-only: a change is a new entry, never an edit."""

    class Kind(models.TextChoices):
        GRANT = "grant", "Credit memo"
        SPEND = "spend", "Spent on an order"
        REVERSAL = "reversal", "Given back (order cancelled or refunded)"
        ADJUSTMENT = "adjustment", "Adjusted by staff"

    account = models.ForeignKey(StoreCreditAccount, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    amount = models.DecimalField(max_digits=14, decimal_places=2, help_text="positive adds to the balance")
    balance_after = models.DecimalField(max_digits=14, decimal_places=2)
    reference = models.CharField(max_length=100, help_text="a credit memo or order number")
    payment = models.ForeignKey(
        Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="store_credit_entries"
    )
    note = models.CharField(max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "store credit entries"
        constraints = [
            # A credit memo grants once and an order spends once, however often a call is retried.
            models.UniqueConstraint(
                fields=["kind", "reference"],
                condition=models.Q(kind__in=["grant", "spend"]),
                name="store_credit_grant_or_spend_once",
            ),
            models.CheckConstraint(condition=~models.Q(amount=0), name="store_credit_entry_not_zero"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} ({self.reference})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("store credit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError("store credit entries are append-only")
