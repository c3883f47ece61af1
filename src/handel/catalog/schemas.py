from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from handel.catalog.media.schemas import ImageOut

ProductKind = Literal["simple", "configurable", "variant", "bundle", "kit", "virtual"]


class BundleOptionIn(Schema):
    sku: str
    quantity: int = 1
    default: bool = False


class BundleGroupIn(Schema):
    code: str
    name: str = ""
    required: bool = True
    min: int = 1
    max: int = 1
    options: list[BundleOptionIn]


class ProductFields(Schema):
    """A product as in JSON Lines files. Lists use the compact notation of the import format:
    categories "path" or "path#position", relations "kind:SKU" or "kind:SKU:mutual", kit components
    "SKU*quantity". Attributes map codes to values; a translatable text may be {"en": .., "nl": ..}."""

    parent_sku: str | None = None
    kind: ProductKind | None = None
    status: Literal["draft", "active", "archived"] | None = None
    template: str | None = None
    name: str | None = Field(None, max_length=300)
    description: str | None = None
    translations: dict[str, dict[str, str]] | None = None
    brand: str | None = None
    mpn: str | None = None
    gtin: str | None = None
    weight_grams: int | None = None
    length_mm: int | None = None
    width_mm: int | None = None
    height_mm: int | None = None
    tax_class: str | None = None
    unit: str | None = None
    min_order_qty: int | None = None
    order_increment: int | None = None
    cost_price: Decimal | None = None
    msrp: Decimal | None = None
    variant_attributes: list[str] | None = None
    bundle_pricing: Literal["", "fixed", "dynamic"] | None = None
    bundle_price: Decimal | None = None
    bundle_groups: list[BundleGroupIn] | None = None
    digital_delivery: Literal["", "file", "licence", "service"] | None = None
    digital_file: str | None = None
    kit_components: list[str] | None = None
    channels: list[str] | None = None
    categories: list[str] | None = None
    relations: list[str] | None = None
    media: list[str] | None = None
    attributes: dict[str, Any] | None = None


class ProductIn(ProductFields):
    sku: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=300)


class ProductPatch(ProductFields):
    pass


class ProductRecordOut(Schema):
    """The staff view of a product: every field, cost price included."""

    sku: str
    parent_sku: str
    kind: str
    status: str
    template: str
    name: str
    description: str
    translations: dict[str, Any]
    brand: str
    mpn: str
    gtin: str
    weight_grams: int | None
    length_mm: int | None
    width_mm: int | None
    height_mm: int | None
    tax_class: str
    unit: str
    min_order_qty: int
    order_increment: int
    cost_price: str | None
    msrp: str | None
    variant_attributes: list[str]
    bundle_pricing: str
    bundle_price: str | None
    bundle_groups: list[dict[str, Any]]
    digital_delivery: str
    digital_file: str
    kit_components: list[str]
    channels: list[str]
    categories: list[str]
    relations: list[str]
    media: list[str]
    attributes: dict[str, Any]


class BrandOut(Schema):
    code: str
    name: str


class VariantSummaryOut(Schema):
    sku: str
    name: str
    msrp: Decimal | None
    gtin: str
    attributes: dict[str, list[str]]
    images: list[str]


class MainImageOut(Schema):
    url: str = Field(description="the thumbnail rendition of an upload, or the referenced image's URL")
    width: int | None
    height: int | None
    alt_text: str
    alt_text_nl: str


class ProductSummaryOut(Schema):
    sku: str
    kind: str
    name: str
    translations: dict[str, Any]
    brand: BrandOut | None
    gtin: str
    msrp: Decimal | None
    unit: str
    min_order_qty: int
    order_increment: int
    tax_class: str
    categories: list[str]
    attributes: dict[str, list[str]]
    images: list[str] = Field(description="the image references kept on the product (imports)")
    image: MainImageOut | None = Field(description="the first gallery image (or its first variant's)")
    image_count: int
    updated_at: datetime
    variant_attributes: list[str]
    variants: list[VariantSummaryOut]


class ProductPage(Schema):
    items: list[ProductSummaryOut]
    meta: dict[str, int]


class AttributeDetailOut(Schema):
    code: str
    name: str
    translations: dict[str, Any]
    type: str
    unit: str
    values: list[str]
    labels: list[str]
    swatches: list[str]
    translated: dict[str, str]


class BundleOut(Schema):
    pricing: str
    price: Decimal | None
    groups: list[dict[str, Any]]


class LinkedProductOut(Schema):
    sku: str
    name: str
    quantity: int | None = None
    kind: str | None = None


class ProductDetailOut(ProductSummaryOut):
    gallery: list[ImageOut] = Field(description="gallery images, then the active variants' own images")
    description: str
    mpn: str
    parent_sku: str | None
    weight_grams: int | None
    dimensions_mm: dict[str, int | None]
    is_shippable: bool
    digital_delivery: str
    attribute_details: list[AttributeDetailOut]
    bundle: BundleOut | None
    components: list[LinkedProductOut]
    relations: list[LinkedProductOut]


class CategoryOut(Schema):
    path: str
    slug: str
    name: str
    translations: dict[str, Any]
    parent_path: str | None
    depth: int
    position: int
    description: str
    seo_title: str
    seo_description: str
    image: str


class CategoryDetailOut(CategoryOut):
    children: list[CategoryOut]


class CategoryPage(Schema):
    items: list[CategoryOut]
    meta: dict[str, int]


class CategoryIn(Schema):
    slug: str = Field(min_length=1, max_length=100)
    name: str = Field(min_length=1, max_length=200)
    parent_path: str | None = None
    position: int | None = Field(None, ge=0)
    description: str = ""
    seo_title: str = Field("", max_length=200)
    seo_description: str = Field("", max_length=500)
    image: str = Field("", max_length=500)
    translations: dict[str, dict[str, str]] = Field(default_factory=dict)
    is_active: bool = True


class CategoryPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    position: int | None = Field(None, ge=0)
    description: str | None = None
    seo_title: str | None = Field(None, max_length=200)
    seo_description: str | None = Field(None, max_length=500)
    image: str | None = Field(None, max_length=500)
    translations: dict[str, dict[str, str]] | None = None
    is_active: bool | None = None


class CategoryMoveIn(Schema):
    path: str = Field(min_length=1, max_length=1000, description="the category to move")
    parent_path: str | None = Field(None, description="the new parent; null moves the category to the root")
    slug: str | None = Field(None, description="a new slug, if it is renamed too")
    position: int | None = Field(None, ge=0)


class AttributeOptionIn(Schema):
    code: str = Field(min_length=1, max_length=100)
    label: str = Field("", max_length=200)
    swatch: str = Field("", pattern=r"^(#[0-9a-fA-F]{6})?$")
    translations: dict[str, dict[str, str]] = Field(default_factory=dict)


class AttributeIn(Schema):
    code: str = Field(min_length=1, max_length=50)
    name: str = Field(min_length=1, max_length=100)
    type: Literal[
        "text", "rich_text", "integer", "decimal", "boolean", "date", "single_select", "multi_select", "swatch"
    ]
    unit: str = Field("", max_length=20)
    is_translatable: bool = False
    is_searchable: bool = False
    is_filterable: bool = False
    is_comparable: bool = False
    is_shown_on_product_page: bool = True
    is_variant_defining: bool = False
    position: int = Field(0, ge=0)
    translations: dict[str, dict[str, str]] = Field(default_factory=dict)
    options: list[AttributeOptionIn] = Field(default_factory=list)


class AttributeOut(Schema):
    code: str
    name: str
    type: str
    unit: str
    is_translatable: bool
    is_searchable: bool
    is_filterable: bool
    is_comparable: bool
    is_shown_on_product_page: bool
    is_variant_defining: bool
    options: list[dict[str, Any]]


class AttributePage(Schema):
    items: list[AttributeOut]
    meta: dict[str, int]


class TemplateAttributeIn(Schema):
    code: str
    required: bool = False


class TemplateIn(Schema):
    code: str = Field(min_length=1, max_length=50)
    name: str = Field(min_length=1, max_length=100)
    attributes: list[TemplateAttributeIn] = Field(default_factory=list)


class TemplateOut(Schema):
    code: str
    name: str


class BrandIn(Schema):
    code: str = Field(min_length=1, max_length=100)
    name: str = Field(min_length=1, max_length=200)


class AssortmentIn(Schema):
    code: str = Field(min_length=1, max_length=50)
    name: str = Field(min_length=1, max_length=200)
    channel_code: str | None = None
    is_channel_default: bool = False
    customer_group_code: str | None = None
    category_paths: list[str] = Field(default_factory=list)
    skus: list[str] = Field(default_factory=list)


class AssortmentOut(Schema):
    code: str
    name: str
    is_channel_default: bool


class ImportIn(Schema):
    format: Literal["csv", "jsonl"]
    content: str = Field(max_length=200_000_000)
    dry_run: bool = False


class ImportJobOut(Schema):
    id: str
    status: str
    format: str
    dry_run: bool
    created_at: datetime
    finished_at: datetime | None
    report: dict[str, Any]
