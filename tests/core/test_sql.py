"""Thousands of keys as one parameter: the same rows as an IN list, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from handel.catalog import services as catalog_services
from handel.catalog.models import Product
from handel.core.sql import among, values_subquery


@pytest.mark.django_db
def test_among_finds_what_an_in_list_finds(channels):
    for sku in ("A", "B", "C"):
        catalog_services.create_product(actor=None, record={"sku": sku, "kind": "simple", "name": sku})
    wanted = ["A", "C", "NOPE", "it's"]
    found = set(Product.objects.filter(sku__in=among(wanted, db_type="varchar")).values_list("sku", flat=True))
    assert found == {"A", "C"}
    ids = list(Product.objects.filter(sku__in=["A", "B"]).values_list("pk", flat=True))
    assert Product.objects.filter(pk__in=among(ids)).count() == 2


@pytest.mark.parametrize("db_type", ["int[]); DROP TABLE x; --", "", "Varchar", "varchar(64"])
def test_only_a_type_name_goes_into_the_sql(db_type):
    with pytest.raises(ValueError, match="not a type name"):
        values_subquery([1], db_type=db_type)
