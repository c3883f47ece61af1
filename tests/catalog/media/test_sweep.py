from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.storage import default_storage

from handel.catalog import services as catalog_services
from handel.catalog.engagement.services import reviews
from handel.catalog.media import samples, services
from handel.catalog.media.models import ProductImage


@pytest.mark.django_db
def test_files_of_deleted_products_are_swept_once_old_enough(products):
    kept = services.add_image(actor=None, sku="DRL-2", data=samples.product_picture("k", colour=(1, 2, 3), size=64))
    gone = services.add_image(actor=None, sku="DL-1", data=samples.product_picture("g", colour=(1, 2, 3), size=64))
    document = services.add_document(actor=None, sku="DL-1", data=samples.simple_pdf("x", []), title="Manual")
    model = services.add_model(actor=None, sku="DL-1", data=samples.box_model_glb())
    orphaned = [gone.file, *(r["path"] for r in gone.renditions.values()), document.file, model.file]
    catalog_services.delete_product(actor=None, sku="DL-1")
    assert not ProductImage.objects.filter(pk=gone.pk).exists()
    assert services.sweep_orphaned_files() == 0  # too recent: it might be an upload in progress
    assert services.sweep_orphaned_files(min_age=timedelta(seconds=-60)) == len(orphaned)
    assert not any(default_storage.exists(path) for path in orphaned)
    assert default_storage.exists(kept.file)
    assert all(default_storage.exists(r["path"]) for r in kept.renditions.values())
    assert reviews.sweep_orphaned_photos(min_age=timedelta(seconds=-60)) == 0
