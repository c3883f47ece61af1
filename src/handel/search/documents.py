"""Search documents built from the catalog, the price engine and inventory: a batch of products
read with one query per kind of data (`catalog.queries`' bulk read functions, the batch's ids as
one parameter), each channel's prices from one pass of the price engine (without explanations),
texts and terms per product and language, rows ready for the database."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from django.db import connection

from handel.catalog import queries as catalog_queries
from handel.channels.queries import active_channels
from handel.inventory import queries as inventory_queries
from handel.pricing import queries as pricing_queries
from handel.search import text
from handel.search.models import SearchDocument

if TYPE_CHECKING:
    from handel.channels.models import Channel

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


def translated(translations: dict[str, Any], locale: str, key: str, default: str) -> str:
    value = (translations or {}).get(locale, {}).get(key) if isinstance(translations, dict) else None
    return str(value) if value else default


class CatalogSnapshot:
    """What every document of an indexing run looks up: categories, assortments, and the searchable
    and filterable attributes with their options (read once, so value rows carry only ids)."""

    def __init__(self) -> None:
        rows = catalog_queries.active_category_rows()
        self.categories = {path: (name, translations) for _, path, name, translations in rows}
        self.paths_by_id = {category_id: path for category_id, path, _, _ in rows}
        self.assortments = catalog_queries.assortment_scopes()
        self.attributes = {row[0]: AttributeInfo(*row[1:]) for row in catalog_queries.indexed_attribute_rows()}
        # Attribute options are read as values name them: indexing one saved product needs a few,
        # not every option of the catalog.
        self.options: dict[int, tuple[str, str, dict[str, Any]]] = {}
        self._category_names: dict[tuple[str, str], str] = {}
        self._option_labels: dict[tuple[int, str], str] = {}
        self._attribute_names: dict[tuple[int, str], str] = {}
        self._ancestors: dict[str, list[str]] = {}

    def add_options(self, option_ids: Sequence[int]) -> None:
        """Read these options (the first time a value names them)."""
        for option_id, code, label, translations in catalog_queries.attribute_option_rows(option_ids):
            self.options[option_id] = (code, label, translations or {})

    def category_name(self, path: str, locale: str) -> str:
        key = (path, locale)
        name = self._category_names.get(key)
        if name is None:
            category = self.categories.get(path)
            name = self._category_names[key] = translated(category[1], locale, "name", category[0]) if category else ""
        return name

    def option_label(self, option_id: int, locale: str) -> str:
        key = (option_id, locale)
        label = self._option_labels.get(key)
        if label is None:
            _, default, translations = self.options[option_id]
            label = self._option_labels[key] = translated(translations, locale, "label", default or "")
        return label

    def attribute_name(self, attribute_id: int, locale: str) -> str:
        key = (attribute_id, locale)
        name = self._attribute_names.get(key)
        if name is None:
            attribute = self.attributes[attribute_id]
            name = self._attribute_names[key] = translated(attribute.translations or {}, locale, "name", attribute.name)
        return name

    def with_ancestors(self, path: str) -> list[str]:
        found = self._ancestors.get(path)
        if found is None:
            found = self._ancestors[path] = catalog_queries.with_ancestors(path)
        return found


@dataclass(frozen=True, slots=True)
class AttributeInfo:
    code: str
    type: str
    is_searchable: bool
    is_filterable: bool
    is_translatable: bool
    name: str
    translations: dict[str, Any]


class ProductRow(NamedTuple):
    id: int
    sku: str
    name: str
    description: str
    translations: dict[str, Any]
    mpn: str
    gtin: str
    media: list[Any]
    created_at: Any
    brand_code: str | None
    brand_name: str | None


# A searchable or filterable value, with what does not depend on the language worked out:
# (its language if a translatable text, else ""; a searchable option's id, whose label is looked up
# per language; a searchable value's text when it has no option; the attribute of a yes/no value
# that holds, whose name is searchable; (attribute code, facet value); (attribute code, number)).
# A plain tuple of plain values: the garbage collector stops tracking those, and an index batch
# holds tens of thousands.
ValueRow = tuple[str, int | None, str | None, int | None, tuple[str, str] | None, tuple[str, float] | None]


# What a batch holds until its documents are written is kept in tuples of plain values where it
# can be: the garbage collector stops tracking those, while lists, sets and objects that live that
# long are walked by every full collection (a quarter of a reindex's time, otherwise).


def _load_products(
    product_ids: Sequence[int],
) -> tuple[list[ProductRow], set[tuple[int, int]], dict[int, tuple[tuple[str, str, str], ...]], dict[int, int]]:
    """The active top-level products among these, the (product, channel) pairs of the channels they
    are visible in, their active variants (sku, mpn, gtin) and the owner (top-level product) of
    every product and variant."""
    channels = set(catalog_queries.channel_links(product_ids))
    products = [ProductRow(*row) for row in catalog_queries.active_top_level_rows(product_ids)]
    variants: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
    owners = {product.id: product.id for product in products}
    for variant_id, parent_id, sku, mpn, gtin in catalog_queries.active_variant_rows(list(owners)):
        variants[parent_id].append((sku, mpn, gtin))
        owners[variant_id] = parent_id
    return products, channels, {parent_id: tuple(family) for parent_id, family in variants.items()}, owners


def _attribute_values(owners: Mapping[int, int], snapshot: CatalogSnapshot) -> dict[int, tuple[ValueRow, ...]]:
    """Searchable and filterable values of products and variants, under their owner (the top-level
    product), in the order of the catalog (product, attribute, language, position)."""
    rows = catalog_queries.indexed_value_rows(list(owners), list(snapshot.attributes))
    unknown = {row[3] for row in rows if row[3] is not None and row[3] not in snapshot.options}
    if unknown:
        snapshot.add_options(sorted(unknown))
    attributes, options = snapshot.attributes, snapshot.options
    values: dict[int, list[ValueRow]] = defaultdict(list)
    for product_id, attribute_id, locale, option_id, text_value, integer, decimal, boolean, day in rows:
        attribute = attributes[attribute_id]
        if option_id is not None:
            plain = None
            facet_value: str | None = options[option_id][0]
        else:
            plain = text_value or next((str(typed) for typed in (integer, decimal, day) if typed is not None), "")
            if boolean is not None:
                facet_value = "yes" if boolean else "no"
            elif text_value and not attribute.is_translatable:
                facet_value = text_value[:100]
            else:
                facet_value = None
        facet = number = None
        if attribute.is_filterable:
            if attribute.type in NUMERIC_TYPES:
                # Floats only order and bucket measurements (watts, millimetres) for facets; money never goes here.
                if integer is not None:
                    number = (attribute.code, float(integer))
                elif decimal is not None:
                    number = (attribute.code, float(decimal))
            elif facet_value is not None:
                facet = (attribute.code, facet_value)
        values[owners[product_id]].append(
            (
                locale,
                option_id if attribute.is_searchable else None,
                plain if attribute.is_searchable else None,
                attribute_id if boolean else None,
                facet,
                number,
            )
        )
    return {owner: tuple(found) for owner, found in values.items()}


def _category_paths(product_ids: Sequence[int], snapshot: CatalogSnapshot) -> dict[int, tuple[str, ...]]:
    """Each product's active categories with their ancestors, sorted."""
    found: dict[int, set[str]] = defaultdict(set)
    for product_id, category_id in catalog_queries.category_links(product_ids):
        path = snapshot.paths_by_id.get(category_id)
        if path is not None:
            found[product_id].update(snapshot.with_ancestors(path))
    return {product_id: tuple(sorted(paths)) for product_id, paths in found.items()}


def _assortment_ids(
    product_id: int, paths: Sequence[str], explicit: dict[int, set[int]], snapshot: CatalogSnapshot
) -> list[int]:
    found = set(explicit.get(product_id, ()))
    path_set = set(paths)  # paths include their ancestors, so a subtree test is a set look-up
    for scope in snapshot.assortments:
        if any(root in path_set for root in scope.category_paths):
            found.add(scope.id)
    return sorted(found)


def best_availability(states: Iterable[str]) -> str:
    ranked = [state for state in states if state in AVAILABILITY_ORDER]
    return min(ranked, key=AVAILABILITY_ORDER.index) if ranked else "out_of_stock"


class DocumentRow(NamedTuple):
    """A search document about to be written: its columns in the order of the INSERT (named as
    SearchDocument's), JSON already encoded and dates and amounts prepared for the database. A
    tuple of plain values: 100,000 of them are made per reindex."""

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
    category_paths: str
    facet_values: str
    numeric_values: str
    price: Any
    currency: str
    availability: str
    sales_count: int
    assortment_ids: str
    thumbnail_url: str
    product_created_at: Any
    revision: int


_dumps = json.JSONEncoder(separators=(", ", ": ")).encode  # what JSONField writes


class _ProductParts:
    """What a product's documents share whatever their channel: per language the texts, and the
    rest whatever the language."""

    __slots__ = (
        "assortment_ids",
        "category_paths",
        "created_at",
        "identifiers",
        "names",
        "paths",
        "texts",
        "thumbnail",
    )

    def __init__(
        self,
        product: ProductRow,
        family: tuple[tuple[str, str, str], ...],
        paths: tuple[str, ...],
        assortment_ids: list[int],
    ) -> None:
        identifiers = [product.sku, product.mpn, product.gtin]
        for variant in family:
            identifiers += variant
        self.names = tuple(value for value in identifiers if value)
        self.identifiers = " ".join(dict.fromkeys(text.identifier_key(value) for value in self.names))[:300]
        self.paths = paths
        self.category_paths = _dumps(paths)
        self.assortment_ids = _dumps(assortment_ids)
        self.created_at = CREATED_AT.get_db_prep_save(product.created_at, connection)
        media = product.media or []
        self.thumbnail = str(media[0]) if media else ""
        self.texts: dict[str, tuple[str, str, str, str, str, str]] = {}


def _texts(
    product: ProductRow, parts: _ProductParts, values: tuple[ValueRow, ...], locale: str, snapshot: CatalogSnapshot
) -> tuple[str, str, str, str, str, str]:
    """(name, name terms, strong terms, all terms, facet values, numeric values) in the language."""
    name = translated(product.translations, locale, "name", product.name)
    description = translated(product.translations, locale, "description", product.description)
    searchable: list[str] = []
    facets: dict[str, set[str]] = {}
    numbers: dict[str, float] = {}
    for value_locale, option_id, label, boolean_attribute, facet, number in values:
        if value_locale and value_locale != locale:
            continue
        if option_id is not None:
            searchable.append(snapshot.option_label(option_id, locale))
        elif label is not None:
            searchable.append(label)
        if boolean_attribute is not None:
            # A yes/no property that holds describes the product: "Cordless: yes" is a cordless drill.
            searchable.append(snapshot.attribute_name(boolean_attribute, locale))
        if facet is not None:
            code, facet_value = facet
            found = facets.get(code)
            if found is None:
                facets[code] = {facet_value}
            else:
                found.add(facet_value)
        elif number is not None:
            numbers.setdefault(*number)
    terms = text.terms
    name_terms = terms(name, locale)
    strong = dict.fromkeys(name_terms)
    for source in parts.names:
        strong.update(dict.fromkeys(terms(source, locale)))
    if product.brand_name:
        strong.update(dict.fromkeys(terms(product.brand_name, locale)))
    for path in parts.paths:
        strong.update(dict.fromkeys(terms(snapshot.category_name(path, locale), locale)))
    weak = dict.fromkeys(terms(description, locale))
    for source in searchable:
        weak.update(dict.fromkeys(terms(source, locale)))
    weak.update(strong)
    return (
        name[:300],
        " ".join(name_terms),
        " ".join(strong),
        " ".join(weak),
        _dumps({code: sorted(found) for code, found in sorted(facets.items())}),
        _dumps(numbers),
    )


def build_documents(
    product_ids: Sequence[int],
    snapshot: CatalogSnapshot,
    targets: Sequence[ChannelLocale],
) -> list[DocumentRow]:
    """The documents of these top-level products in every target channel and language, with a few
    queries for the whole batch: the catalog's rows, the price lists of each channel, stock. Sales
    counts and revisions are 0: the writer stamps them (`indexing`)."""
    products, channels, variants, owners = _load_products(product_ids)
    ids = [product.id for product in products]
    values = _attribute_values(owners, snapshot)
    paths = _category_paths(ids, snapshot)
    explicit: dict[int, set[int]] = defaultdict(set)
    for product_id, assortment_id in catalog_queries.assortment_links(ids):
        explicit[product_id].add(assortment_id)
    by_channel: dict[int, list[ChannelLocale]] = defaultdict(list)
    for target in targets:
        by_channel[target.channel.pk].append(target)
    members = {channel_id: [p for p in products if (p.id, channel_id) in channels] for channel_id in by_channel}
    # One read of the catalog's facts for pricing, whatever the number of channels.
    listed = {p.id: p for products_in in members.values() for p in products_in}
    facts = catalog_queries.product_facts(
        [p.sku for p in listed.values()] + [v[0] for product_id in listed for v in variants.get(product_id, ())]
    )
    shared: dict[int, _ProductParts] = {}
    documents = []
    for channel_id, channel_targets in by_channel.items():
        channel = channel_targets[0].channel
        in_channel = members[channel_id]
        skus = [p.sku for p in in_channel] + [v[0] for p in in_channel for v in variants.get(p.id, ())]
        prices = pricing_queries.unit_prices(channel, skus, catalog_facts=facts)
        availability = {
            sku: item.state for sku, item in inventory_queries.availability(skus, channel_code=channel.code).items()
        }
        for product in in_channel:
            family = variants.get(product.id, ())
            family_prices = [prices[v[0]] for v in family if v[0] in prices]
            price = prices.get(product.sku, min(family_prices) if family_prices else None)
            state = best_availability(availability.get(sku, "") for sku in ([v[0] for v in family] or [product.sku]))
            parts = shared.get(product.id)
            if parts is None:
                product_paths = paths.get(product.id, ())
                parts = shared[product.id] = _ProductParts(
                    product, family, product_paths, _assortment_ids(product.id, product_paths, explicit, snapshot)
                )
            prepared_price = PRICE.get_db_prep_save(price, connection)
            for target in channel_targets:
                locale = target.locale
                texts = parts.texts.get(locale)
                if texts is None:
                    texts = parts.texts[locale] = _texts(product, parts, values.get(product.id, ()), locale, snapshot)
                name, name_terms, strong_terms, terms, facet_values, numeric_values = texts
                documents.append(
                    DocumentRow(
                        channel.code,
                        locale,
                        product.id,
                        product.sku,
                        name,
                        name_terms,
                        strong_terms,
                        terms,
                        parts.identifiers,
                        product.brand_code or "",
                        product.brand_name or "",
                        parts.category_paths,
                        facet_values,
                        numeric_values,
                        prepared_price,
                        channel.currency,
                        state,
                        0,
                        parts.assortment_ids,
                        parts.thumbnail,
                        parts.created_at,
                        0,
                    )
                )
    return documents


INSERT_COLUMNS = DocumentRow._fields
PRICE = SearchDocument._meta.get_field("price")
CREATED_AT = SearchDocument._meta.get_field("product_created_at")
