"""Every import error is reported with its line, column and reason; rejected rows write nothing."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from handel.catalog.importing import import_products
from handel.catalog.models import Product
from handel.catalog.records import COLUMNS

HEADER = [
    "sku",
    "kind",
    "status",
    "name",
    "template",
    "brand",
    "gtin",
    "channels",
    "categories",
    "parent_sku",
    "variant_attributes",
    "kit_components",
    "relations",
    "attr.power",
    "attr.colour",
    "attr.material.nl",
    "cost_price",
    "min_order_qty",
]


def _csv(*rows: dict[str, str]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=HEADER, restval="", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return out.getvalue()


def ok(sku: str, **fields: str) -> dict[str, str]:
    row = {
        "sku": sku,
        "status": "active",
        "name": sku,
        "template": "drill",
        "attr.power": "500",
        "channels": "b2b",
        "categories": "tools",
    }
    row.update(fields)
    return row


BAD_ROWS = [
    (ok("A1", gtin="4006381333932"), "gtin", "check digit should be 1"),
    (ok("A2", kind="gadget"), "kind", "must be one of 'simple', 'configurable', 'variant', 'bundle', 'kit', 'virtual'"),
    (ok("A3", **{"attr.power": "fast"}), "attr.power", "must be a decimal number like 12.50"),
    (ok("A4", **{"attr.power": ""}), "attr.power", "required by product template 'drill'"),
    (ok("A5", brand="nobrand"), "brand", "unknown brand 'nobrand'"),
    (ok("A6", channels="b2b|moon"), "channels", "unknown channel 'moon'"),
    (ok("A7", categories="tools/none"), "categories", "unknown category 'tools/none'"),
    (ok("A8", parent_sku="MISSING"), "parent_sku", "no product 'MISSING'"),
    (ok("A9", kind="kit", kit_components="MISSING*2"), "kit_components", "no product 'MISSING'"),
    (
        ok("A10", relations="related"),
        "relations",
        "'related' is not kind:SKU or kind:SKU:mutual with kind one of related, up_sell, cross_sell, accessory, "
        "replacement_part",
    ),
    (ok("A11", **{"attr.colour": "red"}), "attr.colour", "product template 'drill' has no attribute 'colour'"),
    (ok("A12", cost_price="1.23456"), "cost_price", "at most 4 decimal places"),
    (ok("A13", min_order_qty="0"), "min_order_qty", "must be between 1 and 2147483647"),
    (
        ok("A14", **{"attr.colour": "purple", "template": ""}),
        "attr.colour",
        "unknown option 'purple' of attribute 'colour'",
    ),
    (ok("", name="x"), "sku", "is required"),
    (
        ok("A16", kind="configurable"),
        "variant_attributes",
        "a configurable product needs at least one variant attribute",
    ),
]


@pytest.mark.django_db
def test_each_error_is_reported_exactly_and_valid_rows_go_in(catalog):
    rows = [ok("GOOD-1")] + [row for row, _, _ in BAD_ROWS] + [ok("GOOD-2", relations="related:GOOD-1")]
    report = import_products(text=_csv(*rows), format="csv")
    errors = [(e.line, e.column, e.reason) for e in report.errors]
    expected = [(line, column, reason) for line, (_, column, reason) in enumerate(BAD_ROWS, start=3)]
    assert errors == expected
    assert (report.created, report.rejected) == (2, len(BAD_ROWS))
    assert set(Product.objects.values_list("sku", flat=True)) == {"GOOD-1", "GOOD-2"}


@pytest.mark.django_db
def test_a_row_referring_to_a_rejected_row_is_rejected_too(catalog):
    text = _csv(ok("KIT", kind="kit", kit_components="PART"), ok("PART", gtin="1"))
    report = import_products(text=text, format="csv")
    assert [(e.line, e.column) for e in report.errors] == [(2, "kit_components"), (3, "gtin")]
    assert not Product.objects.exists()


@pytest.mark.django_db
def test_duplicate_skus_unknown_columns_and_bad_cells(catalog):
    text = 'sku,name,colour_of_sky\nX1,One,blue\nX1,Two,\n"X2,Three\n'
    report = import_products(text=text, format="csv")
    reasons = [(e.line, e.column, e.reason) for e in report.errors]
    assert (2, "colour_of_sky", "unknown column") in reasons
    assert (3, "sku", "SKU given twice (first on line 2)") in reasons
    assert any(line == 4 for line, _, _ in reasons)


@pytest.mark.django_db
def test_json_lines_errors_name_json_fields(catalog):
    lines = [
        json.dumps({"sku": "J1", "name": "J", "template": "drill", "attributes": {"power": "x"}}),
        "not json",
        "[1]",
        json.dumps({"sku": "J2", "name": "J", "translations": {"nl": {"name": 5}}, "gtin": "123"}),
    ]
    report = import_products(text="\n".join(lines), format="jsonl")
    assert [(e.line, e.column) for e in report.errors] == [(1, "attributes.power"), (2, ""), (3, ""), (4, "gtin")]


@pytest.mark.django_db
def test_dry_run_writes_nothing_but_counts(catalog):
    report = import_products(text=_csv(ok("D1"), ok("D2")), format="csv", dry_run=True)
    assert (report.created, report.rejected, report.dry_run) == (2, 0, True)
    assert not Product.objects.exists()


@pytest.mark.django_db
def test_management_command(catalog, tmp_path, capsys):
    source = tmp_path / "in.csv"
    source.write_text(_csv(ok("M1"), ok("M2", gtin="5")))
    with pytest.raises(CommandError):
        call_command("catalog", "import", str(source), verbosity=0)
    assert list(Product.objects.values_list("sku", flat=True)) == ["M1"]
    target = tmp_path / "out.jsonl"
    call_command("catalog", "export", str(target), verbosity=0)
    assert json.loads(target.read_text().splitlines()[0])["sku"] == "M1"
    call_command("catalog", "import", str(target), "--dry-run", verbosity=0)
    assert "0 would be created, 0 would be updated, 1 unchanged" in capsys.readouterr().out


@pytest.mark.django_db
def test_import_job_through_the_api(catalog, make_user, api_for):
    client = api_for(make_user(superuser=True), scopes=("catalog:write", "catalog:read"))
    response = client.call(
        "post", "/catalog/imports", {"format": "csv", "content": _csv(ok("API-1"), ok("API-2", gtin="9"))}
    )
    assert response.status_code == 202, response.content
    job = response.json()
    assert job["status"] == "done"
    assert job["report"]["created"] == 1
    assert job["report"]["errors"] == [{"line": 3, "column": "gtin", "reason": "a GTIN has 8, 12, 13 or 14 digits"}]
    again = client.call("get", f"/catalog/imports/{job['id']}").json()
    assert again == job
    exported = client.call("get", "/catalog/export?format=csv")
    assert exported.status_code == 200
    header = exported.content.decode().splitlines()[0].split(",")
    assert header[: len(COLUMNS)] == COLUMNS
    assert "API-1" in exported.content.decode()
