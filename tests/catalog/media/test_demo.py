from __future__ import annotations

import pytest

from handel.catalog.media import demo
from handel.catalog.media.models import ProductDocument, ProductImage, ProductModel3D, SpinSet
from handel.core.demo import DemoContext


@pytest.mark.django_db
def test_demo_media_is_made_once(products):
    demo.build(DemoContext())
    counts = (
        ProductImage.objects.count(),
        SpinSet.objects.count(),
        ProductModel3D.objects.count(),
        ProductDocument.objects.count(),
    )
    assert counts[0] > 0 and counts[1] > 0 and counts[2] > 0 and counts[3] > 0
    assert ProductImage.objects.filter(product__parent__isnull=False).exists()  # variant images
    demo.build(DemoContext())
    assert (
        ProductImage.objects.count(),
        SpinSet.objects.count(),
        ProductModel3D.objects.count(),
        ProductDocument.objects.count(),
    ) == counts
