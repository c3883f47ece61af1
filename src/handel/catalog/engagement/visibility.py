"""What exists for a viewer: a product outside the viewer's channel, status or assortment cannot be
reviewed, asked about, wishlisted or compared, and is answered with 404 like an unknown SKU."""

from __future__ import annotations

from collections.abc import Iterable

from handel.catalog.browsing import Viewer
from handel.catalog.models import Product
from handel.core.errors import NotFound


def visible_product(viewer: Viewer, sku: str) -> Product:
    if sku not in viewer.visible_skus([sku]):
        raise NotFound(f"no product '{sku}'")
    return Product.objects.select_related("parent").get(sku=sku)


def family_head(product: Product) -> Product:
    """Reviews and questions belong to the product family: a variant's go to its configurable."""
    return product.parent if product.parent_id else product  # type: ignore[return-value]


def visible_of(viewer: Viewer, skus: Iterable[str]) -> set[str]:
    return viewer.visible_skus(skus)


def display_name_of(user: object) -> str:
    """First name and last initial; never the email address, which is private."""
    first = (getattr(user, "first_name", "") or "").strip()
    last = (getattr(user, "last_name", "") or "").strip()
    if first:
        return f"{first} {last[:1]}.".strip() if last else first
    return "Customer"
