"""Building search documents from the catalog, the price engine and inventory.

The catalog's public read side has no bulk "everything search needs" query yet, so this module
reads the catalog's product tables directly, read-only; it never writes them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, models, transaction
from django.db.models import F, Q

from handel.catalog import queries as catalog_queries
from handel.catalog.models import (
    Assortment,
    Attribute,
    Category,
    Product,
    ProductAttributeValue,
    ProductCategory,
    ProductChannel,
)
from handel.channels.models import Channel
from handel.channels.queries import active_channels
from handel.inventory import queries as inventory_queries
from handel.pricing import queries as pricing_queries
from handel.pricing.engine.prices import price_items
from handel.search import text
from handel.search.backends import backend
from handel.search.models import SearchDocument, SearchIndexState

BATCH_SIZE = 1000
# The best availability among a configurable product's variants is the product's.
AVAILABILITY_ORDER = ["in_stock", "low_stock", "preorder", "backorder", "out_of_stock"]
NUMERIC_TYPES = {"integer", "decimal"}


@dataclass(frozen=True)
class ChannelLocale:
    channel: Channel
    locale: str


def channel_locales() -> list[ChannelLocale]:
    found = []
    for channel in sorted(active_channels().values(), key=lambda channel: channel.code):
        for locale in dict.fromkeys([channel.default_locale, *(channel.locales or [])]):
            found.append(ChannelLocale(channel, locale))
    return found


def _translated(translations: dict[str, Any], locale: str, key: str, default: str) -> str:
    value = (translations or {}).get(locale, {}).get(key) if isinstance(translations, dict) else None
    return str(value) if value else default


class CatalogSnapshot:
    """Categories and assortments, loaded once per indexing run."""

    def __init__(self) -> None:
        self.categories = {category.path: category for category in Category.objects.filter(is_active=True)}
        self.paths_by_id = {category.pk: category.path for category in self.categories.values()}
        self.assortments = catalog_queries.assortment_scopes()

    def category_name(self, path: str, locale: str) -> str:
        category = self.categories.get(path)
        return _translated(category.translations, locale, "name", category.name) if category else ""


def _top_level_ids(product_ids: Iterable[int]) -> list[int]:
    ids = set(product_ids)
    rows = Product.objects.filter(pk__in=ids).values_list("pk", "parent_id")
    return sorted({parent_id or product_id for product_id, parent_id in rows})


def product_ids_for_skus(skus: Iterable[str]) -> list[int]:
    return _top_level_ids(Product.objects.filter(sku__in=list(skus)).values_list("pk", flat=True))


def existing_skus(skus: Iterable[str]) -> set[str]:
    return set(Product.objects.filter(sku__in=list(skus)).values_list("sku", flat=True))


def product_ids_in_categories(path: str) -> list[int]:
    links = ProductCategory.objects.filter(Q(category__path=path) | Q(category__path__startswith=path + "/"))
    return _top_level_ids(links.values_list("product_id", flat=True))


def all_product_ids() -> list[int]:
    return list(Product.objects.filter(parent__isnull=True).order_by("pk").values_list("pk", flat=True))


@dataclass(slots=True)
class ProductRow:
    id: int
    sku: str
    name: str
    description: str
    translations: dict[str, Any]
    mpn: str
    gtin: str
    media: list[Any]
    created_at: Any
    brand_code: str
    brand_name: str
    channel_ids: set[int]


@dataclass(slots=True)
class ValueRow:
    code: str
    type: str
    is_searchable: bool
    is_filterable: bool
    is_translatable: bool
    locale: str
    option_code: str | None
    option_label: str
    option_translations: dict[str, Any]
    value_text: str
    value_integer: int | None
    value_decimal: Decimal | None
    value_boolean: bool | None
    value_date: Any


def _load_products(
    product_ids: Sequence[int],
) -> tuple[list[ProductRow], dict[int, list[tuple[str, str, str]]], dict[int, int]]:
    channels: dict[int, set[int]] = defaultdict(set)
    for product_id, channel_id in ProductChannel.objects.filter(product_id__in=product_ids).values_list(
        "product_id", "channel_id"
    ):
        channels[product_id].add(channel_id)
    products = [
        ProductRow(*row[:10], row[10] or "", channels.get(row[0], set()))
        for row in Product.objects.filter(pk__in=product_ids, parent__isnull=True, status=Product.Status.ACTIVE)
        .order_by("pk")
        .values_list(
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
    ]
    for product in products:
        product.brand_code = product.brand_code or ""
    variants: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
    owners = {product.id: product.id for product in products}
    for variant_id, parent_id, sku, mpn, gtin in (
        Product.objects.filter(parent_id__in=[p.id for p in products], status=Product.Status.ACTIVE)
        .order_by("sku")
        .values_list("id", "parent_id", "sku", "mpn", "gtin")
    ):
        variants[parent_id].append((sku, mpn, gtin))
        owners[variant_id] = parent_id
    return products, variants, owners


def _attribute_rows(owners: Mapping[int, int]) -> dict[int, list[ValueRow]]:
    """Searchable and filterable values of products and variants, under their owner (the top-level
    product), by an indexed `product_id IN (...)` look-up."""
    rows: dict[int, list[ValueRow]] = defaultdict(list)
    values = (
        ProductAttributeValue.objects.filter(product_id__in=list(owners))
        .filter(Q(attribute__is_searchable=True) | Q(attribute__is_filterable=True))
        .values_list(
            "product_id",
            "attribute__code",
            "attribute__type",
            "attribute__is_searchable",
            "attribute__is_filterable",
            "attribute__is_translatable",
            "locale",
            "option__code",
            "option__label",
            "option__translations",
            "value_text",
            "value_integer",
            "value_decimal",
            "value_boolean",
            "value_date",
        )
    )
    for product_id, *fields in values:
        fields[7] = fields[7] or ""
        fields[8] = fields[8] or {}
        rows[owners[product_id]].append(ValueRow(*fields))
    return rows


def _value_label(value: ValueRow, locale: str) -> str:
    if value.option_code is not None:
        return _translated(value.option_translations, locale, "label", value.option_label)
    if value.value_text:
        return value.value_text
    for typed in (value.value_integer, value.value_decimal, value.value_date):
        if typed is not None:
            return str(typed)
    return ""


def _facet_value(value: ValueRow) -> str | None:
    if value.option_code is not None:
        return value.option_code
    if value.value_boolean is not None:
        return "yes" if value.value_boolean else "no"
    if value.value_text and not value.is_translatable:
        return value.value_text[:100]
    return None


def _numeric_value(value: ValueRow) -> float | None:
    # Floats only order and bucket measurements (watts, millimetres) for facets; money never goes here.
    if value.value_integer is not None:
        return float(value.value_integer)
    if value.value_decimal is not None:
        return float(value.value_decimal)
    return None


def _assortment_ids(
    product_id: int, paths: Sequence[str], explicit: dict[int, set[int]], snapshot: CatalogSnapshot
) -> list[int]:
    found = set(explicit.get(product_id, ()))
    path_set = set(paths)  # paths include their ancestors, so a subtree test is a set look-up
    for scope in snapshot.assortments:
        if any(root in path_set for root in scope.category_paths):
            found.add(scope.id)
    return sorted(found)


def _prices(channel: Channel, skus: list[str]) -> dict[str, Decimal]:
    if not skus:
        return {}
    context = pricing_queries.load_pricing_context(channel=channel, skus=skus)
    return {
        result.sku: result.unit_display for result in price_items(context, [(sku, 1) for sku in skus]) if result.found
    }


def _best(states: Iterable[str]) -> str:
    ranked = [state for state in states if state in AVAILABILITY_ORDER]
    return min(ranked, key=AVAILABILITY_ORDER.index) if ranked else "out_of_stock"


def build_documents(
    product_ids: Sequence[int], snapshot: CatalogSnapshot, targets: Sequence[ChannelLocale]
) -> list[SearchDocument]:
    products, variants, owners = _load_products(product_ids)
    ids = [product.id for product in products]
    attributes = _attribute_rows(owners)
    paths: dict[int, set[str]] = defaultdict(set)
    for product_id, category_id in ProductCategory.objects.filter(product_id__in=ids).values_list(
        "product_id", "category_id"
    ):
        path = snapshot.paths_by_id.get(category_id)
        if path is not None:
            paths[product_id].update(catalog_queries.with_ancestors(path))
    explicit: dict[int, set[int]] = defaultdict(set)
    for product_id, assortment_id in Assortment.products.through.objects.filter(product_id__in=ids).values_list(
        "product_id", "assortment_id"
    ):
        explicit[product_id].add(assortment_id)
    documents = []
    by_channel: dict[int, list[ChannelLocale]] = defaultdict(list)
    for target in targets:
        by_channel[target.channel.pk].append(target)
    for channel_targets in by_channel.values():
        channel = channel_targets[0].channel
        in_channel = [p for p in products if channel.pk in p.channel_ids]
        skus = [p.sku for p in in_channel] + [v[0] for p in in_channel for v in variants.get(p.id, ())]
        prices = _prices(channel, skus)
        availability = {
            sku: item.state for sku, item in inventory_queries.availability(skus, channel_code=channel.code).items()
        }
        for product in in_channel:
            family = variants.get(product.id, [])
            family_prices = [prices[v[0]] for v in family if v[0] in prices]
            price = prices.get(product.sku, min(family_prices) if family_prices else None)
            state = _best(availability.get(sku, "") for sku in ([v[0] for v in family] or [product.sku]))
            product_paths = sorted(paths.get(product.id, ()))
            assortment_ids = _assortment_ids(product.id, product_paths, explicit, snapshot)
            for target in channel_targets:
                documents.append(
                    _document(
                        product,
                        family,
                        target,
                        attributes.get(product.id, []),
                        product_paths,
                        assortment_ids,
                        snapshot,
                        price,
                        state,
                    )
                )
    return documents


def _document(
    product: ProductRow,
    family: list[tuple[str, str, str]],
    target: ChannelLocale,
    values: list[ValueRow],
    paths: list[str],
    assortment_ids: list[int],
    snapshot: CatalogSnapshot,
    price: Decimal | None,
    availability: str,
) -> SearchDocument:
    locale = target.locale
    name = _translated(product.translations, locale, "name", product.name)
    description = _translated(product.translations, locale, "description", product.description)
    identifiers = [product.sku, product.mpn, product.gtin]
    for variant in family:
        identifiers += list(variant)
    identifiers = [value for value in identifiers if value]
    category_names = [snapshot.category_name(path, locale) for path in paths]
    searchable: list[str] = []
    facets: dict[str, set[str]] = defaultdict(set)
    numbers: dict[str, float] = {}
    for value in values:
        if value.locale and value.locale != locale:
            continue
        if value.is_searchable:
            searchable.append(_value_label(value, locale))
        if value.is_filterable:
            if value.type in NUMERIC_TYPES:
                number = _numeric_value(value)
                if number is not None:
                    numbers.setdefault(value.code, number)
            else:
                facet = _facet_value(value)
                if facet is not None:
                    facets[value.code].add(facet)
    name_terms = text.terms(name, locale)
    strong = dict.fromkeys(name_terms)
    for source in [*identifiers, product.brand_name, *category_names]:
        strong.update(dict.fromkeys(text.terms(source, locale)))
    weak = dict.fromkeys(text.terms(description, locale))
    for source in searchable:
        weak.update(dict.fromkeys(text.terms(source, locale)))
    weak.update(strong)
    media = product.media or []
    return SearchDocument(
        channel_code=target.channel.code,
        locale=locale,
        product_id=product.id,
        sku=product.sku,
        name=name[:300],
        name_terms=" ".join(name_terms),
        strong_terms=" ".join(strong),
        terms=" ".join(weak),
        identifiers=" ".join(dict.fromkeys(text.identifier_key(value) for value in identifiers))[:300],
        brand_code=product.brand_code,
        brand_name=product.brand_name,
        category_paths=paths,
        facet_values={code: sorted(values) for code, values in sorted(facets.items())},
        numeric_values=numbers,
        price=price,
        currency=target.channel.currency,
        availability=availability,
        assortment_ids=assortment_ids,
        thumbnail_url=str(media[0]) if media else "",
        product_created_at=product.created_at,
    )


def _bump(targets: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
    revisions = {}
    for channel_code, locale in sorted(set(targets)):
        state, _ = SearchIndexState.objects.get_or_create(channel_code=channel_code, locale=locale)
        SearchIndexState.objects.filter(pk=state.pk).update(revision=F("revision") + 1)
        revisions[(channel_code, locale)] = state.revision + 1
    return revisions


def index_products(
    product_ids: Sequence[int],
    *,
    snapshot: CatalogSnapshot | None = None,
    targets: Sequence[ChannelLocale] | None = None,
) -> int:
    """Rebuild the documents of these top-level products in every channel and language (products
    that are no longer searchable lose theirs). Best-selling counts are kept. Returns documents written."""
    snapshot = snapshot or CatalogSnapshot()
    targets = targets if targets is not None else channel_locales()
    written = 0
    for start in range(0, len(product_ids), BATCH_SIZE):
        batch = list(product_ids[start : start + BATCH_SIZE])
        documents = build_documents(batch, snapshot, targets)
        with transaction.atomic():
            existing = SearchDocument.objects.filter(product_id__in=batch)
            sales = {
                (c, loc, p): n
                for c, loc, p, n in existing.values_list("channel_code", "locale", "product_id", "sales_count")
            }
            touched = set(existing.values_list("channel_code", "locale").distinct())
            existing.delete()
            touched |= {(d.channel_code, d.locale) for d in documents}
            revisions = _bump(touched)
            for document in documents:
                document.sales_count = sales.get((document.channel_code, document.locale, document.product_id), 0)
                document.revision = revisions[(document.channel_code, document.locale)]
            _insert(documents)
        written += len(documents)
    return written


INSERT_FIELDS = [field for field in SearchDocument._meta.concrete_fields if not field.primary_key]


def _insert(documents: Sequence[SearchDocument]) -> None:
    """One parameterised INSERT run with executemany: bulk_create's per-value preparation and huge
    statements cost more than building the documents."""
    if not documents:
        return
    table = connection.ops.quote_name(SearchDocument._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(field.column) for field in INSERT_FIELDS)
    placeholders = ", ".join(["%s"] * len(INSERT_FIELDS))
    plain = [
        isinstance(field, (models.CharField, models.TextField, models.BigIntegerField, models.PositiveIntegerField))
        for field in INSERT_FIELDS
    ]
    rows = [
        [
            getattr(document, field.attname)
            if is_plain
            else field.get_db_prep_save(getattr(document, field.attname), connection)
            for field, is_plain in zip(INSERT_FIELDS, plain, strict=True)
        ]
        for document in documents
    ]
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", rows)  # noqa: S608


def remove_skus(skus: Sequence[str]) -> None:
    with transaction.atomic():
        gone = SearchDocument.objects.filter(sku__in=list(skus))
        touched = set(gone.values_list("channel_code", "locale").distinct())
        gone.delete()
        _bump(touched)


def reindex_all(progress: Callable[[int], None] | None = None) -> int:
    """Every document anew; documents of vanished channels, languages or products are dropped.

    One transaction: searches keep seeing the old index until it commits, and on SQLite the FTS
    index is rebuilt once at the end instead of row by row (the write lock is held meanwhile)."""
    snapshot = CatalogSnapshot()
    targets = channel_locales()
    ids = all_product_ids()
    wanted = {(target.channel.code, target.locale) for target in targets}
    written = 0
    with transaction.atomic(), backend().bulk_load():
        for channel_code, locale in set(SearchDocument.objects.values_list("channel_code", "locale").distinct()):
            if (channel_code, locale) not in wanted:
                SearchDocument.objects.filter(channel_code=channel_code, locale=locale).delete()
        SearchDocument.objects.exclude(product_id__in=Product.objects.filter(parent__isnull=True).values("pk")).delete()
        for start in range(0, len(ids), BATCH_SIZE):
            written += index_products(ids[start : start + BATCH_SIZE], snapshot=snapshot, targets=targets)
            if progress:
                progress(len(ids[start : start + BATCH_SIZE]))
    return written


def refresh_prices(skus: Sequence[str] | None = None) -> int:
    """Re-price documents (all when `skus` is None) without rebuilding their text."""
    return _refresh(skus, field="price")


def refresh_availability(skus: Sequence[str]) -> int:
    return _refresh(skus, field="availability")


def _refresh(skus: Sequence[str] | None, *, field: str) -> int:
    product_ids = product_ids_for_skus(skus) if skus is not None else None
    documents = (
        SearchDocument.objects.all()
        if product_ids is None
        else SearchDocument.objects.filter(product_id__in=product_ids)
    )
    channels = active_channels()
    changed = 0
    keys = list(documents.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(keys), BATCH_SIZE):
        batch = list(SearchDocument.objects.filter(pk__in=keys[start : start + BATCH_SIZE]))
        families = defaultdict(list)
        for parent_id, sku in Product.objects.filter(
            parent_id__in={d.product_id for d in batch}, status=Product.Status.ACTIVE
        ).values_list("parent_id", "sku"):
            families[parent_id].append(sku)
        updated = []
        for channel_code, members in _group(batch, lambda d: d.channel_code).items():
            channel = channels.get(channel_code)
            if channel is None:
                continue
            skus_wanted = [d.sku for d in members] + [s for d in members for s in families.get(d.product_id, ())]
            if field == "price":
                prices = _prices(channel, skus_wanted)
                for document in members:
                    family_prices = [prices[s] for s in families.get(document.product_id, ()) if s in prices]
                    new = prices.get(document.sku, min(family_prices) if family_prices else None)
                    if new != document.price:
                        document.price = new
                        updated.append(document)
            else:
                states = {
                    sku: item.state
                    for sku, item in inventory_queries.availability(skus_wanted, channel_code=channel.code).items()
                }
                for document in members:
                    family = families.get(document.product_id) or [document.sku]
                    new_state = _best(states.get(sku, "") for sku in family)
                    if new_state != document.availability:
                        document.availability = new_state
                        updated.append(document)
        if updated:
            with transaction.atomic():
                revisions = _bump({(d.channel_code, d.locale) for d in updated})
                for document in updated:
                    document.revision = revisions[(document.channel_code, document.locale)]
                SearchDocument.objects.bulk_update(updated, [field, "revision"], batch_size=500)
            changed += len(updated)
    return changed


def _group(items: Iterable[Any], key: Callable[[Any], str]) -> dict[str, list[Any]]:
    groups: dict[str, list[Any]] = defaultdict(list)
    for item in items:
        groups[key(item)].append(item)
    return groups


def facet_labels(locale: str) -> tuple[dict[str, str], dict[tuple[str, str], str], dict[str, str]]:
    """Names of filterable attributes, labels of their options and category names, in the language."""
    attributes = {}
    options = {}
    for attribute in Attribute.objects.filter(is_filterable=True).prefetch_related("options"):
        attributes[attribute.code] = _translated(attribute.translations, locale, "name", attribute.name)
        for option in attribute.options.all():
            options[(attribute.code, option.code)] = _translated(option.translations, locale, "label", option.label)
    categories = {
        category.path: _translated(category.translations, locale, "name", category.name)
        for category in Category.objects.filter(is_active=True)
    }
    return attributes, options, categories


def add_sales(units_by_sku: dict[str, int]) -> None:
    """Best-selling counts, fed by orders (through an event) once orders exist."""
    product_ids = dict(Product.objects.filter(sku__in=list(units_by_sku)).values_list("sku", "parent_id"))
    parents = dict(Product.objects.filter(pk__in=[p for p in product_ids.values() if p]).values_list("pk", "sku"))
    with transaction.atomic():
        touched = set()
        for sku, units in units_by_sku.items():
            owner = parents.get(product_ids.get(sku) or 0, sku)
            documents = SearchDocument.objects.filter(sku=owner)
            touched |= set(documents.values_list("channel_code", "locale"))
            documents.update(sales_count=F("sales_count") + units)
        _bump(touched)
