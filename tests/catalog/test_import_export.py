from __future__ import annotations

import io

import pytest

from handel.catalog.importing import export_products, import_products
from handel.catalog.models import BundleOptionGroup, KitComponent, Product, ProductRelation


def wipe_products() -> None:
    BundleOptionGroup.objects.all().delete()
    KitComponent.objects.all().delete()
    Product.objects.all().delete()


def _export(format: str) -> str:
    out = io.StringIO()
    export_products(out, format=format)
    return out.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize("format", ["csv", "jsonl"])
def test_every_kind_round_trips_and_reimport_changes_nothing(products, format):
    first = _export(format)
    report = import_products(text=first, format=format)
    assert report.errors == []
    assert (report.created, report.updated, report.unchanged) == (0, 0, len(products))
    wipe_products()
    report = import_products(text=first, format=format)
    assert report.errors == [], report.errors
    assert report.created == len(products)
    assert _export(format) == first
    again = import_products(text=first, format=format)
    assert (again.created, again.updated, again.unchanged) == (0, 0, len(products))


@pytest.mark.django_db
def test_every_kind_is_stored(products):
    kinds = {p.sku: p.kind for p in Product.objects.all()}
    assert kinds == {
        "DRL-1": "simple",
        "DRL-2": "simple",
        "TEE": "configurable",
        "TEE-RED-S": "variant",
        "TEE-BLUE-M": "variant",
        "KIT-1": "kit",
        "BUN-1": "bundle",
        "SW-1": "virtual",
        "DL-1": "virtual",
    }
    # DRL-2 -> DRL-1 is mutual, so DRL-1 -> DRL-2 exists too.
    assert ProductRelation.objects.filter(
        source__sku="DRL-1", target__sku="DRL-2", kind="cross_sell", is_mutual=True
    ).exists()
