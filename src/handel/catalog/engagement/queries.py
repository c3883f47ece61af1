"""Read side: reviews with their rating summary, questions with answers, wishlists (own and shared)
and the side-by-side comparison. Every list costs a fixed number of queries whatever its size, and
only products the viewer may see are shown."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, QuerySet

from handel.catalog.browsing import Viewer
from handel.catalog.engagement.models import (
    Answer,
    CompareList,
    Moderation,
    ProductRating,
    Question,
    Review,
    ReviewPhoto,
    Wishlist,
    WishlistItem,
)
from handel.catalog.engagement.visibility import family_head, visible_of, visible_product
from handel.catalog.media.queries import rendition_urls
from handel.catalog.media.renditions import url_of
from handel.catalog.models import Attribute, Product, ProductAttributeValue
from handel.core.errors import InvalidInput, NotFound, field_error
from handel.core.pagination import paginate

REVIEW_SORTS = {
    "newest": ["-created_at"],
    "helpful": ["-helpful_votes", "-created_at"],
    "highest": ["-rating", "-created_at"],
    "lowest": ["rating", "-created_at"],
}


@dataclass(frozen=True)
class RatingSummary:
    product_id: int
    review_count: int
    average: Decimal | None  # one decimal, half up; None without approved reviews
    distribution: dict[int, int] = field(hash=False)  # stars -> number of approved reviews


def _summary(rating: ProductRating | None, product_id: int) -> RatingSummary:
    if rating is None or not rating.review_count:
        return RatingSummary(
            product_id=product_id, review_count=0, average=None, distribution={n: 0 for n in range(1, 6)}
        )
    average = (Decimal(rating.rating_total) / rating.review_count).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return RatingSummary(
        product_id=product_id,
        review_count=rating.review_count,
        average=average,
        distribution={n: getattr(rating, f"stars_{n}") for n in range(1, 6)},
    )


def rating_summaries(product_ids: Iterable[int]) -> dict[int, RatingSummary]:
    """Average and distribution of approved reviews per product, in one query (for product lists)."""
    ids = list(dict.fromkeys(product_ids))
    ratings = {rating.product_id: rating for rating in ProductRating.objects.filter(product_id__in=ids)}
    return {product_id: _summary(ratings.get(product_id), product_id) for product_id in ids}


def summary_out(summary: RatingSummary) -> dict[str, Any]:
    return {
        "review_count": summary.review_count,
        "average": summary.average,
        "distribution": {str(stars): count for stars, count in summary.distribution.items()},
    }


def review_out(review: Review, *, staff: bool = False) -> dict[str, Any]:
    data = {
        "id": str(review.public_id),
        "sku": review.product.sku,
        "rating": review.rating,
        "title": review.title,
        "body": review.body,
        "language": review.language,
        "display_name": review.display_name,
        "is_verified_buyer": review.is_verified_buyer,
        "helpful_votes": review.helpful_votes,
        "created_at": review.created_at,
        "photos": [
            {
                "url": url_of(photo.file),
                "width": photo.width,
                "height": photo.height,
                "renditions": rendition_urls(photo.renditions),
            }
            for photo in review.photos.all()
        ],
        "status": review.status,
    }
    if staff:
        data["moderation_note"] = review.moderation_note
    return data


def _reviews(queryset: QuerySet[Review]) -> QuerySet[Review]:
    return queryset.select_related("product").prefetch_related(
        Prefetch("photos", queryset=ReviewPhoto.objects.order_by("position", "id"))
    )


def reviews_page(
    viewer: Viewer, sku: str, *, page: int, page_size: int, sort: str = "newest", stars: int | None = None
) -> dict[str, Any]:
    """Approved reviews of a visible product (a variant shows its family's), with the summary."""
    if sort not in REVIEW_SORTS:
        raise InvalidInput("unknown sort", errors=[field_error(["query", "sort"], f"one of {', '.join(REVIEW_SORTS)}")])
    product = family_head(visible_product(viewer, sku))
    reviews = Review.objects.filter(product=product, status=Moderation.APPROVED)
    if stars is not None:
        reviews = reviews.filter(rating=stars)
    result = paginate(_reviews(reviews), page=page, page_size=page_size, order_by=REVIEW_SORTS[sort]).as_dict(
        review_out
    )
    result["summary"] = summary_out(rating_summaries([product.pk])[product.pk])
    return result


def review_queue(*, page: int, page_size: int, status: str = Moderation.PENDING) -> dict[str, Any]:
    """Reviews by status for moderators, oldest first."""
    if status not in Moderation.values:
        raise InvalidInput("unknown status", errors=[field_error(["query", "status"], ", ".join(Moderation.values))])
    return paginate(
        _reviews(Review.objects.filter(status=status)), page=page, page_size=page_size, order_by=["created_at"]
    ).as_dict(lambda review: review_out(review, staff=True))


def answer_out(answer: Answer) -> dict[str, Any]:
    return {
        "id": str(answer.public_id),
        "text": answer.text,
        "display_name": answer.display_name,
        "is_by_staff": answer.is_by_staff,
        "status": answer.status,
        "created_at": answer.created_at,
    }


def question_out(question: Question) -> dict[str, Any]:
    return {
        "id": str(question.public_id),
        "sku": question.product.sku,
        "text": question.text,
        "display_name": question.display_name,
        "status": question.status,
        "created_at": question.created_at,
        "answers": [answer_out(answer) for answer in question.answers.all()],
    }


def _published_answers(questions: QuerySet[Question]) -> QuerySet[Question]:
    return questions.select_related("product").prefetch_related(
        Prefetch("answers", queryset=Answer.objects.filter(status=Moderation.APPROVED))
    )


def question_detail(question_id: int) -> dict[str, Any]:
    return question_out(_published_answers(Question.objects.filter(pk=question_id)).get())


def questions_page(viewer: Viewer, sku: str, *, page: int, page_size: int) -> dict[str, Any]:
    product = family_head(visible_product(viewer, sku))
    questions = _published_answers(Question.objects.filter(product=product, status=Moderation.APPROVED))
    return paginate(questions, page=page, page_size=page_size, order_by=["-created_at"]).as_dict(question_out)


# -- wishlists ----------------------------------------------------------------------------------------


def _items(wishlist: Wishlist, visible: set[str]) -> list[dict[str, Any]]:
    return [
        {"sku": item.product.sku, "name": item.product.name, "note": item.note, "added_at": item.added_at}
        for item in wishlist.items.all()
        if item.product.sku in visible
    ]


def _with_items(wishlists: QuerySet[Wishlist]) -> QuerySet[Wishlist]:
    return wishlists.prefetch_related(
        Prefetch(
            "items",
            queryset=WishlistItem.objects.select_related("product").only(
                "id", "wishlist_id", "note", "added_at", "product__id", "product__sku", "product__name"
            ),
        )
    )


def wishlist_out(wishlist: Wishlist, visible: set[str]) -> dict[str, Any]:
    return {
        "id": str(wishlist.public_id),
        "name": wishlist.name,
        "is_shared": wishlist.is_shared,
        "share_token": wishlist.share_token if wishlist.is_shared else None,
        "created_at": wishlist.created_at,
        "updated_at": wishlist.updated_at,
        "items": _items(wishlist, visible),
    }


def wishlists_page(viewer: Viewer, customer: Any, *, page: int, page_size: int) -> dict[str, Any]:
    """The customer's wishlists; products now outside the viewer's assortment are left out."""
    result = paginate(
        _with_items(Wishlist.objects.filter(customer=customer)), page=page, page_size=page_size, order_by=["name"]
    )
    visible = visible_of(viewer, {item.product.sku for wishlist in result.items for item in wishlist.items.all()})
    return result.as_dict(lambda wishlist: wishlist_out(wishlist, visible))


def own_wishlist_out(viewer: Viewer, wishlist: Wishlist) -> dict[str, Any]:
    wishlist = _with_items(Wishlist.objects.filter(pk=wishlist.pk)).get()
    return wishlist_out(wishlist, visible_of(viewer, [item.product.sku for item in wishlist.items.all()]))


def shared_wishlist(viewer: Viewer, token: str) -> dict[str, Any]:
    """A shared wishlist, read-only, as the reader may see it: no owner details, no products outside
    the reader's channel and assortment, no way to change it."""
    wishlist = _with_items(Wishlist.objects.filter(share_token=token, is_shared=True)).first() if token else None
    if wishlist is None:
        raise NotFound("no shared wishlist behind this link")
    visible = visible_of(viewer, [item.product.sku for item in wishlist.items.all()])
    return {"name": wishlist.name, "updated_at": wishlist.updated_at, "items": _items(wishlist, visible)}


# -- comparison ---------------------------------------------------------------------------------------


def _value_label(value: ProductAttributeValue) -> str:
    attribute = value.attribute
    if value.option is not None:
        return value.option.label
    if value.value_boolean is not None:
        return "Yes" if value.value_boolean else "No"
    if value.value_integer is not None:
        return f"{value.value_integer} {attribute.unit}".strip()
    if value.value_decimal is not None:
        number = value.value_decimal.normalize()
        return f"{number:f} {attribute.unit}".strip()
    if value.value_date is not None:
        return value.value_date.isoformat()
    return value.value_text


def comparison(viewer: Viewer, compare_list: CompareList | None) -> dict[str, Any]:
    """The compared products side by side: each comparable attribute as a row with one value per
    product (in the list's order), `differs` when the products do not all agree. A variant shows
    its own values over its configurable's. Four queries whatever the number of products."""
    items = (
        list(compare_list.items.select_related("product__brand", "product__parent__brand").order_by("added_at", "id"))
        if compare_list
        else []
    )
    visible = visible_of(viewer, [item.product.sku for item in items])
    products: list[Product] = [item.product for item in items if item.product.sku in visible]
    owners = {product.pk for product in products} | {product.parent_id for product in products if product.parent_id}
    values: dict[tuple[int, int], list[str]] = {}
    attributes: dict[int, Attribute] = {}
    for value in (
        ProductAttributeValue.objects.filter(
            product_id__in=owners, attribute__is_comparable=True, locale__in=["", "en"]
        )
        .select_related("attribute", "option")
        .order_by("attribute__position", "attribute__code", "position", "id")
    ):
        attributes[value.attribute_id] = value.attribute
        values.setdefault((value.product_id, value.attribute_id), []).append(_value_label(value))
    rows = []
    for attribute_id, attribute in attributes.items():
        cells = []
        for product in products:
            own = values.get((product.pk, attribute_id))
            inherited = values.get((product.parent_id, attribute_id)) if product.parent_id else None
            cells.append(", ".join(own or inherited or []) or None)
        rows.append(
            {
                "code": attribute.code,
                "name": attribute.name,
                "translations": attribute.translations,
                "unit": attribute.unit,
                "values": cells,
                "differs": len(set(cells)) > 1,
            }
        )
    return {
        "id": str(compare_list.public_id) if compare_list else None,
        "products": [
            {
                "sku": product.sku,
                "name": product.name,
                "kind": product.kind,
                "brand": _brand_name(product),
                "msrp": product.msrp,
            }
            for product in products
        ],
        "attributes": rows,
        "limit": compare_limit(),
    }


def compare_limit() -> int:
    return int(settings.HANDEL_COMPARE_LIMIT)


def _brand_name(product: Product) -> str | None:
    brand = product.brand or (product.parent.brand if product.parent else None)
    return brand.name if brand else None
