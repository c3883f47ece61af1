"""Building search documents from the catalog, the price engine and inventory.

The catalog's rows come from its bulk read functions for the index (`catalog.queries`, a few
queries per batch of products, plain rows); documents are written with one executemany per batch.
Every write raises the revision of the channels and languages it touched and records the documents
it removed, so processes catch their in-memory tables up instead of rebuilding them (snapshot.py).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import connection, models, transaction
from django.db.models import F

from handel.catalog import queries as catalog_queries
from handel.channels.queries import active_channels
from handel.inventory import queries as inventory_queries
from handel.pricing import queries as pricing_queries
from handel.pricing.engine.prices import price_items
from handel.search import text
from handel.search.backends import backend
from handel.search.models import SearchDocument, SearchIndexState, SearchRemoval

if TYPE_CHECKING:
    from handel.channels.models import Channel

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
        rows = catalog_queries.active_category_rows()
        self.categories = {path: (name, translations) for _, path, name, translations in rows}
        self.paths_by_id = {category_id: path for category_id, path, _, _ in rows}
        self.assortments = catalog_queries.assortment_scopes()

    def category_name(self, path: str, locale: str) -> str:
        category = self.categories.get(path)
        return _translated(category[1], locale, "name", category[0]) if category else ""


def product_ids_for_skus(skus: Iterable[str]) -> list[int]:
    return catalog_queries.top_level_product_ids_for_skus(skus)


def existing_skus(skus: Iterable[str]) -> set[str]:
    return catalog_queries.existing_skus(skus)


def product_ids_in_categories(path: str) -> list[int]:
    return catalog_queries.top_level_product_ids_in_category(path)


def all_product_ids() -> list[int]:
    return catalog_queries.all_top_level_product_ids()


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
    attribute_name: str
    attribute_translations: dict[str, Any]


def _load_products(
    product_ids: Sequence[int],
) -> tuple[list[ProductRow], dict[int, list[tuple[str, str, str]]], dict[int, int]]:
    channels: dict[int, set[int]] = defaultdict(set)
    for product_id, channel_id in catalog_queries.channel_links(product_ids):
        channels[product_id].add(channel_id)
    products = [
        ProductRow(
            id=row[0],
            sku=row[1],
            name=row[2],
            description=row[3],
            translations=row[4],
            mpn=row[5],
            gtin=row[6],
            media=row[7],
            created_at=row[8],
            brand_code=row[9] or "",
            brand_name=row[10] or "",
            channel_ids=channels.get(row[0], set()),
        )
        for row in catalog_queries.active_top_level_rows(product_ids)
    ]
    variants: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
    owners = {product.id: product.id for product in products}
    for variant_id, parent_id, sku, mpn, gtin in catalog_queries.active_variant_rows([p.id for p in products]):
        variants[parent_id].append((sku, mpn, gtin))
        owners[variant_id] = parent_id
    return products, variants, owners


def _attribute_rows(owners: Mapping[int, int]) -> dict[int, list[ValueRow]]:
    """Searchable and filterable values of products and variants, under their owner (the top-level
    product)."""
    rows: dict[int, list[ValueRow]] = defaultdict(list)
    for product_id, *fields in catalog_queries.indexed_value_rows(list(owners)):
        fields[7] = fields[7] or ""
        fields[8] = fields[8] or {}
        fields[15] = fields[15] or {}
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


@dataclass(slots=True, kw_only=True)
class DocumentRow:
    """A search document about to be written (its fields named as SearchDocument's columns)."""

    channel_code: str
    locale: str
    product_id: int
    sku: str
    name: str
    name_terms: str
    strong_terms: str
    terms: str
    identifiers: str
    brand_code: str
    brand_name: str
    category_paths: list[str]
    facet_values: dict[str, list[str]]
    numeric_values: dict[str, float]
    price: Decimal | None
    currency: str
    availability: str
    assortment_ids: list[int]
    thumbnail_url: str
    product_created_at: Any
    sales_count: int = 0
    revision: int = 0


def build_documents(
    product_ids: Sequence[int], snapshot: CatalogSnapshot, targets: Sequence[ChannelLocale]
) -> list[DocumentRow]:
    products, variants, owners = _load_products(product_ids)
    ids = [product.id for product in products]
    attributes = _attribute_rows(owners)
    paths: dict[int, set[str]] = defaultdict(set)
    for product_id, category_id in catalog_queries.category_links(ids):
        path = snapshot.paths_by_id.get(category_id)
        if path is not None:
            paths[product_id].update(catalog_queries.with_ancestors(path))
    explicit: dict[int, set[int]] = defaultdict(set)
    for product_id, assortment_id in catalog_queries.assortment_links(ids):
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
) -> DocumentRow:
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
        if value.value_boolean:
            # A yes/no property that holds describes the product: "Cordless: yes" is a cordless drill.
            searchable.append(_translated(value.attribute_translations, locale, "name", value.attribute_name))
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
    return DocumentRow(
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


# Removals are kept for this many revisions of a channel and language; a process further behind
# loads its tables anew.
REMOVALS_KEPT = 500


def _states(targets: Iterable[tuple[str, str]]) -> dict[tuple[str, str], SearchIndexState]:
    found = {}
    for channel_code, locale in sorted(set(targets)):
        state, _ = SearchIndexState.objects.select_for_update().get_or_create(channel_code=channel_code, locale=locale)
        found[(channel_code, locale)] = state
    return found


def _bump(targets: Iterable[tuple[str, str]], *, new_generation: bool = False) -> dict[tuple[str, str], int]:
    """Raise the revision of each channel and language (and the generation for a full reindex:
    every process then loads anew instead of catching up)."""
    revisions = {}
    for key, state in _states(targets).items():
        state.revision += 1
        fields = ["revision"]
        if new_generation:
            state.generation += 1
            state.removals_since = state.revision
            fields += ["generation", "removals_since"]
            SearchRemoval.objects.filter(channel_code=key[0], locale=key[1]).delete()
        elif state.revision - state.removals_since > 2 * REMOVALS_KEPT:
            state.removals_since = state.revision - REMOVALS_KEPT
            fields.append("removals_since")
            SearchRemoval.objects.filter(channel_code=key[0], locale=key[1], revision__lt=state.removals_since).delete()
        state.save(update_fields=fields)
        revisions[key] = state.revision
    return revisions


def _remove_documents(documents: models.QuerySet[SearchDocument]) -> dict[tuple[str, str, int], int]:
    """Delete documents, recording each as a removal at the new revision of its channel and
    language. Returns the best-selling counts of the removed documents, by channel, locale and product."""
    rows = list(documents.values_list("id", "channel_code", "locale", "product_id", "sales_count", "terms"))
    if not rows:
        return {}
    revisions = _bump({(row[1], row[2]) for row in rows})
    SearchDocument.objects.filter(pk__in=[row[0] for row in rows]).delete()
    SearchRemoval.objects.bulk_create(
        [
            SearchRemoval(
                channel_code=channel_code,
                locale=locale,
                document_id=doc_id,
                revision=revisions[(channel_code, locale)],
                terms=terms,
            )
            for doc_id, channel_code, locale, _, _, terms in rows
        ],
        batch_size=500,
    )
    return {(row[1], row[2], row[3]): row[4] for row in rows if row[4]}


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
            sales = _remove_documents(SearchDocument.objects.filter(product_id__in=batch))
            revisions = _bump({(d.channel_code, d.locale) for d in documents})
            for document in documents:
                document.sales_count = sales.get((document.channel_code, document.locale, document.product_id), 0)
                document.revision = revisions[(document.channel_code, document.locale)]
            _insert(documents)
        written += len(documents)
    return written


INSERT_FIELDS = [field for field in SearchDocument._meta.concrete_fields if not field.primary_key]
JSON_FIELDS = {field.attname for field in INSERT_FIELDS if isinstance(field, models.JSONField)}


def _insert(documents: Sequence[DocumentRow]) -> None:
    """One parameterised INSERT run with executemany: bulk_create's per-value preparation and huge
    statements cost more than building the documents. JSON is encoded here directly; datetimes and
    decimals go through the field (adapted per database)."""
    if not documents:
        return
    table = connection.ops.quote_name(SearchDocument._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(field.column) for field in INSERT_FIELDS)
    placeholders = ", ".join(["%s"] * len(INSERT_FIELDS))
    plain = [
        isinstance(field, (models.CharField, models.TextField, models.BigIntegerField, models.PositiveIntegerField))
        for field in INSERT_FIELDS
    ]
    dumps = json.JSONEncoder(separators=(", ", ": ")).encode
    rows = [
        [
            getattr(document, field.attname)
            if is_plain
            else dumps(getattr(document, field.attname))
            if field.attname in JSON_FIELDS
            else field.get_db_prep_save(getattr(document, field.attname), connection)
            for field, is_plain in zip(INSERT_FIELDS, plain, strict=True)
        ]
        for document in documents
    ]
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", rows)  # noqa: S608


def remove_skus(skus: Sequence[str]) -> None:
    with transaction.atomic():
        _remove_documents(SearchDocument.objects.filter(sku__in=list(skus)))


def reindex_all(progress: Callable[[int], None] | None = None) -> int:
    """Every document anew; documents of vanished channels, languages or products are dropped.

    One transaction: searches keep seeing the old index until it commits. The old documents go in
    one statement and the new ones are written in batches without the per-row full-text work, which
    is done once at the end (see the backends' `bulk_load`). Best-selling counts are kept."""
    snapshot = CatalogSnapshot()
    targets = channel_locales()
    ids = all_product_ids()
    written = 0
    with transaction.atomic(), backend().bulk_load():
        sales = {
            (channel_code, locale, product_id): count
            for channel_code, locale, product_id, count in SearchDocument.objects.filter(sales_count__gt=0).values_list(
                "channel_code", "locale", "product_id", "sales_count"
            )
        }
        touched = set(SearchIndexState.objects.values_list("channel_code", "locale"))
        touched |= {(target.channel.code, target.locale) for target in targets}
        revisions = _bump(touched, new_generation=True)
        SearchDocument.objects.all().delete()
        for start in range(0, len(ids), BATCH_SIZE):
            batch = ids[start : start + BATCH_SIZE]
            documents = build_documents(batch, snapshot, targets)
            for document in documents:
                document.sales_count = sales.get((document.channel_code, document.locale, document.product_id), 0)
                document.revision = revisions[(document.channel_code, document.locale)]
            _insert(documents)
            written += len(documents)
            if progress:
                progress(len(batch))
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
        for _, parent_id, sku, _, _ in catalog_queries.active_variant_rows(list({d.product_id for d in batch})):
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
    for code, name, translations, choices in catalog_queries.filterable_attribute_rows():
        attributes[code] = _translated(translations, locale, "name", name)
        for option_code, label, option_translations in choices:
            options[(code, option_code)] = _translated(option_translations, locale, "label", label)
    categories = {
        path: _translated(translations, locale, "name", name)
        for _, path, name, translations in catalog_queries.active_category_rows()
    }
    return attributes, options, categories


def add_sales(units_by_sku: dict[str, int]) -> None:
    """Best-selling counts, fed by orders (through an event) once orders exist."""
    owners = catalog_queries.owner_skus(units_by_sku)
    units_by_owner: dict[str, int] = defaultdict(int)
    for sku, units in units_by_sku.items():
        units_by_owner[owners.get(sku, sku)] += units
    with transaction.atomic():
        documents = SearchDocument.objects.filter(sku__in=list(units_by_owner))
        revisions = _bump(set(documents.values_list("channel_code", "locale")))
        for (channel_code, locale), revision in revisions.items():
            for owner, units in units_by_owner.items():
                documents.filter(channel_code=channel_code, locale=locale, sku=owner).update(
                    sales_count=F("sales_count") + units, revision=revision
                )
