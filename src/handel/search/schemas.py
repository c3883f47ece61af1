from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from ninja import Schema
from pydantic import Field

from handel.core.pagination import PageMeta


class SearchIn(Schema):
    q: str = Field("", max_length=200, description="what the buyer typed; empty lists everything (category pages)")
    filters: dict[str, Any] = Field(
        default_factory=dict,
        description='{"category": ["tools/drills"], "brand": ["bosch"], "availability": ["in_stock"], '
        '"price": {"min": 10, "max": 100}, "attributes": {"colour": ["red"], "power": {"min": 500}}}',
    )
    sort: str = Field("relevance", description="relevance, price_asc, price_desc, name, newest or best_selling")
    page: int = Field(1, ge=1, le=10_000)
    page_size: int = Field(20, ge=1, le=100)
    locale: str | None = Field(None, max_length=10, description="en or nl; default: the channel's language")


class HitOut(Schema):
    sku: str
    name: str
    brand_code: str
    brand_name: str
    price: Decimal | None
    currency: str
    availability: str
    thumbnail_url: str
    category_path: str | None
    score: float | None


class FacetValueOut(Schema):
    value: str
    label: str
    count: int
    selected: bool
    min: float | None = None
    max: float | None = None


class FacetOut(Schema):
    code: str
    label: str
    kind: str
    parent: str | None = None
    values: list[FacetValueOut]


class SearchOut(Schema):
    search_id: UUID | None = Field(None, description="send it back with clicks (POST /search/clicks)")
    query: str
    locale: str
    sort: str
    hits: list[HitOut]
    total: int
    meta: PageMeta
    facets: list[FacetOut]
    applied_filters: dict[str, Any]
    did_you_mean: str | None
    redirect: str | None = Field(None, description="open this page instead of showing results")


class SuggestedProductOut(Schema):
    sku: str
    name: str
    thumbnail_url: str
    price: Decimal | None
    currency: str


class SuggestedCategoryOut(Schema):
    path: str
    name: str
    count: int


class AutocompleteOut(Schema):
    query: str
    suggestions: list[str]
    categories: list[SuggestedCategoryOut]
    products: list[SuggestedProductOut]


class ClickIn(Schema):
    search_id: UUID
    sku: str = Field(max_length=64)
    position: int = Field(ge=1, le=10_000)


class SynonymIn(Schema):
    kind: str = Field("two_way", description="two_way or one_way")
    term: str = Field(max_length=100)
    synonyms: list[str] = Field(max_length=50)
    locale: str = Field("", max_length=10)


class SynonymPatch(Schema):
    kind: str | None = None
    term: str | None = Field(None, max_length=100)
    synonyms: list[str] | None = Field(None, max_length=50)
    locale: str | None = Field(None, max_length=10)


class SynonymOut(Schema):
    id: int
    kind: str
    term: str
    synonyms: list[str]
    locale: str


class SynonymPage(Schema):
    items: list[SynonymOut]
    meta: PageMeta


class StopWordIn(Schema):
    word: str = Field(max_length=100)
    locale: str = Field("", max_length=10)


class StopWordOut(Schema):
    id: int
    word: str
    locale: str


class StopWordPage(Schema):
    items: list[StopWordOut]
    meta: PageMeta


class RuleIn(Schema):
    query: str = Field("", max_length=200)
    category_path: str = Field("", max_length=1000)
    channel_code: str = Field("", max_length=50)
    sku: str = Field(max_length=64)
    action: str = Field(description="pin, boost or bury")
    position: int = Field(1, ge=1, le=100)
    is_active: bool = True


class RulePatch(Schema):
    query: str | None = Field(None, max_length=200)
    category_path: str | None = Field(None, max_length=1000)
    channel_code: str | None = Field(None, max_length=50)
    sku: str | None = Field(None, max_length=64)
    action: str | None = None
    position: int | None = Field(None, ge=1, le=100)
    is_active: bool | None = None


class RuleOut(Schema):
    id: int
    query: str
    category_path: str
    channel_code: str
    sku: str
    action: str
    position: int
    is_active: bool


class RulePage(Schema):
    items: list[RuleOut]
    meta: PageMeta


class RedirectIn(Schema):
    query: str = Field(max_length=200)
    url: str = Field(max_length=500)


class RedirectOut(Schema):
    id: int
    query: str
    url: str


class RedirectPage(Schema):
    items: list[RedirectOut]
    meta: PageMeta


class QueryCountOut(Schema):
    normalized_query: str
    searches: int
    clicks: int = 0


class AnalyticsOut(Schema):
    days: int
    searches: int
    zero_result_searches: int
    click_through_rate: float
    top_queries: list[QueryCountOut]
    zero_result_queries: list[QueryCountOut]


class QueryLogOut(Schema):
    query: str
    channel_code: str
    locale: str
    result_count: int
    click_count: int
    created_at: datetime


class QueryLogPage(Schema):
    items: list[QueryLogOut]
    meta: PageMeta
