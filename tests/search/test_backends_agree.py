"""The same top results on SQLite (FTS5) and PostgreSQL (tsvector): this test holds the expected top 3
per query and runs on both databases (CI runs the suite on each), so passing twice means agreement.
Matching is the databases' work; ranking is shared Python code over the same stemmed terms."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from handel.search import queries

pytestmark = pytest.mark.django_db

EXPECTED_TOP_3 = [
    ("b2b/en/drill", ["PRESS-1", "DRL-200", "DRL-300"]),
    ("b2b/en/DRL-200", ["DRL-200"]),
    ("b2b/en/hammer", ["DRL-200", "HAM-1", "HAM-2"]),
    ("b2b/en/hamer", ["DRL-200", "HAM-1", "HAM-2"]),
    ("b2b/en/drlil", ["PRESS-1", "DRL-200", "DRL-300"]),
    ("b2b/en/bosch", ["DRL-300", "SAW-1", "DRL-100"]),
    ("b2b/en/bosch drill", ["DRL-300", "DRL-100", "SAW-1"]),
    ("b2b/en/saw", ["SAW-1"]),
    ("b2b/en/screwd", ["SCR-1"]),
    ("b2b/en/drill bit", ["BIT-1"]),
    ("b2b/en/claw hammer", ["HAM-1"]),
    ("b2b/en/makita", ["PRESS-1", "DRL-200"]),
    ("b2b/en/cordless", ["DRL-100"]),
    ("b2b/en/concrete", ["DRL-200"]),
    ("b2b/en/gsr18-55", ["DRL-100"]),
    ("b2c/nl/boormachine", ["DRL-300", "DRL-100", "DRL-200"]),
    ("b2c/nl/klauwhamer", ["HAM-1"]),
    ("b2c/nl/zaag", ["SAW-1"]),
    ("b2c/en/t-shirt", ["APP-1", "APP-2"]),
    ("b2c/en/organic", ["APP-1"]),
    ("b2c/nl/gereedschap", ["SCR-1", "DRL-300", "DRL-100"]),
    ("b2b/en/steel", ["HAM-1"]),
    ("b2b/en/hand tools", ["SCR-1", "HAM-1", "HAM-2"]),
    ("b2b/en/1400", ["SAW-1"]),
]


def test_every_query_gives_the_expected_top_3(search_catalog: Any) -> None:
    differing = []
    for key, expected in EXPECTED_TOP_3:
        channel, locale, query = key.split("/", 2)
        hits = queries.search_products(channel_code=channel, locale=locale, query=query)["hits"]
        if [hit["sku"] for hit in hits[:3]] != expected:
            differing.append((key, [hit["sku"] for hit in hits[:3]], expected))
    agreement = 1 - len(differing) / len(EXPECTED_TOP_3)
    assert agreement >= 0.9, (connection.vendor, differing)
    assert differing == [], (connection.vendor, differing)
