"""Read side of product media: a summary per product for lists (one query for a whole page)
and everything of one product for its page. Visibility is the caller's business: pass only
products the viewer may see (`handel.catalog.queries.visible_skus` / `visible_products`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, Window
from django.db.models.functions import RowNumber

from handel.catalog.media.models import ProductDocument, ProductImage, ProductModel3D, SpinSet
from handel.catalog.media.renditions import url_of
from handel.catalog.models import Product


@dataclass(frozen=True)
class ProductMediaSummary:
    """What a product list shows of a product's media."""

    product_id: int
    primary_image: dict[str, Any] = field(hash=False)  # image_out() of the first gallery image
    image_count: int
    has_spin_set: bool
    has_3d_model: bool


def rendition_urls(renditions: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        name: {"url": url_of(item["path"]), "width": item["width"], "height": item["height"]}
        for name, item in renditions.items()
    }


def image_out(
    *,
    public_id: Any,
    file: str,
    external_url: str,
    alt_text: str,
    translations: dict[str, Any],
    width: int | None,
    height: int | None,
    renditions: dict[str, Any],
    variant_sku: str | None = None,
) -> dict[str, Any]:
    return {
        "id": str(public_id),
        "url": url_of(file) if file else external_url,
        "is_external": not file,
        "alt_text": alt_text,
        "alt_text_nl": (translations or {}).get("nl", {}).get("alt_text", ""),
        "width": width,
        "height": height,
        "renditions": rendition_urls(renditions or {}),
        "variant_sku": variant_sku,
    }


def media_for_products(product_ids: Iterable[int]) -> dict[int, ProductMediaSummary]:
    """The primary image (with rendition URLs), image count and 3D/360 flags of each product, in
    one query whatever the number of products: a window over the gallery images picks each
    product's (and each of their variants') first. A configurable without images of its own shows
    its first variant image, and its count includes its variants' images (those of variants not
    asked for themselves). Products without any gallery image are absent."""
    ids = list(dict.fromkeys(product_ids))
    if not ids:
        return {}
    rows = (
        ProductImage.objects.filter(
            # Through the product ids first, so that both lookups use an index (product; parent).
            product_id__in=Product.objects.filter(Q(pk__in=ids) | Q(parent_id__in=ids)).values("pk"),
            spin_set__isnull=True,
        )
        .order_by()
        .annotate(
            rank=Window(RowNumber(), partition_by=[F("product_id")], order_by=[F("position").asc(), F("id").asc()]),
            image_count=Window(Count("id"), partition_by=[F("product_id")]),
            has_spin_set=Exists(
                SpinSet.objects.filter(
                    Q(product_id=OuterRef("product_id")) | Q(product_id=OuterRef("product__parent_id"))
                )
            ),
            has_3d_model=Exists(
                ProductModel3D.objects.filter(
                    Q(product_id=OuterRef("product_id")) | Q(product_id=OuterRef("product__parent_id"))
                )
            ),
        )
        .filter(rank=1)
        .values_list(
            "product_id",
            "product__parent_id",
            "position",
            "id",
            "public_id",
            "file",
            "external_url",
            "alt_text",
            "translations",
            "width",
            "height",
            "renditions",
            "image_count",
            "has_spin_set",
            "has_3d_model",
        )
    )
    wanted = set(ids)
    firsts: dict[int, list[tuple[Any, ...]]] = {}
    counts: dict[int, int] = {}
    for row in rows:
        product_id, parent_id = row[0], row[1]
        owner = product_id if product_id in wanted else parent_id
        # Own images come before variant images; among variants, the lowest position wins.
        firsts.setdefault(owner, []).append((owner != product_id, row[2], row[3], row))
        counts[owner] = counts.get(owner, 0) + row[12]
    summaries = {}
    for owner, candidates in firsts.items():
        row = min(candidates, key=lambda candidate: candidate[:3])[3]
        summaries[owner] = ProductMediaSummary(
            product_id=owner,
            image_count=counts[owner],
            has_spin_set=bool(row[13]),
            has_3d_model=bool(row[14]),
            primary_image=image_out(
                public_id=row[4],
                file=row[5],
                external_url=row[6],
                alt_text=row[7],
                translations=row[8],
                width=row[9],
                height=row[10],
                renditions=row[11],
            ),
        )
    return summaries


def _image(image: ProductImage, variant_sku: str | None = None) -> dict[str, Any]:
    return image_out(
        public_id=image.public_id,
        file=image.file,
        external_url=image.external_url,
        alt_text=image.alt_text,
        translations=image.translations,
        width=image.width,
        height=image.height,
        renditions=image.renditions,
        variant_sku=variant_sku,
    )


def product_media(product: Product) -> dict[str, Any]:
    """Every medium of a product: gallery (its active variants' own images after its own), spin sets
    with frames, documents and 3D models. Four queries."""
    owners = Q(product_id=product.pk)
    if product.kind == Product.Kind.CONFIGURABLE:
        owners |= Q(product__parent_id=product.pk, product__status=Product.Status.ACTIVE)
    images = list(
        ProductImage.objects.filter(owners)
        .select_related("product")
        .only(
            "public_id",
            "file",
            "external_url",
            "alt_text",
            "translations",
            "width",
            "height",
            "renditions",
            "position",
            "spin_set_id",
            "product__sku",
            "product__id",
        )
        .order_by("position", "id")
    )
    own = [image for image in images if image.product_id == product.pk]
    gallery = [_image(image) for image in own if image.spin_set_id is None]
    gallery += [
        _image(image, image.product.sku)
        for image in images
        if image.product_id != product.pk and image.spin_set_id is None
    ]
    frames: dict[int, list[dict[str, Any]]] = {}
    for image in own:
        if image.spin_set_id is not None:
            frames.setdefault(image.spin_set_id, []).append(_image(image))
    return {
        "images": gallery,
        "spin_sets": [
            {"id": str(spin.public_id), "title": spin.title, "frames": frames.get(spin.pk, [])}
            for spin in SpinSet.objects.filter(product_id=product.pk)
        ],
        "documents": [
            {
                "id": str(document.public_id),
                "kind": document.kind,
                "title": document.title,
                "language": document.language,
                "url": url_of(document.file),
                "byte_size": document.byte_size,
            }
            for document in ProductDocument.objects.filter(product_id=product.pk)
        ],
        "models": [
            {
                "id": str(model.public_id),
                "title": model.title,
                "format": model.format,
                "url": url_of(model.file),
                "byte_size": model.byte_size,
            }
            for model in ProductModel3D.objects.filter(product_id=product.pk)
        ],
    }
