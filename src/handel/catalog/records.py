"""The product record: one flat, canonical dict per product, shared by CSV, JSON Lines, the API's
write side and the "nothing changed" check of imports.

Keys are the CSV column names. Scalar fields hold str/int/None; list fields hold lists of strings
in a compact notation that CSV joins with "|": categories "path" or "path#position", relations
"kind:SKU" or "kind:SKU:mutual", kit components "SKU*quantity". Attribute values sit under
"attr.<code>" (and "attr.<code>.nl" for the Dutch text of a translatable attribute).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch

from handel.catalog.media.models import ProductImage
from handel.catalog.media.renditions import url_of
from handel.catalog.models import (
    Attribute,
    AttributeOption,
    BundleOption,
    BundleOptionGroup,
    KitComponent,
    Product,
    ProductAttributeValue,
    ProductCategory,
    ProductChannel,
    ProductRelation,
)

Record = dict[str, Any]

TRANSLATED_LOCALE = "nl"
SCALAR_COLUMNS = [
    "sku",
    "parent_sku",
    "kind",
    "status",
    "template",
    "name",
    "name_nl",
    "description",
    "description_nl",
    "brand",
    "mpn",
    "gtin",
    "weight_grams",
    "length_mm",
    "width_mm",
    "height_mm",
    "tax_class",
    "unit",
    "min_order_qty",
    "order_increment",
    "cost_price",
    "msrp",
    "bundle_pricing",
    "bundle_price",
    "digital_delivery",
    "digital_file",
]
LIST_COLUMNS = ["variant_attributes", "channels", "categories", "relations", "kit_components", "media"]
JSON_COLUMNS = ["bundle_groups"]
COLUMNS = SCALAR_COLUMNS + LIST_COLUMNS + JSON_COLUMNS
KNOWN_COLUMNS = frozenset(COLUMNS)
ATTRIBUTE_PREFIX = "attr."
LIST_SEPARATOR = "|"

# The columns of a typed attribute value, in the order the export, the import and the index read them.
VALUE_COLUMNS = (
    "product_id",
    "attribute_id",
    "locale",
    "option_id",
    "value_text",
    "value_integer",
    "value_decimal",
    "value_boolean",
    "value_date",
)


def canonical_decimal(value: Decimal | None) -> str | None:
    if value is None:
        return None
    text = format(value.normalize(), "f")
    return text


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def without_empty_attributes(record: Record) -> Record:
    return {key: value for key, value in record.items() if not (key.startswith(ATTRIBUTE_PREFIX) and is_empty(value))}


def attribute_columns(attributes: Iterable[Attribute]) -> list[str]:
    columns = []
    for attribute in attributes:
        columns.append(ATTRIBUTE_PREFIX + attribute.code)
        if attribute.is_translatable:
            columns.append(f"{ATTRIBUTE_PREFIX}{attribute.code}.{TRANSLATED_LOCALE}")
    return columns


# -- from the database ---------------------------------------------------------------------------


def records_for(products: Iterable[Product]) -> list[Record]:
    """Canonical records of products loaded with `with_record_data`."""
    return [record_of(product) for product in products]


def with_record_data(queryset: Any) -> Any:
    return queryset.select_related("parent", "template", "brand").prefetch_related(
        Prefetch("attribute_values", queryset=ProductAttributeValue.objects.select_related("attribute", "option")),
        Prefetch("category_links", queryset=ProductCategory.objects.select_related("category")),
        Prefetch("relations", queryset=ProductRelation.objects.select_related("target").order_by("position", "id")),
        Prefetch("option_groups", queryset=BundleOptionGroup.objects.prefetch_related("options__product")),
        "components__product",
        "channels",
    )


def record_of(product: Product) -> Record:
    translated = product.translations.get(TRANSLATED_LOCALE, {})
    record: Record = {
        "sku": product.sku,
        "parent_sku": product.parent.sku if product.parent else "",
        "kind": product.kind,
        "status": product.status,
        "template": product.template.code if product.template else "",
        "name": product.name,
        "name_nl": translated.get("name", ""),
        "description": product.description,
        "description_nl": translated.get("description", ""),
        "brand": product.brand.code if product.brand else "",
        "mpn": product.mpn,
        "gtin": product.gtin,
        "weight_grams": product.weight_grams,
        "length_mm": product.length_mm,
        "width_mm": product.width_mm,
        "height_mm": product.height_mm,
        "tax_class": product.tax_class,
        "unit": product.unit,
        "min_order_qty": product.min_order_qty,
        "order_increment": product.order_increment,
        "cost_price": canonical_decimal(product.cost_price),
        "msrp": canonical_decimal(product.msrp),
        "bundle_pricing": product.bundle_pricing,
        "bundle_price": canonical_decimal(product.bundle_price),
        "digital_delivery": product.digital_delivery,
        "digital_file": product.digital_file,
        "variant_attributes": list(product.variant_attributes),
        "channels": sorted(channel.code for channel in product.channels.all()),
        "categories": [category_cell(link.category.path, link.position) for link in product.category_links.all()],
        "relations": [
            relation_cell(relation.kind, relation.target.sku, relation.is_mutual)
            for relation in product.relations.all()
        ],
        "kit_components": [f"{component.product.sku}*{component.quantity}" for component in product.components.all()],
        "media": list(product.media),
        "bundle_groups": [
            {
                "code": group.code,
                "name": group.name,
                "required": group.is_required,
                "min": group.min_selections,
                "max": group.max_selections,
                "options": [
                    {"sku": option.product.sku, "quantity": option.default_quantity, "default": option.is_default}
                    for option in group.options.all()
                ],
            }
            for group in product.option_groups.all()
        ],
    }
    record.update(attribute_cells(product.attribute_values.all()))
    return record


# The scalar columns read straight from the product row (the others need a join or a conversion).
PLAIN_COLUMNS = [
    "kind",
    "status",
    "name",
    "description",
    "mpn",
    "gtin",
    "weight_grams",
    "length_mm",
    "width_mm",
    "height_mm",
    "tax_class",
    "unit",
    "min_order_qty",
    "order_increment",
    "bundle_pricing",
    "digital_delivery",
    "digital_file",
]
DECIMAL_COLUMNS = ["cost_price", "msrp", "bundle_price"]


class StoredRecords:
    """The records of many stored products, read with a fixed number of value queries and no model
    instances (the same records `record_of` gives): exports and the "nothing changed" check of
    imports read thousands at a time, where prefetching model instances cost ~1 ms a product."""

    def __init__(self) -> None:
        self.attributes = {pk: (code, kind) for pk, code, kind in Attribute.objects.values_list("id", "code", "type")}
        self.options = dict(AttributeOption.objects.values_list("id", "code"))

    def read(self, product_ids: list[int]) -> dict[int, Record]:
        """Records by product id, in the order of `product_ids`."""
        if not product_ids:
            return {}
        records: dict[int, Record] = {}
        rows = Product.objects.filter(pk__in=product_ids).values_list(
            "pk",
            "sku",
            "parent__sku",
            "template__code",
            "brand__code",
            "translations",
            "variant_attributes",
            "media",
            *PLAIN_COLUMNS,
            *DECIMAL_COLUMNS,
        )
        by_id = {row[0]: row for row in rows}
        plain_start = 8
        decimal_start = plain_start + len(PLAIN_COLUMNS)
        for pk in product_ids:
            row = by_id.get(pk)
            if row is None:
                continue
            translated = (row[5] or {}).get(TRANSLATED_LOCALE, {})
            record: Record = {"sku": row[1], "parent_sku": row[2] or "", "template": row[3] or ""}
            record.update(zip(PLAIN_COLUMNS, row[plain_start:decimal_start], strict=True))
            record.update(
                (name, canonical_decimal(value))
                for name, value in zip(DECIMAL_COLUMNS, row[decimal_start:], strict=True)
            )
            record["name_nl"] = translated.get("name", "")
            record["description_nl"] = translated.get("description", "")
            record["brand"] = row[4] or ""
            record["variant_attributes"] = list(row[6] or [])
            record["media"] = list(row[7] or [])
            for column in ("channels", "categories", "relations", "kit_components", "bundle_groups"):
                record[column] = []
            records[pk] = record
        ids = list(records)
        channels = ProductChannel.objects.filter(product_id__in=ids).values_list("product_id", "channel__code")
        for product_id, code in channels:
            records[product_id]["channels"].append(code)
        for record in records.values():
            record["channels"].sort()
        for product_id, path, position in (
            ProductCategory.objects.filter(product_id__in=ids)
            .order_by("rank", "id")
            .values_list("product_id", "category__path", "position")
        ):
            records[product_id]["categories"].append(category_cell(path, position))
        for source_id, kind, target, mutual in (
            ProductRelation.objects.filter(source_id__in=ids)
            .order_by("position", "id")
            .values_list("source_id", "kind", "target__sku", "is_mutual")
        ):
            records[source_id]["relations"].append(relation_cell(kind, target, mutual))
        for kit_id, sku, quantity in (
            KitComponent.objects.filter(kit_id__in=ids)
            .order_by("position", "id")
            .values_list("kit_id", "product__sku", "quantity")
        ):
            records[kit_id]["kit_components"].append(f"{sku}*{quantity}")
        self._read_bundle_groups(records)
        self._read_attributes(records)
        return records

    def _read_bundle_groups(self, records: dict[int, Record]) -> None:
        bundles = [pk for pk, record in records.items() if record["kind"] == Product.Kind.BUNDLE]
        if not bundles:
            return
        groups: dict[int, dict[str, Any]] = {}
        for group_id, bundle_id, code, name, required, minimum, maximum in (
            BundleOptionGroup.objects.filter(bundle_id__in=bundles)
            .order_by("position", "id")
            .values_list("id", "bundle_id", "code", "name", "is_required", "min_selections", "max_selections")
        ):
            group = {"code": code, "name": name, "required": required, "min": minimum, "max": maximum, "options": []}
            groups[group_id] = group
            records[bundle_id]["bundle_groups"].append(group)
        for group_id, sku, quantity, is_default in (
            BundleOption.objects.filter(group_id__in=list(groups))
            .order_by("position", "id")
            .values_list("group_id", "product__sku", "default_quantity", "is_default")
        ):
            groups[group_id]["options"].append({"sku": sku, "quantity": quantity, "default": is_default})

    def _read_attributes(self, records: dict[int, Record]) -> None:
        Type = Attribute.Type
        for product_id, attribute_id, locale, option_id, text, integer, number, boolean, day in (
            ProductAttributeValue.objects.filter(product_id__in=list(records))
            .order_by("product_id", "attribute_id", "locale", "position")
            .values_list(*VALUE_COLUMNS)
        ):
            code, kind = self.attributes[attribute_id]
            record = records[product_id]
            key = ATTRIBUTE_PREFIX + code
            if locale == TRANSLATED_LOCALE:
                record[f"{key}.{TRANSLATED_LOCALE}"] = text
            elif kind == Type.MULTI_SELECT:
                record.setdefault(key, []).append(self.options[option_id])
            elif option_id is not None:
                record[key] = self.options[option_id]
            elif kind == Type.INTEGER:
                record[key] = integer
            elif kind == Type.DECIMAL:
                record[key] = canonical_decimal(number)
            elif kind == Type.BOOLEAN:
                record[key] = boolean
            elif kind == Type.DATE:
                record[key] = day.isoformat() if day else None
            else:
                record[key] = text


def uploaded_image_urls(product_ids: list[int]) -> dict[int, list[str]]:
    """The URLs of the products' uploaded gallery images (not spin frames, not external references),
    in gallery order. Exports list them in the media column after the product's own references;
    imports recognise them there and leave them to the gallery."""
    urls: dict[int, list[str]] = {}
    for product_id, path in (
        ProductImage.objects.filter(product_id__in=product_ids, spin_set__isnull=True)
        .exclude(file="")
        .order_by("product_id", "position", "id")
        .values_list("product_id", "file")
    ):
        urls.setdefault(product_id, []).append(url_of(path))
    return urls


def with_uploaded_images(record: Record, urls: list[str]) -> Record:
    """The record with the product's uploaded images added to its media references (once each)."""
    if urls:
        record["media"] = list(dict.fromkeys([*record["media"], *urls]))
    return record


def attribute_cells(values: Iterable[ProductAttributeValue]) -> Record:
    cells: Record = {}
    for value in values:
        attribute = value.attribute
        key = ATTRIBUTE_PREFIX + attribute.code
        if value.locale == TRANSLATED_LOCALE:
            cells[f"{key}.{TRANSLATED_LOCALE}"] = value.value_text
        elif attribute.type == Attribute.Type.MULTI_SELECT:
            cells.setdefault(key, []).append(value.option.code)  # type: ignore[union-attr]
        else:
            cells[key] = typed_value(value)
    return cells


def typed_value(value: ProductAttributeValue) -> Any:
    kind = value.attribute.type
    if value.option_id is not None:
        return value.option.code  # type: ignore[union-attr]
    if kind == Attribute.Type.INTEGER:
        return value.value_integer
    if kind == Attribute.Type.DECIMAL:
        return canonical_decimal(value.value_decimal)
    if kind == Attribute.Type.BOOLEAN:
        return value.value_boolean
    if kind == Attribute.Type.DATE:
        return value.value_date.isoformat() if value.value_date else None
    return value.value_text


def summary_strings(value: Any) -> list[str]:
    """An attribute value as the strings of `Product.attribute_summary` and `ProductFacts.attributes`."""
    if isinstance(value, list):
        return [str(item) for item in value]
    if isinstance(value, bool):
        return ["true" if value else "false"]
    return [str(value)]


def category_cell(path: str, position: int) -> str:
    return f"{path}#{position}" if position else path


def relation_cell(kind: str, sku: str, mutual: bool) -> str:
    return f"{kind}:{sku}:mutual" if mutual else f"{kind}:{sku}"


# -- CSV cells -------------------------------------------------------------------------------------


def to_csv_row(record: Record) -> dict[str, str]:
    row = {}
    for key, value in record.items():
        if key in JSON_COLUMNS:
            row[key] = json.dumps(value, separators=(",", ":"), ensure_ascii=False) if value else ""
        elif isinstance(value, list):
            row[key] = LIST_SEPARATOR.join(value)
        elif isinstance(value, bool):
            row[key] = "true" if value else "false"
        elif value is None:
            row[key] = ""
        else:
            row[key] = str(value)
    return row


# -- JSON Lines ------------------------------------------------------------------------------------


def to_json_object(record: Record) -> dict[str, Any]:
    """Nested form for JSON Lines and the API: translations and attributes grouped."""
    document: dict[str, Any] = {}
    attributes: dict[str, Any] = {}
    translations: dict[str, str] = {}
    for key, value in record.items():
        if key.startswith(ATTRIBUTE_PREFIX):
            code, _, locale = key[len(ATTRIBUTE_PREFIX) :].partition(".")
            if locale:
                current = attributes.get(code)
                attributes[code] = {
                    "en": current if not isinstance(current, dict) else current.get("en"),
                    locale: value,
                }
            elif isinstance(attributes.get(code), dict):
                attributes[code]["en"] = value
            else:
                attributes[code] = value
        elif key in ("name_nl", "description_nl"):
            if value:
                translations[key.removesuffix("_nl")] = value
        else:
            document[key] = value
    document["translations"] = {TRANSLATED_LOCALE: translations} if translations else {}
    document["attributes"] = attributes
    return document


def from_json_object(document: dict[str, Any]) -> Record:
    """The flat record of a JSON Lines object (the inverse of `to_json_object`)."""
    record: Record = {}
    for key, value in document.items():
        if key == "attributes" and isinstance(value, dict):
            for code, cell in value.items():
                if isinstance(cell, dict) and set(cell) <= {"en", TRANSLATED_LOCALE}:
                    record[ATTRIBUTE_PREFIX + code] = cell.get("en")
                    record[f"{ATTRIBUTE_PREFIX}{code}.{TRANSLATED_LOCALE}"] = cell.get(TRANSLATED_LOCALE)
                else:
                    record[ATTRIBUTE_PREFIX + code] = cell
        elif key == "translations" and isinstance(value, dict):
            translated = value.get(TRANSLATED_LOCALE) or {}
            if isinstance(translated, dict):
                for field in ("name", "description"):
                    if field in translated:
                        record[f"{field}_nl"] = translated[field]
        else:
            record[key] = value
    return record


def json_location(column: str) -> str:
    """Where a flat column sits in the JSON Lines object, for error reports."""
    if column.startswith(ATTRIBUTE_PREFIX):
        return "attributes." + column[len(ATTRIBUTE_PREFIX) :].replace(f".{TRANSLATED_LOCALE}", f".{TRANSLATED_LOCALE}")
    if column in ("name_nl", "description_nl"):
        return f"translations.{TRANSLATED_LOCALE}.{column.removesuffix('_nl')}"
    return column


def iterate_in_chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
