"""Read side of the catalog: facts about SKUs for other domains, and what a viewer may see.

A viewer is a channel plus, optionally, a customer group (and later a company, which passes the
code of the assortment it was given as `assortment_code`). What is outside the viewer's channel
visibility, status or assortment does not exist for that viewer.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.cache import cache
from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce

from handel.catalog.models import Assortment, Category, KitComponent, Product, ProductCategory
from handel.catalog.types import AssortmentScope, ProductFacts
from handel.channels.queries import get_channel

ASSORTMENTS_CACHE_KEY = "catalog:assortments:v1"


def product_facts(skus: Iterable[str]) -> dict[str, ProductFacts]:
    """Facts for every known SKU among `skus` (unknown ones are absent), in two queries. A variant
    inherits brand, categories and attributes from its configurable parent; its own values win."""
    wanted = list(dict.fromkeys(skus))
    if not wanted:
        return {}
    products = list(
        Product.objects.filter(sku__in=wanted)
        .select_related("brand", "parent__brand")
        .only(
            "id",
            "sku",
            "kind",
            "name",
            "tax_class",
            "cost_price",
            "msrp",
            "weight_grams",
            "min_order_qty",
            "order_increment",
            "status",
            "attribute_summary",
            "brand__code",
            "parent__id",
            "parent__sku",
            "parent__attribute_summary",
            "parent__brand__code",
        )
    )
    owner_ids = {product.parent_id or product.id for product in products}
    paths_by_product: dict[int, set[str]] = {}
    for product_id, path in ProductCategory.objects.filter(product_id__in=owner_ids).values_list(
        "product_id", "category__path"
    ):
        paths_by_product.setdefault(product_id, set()).update(with_ancestors(path))
    facts = {}
    for product in products:
        parent = product.parent
        attributes = dict(parent.attribute_summary) if parent else {}
        attributes.update(product.attribute_summary)
        brand = product.brand or (parent.brand if parent else None)
        facts[product.sku] = ProductFacts(
            sku=product.sku,
            product_id=product.id,
            parent_sku=parent.sku if parent else None,
            kind=product.kind,
            name=product.name,
            brand=brand.code if brand else None,
            category_paths=tuple(sorted(paths_by_product.get(product.parent_id or product.id, ()))),
            attributes={code: tuple(values) for code, values in attributes.items()},
            tax_class=product.tax_class,
            cost_price=product.cost_price,
            msrp=product.msrp,
            weight_grams=product.weight_grams,
            is_shippable=product.kind != Product.Kind.VIRTUAL,
            min_order_qty=product.min_order_qty,
            order_increment=product.order_increment,
            status=product.status,
        )
    return facts


def with_ancestors(path: str) -> list[str]:
    parts = path.split("/")
    return ["/".join(parts[: index + 1]) for index in range(len(parts))]


def assortment_scopes() -> list[AssortmentScope]:
    scopes = cache.get(ASSORTMENTS_CACHE_KEY)
    if scopes is None:
        scopes = []
        for assortment in Assortment.objects.select_related("channel", "customer_group").prefetch_related("categories"):
            paths = tuple(sorted(category.path for category in assortment.categories.all()))
            scopes.append(
                AssortmentScope(
                    id=assortment.id,
                    code=assortment.code,
                    channel_code=assortment.channel.code if assortment.channel else None,
                    is_channel_default=assortment.is_channel_default,
                    customer_group_code=assortment.customer_group.code if assortment.customer_group else None,
                    category_paths=paths,
                    category_ids=tuple(Category.objects.filter(_subtree_filter(paths)).values_list("id", flat=True))
                    if paths
                    else (),
                )
            )
        cache.set(ASSORTMENTS_CACHE_KEY, scopes, timeout=300)
    return scopes


def forget_cached_assortments() -> None:
    cache.delete(ASSORTMENTS_CACHE_KEY)


def assortment_for(
    *, channel_code: str, customer_group_code: str | None = None, assortment_code: str | None = None
) -> AssortmentScope | None:
    """The assortment a viewer sees: an explicitly given one (a company's, later), else the customer
    group's (for this channel, or for any channel), else the channel's default; None = whole catalog."""
    scopes = assortment_scopes()
    if assortment_code:
        return next((scope for scope in scopes if scope.code == assortment_code), None) or _NOTHING
    if customer_group_code:
        for channel in (channel_code, None):
            for scope in scopes:
                if scope.customer_group_code == customer_group_code and scope.channel_code == channel:
                    return scope
    return next((scope for scope in scopes if scope.is_channel_default and scope.channel_code == channel_code), None)


# An unknown explicit assortment shows nothing rather than everything.
_NOTHING = AssortmentScope(
    id=0, code="", channel_code=None, is_channel_default=False, customer_group_code=None, category_paths=()
)


def _subtree_filter(paths: Iterable[str], field: str = "path") -> Q:
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(**{field: path}) | Q(**{f"{field}__startswith": path + "/"})
    return condition


def visible_products(
    *,
    channel_code: str,
    customer_group_code: str | None = None,
    assortment_code: str | None = None,
    include_variants: bool = False,
) -> QuerySet[Product]:
    """Active products visible in the channel and inside the viewer's assortment. Top-level products
    (not variants) unless `include_variants`; a variant is visible when its parent is."""
    channel = get_channel(channel_code)
    if channel is None:
        return Product.objects.none()
    # A join on the channel links (unique per product and channel) and the assortment's category ids
    # resolved in advance, so that lists walk the (parent, status, sku) index in order.
    top_level = Product.objects.filter(
        status=Product.Status.ACTIVE,
        parent__isnull=True,
        channel_links__channel_id=channel.id,
    )
    scope = assortment_for(
        channel_code=channel_code, customer_group_code=customer_group_code, assortment_code=assortment_code
    )
    if scope is not None:
        in_categories = ProductCategory.objects.filter(category_id__in=scope.category_ids).values("product_id")
        in_products = Assortment.products.through.objects.filter(assortment_id=scope.id).values("product_id")
        top_level = top_level.filter(Q(id__in=in_categories) | Q(id__in=in_products))
    if not include_variants:
        return top_level
    return Product.objects.filter(
        Q(id__in=top_level.values("id")) | Q(status=Product.Status.ACTIVE, parent_id__in=top_level.values("id"))
    )


def visible_skus(
    *, channel_code: str, customer_group_code: str | None, skus: Iterable[str], assortment_code: str | None = None
) -> set[str]:
    """Which of these SKUs the viewer may see (variants through their parent), in two queries."""
    wanted = list(dict.fromkeys(skus))
    if not wanted:
        return set()
    rows = list(
        Product.objects.filter(sku__in=wanted, status=Product.Status.ACTIVE).values_list("sku", "id", "parent_id")
    )
    owners = {parent_id or product_id for _, product_id, parent_id in rows}
    visible_owners = set(
        visible_products(
            channel_code=channel_code, customer_group_code=customer_group_code, assortment_code=assortment_code
        )
        .filter(id__in=owners)
        .values_list("id", flat=True)
    )
    return {sku for sku, product_id, parent_id in rows if (parent_id or product_id) in visible_owners}


def visible_categories(
    *, channel_code: str, customer_group_code: str | None = None, assortment_code: str | None = None
) -> QuerySet[Category]:
    """Active categories; inside an assortment only its category subtrees and their ancestors."""
    categories = Category.objects.filter(is_active=True)
    scope = assortment_for(
        channel_code=channel_code, customer_group_code=customer_group_code, assortment_code=assortment_code
    )
    if scope is None:
        return categories
    ancestors = {ancestor for path in scope.category_paths for ancestor in with_ancestors(path)}
    return categories.filter(_subtree_filter(scope.category_paths) | Q(path__in=ancestors))


def facet_counts(products: QuerySet[Product], attribute_codes: Iterable[str]) -> dict[str, dict[str, int]]:
    """How many of `products` carry each option (or yes/no value) of these attributes, in one
    grouped query over the typed value table. A configurable counts once for the options of its
    variants too."""
    from django.db.models import Count

    from handel.catalog.models import ProductAttributeValue

    codes = list(attribute_codes)
    ids = products.values("id")
    rows = (
        ProductAttributeValue.objects.filter(attribute__code__in=codes)
        .filter(Q(product_id__in=ids) | Q(product__parent_id__in=ids))
        .annotate(owner=Coalesce("product__parent_id", "product_id"))
        .values("attribute__code", "option__code", "value_boolean")
        .annotate(count=Count("owner", distinct=True))
    )
    facets: dict[str, dict[str, int]] = {code: {} for code in codes}
    for row in rows:
        value = (
            row["option__code"]
            if row["option__code"] is not None
            else (None if row["value_boolean"] is None else ("true" if row["value_boolean"] else "false"))
        )
        if value is not None:
            facets[row["attribute__code"]][value] = row["count"]
    return facets


def stock_structure(skus: Iterable[str]) -> tuple[frozenset[str], dict[str, tuple[tuple[str, int], ...]]]:
    """Of these SKUs, the virtual ones (nothing is stocked) and the kits with their components
    (sku, quantity per kit): what inventory needs to tell a kit's or a download's availability.
    One query, two when kits are among them."""
    wanted = list(skus)
    if not wanted:
        return frozenset(), {}
    # A plain cursor: inventory asks this for 1,000 SKUs inside its 20 ms availability budget,
    # and the ORM's per-parameter work would take a third of it. PostgreSQL gets one array
    # parameter (a semi-join the planner estimates well); SQLite a plain IN list.
    if connection.vendor == "postgresql":
        in_skus, params = "sku IN (SELECT unnest(%s::varchar[]))", [wanted]
    else:
        in_skus, params = f"sku IN ({', '.join(['%s'] * len(wanted))})", wanted
    table = connection.ops.quote_name(Product._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, sku, kind FROM {table} WHERE kind IN (%s, %s) AND {in_skus}",  # noqa: S608
            [Product.Kind.VIRTUAL.value, Product.Kind.KIT.value, *params],
        )
        rows = cursor.fetchall()
    virtual = frozenset(sku for _, sku, kind in rows if kind == Product.Kind.VIRTUAL)
    kit_ids = {product_id: sku for product_id, sku, kind in rows if kind == Product.Kind.KIT}
    kits: dict[str, list[tuple[str, int]]] = {sku: [] for sku in kit_ids.values()}
    if kit_ids:
        for kit_id, component_sku, quantity in KitComponent.objects.filter(kit_id__in=kit_ids).values_list(
            "kit_id", "product__sku", "quantity"
        ):
            kits[kit_ids[kit_id]].append((component_sku, quantity))
    return virtual, {sku: tuple(components) for sku, components in kits.items() if components}
