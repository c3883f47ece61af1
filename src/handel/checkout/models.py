"""Carts and their lines, and the bookings of scheduled-delivery slots.

A cart is identified by an unguessable UUID (a guest holds it in a cookie); a customer's cart
belongs to them. Prices are never stored on a line: the price engine prices the cart at every
step. `shown_total` is the total the buyer was last shown, so placement can tell a changed price.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class Cart(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        AWAITING_APPROVAL = "awaiting_approval", "Waiting for purchase approval"
        ORDERED = "ordered", "Ordered"
        MERGED = "merged", "Merged into the customer's cart"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    channel_code = models.CharField(max_length=50)
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="carts"
    )
    placed_by_staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN, db_index=True)
    email = models.EmailField(blank=True)
    coupon_codes = models.JSONField(default=list, blank=True)
    shipping_address = models.JSONField(null=True, blank=True)
    billing_address = models.JSONField(null=True, blank=True)
    # Further destinations of a multi-address checkout: {"key": address}; lines name theirs in ship_to.
    extra_addresses = models.JSONField(default=dict, blank=True)
    delivery = models.JSONField(default=dict, blank=True)
    shown_total = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    purchase_order_number = models.CharField(max_length=50, blank=True, help_text="the buyer's own PO number")
    approval_number = models.CharField(max_length=30, blank=True, db_index=True, help_text="procurement PO-...")
    payment = models.JSONField(default=dict, blank=True, help_text="method chosen for an approval-bound order")
    order_number = models.CharField(max_length=30, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["customer", "status"])]

    def __str__(self) -> str:
        return str(self.public_id)


class CartLine(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    sku = models.CharField(max_length=64)
    quantity = models.PositiveIntegerField()
    # A bundle's chosen options: {"group code": ["SKU", ...]}.
    options = models.JSONField(default=dict, blank=True)
    note = models.CharField(max_length=500, blank=True)
    saved_for_later = models.BooleanField(default=False)
    ship_to = models.CharField(max_length=30, blank=True, help_text="key of an extra address; empty: the main one")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.sku}"


class SlotBooking(models.Model):
    """One order's booking of a scheduled-delivery slot; a slot's capacity counts these rows."""

    day = models.DateField()
    slot = models.CharField(max_length=20)
    order_number = models.CharField(max_length=30, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["day", "slot"])]

    def __str__(self) -> str:
        return f"{self.day} {self.slot}: {self.order_number}"
