"""After a change the in-memory tables catch up (only the changed documents are read and applied,
no full load), the change is found at once, and every answer equals that of tables loaded anew."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db.models import F

from handel.catalog import services as catalog_services
from handel.inventory import services as inventory_services
from handel.pricing import services as pricing_services
from handel.search import engine, indexing
from handel.search import snapshot as snapshots
from handel.search.models import SearchIndexState, SearchRemoval
from tests.search.conftest import product

pytestmark = pytest.mark.django_db

SEARCHES: list[tuple[str, dict[str, Any], str]] = [
    ("", {}, "relevance"),
    ("drill", {}, "relevance"),
    ("hammer", {}, "price_asc"),
    ("hamer", {}, "relevance"),
    ("", {"category": ["tools"]}, "name"),
    ("", {"category": ["tools/drills"]}, "price_desc"),
    ("", {"brand": ["bosch", "makita"]}, "newest"),
    ("", {"availability": ["in_stock"]}, "best_selling"),
    ("", {"price": {"min": 20, "max": 200}}, "price_asc"),
    ("drill", {"attributes": {"power": {"min": 100, "max": 1000}}}, "relevance"),
    ("impact", {}, "relevance"),
    ("gsr18-55", {}, "relevance"),
]


def _answers(channel_code: str, locale: str, assortment_id: int | None = None) -> list[Any]:
    found = []
    for query, filters, sort in SEARCHES:
        outcome = engine.search(
            channel_code=channel_code,
            locale=locale,
            assortment_id=assortment_id,
            query=query,
            filters=filters,
            sort=sort,
            page_size=50,
        )
        assert outcome.snapshot is not None
        skus = [outcome.snapshot.skus[position] for position in outcome.positions]
        found.append((query, sort, skus, outcome.total, outcome.facets, outcome.did_you_mean))
    for prefix in ("dr", "ham", "scre"):
        completed = engine.autocomplete(
            channel_code=channel_code, locale=locale, assortment_id=assortment_id, query=prefix
        )
        snapshot = completed["snapshot"]
        found.append(
            (
                prefix,
                completed["completions"],
                completed["categories"],
                [snapshot.skus[position] for position in completed["positions"]],
            )
        )
    return found


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Every full load of a snapshot, recorded."""
    calls: list[tuple[str, str]] = []
    original = snapshots.load

    def counting(channel_code: str, locale: str, revision: int, generation: int = 0) -> snapshots.Snapshot:
        calls.append((channel_code, locale))
        return original(channel_code, locale, revision, generation)

    monkeypatch.setattr(snapshots, "load", counting)
    return calls


def _assert_same_as_loaded_anew(channel_code: str = "b2b", locale: str = "en") -> None:
    caught_up = _answers(channel_code, locale)
    snapshots.forget_all()
    assert caught_up == _answers(channel_code, locale)


def test_changes_are_found_at_once_without_a_full_load(
    search_catalog: Any, django_capture_on_commit_callbacks: Any, loads: list[tuple[str, str]]
) -> None:
    _answers("b2b", "en")
    assert loads == [("b2b", "en")]
    with django_capture_on_commit_callbacks(execute=True):
        catalog_services.update_product(actor=None, sku="DRL-300", changes={"name": "Impact wrench 12 V"})
    snapshot = snapshots.get("b2b", "en")
    assert loads == [("b2b", "en")]
    assert snapshot.holes == 1
    outcome = engine.search(channel_code="b2b", locale="en", assortment_id=None, query="impact")
    assert [snapshot.skus[p] for p in outcome.positions] == ["DRL-300"]
    drills = engine.search(channel_code="b2b", locale="en", assortment_id=None, query="drill driver")
    assert "DRL-300" not in [snapshot.skus[p] for p in drills.positions]
    assert loads == [("b2b", "en")]
    _assert_same_as_loaded_anew()


def test_price_and_stock_changes_catch_up(
    search_catalog: Any, django_capture_on_commit_callbacks: Any, loads: list[tuple[str, str]]
) -> None:
    _answers("b2b", "en")
    with django_capture_on_commit_callbacks(execute=True):
        pricing_services.set_price_entries(
            actor=None,
            price_list_code="base",
            entries=[pricing_services.EntryInput(sku="HAM-2", unit_price=Decimal("5.00"))],
        )
        inventory_services.bulk_update_stock(
            actor=None, updates=[inventory_services.StockUpdate(sku="SCR-1", source_code="main", on_hand=0)]
        )
    cheapest = engine.search(channel_code="b2b", locale="en", assortment_id=None, sort="price_asc")
    snapshot = cheapest.snapshot
    assert snapshot is not None
    assert snapshot.skus[cheapest.positions[0]] == "HAM-2"
    in_stock = engine.search(
        channel_code="b2b", locale="en", assortment_id=None, filters={"availability": ["in_stock"]}
    )
    assert "SCR-1" not in [snapshot.skus[p] for p in in_stock.positions]
    under_ten = engine.search(
        channel_code="b2b", locale="en", assortment_id=None, filters={"price": {"min": 0, "max": 10}}
    )
    assert [snapshot.skus[p] for p in under_ten.positions] == ["HAM-2"]
    assert loads == [("b2b", "en")]
    _assert_same_as_loaded_anew()


def test_deleted_and_hidden_products_disappear(
    search_catalog: Any, django_capture_on_commit_callbacks: Any, loads: list[tuple[str, str]]
) -> None:
    _answers("b2b", "en")
    _answers("b2c", "nl")
    with django_capture_on_commit_callbacks(execute=True):
        catalog_services.delete_product(actor=None, sku="HAM-2")
        catalog_services.update_product(actor=None, sku="SAW-1", changes={"status": "archived"})
    for channel_code, locale, query in (("b2b", "en", "hammer"), ("b2b", "en", "saw"), ("b2c", "nl", "zaag")):
        outcome = engine.search(channel_code=channel_code, locale=locale, assortment_id=None, query=query)
        assert outcome.snapshot is not None
        found = {outcome.snapshot.skus[p] for p in outcome.positions}
        assert not found & {"HAM-2", "SAW-1"}
    everything = engine.search(channel_code="b2b", locale="en", assortment_id=None, page_size=100)
    assert everything.snapshot is not None
    assert not {everything.snapshot.skus[p] for p in everything.positions} & {"HAM-2", "SAW-1"}
    assert everything.snapshot.sku_positions.get("SAW-1") is None
    assert loads == [("b2b", "en"), ("b2c", "nl")]
    assert SearchRemoval.objects.filter(channel_code="b2b", locale="en").count() == 2
    _assert_same_as_loaded_anew()
    _assert_same_as_loaded_anew("b2c", "nl")


def test_sales_counts_catch_up(search_catalog: Any, loads: list[tuple[str, str]]) -> None:
    _answers("b2b", "en")
    indexing.add_sales({"SCR-1": 5})
    best = engine.search(channel_code="b2b", locale="en", assortment_id=None, sort="best_selling")
    assert best.snapshot is not None
    assert best.snapshot.skus[best.positions[0]] == "SCR-1"
    assert loads == [("b2b", "en")]
    _assert_same_as_loaded_anew()


def test_a_new_product_with_new_words_and_facets(
    search_catalog: Any, django_capture_on_commit_callbacks: Any, loads: list[tuple[str, str]]
) -> None:
    _answers("b2b", "en")
    with django_capture_on_commit_callbacks(execute=True):
        catalog_services.create_product(
            actor=None,
            record=product(
                "WRN-1",
                "Impact wrench 18 V",
                category="tools/drills",
                brand="makita",
                channels=("b2b",),
                **{"attr.power": "1100"},
            ),
        )
    outcome = engine.search(channel_code="b2b", locale="en", assortment_id=None, query="wrench")
    assert outcome.snapshot is not None
    assert [outcome.snapshot.skus[p] for p in outcome.positions] == ["WRN-1"]
    assert loads == [("b2b", "en")]
    _assert_same_as_loaded_anew()


def test_a_full_reindex_loads_anew(search_catalog: Any, loads: list[tuple[str, str]]) -> None:
    _answers("b2b", "en")
    indexing.reindex_all()
    assert not SearchRemoval.objects.exists()
    _answers("b2b", "en")
    assert loads == [("b2b", "en"), ("b2b", "en")]


def test_far_behind_loads_anew(search_catalog: Any, loads: list[tuple[str, str]]) -> None:
    _answers("b2b", "en")
    indexing.index_products(indexing.product_ids_for_skus(["DRL-100"]))
    # The removals this process would need were pruned meanwhile.
    SearchIndexState.objects.update(removals_since=F("revision"))
    _answers("b2b", "en")
    assert loads == [("b2b", "en"), ("b2b", "en")]


def test_old_removals_are_pruned(search_catalog: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(indexing, "REMOVALS_KEPT", 3)
    product_ids = indexing.product_ids_for_skus(["DRL-100"])
    for _ in range(2 * indexing.REMOVALS_KEPT + 5):
        indexing.index_products(product_ids)
    state = SearchIndexState.objects.get(channel_code="b2b", locale="en")
    assert state.removals_since > 0
    assert not SearchRemoval.objects.filter(channel_code="b2b", locale="en", revision__lt=state.removals_since)
    assert SearchRemoval.objects.filter(channel_code="b2b", locale="en").count() <= 2 * indexing.REMOVALS_KEPT
