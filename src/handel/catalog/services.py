"""Write use cases of the catalog: products, categories, attributes, brands, templates, assortments
and import jobs. Products are written through the same record path as imports (writing.py)."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from handel.catalog.models import (
    Assortment,
    Attribute,
    AttributeOption,
    Brand,
    BundleOption,
    CatalogImportJob,
    Category,
    KitComponent,
    Product,
    ProductRelation,
    ProductTemplate,
    TemplateAttribute,
)
from handel.catalog.queries import forget_cached_assortments
from handel.catalog.records import ATTRIBUTE_PREFIX, Record, json_location, record_of, with_record_data
from handel.catalog.validation import CODE_PATTERN, Catalog, check_references, clean_record
from handel.catalog.writing import write_records
from handel.channels.queries import get_channel
from handel.core import audit
from handel.core.errors import Conflict, InvalidInput, NotFound, field_error
from handel.core.events import emit
from handel.customers.models import CustomerGroup

SLUG_PATTERN = CODE_PATTERN
logger = logging.getLogger(__name__)


# -- products ---------------------------------------------------------------------------------------


def _write_one(record: Record, *, actor: Any, action: str) -> Product:
    catalog = Catalog()
    checked = clean_record(record, 1, catalog)
    if not checked.errors:
        check_references([checked])
    if checked.errors:
        raise InvalidInput(
            "the product is not valid",
            errors=[
                field_error(["body", *json_location(error.column).split(".")], error.reason) for error in checked.errors
            ],
        )
    result = write_records([checked.record], catalog)
    product = Product.objects.get(sku=checked.record["sku"])
    if result.created or result.updated:
        emit("catalog.products.changed", {"skus": [product.sku]})
        audit.record(actor=actor, action=action, obj=product, data={"sku": product.sku})
    return product


def create_product(*, actor: Any, record: Record) -> Product:
    """Create a product from a flat record (see records.py)."""
    with transaction.atomic(durable=True):
        if Product.objects.filter(sku=str(record.get("sku") or "").strip()).exists():
            raise Conflict(f"a product with SKU '{record.get('sku')}' exists already")
        return _write_one(record, actor=actor, action="product.created")


def update_product(*, actor: Any, sku: str, changes: Record, replace_attributes: bool = False) -> Product:
    """Change some fields of a product; the rest stays as it is. With `replace_attributes` the
    attribute values in `changes` replace all of the product's values."""
    with transaction.atomic(durable=True):
        product = with_record_data(Product.objects.filter(sku=sku)).first()
        if product is None:
            raise NotFound(f"no product '{sku}'")
        if "sku" in changes and changes["sku"] != sku:
            raise InvalidInput(
                "the SKU of a product cannot change", errors=[field_error(["body", "sku"], "cannot change")]
            )
        record = record_of(product)
        if replace_attributes:
            record = {key: value for key, value in record.items() if not key.startswith(ATTRIBUTE_PREFIX)}
        record.update(changes)
        return _write_one(record, actor=actor, action="product.updated")


def delete_product(*, actor: Any, sku: str) -> None:
    with transaction.atomic(durable=True):
        product = Product.objects.filter(sku=sku).first()
        if product is None:
            raise NotFound(f"no product '{sku}'")
        family = Q(pk=product.pk) | Q(parent_id=product.pk)
        family_ids = list(Product.objects.filter(family).values_list("pk", flat=True))
        users = set(
            KitComponent.objects.filter(product_id__in=family_ids)
            .exclude(kit_id__in=family_ids)
            .values_list("kit__sku", flat=True)
        )
        users |= set(
            BundleOption.objects.filter(product_id__in=family_ids)
            .exclude(group__bundle_id__in=family_ids)
            .values_list("group__bundle__sku", flat=True)
        )
        if users:
            raise Conflict(f"'{sku}' is part of {', '.join(sorted(users))}; remove it there first")
        skus = list(Product.objects.filter(family).values_list("sku", flat=True))
        touched = set(ProductRelation.objects.filter(target_id__in=family_ids).values_list("source_id", flat=True))
        Product.objects.filter(pk__in=touched - set(family_ids)).update(updated_at=timezone.now())
        audit.record(actor=actor, action="product.deleted", obj=product, data={"skus": skus})
        Product.objects.filter(pk__in=family_ids).delete()
        emit("catalog.products.deleted", {"skus": skus})


# -- categories -------------------------------------------------------------------------------------


def _clean_slug(slug: str, field: str = "slug") -> str:
    slug = str(slug).strip()
    if not SLUG_PATTERN.match(slug) or len(slug) > 100:
        raise InvalidInput(
            "not a valid slug", errors=[field_error(["body", field], "lowercase letters, digits, - or _")]
        )
    return slug


def _refuse_nul(fields: dict[str, Any]) -> None:
    """PostgreSQL cannot store NUL characters; refuse them as bad input instead of failing later."""
    bad = [name for name, value in fields.items() if _contains_nul(value)]
    if bad:
        raise InvalidInput(
            "text may not contain NUL characters",
            errors=[field_error(["body", name], "contains a NUL character") for name in bad],
        )


def _contains_nul(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_contains_nul(key) or _contains_nul(item) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return any(_contains_nul(item) for item in value)
    return isinstance(value, str) and "\x00" in value


def create_category(
    *,
    actor: Any,
    slug: str,
    name: str,
    parent_path: str | None = None,
    position: int | None = None,
    description: str = "",
    seo_title: str = "",
    seo_description: str = "",
    image: str = "",
    translations: dict[str, Any] | None = None,
    is_active: bool = True,
) -> Category:
    slug = _clean_slug(slug)
    _refuse_nul(
        {
            "name": name,
            "description": description,
            "seo_title": seo_title,
            "seo_description": seo_description,
            "image": image,
            "translations": translations,
        }
    )
    with transaction.atomic(durable=True):
        parent = None
        if parent_path:
            parent = Category.objects.filter(path=parent_path).first()
            if parent is None:
                raise InvalidInput(
                    f"no category '{parent_path}'", errors=[field_error(["body", "parent_path"], "unknown category")]
                )
        path = f"{parent.path}/{slug}" if parent else slug
        if Category.objects.filter(path=path).exists():
            raise Conflict(f"a category '{path}' exists already")
        if position is None:
            position = Category.objects.filter(parent=parent).count()
        category = Category.objects.create(
            parent=parent,
            slug=slug,
            path=path,
            depth=parent.depth + 1 if parent else 0,
            position=position,
            name=name,
            description=description,
            seo_title=seo_title,
            seo_description=seo_description,
            image=image,
            translations=translations or {},
            is_active=is_active,
        )
        audit.record(actor=actor, action="category.created", obj=category)
        emit("catalog.category.changed", {"path": path})
        # An assortment holding the parent now holds this category too.
        transaction.on_commit(forget_cached_assortments)
    return category


CATEGORY_FIELDS = {
    "name",
    "description",
    "seo_title",
    "seo_description",
    "image",
    "translations",
    "is_active",
    "position",
}


def update_category(*, actor: Any, path: str, changes: dict[str, Any]) -> Category:
    unknown = set(changes) - CATEGORY_FIELDS
    _refuse_nul(changes)
    if unknown:
        raise InvalidInput(
            "these fields cannot change here",
            errors=[field_error(["body", name], "use move_category") for name in sorted(unknown)],
        )
    with transaction.atomic(durable=True):
        category = Category.objects.select_for_update().filter(path=path).first()
        if category is None:
            raise NotFound(f"no category '{path}'")
        for name, value in changes.items():
            setattr(category, name, value)
        category.save()
        audit.record(actor=actor, action="category.updated", obj=category, data={"fields": sorted(changes)})
        emit("catalog.category.changed", {"path": category.path})
    return category


def move_category(
    *, actor: Any, path: str, new_parent_path: str | None, new_slug: str | None = None, position: int | None = None
) -> Category:
    """Move a category with its whole subtree under another parent (None: to the root) and/or
    rename its slug. Every descendant's path and depth follow in the same transaction; products
    stay linked to the same categories."""
    with transaction.atomic(durable=True):
        category = Category.objects.select_for_update().filter(path=path).first()
        if category is None:
            raise NotFound(f"no category '{path}'")
        parent = None
        if new_parent_path:
            parent = Category.objects.filter(path=new_parent_path).first()
            if parent is None:
                raise InvalidInput(
                    f"no category '{new_parent_path}'",
                    errors=[field_error(["body", "parent_path"], "unknown category")],
                )
            if parent.path == path or parent.path.startswith(path + "/"):
                raise InvalidInput(
                    "a category cannot move into its own subtree",
                    errors=[field_error(["body", "parent_path"], "inside the moved subtree")],
                )
        slug = _clean_slug(new_slug) if new_slug else category.slug
        new_path = f"{parent.path}/{slug}" if parent else slug
        if new_path != path and Category.objects.filter(path=new_path).exists():
            raise Conflict(f"a category '{new_path}' exists already")
        depth_change = (parent.depth + 1 if parent else 0) - category.depth
        descendants = list(Category.objects.select_for_update().filter(path__startswith=path + "/"))
        old_paths = {node.pk: node.path for node in descendants}
        # Free the old paths first: a unique path may be taken by the subtree's own members mid-way.
        for index, node in enumerate([category, *descendants]):
            node.path = f"~moving/{node.pk}/{index}"
        Category.objects.bulk_update([category, *descendants], ["path"])
        category.parent, category.slug, category.path = parent, slug, new_path
        category.depth += depth_change
        if position is not None:
            category.position = position
        category.save()
        for node in descendants:
            node.path = new_path + old_paths[node.pk][len(path) :]
            node.depth += depth_change
        Category.objects.bulk_update(descendants, ["path", "depth"], batch_size=500)
        audit.record(actor=actor, action="category.moved", obj=category, data={"from": path, "to": new_path})
        emit("catalog.category.moved", {"from": path, "to": new_path})
        transaction.on_commit(forget_cached_assortments)
    return category


def delete_category(*, actor: Any, path: str) -> None:
    with transaction.atomic(durable=True):
        category = Category.objects.filter(path=path).first()
        if category is None:
            raise NotFound(f"no category '{path}'")
        if category.children.exists():
            raise Conflict("the category has subcategories; move or delete them first")
        audit.record(actor=actor, action="category.deleted", obj=category, data={"path": path})
        category.delete()
        emit("catalog.category.deleted", {"path": path})
        transaction.on_commit(forget_cached_assortments)


# -- attributes, templates, brands ---------------------------------------------------------------------


def create_attribute(
    *,
    actor: Any,
    code: str,
    name: str,
    type: str,
    unit: str = "",
    is_translatable: bool = False,
    is_searchable: bool = False,
    is_filterable: bool = False,
    is_comparable: bool = False,
    is_shown_on_product_page: bool = True,
    is_variant_defining: bool = False,
    position: int = 0,
    translations: dict[str, Any] | None = None,
    options: list[dict[str, Any]] | None = None,
) -> Attribute:
    code = _clean_slug(code, "code")
    if type not in Attribute.Type.values:
        raise InvalidInput("unknown attribute type", errors=[field_error(["body", "type"], "unknown type")])
    if is_translatable and type not in (Attribute.Type.TEXT, Attribute.Type.RICH_TEXT):
        raise InvalidInput(
            "only texts are translatable",
            errors=[field_error(["body", "is_translatable"], "only for text and rich text")],
        )
    if is_variant_defining and type not in (Attribute.Type.SINGLE_SELECT, Attribute.Type.SWATCH):
        raise InvalidInput(
            "variants are told apart by single selects or swatches",
            errors=[field_error(["body", "is_variant_defining"], "single select or swatch only")],
        )
    with transaction.atomic(durable=True):
        if Attribute.objects.filter(code=code).exists():
            raise Conflict(f"an attribute '{code}' exists already")
        attribute = Attribute.objects.create(
            code=code,
            name=name,
            type=type,
            unit=unit,
            is_translatable=is_translatable,
            is_searchable=is_searchable,
            is_filterable=is_filterable,
            is_comparable=is_comparable,
            is_shown_on_product_page=is_shown_on_product_page,
            is_variant_defining=is_variant_defining,
            position=position,
            translations=translations or {},
        )
        for index, option in enumerate(options or []):
            AttributeOption.objects.create(
                attribute=attribute,
                code=_clean_slug(option["code"], "options"),
                label=option.get("label") or option["code"],
                translations=option.get("translations") or {},
                swatch=option.get("swatch", ""),
                position=index,
            )
        audit.record(actor=actor, action="attribute.created", obj=attribute)
    return attribute


def add_attribute_options(*, actor: Any, code: str, options: list[dict[str, Any]]) -> Attribute:
    with transaction.atomic(durable=True):
        attribute = Attribute.objects.filter(code=code).first()
        if attribute is None:
            raise NotFound(f"no attribute '{code}'")
        start = attribute.options.count()
        for index, option in enumerate(options):
            AttributeOption.objects.get_or_create(
                attribute=attribute,
                code=_clean_slug(option["code"], "options"),
                defaults={
                    "label": option.get("label") or option["code"],
                    "swatch": option.get("swatch", ""),
                    "translations": option.get("translations") or {},
                    "position": start + index,
                },
            )
        audit.record(actor=actor, action="attribute.options_added", obj=attribute)
    return attribute


def create_template(*, actor: Any, code: str, name: str, attributes: list[tuple[str, bool]]) -> ProductTemplate:
    """A product template with its attributes as (code, required) pairs, in order."""
    code = _clean_slug(code, "code")
    with transaction.atomic(durable=True):
        if ProductTemplate.objects.filter(code=code).exists():
            raise Conflict(f"a product template '{code}' exists already")
        known = dict(Attribute.objects.filter(code__in=[c for c, _ in attributes]).values_list("code", "id"))
        missing = [c for c, _ in attributes if c not in known]
        if missing:
            raise InvalidInput(
                "unknown attributes", errors=[field_error(["body", "attributes"], f"unknown '{c}'") for c in missing]
            )
        template = ProductTemplate.objects.create(code=code, name=name)
        TemplateAttribute.objects.bulk_create(
            [
                TemplateAttribute(template=template, attribute_id=known[c], is_required=required, position=index)
                for index, (c, required) in enumerate(attributes)
            ]
        )
        audit.record(actor=actor, action="product_template.created", obj=template)
    return template


def create_brand(*, actor: Any, code: str, name: str) -> Brand:
    code = _clean_slug(code, "code")
    with transaction.atomic(durable=True):
        if Brand.objects.filter(code=code).exists():
            raise Conflict(f"a brand '{code}' exists already")
        brand = Brand.objects.create(code=code, name=name)
        audit.record(actor=actor, action="brand.created", obj=brand)
    return brand


# -- assortments --------------------------------------------------------------------------------------


def save_assortment(
    *,
    actor: Any,
    code: str,
    name: str,
    channel_code: str | None = None,
    is_channel_default: bool = False,
    customer_group_code: str | None = None,
    category_paths: list[str] | None = None,
    skus: list[str] | None = None,
) -> Assortment:
    """Create or replace an assortment (its categories include their subtrees)."""
    code = _clean_slug(code, "code")
    errors = []
    channel = get_channel(channel_code) if channel_code else None
    if channel_code and channel is None:
        errors.append(field_error(["body", "channel_code"], f"unknown channel '{channel_code}'"))
    if is_channel_default and channel is None:
        errors.append(field_error(["body", "is_channel_default"], "a channel default needs its channel"))
    group = CustomerGroup.objects.filter(code=customer_group_code).first() if customer_group_code else None
    if customer_group_code and group is None:
        errors.append(field_error(["body", "customer_group_code"], f"unknown customer group '{customer_group_code}'"))
    categories = list(Category.objects.filter(path__in=category_paths or []))
    if len(categories) != len(set(category_paths or [])):
        known = {category.path for category in categories}
        errors += [
            field_error(["body", "category_paths"], f"unknown category '{p}'")
            for p in category_paths or []
            if p not in known
        ]
    products = list(Product.objects.filter(sku__in=skus or [], parent__isnull=True))
    if len(products) != len(set(skus or [])):
        known = {product.sku for product in products}
        errors += [field_error(["body", "skus"], f"no top-level product '{s}'") for s in skus or [] if s not in known]
    if errors:
        raise InvalidInput("the assortment is not valid", errors=errors)
    with transaction.atomic(durable=True):
        if is_channel_default:
            Assortment.objects.filter(channel=channel, is_channel_default=True).exclude(code=code).update(
                is_channel_default=False
            )
        assortment, created = Assortment.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "channel": channel,
                "is_channel_default": is_channel_default,
                "customer_group": group,
            },
        )
        assortment.categories.set(categories)
        assortment.products.set(products)
        audit.record(actor=actor, action="assortment.created" if created else "assortment.updated", obj=assortment)
        emit("catalog.assortment.changed", {"code": code})
        transaction.on_commit(forget_cached_assortments)
    return assortment


# -- import jobs ---------------------------------------------------------------------------------------


def start_import_job(*, actor: Any, content: str, format: str, dry_run: bool = False) -> CatalogImportJob:
    """Record the job and hand it to a background task (run at once when Celery is eager)."""
    from handel.catalog.importing import FORMATS
    from handel.catalog.tasks import run_import_job

    if format not in FORMATS:
        raise InvalidInput("unknown format", errors=[field_error(["body", "format"], "csv or jsonl")])
    with transaction.atomic(durable=True):
        job = CatalogImportJob.objects.create(format=format, dry_run=dry_run, content=content, created_by=actor)
        audit.record(actor=actor, action="catalog_import.started", obj=job)
    run_import_job.delay(job.pk)
    job.refresh_from_db()
    return job


def run_import_job_now(job_id: int) -> CatalogImportJob:
    from handel.catalog.importing import import_products

    claimed = CatalogImportJob.objects.filter(pk=job_id, status=CatalogImportJob.Status.PENDING).update(
        status=CatalogImportJob.Status.RUNNING
    )
    job = CatalogImportJob.objects.select_related("created_by").get(pk=job_id)
    if not claimed:
        return job
    try:
        report = import_products(text=job.content, format=job.format, dry_run=job.dry_run, actor=job.created_by)
    except Exception as exc:
        CatalogImportJob.objects.filter(pk=job_id).update(
            status=CatalogImportJob.Status.FAILED,
            finished_at=timezone.now(),
            report={"error": f"{type(exc).__name__}: {exc}"[:2000]},
        )
        logger.exception("catalog import job %s failed", job_id)
        return CatalogImportJob.objects.get(pk=job_id)
    CatalogImportJob.objects.filter(pk=job_id).update(
        status=CatalogImportJob.Status.DONE, finished_at=timezone.now(), report=report.as_dict()
    )
    job.refresh_from_db()
    return job
