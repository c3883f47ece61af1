from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from ninja import Schema
from pydantic import Field

from handel.core.pagination import PageMeta


class RenditionOut(Schema):
    url: str
    width: int
    height: int


class ReviewPhotoOut(Schema):
    url: str
    width: int
    height: int
    renditions: dict[str, RenditionOut]


class ReviewOut(Schema):
    id: str
    sku: str
    rating: int
    title: str
    body: str
    language: str
    display_name: str
    is_verified_buyer: bool
    helpful_votes: int
    created_at: datetime
    photos: list[ReviewPhotoOut]
    status: str
    moderation_note: str | None = None


class RatingSummaryOut(Schema):
    review_count: int
    average: Decimal | None = Field(description="approved reviews only, one decimal")
    distribution: dict[str, int] = Field(description='stars "1".."5" -> number of approved reviews')


class ReviewPage(Schema):
    items: list[ReviewOut]
    meta: PageMeta
    summary: RatingSummaryOut


class ReviewQueuePage(Schema):
    items: list[ReviewOut]
    meta: PageMeta


class ReviewIn(Schema):
    rating: int = Field(ge=1, le=5)
    title: str = Field(min_length=1, max_length=200)
    body: str = Field("", max_length=5000)
    language: str = Field("en", max_length=10)


class ModerationIn(Schema):
    decision: str = Field(description="approve or reject")
    note: str = Field("", max_length=500)


class AnswerOut(Schema):
    id: str
    text: str
    display_name: str
    is_by_staff: bool
    status: str
    created_at: datetime


class QuestionOut(Schema):
    id: str
    sku: str
    text: str
    display_name: str
    status: str
    created_at: datetime
    answers: list[AnswerOut]


class QuestionPage(Schema):
    items: list[QuestionOut]
    meta: PageMeta


class QuestionIn(Schema):
    text: str = Field(min_length=1, max_length=2000)


class AnswerIn(Schema):
    text: str = Field(min_length=1, max_length=4000)


class WishlistItemOut(Schema):
    sku: str
    name: str
    note: str
    added_at: datetime


class WishlistOut(Schema):
    id: str
    name: str
    is_shared: bool
    share_token: str | None = Field(description="the link key while shared: /catalog/shared-wishlists/{token}")
    created_at: datetime
    updated_at: datetime
    items: list[WishlistItemOut]


class WishlistPage(Schema):
    items: list[WishlistOut]
    meta: PageMeta


class SharedWishlistOut(Schema):
    name: str
    updated_at: datetime
    items: list[WishlistItemOut]


class WishlistIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    is_shared: bool = False


class WishlistPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=100)
    is_shared: bool | None = None
    renew_link: bool = Field(False, description="a new link; the old one stops working")


class WishlistItemIn(Schema):
    sku: str = Field(min_length=1, max_length=64)
    note: str = Field("", max_length=300)


class CompareItemIn(Schema):
    sku: str = Field(min_length=1, max_length=64)


class ComparedProductOut(Schema):
    sku: str
    name: str
    kind: str
    brand: str | None
    msrp: Decimal | None


class ComparedAttributeOut(Schema):
    code: str
    name: str
    translations: dict[str, dict[str, str]]
    unit: str
    values: list[str | None] = Field(description="one per product, in the order of `products`")
    differs: bool


class CompareListOut(Schema):
    id: str | None
    products: list[ComparedProductOut]
    attributes: list[ComparedAttributeOut]
    limit: int
