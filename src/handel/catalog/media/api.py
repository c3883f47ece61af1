"""/api/v1/catalog/products/{sku}/media and friends: public reads within the viewer's channel and
assortment; staff uploads, reordering and deletions (scope catalog:write). Uploads are multipart."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import File, Form, Router, Status, UploadedFile

from handel.catalog.api import PUBLIC, viewer_of
from handel.catalog.media import queries, services
from handel.catalog.media.models import ProductImage
from handel.catalog.media.renditions import url_of
from handel.catalog.media.schemas import (
    DocumentOut,
    ImageOrderIn,
    ImageOut,
    ImagePatch,
    ImageReferenceIn,
    ModelOut,
    ProductMediaOut,
    SpinSetOut,
)
from handel.catalog.models import Product
from handel.catalog.queries import visible_skus
from handel.core.api import AUTH, require_staff
from handel.core.errors import InvalidInput, NotFound, field_error

router = Router(tags=["catalog media"])
WRITE_SCOPE = "catalog:write"


def _read(upload: UploadedFile, limit: int, field: str = "file") -> bytes:
    # The declared size is checked first so that an oversized upload is never read into memory.
    if upload.size is not None and upload.size > limit:
        raise InvalidInput(
            f"the file is larger than {limit} bytes", errors=[field_error(["body", field], f"at most {limit} bytes")]
        )
    data: bytes = upload.read(limit + 1)
    return data


def _image(image: ProductImage) -> dict[str, Any]:
    return queries.image_out(
        public_id=image.public_id,
        file=image.file,
        external_url=image.external_url,
        alt_text=image.alt_text,
        translations=image.translations,
        width=image.width,
        height=image.height,
        renditions=image.renditions,
    )


@router.get("/products/{sku}/media", response=ProductMediaOut, operation_id="get_product_media", auth=PUBLIC)
def get_product_media(request: HttpRequest, sku: str) -> dict[str, Any]:
    """Images (a configurable's variant images included, marked with `variant_sku`), 360° spin sets,
    documents and 3D models of a product the viewer may see."""
    viewer = viewer_of(request)
    if sku not in visible_skus(
        channel_code=viewer.channel_code,
        customer_group_code=viewer.customer_group_code,
        assortment_code=viewer.assortment_code,
        skus=[sku],
    ):
        raise NotFound(f"no product '{sku}'")
    product = Product.objects.only("id", "sku", "kind").get(sku=sku)
    return queries.product_media(product)


@router.post("/products/{sku}/images", response={201: ImageOut}, operation_id="upload_product_image", auth=AUTH)
def upload_product_image(
    request: HttpRequest, sku: str, file: File[UploadedFile], alt_text: Form[str] = "", alt_text_nl: Form[str] = ""
) -> Status[dict[str, Any]]:
    """Upload a JPEG, PNG or WebP image (judged by content). To a variant's SKU for a variant image."""
    actor = require_staff(request, "catalog_media.add_productimage", scope=WRITE_SCOPE)
    if len(alt_text) > 300 or len(alt_text_nl) > 300:
        raise InvalidInput("alt text is too long", errors=[field_error(["body", "alt_text"], "at most 300 characters")])
    image = services.add_image(
        actor=actor,
        sku=sku,
        data=_read(file, settings.HANDEL_MEDIA_MAX_IMAGE_BYTES),
        alt_text=alt_text,
        alt_text_nl=alt_text_nl,
    )
    return Status(201, _image(image))


@router.post(
    "/products/{sku}/image-references", response={201: ImageOut}, operation_id="add_product_image_reference", auth=AUTH
)
def add_product_image_reference(request: HttpRequest, sku: str, payload: ImageReferenceIn) -> Status[dict[str, Any]]:
    actor = require_staff(request, "catalog_media.add_productimage", scope=WRITE_SCOPE)
    image = services.add_image_reference(
        actor=actor, sku=sku, url=payload.url, alt_text=payload.alt_text, alt_text_nl=payload.alt_text_nl
    )
    return Status(201, _image(image))


@router.put("/products/{sku}/image-order", response=list[ImageOut], operation_id="reorder_product_images", auth=AUTH)
def reorder_product_images(request: HttpRequest, sku: str, payload: ImageOrderIn) -> list[dict[str, Any]]:
    actor = require_staff(request, "catalog_media.change_productimage", scope=WRITE_SCOPE)
    return [_image(image) for image in services.reorder_images(actor=actor, sku=sku, image_ids=payload.image_ids)]


@router.patch("/images/{image_id}", response=ImageOut, operation_id="update_product_image", auth=AUTH)
def update_product_image(request: HttpRequest, image_id: str, payload: ImagePatch) -> dict[str, Any]:
    actor = require_staff(request, "catalog_media.change_productimage", scope=WRITE_SCOPE)
    return _image(
        services.update_image(
            actor=actor, image_id=image_id, alt_text=payload.alt_text, alt_text_nl=payload.alt_text_nl
        )
    )


@router.delete("/images/{image_id}", response={204: None}, operation_id="delete_product_image", auth=AUTH)
def delete_product_image(request: HttpRequest, image_id: str) -> Status[None]:
    actor = require_staff(request, "catalog_media.delete_productimage", scope=WRITE_SCOPE)
    services.delete_image(actor=actor, image_id=image_id)
    return Status(204, None)


@router.post(
    "/products/{sku}/documents", response={201: DocumentOut}, operation_id="upload_product_document", auth=AUTH
)
def upload_product_document(
    request: HttpRequest,
    sku: str,
    file: File[UploadedFile],
    title: Form[str],
    language: Form[str] = "en",
    kind: Form[str] = "datasheet",
) -> Status[dict[str, Any]]:
    """Upload a PDF (datasheet, manual, certificate, safety data sheet)."""
    actor = require_staff(request, "catalog_media.add_productdocument", scope=WRITE_SCOPE)
    if len(title) > 200:
        raise InvalidInput("the title is too long", errors=[field_error(["body", "title"], "at most 200 characters")])
    document = services.add_document(
        actor=actor,
        sku=sku,
        data=_read(file, settings.HANDEL_MEDIA_MAX_DOCUMENT_BYTES),
        title=title,
        language=language,
        kind=kind,
    )
    return Status(
        201,
        {
            "id": str(document.public_id),
            "kind": document.kind,
            "title": document.title,
            "language": document.language,
            "url": url_of(document.file),
            "byte_size": document.byte_size,
        },
    )


@router.delete("/documents/{document_id}", response={204: None}, operation_id="delete_product_document", auth=AUTH)
def delete_product_document(request: HttpRequest, document_id: str) -> Status[None]:
    actor = require_staff(request, "catalog_media.delete_productdocument", scope=WRITE_SCOPE)
    services.delete_document(actor=actor, document_id=document_id)
    return Status(204, None)


@router.post("/products/{sku}/spin-sets", response={201: SpinSetOut}, operation_id="create_spin_set", auth=AUTH)
def create_spin_set(
    request: HttpRequest, sku: str, frames: File[list[UploadedFile]], title: Form[str] = ""
) -> Status[dict[str, Any]]:
    """A 360° spin set: upload the frames (images) in turning order under the field name `frames`."""
    actor = require_staff(request, "catalog_media.add_spinset", scope=WRITE_SCOPE)
    if len(frames) > services.MAX_SPIN_FRAMES:
        raise InvalidInput(
            "too many frames", errors=[field_error(["body", "frames"], f"at most {services.MAX_SPIN_FRAMES} images")]
        )
    data = [
        _read(frame, settings.HANDEL_MEDIA_MAX_IMAGE_BYTES, f"frames[{index}]") for index, frame in enumerate(frames)
    ]
    spin_set = services.create_spin_set(actor=actor, sku=sku, frames=data, title=title[:200])
    return Status(
        201,
        {
            "id": str(spin_set.public_id),
            "title": spin_set.title,
            "frames": [_image(frame) for frame in spin_set.frames.order_by("position")],
        },
    )


@router.delete("/spin-sets/{spin_set_id}", response={204: None}, operation_id="delete_spin_set", auth=AUTH)
def delete_spin_set(request: HttpRequest, spin_set_id: str) -> Status[None]:
    actor = require_staff(request, "catalog_media.delete_spinset", scope=WRITE_SCOPE)
    services.delete_spin_set(actor=actor, spin_set_id=spin_set_id)
    return Status(204, None)


@router.post("/products/{sku}/models", response={201: ModelOut}, operation_id="upload_product_model", auth=AUTH)
def upload_product_model(
    request: HttpRequest, sku: str, file: File[UploadedFile], title: Form[str] = ""
) -> Status[dict[str, Any]]:
    """Upload a glTF 2.0 model: binary .glb, or .gltf JSON with embedded data URIs."""
    actor = require_staff(request, "catalog_media.add_productmodel3d", scope=WRITE_SCOPE)
    model = services.add_model(
        actor=actor, sku=sku, data=_read(file, settings.HANDEL_MEDIA_MAX_MODEL_BYTES), title=title[:200]
    )
    return Status(
        201,
        {
            "id": str(model.public_id),
            "title": model.title,
            "format": model.format,
            "url": url_of(model.file),
            "byte_size": model.byte_size,
        },
    )


@router.delete("/models/{model_id}", response={204: None}, operation_id="delete_product_model", auth=AUTH)
def delete_product_model(request: HttpRequest, model_id: str) -> Status[None]:
    actor = require_staff(request, "catalog_media.delete_productmodel3d", scope=WRITE_SCOPE)
    services.delete_model(actor=actor, model_id=model_id)
    return Status(204, None)
