from __future__ import annotations

import pytest
from django.test import Client

from handel.catalog.engagement.models import Review
from handel.catalog.engagement.services import reviews
from handel.catalog.media import samples, services
from tests.catalog.engagement.test_reviews import _viewer
from tests.conftest import PASSWORD


@pytest.mark.django_db
def test_back_office_pages_and_moderation_actions(products, make_user):
    services.add_image(actor=None, sku="DRL-1", data=samples.product_picture("a", colour=(1, 2, 3), size=64))
    review = reviews.create_review(viewer=_viewer("b2c"), customer=make_user(), sku="DRL-1", rating=4, title="Good")
    admin = make_user(superuser=True)
    client = Client()
    assert client.login(email=admin.email, password=PASSWORD)
    for model in (
        "catalog_media/productimage",
        "catalog_media/spinset",
        "catalog_media/productdocument",
        "catalog_media/productmodel3d",
        "catalog_engagement/review",
        "catalog_engagement/question",
        "catalog_engagement/answer",
        "catalog_engagement/wishlist",
    ):
        assert client.get(f"/admin/{model}/").status_code == 200, model
    response = client.post("/admin/catalog_engagement/review/", {"action": "approve", "_selected_action": [review.pk]})
    assert response.status_code == 302
    assert Review.objects.get().status == "approved"
