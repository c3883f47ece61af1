"""/api/v1/catalog: public reads for the viewer's channel and assortment; staff writes."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status
from ninja.decorators import decorate_view

from handel.catalog import browsing, services
from handel.catalog.importing import export_products as write_export
from handel.catalog.models import Attribute, CatalogImportJob, Product
from handel.catalog.records import from_json_object, record_of, to_json_object, with_record_data
from handel.catalog.schemas import (
    AssortmentIn,
    AssortmentOut,
    AttributeIn,
    AttributeOut,
    AttributePage,
    BrandIn,
    BrandOut,
    CategoryDetailOut,
    CategoryIn,
    CategoryMoveIn,
    CategoryOut,
    CategoryPage,
    CategoryPatch,
    ImportIn,
    ImportJobOut,
    ProductDetailOut,
    ProductIn,
    ProductPage,
    ProductPatch,
    ProductRecordOut,
    TemplateIn,
    TemplateOut,
)
from handel.channels.queries import channel_for_request
from handel.core.api import AUTH, bearer_auth, require_staff, session_auth
from handel.core.errors import NotFound
from handel.core.idempotency import idempotent
from handel.core.pagination import paginate

router = Router(tags=["catalog"])


def _anyone(request: HttpRequest) -> bool:
    return True


# Public reads know a signed-in viewer (for their customer group's assortment) but need no sign-in.
PUBLIC = [bearer_auth, session_auth, _anyone]


def viewer_of(request: HttpRequest) -> browsing.Viewer:
    channel = channel_for_request(request)
    if channel is None:
        raise NotFound("no sales channel")
    return browsing.viewer_for(channel.code, getattr(request, "user", None))


def _record_payload(payload: ProductIn | ProductPatch) -> dict[str, Any]:
    data = payload.dict(exclude_unset=True)
    for name in ("cost_price", "msrp", "bundle_price"):
        if data.get(name) is not None:
            data[name] = str(data[name])
    for name, value in list(data.items()):
        if value is None and name not in ("cost_price", "msrp", "bundle_price"):
            data[name] = "" if name not in ("weight_grams", "length_mm", "width_mm", "height_mm") else None
    return from_json_object(data)


def _staff_record(sku: str) -> dict[str, Any]:
    product = with_record_data(Product.objects.filter(sku=sku)).first()
    if product is None:
        raise NotFound(f"no product '{sku}'")
    return to_json_object(record_of(product))


# -- products ----------------------------------------------------------------------------------------


@router.get("/products", response=ProductPage, operation_id="list_products", auth=PUBLIC)
def list_products(
    request: HttpRequest,
    page: int = 1,
    page_size: int = 20,
    category: str | None = None,
    brand: list[str] = Query([]),  # noqa: B008
    attr: list[str] = Query([]),  # noqa: B008
    updated_since: datetime | None = None,
    kind: str | None = None,
    sort: str = "sku",
) -> HttpResponse:
    """Active products visible in the channel and the viewer's assortment. `attr` filters by attribute
    value: `colour:red,blue` or `power:500..900`; `category` includes its subcategories."""
    page_data = browsing.product_list(
        viewer_of(request),
        page=page,
        page_size=page_size,
        sort=sort,
        category=category,
        brand=brand,
        attributes=attr,
        updated_since=updated_since,
        kind=kind,
    )
    # Serialised here, skipping ninja's validation of the response (a third of the time of a page
    # of 50); the response model above still documents it, and tests check the two agree.
    return HttpResponse(json.dumps(page_data, cls=DjangoJSONEncoder), content_type="application/json")


@router.get("/products/{sku}", response=ProductDetailOut, operation_id="get_product", auth=PUBLIC)
def get_product(request: HttpRequest, sku: str) -> dict[str, Any]:
    return browsing.product_detail(viewer_of(request), sku)


@router.get("/staff/products/{sku}", response=ProductRecordOut, operation_id="get_product_record", auth=AUTH)
def get_product_record(request: HttpRequest, sku: str) -> dict[str, Any]:
    """Every field of a product, whatever its status or visibility, cost price included (staff)."""
    require_staff(request, "catalog.view_product", scope="catalog:read")
    return _staff_record(sku)


@router.post("/products", response={201: ProductRecordOut}, operation_id="create_product", auth=AUTH)
@decorate_view(idempotent("create_product"))
def create_product(request: HttpRequest, payload: ProductIn) -> Status[dict[str, Any]]:
    actor = require_staff(request, "catalog.add_product", scope="catalog:write")
    product = services.create_product(actor=actor, record=_record_payload(payload))
    return Status(201, _staff_record(product.sku))


@router.patch("/products/{sku}", response=ProductRecordOut, operation_id="update_product", auth=AUTH)
def update_product(request: HttpRequest, sku: str, payload: ProductPatch) -> dict[str, Any]:
    actor = require_staff(request, "catalog.change_product", scope="catalog:write")
    changes = _record_payload(payload)
    services.update_product(
        actor=actor, sku=sku, changes=changes, replace_attributes="attributes" in payload.model_fields_set
    )
    return _staff_record(sku)


@router.delete("/products/{sku}", response={204: None}, operation_id="delete_product", auth=AUTH)
def delete_product(request: HttpRequest, sku: str) -> Status[None]:
    actor = require_staff(request, "catalog.delete_product", scope="catalog:write")
    services.delete_product(actor=actor, sku=sku)
    return Status(204, None)


# -- categories --------------------------------------------------------------------------------------


@router.get("/categories", response=CategoryPage, operation_id="list_categories", auth=PUBLIC)
def list_categories(
    request: HttpRequest, page: int = 1, page_size: int = 100, parent: str | None = None, depth: int | None = None
) -> dict[str, Any]:
    return browsing.category_list(viewer_of(request), page=page, page_size=page_size, parent=parent, depth=depth)


@router.get("/categories/{path:path}", response=CategoryDetailOut, operation_id="get_category", auth=PUBLIC)
def get_category(request: HttpRequest, path: str) -> dict[str, Any]:
    return browsing.category_detail(viewer_of(request), path)


@router.post("/categories", response={201: CategoryOut}, operation_id="create_category", auth=AUTH)
def create_category(request: HttpRequest, payload: CategoryIn) -> Status[dict[str, Any]]:
    actor = require_staff(request, "catalog.add_category", scope="catalog:write")
    category = services.create_category(actor=actor, **payload.dict())
    return Status(201, browsing.category_summary(category))


@router.post("/category-moves", response=CategoryOut, operation_id="move_category", auth=AUTH)
def move_category(request: HttpRequest, payload: CategoryMoveIn) -> dict[str, Any]:
    """Move a category with its subtree under another parent (or to the root), optionally renamed."""
    actor = require_staff(request, "catalog.change_category", scope="catalog:write")
    category = services.move_category(
        actor=actor,
        path=payload.path,
        new_parent_path=payload.parent_path,
        new_slug=payload.slug,
        position=payload.position,
    )
    return browsing.category_summary(category)


@router.patch("/categories/{path:path}", response=CategoryOut, operation_id="update_category", auth=AUTH)
def update_category(request: HttpRequest, path: str, payload: CategoryPatch) -> dict[str, Any]:
    actor = require_staff(request, "catalog.change_category", scope="catalog:write")
    category = services.update_category(actor=actor, path=path, changes=payload.dict(exclude_unset=True))
    return browsing.category_summary(category)


@router.delete("/categories/{path:path}", response={204: None}, operation_id="delete_category", auth=AUTH)
def delete_category(request: HttpRequest, path: str) -> Status[None]:
    actor = require_staff(request, "catalog.delete_category", scope="catalog:write")
    services.delete_category(actor=actor, path=path)
    return Status(204, None)


# -- attributes, templates, brands, assortments -----------------------------------------------------


def _attribute_out(attribute: Attribute) -> dict[str, Any]:
    return {
        **{name: getattr(attribute, name) for name in AttributeOut.model_fields if name != "options"},
        "options": [
            {"code": o.code, "label": o.label, "swatch": o.swatch, "translations": o.translations}
            for o in attribute.options.all()
        ],
    }


@router.get("/attributes", response=AttributePage, operation_id="list_attributes", auth=None)
def list_attributes(request: HttpRequest, page: int = 1, page_size: int = 100) -> dict[str, Any]:
    return paginate(
        Attribute.objects.prefetch_related("options"), page=page, page_size=page_size, order_by=["position", "code"]
    ).as_dict(_attribute_out)


@router.post("/attributes", response={201: AttributeOut}, operation_id="create_attribute", auth=AUTH)
def create_attribute(request: HttpRequest, payload: AttributeIn) -> Status[dict[str, Any]]:
    actor = require_staff(request, "catalog.add_attribute", scope="catalog:write")
    data = payload.dict()
    attribute = services.create_attribute(actor=actor, **data)
    return Status(201, _attribute_out(attribute))


@router.post("/templates", response={201: TemplateOut}, operation_id="create_product_template", auth=AUTH)
def create_template(request: HttpRequest, payload: TemplateIn) -> Status[Any]:
    actor = require_staff(request, "catalog.add_producttemplate", scope="catalog:write")
    template = services.create_template(
        actor=actor, code=payload.code, name=payload.name, attributes=[(a.code, a.required) for a in payload.attributes]
    )
    return Status(201, template)


@router.post("/brands", response={201: BrandOut}, operation_id="create_brand", auth=AUTH)
def create_brand(request: HttpRequest, payload: BrandIn) -> Status[Any]:
    actor = require_staff(request, "catalog.add_brand", scope="catalog:write")
    return Status(201, services.create_brand(actor=actor, code=payload.code, name=payload.name))


@router.put("/assortments/{code}", response=AssortmentOut, operation_id="save_assortment", auth=AUTH)
def save_assortment(request: HttpRequest, code: str, payload: AssortmentIn) -> Any:
    actor = require_staff(request, "catalog.change_assortment", scope="catalog:write")
    data = payload.dict()
    data["code"] = code
    return services.save_assortment(actor=actor, **data)


# -- import and export --------------------------------------------------------------------------------


def _job_out(job: CatalogImportJob) -> dict[str, Any]:
    return {
        "id": str(job.public_id),
        "status": job.status,
        "format": job.format,
        "dry_run": job.dry_run,
        "created_at": job.created_at,
        "finished_at": job.finished_at,
        "report": job.report,
    }


@router.post("/imports", response={202: ImportJobOut}, operation_id="import_products", auth=AUTH)
def import_products(request: HttpRequest, payload: ImportIn) -> Status[dict[str, Any]]:
    """Start an import job (CSV or JSON Lines content); poll `get_import_job` for its report."""
    actor = require_staff(request, "catalog.add_product", scope="catalog:write")
    require_staff(request, "catalog.change_product")
    job = services.start_import_job(
        actor=actor, content=payload.content, format=payload.format, dry_run=payload.dry_run
    )
    return Status(202, _job_out(job))


@router.get("/imports/{job_id}", response=ImportJobOut, operation_id="get_import_job", auth=AUTH)
def get_import_job(request: HttpRequest, job_id: str) -> dict[str, Any]:
    require_staff(request, "catalog.add_product", scope="catalog:write")
    job = CatalogImportJob.objects.filter(public_id=job_id).first() if _is_uuid(job_id) else None
    if job is None:
        raise NotFound("no such import job")
    return _job_out(job)


def _is_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


@router.get(
    "/export",
    operation_id="export_products",
    auth=AUTH,
    response={200: None},
    openapi_extra={
        "responses": {
            "200": {"description": "CSV or JSON Lines", "content": {"text/csv": {}, "application/x-ndjson": {}}}
        }
    },
)
def export_products(request: HttpRequest, format: str = "csv") -> HttpResponse:
    """Every product as CSV or JSON Lines, in the import format (staff; includes cost prices)."""
    require_staff(request, "catalog.view_product", scope="catalog:read")
    content_type = "text/csv" if format == "csv" else "application/x-ndjson"
    response = HttpResponse(content_type=f"{content_type}; charset=utf-8")
    write_export(response, format=format)  # type: ignore[arg-type]
    response["Content-Disposition"] = f'attachment; filename="products.{format}"'
    return response
