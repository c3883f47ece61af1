"""The public read side: product lists and pages, and categories, as a viewer sees them.

A page of products costs a fixed number of queries whatever its size: count, page, variants,
categories (attributes come from the denormalised summary on the product row).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.cache import cache
from django.db.models import F, OuterRef, Prefetch, Q, QuerySet, Subquery

from handel.catalog.media import queries as media_queries
from handel.catalog.media.models import ProductImage
from handel.catalog.media.queries import ProductMediaSummary
from handel.catalog.models import (
    Attribute,
    BundleOption,
    BundleOptionGroup,
    Category,
    KitComponent,
    Product,
    ProductAttributeValue,
    ProductCategory,
    ProductRelation,
)
from handel.catalog.queries import visible_categories, visible_products, visible_skus
from handel.companies import queries as company_queries
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

    def products(self, include_variants: bool = False, check_each: bool = False) -> QuerySet[Product]:
        return visible_products(
            channel_code=self.channel_code,
            customer_group_code=self.customer_group_code,
            assortment_code=self.assortment_code,
            include_variants=include_variants,
            check_each=check_each,
        )

    def categories(self) -> QuerySet[Category]:
        return visible_categories(
            channel_code=self.channel_code,
            customer_group_code=self.customer_group_code,
            assortment_code=self.assortment_code,
        )

    def visible_skus(self, skus: Iterable[str]) -> set[str]:
        """Which of `skus` exist for this viewer (one query)."""
        return visible_skus(
            channel_code=self.channel_code,
            customer_group_code=self.customer_group_code,
            assortment_code=self.assortment_code,
            skus=skus,
        )


def viewer_for(channel_code: str, user: Any) -> Viewer:
    """Who looks at the channel's catalog: every reader (product lists and pages, search, compare,
    wishlists, quick order, reorder, requisition lists) builds its viewer here. A company user sees
    the catalog shared with the company, which replaces the customer group's and the channel's
    default assortment, and the company's customer group; anyone else their own customer group's
    assortment; a guest (None or anonymous) the channel's default."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Viewer(channel_code=channel_code)
    own_group = user.customer_group.code if user.customer_group_id else None
    company = company_queries.viewer_for(user)
    if company is None:
        return Viewer(channel_code=channel_code, customer_group_code=own_group)
    # The company's group follows pricing (active companies only); its shared catalog always
    # applies, so a pending or blocked company never sees more than it was given.
    group = company.customer_group_code if company.company_status == "active" else None
    return Viewer(
        channel_code=channel_code,
        customer_group_code=group or own_group,
        assortment_code=company.assortment_code,
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
    """A page of product summaries in five queries at most: count (cached), page, variants,
    categories, main images. Rows are read as dicts, not model instances: building a few hundred
    instances would dominate the page."""
    if sort not in SORTS:
        raise InvalidInput("unknown sort", errors=[field_error(["query", "sort"], f"one of {', '.join(SORTS)}")])
    filtered = filter_products(viewer.products(), **filters)
    if not 1 <= page_size <= MAX_PAGE_SIZE or page < 1:
        paginate(filtered, page=page, page_size=page_size)  # raises the standard 422
    if sort == "position" and not filters.get("category"):
        raise InvalidInput(
            "sorting by position needs a category", errors=[field_error(["query", "sort"], "give a category")]
        )
    start = (page - 1) * page_size
    # The first pages of the unfiltered list read a few hundred products in index order: checking
    # each against the assortment beats loading the assortment's whole membership first (see
    # visible_products). Filters may match few products far apart: then the planner does better
    # from the filtered set (walking the index with them took seconds on PostgreSQL).
    shallow = start + page_size <= CHECK_EACH_ROWS and not any(filters.values())
    source = filter_products(viewer.products(check_each=True), **filters) if shallow else filtered
    ordered = _ordered(source, sort, filters.get("category"), by_channel_link=shallow)
    rows = list(ordered.values(*LIST_FIELDS)[start : start + page_size])
    result = Page(items=rows, page=page, page_size=page_size, total=cached_count(filtered)).as_dict()
    ids = [row["id"] for row in rows]
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
    if ids:
        for product_id, path in (
            ProductCategory.objects.filter(product_id__in=ids)
            .order_by("rank", "id")
            .values_list("product_id", "category__path")
        ):
            categories.setdefault(product_id, []).append(path)
    images = media_queries.media_for_products(ids) if ids else {}
    result["items"] = [
        _summary_of_row(row, variants.get(row["id"], []), categories.get(row["id"], []), images.get(row["id"]))
        for row in rows
    ]
    return result


# Pages ending within this many products check the assortment product by product.
CHECK_EACH_ROWS = 1000


def _ordered(
    products: QuerySet[Product], sort: str, category: str | None, *, by_channel_link: bool
) -> QuerySet[Product]:
    if sort == "position":
        products = products.annotate(
            position=Subquery(
                ProductCategory.objects.filter(product_id=OuterRef("pk"), category__path=category).values("position")[
                    :1
                ]
            )
        )
    # SKUs are unique, so sorting by SKU needs no tie-breaker; without one, the databases walk an
    # index in order and stop after the page: for the first pages the channel links' (channel, sku)
    # index (the SKU copied there), for deep pages the products' (parent, status, sku) index, which
    # the assortment's membership test (see visible_products) goes with.
    if sort == "sku":
        return products.order_by("channel_links__sku" if by_channel_link else "sku")
    return products.order_by(*SORTS[sort], "pk")


def main_image(summary: ProductMediaSummary | None) -> dict[str, Any] | None:
    """A list's picture of a product: its first gallery image (or its first variant's) at thumbnail
    size, with its alt text; an image without renditions (a reference by URL) as it is."""
    return _thumbnail_of(summary.primary_image) if summary is not None else None


THUMBNAIL = "thumb"


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


def _summary_of_row(
    row: dict[str, Any],
    variants: list[dict[str, Any]],
    categories: list[str],
    media: ProductMediaSummary | None,
) -> dict[str, Any]:
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
        "image": main_image(media),
        "image_count": media.image_count if media else 0,
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
    variants, bundle options, kit components and relations, all restricted to what the viewer sees.

    Visibility is asked once for the product and everything it refers to (`visible_skus`, indexed
    lookups), not by filtering each prefetch by the viewer's whole visible set, which at 100,000
    products costs hundreds of milliseconds per prefetch."""
    if "\x00" in sku:
        raise NotFound(f"no product '{sku}'")
    product = (
        Product.objects.filter(sku=sku)
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
                queryset=BundleOptionGroup.objects.prefetch_related(
                    Prefetch("options", queryset=BundleOption.objects.select_related("product"))
                ),
            ),
            Prefetch("components", queryset=KitComponent.objects.select_related("product")),
            Prefetch("relations", queryset=ProductRelation.objects.select_related("target").order_by("position", "id")),
        )
        .first()
    )
    if product is None:
        raise NotFound(f"no product '{sku}'")
    referenced = [option.product.sku for group in product.option_groups.all() for option in group.options.all()]
    referenced += [component.product.sku for component in product.components.all()]
    referenced += [relation.target.sku for relation in product.relations.all()]
    allowed = viewer.visible_skus([sku, *referenced])
    if sku not in allowed:
        raise NotFound(f"no product '{sku}'")
    data = product_summary(product)
    gallery = gallery_of(product)
    data.update(
        {
            "image": _thumbnail_of(gallery[0]) if gallery else None,
            "image_count": len(gallery),
            "gallery": gallery,
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
                            if option.product.sku in allowed
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
                if component.product.sku in allowed
            ],
            "relations": [
                {"kind": relation.kind, "sku": relation.target.sku, "name": relation.target.name}
                for relation in product.relations.all()
                if relation.target.sku in allowed
            ],
        }
    )
    return data


def gallery_of(product: Product) -> list[dict[str, Any]]:
    """The product's gallery images (with alt texts and rendition URLs), then, for a configurable,
    its active variants' own images marked with their SKU. One query."""
    owners = Q(product_id=product.pk)
    if product.kind == Product.Kind.CONFIGURABLE:
        owners |= Q(product__parent_id=product.pk, product__status=Product.Status.ACTIVE)
    own: list[dict[str, Any]] = []
    of_variants: list[dict[str, Any]] = []
    for product_id, variant_sku, public_id, file, url, alt_text, translations, width, height, renditions in (
        ProductImage.objects.filter(owners, spin_set__isnull=True)
        .order_by("position", "id")
        .values_list(
            "product_id",
            "product__sku",
            "public_id",
            "file",
            "external_url",
            "alt_text",
            "translations",
            "width",
            "height",
            "renditions",
        )
    ):
        is_own = product_id == product.pk
        (own if is_own else of_variants).append(
            media_queries.image_out(
                public_id=public_id,
                file=file,
                external_url=url,
                alt_text=alt_text,
                translations=translations,
                width=width,
                height=height,
                renditions=renditions,
                variant_sku=None if is_own else variant_sku,
            )
        )
    return own + of_variants


def _thumbnail_of(image: dict[str, Any]) -> dict[str, Any]:
    thumbnail = image["renditions"].get(THUMBNAIL) or {}
    return {
        "url": thumbnail.get("url") or image["url"],
        "width": thumbnail.get("width", image["width"]),
        "height": thumbnail.get("height", image["height"]),
        "alt_text": image["alt_text"],
        "alt_text_nl": image["alt_text_nl"],
    }


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
