"""Orders: an immutable record of what was bought, at what price, tax and address.

Lines are written once when the order is recorded; a staff edit before fulfilment replaces them
as a whole through `services.edit_order`, keeping the previous version in the timeline.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models

from handel.orders import lifecycle


class Order(models.Model):
    number = models.CharField(max_length=20, unique=True)
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    channel_code = models.CharField(max_length=50)
    currency = models.CharField(max_length=3)
    locale = models.CharField(max_length=10, default="en")
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="orders"
    )
    email = models.EmailField()
    company = models.ForeignKey(
        "companies.Company", null=True, blank=True, on_delete=models.PROTECT, related_name="orders"
    )
    purchase_order_number = models.CharField(max_length=50, blank=True)
    placed_by_staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="orders_placed_on_behalf",
    )
    status = models.CharField(
        max_length=20, choices=lifecycle.CHOICES, default=lifecycle.PENDING_PAYMENT, db_index=True
    )
    status_before_hold = models.CharField(max_length=20, blank=True)
    prices_include_tax = models.BooleanField()
    subtotal_net = models.DecimalField(max_digits=14, decimal_places=2)
    subtotal_gross = models.DecimalField(max_digits=14, decimal_places=2)
    discount_total = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    shipping_net = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    shipping_gross = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    tax_total = models.DecimalField(max_digits=14, decimal_places=2)
    grand_total = models.DecimalField(max_digits=14, decimal_places=2)
    payment_method = models.CharField(max_length=30)
    billing_address = models.JSONField()
    shipping_address = models.JSONField(null=True, blank=True)
    delivery = models.JSONField(default=dict, blank=True)
    promotions = models.JSONField(default=list, blank=True)
    tax_breakdown = models.JSONField(default=list, blank=True)
    notes = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)
    placed_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-placed_at", "-id"]
        indexes = [models.Index(fields=["customer", "-placed_at"], name="order_customer_recent_idx")]

    def __str__(self) -> str:
        return self.number

    @property
    def customer_status(self) -> str:
        return str(lifecycle.CUSTOMER_WORDING[self.status])


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField()
    sku = models.CharField(max_length=64, db_index=True)
    name = models.CharField(max_length=300)
    kind = models.CharField(max_length=16, default="simple")
    quantity = models.PositiveIntegerField()
    unit_price = models.DecimalField(max_digits=14, decimal_places=4)
    discount = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    tax_rate = models.DecimalField(max_digits=6, decimal_places=3)
    tax_amount = models.DecimalField(max_digits=14, decimal_places=2)
    total_net = models.DecimalField(max_digits=14, decimal_places=2)
    total_gross = models.DecimalField(max_digits=14, decimal_places=2)
    options = models.JSONField(default=dict, blank=True)
    explanation = models.JSONField(default=dict, blank=True)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["order", "position"]
        constraints = [
            models.UniqueConstraint(fields=["order", "position"], name="order_line_position_unique"),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="order_line_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.sku}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise RuntimeError("order lines are immutable; edit the order through orders.services.edit_order")
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class OrderEvent(models.Model):
    """The order's timeline: status changes, edits, notes; who and when."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=255, blank=True)
    kind = models.CharField(max_length=30)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    message = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    customer_visible = models.BooleanField(default=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.order} {self.kind}"
