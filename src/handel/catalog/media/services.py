"""Write use cases of product media. Files are checked by content first, then stored, then the
rows are written in one transaction; if that transaction fails, the stored files are removed
again, and files of deleted rows are removed only after the deletion commits."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any, TypeVar
from urllib.parse import urlsplit

from django.db import transaction
from django.db.models import Max, Model
from django.utils import timezone

from handel.catalog.media.inspection import inspect_image, inspect_model, inspect_pdf
from handel.catalog.media.models import ProductDocument, ProductImage, ProductModel3D, SpinSet
from handel.catalog.media.renditions import delete_files, make_renditions, store, sweep_unreferenced
from handel.catalog.models import Product
from handel.core import audit
from handel.core.errors import InvalidInput, NotFound, field_error
from handel.core.events import emit

LANGUAGES = {"en", "nl", "de", "fr"}
MAX_SPIN_FRAMES = 72
Row = TypeVar("Row", bound=Model)


def _product(sku: str) -> Product:
    product = Product.objects.filter(sku=sku).only("id", "sku").first()
    if product is None:
        raise NotFound(f"no product '{sku}'")
    return product


def _changed(product: Product) -> None:
    emit("catalog.media.changed", {"skus": [product.sku]})


def _next_position(model: type[Model], **filters: Any) -> int:
    highest = model.objects.filter(**filters).aggregate(highest=Max("position"))["highest"]  # type: ignore[attr-defined]
    return 0 if highest is None else highest + 1


@contextmanager
def _files_kept_only_on_commit(paths: list[str]) -> Iterator[None]:
    """Stored files belong to rows written in the block; if the block fails, remove them."""
    try:
        yield
    except BaseException:
        delete_files(paths)
        raise


def _store_image(data: bytes, *, field: str) -> dict[str, Any]:
    facts = inspect_image(data, field=field)
    folder = f"catalog/images/{uuid.uuid4().hex}"
    original = store(f"{folder}/original.{facts.extension}", data)
    renditions = make_renditions(data, folder=folder)
    return {
        "file": original,
        "format": facts.format.lower(),
        "width": facts.width,
        "height": facts.height,
        "byte_size": facts.byte_size,
        "renditions": renditions,
    }


def _paths_of_image(image: ProductImage) -> list[str]:
    return [image.file, *(item["path"] for item in image.renditions.values())] if image.file else []


def _alt_translations(alt_text_nl: str) -> dict[str, Any]:
    return {"nl": {"alt_text": alt_text_nl}} if alt_text_nl else {}


# -- images -----------------------------------------------------------------------------------------


def add_image(
    *, actor: Any, sku: str, data: bytes, alt_text: str = "", alt_text_nl: str = "", position: int | None = None
) -> ProductImage:
    """Upload a gallery image (a variant's SKU gives a variant-specific image); renditions are made now."""
    product = _product(sku)
    stored = _store_image(data, field="file")
    paths = [stored["file"], *(item["path"] for item in stored["renditions"].values())]
    with _files_kept_only_on_commit(paths), transaction.atomic(durable=True):
        image = ProductImage.objects.create(
            product=product,
            alt_text=alt_text,
            translations=_alt_translations(alt_text_nl),
            position=_next_position(ProductImage, product=product, spin_set=None) if position is None else position,
            **stored,
        )
        audit.record(actor=actor, action="product_image.added", obj=image, data={"sku": sku})
        _changed(product)
    return image


def add_image_reference(*, actor: Any, sku: str, url: str, alt_text: str = "", alt_text_nl: str = "") -> ProductImage:
    """An image kept elsewhere (a supplier's CDN, an import): only the URL is stored, no renditions."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc or len(url) > 1000:
        raise InvalidInput("not an image URL", errors=[field_error(["body", "url"], "an http(s) URL is needed")])
    product = _product(sku)
    with transaction.atomic(durable=True):
        image = ProductImage.objects.create(
            product=product,
            external_url=url,
            alt_text=alt_text,
            translations=_alt_translations(alt_text_nl),
            position=_next_position(ProductImage, product=product, spin_set=None),
        )
        audit.record(actor=actor, action="product_image.referenced", obj=image, data={"sku": sku, "url": url})
        _changed(product)
    return image


def _by_public_id(model: type[Row], public_id: str, what: str, **filters: Any) -> Row:
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        raise NotFound(f"no {what} '{public_id}'") from None
    row = model.objects.select_related("product").filter(public_id=key, **filters).first()  # type: ignore[attr-defined]
    if row is None:
        raise NotFound(f"no {what} '{public_id}'")
    return row  # type: ignore[no-any-return]


def update_image(
    *, actor: Any, image_id: str, alt_text: str | None = None, alt_text_nl: str | None = None
) -> ProductImage:
    with transaction.atomic(durable=True):
        image = _by_public_id(ProductImage, image_id, "image")
        if alt_text is not None:
            image.alt_text = alt_text
        if alt_text_nl is not None:
            image.translations = _alt_translations(alt_text_nl)
        image.save(update_fields=["alt_text", "translations"])
        audit.record(actor=actor, action="product_image.updated", obj=image)
        _changed(image.product)
    return image


def reorder_images(*, actor: Any, sku: str, image_ids: list[str]) -> list[ProductImage]:
    """Give the product's gallery images this order; the list must name each of them once."""
    with transaction.atomic(durable=True):
        product = _product(sku)
        images = {
            str(image.public_id): image
            for image in ProductImage.objects.select_for_update().filter(product=product, spin_set=None)
        }
        if sorted(image_ids) != sorted(images) or len(set(image_ids)) != len(image_ids):
            raise InvalidInput(
                "the order must name every image of the product once",
                errors=[field_error(["body", "image_ids"], f"expected these {len(images)} image ids in the new order")],
            )
        ordered = [images[image_id] for image_id in image_ids]
        for position, image in enumerate(ordered):
            image.position = position
        ProductImage.objects.bulk_update(ordered, ["position"])
        audit.record(actor=actor, action="product_images.reordered", obj=product, data={"order": image_ids})
        _changed(product)
    return ordered


def _delete_with_files(row: Model, paths: list[str], *, actor: Any, action: str) -> None:
    with transaction.atomic(durable=True):
        product = row.product  # type: ignore[attr-defined]
        audit.record(actor=actor, action=action, obj=row, data={"sku": product.sku})
        row.delete()
        _changed(product)
        transaction.on_commit(lambda: delete_files(paths))


def delete_image(*, actor: Any, image_id: str) -> None:
    image = _by_public_id(ProductImage, image_id, "image", spin_set=None)
    _delete_with_files(image, _paths_of_image(image), actor=actor, action="product_image.deleted")


# -- documents ------------------------------------------------------------------------------------


def add_document(
    *, actor: Any, sku: str, data: bytes, title: str, language: str = "en", kind: str = ProductDocument.Kind.DATASHEET
) -> ProductDocument:
    errors = []
    if not title.strip():
        errors.append(field_error(["body", "title"], "a title is needed"))
    if language not in LANGUAGES:
        errors.append(field_error(["body", "language"], f"one of {', '.join(sorted(LANGUAGES))}"))
    if kind not in ProductDocument.Kind.values:
        errors.append(field_error(["body", "kind"], f"one of {', '.join(ProductDocument.Kind.values)}"))
    if errors:
        raise InvalidInput("the document is not valid", errors=errors)
    product = _product(sku)
    size = inspect_pdf(data)
    path = store(f"catalog/documents/{uuid.uuid4().hex}.pdf", data)
    with _files_kept_only_on_commit([path]), transaction.atomic(durable=True):
        document = ProductDocument.objects.create(
            product=product,
            kind=kind,
            title=title.strip(),
            language=language,
            file=path,
            byte_size=size,
            position=_next_position(ProductDocument, product=product),
        )
        audit.record(actor=actor, action="product_document.added", obj=document, data={"sku": sku})
        _changed(product)
    return document


def delete_document(*, actor: Any, document_id: str) -> None:
    document = _by_public_id(ProductDocument, document_id, "document")
    _delete_with_files(document, [document.file], actor=actor, action="product_document.deleted")


# -- spin sets ------------------------------------------------------------------------------------


def create_spin_set(*, actor: Any, sku: str, frames: list[bytes], title: str = "") -> SpinSet:
    """A 360° spin set from frames in turning order (each checked like any image)."""
    if not 2 <= len(frames) <= MAX_SPIN_FRAMES:
        raise InvalidInput(
            "a spin set needs frames",
            errors=[field_error(["body", "frames"], f"between 2 and {MAX_SPIN_FRAMES} images")],
        )
    product = _product(sku)
    for index, frame in enumerate(frames):
        inspect_image(frame, field=f"frames[{index}]")
    stored = [_store_image(frame, field=f"frames[{index}]") for index, frame in enumerate(frames)]
    paths = [path for item in stored for path in (item["file"], *(r["path"] for r in item["renditions"].values()))]
    with _files_kept_only_on_commit(paths), transaction.atomic(durable=True):
        spin_set = SpinSet.objects.create(
            product=product, title=title, position=_next_position(SpinSet, product=product)
        )
        ProductImage.objects.bulk_create(
            [
                ProductImage(product=product, spin_set=spin_set, position=index, **item)
                for index, item in enumerate(stored)
            ]
        )
        audit.record(actor=actor, action="spin_set.created", obj=spin_set, data={"sku": sku, "frames": len(frames)})
        _changed(product)
    return spin_set


def delete_spin_set(*, actor: Any, spin_set_id: str) -> None:
    spin_set = _by_public_id(SpinSet, spin_set_id, "spin set")
    paths = [path for frame in spin_set.frames.all() for path in _paths_of_image(frame)]
    _delete_with_files(spin_set, paths, actor=actor, action="spin_set.deleted")


# -- 3D models ------------------------------------------------------------------------------------


def add_model(*, actor: Any, sku: str, data: bytes, title: str = "") -> ProductModel3D:
    """A glTF 2.0 model (.glb, or .gltf with embedded data), checked by parsing it."""
    product = _product(sku)
    facts = inspect_model(data)
    path = store(f"catalog/models/{uuid.uuid4().hex}.{facts.extension}", data)
    with _files_kept_only_on_commit([path]), transaction.atomic(durable=True):
        model = ProductModel3D.objects.create(
            product=product,
            title=title,
            format=facts.format,
            file=path,
            byte_size=facts.byte_size,
            position=_next_position(ProductModel3D, product=product),
        )
        audit.record(actor=actor, action="product_model.added", obj=model, data={"sku": sku})
        _changed(product)
    return model


def delete_model(*, actor: Any, model_id: str) -> None:
    model = _by_public_id(ProductModel3D, model_id, "3D model")
    _delete_with_files(model, [model.file], actor=actor, action="product_model.deleted")


# -- imported references ----------------------------------------------------------------------------


def _is_url(reference: str) -> bool:
    parts = urlsplit(reference)
    return parts.scheme in {"http", "https"} and bool(parts.netloc)


def sync_image_references(payload: dict[str, Any]) -> int:
    """Handler of `catalog.products.changed`: a product's imported image references (Product.media,
    the import/export column) become external gallery images after its uploaded ones, in the same
    order; references no longer listed go. Uploaded images are never touched. References that are
    not http(s) URLs (storage paths) are kept on the product only. Returns the images changed."""
    skus = list(payload.get("skus") or [])
    if not skus:
        return 0
    changed = 0
    with transaction.atomic(durable=True):
        products = list(Product.objects.filter(sku__in=skus).only("id", "sku", "media"))
        existing: dict[int, list[ProductImage]] = {}
        for image in ProductImage.objects.filter(product__in=products, spin_set=None).order_by("position", "id"):
            existing.setdefault(image.product_id, []).append(image)
        to_create, to_update, to_delete = [], [], []
        for product in products:
            wanted = [str(reference) for reference in product.media or [] if _is_url(str(reference))]
            images = existing.get(product.pk, [])
            uploaded = [image for image in images if image.file]
            referenced = {image.external_url: image for image in images if not image.file}
            start = max((image.position for image in uploaded), default=-1) + 1
            for index, url in enumerate(dict.fromkeys(wanted)):
                image = referenced.pop(url, None)
                if image is None:
                    to_create.append(ProductImage(product=product, external_url=url, position=start + index))
                elif image.position != start + index:
                    image.position = start + index
                    to_update.append(image)
            to_delete += [image.pk for image in referenced.values()]
        ProductImage.objects.bulk_create(to_create)
        ProductImage.objects.bulk_update(to_update, ["position"])
        ProductImage.objects.filter(pk__in=to_delete).delete()
        changed = len(to_create) + len(to_update) + len(to_delete)
        if changed:
            audit.record(
                actor=None,
                action="product_images.references_synced",
                object_type="catalog.product",
                data={"skus": skus[:100], "changed": changed},
            )
    return changed


def sweep_orphaned_files(min_age: timedelta = timedelta(days=1)) -> int:
    """The periodic job: files whose rows are gone (a product deleted with its media by the catalog,
    a transaction that failed after storing) are removed once they are older than `min_age`."""
    older_than = timezone.now() - min_age
    image_folders = {
        path.split("/")[2]
        for path in ProductImage.objects.exclude(file="").values_list("file", flat=True)
        if path.count("/") >= 3
    }
    documents = {path.rsplit("/", 1)[-1] for path in ProductDocument.objects.values_list("file", flat=True)}
    models_3d = {path.rsplit("/", 1)[-1] for path in ProductModel3D.objects.values_list("file", flat=True)}
    return (
        sweep_unreferenced("catalog/images", image_folders, older_than=older_than)
        + sweep_unreferenced("catalog/documents", documents, older_than=older_than)
        + sweep_unreferenced("catalog/models", models_3d, older_than=older_than)
    )
