"""A revision's token changes with every write to its tables, whoever writes, and only then."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection, transaction

from handel.catalog import services as catalog_services
from handel.catalog.models import Product
from handel.catalog.queries import FACTS_REVISION
from handel.core import revisions
from handel.pricing import services as pricing_services
from handel.pricing.models import PriceListEntry

pytestmark = pytest.mark.django_db


def token(name: str) -> int | None:
    return revisions.tokens([name])[0]


def product(sku: str = "REV-1") -> Product:
    return catalog_services.create_product(
        actor=None, record={"sku": sku, "kind": "simple", "status": "active", "name": "Revision test"}
    )


def test_every_kind_of_write_changes_the_token():
    before = token(FACTS_REVISION)
    made = product()
    after_insert = token(FACTS_REVISION)
    assert after_insert is not None and after_insert != before
    Product.objects.filter(pk=made.pk).update(cost_price=Decimal("3.00"))  # behind the services' back
    after_update = token(FACTS_REVISION)
    assert after_update != after_insert
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM catalog_productchannel WHERE product_id = %s", [made.pk])
        cursor.execute("DELETE FROM catalog_product WHERE id = %s", [made.pk])
    assert token(FACTS_REVISION) not in (after_insert, after_update)


def test_a_column_the_facts_do_not_hold_leaves_the_token_alone():
    made = product()
    before = token(FACTS_REVISION)
    Product.objects.filter(pk=made.pk).update(description="Longer words", mpn="X-1")
    assert token(FACTS_REVISION) == before


def test_revisions_are_apart():
    pricing_before = token("pricing")
    product()
    assert token("pricing") == pricing_before
    pricing_services.create_price_list(actor=None, code="rev", name="Rev", currency="EUR")
    assert token("pricing") != pricing_before


def test_a_rolled_back_write_leaves_the_token_as_it_was():
    pricing_services.create_price_list(actor=None, code="rev", name="Rev", currency="EUR")
    before = token("pricing")
    with pytest.raises(RuntimeError), transaction.atomic():
        pricing_services.set_price_entries(
            actor=None, price_list_code="rev", entries=[pricing_services.EntryInput("X", Decimal("1.00"))]
        )
        assert token("pricing") != before  # the transaction sees its own write
        raise RuntimeError("roll back")
    assert token("pricing") == before
    assert not PriceListEntry.objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no TRUNCATE")
@pytest.mark.django_db(transaction=True)  # TRUNCATE refuses a table with deferred checks pending
def test_truncate_changes_the_token_on_postgresql():
    pricing_services.create_price_list(actor=None, code="rev", name="Rev", currency="EUR")
    pricing_services.set_price_entries(
        actor=None, price_list_code="rev", entries=[pricing_services.EntryInput("X", Decimal("1.00"))]
    )
    before = token("pricing")
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE pricing_pricelistentry")
    assert token("pricing") != before


@pytest.mark.parametrize("name", ["bad name", "x'); DROP TABLE y; --", "Upper"])
def test_only_plain_names_make_triggers(name):
    with pytest.raises(ValueError, match="plain name"):
        revisions.track(name, {"catalog_product": ()})
    with pytest.raises(ValueError, match="plain name"):
        revisions.track("ok", {name: ()})


def test_every_column_product_facts_reads_is_tracked():
    """`catalog.queries.product_facts` and the catalog's revision triggers must stay in step: a
    column it reads that no trigger watches would leave pricing with stale facts."""
    import importlib

    from handel.catalog.queries import PRODUCT_FACT_COLUMNS

    tracked = importlib.import_module("handel.catalog.migrations.0003_facts_revision").FACT_TABLES
    for name in PRODUCT_FACT_COLUMNS:
        model, *path, last = [Product, *name.split("__")]
        for step in path:
            field = model._meta.get_field(step)
            assert field.column in tracked[model._meta.db_table] or not tracked[model._meta.db_table], name
            model = field.related_model
        field = model._meta.get_field(last)
        if field.primary_key:
            continue  # never updated: inserts and deletes are tracked
        assert field.column in tracked[model._meta.db_table] or not tracked[model._meta.db_table], name
