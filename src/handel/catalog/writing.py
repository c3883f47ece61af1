"""Writing checked product records to the database in bulk: the one write path of the API's
product services and of imports. Callers hold the transaction, the audit record and the events."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection, models
from django.db.models import Q
from django.utils import timezone

from handel.catalog.models import (
    Attribute,
    BundleOption,
    BundleOptionGroup,
    KitComponent,
    Product,
    ProductAttributeValue,
    ProductCategory,
    ProductChannel,
    ProductRelation,
)
from handel.catalog.records import (
    ATTRIBUTE_PREFIX,
    PLAIN_COLUMNS,
    TRANSLATED_LOCALE,
    VALUE_COLUMNS,
    Record,
    StoredRecords,
    iterate_in_chunks,
    relation_cell,
    summary_strings,
    uploaded_image_urls,
    without_empty_attributes,
)
from handel.catalog.validation import Catalog, referenced_skus

CHUNK_SIZE = 1000
# Product columns taken from the record as they are (the ones a record reads straight from the row).
COPIED_COLUMNS = PLAIN_COLUMNS
# What an import writes of a product (attribute names); a new product also gets its SKU and creation time.
PRODUCT_COLUMNS = [
    *COPIED_COLUMNS,
    "parent_id",
    "template_id",
    "translations",
    "brand_id",
    "cost_price",
    "msrp",
    "bundle_price",
    "variant_attributes",
    "media",
    "attribute_summary",
    "updated_at",
]
NEW_PRODUCT_COLUMNS = ["sku", *PRODUCT_COLUMNS, "created_at"]


@dataclass
class WriteResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def extend(self, other: WriteResult) -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged


def write_records(
    records: list[Record], catalog: Catalog, progress: Callable[[int], None] | None = None
) -> WriteResult:
    """Create or replace the products of these checked records (upsert by SKU). Records equal to
    what is stored already are left alone, so writing the same records twice changes nothing.
    Product rows are written first (configurables before their variants), then everything that
    refers to other products, so references may point anywhere in the batch."""
    result = WriteResult()
    now = timezone.now()
    _close_mutual_relations(records)
    ordered = sorted(records, key=lambda record: record["kind"] == Product.Kind.VARIANT)
    parent_skus = {record["parent_sku"] for record in ordered if record["parent_sku"]}
    ids = dict(Product.objects.filter(sku__in=parent_skus).values_list("sku", "id"))
    changed: list[Record] = []
    replaced: set[int] = set()  # stored products whose records changed: their child rows are replaced
    old_mutual: set[tuple[int, int, str]] = set()
    reader = StoredRecords()
    for chunk in iterate_in_chunks(ordered, CHUNK_SIZE):
        existing = dict(Product.objects.filter(sku__in=[r["sku"] for r in chunk]).values_list("sku", "id"))
        stored = reader.read(list(existing.values()))
        uploaded = uploaded_image_urls(list(existing.values()))
        new, updated = [], []
        for record in chunk:
            pk = existing.get(record["sku"])
            if pk is not None:
                # An export lists uploaded images among the media references; they stay in the gallery.
                own_images = uploaded.get(pk)
                if own_images:
                    record["media"] = [reference for reference in record["media"] if reference not in own_images]
                if without_empty_attributes(stored[pk]) == without_empty_attributes(record):
                    result.unchanged.append(record["sku"])
                    continue
                replaced.add(pk)
            changed.append(record)
            row = _product_row(record, catalog, ids, now)
            if pk is None:
                new.append(row)
            else:
                row["id"] = pk
                updated.append(row)
        old_mutual |= set(
            ProductRelation.objects.filter(source_id__in=[row["id"] for row in updated], is_mutual=True).values_list(
                "source_id", "target_id", "kind"
            )
        )
        # Variants of configurables created in this chunk need their ids first.
        parents = {record["sku"]: record["parent_sku"] for record in chunk if record["parent_sku"]}
        for is_variant in (False, True):
            if is_variant:
                for row in new + updated:
                    if row["sku"] in parents:
                        row["parent_id"] = ids[parents[row["sku"]]]
            batch = [row for row in new if (row["sku"] in parents) == is_variant]
            insert_values(Product, NEW_PRODUCT_COLUMNS, [[row[name] for name in NEW_PRODUCT_COLUMNS] for row in batch])
            if batch:
                ids.update(Product.objects.filter(sku__in=[row["sku"] for row in batch]).values_list("sku", "id"))
        update_values(
            Product, PRODUCT_COLUMNS, [[row[name] for name in PRODUCT_COLUMNS] + [row["id"]] for row in updated]
        )
        ids.update({row["sku"]: row["id"] for row in updated})
        result.created += [row["sku"] for row in new]
        result.updated += [row["sku"] for row in updated]
        if progress:
            progress(len(chunk))
    new_mutual: set[tuple[int, int, str]] = set()
    for chunk in iterate_in_chunks(changed, CHUNK_SIZE):
        new_mutual |= _replace_children(chunk, catalog, ids, replaced)
    _keep_mutual_relations_mutual({ids[record["sku"]] for record in changed}, new_mutual, old_mutual)
    return result


def insert_values(model: type[models.Model], names: list[str], rows: list[list[Any]]) -> None:
    """INSERT rows given as value lists in the order of the field (attribute) names, with one
    executemany: much cheaper than bulk_create, which builds and compiles a model instance per row.
    The value lists are converted to database values in place."""
    if not rows:
        return
    columns, rows = _database_values(model, names, rows)
    quote = connection.ops.quote_name
    # Table and column names come from the model, never from input.
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(column.column) for column in columns)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def update_values(model: type[models.Model], names: list[str], rows: list[list[Any]]) -> None:
    """UPDATE rows by primary key with one executemany; each row holds the values of `names` and
    then the primary key. (Django's bulk_update builds one CASE expression per field and row.)"""
    if not rows:
        return
    columns, rows = _database_values(model, [*names, model._meta.pk.attname], rows)
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(column.column)} = %s" for column in columns[:-1])
    # Table and column names come from the model, never from input.
    sql = f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE {quote(columns[-1].column)} = %s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _database_values(
    model: type[models.Model], names: list[str], rows: list[list[Any]]
) -> tuple[list[models.Field[Any, Any]], list[list[Any]]]:
    """The model's fields of these attribute names, and the rows with values as the database takes them."""
    by_name = {column.attname: column for column in model._meta.concrete_fields}
    columns = [by_name[name] for name in names]
    operations = connection.ops
    converters: list[Callable[[Any], Any] | None] = []
    for column in columns:
        if isinstance(column, models.JSONField):
            converters.append(_json_text)
        elif isinstance(column, models.DateTimeField):
            converters.append(operations.adapt_datetimefield_value)
        elif isinstance(column, models.DateField):
            converters.append(operations.adapt_datefield_value)
        elif isinstance(column, models.DecimalField):
            converters.append(
                lambda value, column=column: operations.adapt_decimalfield_value(
                    value, column.max_digits, column.decimal_places
                )
            )
        else:
            converters.append(None)
    converted = [(index, convert) for index, convert in enumerate(converters) if convert is not None]
    if converted:
        # Callers build the rows for this call only, so they are converted in place.
        for row in rows:
            for index, convert in converted:
                row[index] = convert(row[index])
    return columns, rows


def _json_text(value: Any) -> str | None:
    return None if value is None else json.dumps(value)


def _close_mutual_relations(records: list[Record]) -> None:
    """A mutual relation stated on one side only within the batch is added to the other side's record."""
    by_sku = {record["sku"]: record for record in records}
    for record in records:
        for cell in record["relations"]:
            kind, target, *mutual = cell.split(":")
            other = by_sku.get(target)
            if not mutual or other is None:
                continue
            reverse = relation_cell(kind, record["sku"], True)
            one_way = relation_cell(kind, record["sku"], False)
            if reverse in other["relations"]:
                continue
            cells = [c for c in other["relations"] if c != one_way]
            other["relations"] = (
                [*cells, reverse]
                if len(cells) == len(other["relations"])
                else [reverse if c == one_way else c for c in other["relations"]]
            )


def _product_row(record: Record, catalog: Catalog, ids: dict[str, int], now: Any) -> dict[str, Any]:
    """The product's column values (by attribute name) for this record."""
    row = {name: record[name] for name in COPIED_COLUMNS}
    row["sku"] = record["sku"]
    row["parent_id"] = ids.get(record["parent_sku"]) if record["parent_sku"] else None
    row["template_id"] = catalog.templates[record["template"]][0].pk if record["template"] else None
    translated = {key: record[f"{key}_nl"] for key in ("name", "description") if record[f"{key}_nl"]}
    row["translations"] = {TRANSLATED_LOCALE: translated} if translated else {}
    row["brand_id"] = catalog.brands.get(record["brand"]) if record["brand"] else None
    for name in ("cost_price", "msrp", "bundle_price"):
        row[name] = Decimal(record[name]) if record[name] is not None else None
    row["variant_attributes"] = list(record["variant_attributes"])
    row["media"] = list(record["media"])
    row["attribute_summary"] = {
        key[len(ATTRIBUTE_PREFIX) :]: summary_strings(value)
        for key, value in record.items()
        if key.startswith(ATTRIBUTE_PREFIX) and "." not in key[len(ATTRIBUTE_PREFIX) :] and value not in (None, "", [])
    }
    row["created_at"] = now
    row["updated_at"] = now
    return row


def _replace_children(
    records: list[Record], catalog: Catalog, ids: dict[str, int], replaced: set[int]
) -> set[tuple[int, int, str]]:
    """Replace the attribute values, channels, categories, relations, components and option groups
    of these products (new products have none to remove); returns their mutual relations. Rows are
    written as value lists: model instances would cost more than the INSERTs."""
    wanted = set().union(*(referenced_skus(record) for record in records)) - set(ids)
    if wanted:
        ids.update(Product.objects.filter(sku__in=wanted).values_list("sku", "id"))
    stale = [ids[record["sku"]] for record in records if ids[record["sku"]] in replaced]
    if stale:
        for model, column in (
            (ProductAttributeValue, "product_id"),
            (ProductChannel, "product_id"),
            (ProductCategory, "product_id"),
            (ProductRelation, "source_id"),
            (KitComponent, "kit_id"),
        ):
            model.objects.filter(**{f"{column}__in": stale}).delete()
        BundleOptionGroup.objects.filter(bundle_id__in=stale).delete()

    values: list[list[Any]] = []
    channels: list[list[Any]] = []
    categories: list[list[Any]] = []
    relations: list[list[Any]] = []
    components: list[list[Any]] = []
    groups: list[tuple[BundleOptionGroup, list[dict[str, Any]]]] = []
    for record in records:
        product_id = ids[record["sku"]]
        values += _attribute_rows(product_id, record, catalog)
        channels += [[product_id, catalog.channels[code], record["sku"]] for code in record["channels"]]
        for rank, cell in enumerate(record["categories"]):
            path, _, position = cell.partition("#")
            categories.append([product_id, catalog.categories[path], int(position or 0), rank])
        for position, cell in enumerate(record["relations"]):
            kind, target, *mutual = cell.split(":")
            relations.append([product_id, ids[target], kind, position, bool(mutual)])
        for position, cell in enumerate(record["kit_components"]):
            sku, _, quantity = cell.partition("*")
            components.append([product_id, ids[sku], int(quantity), position])
        for position, group in enumerate(record["bundle_groups"]):
            groups.append(
                (
                    BundleOptionGroup(
                        bundle_id=product_id,
                        code=group["code"],
                        name=group["name"],
                        is_required=group["required"],
                        min_selections=group["min"],
                        max_selections=group["max"],
                        position=position,
                    ),
                    group["options"],
                )
            )
    insert_values(ProductAttributeValue, VALUE_FIELDS, values)
    insert_values(ProductChannel, ["product_id", "channel_id", "sku"], channels)
    insert_values(ProductCategory, ["product_id", "category_id", "position", "rank"], categories)
    insert_values(ProductRelation, ["source_id", "target_id", "kind", "position", "is_mutual"], relations)
    insert_values(KitComponent, ["kit_id", "product_id", "quantity", "position"], components)
    if groups:
        BundleOptionGroup.objects.bulk_create([group for group, _ in groups], batch_size=500)
        BundleOption.objects.bulk_create(
            [
                BundleOption(
                    group_id=group.pk,
                    product_id=ids[option["sku"]],
                    default_quantity=option["quantity"],
                    is_default=option["default"],
                    position=position,
                )
                for group, options in groups
                for position, option in enumerate(options)
            ],
            batch_size=1000,
        )
    return {(source, target, kind) for source, target, kind, _, mutual in relations if mutual}


def _keep_mutual_relations_mutual(
    written: set[int], new_mutual: set[tuple[int, int, str]], old_mutual: set[tuple[int, int, str]]
) -> None:
    """A mutual relation A->B implies B->A. Products in this batch state their own relations; for
    the others, add the missing reverse links and drop those whose mutual partner went away."""
    for source, target, kind in old_mutual - new_mutual:
        if target not in written:
            ProductRelation.objects.filter(source_id=target, target_id=source, kind=kind, is_mutual=True).delete()
    reverse = [(target, source, kind) for source, target, kind in new_mutual if target not in written]
    if not reverse:
        return
    condition = Q(pk__in=[])
    for source, target, kind in reverse:
        condition |= Q(source_id=source, target_id=target, kind=kind)
    present = {(r.source_id, r.target_id, r.kind): r for r in ProductRelation.objects.filter(condition)}
    last_positions: dict[int, int] = {}
    for source, position in ProductRelation.objects.filter(
        source_id__in={source for source, _, _ in reverse}
    ).values_list("source_id", "position"):
        last_positions[source] = max(position, last_positions.get(source, -1))
    missing = []
    for source, target, kind in reverse:
        relation = present.get((source, target, kind))
        if relation is not None:
            if not relation.is_mutual:
                ProductRelation.objects.filter(pk=relation.pk).update(is_mutual=True)
            continue
        position = last_positions.get(source, -1) + 1
        last_positions[source] = position
        missing.append(
            ProductRelation(source_id=source, target_id=target, kind=kind, position=position, is_mutual=True)
        )
    ProductRelation.objects.bulk_create(missing)
    Product.objects.filter(pk__in={source for source, _, _ in reverse}).update(updated_at=timezone.now())


VALUE_FIELDS = [*VALUE_COLUMNS, "position"]


def _attribute_rows(product_id: int, record: Record, catalog: Catalog) -> list[list[Any]]:
    """ProductAttributeValue rows as value lists in VALUE_FIELDS order (no model instances: an
    import writes several per product)."""
    rows: list[list[Any]] = []
    Type = Attribute.Type
    for key, value in record.items():
        if not key.startswith(ATTRIBUTE_PREFIX) or value in (None, "", []):
            continue
        code, _, locale = key[len(ATTRIBUTE_PREFIX) :].partition(".")
        attribute = catalog.attributes[code]
        row: list[Any] = [product_id, attribute.pk, "", None, "", None, None, None, None, 0]
        if locale:
            row[2], row[4] = locale, value
        elif attribute.type == Type.MULTI_SELECT:
            options = catalog.options[code]
            rows += [
                [product_id, attribute.pk, "", options[option].pk, "", None, None, None, None, position]
                for position, option in enumerate(value)
            ]
            continue
        elif attribute.has_options:
            row[3] = catalog.options[code][value].pk
        elif attribute.type in (Type.TEXT, Type.RICH_TEXT):
            row[4] = value
            row[2] = "en" if attribute.is_translatable else ""
        elif attribute.type == Type.INTEGER:
            row[5] = value
        elif attribute.type == Type.DECIMAL:
            row[6] = Decimal(value)
        elif attribute.type == Type.BOOLEAN:
            row[7] = value
        elif attribute.type == Type.DATE:
            row[8] = date.fromisoformat(value)
        rows.append(row)
    return rows
