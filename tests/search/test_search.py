from __future__ import annotations

from typing import Any

import pytest

from handel.search import queries
from handel.search.models import SearchDocument

pytestmark = pytest.mark.django_db


def skus(result: dict[str, Any]) -> list[str]:
    return [hit["sku"] for hit in result["hits"]]


def search(query: str = "", channel: str = "b2b", **options: Any) -> dict[str, Any]:
    options.setdefault("locale", "en")
    return queries.search_products(channel_code=channel, query=query, **options)


def test_the_index_follows_the_catalog_events(search_catalog: Any) -> None:
    documents = SearchDocument.objects.filter(channel_code="b2b", locale="en")
    assert sorted(documents.values_list("sku", flat=True)) == sorted(
        ["DRL-100", "DRL-200", "DRL-300", "HAM-1", "HAM-2", "SAW-1", "BIT-1", "SCR-1", "PRESS-1"]
    )
    drill = documents.get(sku="DRL-100")
    assert str(drill.price) == "129.00"
    assert drill.availability == "in_stock"
    assert documents.get(sku="HAM-2").availability == "out_of_stock"


def test_exact_sku_mpn_and_gtin_come_first(search_catalog: Any) -> None:
    assert skus(search("DRL-200"))[0] == "DRL-200"
    assert skus(search("drl200"))[0] == "DRL-200"
    assert skus(search("HSS-10"))[0] == "BIT-1"
    assert skus(search("4006381333931")) == ["DRL-100"]


def test_name_ranks_above_description(search_catalog: Any) -> None:
    found = skus(search("drill"))
    assert set(found[:4]) == {"DRL-100", "DRL-200", "DRL-300", "PRESS-1"}
    assert "SAW-1" in found  # only its description says "drill"
    assert found.index("SAW-1") > found.index("BIT-1")


def test_drafts_and_other_channels_are_never_found(search_catalog: Any) -> None:
    assert "SECRET-1" not in skus(search("prototype drill"))
    assert skus(search("prototype")) == []
    assert "PRESS-1" not in skus(search("drill press", channel="b2c"))
    assert skus(search("drill press"))[0] == "PRESS-1"


def test_typos_are_corrected_without_drowning_exact_matches(search_catalog: Any) -> None:
    corrected = search("drlil")
    assert {"DRL-100", "DRL-200", "DRL-300"} <= set(skus(corrected)[:4])
    assert corrected["did_you_mean"] == "drill"
    hammers = search("hamer")
    assert set(skus(hammers)) == {"HAM-1", "HAM-2", "DRL-200"}  # "Hammer drill" has the word in its name too
    assert hammers["did_you_mean"] == "hammer"
    exact = search("hammer")
    assert exact["did_you_mean"] is None
    assert set(skus(exact)) == {"HAM-1", "HAM-2", "DRL-200"}


def test_prefix_match_on_the_last_word(search_catalog: Any) -> None:
    assert set(skus(search("screwd"))) == {"SCR-1"}
    assert skus(search("circular sa")) == ["SAW-1"]


def test_multi_word_queries_need_every_word(search_catalog: Any) -> None:
    assert skus(search("hammer drill"))[0] == "DRL-200"
    assert set(skus(search("bosch drill"))) == {"DRL-100", "DRL-300", "SAW-1"}


def test_dutch_stemming_in_a_dutch_channel(search_catalog: Any) -> None:
    found = search("boormachines", channel="b2c", locale="nl")
    assert skus(found)[0] == "DRL-300"  # "Compacte boormachine": the word in the name
    assert {"DRL-100", "DRL-200"} <= set(skus(found))  # through their category "Boormachines"
    assert skus(search("schroevendraaiers", channel="b2c", locale="nl")) == ["SCR-1"]


def test_sorting_and_pagination(search_catalog: Any) -> None:
    by_price = skus(search(sort="price_asc", page_size=20))
    assert by_price == ["HAM-1", "BIT-1", "SCR-1", "HAM-2", "DRL-300", "DRL-100", "SAW-1", "DRL-200", "PRESS-1"]
    assert skus(search(sort="price_desc")) == list(reversed(by_price))
    assert skus(search(sort="name")) == [
        "SAW-1",
        "HAM-1",
        "DRL-300",
        "DRL-100",
        "DRL-200",
        "BIT-1",
        "PRESS-1",
        "SCR-1",
        "HAM-2",
    ]
    third = search(sort="price_asc", page=3, page_size=4)
    assert skus(third) == ["PRESS-1"]
    assert third["meta"] == {"page": 3, "page_size": 4, "total": 9, "pages": 3}
    assert skus(search("drill", sort="price_asc"))[:2] == ["BIT-1", "DRL-300"]


def test_newest_and_best_selling(search_catalog: Any, django_capture_on_commit_callbacks: Any) -> None:
    from handel.catalog import services as catalog_services
    from handel.search import events

    with django_capture_on_commit_callbacks(execute=True):
        catalog_services.create_product(
            actor=None,
            record={
                "sku": "NEW-1",
                "kind": "simple",
                "status": "active",
                "name": "Brand new level",
                "template": "tool",
                "channels": ["b2b"],
                "categories": ["tools/hand-tools"],
            },
        )
    assert skus(search(sort="newest"))[0] == "NEW-1"
    events.on_products_sold({"units": {"HAM-2": 5, "SCR-1": 2}})
    assert skus(search(sort="best_selling"))[:2] == ["HAM-2", "SCR-1"]
    assert skus(search())[:2] == ["HAM-2", "SCR-1"]  # without a query, relevance is best-selling first


def facet(result: dict[str, Any], code: str) -> dict[str, int]:
    found = next(item for item in result["facets"] if item["code"] == code)
    return {value["value"]: value["count"] for value in found["values"]}


def test_disjunctive_facet_counts(search_catalog: Any) -> None:
    # "drill" matches DRL-100/200/300, PRESS-1, BIT-1 (names) and SAW-1 (description) in b2b.
    plain = search("drill")
    assert plain["total"] == 6
    assert facet(plain, "brand") == {"bosch": 3, "makita": 2, "acme": 1}
    bosch = search("drill", filters={"brand": ["bosch"]})
    assert set(skus(bosch)) == {"DRL-100", "DRL-300", "SAW-1"}
    assert facet(bosch, "brand") == {"bosch": 3, "makita": 2, "acme": 1}  # its own choice not applied
    assert facet(bosch, "attr.features") == {"led": 2, "hammer": 1}
    assert facet(bosch, "availability") == {"in_stock": 2, "out_of_stock": 1}
    both = search("drill", filters={"brand": ["bosch", "makita"], "attributes": {"features": ["led"]}})
    assert set(skus(both)) == {"DRL-100", "DRL-300"}
    assert facet(both, "brand") == {"bosch": 2, "makita": 0}  # a selected value stays, even at 0
    assert facet(both, "attr.features") == {"led": 2, "hammer": 2}
    assert both["applied_filters"] == {"brand": ["bosch", "makita"], "attributes": {"features": ["led"]}}


def test_category_page_counts_per_subcategory(search_catalog: Any) -> None:
    page = search(filters={"category": ["tools"]})
    assert page["total"] == 9
    categories = next(item for item in page["facets"] if item["code"] == "category")
    assert categories["parent"] == "tools"
    assert facet(page, "category") == {
        "tools/drills": 4,
        "tools/hand-tools": 3,
        "tools/saws": 1,
        "tools/accessories": 1,
    }
    drills = search(filters={"category": ["tools/drills"]})
    assert set(skus(drills)) == {"DRL-100", "DRL-200", "DRL-300", "PRESS-1"}


def test_price_and_numeric_ranges(search_catalog: Any) -> None:
    everything = search()
    assert facet(everything, "price") == {"-20": 1, "20-25": 1, "25-100": 3, "100-200": 2, "200-": 2}
    assert facet(everything, "attr.power") == {"-500": 1, "500-1000": 3, "1000-": 1}
    cheap = search(filters={"price": {"min": 20, "max": 100}})
    assert set(skus(cheap)) == {"BIT-1", "SCR-1", "HAM-2", "DRL-300"}
    strong = search(filters={"attributes": {"power": {"min": 700}}})
    assert set(skus(strong)) == {"DRL-200", "SAW-1", "PRESS-1"}


def test_assortment_limits_hits_and_facets(search_catalog: Any) -> None:
    guest = search("drill", channel="b2c")
    assert set(skus(guest)) == {"DRL-100", "DRL-200", "DRL-300", "BIT-1", "SAW-1"}
    wholesale = search("drill", channel="b2c", customer_group_code="wholesale")
    assert set(skus(wholesale)) == {"DRL-100", "SAW-1"}
    assert wholesale["total"] == 2
    assert facet(wholesale, "brand") == {"bosch": 2}
    assert sum(facet(search(channel="b2c", customer_group_code="wholesale"), "category").values()) == 5
    nothing = search("drill", channel="b2c", assortment_code="no-such-assortment")
    assert nothing["total"] == 0 and facet(nothing, "brand") == {}


def test_a_typo_hidden_by_stemming_is_corrected(search_catalog: Any) -> None:
    # "screwdrver" stems to itself, "screwdriver" to "screwdriv": two edits apart as stems, one as words.
    found = search("screwdrver")
    assert skus(found) == ["SCR-1"]
    assert found["did_you_mean"] == "screwdriver"
