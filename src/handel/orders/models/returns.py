"""Returns (RMA): what a customer sends back, why, in what state, and how it is resolved."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models


class ReturnPolicy(models.Model):
    """Per channel: how long buyers may return, and which requests are approved without staff."""

    channel_code = models.CharField(max_length=50, unique=True)
    window_days = models.PositiveIntegerField(default=30)
    auto_approve_max_amount = models.DecimalField(
        max_digits=14, decimal_places=2, default=Decimal("0"), help_text="approve automatically up to this refund value"
    )
    auto_approve_reasons = models.JSONField(default=list, blank=True)
    instructions = models.TextField(
        default="Pack the items in their original packaging, print the return "
        "label, and hand the parcel to the carrier within 14 days."
    )

    def __str__(self) -> str:
        return f"{self.channel_code}: {self.window_days} days"


class ReturnRequest(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        APPROVED = "approved", "Approved: send the items back"
        REJECTED = "rejected", "Rejected"
        RECEIVED = "received", "Received and inspected"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"

    class Resolution(models.TextChoices):
        REFUND = "refund", "Refund"
        REPLACEMENT = "replacement", "Replacement"
        EXCHANGE = "exchange", "Exchange for another item"

    number = models.CharField(max_length=20, unique=True)
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="returns")
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.REQUESTED, db_index=True)
    resolution = models.CharField(max_length=12, choices=Resolution.choices)
    exchange_sku = models.CharField(max_length=64, blank=True)
    note = models.TextField(blank=True)
    staff_comment = models.TextField(blank=True)
    instructions = models.TextField(blank=True)
    auto_approved = models.BooleanField(default=False)
    credit_memo_number = models.CharField(max_length=100, blank=True)
    replacement_order_number = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.number


class ReturnLine(models.Model):
    class Reason(models.TextChoices):
        DAMAGED = "damaged", "Arrived damaged"
        DEFECTIVE = "defective", "Does not work"
        WRONG_ITEM = "wrong_item", "Wrong item sent"
        NOT_AS_DESCRIBED = "not_as_described", "Not as described"
        CHANGED_MIND = "changed_mind", "No longer needed"
        OTHER = "other", "Other"

    class Condition(models.TextChoices):
        UNOPENED = "unopened", "Unopened"
        OPENED = "opened", "Opened"
        DAMAGED = "damaged", "Damaged"

    class Outcome(models.TextChoices):
        PENDING = "", "Not inspected yet"
        RESTOCK = "restock", "Restocked"
        SCRAP = "scrap", "Scrapped"

    request = models.ForeignKey(ReturnRequest, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(help_text="the order line")
    sku = models.CharField(max_length=64)
    quantity = models.PositiveIntegerField()
    reason = models.CharField(max_length=20, choices=Reason.choices)
    condition = models.CharField(max_length=10, choices=Condition.choices)
    received_quantity = models.PositiveIntegerField(default=0)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True, default="")
    restock_source = models.CharField(max_length=50, blank=True)

    class Meta:
        ordering = ["request", "position"]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.sku}"
