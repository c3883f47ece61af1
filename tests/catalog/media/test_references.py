from __future__ import annotations

import json

import pytest

from handel.catalog import services as catalog_services
from handel.catalog.media import samples, services
from handel.catalog.media.models import ProductImage
from handel.core.events import emit
from handel.wiring import EVENT_HANDLERS


@pytest.mark.django_db
def test_imported_references_become_external_images_after_uploaded_ones(products, api):
    # DRL-1 was imported with one URL and one storage path in `media`.
    uploaded = services.add_image(
        actor=None, sku="DRL-1", data=samples.product_picture("up", colour=(1, 2, 3), size=64)
    )
    assert services.sync_image_references({"skus": ["DRL-1", "NOPE"]}) == 1
    media = json.loads(api.call("get", "/catalog/products/DRL-1/media", headers={"X-Handel-Channel": "b2c"}).content)
    assert [image["url"] for image in media["images"]][1:] == ["https://img.example.com/drl-1.jpg"]
    assert media["images"][0]["id"] == str(uploaded.public_id)
    assert services.sync_image_references({"skus": ["DRL-1"]}) == 0  # nothing changes twice
    catalog_services.update_product(
        actor=None,
        sku="DRL-1",
        changes={"media": ["https://img.example.com/b.jpg", "https://img.example.com/drl-1.jpg"]},
    )
    services.sync_image_references({"skus": ["DRL-1"]})
    assert list(
        ProductImage.objects.filter(product__sku="DRL-1").order_by("position").values_list("external_url", flat=True)
    ) == ["", "https://img.example.com/b.jpg", "https://img.example.com/drl-1.jpg"]
    catalog_services.update_product(actor=None, sku="DRL-1", changes={"media": []})
    services.sync_image_references({"skus": ["DRL-1"]})
    assert list(ProductImage.objects.filter(product__sku="DRL-1").values_list("file", flat=True)) == [uploaded.file]


@pytest.mark.django_db(transaction=True)
def test_the_products_changed_event_reaches_the_sync(products):
    assert services.sync_image_references in EVENT_HANDLERS["catalog.products.changed"]
    from django.db import transaction

    with transaction.atomic():
        emit("catalog.products.changed", {"skus": ["DRL-1"]})
    assert ProductImage.objects.filter(product__sku="DRL-1", external_url="https://img.example.com/drl-1.jpg").exists()
