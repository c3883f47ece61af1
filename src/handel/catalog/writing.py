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
    TRANSLATED_LOCALE,
    Record,
    iterate_in_chunks,
    record_of,
    relation_cell,
    summary_strings,
    with_record_data,
    without_empty_attributes,
)
from handel.catalog.validation import Catalog, referenced_skus

CHUNK_SIZE = 1000
PRODUCT_FIELDS = [
    "kind",
    "parent",
    "template",
    "status",
    "name",
    "description",
    "translations",
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
    "variant_attributes",
    "bundle_pricing",
    "bundle_price",
    "digital_delivery",
    "digital_file",
    "media",
    "attribute_summary",
    "updated_at",
]


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
    old_mutual: set[tuple[int, int, str]] = set()
    for chunk in iterate_in_chunks(ordered, CHUNK_SIZE):
        existing = {
            product.sku: product
            for product in with_record_data(Product.objects.filter(sku__in=[r["sku"] for r in chunk]))
        }
        new, updated = [], []
        for record in chunk:
            current = existing.get(record["sku"])
            if current is not None:
                if without_empty_attributes(record_of(current)) == without_empty_attributes(record):
                    result.unchanged.append(record["sku"])
                    continue
                old_mutual |= {
                    (relation.source_id, relation.target_id, relation.kind)
                    for relation in current.relations.all()
                    if relation.is_mutual
                }
            changed.append(record)
            product = current or Product(sku=record["sku"], created_at=now)
            _apply(product, record, catalog, ids, now)
            (updated if product.pk else new).append(product)
        # Variants of configurables created in this chunk need their ids first.
        parents = {record["sku"]: record["parent_sku"] for record in chunk if record["parent_sku"]}
        for is_variant in (False, True):
            if is_variant:
                for product in new + updated:
                    if product.sku in parents:
                        product.parent_id = ids[parents[product.sku]]
            batch = [product for product in new if (product.sku in parents) == is_variant]
            insert_rows(batch)
            ids.update(Product.objects.filter(sku__in=[product.sku for product in batch]).values_list("sku", "id"))
        Product.objects.bulk_update(updated, PRODUCT_FIELDS, batch_size=500)
        ids.update({product.sku: product.pk for product in updated})
        result.created += [product.sku for product in new]
        result.updated += [product.sku for product in updated]
        if progress:
            progress(len(chunk))
    new_mutual: set[tuple[int, int, str]] = set()
    for chunk in iterate_in_chunks(changed, CHUNK_SIZE):
        new_mutual |= _replace_children(chunk, catalog, ids)
    _keep_mutual_relations_mutual({ids[record["sku"]] for record in changed}, new_mutual, old_mutual)
    return result


def insert_rows(instances: list[Any]) -> None:
    """INSERT many new rows of one model with a single executemany. Much cheaper than bulk_create,
    which compiles every value of every row through the ORM; used where the primary keys are not
    needed back (or are looked up afterwards by a unique key)."""
    if not instances:
        return
    meta = instances[0]._meta
    names = [column.attname for column in meta.concrete_fields if not column.primary_key]
    insert_values(type(instances[0]), names, [[getattr(instance, name) for name in names] for instance in instances])


def insert_values(model: type[models.Model], names: list[str], rows: list[list[Any]]) -> None:
    """INSERT rows given as value lists in the order of the field (attribute) names."""
    if not rows:
        return
    meta = model._meta
    columns = [next(field for field in meta.concrete_fields if field.attname == name) for name in names]
    operations = connection.ops
    converters: list[Callable[[Any], Any] | None] = []
    for column in columns:
        if isinstance(column, models.JSONField):
            converters.append(lambda value: None if value is None else json.dumps(value))
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
    if any(converters):
        rows = [
            [convert(value) if convert else value for value, convert in zip(row, converters, strict=True)]
            for row in rows
        ]
    quote = operations.quote_name
    # Table and column names come from the model, never from input.
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(column.column) for column in columns)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


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


def _apply(product: Product, record: Record, catalog: Catalog, ids: dict[str, int], now: Any) -> None:
    product.kind = record["kind"]
    product.parent_id = ids.get(record["parent_sku"]) if record["parent_sku"] else None
    product.template_id = catalog.templates[record["template"]][0].pk if record["template"] else None
    product.status = record["status"]
    product.name = record["name"]
    product.description = record["description"]
    translated = {key: record[f"{key}_nl"] for key in ("name", "description") if record[f"{key}_nl"]}
    product.translations = {TRANSLATED_LOCALE: translated} if translated else {}
    product.brand_id = catalog.brands.get(record["brand"]) if record["brand"] else None
    for name in (
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
    ):
        setattr(product, name, record[name])
    for name in ("cost_price", "msrp", "bundle_price"):
        setattr(product, name, Decimal(record[name]) if record[name] is not None else None)
    product.variant_attributes = list(record["variant_attributes"])
    product.media = list(record["media"])
    product.attribute_summary = {
        key[len(ATTRIBUTE_PREFIX) :]: summary_strings(value)
        for key, value in record.items()
        if key.startswith(ATTRIBUTE_PREFIX) and "." not in key[len(ATTRIBUTE_PREFIX) :] and value not in (None, "", [])
    }
    product.updated_at = now


def _replace_children(records: list[Record], catalog: Catalog, ids: dict[str, int]) -> set[tuple[int, int, str]]:
    """Replace the attribute values, channels, categories, relations, components and option groups
    of these products; returns their mutual relations."""
    product_ids = [ids[record["sku"]] for record in records]
    wanted = set().union(*(referenced_skus(record) for record in records)) - set(ids)
    ids.update(Product.objects.filter(sku__in=wanted).values_list("sku", "id"))
    for model, column in (
        (ProductAttributeValue, "product_id"),
        (ProductChannel, "product_id"),
        (ProductCategory, "product_id"),
        (ProductRelation, "source_id"),
        (KitComponent, "kit_id"),
    ):
        model.objects.filter(**{f"{column}__in": product_ids}).delete()
    BundleOptionGroup.objects.filter(bundle_id__in=product_ids).delete()

    values: list[list[Any]] = []
    links: list[Any] = []
    relations: list[ProductRelation] = []
    components: list[KitComponent] = []
    groups: list[tuple[BundleOptionGroup, list[dict[str, Any]]]] = []
    for record in records:
        product_id = ids[record["sku"]]
        values += _attribute_rows(product_id, record, catalog)
        links += [
            ProductChannel(product_id=product_id, channel_id=catalog.channels[code]) for code in record["channels"]
        ]
        for rank, cell in enumerate(record["categories"]):
            path, _, position = cell.partition("#")
            links.append(
                ProductCategory(
                    product_id=product_id, category_id=catalog.categories[path], position=int(position or 0), rank=rank
                )
            )
        for position, cell in enumerate(record["relations"]):
            kind, target, *mutual = cell.split(":")
            relations.append(
                ProductRelation(
                    source_id=product_id, target_id=ids[target], kind=kind, position=position, is_mutual=bool(mutual)
                )
            )
        for position, cell in enumerate(record["kit_components"]):
            sku, _, quantity = cell.partition("*")
            components.append(
                KitComponent(kit_id=product_id, product_id=ids[sku], quantity=int(quantity), position=position)
            )
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
    insert_rows([link for link in links if isinstance(link, ProductChannel)])
    insert_rows([link for link in links if isinstance(link, ProductCategory)])
    insert_rows(relations)
    insert_rows(components)
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
    return {(r.source_id, r.target_id, r.kind) for r in relations if r.is_mutual}


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


VALUE_FIELDS = [
    "product_id",
    "attribute_id",
    "locale",
    "option_id",
    "value_text",
    "value_integer",
    "value_decimal",
    "value_boolean",
    "value_date",
    "position",
]


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
