"""Ranking: a query naming a category ranks that category's products first; a yes/no property that
holds ("Waterproof: yes") makes the product findable by the property's name."""

from __future__ import annotations

from typing import Any

import pytest

from handel.catalog import services as catalog_services
from handel.search import queries
from handel.search.snapshot import Snapshot
from tests.search.conftest import product

pytestmark = pytest.mark.django_db


def skus(query: str, channel_code: str = "b2b", locale: str = "en") -> list[str]:
    return [
        hit["sku"] for hit in queries.search_products(channel_code=channel_code, query=query, locale=locale)["hits"]
    ]


def test_a_category_word_ranks_that_categorys_products_first(search_catalog: Any) -> None:
    found = skus("drills")
    # "HSS drill bit set" has the word in its name but sits in Accessories: after the drills.
    assert set(found[:4]) == {"DRL-100", "DRL-200", "DRL-300", "PRESS-1"}
    assert found.index("BIT-1") == 4
    assert set(skus("boormachines", "b2c", "nl")[:3]) == {"DRL-100", "DRL-200", "DRL-300"}


def test_a_yes_no_property_that_holds_is_searchable(
    search_catalog: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        catalog_services.create_attribute(
            actor=None, code="waterproof", name="Waterproof", type="boolean", is_filterable=True
        )
        catalog_services.create_template(actor=None, code="outdoor", name="Outdoor", attributes=[("waterproof", False)])
        for sku, name, waterproof in (("LMP-1", "Site lamp", "yes"), ("LMP-2", "Work lamp", "no")):
            catalog_services.create_product(
                actor=None,
                record=product(
                    sku, name, category="tools/accessories", template="outdoor", **{"attr.waterproof": waterproof}
                ),
            )
    assert skus("lamp") == ["LMP-1", "LMP-2"]
    assert skus("waterproof") == ["LMP-1"]
    assert skus("waterproof lamp") == ["LMP-1"]


def test_a_page_of_hits_sorts_by_each_positions_place_in_the_order():
    table = Snapshot(channel_code="b2c", locale="en", revision=1, size=4, orders={"name": [2, 0, 3, 1]})
    assert table.rank_of("name") == [1, 3, 0, 2]
    assert sorted([1, 2, 3], key=table.rank_of("name").__getitem__) == [2, 3, 1]
