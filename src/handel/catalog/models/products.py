"""Products of every kind, their channel visibility, bundle options, kit components and relations."""

from __future__ import annotations

from django.db import models


class Brand(models.Model):
    code = models.SlugField(max_length=100, unique=True)
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    class Kind(models.TextChoices):
        SIMPLE = "simple", "Simple"
        CONFIGURABLE = "configurable", "Configurable (has variants)"
        VARIANT = "variant", "Variant of a configurable"
        BUNDLE = "bundle", "Bundle (option groups)"
        KIT = "kit", "Kit (fixed components)"
        VIRTUAL = "virtual", "Virtual / digital"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ACTIVE = "active", "Active"
        ARCHIVED = "archived", "Archived"

    class BundlePricing(models.TextChoices):
        NONE = "", "Not a bundle"
        FIXED = "fixed", "Fixed price"
        DYNAMIC = "dynamic", "Sum of the chosen options"

    class DigitalDelivery(models.TextChoices):
        NONE = "", "Not digital"
        FILE = "file", "Download"
        LICENCE = "licence", "Licence key"
        SERVICE = "service", "Service (nothing delivered)"

    sku = models.CharField(max_length=64, unique=True)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.SIMPLE)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="variants",
        help_text="the configurable product of a variant",
    )
    template = models.ForeignKey(
        "catalog.ProductTemplate", null=True, blank=True, on_delete=models.PROTECT, related_name="products"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    name = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    translations = models.JSONField(default=dict, blank=True, help_text='{"nl": {"name": "...", "description": "..."}}')
    brand = models.ForeignKey(Brand, null=True, blank=True, on_delete=models.PROTECT, related_name="products")
    mpn = models.CharField("manufacturer part number", max_length=100, blank=True)
    gtin = models.CharField("GTIN/EAN", max_length=14, blank=True, db_index=True)
    weight_grams = models.PositiveIntegerField(null=True, blank=True)
    length_mm = models.PositiveIntegerField(null=True, blank=True)
    width_mm = models.PositiveIntegerField(null=True, blank=True)
    height_mm = models.PositiveIntegerField(null=True, blank=True)
    tax_class = models.CharField(max_length=50, default="standard")
    unit = models.CharField("unit of measure", max_length=20, default="piece")
    min_order_qty = models.PositiveIntegerField(default=1)
    order_increment = models.PositiveIntegerField(default=1, help_text="sold in packs of this many")
    cost_price = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True, help_text="staff only")
    msrp = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    variant_attributes = models.JSONField(
        default=list, blank=True, help_text="codes of the attributes that tell this product's variants apart"
    )
    bundle_pricing = models.CharField(max_length=10, choices=BundlePricing.choices, blank=True, default="")
    bundle_price = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    digital_delivery = models.CharField(max_length=10, choices=DigitalDelivery.choices, blank=True, default="")
    digital_file = models.CharField(max_length=500, blank=True, help_text="file reference of a download")
    media = models.JSONField(default=list, blank=True, help_text="ordered image references (paths or URLs)")
    # Denormalised from ProductAttributeValue on every write: {code: [value, ...]} in the default
    # language, so lists and product_facts need no join. Filtering uses the typed value table.
    attribute_summary = models.JSONField(default=dict, blank=True)
    channels = models.ManyToManyField("channels.Channel", through="ProductChannel", related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["sku"]
        indexes = [
            # Lists walk it in SKU order: top-level (parent null) active products, or one parent's variants.
            models.Index(fields=["parent", "status", "sku"], name="catalog_product_listing"),
            models.Index(fields=["status", "kind"], name="catalog_product_status"),
            models.Index(fields=["brand", "status"], name="catalog_product_brand"),
        ]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"

    @property
    def is_shippable(self) -> bool:
        return self.kind != self.Kind.VIRTUAL


class ProductChannel(models.Model):
    """The product is visible in this channel (a row per channel; none = visible nowhere)."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="channel_links")
    channel = models.ForeignKey("channels.Channel", on_delete=models.CASCADE, related_name="+")
    # The product's SKU (which never changes), copied so that a channel's product list walks this
    # table's (channel, sku) index in order instead of every channel's products in SKU order.
    sku = models.CharField(max_length=64, default="")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["product", "channel"], name="unique_product_channel")]
        indexes = [
            models.Index(fields=["channel", "product"], name="catalog_channel_products"),
            models.Index(fields=["channel", "sku"], name="catalog_channel_listing"),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} in channel {self.channel_id}"


class BundleOptionGroup(models.Model):
    bundle = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="option_groups")
    code = models.SlugField(max_length=50)
    name = models.CharField(max_length=200)
    is_required = models.BooleanField(default=True)
    min_selections = models.PositiveSmallIntegerField(default=1)
    max_selections = models.PositiveSmallIntegerField(default=1)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["bundle", "code"], name="unique_bundle_group")]

    def __str__(self) -> str:
        return f"{self.bundle_id}/{self.code}"


class BundleOption(models.Model):
    group = models.ForeignKey(BundleOptionGroup, on_delete=models.CASCADE, related_name="options")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    default_quantity = models.PositiveIntegerField(default=1)
    is_default = models.BooleanField(default=False, help_text="preselected")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.group_id}: {self.product_id} x {self.default_quantity}"


class KitComponent(models.Model):
    kit = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="components")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(default=1)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.kit_id}: {self.product_id} x {self.quantity}"


class ProductRelation(models.Model):
    """An ordered link from one product to another. A mutual relation is two rows, each marked mutual,
    kept together by the services."""

    class Kind(models.TextChoices):
        RELATED = "related", "Related"
        UP_SELL = "up_sell", "Up-sell"
        CROSS_SELL = "cross_sell", "Cross-sell"
        ACCESSORY = "accessory", "Accessory"
        REPLACEMENT_PART = "replacement_part", "Replacement part"

    source = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="relations")
    target = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    position = models.PositiveSmallIntegerField(default=0)
    is_mutual = models.BooleanField(default=False)

    class Meta:
        ordering = ["kind", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["source", "target", "kind"], name="unique_product_relation")]
        indexes = [models.Index(fields=["target", "kind"], name="catalog_relation_target")]

    def __str__(self) -> str:
        return f"{self.source_id} {self.kind} {self.target_id}"
