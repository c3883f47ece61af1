from __future__ import annotations

from django.contrib import admin

from handel.catalog.models import (
    Assortment,
    Attribute,
    AttributeOption,
    Brand,
    CatalogImportJob,
    Category,
    Product,
    ProductTemplate,
    TemplateAttribute,
)
from handel.catalog.queries import forget_cached_assortments
from handel.core.admin import AuditedModelAdmin, ReadOnlyAdmin


@admin.register(Product)
class ProductAdmin(ReadOnlyAdmin):
    """Products change through the API or imports, which check every field and keep the typed
    attribute values, relations and bundles consistent; the back office shows them."""

    list_display = ("sku", "name", "kind", "status", "brand", "tax_class", "updated_at")
    list_filter = ("kind", "status", "tax_class")
    search_fields = ("sku", "name", "gtin", "mpn")
    list_select_related = ("brand",)
    show_full_result_count = False


class AttributeOptionInline(admin.TabularInline):  # type: ignore[type-arg]
    model = AttributeOption
    extra = 0


@admin.register(Attribute)
class AttributeAdmin(AuditedModelAdmin):
    list_display = ("code", "name", "type", "unit", "is_filterable", "is_variant_defining", "position")
    list_filter = ("type", "is_filterable", "is_variant_defining")
    search_fields = ("code", "name")
    inlines = [AttributeOptionInline]


class TemplateAttributeInline(admin.TabularInline):  # type: ignore[type-arg]
    model = TemplateAttribute
    extra = 0


@admin.register(ProductTemplate)
class ProductTemplateAdmin(AuditedModelAdmin):
    list_display = ("code", "name")
    inlines = [TemplateAttributeInline]


@admin.register(Brand)
class BrandAdmin(AuditedModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")


@admin.register(Category)
class CategoryAdmin(AuditedModelAdmin):
    """Moving a category (which rewrites its subtree's paths) is done through the API's move_category."""

    list_display = ("path", "name", "depth", "position", "is_active")
    search_fields = ("path", "name")
    readonly_fields = ("parent", "slug", "path", "depth")


@admin.register(Assortment)
class AssortmentAdmin(AuditedModelAdmin):
    list_display = ("code", "name", "channel", "is_channel_default", "customer_group")
    filter_horizontal = ("categories",)
    raw_id_fields = ("products",)

    def save_related(self, request, form, formsets, change):  # type: ignore[no-untyped-def]
        super().save_related(request, form, formsets, change)
        forget_cached_assortments()


@admin.register(CatalogImportJob)
class CatalogImportJobAdmin(ReadOnlyAdmin):
    list_display = ("public_id", "format", "dry_run", "status", "created_by", "created_at", "finished_at")
    list_filter = ("status", "format")
    exclude = ("content",)
