from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from handel.catalog.engagement import demo
from handel.catalog.engagement.models import CompareList, Review, Wishlist
from handel.catalog.engagement.services.compare import purge_stale_guest_lists
from handel.core.demo import DemoContext


@pytest.mark.django_db
def test_demo_reviews_and_wishlists_are_made_once(products, make_user):
    for index in range(6):
        make_user(first_name=f"Demo{index}")
    demo.build(DemoContext())
    counts = (Review.objects.count(), Wishlist.objects.count())
    assert counts[0] > 0 and counts[1] > 0
    demo.build(DemoContext())
    assert (Review.objects.count(), Wishlist.objects.count()) == counts


@pytest.mark.django_db
def test_stale_guest_compare_lists_are_purged(make_user):
    stale, fresh = CompareList.objects.create(), CompareList.objects.create()
    owned = CompareList.objects.create(customer=make_user())
    CompareList.objects.filter(pk__in=[stale.pk, owned.pk]).update(updated_at=timezone.now() - timedelta(days=31))
    assert purge_stale_guest_lists() == 1
    assert set(CompareList.objects.values_list("pk", flat=True)) == {fresh.pk, owned.pk}
