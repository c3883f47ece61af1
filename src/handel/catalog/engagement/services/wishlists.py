"""Wishlists: several per customer, named; shareable read-only through an unguessable link."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import IntegrityError, transaction

from handel.catalog.browsing import Viewer
from handel.catalog.engagement.models import Wishlist, WishlistItem, new_share_token
from handel.catalog.engagement.visibility import visible_product
from handel.core import audit
from handel.core.errors import Conflict, InvalidInput, NotFound, field_error

MAX_WISHLISTS = 50
MAX_ITEMS = 500


def own_wishlist(*, customer: Any, wishlist_id: str, lock: bool = False) -> Wishlist:
    """The customer's own wishlist; someone else's is as unknown as a missing one."""
    try:
        key = uuid.UUID(str(wishlist_id))
    except ValueError:
        raise NotFound(f"no wishlist '{wishlist_id}'") from None
    wishlists = Wishlist.objects.select_for_update() if lock else Wishlist.objects
    wishlist = wishlists.filter(public_id=key, customer=customer).first()
    if wishlist is None:
        raise NotFound(f"no wishlist '{wishlist_id}'")
    return wishlist


def _name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > 100:
        raise InvalidInput("the name is not valid", errors=[field_error(["body", "name"], "1 to 100 characters")])
    return name


def create_wishlist(*, customer: Any, name: str, is_shared: bool = False) -> Wishlist:
    name = _name(name)
    with transaction.atomic(durable=True):
        if Wishlist.objects.filter(customer=customer).count() >= MAX_WISHLISTS:
            raise Conflict(f"you can keep at most {MAX_WISHLISTS} wishlists")
        if Wishlist.objects.filter(customer=customer, name=name).exists():
            raise Conflict(f"you have a wishlist named '{name}' already")
        try:
            with transaction.atomic():
                wishlist = Wishlist.objects.create(customer=customer, name=name, is_shared=is_shared)
        except IntegrityError:
            raise Conflict(f"you have a wishlist named '{name}' already") from None
        audit.record(actor=customer, action="wishlist.created", obj=wishlist)
    return wishlist


def update_wishlist(
    *, customer: Any, wishlist_id: str, name: str | None = None, is_shared: bool | None = None, renew_link: bool = False
) -> Wishlist:
    """Rename, share or stop sharing; `renew_link` makes every earlier link stop working."""
    with transaction.atomic(durable=True):
        wishlist = own_wishlist(customer=customer, wishlist_id=wishlist_id, lock=True)
        if name is not None:
            wishlist.name = _name(name)
            if Wishlist.objects.filter(customer=customer, name=wishlist.name).exclude(pk=wishlist.pk).exists():
                raise Conflict(f"you have a wishlist named '{wishlist.name}' already")
        if is_shared is not None:
            wishlist.is_shared = is_shared
        if renew_link:
            wishlist.share_token = new_share_token()
        wishlist.save()
        audit.record(
            actor=customer,
            action="wishlist.updated",
            obj=wishlist,
            data={"shared": wishlist.is_shared, "renewed_link": renew_link},
        )
    return wishlist


def delete_wishlist(*, customer: Any, wishlist_id: str) -> None:
    with transaction.atomic(durable=True):
        wishlist = own_wishlist(customer=customer, wishlist_id=wishlist_id, lock=True)
        audit.record(actor=customer, action="wishlist.deleted", obj=wishlist)
        wishlist.delete()


def add_to_wishlist(*, viewer: Viewer, customer: Any, wishlist_id: str, sku: str, note: str = "") -> WishlistItem:
    """Add a product the customer can see; adding it again only updates the note."""
    if len(note) > 300:
        raise InvalidInput("the note is too long", errors=[field_error(["body", "note"], "at most 300 characters")])
    product = visible_product(viewer, sku)
    with transaction.atomic(durable=True):
        wishlist = own_wishlist(customer=customer, wishlist_id=wishlist_id, lock=True)
        item = WishlistItem.objects.filter(wishlist=wishlist, product=product).first()
        if item is None:
            if WishlistItem.objects.filter(wishlist=wishlist).count() >= MAX_ITEMS:
                raise Conflict(f"a wishlist holds at most {MAX_ITEMS} products")
            item = WishlistItem.objects.create(wishlist=wishlist, product=product, note=note)
        elif note != item.note:
            item.note = note
            item.save(update_fields=["note"])
        wishlist.save(update_fields=["updated_at"])
        audit.record(actor=customer, action="wishlist.item_added", obj=wishlist, data={"sku": sku})
    return item


def remove_from_wishlist(*, customer: Any, wishlist_id: str, sku: str) -> None:
    with transaction.atomic(durable=True):
        wishlist = own_wishlist(customer=customer, wishlist_id=wishlist_id, lock=True)
        removed, _ = WishlistItem.objects.filter(wishlist=wishlist, product__sku=sku).delete()
        if not removed:
            raise NotFound(f"'{sku}' is not on this wishlist")
        wishlist.save(update_fields=["updated_at"])
        audit.record(actor=customer, action="wishlist.item_removed", obj=wishlist, data={"sku": sku})
