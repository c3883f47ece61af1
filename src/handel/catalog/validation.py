"""Checking product records (from CSV, JSON Lines or the API) before anything is written.

Every problem is reported with the record's line, the column and a reason. A record with any
problem is rejected as a whole; records that refer to a rejected record are rejected in turn.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from handel.catalog.gtin import gtin_problem
from handel.catalog.models import Attribute, Brand, Category, Product, ProductRelation, ProductTemplate
from handel.catalog.records import (
    ATTRIBUTE_PREFIX,
    KNOWN_COLUMNS,
    LIST_SEPARATOR,
    TRANSLATED_LOCALE,
    Record,
    canonical_decimal,
    category_cell,
    is_empty,
    relation_cell,
    summary_strings,
)
from handel.channels.queries import active_channels
from handel.core.whole_numbers import whole_number

SKU_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$")
CODE_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
MAX_TEXT = 300
MAX_INTEGER = 2**31 - 1
# Django computes a Choices class's `values` anew on every access; rows are checked by the thousand.
PRODUCT_KINDS = tuple(Product.Kind.values)
PRODUCT_STATUSES = tuple(Product.Status.values)
RELATION_KINDS = tuple(ProductRelation.Kind.values)


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "column": self.column, "reason": self.reason}


@dataclass
class CheckedRecord:
    line: int
    record: Record
    errors: list[RowError] = field(default_factory=list)


class Catalog:
    """The reference data records are checked against, loaded once per batch."""

    def __init__(self) -> None:
        self.attributes = {a.code: a for a in Attribute.objects.prefetch_related("options")}
        self.options = {
            code: {option.code: option for option in attribute.options.all()}
            for code, attribute in self.attributes.items()
        }
        self.templates: dict[str, tuple[ProductTemplate, set[str], set[str]]] = {}
        for template in ProductTemplate.objects.prefetch_related("template_attributes__attribute"):
            links = list(template.template_attributes.all())
            self.templates[template.code] = (
                template,
                {link.attribute.code for link in links},
                {link.attribute.code for link in links if link.is_required},
            )
        self.brands = dict(Brand.objects.values_list("code", "id"))
        self.categories = dict(Category.objects.values_list("path", "id"))
        self.channels = {code: channel.id for code, channel in active_channels().items()}


class Cleaner:
    """Turns one raw record into its canonical form, collecting errors by column."""

    def __init__(self, raw: Record, line: int, catalog: Catalog) -> None:
        self.raw = raw
        self.line = line
        self.catalog = catalog
        self.errors: list[RowError] = []

    def error(self, column: str, reason: str) -> None:
        self.errors.append(RowError(self.line, column, reason))

    def text(self, column: str, *, max_length: int | None = MAX_TEXT, required: bool = False) -> str:
        value = self.raw.get(column)
        if value is None:
            value = ""
        if isinstance(value, (dict, list, bool)):
            self.error(column, "must be text")
            return ""
        value = str(value).strip()
        if "\x00" in value:
            self.error(column, "contains a NUL character")
            return ""
        if required and not value:
            self.error(column, "is required")
        elif max_length and len(value) > max_length:
            self.error(column, f"at most {max_length} characters")
        return value

    def choice(self, column: str, choices: Iterable[str], default: str) -> str:
        value = self.text(column) or default
        allowed = list(choices)
        if value not in allowed:
            self.error(column, f"must be one of {', '.join(repr(c) for c in allowed)}")
        return value

    def integer(self, column: str, *, minimum: int = 0, default: int | None = None) -> int | None:
        value = self.raw.get(column)
        if is_empty(value):
            return default
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            self.error(column, "must be a whole number")
            return default
        try:
            number = int(str(value).strip())
        except ValueError:
            self.error(column, "must be a whole number")
            return default
        if not minimum <= number <= MAX_INTEGER:
            self.error(column, f"must be between {minimum} and {MAX_INTEGER}")
            return default
        return number

    def decimal(self, column: str, *, places: int, digits: int = 14, value: Any = "<raw>") -> str | None:
        if value == "<raw>":
            value = self.raw.get(column)
        if is_empty(value):
            return None
        if isinstance(value, (bool, dict, list)):
            self.error(column, "must be a decimal number")
            return None
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            self.error(column, "must be a decimal number like 12.50")
            return None
        if not number.is_finite() or number < 0:
            self.error(column, "must be a number of 0 or more")
            return None
        exponent = number.normalize().as_tuple().exponent
        if isinstance(exponent, int) and -exponent > places:
            self.error(column, f"at most {places} decimal places")
            return None
        if number >= Decimal(10) ** (digits - places):
            self.error(column, "is too large")
            return None
        return canonical_decimal(number)

    def items(self, column: str) -> list[str]:
        value = self.raw.get(column)
        if is_empty(value):
            return []
        if isinstance(value, str):
            parts = value.split(LIST_SEPARATOR)
        elif isinstance(value, list) and all(isinstance(item, str) for item in value):
            parts = value
        else:
            self.error(column, f"must be a list of texts (or texts separated by '{LIST_SEPARATOR}')")
            return []
        if any("\x00" in part for part in parts):
            self.error(column, "contains a NUL character")
            return []
        return [part.strip() for part in parts if part.strip()]

    def boolean(self, column: str, value: Any) -> bool | None:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in {"true", "1", "yes"}:
            return True
        if text in {"false", "0", "no"}:
            return False
        self.error(column, "must be true or false")
        return None


def clean_record(raw: Record, line: int, catalog: Catalog) -> CheckedRecord:
    """Check the fields of one record on their own (references to other SKUs come later)."""
    c = Cleaner(raw, line, catalog)
    unknown = [key for key in raw if key not in KNOWN_COLUMNS and not key.startswith(ATTRIBUTE_PREFIX)]
    for key in unknown:
        c.error(key, "unknown column")
    record: Record = {}
    sku = c.text("sku", max_length=None, required=True)
    if sku and not SKU_PATTERN.match(sku):
        c.error("sku", "1-64 letters, digits or . _ / - (starting with a letter or digit)")
    record["sku"] = sku
    record["parent_sku"] = c.text("parent_sku", max_length=64)
    record["kind"] = c.choice(
        "kind", PRODUCT_KINDS, Product.Kind.VARIANT if record["parent_sku"] else Product.Kind.SIMPLE
    )
    kind = record["kind"]
    record["status"] = c.choice("status", PRODUCT_STATUSES, Product.Status.DRAFT)
    record["template"] = c.text("template", max_length=50)
    if record["template"] and record["template"] not in catalog.templates:
        c.error("template", f"unknown product template '{record['template']}'")
    record["name"] = c.text("name", required=True)
    record["name_nl"] = c.text("name_nl")
    record["description"] = c.text("description", max_length=None)
    record["description_nl"] = c.text("description_nl", max_length=None)
    record["brand"] = c.text("brand", max_length=100)
    if record["brand"] and record["brand"] not in catalog.brands:
        c.error("brand", f"unknown brand '{record['brand']}'")
    record["mpn"] = c.text("mpn", max_length=100)
    record["gtin"] = c.text("gtin", max_length=None)
    if record["gtin"] and (problem := gtin_problem(record["gtin"])):
        c.error("gtin", problem)
    for dimension in ("weight_grams", "length_mm", "width_mm", "height_mm"):
        record[dimension] = c.integer(dimension)
    record["tax_class"] = c.text("tax_class", max_length=50) or "standard"
    record["unit"] = c.text("unit", max_length=20) or "piece"
    record["min_order_qty"] = c.integer("min_order_qty", minimum=1, default=1)
    record["order_increment"] = c.integer("order_increment", minimum=1, default=1)
    record["cost_price"] = c.decimal("cost_price", places=4)
    record["msrp"] = c.decimal("msrp", places=2)
    record["channels"] = sorted(set(c.items("channels")))
    for code in record["channels"]:
        if code not in catalog.channels:
            c.error("channels", f"unknown channel '{code}'")
    record["media"] = c.items("media")
    for reference in record["media"]:
        if len(reference) > 500:
            c.error("media", "a media reference has at most 500 characters")
    _clean_categories(c, record)
    _clean_relations(c, record)
    _clean_kind_specific(c, record, kind)
    _clean_attributes(c, record, kind)
    return CheckedRecord(line=line, record=record, errors=c.errors)


def _clean_categories(c: Cleaner, record: Record) -> None:
    cells = []
    seen = set()
    for cell in c.items("categories"):
        path, _, position = cell.partition("#")
        if path not in c.catalog.categories:
            c.error("categories", f"unknown category '{path}'")
            continue
        if path in seen:
            c.error("categories", f"category '{path}' given twice")
            continue
        seen.add(path)
        if position and whole_number(position) is None:
            c.error("categories", f"position of '{path}' must be a whole number")
            continue
        cells.append(category_cell(path, whole_number(position) or 0))
    record["categories"] = cells


def _clean_relations(c: Cleaner, record: Record) -> None:
    cells = []
    seen = set()
    for cell in c.items("relations"):
        parts = cell.split(":")
        if len(parts) not in (2, 3) or parts[0] not in RELATION_KINDS or (len(parts) == 3 and parts[2] != "mutual"):
            c.error(
                "relations",
                f"'{cell}' is not kind:SKU or kind:SKU:mutual with kind one of {', '.join(RELATION_KINDS)}",
            )
            continue
        if parts[1] == record["sku"]:
            c.error("relations", "a product cannot relate to itself")
            continue
        if (parts[0], parts[1]) in seen:
            c.error("relations", f"relation {parts[0]}:{parts[1]} given twice")
            continue
        seen.add((parts[0], parts[1]))
        cells.append(relation_cell(parts[0], parts[1], len(parts) == 3))
    record["relations"] = cells


def _clean_kind_specific(c: Cleaner, record: Record, kind: str) -> None:
    record["variant_attributes"] = c.items("variant_attributes")
    record["bundle_pricing"] = c.text("bundle_pricing", max_length=10)
    record["bundle_price"] = c.decimal("bundle_price", places=2)
    record["digital_delivery"] = c.text("digital_delivery", max_length=10)
    record["digital_file"] = c.text("digital_file", max_length=500)
    record["kit_components"] = _components(c)
    record["bundle_groups"] = _bundle_groups(c)
    if kind == Product.Kind.VARIANT and not record["parent_sku"]:
        c.error("parent_sku", "a variant needs the SKU of its configurable product")
    if kind != Product.Kind.VARIANT and record["parent_sku"]:
        c.error("parent_sku", "only variants have a parent")
    if kind == Product.Kind.CONFIGURABLE:
        if not record["variant_attributes"]:
            c.error("variant_attributes", "a configurable product needs at least one variant attribute")
        for code in record["variant_attributes"]:
            attribute = c.catalog.attributes.get(code)
            if attribute is None or not attribute.is_variant_defining:
                c.error("variant_attributes", f"'{code}' is not a variant-defining attribute")
    elif record["variant_attributes"]:
        c.error("variant_attributes", "only configurable products have variant attributes")
    if kind == Product.Kind.BUNDLE:
        if record["bundle_pricing"] not in ("fixed", "dynamic"):
            c.error("bundle_pricing", "a bundle is priced 'fixed' or 'dynamic'")
        elif record["bundle_pricing"] == "fixed" and record["bundle_price"] is None:
            c.error("bundle_price", "a fixed-price bundle needs its price")
        elif record["bundle_pricing"] == "dynamic" and record["bundle_price"] is not None:
            c.error("bundle_price", "a dynamic bundle is priced from its options; leave this empty")
        if not record["bundle_groups"]:
            c.error("bundle_groups", "a bundle needs at least one option group")
    else:
        for column in ("bundle_pricing", "bundle_price", "bundle_groups"):
            if not is_empty(record[column]):
                c.error(column, "only bundles have this")
    if kind == Product.Kind.KIT:
        if not record["kit_components"]:
            c.error("kit_components", "a kit needs at least one component")
    elif record["kit_components"]:
        c.error("kit_components", "only kits have components")
    if kind == Product.Kind.VIRTUAL:
        if record["digital_delivery"] not in ("file", "licence", "service"):
            c.error("digital_delivery", "a virtual product is delivered as 'file', 'licence' or 'service'")
        if record["digital_delivery"] == "file" and not record["digital_file"]:
            c.error("digital_file", "a download needs its file reference")
        if record["weight_grams"]:
            c.error("weight_grams", "a virtual product is not shipped and has no weight")
    else:
        for column in ("digital_delivery", "digital_file"):
            if record[column]:
                c.error(column, "only virtual products have this")


def _components(c: Cleaner) -> list[str]:
    cells = []
    seen = set()
    for cell in c.items("kit_components"):
        sku, _, quantity = cell.partition("*")
        if not quantity:
            quantity = "1"
        if (whole_number(quantity) or 0) < 1:
            c.error("kit_components", f"quantity of '{sku}' must be a whole number of 1 or more")
            continue
        if sku in seen or sku == c.raw.get("sku"):
            c.error("kit_components", f"component '{sku}' given twice or is the kit itself")
            continue
        seen.add(sku)
        cells.append(f"{sku}*{whole_number(quantity)}")
    return cells


def _bundle_groups(c: Cleaner) -> list[dict[str, Any]]:
    value = c.raw.get("bundle_groups")
    if is_empty(value):
        return []
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            c.error("bundle_groups", "must be a JSON list of option groups")
            return []
    if not isinstance(value, list):
        c.error("bundle_groups", "must be a list of option groups")
        return []
    if "\\u0000" in json.dumps(value):
        c.error("bundle_groups", "contains a NUL character")
        return []
    groups = []
    codes = set()
    for index, group in enumerate(value):
        where = f"group {index + 1}"
        if not isinstance(group, dict) or not isinstance(group.get("options"), list):
            c.error("bundle_groups", f"{where}: needs code, name and a list of options")
            continue
        code, name = str(group.get("code") or ""), str(group.get("name") or "")
        if not CODE_PATTERN.match(code) or code in codes:
            c.error("bundle_groups", f"{where}: code must be a unique lowercase slug")
            continue
        codes.add(code)
        required = c.boolean("bundle_groups", group.get("required", True))
        minimum = group.get("min", 1 if required else 0)
        maximum = group.get("max", 1)
        if (
            not (isinstance(minimum, int) and isinstance(maximum, int))
            or isinstance(minimum, bool)
            or not 0 <= minimum <= maximum
            or maximum < 1
        ):
            c.error("bundle_groups", f"{where}: min and max selections must satisfy 0 <= min <= max, max >= 1")
            continue
        if required and minimum < 1:
            c.error("bundle_groups", f"{where}: a required group needs min of 1 or more")
            continue
        options = []
        for option in group["options"]:
            if not isinstance(option, dict) or not isinstance(option.get("sku"), str):
                c.error("bundle_groups", f"{where}: every option needs a sku")
                continue
            quantity = option.get("quantity", 1)
            if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
                c.error("bundle_groups", f"{where}: option quantity must be a whole number of 1 or more")
                continue
            options.append(
                {
                    "sku": option["sku"],
                    "quantity": quantity,
                    "default": bool(c.boolean("bundle_groups", option.get("default", False))),
                }
            )
        if not options or len({option["sku"] for option in options}) != len(options):
            c.error("bundle_groups", f"{where}: needs at least one option, each SKU once")
            continue
        if len(options) < minimum:
            c.error("bundle_groups", f"{where}: fewer options than the minimum selections")
            continue
        groups.append(
            {
                "code": code,
                "name": name or code,
                "required": bool(required),
                "min": minimum,
                "max": maximum,
                "options": options,
            }
        )
    return groups


def _clean_attributes(c: Cleaner, record: Record, kind: str) -> None:
    catalog = c.catalog
    for column, raw in c.raw.items():
        if not column.startswith(ATTRIBUTE_PREFIX) or is_empty(raw):
            continue
        code, _, locale = column[len(ATTRIBUTE_PREFIX) :].partition(".")
        attribute = catalog.attributes.get(code)
        if attribute is None:
            c.error(column, f"unknown attribute '{code}'")
            continue
        if locale:
            if locale != TRANSLATED_LOCALE or not attribute.is_translatable:
                c.error(column, f"attribute '{code}' has no '{locale}' translation")
                continue
            record[column] = c.text(column, max_length=None)
            continue
        value = _attribute_value(c, column, attribute, raw)
        if value is not None:
            record[column] = value
    template = catalog.templates.get(record["template"])
    if template is None or kind == Product.Kind.VARIANT:
        return
    _, allowed, required = template
    # Count what was given, valid or not, so that a bad value is not also reported as missing.
    given = {
        key[len(ATTRIBUTE_PREFIX) :].partition(".")[0]
        for key, value in c.raw.items()
        if key.startswith(ATTRIBUTE_PREFIX) and not is_empty(value)
    }
    for code in sorted(given - allowed):
        c.error(ATTRIBUTE_PREFIX + code, f"product template '{record['template']}' has no attribute '{code}'")
    on_variants = set(record["variant_attributes"])
    for code in sorted(required - given - on_variants):
        c.error(ATTRIBUTE_PREFIX + code, f"required by product template '{record['template']}'")


def _attribute_value(c: Cleaner, column: str, attribute: Attribute, raw: Any) -> Any:
    kind = attribute.type
    Type = Attribute.Type
    if kind in (Type.TEXT, Type.RICH_TEXT):
        return c.text(column, max_length=MAX_TEXT if kind == Type.TEXT else None) or None
    if kind == Type.INTEGER:
        return c.integer(column, minimum=-MAX_INTEGER)
    if kind == Type.DECIMAL:
        if isinstance(raw, str) and raw.strip().startswith("-"):
            number = c.decimal(column, places=6, digits=18, value=raw.strip()[1:])
            return None if number is None else ("-" + number if number != "0" else number)
        return c.decimal(column, places=6, digits=18)
    if kind == Type.BOOLEAN:
        return c.boolean(column, raw)
    if kind == Type.DATE:
        try:
            return date.fromisoformat(str(raw).strip()).isoformat()
        except ValueError:
            c.error(column, "must be a date like 2026-01-31")
            return None
    options = c.catalog.options[attribute.code]
    if kind == Type.MULTI_SELECT:
        codes = list(dict.fromkeys(c.items(column)))
        unknown = [code for code in codes if code not in options]
        for code in unknown:
            c.error(column, f"unknown option '{code}' of attribute '{attribute.code}'")
        return None if unknown else codes or None
    code = c.text(column, max_length=100)
    if code not in options:
        c.error(column, f"unknown option '{code}' of attribute '{attribute.code}'")
        return None
    return code


@dataclass(frozen=True)
class KnownProduct:
    kind: str
    template: str
    variant_attributes: tuple[str, ...]


def referenced_skus(record: Record) -> set[str]:
    skus = {record["parent_sku"]} if record["parent_sku"] else set()
    skus.update(cell.split(":")[1] for cell in record["relations"])
    skus.update(cell.partition("*")[0] for cell in record["kit_components"])
    skus.update(option["sku"] for group in record["bundle_groups"] for option in group["options"])
    return skus


def check_references(checked: list[CheckedRecord]) -> None:
    """Reject records whose SKUs repeat in the batch or refer to products that do not exist, neither
    in the database nor among the batch's acceptable records; repeat until nothing changes, because
    rejecting one record can strand another that refers to it."""
    first_line: dict[str, int] = {}
    for item in checked:
        sku = item.record["sku"]
        if not sku:
            continue
        if sku in first_line:
            item.errors.append(RowError(item.line, "sku", f"SKU given twice (first on line {first_line[sku]})"))
        else:
            first_line[sku] = item.line
    wanted = set(first_line)
    for item in checked:
        wanted |= referenced_skus(item.record)
    known_in_db = {
        sku: KnownProduct(kind, template or "", tuple(variant_attributes or ()))
        for sku, kind, template, variant_attributes in Product.objects.filter(sku__in=wanted).values_list(
            "sku", "kind", "template__code", "variant_attributes"
        )
    }
    _check_kind_changes(checked, known_in_db)
    while True:
        known = dict(known_in_db)
        for item in checked:
            if not item.errors:
                record = item.record
                known[record["sku"]] = KnownProduct(
                    record["kind"], record["template"], tuple(record["variant_attributes"])
                )
        rejected_before = sum(1 for item in checked if item.errors)
        for item in checked:
            if not item.errors:
                _check_record_references(item, known)
        _check_variant_combinations(checked)
        if sum(1 for item in checked if item.errors) == rejected_before:
            return


def _check_kind_changes(checked: list[CheckedRecord], known_in_db: dict[str, KnownProduct]) -> None:
    leaving = {
        item.record["sku"]
        for item in checked
        if item.record["sku"] in known_in_db
        and known_in_db[item.record["sku"]].kind == "configurable"
        and item.record["kind"] != "configurable"
    }
    if not leaving:
        return
    with_variants = set(Product.objects.filter(parent__sku__in=leaving).values_list("parent__sku", flat=True))
    for item in checked:
        if item.record["sku"] in with_variants:
            item.errors.append(
                RowError(
                    item.line, "kind", "this configurable product has variants; delete them before changing its kind"
                )
            )


def _check_record_references(item: CheckedRecord, known: dict[str, KnownProduct]) -> None:
    record = item.record

    def fail(column: str, reason: str) -> None:
        item.errors.append(RowError(item.line, column, reason))

    if record["parent_sku"]:
        parent = known.get(record["parent_sku"])
        if parent is None:
            fail("parent_sku", f"no product '{record['parent_sku']}'")
        elif parent.kind != Product.Kind.CONFIGURABLE:
            fail("parent_sku", f"'{record['parent_sku']}' is not a configurable product")
        else:
            for code in parent.variant_attributes:
                if is_empty(record.get(ATTRIBUTE_PREFIX + code)):
                    fail(ATTRIBUTE_PREFIX + code, f"a variant of '{record['parent_sku']}' needs a value for '{code}'")
    for cell in record["relations"]:
        target = cell.split(":")[1]
        if target not in known:
            fail("relations", f"no product '{target}'")
    for cell in record["kit_components"]:
        sku = cell.partition("*")[0]
        if sku not in known:
            fail("kit_components", f"no product '{sku}'")
        elif known[sku].kind in ("configurable", "bundle", "kit"):
            fail("kit_components", f"'{sku}' is a {known[sku].kind}; components are simple, variant or virtual")
    for group in record["bundle_groups"]:
        for option in group["options"]:
            sku = option["sku"]
            if sku not in known:
                fail("bundle_groups", f"no product '{sku}'")
            elif known[sku].kind in ("configurable", "bundle"):
                fail("bundle_groups", f"'{sku}' is a {known[sku].kind}; options are sellable single products")


def _check_variant_combinations(checked: list[CheckedRecord]) -> None:
    """Two variants of one configurable may not share the values of its variant attributes."""
    variants = [item for item in checked if not item.errors and item.record["parent_sku"]]
    if not variants:
        return
    parents = {item.record["parent_sku"] for item in variants}
    batch_skus = {item.record["sku"] for item in variants}
    seen: dict[tuple[str, str], str] = {}
    for sku, parent_sku, summary, variant_attributes in (
        Product.objects.filter(parent__sku__in=parents)
        .exclude(sku__in=batch_skus)
        .values_list("sku", "parent__sku", "attribute_summary", "parent__variant_attributes")
    ):
        key = json.dumps([summary.get(code) for code in variant_attributes or []])
        seen[(parent_sku, key)] = sku
    parent_attributes = {
        item.record["sku"]: item.record["variant_attributes"]
        for item in checked
        if item.record["kind"] == "configurable"
    }
    db_parent_attributes = dict(
        Product.objects.filter(sku__in=parents - set(parent_attributes)).values_list("sku", "variant_attributes")
    )
    for item in variants:
        parent_sku = item.record["parent_sku"]
        codes = parent_attributes.get(parent_sku, db_parent_attributes.get(parent_sku)) or []
        values = []
        for code in codes:
            value = item.record.get(ATTRIBUTE_PREFIX + code)
            values.append(summary_strings(value) if value is not None else None)
        key = json.dumps(values)
        other = seen.setdefault((parent_sku, key), item.record["sku"])
        if other != item.record["sku"]:
            item.errors.append(
                RowError(
                    item.line,
                    "parent_sku",
                    f"variant '{other}' of '{parent_sku}' has the same variant attribute values",
                )
            )
