"""Typed attributes, their options, and product values in a typed, indexed value table."""

from __future__ import annotations

from django.db import models


class Attribute(models.Model):
    class Type(models.TextChoices):
        TEXT = "text", "Text"
        RICH_TEXT = "rich_text", "Rich text"
        INTEGER = "integer", "Integer"
        DECIMAL = "decimal", "Decimal (with unit)"
        BOOLEAN = "boolean", "Yes/no"
        DATE = "date", "Date"
        SINGLE_SELECT = "single_select", "Single select"
        MULTI_SELECT = "multi_select", "Multi select"
        SWATCH = "swatch", "Colour swatch"

    code = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=100)
    translations = models.JSONField(default=dict, blank=True, help_text='{"nl": {"name": "..."}}')
    type = models.CharField(max_length=20, choices=Type.choices)
    unit = models.CharField(max_length=20, blank=True, help_text="for decimals and integers, e.g. mm, kg, W")
    is_translatable = models.BooleanField(default=False, help_text="text values per language (en, nl)")
    is_searchable = models.BooleanField(default=False)
    is_filterable = models.BooleanField(default=False)
    is_comparable = models.BooleanField(default=False)
    is_shown_on_product_page = models.BooleanField(default=True)
    is_variant_defining = models.BooleanField(default=False, help_text="can tell variants of a configurable apart")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def has_options(self) -> bool:
        return self.type in {self.Type.SINGLE_SELECT, self.Type.MULTI_SELECT, self.Type.SWATCH}


class AttributeOption(models.Model):
    attribute = models.ForeignKey(Attribute, on_delete=models.CASCADE, related_name="options")
    code = models.SlugField(max_length=100)
    label = models.CharField(max_length=200)
    translations = models.JSONField(default=dict, blank=True, help_text='{"nl": {"label": "..."}}')
    swatch = models.CharField(max_length=7, blank=True, help_text="#rrggbb for colour swatches")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["attribute_id", "position", "code"]
        constraints = [models.UniqueConstraint(fields=["attribute", "code"], name="unique_option_code")]

    def __str__(self) -> str:
        return self.label


class ProductTemplate(models.Model):
    """What kind of thing a product is (drill, T-shirt): which attributes it has and which are required.
    Called a template so as not to clash with the product kinds simple/configurable/bundle."""

    code = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=100)
    attributes = models.ManyToManyField(Attribute, through="TemplateAttribute", related_name="templates")

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class TemplateAttribute(models.Model):
    template = models.ForeignKey(ProductTemplate, on_delete=models.CASCADE, related_name="template_attributes")
    attribute = models.ForeignKey(Attribute, on_delete=models.CASCADE, related_name="+")
    is_required = models.BooleanField(default=False)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["template", "attribute"], name="unique_template_attribute")]

    def __str__(self) -> str:
        return f"{self.template_id}: {self.attribute_id}"


class ProductAttributeValue(models.Model):
    """One value of one attribute of one product; multi selects have one row per option and
    translatable texts one row per language. Exactly one typed column is filled, so filters and
    facet counts are index lookups instead of JSON scans."""

    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="attribute_values")
    attribute = models.ForeignKey(Attribute, on_delete=models.PROTECT, related_name="values")
    locale = models.CharField(max_length=10, blank=True, help_text="language of a translatable text, else empty")
    option = models.ForeignKey(AttributeOption, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    value_text = models.TextField(blank=True)
    value_integer = models.BigIntegerField(null=True, blank=True)
    value_decimal = models.DecimalField(max_digits=18, decimal_places=6, null=True, blank=True)
    value_boolean = models.BooleanField(null=True, blank=True)
    value_date = models.DateField(null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0, help_text="order of options in a multi select")

    class Meta:
        ordering = ["product_id", "attribute_id", "locale", "position"]
        indexes = [
            models.Index(fields=["attribute", "option", "product"], name="catalog_value_option"),
            models.Index(fields=["attribute", "value_decimal"], name="catalog_value_decimal"),
            models.Index(fields=["attribute", "value_integer"], name="catalog_value_integer"),
            models.Index(fields=["attribute", "value_boolean"], name="catalog_value_boolean"),
            models.Index(fields=["product", "attribute"], name="catalog_value_product"),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} {self.attribute_id}{self.locale and '.' + self.locale}"
