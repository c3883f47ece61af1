"""A full reindex reads, prices and writes products in batches; a product's documents must not depend
on the batch it falls in: at a batch's end, at the next one's start and after it, every document
equals the one indexing that product on its own writes (text, facets, price, stock, sales)."""

from __future__ import annotations

import json
import os
from concurrent.futures.process import BrokenProcessPool
from decimal import Decimal
from typing import Any

import pytest

from handel.catalog import services as catalog_services
from handel.catalog.importing import import_products
from handel.catalog.records import to_json_object
from handel.inventory import services as inventory_services
from handel.pricing import services as pricing_services
from handel.search import indexing
from handel.search.models import SearchDocument

pytestmark = pytest.mark.django_db

COMPARED = [
    field.attname
    for field in SearchDocument._meta.concrete_fields
    if field.attname not in ("id", "revision")  # a new row at a new revision, whichever way it is written
]


@pytest.fixture
def with_variants(search_catalog: Any) -> None:
    """A configurable T-shirt (both channels) whose variants carry the prices and the stock: its
    document takes the cheapest variant's price and the best variant's availability."""
    catalog_services.create_attribute(
        actor=None,
        code="fit",
        name="Fit",
        type="single_select",
        is_variant_defining=True,
        is_filterable=True,
        is_searchable=True,
        options=[{"code": "slim", "label": "Slim fit"}, {"code": "loose", "label": "Loose fit"}],
    )
    catalog_services.create_template(actor=None, code="tee", name="Tee", attributes=[("fit", True)])
    records = [
        {
            "sku": "TEE-1",
            "kind": "configurable",
            "status": "active",
            "name": "Striped T-shirt",
            "template": "tee",
            "brand": "acme",
            "variant_attributes": ["fit"],
            "channels": ["b2c", "b2b"],
            "categories": ["apparel/shirts"],
        },
        *(
            {"sku": f"TEE-1-{fit.upper()}", "parent_sku": "TEE-1", "kind": "variant", "status": "active"}
            | {"name": f"Striped T-shirt {fit}", "attr.fit": fit}
            for fit in ("slim", "loose")
        ),
    ]
    report = import_products(text="\n".join(json.dumps(to_json_object(record)) for record in records), format="jsonl")
    assert not report.errors, report.errors
    pricing_services.set_price_entries(
        actor=None,
        price_list_code="base",
        entries=[
            pricing_services.EntryInput(sku="TEE-1-SLIM", unit_price=Decimal("21.00")),
            pricing_services.EntryInput(sku="TEE-1-LOOSE", unit_price=Decimal("18.00")),
        ],
    )
    inventory_services.bulk_update_stock(
        actor=None, updates=[inventory_services.StockUpdate(sku="TEE-1-SLIM", source_code="main", on_hand=4)]
    )


def _documents() -> dict[tuple[str, str, int], tuple[Any, ...]]:
    rows = SearchDocument.objects.values_list(*COMPARED)
    return {(row[0], row[1], row[2]): row for row in rows}


@pytest.mark.parametrize("batch_size", [3, 4, 5])
def test_a_product_at_a_batch_boundary_is_indexed_as_on_its_own(
    with_variants: None, monkeypatch: pytest.MonkeyPatch, batch_size: int
) -> None:
    product_ids = indexing.all_product_ids()
    assert len(product_ids) > 2 * batch_size
    SearchDocument.objects.filter(sku="DRL-100").update(sales_count=7)
    monkeypatch.setattr(indexing, "REINDEX_BATCH_SIZE", batch_size)
    written = indexing.reindex_all()
    rebuilt = _documents()
    assert written == len(rebuilt)
    assert {row[3] for row in rebuilt.values()} >= {"DRL-100", "APP-1", "PRESS-1", "TEE-1"}
    tee = [row for row in rebuilt.values() if row[3] == "TEE-1"]
    assert {row[COMPARED.index("price")] for row in tee} == {Decimal("18.00")}
    assert {row[COMPARED.index("availability")] for row in tee} == {"low_stock"}
    assert {row[COMPARED.index("facet_values")]["fit"] == ["loose", "slim"] for row in tee} == {True}
    assert all(row[COMPARED.index("price")] is not None for row in rebuilt.values())
    assert {row[COMPARED.index("sales_count")] for row in rebuilt.values() if row[3] == "DRL-100"} == {7}

    for product_id in product_ids:
        indexing.index_products([product_id])
    assert _documents() == rebuilt


def test_incremental_batches_write_what_single_products_write(
    with_variants: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    product_ids = indexing.all_product_ids()
    monkeypatch.setattr(indexing, "BATCH_SIZE", 4)
    indexing.index_products(product_ids)
    together = _documents()
    for product_id in reversed(product_ids):
        indexing.index_products([product_id])
    assert _documents() == together


@pytest.mark.django_db(transaction=True)
def test_worker_processes_build_the_same_index(with_variants: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """Outside a transaction the batches are built by forked worker processes (reading committed
    data over their own connections) while this process writes: the index is the same, sales and
    revisions included."""
    from handel.search import builders

    monkeypatch.setattr(indexing, "REINDEX_BATCH_SIZE", 3)
    SearchDocument.objects.filter(sku="DRL-100").update(sales_count=7)
    monkeypatch.setenv("HANDEL_REINDEX_PROCESSES", "1")
    alone = indexing.reindex_all()
    built_here = _documents()
    monkeypatch.setenv("HANDEL_REINDEX_PROCESSES", "2")
    batches = -(-len(indexing.all_product_ids()) // 3)
    assert builders.worker_count(batches) == 2
    assert indexing.reindex_all(in_workers=True) == alone
    assert _documents() == built_here
    assert {row[COMPARED.index("sales_count")] for row in built_here.values() if row[3] == "DRL-100"} == {7}
    revisions = set(SearchDocument.objects.values_list("channel_code", "locale", "revision"))
    assert len(revisions) == len({(channel, locale) for channel, locale, _ in revisions})  # one per channel/language


def test_inside_an_open_transaction_the_batches_are_built_here() -> None:
    from handel.search import builders

    assert builders.worker_count(100) == 1  # workers could not see what this transaction wrote


def test_a_bad_worker_setting_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.core.exceptions import ImproperlyConfigured

    from handel.search import builders

    for setting in ("two", "²"):
        monkeypatch.setenv("HANDEL_REINDEX_PROCESSES", setting)
        with pytest.raises(ImproperlyConfigured, match="HANDEL_REINDEX_PROCESSES"):
            builders.worker_count(10)


def _die(*args: object, **kwargs: object) -> object:
    os._exit(1)  # a worker killed (out of memory, SIGKILL)


@pytest.mark.django_db(transaction=True)
def test_a_worker_that_dies_fails_the_reindex_and_the_old_index_stays(
    with_variants: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(indexing, "REINDEX_BATCH_SIZE", 3)
    monkeypatch.setenv("HANDEL_REINDEX_PROCESSES", "2")
    before = _documents()
    monkeypatch.setattr(indexing, "build_documents", _die)
    with pytest.raises(BrokenProcessPool):
        indexing.reindex_all(in_workers=True)
    assert _documents() == before


@pytest.mark.django_db(transaction=True)
def test_a_reindex_outside_the_command_builds_here(with_variants: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """An event handler in a server process reindexes without forking (its other threads would be copied)."""
    monkeypatch.setattr(indexing, "REINDEX_BATCH_SIZE", 3)
    monkeypatch.setenv("HANDEL_REINDEX_PROCESSES", "2")
    from handel.search import builders

    def no_workers(*args: object, **kwargs: object) -> None:
        raise AssertionError("a worker pool was started")

    monkeypatch.setattr(builders, "ProcessPoolExecutor", no_workers)
    assert indexing.reindex_all() > 0
