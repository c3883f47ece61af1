"""Shipments: what left which source, in which packages, with which carrier, and where it is now."""

from __future__ import annotations

import uuid

from django.db import models


class Shipment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Being packed"
        LABEL_CREATED = "label_created", "Label created"
        IN_TRANSIT = "in_transit", "In transit"
        OUT_FOR_DELIVERY = "out_for_delivery", "Out for delivery"
        DELIVERED = "delivered", "Delivered"
        EXCEPTION = "exception", "Delivery problem"
        CANCELLED = "cancelled", "Cancelled"

    number = models.CharField(max_length=20, unique=True)
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="shipments")
    source_code = models.CharField(max_length=50, help_text="the warehouse or store it leaves from")
    carrier = models.CharField(max_length=20)
    tracking_number = models.CharField(max_length=100, blank=True, db_index=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True)
    address = models.JSONField(help_text="where it goes, copied from the order")
    packages = models.JSONField(default=list, blank=True, help_text='[{"weight_grams": 1200, "items": [...]}]')
    shipped_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.number


class ShipmentLine(models.Model):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(help_text="the order line")
    sku = models.CharField(max_length=64)
    quantity = models.PositiveIntegerField()

    class Meta:
        ordering = ["shipment", "position"]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.sku}"


class ShipmentEvent(models.Model):
    class Origin(models.TextChoices):
        STAFF = "staff"
        CARRIER = "carrier"
        SYSTEM = "system"

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(max_length=20, choices=Shipment.Status.choices)
    origin = models.CharField(max_length=10, choices=Origin.choices)
    carrier_event_id = models.CharField(max_length=100, blank=True)
    location = models.CharField(max_length=200, blank=True)
    message = models.CharField(max_length=500, blank=True)
    occurred_at = models.DateTimeField()
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["occurred_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["shipment", "carrier_event_id"],
                condition=~models.Q(carrier_event_id=""),
                name="carrier_event_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.shipment} {self.status}"
