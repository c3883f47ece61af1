"""Compare lists: a guest's (its id kept in the session) or a customer's, up to
settings.HANDEL_COMPARE_LIMIT products; a guest's list joins the customer's at sign-in."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from handel.catalog.browsing import Viewer
from handel.catalog.engagement.models import CompareItem, CompareList
from handel.catalog.engagement.queries import compare_limit
from handel.catalog.engagement.visibility import visible_product
from handel.core import audit
from handel.core.errors import Conflict, NotFound

# Where the storefront and the API keep a guest's compare list id in the session; pass its value to
# merge_guest_compare_list() when the guest signs in.
GUEST_SESSION_KEY = "handel_compare_list"
# As long as a session cookie lives (Django's default: two weeks), and a little longer.
GUEST_LIST_LIFETIME = timedelta(days=30)


def find_compare_list(*, customer: Any = None, guest_list_id: str | None = None) -> CompareList | None:
    """The customer's list, or the guest's list named by the session (only if no customer owns it)."""
    if customer is not None:
        return CompareList.objects.filter(customer=customer).first()
    if not guest_list_id:
        return None
    try:
        key = uuid.UUID(str(guest_list_id))
    except ValueError:
        return None
    return CompareList.objects.filter(public_id=key, customer__isnull=True).first()


def _list_for_update(customer: Any, guest_list_id: str | None) -> CompareList:
    compare_list = find_compare_list(customer=customer, guest_list_id=guest_list_id)
    if compare_list is None:
        if customer is not None:
            compare_list, _ = CompareList.objects.get_or_create(customer=customer)
        else:
            compare_list = CompareList.objects.create()
    return CompareList.objects.select_for_update().get(pk=compare_list.pk)


def add_to_compare(*, viewer: Viewer, sku: str, customer: Any = None, guest_list_id: str | None = None) -> CompareList:
    """Add a product the viewer can see. Returns the list (a guest's may be new: keep its id)."""
    product = visible_product(viewer, sku)
    with transaction.atomic(durable=True):
        compare_list = _list_for_update(customer, guest_list_id)
        if not CompareItem.objects.filter(compare_list=compare_list, product=product).exists():
            if CompareItem.objects.filter(compare_list=compare_list).count() >= compare_limit():
                raise Conflict(
                    f"a compare list holds at most {compare_limit()} products; remove one first",
                    slug="compare-list-full",
                )
            try:
                with transaction.atomic():
                    CompareItem.objects.create(compare_list=compare_list, product=product)
            except IntegrityError:
                pass  # the same product added twice at once: once is what was meant
            compare_list.save(update_fields=["updated_at"])
        audit.record(actor=customer, action="compare.item_added", obj=compare_list, data={"sku": sku})
    return compare_list


def remove_from_compare(*, sku: str, customer: Any = None, guest_list_id: str | None = None) -> None:
    with transaction.atomic(durable=True):
        compare_list = find_compare_list(customer=customer, guest_list_id=guest_list_id)
        removed = 0
        if compare_list is not None:
            removed, _ = CompareItem.objects.filter(compare_list=compare_list, product__sku=sku).delete()
        if not removed:
            raise NotFound(f"'{sku}' is not on the compare list")
        audit.record(actor=customer, action="compare.item_removed", obj=compare_list, data={"sku": sku})


def merge_guest_compare_list(*, guest_list_id: str | None, customer: Any) -> CompareList | None:
    """At sign-in (the storefront calls this with the session's guest list id): the guest's products
    join the customer's list after the customer's own, as far as the limit allows; the guest list
    is removed. Products the customer may not see are left out when the list is read."""
    with transaction.atomic(durable=True):
        guest = find_compare_list(guest_list_id=guest_list_id)
        if guest is None:
            return find_compare_list(customer=customer)
        guest = CompareList.objects.select_for_update().get(pk=guest.pk)
        target = _list_for_update(customer, None)
        present = set(CompareItem.objects.filter(compare_list=target).values_list("product_id", flat=True))
        room = compare_limit() - len(present)
        moved = [item.product_id for item in guest.items.all() if item.product_id not in present][: max(room, 0)]
        CompareItem.objects.bulk_create(
            [CompareItem(compare_list=target, product_id=product_id) for product_id in moved]
        )
        guest.delete()
        audit.record(actor=customer, action="compare.merged", obj=target, data={"products_added": len(moved)})
    return target


def purge_stale_guest_lists(max_age: timedelta = GUEST_LIST_LIFETIME) -> int:
    """Guest lists untouched for `max_age` belong to sessions that are long gone (the periodic job)."""
    with transaction.atomic(durable=True):
        deleted, _ = CompareList.objects.filter(customer__isnull=True, updated_at__lt=timezone.now() - max_age).delete()
    return deleted
