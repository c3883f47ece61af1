"""The category tree as a materialised path of slugs ("tools/power-tools/drills")."""

from __future__ import annotations

from django.db import models


class Category(models.Model):
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    slug = models.SlugField(max_length=100)
    # The slug path from the root; unique, indexed, so a subtree is one prefix lookup.
    path = models.CharField(max_length=1000, unique=True)
    depth = models.PositiveSmallIntegerField(default=0)
    position = models.PositiveIntegerField(default=0)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    translations = models.JSONField(default=dict, blank=True, help_text='{"nl": {"name": "...", ...}}')
    seo_title = models.CharField(max_length=200, blank=True)
    seo_description = models.CharField(max_length=500, blank=True)
    image = models.CharField(max_length=500, blank=True, help_text="image reference (path or URL)")
    is_active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["path"]
        verbose_name_plural = "categories"
        indexes = [models.Index(fields=["parent", "position"], name="catalog_category_siblings")]

    def __str__(self) -> str:
        return self.path

    @property
    def ancestor_paths(self) -> list[str]:
        parts = self.path.split("/")
        return ["/".join(parts[: index + 1]) for index in range(len(parts) - 1)]


class ProductCategory(models.Model):
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="category_links")
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="product_links")
    position = models.PositiveIntegerField(default=0, help_text="the product's place in the category")
    rank = models.PositiveSmallIntegerField(default=0, help_text="order of the product's categories (0 = main)")

    class Meta:
        ordering = ["rank", "id"]
        constraints = [models.UniqueConstraint(fields=["product", "category"], name="unique_product_category")]
        indexes = [models.Index(fields=["category", "position"], name="catalog_category_products")]

    def __str__(self) -> str:
        return f"{self.product_id} in {self.category_id}"
