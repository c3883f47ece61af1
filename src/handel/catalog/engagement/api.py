"""/api/v1/catalog: reviews, questions and answers, wishlists and compare lists. Customers act with
a session or a token with the `account` scope; moderators with the `catalog:write` scope. A product
outside the viewer's channel or assortment answers 404 everywhere."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import File, Router, Status, UploadedFile

from handel.catalog.api import PUBLIC, viewer_of
from handel.catalog.engagement import queries
from handel.catalog.engagement.models import CompareList, Review
from handel.catalog.engagement.schemas import (
    AnswerIn,
    AnswerOut,
    CompareItemIn,
    CompareListOut,
    ModerationIn,
    QuestionIn,
    QuestionOut,
    QuestionPage,
    ReviewIn,
    ReviewOut,
    ReviewPage,
    ReviewPhotoOut,
    ReviewQueuePage,
    SharedWishlistOut,
    WishlistIn,
    WishlistItemIn,
    WishlistOut,
    WishlistPage,
    WishlistPatch,
)
from handel.catalog.engagement.services import compare, questions, reviews, wishlists
from handel.catalog.media.queries import rendition_urls
from handel.catalog.media.renditions import url_of
from handel.core.api import AUTH, require_scope, require_staff, require_user
from handel.core.errors import InvalidInput, field_error

router = Router(tags=["catalog engagement"])
MODERATE = "catalog_engagement.change_review"
# Headless guests without a session cookie can name their compare list in this header instead.
GUEST_COMPARE_HEADER = "X-Handel-Compare-List"


def _customer(request: HttpRequest) -> Any:
    user = require_user(request)
    require_scope(request, "account")
    return user


def _review_out(review: Review) -> dict[str, Any]:
    return queries.review_out(
        Review.objects.select_related("product").prefetch_related("photos").get(pk=review.pk), staff=True
    )


# -- reviews ------------------------------------------------------------------------------------------


@router.get("/products/{sku}/reviews", response=ReviewPage, operation_id="list_reviews", auth=PUBLIC)
def list_reviews(
    request: HttpRequest, sku: str, page: int = 1, page_size: int = 20, sort: str = "newest", stars: int | None = None
) -> dict[str, Any]:
    """Approved reviews with the product's average and star distribution. `sort`: newest, helpful,
    highest, lowest."""
    return queries.reviews_page(viewer_of(request), sku, page=page, page_size=page_size, sort=sort, stars=stars)


@router.post("/products/{sku}/reviews", response={201: ReviewOut}, operation_id="create_review", auth=AUTH)
def create_review(request: HttpRequest, sku: str, payload: ReviewIn) -> Status[dict[str, Any]]:
    """Write a review; it is published once a moderator approves it."""
    customer = _customer(request)
    review = reviews.create_review(
        viewer=viewer_of(request),
        customer=customer,
        sku=sku,
        rating=payload.rating,
        title=payload.title,
        body=payload.body,
        language=payload.language,
    )
    return Status(201, _review_out(review))


@router.post("/reviews/{review_id}/photos", response={201: ReviewPhotoOut}, operation_id="add_review_photo", auth=AUTH)
def add_review_photo(request: HttpRequest, review_id: str, file: File[UploadedFile]) -> Status[dict[str, Any]]:
    """The author adds a JPEG, PNG or WebP photo (up to 5) while the review awaits moderation."""
    customer = _customer(request)
    limit = settings.HANDEL_MEDIA_MAX_IMAGE_BYTES
    if file.size is not None and file.size > limit:
        raise InvalidInput(
            f"the file is larger than {limit} bytes", errors=[field_error(["body", "file"], f"at most {limit} bytes")]
        )
    photo = reviews.add_review_photo(customer=customer, review_id=review_id, data=file.read(limit + 1))
    return Status(
        201,
        {
            "url": url_of(photo.file),
            "width": photo.width,
            "height": photo.height,
            "renditions": rendition_urls(photo.renditions),
        },
    )


@router.get("/reviews", response=ReviewQueuePage, operation_id="list_review_queue", auth=AUTH)
def list_review_queue(
    request: HttpRequest, status: str = "pending", page: int = 1, page_size: int = 20
) -> dict[str, Any]:
    """Reviews waiting for moderation (or approved/rejected ones), oldest first (moderators)."""
    require_staff(request, MODERATE, scope="catalog:write")
    return queries.review_queue(page=page, page_size=page_size, status=status)


@router.post("/reviews/{review_id}/moderation", response=ReviewOut, operation_id="moderate_review", auth=AUTH)
def moderate_review(request: HttpRequest, review_id: str, payload: ModerationIn) -> dict[str, Any]:
    actor = require_staff(request, MODERATE, scope="catalog:write")
    review = reviews.moderate_review(actor=actor, review_id=review_id, decision=payload.decision, note=payload.note)
    return _review_out(review)


@router.post("/reviews/{review_id}/helpful", response=ReviewOut, operation_id="vote_review_helpful", auth=AUTH)
def vote_review_helpful(request: HttpRequest, review_id: str) -> dict[str, Any]:
    """Mark a published review as helpful; once per customer."""
    customer = _customer(request)
    review = reviews.vote_review_helpful(viewer=viewer_of(request), customer=customer, review_id=review_id)
    return queries.review_out(Review.objects.select_related("product").prefetch_related("photos").get(pk=review.pk))


# -- questions and answers ----------------------------------------------------------------------------


@router.get("/products/{sku}/questions", response=QuestionPage, operation_id="list_questions", auth=PUBLIC)
def list_questions(request: HttpRequest, sku: str, page: int = 1, page_size: int = 20) -> dict[str, Any]:
    return queries.questions_page(viewer_of(request), sku, page=page, page_size=page_size)


@router.post("/products/{sku}/questions", response={201: QuestionOut}, operation_id="ask_question", auth=AUTH)
def ask_question(request: HttpRequest, sku: str, payload: QuestionIn) -> Status[dict[str, Any]]:
    """Ask about a product; the question is published after moderation (or when staff answer it)."""
    customer = _customer(request)
    question = questions.ask_question(viewer=viewer_of(request), customer=customer, sku=sku, text=payload.text)
    return Status(201, queries.question_detail(question.pk))


@router.post("/questions/{question_id}/answers", response={201: AnswerOut}, operation_id="answer_question", auth=AUTH)
def answer_question(request: HttpRequest, question_id: str, payload: AnswerIn) -> Status[dict[str, Any]]:
    """Staff answers are published at once (scope catalog:write); customers' after moderation."""
    user = require_user(request)
    if user.is_staff:
        require_staff(request, MODERATE, scope="catalog:write")
    else:
        require_scope(request, "account")
    answer = questions.answer_question(
        viewer=viewer_of(request), author=user, question_id=question_id, text=payload.text
    )
    return Status(201, queries.answer_out(answer))


@router.post("/questions/{question_id}/moderation", response=QuestionOut, operation_id="moderate_question", auth=AUTH)
def moderate_question(request: HttpRequest, question_id: str, payload: ModerationIn) -> dict[str, Any]:
    actor = require_staff(request, MODERATE, scope="catalog:write")
    question = questions.moderate_question(actor=actor, question_id=question_id, decision=payload.decision)
    return queries.question_detail(question.pk)


@router.post("/answers/{answer_id}/moderation", response=AnswerOut, operation_id="moderate_answer", auth=AUTH)
def moderate_answer(request: HttpRequest, answer_id: str, payload: ModerationIn) -> dict[str, Any]:
    actor = require_staff(request, MODERATE, scope="catalog:write")
    return queries.answer_out(questions.moderate_answer(actor=actor, answer_id=answer_id, decision=payload.decision))


# -- wishlists ----------------------------------------------------------------------------------------


@router.get("/wishlists", response=WishlistPage, operation_id="list_wishlists", auth=AUTH)
def list_wishlists(request: HttpRequest, page: int = 1, page_size: int = 20) -> dict[str, Any]:
    customer = _customer(request)
    return queries.wishlists_page(viewer_of(request), customer, page=page, page_size=page_size)


@router.post("/wishlists", response={201: WishlistOut}, operation_id="create_wishlist", auth=AUTH)
def create_wishlist(request: HttpRequest, payload: WishlistIn) -> Status[dict[str, Any]]:
    customer = _customer(request)
    wishlist = wishlists.create_wishlist(customer=customer, name=payload.name, is_shared=payload.is_shared)
    return Status(201, queries.own_wishlist_out(viewer_of(request), wishlist))


@router.patch("/wishlists/{wishlist_id}", response=WishlistOut, operation_id="update_wishlist", auth=AUTH)
def update_wishlist(request: HttpRequest, wishlist_id: str, payload: WishlistPatch) -> dict[str, Any]:
    """Rename, share (the answer's `share_token` is the link key) or stop sharing; `renew_link` ends old links."""
    customer = _customer(request)
    wishlist = wishlists.update_wishlist(
        customer=customer,
        wishlist_id=wishlist_id,
        name=payload.name,
        is_shared=payload.is_shared,
        renew_link=payload.renew_link,
    )
    return queries.own_wishlist_out(viewer_of(request), wishlist)


@router.delete("/wishlists/{wishlist_id}", response={204: None}, operation_id="delete_wishlist", auth=AUTH)
def delete_wishlist(request: HttpRequest, wishlist_id: str) -> Status[None]:
    wishlists.delete_wishlist(customer=_customer(request), wishlist_id=wishlist_id)
    return Status(204, None)


@router.post("/wishlists/{wishlist_id}/items", response={201: WishlistOut}, operation_id="add_to_wishlist", auth=AUTH)
def add_to_wishlist(request: HttpRequest, wishlist_id: str, payload: WishlistItemIn) -> Status[dict[str, Any]]:
    customer = _customer(request)
    viewer = viewer_of(request)
    item = wishlists.add_to_wishlist(
        viewer=viewer, customer=customer, wishlist_id=wishlist_id, sku=payload.sku, note=payload.note
    )
    return Status(201, queries.own_wishlist_out(viewer, item.wishlist))


@router.delete(
    "/wishlists/{wishlist_id}/items/{sku}", response=WishlistOut, operation_id="remove_from_wishlist", auth=AUTH
)
def remove_from_wishlist(request: HttpRequest, wishlist_id: str, sku: str) -> dict[str, Any]:
    customer = _customer(request)
    wishlists.remove_from_wishlist(customer=customer, wishlist_id=wishlist_id, sku=sku)
    return queries.own_wishlist_out(
        viewer_of(request), wishlists.own_wishlist(customer=customer, wishlist_id=wishlist_id)
    )


@router.get("/shared-wishlists/{token}", response=SharedWishlistOut, operation_id="get_shared_wishlist", auth=PUBLIC)
def get_shared_wishlist(request: HttpRequest, token: str) -> dict[str, Any]:
    """Read a shared wishlist by its link key (anyone with the link; read-only)."""
    return queries.shared_wishlist(viewer_of(request), token)


# -- compare lists ------------------------------------------------------------------------------------


def _compare_owner(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return {"customer": user}
    guest = request.headers.get(GUEST_COMPARE_HEADER) or request.session.get(compare.GUEST_SESSION_KEY)
    return {"guest_list_id": guest}


def _remember_guest_list(request: HttpRequest, compare_list: CompareList) -> None:
    if compare_list.customer_id is None:
        request.session[compare.GUEST_SESSION_KEY] = str(compare_list.public_id)


@router.get("/compare", response=CompareListOut, operation_id="get_compare_list", auth=PUBLIC)
def get_compare_list(request: HttpRequest) -> dict[str, Any]:
    """The guest's (session) or customer's compare list: products side by side, with every comparable
    attribute as a row and `differs` set where the products disagree."""
    return queries.comparison(viewer_of(request), compare.find_compare_list(**_compare_owner(request)))


@router.post("/compare/items", response={201: CompareListOut}, operation_id="add_to_compare", auth=PUBLIC)
def add_to_compare(request: HttpRequest, payload: CompareItemIn) -> Status[dict[str, Any]]:
    viewer = viewer_of(request)
    compare_list = compare.add_to_compare(viewer=viewer, sku=payload.sku, **_compare_owner(request))
    _remember_guest_list(request, compare_list)
    return Status(201, queries.comparison(viewer, compare_list))


@router.delete("/compare/items/{sku}", response=CompareListOut, operation_id="remove_from_compare", auth=PUBLIC)
def remove_from_compare(request: HttpRequest, sku: str) -> dict[str, Any]:
    owner = _compare_owner(request)
    compare.remove_from_compare(sku=sku, **owner)
    return queries.comparison(viewer_of(request), compare.find_compare_list(**owner))
