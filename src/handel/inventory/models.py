"""Sources, stock per SKU and source, the stock movement ledger, reservations and subscriptions.

Stock is keyed by SKU string, not by a foreign key to the catalog: a feed may announce stock for a
SKU before the product is published, and the catalog may drop a product that still has stock.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Source(models.Model):
    """A place that holds stock: a warehouse that ships, or a store that offers pickup (or both)."""

    class Kind(models.TextChoices):
        WAREHOUSE = "warehouse", "Warehouse"
        STORE = "store", "Store"

    code = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.WAREHOUSE)
    street = models.CharField(max_length=200, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    city = models.CharField(max_length=100, blank=True)
    country = models.CharField(max_length=2)
    priority = models.PositiveIntegerField(
        default=100, help_text="lower is preferred when several sources could serve an order"
    )
    ships = models.BooleanField(default=True, help_text="sends parcels to delivery addresses")
    pickup = models.BooleanField(default=False, help_text="customers can collect orders here")
    opening_hours = models.JSONField(
        default=dict, blank=True, help_text='pickup hours per weekday, e.g. {"mon": "09:00-18:00", "sun": ""}'
    )
    handling_days = models.PositiveIntegerField(default=1, help_text="working days to prepare a shipment or pickup")
    is_active = models.BooleanField(default=True)
    channels = models.ManyToManyField("channels.Channel", through="ChannelSource", related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["priority", "code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class ChannelSource(models.Model):
    """A channel sells from the sources linked to it."""

    channel = models.ForeignKey("channels.Channel", on_delete=models.CASCADE, related_name="+")
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="channel_links")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["channel", "source"], name="inventory_channel_source_once")]

    def __str__(self) -> str:
        return f"{self.channel_id} sells from {self.source_id}"


class StockItem(models.Model):
    """Stock of one SKU at one source. `on_hand` always equals the sum of the SKU's movements there."""

    sku = models.CharField(max_length=64)
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="stock_items")
    on_hand = models.IntegerField(default=0)
    reserved = models.IntegerField(default=0, help_text="held for orders and checkouts not shipped yet")
    safety_stock = models.IntegerField(default=0, help_text="kept back, never sold")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["sku", "source_id"]
        constraints = [
            models.UniqueConstraint(fields=["sku", "source"], name="inventory_stock_sku_source"),
            models.CheckConstraint(condition=Q(on_hand__gte=0), name="inventory_stock_on_hand_not_negative"),
            models.CheckConstraint(condition=Q(reserved__gte=0), name="inventory_stock_reserved_not_negative"),
            models.CheckConstraint(condition=Q(safety_stock__gte=0), name="inventory_stock_safety_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.sku} @ {self.source_id}: {self.on_hand}"

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved - self.safety_stock


class StockPolicy(models.Model):
    """What to show and allow for a SKU when its stock runs out: backorder or pre-order, and when
    staff should hear that stock runs low."""

    sku = models.CharField(max_length=64, unique=True)
    allow_backorder = models.BooleanField(default=False)
    backorder_expected_on = models.DateField(null=True, blank=True, help_text="when new stock is expected")
    is_preorder = models.BooleanField(default=False, help_text="not released yet; orders ship on release")
    release_on = models.DateField(null=True, blank=True)
    low_stock_threshold = models.PositiveIntegerField(
        null=True, blank=True, help_text="salable quantity at or below which the SKU shows as low stock"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["sku"]
        verbose_name_plural = "stock policies"

    def __str__(self) -> str:
        return self.sku


class AppendOnlyQuerySet(models.QuerySet["StockMovement"]):
    def update(self, **kwargs: Any) -> int:
        raise TypeError("stock movements are append-only: record a correcting movement instead")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError("stock movements are append-only: record a correcting movement instead")


class StockMovement(models.Model):
    """One change of on-hand stock. Never changed or deleted: corrections are new movements."""

    class Kind(models.TextChoices):
        RECEIPT = "receipt", "Receipt"
        ADJUSTMENT = "adjustment", "Adjustment"
        COUNT = "count", "Stock count / feed"
        SHIPMENT = "shipment", "Shipment"
        RETURN = "return", "Return"
        TRANSFER_OUT = "transfer_out", "Transfer out"
        TRANSFER_IN = "transfer_in", "Transfer in"

    sku = models.CharField(max_length=64)
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    quantity = models.IntegerField(help_text="change of on-hand stock: positive in, negative out")
    reason = models.CharField(max_length=200, blank=True)
    reference = models.CharField(max_length=100, blank=True, help_text="order, transfer or feed line reference")
    external_reference = models.CharField(
        max_length=100, null=True, blank=True, help_text="an ERP feed line's id; a replayed line is ignored"
    )
    actor_label = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["sku", "source"], name="inventory_movement_sku_source")]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "sku", "external_reference"], name="inventory_movement_external_reference_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.quantity:+d} {self.sku} @ {self.source_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise TypeError("stock movements are append-only: record a correcting movement instead")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError("stock movements are append-only: record a correcting movement instead")


class Reservation(models.Model):
    """Stock held for an order (until shipped or cancelled) or a checkout (until it expires)."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        RELEASED = "released", "Released"
        EXPIRED = "expired", "Expired"
        SHIPPED = "shipped", "Shipped"

    reference = models.CharField(max_length=100, help_text="the order number or checkout id")
    channel_code = models.CharField(max_length=50)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    ship_to_country = models.CharField(max_length=2, blank=True)
    ship_to_postcode = models.CharField(max_length=20, blank=True)
    pickup_source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    expires_at = models.DateTimeField(null=True, blank=True, help_text="checkout holds expire; order holds do not")
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["reference"],
                condition=Q(status="active"),
                name="inventory_one_active_reservation_per_reference",
            ),
        ]
        indexes = [models.Index(fields=["status", "expires_at"], name="inventory_reservation_expiry")]

    def __str__(self) -> str:
        return f"{self.reference} ({self.status})"


class ReservationLine(models.Model):
    reservation = models.ForeignKey(Reservation, on_delete=models.CASCADE, related_name="lines")
    sku = models.CharField(max_length=64)
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField()
    shipped_quantity = models.PositiveIntegerField(default=0)
    destination = models.CharField(
        max_length=30, blank=True, default="", help_text="which of the order's addresses; empty: the main one"
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(shipped_quantity__lte=F("quantity")), name="inventory_line_shipped_at_most_reserved"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.sku} @ {self.source_id}"

    @property
    def open_quantity(self) -> int:
        return self.quantity - self.shipped_quantity


class BackInStockSubscription(models.Model):
    """A customer asks to hear, once, when a SKU can be bought again in a channel."""

    sku = models.CharField(max_length=64)
    channel_code = models.CharField(max_length=50)
    email = models.EmailField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["sku", "channel_code", "email"],
                condition=Q(notified_at__isnull=True),
                name="inventory_one_pending_subscription",
            ),
        ]
        indexes = [models.Index(fields=["sku", "notified_at"], name="inventory_subscription_sku")]

    def __str__(self) -> str:
        return f"{self.email} waits for {self.sku}"
