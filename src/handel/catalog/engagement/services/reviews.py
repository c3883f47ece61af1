"""Reviews: written by signed-in customers about products they can see, published after moderation;
helpful votes once per customer; the rating summary is kept with every status change."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from handel.catalog.browsing import Viewer
from handel.catalog.engagement.models import (
    Moderation,
    ProductRating,
    Review,
    ReviewPhoto,
    ReviewVote,
    VerifiedPurchase,
)
from handel.catalog.engagement.visibility import display_name_of, family_head, visible_of, visible_product
from handel.catalog.media.inspection import inspect_image
from handel.catalog.media.renditions import delete_files, make_renditions, store, sweep_unreferenced
from handel.catalog.models import Product
from handel.core import audit
from handel.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied, field_error
from handel.core.events import emit

MAX_PHOTOS = 5
LANGUAGES = {"en", "nl"}
DECISIONS = {"approve": Moderation.APPROVED, "reject": Moderation.REJECTED}


def _review(review_id: str, **filters: Any) -> Review:
    try:
        key = uuid.UUID(str(review_id))
    except ValueError:
        raise NotFound(f"no review '{review_id}'") from None
    review = Review.objects.select_related("product").filter(public_id=key, **filters).first()
    if review is None:
        raise NotFound(f"no review '{review_id}'")
    return review


def create_review(
    *, viewer: Viewer, customer: Any, sku: str, rating: int, title: str, body: str = "", language: str = "en"
) -> Review:
    """A customer's review, waiting for moderation. One review per customer and product family."""
    errors = []
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        errors.append(field_error(["body", "rating"], "1 to 5 stars"))
    if not title.strip():
        errors.append(field_error(["body", "title"], "a title is needed"))
    if language not in LANGUAGES:
        errors.append(field_error(["body", "language"], f"one of {', '.join(sorted(LANGUAGES))}"))
    if errors:
        raise InvalidInput("the review is not valid", errors=errors)
    product = family_head(visible_product(viewer, sku))
    with transaction.atomic(durable=True):
        if Review.objects.filter(product=product, customer=customer).exists():
            raise Conflict("you have reviewed this product already")
        verified = VerifiedPurchase.objects.filter(customer=customer, product__in=_family_ids(product)).exists()
        try:
            with transaction.atomic():
                review = Review.objects.create(
                    product=product,
                    customer=customer,
                    display_name=display_name_of(customer),
                    rating=rating,
                    title=title.strip(),
                    body=body.strip(),
                    language=language,
                    is_verified_buyer=verified,
                )
        except IntegrityError:
            raise Conflict("you have reviewed this product already") from None
        audit.record(actor=customer, action="review.created", obj=review, data={"sku": product.sku})
        emit("catalog.review.submitted", {"review": str(review.public_id), "sku": product.sku})
    return review


def _family_ids(product: Product) -> list[int]:
    return [product.pk, *Product.objects.filter(parent_id=product.pk).values_list("pk", flat=True)]


def add_review_photo(*, customer: Any, review_id: str, data: bytes) -> ReviewPhoto:
    """The author adds a photo (checked like any product image) while the review waits for moderation."""
    review = _review(review_id, customer=customer)
    if review.status != Moderation.PENDING:
        raise Conflict("photos can only be added before the review is moderated")
    facts = inspect_image(data)
    folder = f"catalog/reviews/{uuid.uuid4().hex}"
    original = store(f"{folder}/original.{facts.extension}", data)
    renditions = {
        name: item for name, item in make_renditions(data, folder=folder).items() if name in ("thumb", "medium")
    }
    paths = [original, *(item["path"] for item in renditions.values())]
    try:
        with transaction.atomic(durable=True):
            count = ReviewPhoto.objects.select_for_update().filter(review=review).count()
            if count >= MAX_PHOTOS:
                raise Conflict(f"a review holds at most {MAX_PHOTOS} photos")
            photo = ReviewPhoto.objects.create(
                review=review,
                file=original,
                renditions=renditions,
                width=facts.width,
                height=facts.height,
                position=count,
            )
            audit.record(actor=customer, action="review.photo_added", obj=review)
    except BaseException:
        delete_files(paths)
        raise
    return photo


def moderate_review(*, actor: Any, review_id: str, decision: str, note: str = "") -> Review:
    """Approve or reject a review (staff); the product's rating summary follows at once."""
    if decision not in DECISIONS:
        raise InvalidInput("unknown decision", errors=[field_error(["body", "decision"], "approve or reject")])
    with transaction.atomic(durable=True):
        review = _review(review_id)
        review.status = DECISIONS[decision]
        review.moderation_note = note
        review.moderated_by = actor if getattr(actor, "is_authenticated", False) else None
        review.moderated_at = timezone.now()
        review.save(update_fields=["status", "moderation_note", "moderated_by", "moderated_at"])
        refresh_rating(review.product_id)
        audit.record(actor=actor, action=f"review.{review.status}", obj=review, data={"note": note})
        emit(
            "catalog.review.moderated",
            {"review": str(review.public_id), "status": review.status, "sku": review.product.sku},
        )
    return review


def refresh_rating(product_id: int) -> ProductRating:
    """Recount a product's approved reviews. The summary row is locked first, so two moderations of
    the same product one after the other never leave a stale count."""
    ProductRating.objects.get_or_create(product_id=product_id)
    rating = ProductRating.objects.select_for_update().get(product_id=product_id)
    counts = Review.objects.filter(product_id=product_id, status=Moderation.APPROVED).aggregate(
        total=Count("id"), **{f"stars_{n}": Count("id", filter=Q(rating=n)) for n in range(1, 6)}
    )
    rating.review_count = counts["total"]
    rating.rating_total = sum(n * counts[f"stars_{n}"] for n in range(1, 6))
    for n in range(1, 6):
        setattr(rating, f"stars_{n}", counts[f"stars_{n}"])
    rating.save()
    return rating


def vote_review_helpful(*, viewer: Viewer, customer: Any, review_id: str) -> Review:
    """One helpful vote per customer and review; not for one's own review."""
    review = _review(review_id, status=Moderation.APPROVED)
    if review.product.sku not in visible_of(viewer, [review.product.sku]):
        raise NotFound(f"no review '{review_id}'")
    if review.customer_id == customer.pk:
        raise PermissionDenied("you cannot vote for your own review")
    with transaction.atomic(durable=True):
        try:
            with transaction.atomic():
                ReviewVote.objects.create(review=review, customer=customer)
        except IntegrityError:
            raise Conflict("you have voted for this review already") from None
        Review.objects.filter(pk=review.pk).update(helpful_votes=F("helpful_votes") + 1)
    review.refresh_from_db(fields=["helpful_votes"])
    return review


def on_products_sold(payload: dict[str, Any]) -> None:
    """Orders report what a customer bought ("orders.products_sold"): their reviews become verified."""
    if payload.get("customer_id"):
        record_purchases(customer_id=int(payload["customer_id"]), skus=list(payload.get("units") or {}))


def record_purchases(*, customer_id: int, skus: Iterable[str]) -> int:
    """Called by the orders domain (through an event handler) when an order is fulfilled: the
    customer's reviews of these products, now and later, carry the verified-buyer mark."""
    wanted = list(dict.fromkeys(skus))
    products = list(Product.objects.filter(sku__in=wanted).values_list("pk", "parent_id"))
    heads = {parent_id or product_id for product_id, parent_id in products}
    with transaction.atomic(durable=True):
        VerifiedPurchase.objects.bulk_create(
            [VerifiedPurchase(customer_id=customer_id, product_id=product_id) for product_id, _ in products],
            ignore_conflicts=True,
        )
        marked = Review.objects.filter(customer_id=customer_id, product_id__in=heads, is_verified_buyer=False).update(
            is_verified_buyer=True
        )
        audit.record(
            actor=None,
            action="review.verified_purchases",
            object_type="customers.user",
            object_id=str(customer_id),
            data={"skus": wanted, "reviews_marked": marked},
        )
    return marked


def sweep_orphaned_photos(min_age: timedelta = timedelta(days=1)) -> int:
    """The periodic job: photos of reviews that are gone (deleted with their author or product)."""
    folders = {
        path.split("/")[2] for path in ReviewPhoto.objects.values_list("file", flat=True) if path.count("/") >= 3
    }
    return sweep_unreferenced("catalog/reviews", folders, older_than=timezone.now() - min_age)
