from __future__ import annotations

from django.contrib import admin
from unfold.admin import ModelAdmin

from handel.catalog.media.models import ProductDocument, ProductImage, ProductModel3D, SpinSet


class MediaAdmin(ModelAdmin):
    """Media rows are read here; uploads go through the API, where files are checked and renditions made."""

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(ProductImage)
class ProductImageAdmin(MediaAdmin):
    list_display = ("product", "position", "alt_text", "format", "width", "height", "spin_set", "created_at")
    search_fields = ("product__sku", "alt_text")
    list_select_related = ("product", "spin_set")
    raw_id_fields = ("product", "spin_set")


@admin.register(SpinSet)
class SpinSetAdmin(MediaAdmin):
    list_display = ("product", "title", "position", "created_at")
    search_fields = ("product__sku", "title")
    list_select_related = ("product",)


@admin.register(ProductDocument)
class ProductDocumentAdmin(MediaAdmin):
    list_display = ("product", "title", "kind", "language", "byte_size", "created_at")
    list_filter = ("kind", "language")
    search_fields = ("product__sku", "title")
    list_select_related = ("product",)


@admin.register(ProductModel3D)
class ProductModel3DAdmin(MediaAdmin):
    list_display = ("product", "title", "format", "byte_size", "created_at")
    search_fields = ("product__sku", "title")
    list_select_related = ("product",)
