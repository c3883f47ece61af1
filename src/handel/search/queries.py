"""Read side of search: product search with facets, autocomplete, and analytics for staff.

Storefront pages and the API both call `search_products` and `autocomplete`; a category page is
`search_products` with a category filter and no query.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from handel.catalog import queries as catalog_queries
from handel.channels.queries import get_channel
from handel.core.errors import InvalidInput, field_error
from handel.pricing import queries as pricing_queries
from handel.search import engine
from handel.search.models import (
    MerchandisingRule,
    PopularQuery,
    SearchClick,
    SearchDocument,
    SearchQueryLog,
    SearchRedirect,
    StopWord,
    Synonym,
)

HIT_FIELDS = (
    "id",
    "sku",
    "name",
    "brand_code",
    "brand_name",
    "price",
    "currency",
    "availability",
    "thumbnail_url",
    "category_paths",
)


def resolve_viewer(
    *, channel_code: str, locale: str | None, customer_group_code: str | None, assortment_code: str | None
) -> tuple[str, int | None]:
    """The language to search in and the assortment the viewer sees (None: the whole channel)."""
    channel = get_channel(channel_code)
    if channel is None:
        raise InvalidInput(f"no channel '{channel_code}'", errors=[field_error(["channel"], "unknown channel")])
    offered = [channel.default_locale, *(channel.locales or [])]
    chosen = locale or channel.default_locale
    if chosen not in offered:
        raise InvalidInput(
            f"the channel does not offer the language '{chosen}'",
            errors=[field_error(["locale"], f"must be one of {', '.join(dict.fromkeys(offered))}")],
        )
    scope = catalog_queries.assortment_for(
        channel_code=channel_code, customer_group_code=customer_group_code, assortment_code=assortment_code
    )
    return chosen, scope.id if scope is not None else None


def _viewer_prices(channel_code: str, skus: list[str], customer: Any) -> dict[str, Any]:
    """The signed-in buyer's own prices for the hits on the page (facets and sorting use the
    channel's guest price stored in the documents)."""
    channel = get_channel(channel_code)
    if not skus or customer is None or not getattr(customer, "is_authenticated", False) or channel is None:
        return {}
    return pricing_queries.unit_prices(channel, skus, customer=customer)


def hits_for(
    positions: list[int],
    snapshot: Any,
    *,
    scores: Mapping[int, float] | None = None,
    channel_code: str = "",
    customer: Any = None,
) -> list[dict[str, Any]]:
    ids = [snapshot.ids[position] for position in positions]
    rows = {row["id"]: row for row in SearchDocument.objects.filter(pk__in=ids).values(*HIT_FIELDS)}
    viewer_prices = _viewer_prices(channel_code, [rows[i]["sku"] for i in ids if i in rows], customer)
    hits = []
    for position, doc_id in zip(positions, ids, strict=True):
        row = rows.get(doc_id)
        if row is None:
            continue
        paths = row.pop("category_paths")
        row.pop("id")
        row["price"] = viewer_prices.get(row["sku"], row["price"])
        row["category_path"] = max(paths, key=lambda path: path.count("/")) if paths else None
        row["score"] = round(scores[position], 3) if scores and position in scores else None
        hits.append(row)
    return hits


def search_products(
    *,
    channel_code: str,
    query: str = "",
    filters: Mapping[str, Any] | None = None,
    sort: str = "relevance",
    page: int = 1,
    page_size: int = 20,
    locale: str | None = None,
    customer_group_code: str | None = None,
    assortment_code: str | None = None,
    customer: Any = None,
) -> dict[str, Any]:
    chosen_locale, assortment_id = resolve_viewer(
        channel_code=channel_code,
        locale=locale,
        customer_group_code=customer_group_code,
        assortment_code=assortment_code,
    )
    outcome = engine.search(
        channel_code=channel_code,
        locale=chosen_locale,
        assortment_id=assortment_id,
        query=query,
        filters=filters or {},
        sort=sort,
        page=page,
        page_size=page_size,
    )
    hits = (
        hits_for(
            outcome.positions, outcome.snapshot, scores=outcome.scores, channel_code=channel_code, customer=customer
        )
        if outcome.snapshot
        else []
    )
    return {
        "query": query,
        "locale": chosen_locale,
        "sort": sort,
        "hits": hits,
        "total": outcome.total,
        "meta": {
            "page": page,
            "page_size": page_size,
            "total": outcome.total,
            "pages": max(1, -(-outcome.total // page_size)),
        },
        "facets": outcome.facets,
        "applied_filters": outcome.applied_filters,
        "did_you_mean": outcome.did_you_mean,
        "redirect": outcome.redirect,
    }


def autocomplete(
    *,
    channel_code: str,
    query: str,
    locale: str | None = None,
    customer_group_code: str | None = None,
    assortment_code: str | None = None,
    limit: int = 5,
) -> dict[str, Any]:
    chosen_locale, assortment_id = resolve_viewer(
        channel_code=channel_code,
        locale=locale,
        customer_group_code=customer_group_code,
        assortment_code=assortment_code,
    )
    found = engine.autocomplete(
        channel_code=channel_code, locale=chosen_locale, assortment_id=assortment_id, query=query, limit=limit
    )
    normalized = engine.text.normalize_query(query)
    popular = list(
        PopularQuery.objects.filter(
            channel_code=channel_code,
            locale=chosen_locale,
            normalized_query__startswith=normalized,
            last_result_count__gt=0,
        ).values_list("normalized_query", flat=True)[:limit]
    )
    suggestions = list(dict.fromkeys([*popular, *found["completions"]]))[:limit]
    products = hits_for(found["positions"], found["snapshot"])
    return {
        "query": query,
        "suggestions": suggestions,
        "categories": found["categories"],
        "products": [
            {
                "sku": hit["sku"],
                "name": hit["name"],
                "thumbnail_url": hit["thumbnail_url"],
                "price": hit["price"],
                "currency": hit["currency"],
            }
            for hit in products
        ],
    }


def analytics(*, channel_code: str | None = None, days: int = 30, limit: int = 20) -> dict[str, Any]:
    """What buyers searched for: volume, top queries, queries without results, click-through."""
    since = timezone.now() - timedelta(days=days)
    logs = SearchQueryLog.objects.filter(created_at__gte=since)
    if channel_code:
        logs = logs.filter(channel_code=channel_code)
    totals = logs.aggregate(searches=Count("id"), zero=Count("id", filter=Q(result_count=0)))
    clicked = logs.filter(clicks__isnull=False).values("id").distinct().count()
    top = (
        logs.values("normalized_query")
        .annotate(searches=Count("id"), clicks=Count("clicks"))
        .order_by("-searches", "normalized_query")[:limit]
    )
    zero = (
        logs.filter(result_count=0)
        .values("normalized_query")
        .annotate(searches=Count("id"))
        .order_by("-searches", "normalized_query")[:limit]
    )
    searches = totals["searches"] or 0
    return {
        "days": days,
        "searches": searches,
        "zero_result_searches": totals["zero"] or 0,
        "click_through_rate": round(clicked / searches, 4) if searches else 0.0,
        "top_queries": list(top),
        "zero_result_queries": list(zero),
    }


def query_logs() -> QuerySet[SearchQueryLog]:
    return SearchQueryLog.objects.annotate(click_count=Count("clicks"))


def clicks() -> QuerySet[SearchClick]:
    return SearchClick.objects.select_related("search")


def synonyms() -> QuerySet[Synonym]:
    return Synonym.objects.all()


def stop_words() -> QuerySet[StopWord]:
    return StopWord.objects.all()


def merchandising_rules() -> QuerySet[MerchandisingRule]:
    return MerchandisingRule.objects.all()


def redirects() -> QuerySet[SearchRedirect]:
    return SearchRedirect.objects.all()
