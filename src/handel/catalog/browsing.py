"""The public read side: product lists and pages, and categories, as a viewer sees them.

A page of products costs a fixed number of queries whatever its size: count, page, variants,
categories (attributes come from the denormalised summary on the product row).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.cache import cache
from django.db.models import F, OuterRef, Prefetch, Q, QuerySet, Subquery

from handel.catalog.models import (
    Attribute,
    BundleOptionGroup,
    Category,
    KitComponent,
    Product,
    ProductAttributeValue,
    ProductCategory,
    ProductRelation,
)
from handel.catalog.queries import visible_categories, visible_products
from handel.core.errors import InvalidInput, NotFound, field_error
from handel.core.pagination import MAX_PAGE_SIZE, Page, paginate

COUNT_CACHE_SECONDS = 60
# "position": the merchant's order within the category given (products of subcategories last).
SORTS = {
    "sku": ["sku"],
    "name": ["name"],
    "newest": ["-created_at"],
    "updated": ["-updated_at"],
    "position": [F("position").asc(nulls_last=True), "sku"],
}


@dataclass(frozen=True)
class Viewer:
    channel_code: str
    customer_group_code: str | None = None
    assortment_code: str | None = None

    def products(self, include_variants: bool = False) -> QuerySet[Product]:
        return visible_products(
            channel_code=self.channel_code,
            customer_group_code=self.customer_group_code,
            assortment_code=self.assortment_code,
            include_variants=include_variants,
        )

    def categories(self) -> QuerySet[Category]:
        return visible_categories(
            channel_code=self.channel_code,
            customer_group_code=self.customer_group_code,
            assortment_code=self.assortment_code,
        )


def filter_products(
    products: QuerySet[Product],
    *,
    category: str | None = None,
    brand: list[str] | None = None,
    attributes: list[str] | None = None,
    updated_since: datetime | None = None,
    kind: str | None = None,
) -> QuerySet[Product]:
    if category:
        products = products.filter(
            id__in=ProductCategory.objects.filter(
                Q(category__path=category) | Q(category__path__startswith=category + "/")
            ).values("product_id")
        )
    if brand:
        products = products.filter(brand__code__in=brand)
    if updated_since:
        products = products.filter(updated_at__gte=updated_since)
    if kind:
        products = products.filter(kind=kind)
    for condition in attributes or []:
        products = products.filter(_attribute_condition(condition))
    return products


def _attribute_condition(condition: str) -> Q:
    """`code:value1,value2` (options, texts, booleans, numbers) or `code:min..max` (numbers). A
    configurable matches when one of its variants does."""
    code, _, wanted = condition.partition(":")
    attribute = Attribute.objects.filter(code=code, is_filterable=True).first()
    if attribute is None or not wanted:
        raise InvalidInput(
            f"cannot filter on '{condition}'",
            errors=[
                field_error(["query", "attr"], "use code:value[,value] or code:min..max with a filterable attribute")
            ],
        )
    values = ProductAttributeValue.objects.filter(attribute_id=attribute.pk)
    Type = Attribute.Type
    try:
        if attribute.type in (Type.INTEGER, Type.DECIMAL) and ".." in wanted:
            low, _, high = wanted.partition("..")
            column = "value_integer" if attribute.type == Type.INTEGER else "value_decimal"
            if low:
                values = values.filter(**{f"{column}__gte": Decimal(low)})
            if high:
                values = values.filter(**{f"{column}__lte": Decimal(high)})
        elif attribute.type in (Type.INTEGER, Type.DECIMAL):
            column = "value_integer" if attribute.type == Type.INTEGER else "value_decimal"
            values = values.filter(**{f"{column}__in": [Decimal(v) for v in wanted.split(",")]})
        elif attribute.type == Type.BOOLEAN:
            values = values.filter(value_boolean=wanted.lower() in {"true", "1", "yes"})
        elif attribute.has_options:
            values = values.filter(option__code__in=wanted.split(","))
        else:
            values = values.filter(value_text__in=wanted.split(","))
    except (InvalidOperation, ValueError) as exc:
        raise InvalidInput(
            f"'{wanted}' is not a number", errors=[field_error(["query", "attr"], "not a number")]
        ) from exc
    matching = values.values("product_id")
    return Q(id__in=matching) | Q(
        id__in=Product.objects.filter(id__in=matching, parent__isnull=False).values("parent_id")
    )


def product_list(viewer: Viewer, *, page: int, page_size: int, sort: str = "sku", **filters: Any) -> dict[str, Any]:
    """A page of product summaries in four queries: count, page, variants, categories. Rows are read
    as dicts, not model instances: building a few hundred instances would dominate the page."""
    if sort not in SORTS:
        raise InvalidInput("unknown sort", errors=[field_error(["query", "sort"], f"one of {', '.join(SORTS)}")])
    filtered = filter_products(viewer.products(), **filters)
    if not 1 <= page_size <= MAX_PAGE_SIZE or page < 1:
        paginate(filtered, page=page, page_size=page_size)  # raises the standard 422
    if sort == "position":
        if not filters.get("category"):
            raise InvalidInput(
                "sorting by position needs a category", errors=[field_error(["query", "sort"], "give a category")]
            )
        filtered = filtered.annotate(
            position=Subquery(
                ProductCategory.objects.filter(product_id=OuterRef("pk"), category__path=filters["category"]).values(
                    "position"
                )[:1]
            )
        )
    # SKUs are unique, so sorting by SKU needs no tie-breaker; without one, the databases can walk
    # the (parent, status, sku) index in order and stop after the page.
    ordered = filtered.order_by(*SORTS[sort]) if sort == "sku" else filtered.order_by(*SORTS[sort], "pk")
    start = (page - 1) * page_size
    rows = list(ordered.values(*LIST_FIELDS)[start : start + page_size])
    result = Page(items=rows, page=page, page_size=page_size, total=cached_count(filtered)).as_dict()
    configurable_ids = [row["id"] for row in rows if row["kind"] == Product.Kind.CONFIGURABLE]
    variants: dict[int, list[dict[str, Any]]] = {}
    if configurable_ids:
        for variant in (
            Product.objects.filter(parent_id__in=configurable_ids, status=Product.Status.ACTIVE)
            .order_by("sku")
            .values("parent_id", "sku", "name", "msrp", "gtin", "attribute_summary", "media")
        ):
            variants.setdefault(variant["parent_id"], []).append(variant)
    categories: dict[int, list[str]] = {}
    for product_id, path in (
        ProductCategory.objects.filter(product_id__in=[row["id"] for row in rows])
        .order_by("rank", "id")
        .values_list("product_id", "category__path")
    ):
        categories.setdefault(product_id, []).append(path)
    result["items"] = [_summary_of_row(row, variants.get(row["id"], []), categories.get(row["id"], [])) for row in rows]
    return result


LIST_FIELDS = [
    "id",
    "sku",
    "kind",
    "name",
    "translations",
    "brand__code",
    "brand__name",
    "gtin",
    "msrp",
    "unit",
    "min_order_qty",
    "order_increment",
    "tax_class",
    "attribute_summary",
    "media",
    "updated_at",
    "variant_attributes",
]


def cached_count(queryset: QuerySet[Any]) -> int:
    """The total for the pager, cached briefly per query: counting a channel's whole catalog costs
    more than the page itself, and a total a minute old is fine for paging."""
    sql, params = queryset.query.sql_with_params()
    key = "catalog:count:" + hashlib.sha256(f"{sql}|{params!r}".encode()).hexdigest()
    total = cache.get(key)
    if total is None:
        total = queryset.count()
        cache.set(key, total, timeout=COUNT_CACHE_SECONDS)
    return int(total)


def _summary_of_row(row: dict[str, Any], variants: list[dict[str, Any]], categories: list[str]) -> dict[str, Any]:
    axes = row["variant_attributes"]
    return {
        "sku": row["sku"],
        "kind": row["kind"],
        "name": row["name"],
        "translations": row["translations"],
        "brand": {"code": row["brand__code"], "name": row["brand__name"]} if row["brand__code"] else None,
        "gtin": row["gtin"],
        "msrp": row["msrp"],
        "unit": row["unit"],
        "min_order_qty": row["min_order_qty"],
        "order_increment": row["order_increment"],
        "tax_class": row["tax_class"],
        "categories": categories,
        "attributes": row["attribute_summary"],
        "images": row["media"],
        "updated_at": row["updated_at"],
        "variant_attributes": axes,
        "variants": [
            {
                "sku": variant["sku"],
                "name": variant["name"],
                "msrp": variant["msrp"],
                "gtin": variant["gtin"],
                "attributes": {code: variant["attribute_summary"].get(code, []) for code in axes},
                "images": variant["media"],
            }
            for variant in variants
        ],
    }


def product_summary(product: Product) -> dict[str, Any]:
    return {
        "sku": product.sku,
        "kind": product.kind,
        "name": product.name,
        "translations": product.translations,
        "brand": {"code": product.brand.code, "name": product.brand.name} if product.brand else None,
        "gtin": product.gtin,
        "msrp": product.msrp,
        "unit": product.unit,
        "min_order_qty": product.min_order_qty,
        "order_increment": product.order_increment,
        "tax_class": product.tax_class,
        "categories": [link.category.path for link in product.category_links.all()],
        "attributes": product.attribute_summary,
        "images": product.media,
        "updated_at": product.updated_at,
        "variants": [
            {
                "sku": variant.sku,
                "name": variant.name,
                "msrp": variant.msrp,
                "gtin": variant.gtin,
                "attributes": {code: variant.attribute_summary.get(code, []) for code in product.variant_attributes},
                "images": variant.media,
            }
            for variant in product.variants.all()
        ]
        if product.kind == Product.Kind.CONFIGURABLE
        else [],
        "variant_attributes": product.variant_attributes,
    }


def product_detail(viewer: Viewer, sku: str) -> dict[str, Any]:
    """A product page: the product (or a variant, with its parent's SKU), with labelled attributes,
    variants, bundle options, kit components and relations, all restricted to what the viewer sees."""
    visible = viewer.products(include_variants=True)
    product = (
        visible.filter(sku=sku)
        .select_related("brand", "parent")
        .prefetch_related(
            Prefetch(
                "attribute_values",
                queryset=ProductAttributeValue.objects.select_related("attribute", "option").filter(
                    attribute__is_shown_on_product_page=True
                ),
            ),
            Prefetch("category_links", queryset=ProductCategory.objects.select_related("category")),
            Prefetch("variants", queryset=Product.objects.filter(status=Product.Status.ACTIVE).order_by("sku")),
            Prefetch(
                "option_groups",
                queryset=BundleOptionGroup.objects.prefetch_related(Prefetch("options__product", queryset=visible)),
            ),
            Prefetch("components", queryset=KitComponent.objects.filter(product__in=visible).select_related("product")),
            Prefetch(
                "relations",
                queryset=ProductRelation.objects.filter(target__in=visible)
                .select_related("target")
                .order_by("position", "id"),
            ),
        )
        .first()
    )
    if product is None:
        raise NotFound(f"no product '{sku}'")
    data = product_summary(product)
    data.update(
        {
            "description": product.description,
            "mpn": product.mpn,
            "parent_sku": product.parent.sku if product.parent else None,
            "weight_grams": product.weight_grams,
            "dimensions_mm": {"length": product.length_mm, "width": product.width_mm, "height": product.height_mm},
            "is_shippable": product.is_shippable,
            "digital_delivery": product.digital_delivery,
            "attribute_details": _attribute_details(product),
            "bundle": {
                "pricing": product.bundle_pricing,
                "price": product.bundle_price,
                "groups": [
                    {
                        "code": group.code,
                        "name": group.name,
                        "required": group.is_required,
                        "min": group.min_selections,
                        "max": group.max_selections,
                        "options": [
                            {
                                "sku": option.product.sku,
                                "name": option.product.name,
                                "quantity": option.default_quantity,
                                "default": option.is_default,
                            }
                            for option in group.options.all()
                            if option.product is not None
                        ],
                    }
                    for group in product.option_groups.all()
                ],
            }
            if product.kind == Product.Kind.BUNDLE
            else None,
            "components": [
                {"sku": component.product.sku, "name": component.product.name, "quantity": component.quantity}
                for component in product.components.all()
            ],
            "relations": [
                {"kind": relation.kind, "sku": relation.target.sku, "name": relation.target.name}
                for relation in product.relations.all()
            ],
        }
    )
    return data


def _attribute_details(product: Product) -> list[dict[str, Any]]:
    details: dict[str, dict[str, Any]] = {}
    for value in product.attribute_values.all():
        attribute = value.attribute
        entry = details.setdefault(
            attribute.code,
            {
                "code": attribute.code,
                "name": attribute.name,
                "translations": attribute.translations,
                "type": attribute.type,
                "unit": attribute.unit,
                "values": [],
                "labels": [],
                "swatches": [],
                "translated": {},
            },
        )
        if value.locale and value.locale != "en":
            entry["translated"][value.locale] = value.value_text
            continue
        if value.option is not None:
            entry["values"].append(value.option.code)
            entry["labels"].append(value.option.label)
            if value.option.swatch:
                entry["swatches"].append(value.option.swatch)
        else:
            text = product.attribute_summary.get(attribute.code, [""])
            entry["values"] = text
            entry["labels"] = [f"{item} {attribute.unit}".strip() for item in text]
    return list(details.values())


def category_list(
    viewer: Viewer, *, page: int, page_size: int, parent: str | None = None, depth: int | None = None
) -> dict[str, Any]:
    categories = viewer.categories().select_related("parent")
    if parent:
        categories = categories.filter(parent__path=parent)
    if depth is not None:
        categories = categories.filter(depth=depth)
    return paginate(categories, page=page, page_size=page_size, order_by=["path"]).as_dict(category_summary)


def category_summary(category: Category) -> dict[str, Any]:
    return {
        "path": category.path,
        "slug": category.slug,
        "name": category.name,
        "translations": category.translations,
        "parent_path": category.parent.path if category.parent else None,
        "depth": category.depth,
        "position": category.position,
        "description": category.description,
        "seo_title": category.seo_title,
        "seo_description": category.seo_description,
        "image": category.image,
    }


def category_detail(viewer: Viewer, path: str) -> dict[str, Any]:
    category = viewer.categories().select_related("parent").filter(path=path).first()
    if category is None:
        raise NotFound(f"no category '{path}'")
    data = category_summary(category)
    data["children"] = [
        category_summary(child)
        for child in viewer.categories().select_related("parent").filter(parent=category).order_by("position", "path")
    ]
    return data
