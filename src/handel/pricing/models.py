"""Pricing data: price lists and their entries, rules, promotions, coupons, tax rates, the change log.

Entries and rules name products by SKU (a string), not by a key into the catalog, so that pricing
can hold prices for SKUs the catalog is still importing and the catalog never depends on pricing.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from handel.channels.models import Channel
from handel.pricing.engine.types import ADJUSTMENT_KINDS, ASSIGNEE_KINDS, PROMOTION_ACTIONS, RULE_KINDS


def _choices(values: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(value, value.replace("_", " ")) for value in values]


class PricingChannelSettings(models.Model):
    """How a channel's prices are kept: entered incl. or excl. tax, and the seller's country."""

    channel = models.OneToOneField(Channel, on_delete=models.CASCADE, related_name="pricing_settings")
    prices_entered_including_tax = models.BooleanField(
        default=False, help_text="price list amounts for this channel include tax"
    )
    seller_country = models.CharField(
        max_length=2, blank=True, help_text="country the goods are sold from; empty: the channel's default"
    )

    class Meta:
        verbose_name = "channel pricing settings"
        verbose_name_plural = "channel pricing settings"

    def __str__(self) -> str:
        return f"pricing of {self.channel_id}"


class PriceList(models.Model):
    code = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=100)
    currency = models.CharField(max_length=3)
    priority = models.IntegerField(default=0, help_text="higher wins among equally specific lists")
    is_base = models.BooleanField(default=False, help_text="the channel's base list: asked last")
    is_active = models.BooleanField(default=True)
    valid_from = models.DateTimeField(null=True, blank=True)
    valid_until = models.DateTimeField(null=True, blank=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="derived")
    adjustment_percent = models.DecimalField(
        max_digits=7,
        decimal_places=3,
        default=0,
        help_text="for a derived list: percent added to the parent's price (-15 = 15% below)",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(adjustment_percent__gt=-100), name="price_list_adjustment_above_minus_100"
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_until__gt=models.F("valid_from")),
                name="price_list_window_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class PriceListAssignment(models.Model):
    """Who a list applies to: a channel, a customer group, a customer (public id) or a company (key)."""

    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE, related_name="assignments")
    kind = models.CharField(max_length=20, choices=_choices(ASSIGNEE_KINDS))
    key = models.CharField(max_length=100)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["price_list", "kind", "key"], name="unique_price_list_assignment"),
        ]
        indexes = [models.Index(fields=["kind", "key"])]

    def __str__(self) -> str:
        return f"{self.price_list_id} -> {self.kind}:{self.key}"


class PriceListEntry(models.Model):
    """One tier break of a SKU's price in a list; min_quantity 1 is the plain price."""

    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE, related_name="entries")
    sku = models.CharField(max_length=100)
    min_quantity = models.PositiveIntegerField(default=1)
    unit_price = models.DecimalField(max_digits=14, decimal_places=4)

    class Meta:
        ordering = ["sku", "min_quantity"]
        constraints = [
            models.UniqueConstraint(fields=["price_list", "sku", "min_quantity"], name="unique_price_tier"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="price_entry_not_negative"),
            models.CheckConstraint(condition=Q(min_quantity__gte=1), name="price_entry_min_quantity_positive"),
        ]
        indexes = [models.Index(fields=["sku"])]

    def __str__(self) -> str:
        return f"{self.sku} x{self.min_quantity}: {self.unit_price}"


class PriceRule(models.Model):
    """A catalog rule ("10% off category X for group Y this week") or a dynamic rule (stock, demand,
    time of day), bounded by guard rails (cost + margin, MSRP)."""

    code = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=_choices(RULE_KINDS), default="catalog")
    is_active = models.BooleanField(default=False, help_text="preview a rule before switching it on")
    priority = models.IntegerField(default=0)
    adjustment_kind = models.CharField(max_length=12, choices=_choices(ADJUSTMENT_KINDS), default="percent")
    adjustment_value = models.DecimalField(max_digits=14, decimal_places=4)
    skus = models.JSONField(default=list, blank=True)
    category_paths = models.JSONField(default=list, blank=True)
    attributes = models.JSONField(default=dict, blank=True, help_text='{"colour": ["red", "blue"]}')
    channels = models.JSONField(default=list, blank=True)
    customer_groups = models.JSONField(default=list, blank=True)
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    stop_further_rules = models.BooleanField(default=False)
    stock_below = models.IntegerField(null=True, blank=True)
    stock_at_least = models.IntegerField(null=True, blank=True)
    min_sell_through_percent = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    max_sell_through_percent = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    demand_window_days = models.PositiveIntegerField(default=7)
    time_from = models.TimeField(null=True, blank=True)
    time_until = models.TimeField(null=True, blank=True)
    weekdays = models.JSONField(default=list, blank=True, help_text="0 = Monday ... 6 = Sunday")
    min_margin_percent = models.DecimalField(max_digits=7, decimal_places=3, default=0)
    cap_at_msrp = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-priority", "code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class PriceChangeLog(models.Model):
    """An automatic price change (a dynamic rule started or stopped changing a price), with its reason."""

    at = models.DateTimeField(auto_now_add=True)
    sku = models.CharField(max_length=100)
    channel_code = models.CharField(max_length=50)
    currency = models.CharField(max_length=3)
    old_price = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    new_price = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    rule_codes = models.JSONField(default=list, blank=True)
    reason = models.TextField()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["sku", "channel_code", "-at"])]

    def __str__(self) -> str:
        return f"{self.sku} {self.old_price} -> {self.new_price}"


class DailySales(models.Model):
    """Units sold per SKU and day: the demand rules' sell-through reads it (orders report sales by event)."""

    sku = models.CharField(max_length=100)
    day = models.DateField()
    units = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["sku", "day"], name="unique_daily_sales")]
        verbose_name_plural = "daily sales"

    def __str__(self) -> str:
        return f"{self.sku} {self.day}: {self.units}"


class CustomerOrders(models.Model):
    """How many orders a customer has placed (orders report each by event): promotions for a first
    order ask it, so that every cart (the API's, checkout's) agrees on who orders for the first time."""

    customer_id = models.PositiveBigIntegerField(unique=True, help_text="the customer's id (customers.User)")
    orders = models.PositiveIntegerField(default=0)
    first_ordered_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "customer orders"

    def __str__(self) -> str:
        return f"customer {self.customer_id}: {self.orders} orders"


class Promotion(models.Model):
    code = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)
    priority = models.IntegerField(default=0)
    action = models.CharField(max_length=20, choices=_choices(PROMOTION_ACTIONS))
    value = models.DecimalField(
        max_digits=14, decimal_places=4, default=0, help_text="percent, amount or fixed unit price, by action"
    )
    stackable = models.BooleanField(default=True, help_text="combines with other promotions")
    stop_further_rules = models.BooleanField(default=False)
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    requires_coupon = models.BooleanField(default=False)
    min_subtotal = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    min_quantity = models.PositiveIntegerField(null=True, blank=True)
    required_skus = models.JSONField(default=list, blank=True)
    required_category_paths = models.JSONField(default=list, blank=True)
    required_attributes = models.JSONField(default=dict, blank=True)
    customer_groups = models.JSONField(default=list, blank=True)
    segments = models.JSONField(default=list, blank=True)
    channels = models.JSONField(default=list, blank=True)
    first_order_only = models.BooleanField(default=False)
    target_skus = models.JSONField(default=list, blank=True)
    target_category_paths = models.JSONField(default=list, blank=True)
    target_attributes = models.JSONField(default=dict, blank=True)
    buy_quantity = models.PositiveIntegerField(default=0)
    get_quantity = models.PositiveIntegerField(default=0)
    tiers = models.JSONField(default=list, blank=True, help_text='[{"min_subtotal": "100", "percent": "5"}]')
    gift_sku = models.CharField(max_length=100, blank=True)
    gift_quantity = models.PositiveIntegerField(default=1)
    usage_limit = models.PositiveIntegerField(null=True, blank=True, help_text="uses in total")
    usage_limit_per_customer = models.PositiveIntegerField(null=True, blank=True)
    times_used = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-priority", "code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class CouponBatch(models.Model):
    promotion = models.ForeignKey(Promotion, on_delete=models.CASCADE, related_name="coupon_batches")
    prefix = models.CharField(max_length=20, blank=True)
    quantity = models.PositiveIntegerField()
    usage_limit = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name_plural = "coupon batches"

    def __str__(self) -> str:
        return f"{self.quantity} x {self.prefix or 'coupon'} for {self.promotion_id}"


class Coupon(models.Model):
    code = models.CharField(max_length=40, unique=True, help_text="stored upper case")
    promotion = models.ForeignKey(Promotion, on_delete=models.CASCADE, related_name="coupons")
    batch = models.ForeignKey(CouponBatch, null=True, blank=True, on_delete=models.CASCADE, related_name="coupons")
    usage_limit = models.PositiveIntegerField(null=True, blank=True, help_text="1 = single use; empty = unlimited")
    usage_limit_per_customer = models.PositiveIntegerField(null=True, blank=True)
    times_used = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(usage_limit__isnull=True) | Q(times_used__lte=models.F("usage_limit")),
                name="coupon_not_overused",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class PromotionUsage(models.Model):
    """One use of a promotion (and its coupon) by an order, recorded in the order's transaction."""

    promotion = models.ForeignKey(Promotion, on_delete=models.PROTECT, related_name="usages")
    coupon = models.ForeignKey(Coupon, null=True, blank=True, on_delete=models.PROTECT, related_name="usages")
    customer_key = models.CharField(max_length=100, blank=True)
    order_reference = models.CharField(max_length=100)
    discount = models.DecimalField(max_digits=14, decimal_places=4, default=0)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["promotion", "customer_key"]), models.Index(fields=["coupon", "customer_key"])]
        constraints = [
            models.UniqueConstraint(fields=["promotion", "order_reference"], name="one_usage_per_promotion_and_order")
        ]

    def __str__(self) -> str:
        return f"{self.promotion_id} by {self.order_reference}"


class TaxRate(models.Model):
    country = models.CharField(max_length=2)
    region = models.CharField(max_length=100, blank=True, help_text="empty: the whole country")
    tax_class = models.CharField(max_length=50, default="standard", help_text="the product's tax class")
    customer_tax_class = models.CharField(max_length=50, blank=True, help_text="empty: every customer")
    rate = models.DecimalField(max_digits=6, decimal_places=3, help_text="percent")
    name = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["country", "region", "tax_class", "customer_tax_class"]
        constraints = [
            models.UniqueConstraint(
                fields=["country", "region", "tax_class", "customer_tax_class"], name="unique_tax_rate"
            ),
            models.CheckConstraint(condition=Q(rate__gte=0) & Q(rate__lte=100), name="tax_rate_between_0_and_100"),
        ]

    def __str__(self) -> str:
        return f"{self.country}{'/' + self.region if self.region else ''} {self.tax_class}: {self.rate}%"


class DynamicPriceState(models.Model):
    """The last price the dynamic rules gave a SKU in a channel: the change log compares against it."""

    sku = models.CharField(max_length=100)
    channel_code = models.CharField(max_length=50)
    price = models.DecimalField(max_digits=14, decimal_places=4)
    rule_codes = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["sku", "channel_code"], name="unique_dynamic_price_state")]

    def __str__(self) -> str:
        return f"{self.sku}@{self.channel_code}: {self.price}"
