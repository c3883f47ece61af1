"""Writing the search index: documents (built in `documents`) are written with one COPY
(PostgreSQL) or one executemany (SQLite) per batch, for a product change, a full reindex or a
price, stock or sales update.

Every write raises the revision of the channels and languages it touched and records the documents
it removed, so processes catch their in-memory tables up instead of rebuilding them (snapshot.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import Any

from django.db import connection, models, transaction
from django.db.models import Q

from handel.catalog import queries as catalog_queries
from handel.channels.queries import active_channels
from handel.core.batching import fewer_collections, without_flush_wait
from handel.inventory import queries as inventory_queries
from handel.pricing import queries as pricing_queries
from handel.search import builders
from handel.search.backends import backend
from handel.search.documents import (
    INSERT_COLUMNS,
    CatalogSnapshot,
    ChannelLocale,
    DocumentRow,
    best_availability,
    build_documents,
    channel_locales,
    translated,
)
from handel.search.models import SearchDocument, SearchIndexState, SearchRemoval

BATCH_SIZE = 1000


def product_ids_for_skus(skus: Iterable[str]) -> list[int]:
    return catalog_queries.top_level_product_ids_for_skus(skus)


def existing_skus(skus: Iterable[str]) -> set[str]:
    return catalog_queries.existing_skus(skus)


def product_ids_in_categories(path: str) -> list[int]:
    return catalog_queries.top_level_product_ids_in_category(path)


def all_product_ids() -> list[int]:
    return catalog_queries.all_top_level_product_ids()


# Removals are kept for this many revisions of a channel and language; a process further behind
# loads its tables anew.
REMOVALS_KEPT = 500


def _states(targets: Iterable[tuple[str, str]]) -> dict[tuple[str, str], SearchIndexState]:
    """The index states of the channels and languages, locked (in one query when they all exist)."""
    keys = sorted(set(targets))
    if not keys:
        return {}
    wanted = Q()
    for channel_code, locale in keys:
        wanted |= Q(channel_code=channel_code, locale=locale)
    locked = SearchIndexState.objects.select_for_update().filter(wanted).order_by("channel_code", "locale")
    found = {(state.channel_code, state.locale): state for state in locked}
    for channel_code, locale in keys:
        if (channel_code, locale) not in found:
            found[(channel_code, locale)], _ = SearchIndexState.objects.select_for_update().get_or_create(
                channel_code=channel_code, locale=locale
            )
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
            _insert(
                [
                    d._replace(
                        sales_count=sales.get((d.channel_code, d.locale, d.product_id), 0),
                        revision=revisions[(d.channel_code, d.locale)],
                    )
                    for d in documents
                ]
            )
        written += len(documents)
    return written


def _insert(documents: Sequence[DocumentRow]) -> None:
    """Write documents: PostgreSQL takes them as one COPY, SQLite (in-process, where each row of a
    prepared statement is cheap) as one parameterised INSERT run with executemany."""
    if not documents:
        return
    quote = connection.ops.quote_name
    table = quote(SearchDocument._meta.db_table)
    column_of = {field.attname: str(field.column) for field in SearchDocument._meta.concrete_fields}
    columns = ", ".join(quote(column_of[name]) for name in INSERT_COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for document in documents:
                    copy.write_row(document)
        else:
            placeholders = ", ".join(["%s"] * len(INSERT_COLUMNS))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", documents)  # noqa: S608


def remove_skus(skus: Sequence[str]) -> None:
    with transaction.atomic():
        _remove_documents(SearchDocument.objects.filter(sku__in=list(skus)))


# A full reindex reads and writes this many products at a time: large enough that the per-batch
# queries (price lists, rules, stock sources) are paid rarely, small enough to keep every IN list
# well within the databases' parameter limits.
REINDEX_BATCH_SIZE = 2000


def reindex_all(progress: Callable[[int], None] | None = None, *, in_workers: bool = False) -> int:
    """Every document anew; documents of vanished channels, languages or products are dropped.

    One transaction: searches keep seeing the old index until it commits. The old documents go in
    one statement and the new ones are written in batches without the per-row full-text work, which
    is done once at the end (see the backends' `bulk_load`). With `in_workers` (the reindex
    command) the batches are built by worker processes while this one writes (see `builders`).
    Best-selling counts are kept."""
    snapshot = CatalogSnapshot()
    targets = channel_locales()
    ids = all_product_ids()
    batches = [ids[start : start + REINDEX_BATCH_SIZE] for start in range(0, len(ids), REINDEX_BATCH_SIZE)]
    written = 0
    with (
        fewer_collections(),
        builders.built(
            batches, partial(build_documents, snapshot=snapshot, targets=targets), in_workers=in_workers
        ) as results,
        transaction.atomic(),
        backend().bulk_load(),
    ):
        touched = set(SearchIndexState.objects.values_list("channel_code", "locale"))
        touched |= {(target.channel.code, target.locale) for target in targets}
        # The index states are locked first: sales counted meanwhile wait, and are not lost.
        revisions = _bump(touched, new_generation=True)
        sales = {
            (channel_code, locale, product_id): count
            for channel_code, locale, product_id, count in SearchDocument.objects.filter(sales_count__gt=0).values_list(
                "channel_code", "locale", "product_id", "sales_count"
            )
        }
        SearchDocument.objects.all().delete()
        for batch, documents in zip(batches, results, strict=True):
            _insert(
                [
                    document._replace(
                        sales_count=sales.get((document.channel_code, document.locale, document.product_id), 0),
                        revision=revisions[(document.channel_code, document.locale)],
                    )
                    for document in documents
                ]
            )
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
                prices = pricing_queries.unit_prices(channel, skus_wanted)
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
                    new_state = best_availability(states.get(sku, "") for sku in family)
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
        attributes[code] = translated(translations, locale, "name", name)
        for option_code, label, option_translations in choices:
            options[(code, option_code)] = translated(option_translations, locale, "label", label)
    categories = {
        path: translated(translations, locale, "name", name)
        for _, path, name, translations in catalog_queries.active_category_rows()
    }
    return attributes, options, categories


def add_sales(units_by_sku: dict[str, int]) -> None:
    """Best-selling counts, fed by orders (through an event) once orders exist."""
    owners = catalog_queries.owner_skus(units_by_sku)
    units_by_owner: dict[str, int] = defaultdict(int)
    for sku, units in units_by_sku.items():
        units_by_owner[owners.get(sku, sku)] += units
    with without_flush_wait():
        documents = SearchDocument.objects.filter(sku__in=list(units_by_owner))
        revisions = _bump(set(documents.values_list("channel_code", "locale")))
        if not revisions:
            return
        # One UPDATE in plain SQL: Django would spend more time building its CASE expressions
        # than the database spends running them, once per order.
        sales = list(units_by_owner.items())
        table = connection.ops.quote_name(SearchDocument._meta.db_table)
        added = " WHEN %s THEN %s" * len(sales)
        revised = " WHEN channel_code = %s AND locale = %s THEN %s" * len(revisions)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET sales_count = sales_count + CASE sku {added} ELSE 0 END, "  # noqa: S608
                f"revision = CASE {revised} ELSE revision END WHERE sku IN ({', '.join(['%s'] * len(sales))})",
                [value for sale in sales for value in sale]
                + [value for (channel, locale), revision in revisions.items() for value in (channel, locale, revision)]
                + [sku for sku, _ in sales],
            )
