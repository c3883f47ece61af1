from __future__ import annotations

from decimal import Decimal

import pytest

from handel.catalog import services as catalog_services
from handel.catalog.engagement.models import Review
from handel.catalog.engagement.queries import rating_summaries
from handel.catalog.engagement.services import reviews
from handel.catalog.media import samples
from handel.catalog.models import Product
from handel.customers.models import CustomerGroup
from tests.catalog.engagement.conftest import B2B, B2C, body
from tests.catalog.media.conftest import named, upload
from tests.conftest import assert_problem


def _review(client, sku="DRL-1", rating=5, title="Great", headers=B2C, **fields):
    return client.call(
        "post", f"/catalog/products/{sku}/reviews", {"rating": rating, "title": title, **fields}, headers=headers
    )


def _approve(moderator, review_id, decision="approve"):
    return moderator.call("post", f"/catalog/reviews/{review_id}/moderation", {"decision": decision, "note": "ok"})


@pytest.mark.django_db
def test_a_review_is_published_after_approval(products, customer_api, moderator, api):
    author = customer_api()
    response = _review(author, body="Drills through anything.")
    assert response.status_code == 201, response.content
    review = body(response)
    assert (review["status"], review["display_name"], review["is_verified_buyer"]) == ("pending", "Anna J.", False)
    listed = body(api.call("get", "/catalog/products/DRL-1/reviews", headers=B2C))
    assert listed["items"] == [] and listed["summary"]["review_count"] == 0 and listed["summary"]["average"] is None
    queue = body(moderator.call("get", "/catalog/reviews?status=pending"))
    assert [item["id"] for item in queue["items"]] == [review["id"]]
    assert body(_approve(moderator, review["id"]))["status"] == "approved"
    listed = body(api.call("get", "/catalog/products/DRL-1/reviews", headers=B2C))
    assert [item["title"] for item in listed["items"]] == ["Great"]
    assert listed["summary"]["review_count"] == 1
    assert_problem(_review(author, title="Again"), 409)
    assert body(_approve(moderator, review["id"], "reject"))["status"] == "rejected"
    assert body(api.call("get", "/catalog/products/DRL-1/reviews", headers=B2C))["summary"]["review_count"] == 0


@pytest.mark.django_db
def test_average_and_distribution_count_approved_reviews_only(products, customer_api, moderator, api):
    for rating, decision in ((5, "approve"), (4, "approve"), (4, "approve"), (1, "reject"), (2, None)):
        review = body(_review(customer_api(), rating=rating))
        if decision:
            _approve(moderator, review["id"], decision)
    summary = body(api.call("get", "/catalog/products/DRL-1/reviews", headers=B2C))["summary"]
    assert summary == {"review_count": 3, "average": "4.3", "distribution": {"1": 0, "2": 0, "3": 0, "4": 2, "5": 1}}
    drill = Product.objects.get(sku="DRL-1")
    other = Product.objects.get(sku="DRL-2")
    summaries = rating_summaries([drill.pk, other.pk])
    assert summaries[drill.pk].average == Decimal("4.3") and summaries[other.pk].review_count == 0


@pytest.mark.django_db
def test_bad_reviews_are_refused_with_problems(products, customer_api, api):
    author = customer_api()
    for fields in ({"rating": 0}, {"rating": 6}, {"title": ""}, {"rating": "five"}):
        assert_problem(
            author.call("post", "/catalog/products/DRL-1/reviews", {"rating": 4, "title": "x", **fields}, headers=B2C),
            422,
        )
    assert_problem(_review(author, language="fr"), 422)
    assert_problem(author.call("post", "/catalog/products/DRL-1/reviews", raw="{broken", headers=B2C), 400)
    assert_problem(_review(api), 401)
    assert_problem(api.call("get", "/catalog/products/DRL-1/reviews?sort=random", headers=B2C), 422)
    assert not Review.objects.exists()


@pytest.mark.django_db
def test_helpful_votes_count_once_per_customer(products, customer_api, moderator, api):
    author = customer_api()
    review = body(_review(author))
    reader = customer_api(first_name="Bram")
    assert_problem(reader.call("post", f"/catalog/reviews/{review['id']}/helpful", headers=B2C), 404)  # pending
    _approve(moderator, review["id"])
    assert body(reader.call("post", f"/catalog/reviews/{review['id']}/helpful", headers=B2C))["helpful_votes"] == 1
    assert_problem(reader.call("post", f"/catalog/reviews/{review['id']}/helpful", headers=B2C), 409)
    assert_problem(author.call("post", f"/catalog/reviews/{review['id']}/helpful", headers=B2C), 403)
    assert_problem(api.call("post", f"/catalog/reviews/{review['id']}/helpful", headers=B2C), 401)
    assert (
        body(customer_api().call("post", f"/catalog/reviews/{review['id']}/helpful", headers=B2C))["helpful_votes"] == 2
    )
    assert_problem(reader.call("post", "/catalog/reviews/not-a-uuid/helpful", headers=B2C), 404)


@pytest.mark.django_db
def test_only_moderators_moderate(products, customer_api, make_user, api_for):
    review = body(_review(customer_api()))
    for client, status in (
        (customer_api(), 403),
        (api_for(make_user(superuser=True), scopes=("catalog:read",)), 403),
        (api_for(make_user(staff=True), scopes=("catalog:write",)), 403),
    ):
        assert_problem(_approve(client, review["id"]), status)
        assert_problem(client.call("get", "/catalog/reviews"), status)
    assert Review.objects.get().status == "pending"


@pytest.mark.django_db
def test_unknown_decisions_and_reviews(products, customer_api, moderator):
    review = body(_review(customer_api()))
    assert_problem(moderator.call("post", f"/catalog/reviews/{review['id']}/moderation", {"decision": "maybe"}), 422)
    assert_problem(_approve(moderator, "00000000-0000-0000-0000-000000000000"), 404)
    assert_problem(moderator.call("get", "/catalog/reviews?status=lost"), 422)


@pytest.mark.django_db
def test_review_photos_are_checked_like_product_images(products, customer_api, moderator):
    author = customer_api()
    review = body(_review(author))
    picture = samples.product_picture("my drill", colour=(200, 100, 0), size=300)
    response = upload(author, f"/catalog/reviews/{review['id']}/photos", file=named("me.jpg", picture))
    assert response.status_code == 201, response.content
    assert set(body(response)["renditions"]) == {"thumb", "medium"}
    assert_problem(upload(author, f"/catalog/reviews/{review['id']}/photos", file=named("x.png", b"text")), 422)
    assert_problem(upload(customer_api(), f"/catalog/reviews/{review['id']}/photos", file=named("x.png", picture)), 404)
    _approve(moderator, review["id"])
    assert_problem(upload(author, f"/catalog/reviews/{review['id']}/photos", file=named("x.png", picture)), 409)


@pytest.mark.django_db
def test_verified_buyers(products, make_user, customer_api):
    buyer = make_user(first_name="Carla")
    early = reviews.create_review(viewer=_viewer("b2c"), customer=buyer, sku="DRL-1", rating=4, title="Good")
    assert not early.is_verified_buyer
    assert reviews.record_purchases(customer_id=buyer.pk, skus=["DRL-1", "TEE-RED-S"]) == 1
    early.refresh_from_db()
    assert early.is_verified_buyer
    later = reviews.create_review(viewer=_viewer("b2c"), customer=buyer, sku="TEE-BLUE-M", rating=5, title="Nice")
    assert later.is_verified_buyer and later.product.sku == "TEE"  # a variant's review goes to the family


def _viewer(channel: str, group: str | None = None):
    from handel.catalog.browsing import Viewer

    return Viewer(channel_code=channel, customer_group_code=group)


@pytest.mark.django_db
def test_products_outside_the_assortment_cannot_be_reviewed(
    products, make_user, api_for, moderator, django_capture_on_commit_callbacks
):
    CustomerGroup.objects.create(code="installers", name="Installers")
    with django_capture_on_commit_callbacks(execute=True):
        catalog_services.save_assortment(
            actor=None,
            code="installers",
            name="Installers",
            channel_code="b2b",
            customer_group_code="installers",
            category_paths=["tools/drills"],
        )
    installer = api_for(make_user(customer_group=CustomerGroup.objects.get(code="installers")))
    assert _review(installer, "DRL-1", headers=B2B).status_code == 201
    for sku in ("KIT-1", "SW-1", "TEE", "NOPE"):
        assert_problem(_review(installer, sku, headers=B2B), 404)
        assert_problem(installer.call("get", f"/catalog/products/{sku}/reviews", headers=B2B), 404)
    assert_problem(_review(installer, "KIT-1", headers=B2C), 404)  # b2b only
    assert_problem(_review(installer, "DL-1", headers=B2C), 404)  # a draft
    # A review of a visible product cannot be voted on by someone who cannot see it.
    other = body(_review(api_for(make_user()), "KIT-1", headers=B2B))
    _approve(moderator, other["id"])
    assert_problem(installer.call("post", f"/catalog/reviews/{other['id']}/helpful", headers=B2B), 404)


@pytest.mark.django_db
def test_review_list_query_count_is_constant_in_page_size(
    products, make_user, moderator, api, django_assert_max_num_queries
):
    picture = samples.product_picture("p", colour=(1, 2, 3), size=64)
    for index in range(12):
        review = reviews.create_review(
            viewer=_viewer("b2c"), customer=make_user(), sku="DRL-1", rating=1 + index % 5, title=f"Review {index}"
        )
        reviews.add_review_photo(customer=review.customer, review_id=str(review.public_id), data=picture)
        reviews.moderate_review(actor=None, review_id=str(review.public_id), decision="approve")
    counts = []
    for size in (2, 12):
        with django_assert_max_num_queries(12) as captured:
            response = api.call("get", f"/catalog/products/DRL-1/reviews?page_size={size}&sort=helpful", headers=B2C)
        assert len(body(response)["items"]) == size
        assert all(item["photos"] for item in body(response)["items"])
        counts.append(len(captured))
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(12) as captured:
        moderator.call("get", "/catalog/reviews?status=approved&page_size=12")
    assert len(captured) <= counts[0] + 4
