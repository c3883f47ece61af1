"""The promotion condition "segment" reads the customers' segments: buyer_for fills them for any
signed-in customer at one query (a guest costs none), and a promotion names existing segments only."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from handel.core.errors import InvalidInput
from handel.customers import services as customer_services
from handel.pricing import services
from handel.pricing.models import Promotion
from handel.pricing.queries import Buyer, buyer_for

pytestmark = pytest.mark.django_db


def test_buyer_for_reads_the_segments_of_a_signed_in_customer_only(make_user, django_assert_num_queries):
    member = make_user()
    customer_services.create_segment(actor=None, code="vip", name="VIP", kind="manual")
    customer_services.add_segment_members(actor=None, code="vip", customer_ids=[member.pk])
    with django_assert_num_queries(0):
        assert buyer_for(None) == Buyer()
        assert buyer_for(AnonymousUser()) == Buyer()
    # One query for the segments, one for a company membership (there is none).
    with django_assert_num_queries(2):
        assert buyer_for(member).segments == {"vip"}
    customer_services.update_segment(actor=None, code="vip", changes={"is_active": False})
    assert buyer_for(member).segments == frozenset()


def test_a_promotion_names_existing_segments_only(pricing):
    customer_services.create_segment(actor=None, code="vip", name="VIP", kind="manual")
    fields = {"name": "VIP", "action": "percent_off_cart", "value": "5"}
    with pytest.raises(InvalidInput) as refused:
        services.create_promotion(actor=None, code="vip-5", fields={**fields, "segments": ["vip", "vpi"]})
    assert [error["loc"] for error in refused.value.errors] == [["body", "segments", 1]]
    assert not Promotion.objects.exists()
    services.create_promotion(actor=None, code="vip-5", fields={**fields, "segments": ["vip"]})
    with pytest.raises(InvalidInput):
        services.update_promotion(actor=None, code="vip-5", changes={"segments": ["gone"]})
    assert Promotion.objects.get(code="vip-5").segments == ["vip"]
