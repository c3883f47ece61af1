"""Every pricing model has a working admin screen (list, add form, change form)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from handel.pricing import services
from handel.pricing.models import Coupon, PriceList, PriceRule, Promotion

MODELS = [
    "pricelist",
    "pricelistentry",
    "pricingchannelsettings",
    "pricerule",
    "promotion",
    "coupon",
    "couponbatch",
    "promotionusage",
    "taxrate",
    "pricechangelog",
    "dailysales",
    "dynamicpricestate",
]


@pytest.mark.parametrize("model", MODELS)
def test_admin_lists_open(client, make_user, pricing, model):
    client.force_login(make_user(superuser=True))
    response = client.get(reverse(f"admin:pricing_{model}_changelist"))
    assert response.status_code == 200


def test_admin_change_forms_open(client, make_user, pricing):
    services.create_promotion(
        actor=None, code="p", fields={"name": "P", "action": "percent_off_cart", "value": Decimal("5")}
    )
    services.create_coupon(actor=None, promotion_code="p", code="C1")
    services.create_rule(actor=None, code="r", fields={"name": "R", "adjustment_value": Decimal("-5")})
    client.force_login(make_user(superuser=True))
    for model, pk in (
        ("pricelist", PriceList.objects.get(code="dealer").pk),
        ("promotion", Promotion.objects.get(code="p").pk),
        ("coupon", Coupon.objects.get(code="C1").pk),
        ("pricerule", PriceRule.objects.get(code="r").pk),
    ):
        assert client.get(reverse(f"admin:pricing_{model}_change", args=[pk])).status_code == 200
    assert client.get(reverse("admin:pricing_pricelist_add")).status_code == 200
