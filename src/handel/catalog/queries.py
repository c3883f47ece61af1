"""Read side of the catalog: facts about SKUs for other domains, and what a viewer may see.

A viewer is a channel plus, optionally, a customer group (and later a company, which passes the
code of the assortment it was given as `assortment_code`). What is outside the viewer's channel
visibility, status or assortment does not exist for that viewer.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.db.models.lookups import IsNull

from handel.catalog.models import (
    Assortment,
    Attribute,
    AttributeOption,
    BundleOption,
    Category,
    KitComponent,
    Product,
    ProductAttributeValue,
    ProductCategory,
    ProductChannel,
)
from handel.catalog.records import VALUE_COLUMNS
from handel.catalog.types import AssortmentScope, ProductFacts
from handel.channels.queries import get_channel
from handel.core.sql import among, values_subquery

ASSORTMENTS_CACHE_KEY = "catalog:assortments:v1"


# The revision (handel.core.revisions) that every write changing `product_facts`' answers changes:
# its triggers are made by migration 0003_facts_revision.
FACTS_REVISION = "catalog.facts"
PRODUCT_FACT_COLUMNS = (
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
    "bundle_pricing",
    "attribute_summary",
    "brand__code",
    "parent_id",
    "parent__sku",
    "parent__attribute_summary",
    "parent__brand__code",
)


def product_facts(skus: Iterable[str]) -> dict[str, ProductFacts]:
    """Facts for every known SKU among `skus` (unknown ones are absent), in two queries. A variant
    inherits brand, categories and attributes from its configurable parent; its own values win.

    Plain rows, not model instances: pricing asks this for 1,000 SKUs at a time (a listing, a
    search index batch), where making the instances took 60% of the time (28 ms, now 11 ms)."""
    wanted = list(dict.fromkeys(skus))
    if not wanted:
        return {}
    rows = list(Product.objects.filter(sku__in=among(wanted, db_type="varchar")).values_list(*PRODUCT_FACT_COLUMNS))
    if not rows:
        return {}
    owner_ids = {row[14] or row[0] for row in rows}
    paths_by_product: dict[int, set[str]] = {}
    for product_id, path in (
        ProductCategory.objects.filter(product_id__in=among(owner_ids))
        .order_by()
        .values_list("product_id", "category__path")
    ):
        paths_by_product.setdefault(product_id, set()).update(with_ancestors(path))
    category_paths: dict[int, tuple[str, ...]] = {
        product_id: tuple(sorted(paths)) for product_id, paths in paths_by_product.items()
    }
    bundle = Product.Kind.BUNDLE.value
    virtual = Product.Kind.VIRTUAL.value
    defaults = _default_components([row[0] for row in rows if row[2] == bundle and row[11] == "dynamic"])
    facts = {}
    for (
        product_id,
        sku,
        kind,
        name,
        tax_class,
        cost_price,
        msrp,
        weight_grams,
        min_order_qty,
        order_increment,
        status,
        bundle_pricing,
        summary,
        brand,
        parent_id,
        parent_sku,
        parent_summary,
        parent_brand,
    ) in rows:
        if parent_id is not None:
            attributes = dict(parent_summary)
            attributes.update(summary)
        else:
            attributes = summary
        facts[sku] = ProductFacts(
            sku=sku,
            product_id=product_id,
            parent_sku=parent_sku,
            kind=kind,
            name=name,
            brand=brand if brand is not None else parent_brand,
            category_paths=category_paths.get(parent_id or product_id, ()),
            attributes={code: tuple(values) for code, values in attributes.items()},
            tax_class=tax_class,
            cost_price=cost_price,
            msrp=msrp,
            weight_grams=weight_grams,
            is_shippable=kind != virtual,
            min_order_qty=min_order_qty,
            order_increment=order_increment,
            status=status,
            bundle_pricing=bundle_pricing if kind == bundle else "",
            default_components=defaults.get(product_id, ()),
        )
    return facts


def _default_components(bundle_ids: list[int]) -> dict[int, tuple[tuple[str, int], ...]]:
    """The preselected options of these dynamic bundles, for those whose every required group has
    one (one query, only when there are such bundles)."""
    if not bundle_ids:
        return {}
    chosen: dict[int, list[tuple[str, int]]] = {}
    required: dict[int, set[int]] = {}
    preselected: dict[int, set[int]] = {}
    for bundle_id, group_id, is_required, sku, quantity, is_default in (
        BundleOption.objects.filter(group__bundle_id__in=bundle_ids)
        .order_by("group__bundle_id", "group__position", "group_id", "position", "id")
        .values_list(
            "group__bundle_id", "group_id", "group__is_required", "product__sku", "default_quantity", "is_default"
        )
    ):
        if is_required:
            required.setdefault(bundle_id, set()).add(group_id)
        if is_default:
            chosen.setdefault(bundle_id, []).append((sku, quantity))
            preselected.setdefault(bundle_id, set()).add(group_id)
    return {
        bundle_id: tuple(found)
        for bundle_id, found in chosen.items()
        if required.get(bundle_id, set()) <= preselected[bundle_id]
    }


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
    check_each: bool = False,
) -> QuerySet[Product]:
    """Active products visible in the channel and inside the viewer's assortment. Top-level products
    (not variants) unless `include_variants`; a variant is visible when its parent is.

    `check_each` is for reading the first few hundred products of a channel in SKU order (ordered by
    `channel_links__sku`): the assortment is tested product by product (an index probe per product
    read) instead of against its whole membership, which PostgreSQL hashes first (~30,000 rows at
    100,000 products), and top-level products are told by their kind, so that SQLite walks the
    channel's (channel, sku) index rather than the products' (parent, status, sku) index, whose
    statistics make a NULL parent look rare. Far dearer for counts and deep pages."""
    channel = get_channel(channel_code)
    if channel is None:
        return Product.objects.none()
    # A join on the channel links (unique per product and channel) and the assortment's category ids
    # resolved in advance, so that lists walk the (parent, status, sku) index in order.
    # Only variants have a parent (checked on every write).
    is_top_level = ~Q(kind=Product.Kind.VARIANT) if check_each else Q(parent__isnull=True)
    top_level = Product.objects.filter(
        is_top_level,
        status=Product.Status.ACTIVE,
        channel_links__channel_id=channel.id,
    )
    scope = assortment_for(
        channel_code=channel_code, customer_group_code=customer_group_code, assortment_code=assortment_code
    )
    if scope is not None:
        in_products = Assortment.products.through.objects.filter(assortment_id=scope.id).values("product_id")
        if check_each:
            # A scalar subquery, which PostgreSQL runs per row (an EXISTS it would turn into a hash).
            first_link = ProductCategory.objects.filter(
                product_id=OuterRef("pk"), category_id__in=scope.category_ids
            ).order_by()
            in_scope = IsNull(Subquery(first_link.values("pk")[:1]), False) | Q(id__in=in_products)
        else:
            in_categories = ProductCategory.objects.filter(category_id__in=scope.category_ids).values("product_id")
            in_scope = Q(id__in=in_categories) | Q(id__in=in_products)
        top_level = top_level.filter(in_scope)
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
    # A handful of ids: the assortment is probed per product (check_each) rather than hashed whole,
    # which on PostgreSQL cost a product page tens of milliseconds at 100,000 products.
    visible_owners = set(
        visible_products(
            channel_code=channel_code,
            customer_group_code=customer_group_code,
            assortment_code=assortment_code,
            check_each=True,
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
    # and the ORM's per-parameter work would take a third of it. The SKUs go as one parameter.
    in_skus, params = values_subquery(wanted, db_type="varchar")
    table = connection.ops.quote_name(Product._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, sku, kind FROM {table} WHERE kind IN (%s, %s) AND sku IN ({in_skus})",  # noqa: S608
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


# -- bulk reads for the search index -------------------------------------------------------------------
# Plain rows (tuples of column values), a few queries per batch of products: the search index reads
# 100,000 products at thousands per second.

INDEXED_PRODUCT_COLUMNS = (
    "id",
    "sku",
    "name",
    "description",
    "translations",
    "mpn",
    "gtin",
    "media",
    "created_at",
    "brand__code",
    "brand__name",
)


def top_level_product_ids(product_ids: Iterable[int]) -> list[int]:
    """The top-level products of these products (a variant's is its parent), sorted."""
    rows = Product.objects.filter(pk__in=set(product_ids)).values_list("pk", "parent_id")
    return sorted({parent_id or product_id for product_id, parent_id in rows})


def top_level_product_ids_for_skus(skus: Iterable[str]) -> list[int]:
    return top_level_product_ids(Product.objects.filter(sku__in=list(skus)).values_list("pk", flat=True))


def top_level_product_ids_in_category(path: str) -> list[int]:
    """Top-level products linked to the category or one below it."""
    links = ProductCategory.objects.filter(Q(category__path=path) | Q(category__path__startswith=path + "/"))
    return top_level_product_ids(links.values_list("product_id", flat=True))


def all_top_level_product_ids() -> list[int]:
    return list(Product.objects.filter(parent__isnull=True).order_by("pk").values_list("pk", flat=True))


def existing_skus(skus: Iterable[str]) -> set[str]:
    return set(Product.objects.filter(sku__in=list(skus)).values_list("sku", flat=True))


def owner_skus(skus: Iterable[str]) -> dict[str, str]:
    """Each known SKU's top-level SKU (a variant's parent, else itself)."""
    return {
        sku: parent_sku or sku
        for sku, parent_sku in Product.objects.filter(sku__in=list(skus)).values_list("sku", "parent__sku")
    }


def active_category_rows() -> list[tuple[int, str, str, dict[str, Any]]]:
    """(id, path, name, translations) of every active category."""
    return list(Category.objects.filter(is_active=True).values_list("id", "path", "name", "translations"))


def filterable_attribute_rows() -> list[tuple[str, str, dict[str, Any], list[tuple[str, str, dict[str, Any]]]]]:
    """(code, name, translations, [(option code, label, translations)]) of every filterable attribute."""
    return [
        (
            attribute.code,
            attribute.name,
            attribute.translations,
            [(option.code, option.label, option.translations) for option in attribute.options.all()],
        )
        for attribute in Attribute.objects.filter(is_filterable=True).prefetch_related("options")
    ]


def active_top_level_rows(product_ids: Sequence[int]) -> list[tuple[Any, ...]]:
    """INDEXED_PRODUCT_COLUMNS of the active top-level products among these, by id."""
    return list(
        Product.objects.filter(pk__in=among(product_ids), parent__isnull=True, status=Product.Status.ACTIVE)
        .order_by("pk")
        .values_list(*INDEXED_PRODUCT_COLUMNS)
    )


def active_variant_rows(parent_ids: Sequence[int]) -> list[tuple[int, int, str, str, str]]:
    """(id, parent id, sku, mpn, gtin) of the active variants of these products, by SKU."""
    return list(
        Product.objects.filter(parent_id__in=among(parent_ids), status=Product.Status.ACTIVE)
        .order_by("sku")
        .values_list("id", "parent_id", "sku", "mpn", "gtin")
    )


def channel_links(product_ids: Sequence[int]) -> list[tuple[int, int]]:
    """(product id, channel id) of the channels these products are visible in."""
    return list(
        ProductChannel.objects.filter(product_id__in=among(product_ids)).values_list("product_id", "channel_id")
    )


def category_links(product_ids: Sequence[int]) -> list[tuple[int, int]]:
    """(product id, category id) of these products' categories."""
    return list(
        ProductCategory.objects.filter(product_id__in=among(product_ids))
        .order_by()
        .values_list("product_id", "category_id")
    )


def assortment_links(product_ids: Sequence[int]) -> list[tuple[int, int]]:
    """(product id, assortment id) of the assortments that list these products explicitly."""
    return list(
        Assortment.products.through.objects.filter(product_id__in=among(product_ids)).values_list(
            "product_id", "assortment_id"
        )
    )


def indexed_attribute_rows() -> list[tuple[int, str, str, bool, bool, bool, str, dict[str, Any]]]:
    """(id, code, type, is searchable, is filterable, is translatable, name, translations) of the
    attributes the search index reads: the searchable and the filterable ones."""
    return list(
        Attribute.objects.filter(Q(is_searchable=True) | Q(is_filterable=True))
        .order_by("id")
        .values_list("id", "code", "type", "is_searchable", "is_filterable", "is_translatable", "name", "translations")
    )


def attribute_option_rows(option_ids: Sequence[int]) -> list[tuple[int, str, str, dict[str, Any]]]:
    """(id, code, label, translations) of these attribute options."""
    options = AttributeOption.objects.filter(id__in=among(option_ids))
    return list(options.order_by("id").values_list("id", "code", "label", "translations"))


def indexed_value_rows(product_ids: Sequence[int], attribute_ids: Sequence[int]) -> list[tuple[Any, ...]]:
    """VALUE_COLUMNS (records.py) of these products' values of these attributes, by product, attribute,
    language and position. A row names its attribute and option by id: their codes, names and
    translations are read once per indexing run (`indexed_attribute_rows`) or as values name them
    (`attribute_option_rows`)."""
    return list(
        ProductAttributeValue.objects.filter(product_id__in=among(product_ids), attribute_id__in=list(attribute_ids))
        .order_by("product_id", "attribute_id", "locale", "position")
        .values_list(*VALUE_COLUMNS)
    )
