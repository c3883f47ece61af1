"""/api/v1/search: product search and autocomplete for everyone; settings and analytics for staff."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from handel.catalog.browsing import Viewer, viewer_for
from handel.channels.queries import channel_for_request
from handel.core.api import AUTH, bearer_auth, require_staff, session_auth
from handel.core.errors import NotFound
from handel.core.pagination import paginate
from handel.search import queries, services
from handel.search.schemas import (
    AnalyticsOut,
    AutocompleteOut,
    ClickIn,
    QueryLogPage,
    RedirectIn,
    RedirectOut,
    RedirectPage,
    RuleIn,
    RuleOut,
    RulePage,
    RulePatch,
    SearchIn,
    SearchOut,
    StopWordIn,
    StopWordOut,
    StopWordPage,
    SynonymIn,
    SynonymOut,
    SynonymPage,
    SynonymPatch,
)

router = Router(tags=["search"])
SCOPE = "search:write"


def _anyone(request: HttpRequest) -> bool:
    return True


# Search needs no sign-in, but knows a signed-in buyer (customer group assortment, own prices).
PUBLIC = [bearer_auth, session_auth, _anyone]


def _viewer(request: HttpRequest) -> tuple[Viewer, Any]:
    channel = channel_for_request(request)
    if channel is None:
        raise NotFound("no sales channel")
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    return viewer_for(channel.code, user), user if signed_in else None


@router.post("", response=SearchOut, operation_id="search_products", auth=PUBLIC)
def search_products(request: HttpRequest, payload: SearchIn) -> dict[str, Any]:
    """Full-text search with facets (disjunctive counts), sorting and pagination. Without `q` it
    lists everything the filters allow: a category page is a search with a category filter."""
    viewer, user = _viewer(request)
    channel_code = viewer.channel_code
    result = queries.search_products(
        channel_code=channel_code,
        query=payload.q,
        filters=payload.filters,
        sort=payload.sort,
        page=payload.page,
        page_size=payload.page_size,
        locale=payload.locale,
        customer_group_code=viewer.customer_group_code,
        assortment_code=viewer.assortment_code,
        customer=user,
    )
    if payload.q.strip():
        result["search_id"] = services.record_search(
            channel_code=channel_code,
            locale=result["locale"],
            query=payload.q,
            filters=result["applied_filters"],
            result_count=result["total"],
            user=user,
        )
    return result


@router.get("/autocomplete", response=AutocompleteOut, operation_id="autocomplete", auth=PUBLIC)
def autocomplete(
    request: HttpRequest, q: str = Query(..., max_length=100), locale: str | None = Query(None, max_length=10)
) -> dict[str, Any]:
    """Query suggestions, categories and products for what was typed so far (2 characters or more)."""
    viewer, _ = _viewer(request)
    return queries.autocomplete(
        channel_code=viewer.channel_code,
        query=q,
        locale=locale,
        customer_group_code=viewer.customer_group_code,
        assortment_code=viewer.assortment_code,
    )


@router.post("/clicks", response={204: None}, operation_id="record_search_click", auth=PUBLIC)
def record_click(request: HttpRequest, payload: ClickIn) -> Status[None]:
    """A buyer opened a result: the position and SKU feed the click-through figures."""
    services.record_click(search_id=payload.search_id, sku=payload.sku, position=payload.position)
    return Status(204, None)


# -- staff ----------------------------------------------------------------------------------------------


@router.get("/synonyms", response=SynonymPage, operation_id="list_search_synonyms", auth=AUTH)
def list_synonyms(request: HttpRequest, page: int = 1, page_size: int = 20) -> dict[str, Any]:
    require_staff(request, "search.view_synonym", scope=SCOPE)
    return paginate(queries.synonyms(), page=page, page_size=page_size, order_by=["term"]).as_dict()


@router.post("/synonyms", response={201: SynonymOut}, operation_id="create_search_synonym", auth=AUTH)
def create_synonym(request: HttpRequest, payload: SynonymIn) -> Status[Any]:
    actor = require_staff(request, "search.add_synonym", scope=SCOPE)
    return Status(201, services.create_synonym(actor=actor, **payload.dict()))


@router.patch("/synonyms/{synonym_id}", response=SynonymOut, operation_id="update_search_synonym", auth=AUTH)
def update_synonym(request: HttpRequest, synonym_id: int, payload: SynonymPatch) -> Any:
    actor = require_staff(request, "search.change_synonym", scope=SCOPE)
    return services.update_synonym(
        actor=actor,
        synonym_id=synonym_id,
        changes={k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None},
    )


@router.delete("/synonyms/{synonym_id}", response={204: None}, operation_id="delete_search_synonym", auth=AUTH)
def delete_synonym(request: HttpRequest, synonym_id: int) -> Status[None]:
    actor = require_staff(request, "search.delete_synonym", scope=SCOPE)
    services.delete_synonym(actor=actor, synonym_id=synonym_id)
    return Status(204, None)


@router.get("/stop-words", response=StopWordPage, operation_id="list_search_stop_words", auth=AUTH)
def list_stop_words(request: HttpRequest, page: int = 1, page_size: int = 20) -> dict[str, Any]:
    require_staff(request, "search.view_stopword", scope=SCOPE)
    return paginate(queries.stop_words(), page=page, page_size=page_size, order_by=["locale", "word"]).as_dict()


@router.post("/stop-words", response={201: StopWordOut}, operation_id="create_search_stop_word", auth=AUTH)
def create_stop_word(request: HttpRequest, payload: StopWordIn) -> Status[Any]:
    actor = require_staff(request, "search.add_stopword", scope=SCOPE)
    return Status(201, services.create_stop_word(actor=actor, word=payload.word, locale=payload.locale))


@router.delete("/stop-words/{stop_word_id}", response={204: None}, operation_id="delete_search_stop_word", auth=AUTH)
def delete_stop_word(request: HttpRequest, stop_word_id: int) -> Status[None]:
    actor = require_staff(request, "search.delete_stopword", scope=SCOPE)
    services.delete_stop_word(actor=actor, stop_word_id=stop_word_id)
    return Status(204, None)


@router.get("/merchandising-rules", response=RulePage, operation_id="list_search_merchandising_rules", auth=AUTH)
def list_rules(request: HttpRequest, page: int = 1, page_size: int = 20) -> dict[str, Any]:
    require_staff(request, "search.view_merchandisingrule", scope=SCOPE)
    return paginate(
        queries.merchandising_rules(), page=page, page_size=page_size, order_by=["query", "category_path", "position"]
    ).as_dict()


@router.post(
    "/merchandising-rules", response={201: RuleOut}, operation_id="create_search_merchandising_rule", auth=AUTH
)
def create_rule(request: HttpRequest, payload: RuleIn) -> Status[Any]:
    actor = require_staff(request, "search.add_merchandisingrule", scope=SCOPE)
    return Status(201, services.create_merchandising_rule(actor=actor, fields=payload.dict()))


@router.patch(
    "/merchandising-rules/{rule_id}", response=RuleOut, operation_id="update_search_merchandising_rule", auth=AUTH
)
def update_rule(request: HttpRequest, rule_id: int, payload: RulePatch) -> Any:
    actor = require_staff(request, "search.change_merchandisingrule", scope=SCOPE)
    return services.update_merchandising_rule(
        actor=actor,
        rule_id=rule_id,
        changes={k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None},
    )


@router.delete(
    "/merchandising-rules/{rule_id}", response={204: None}, operation_id="delete_search_merchandising_rule", auth=AUTH
)
def delete_rule(request: HttpRequest, rule_id: int) -> Status[None]:
    actor = require_staff(request, "search.delete_merchandisingrule", scope=SCOPE)
    services.delete_merchandising_rule(actor=actor, rule_id=rule_id)
    return Status(204, None)


@router.get("/redirects", response=RedirectPage, operation_id="list_search_redirects", auth=AUTH)
def list_redirects(request: HttpRequest, page: int = 1, page_size: int = 20) -> dict[str, Any]:
    require_staff(request, "search.view_searchredirect", scope=SCOPE)
    return paginate(queries.redirects(), page=page, page_size=page_size, order_by=["query"]).as_dict()


@router.post("/redirects", response={201: RedirectOut}, operation_id="create_search_redirect", auth=AUTH)
def create_redirect(request: HttpRequest, payload: RedirectIn) -> Status[Any]:
    actor = require_staff(request, "search.add_searchredirect", scope=SCOPE)
    return Status(201, services.create_redirect(actor=actor, query=payload.query, url=payload.url))


@router.delete("/redirects/{redirect_id}", response={204: None}, operation_id="delete_search_redirect", auth=AUTH)
def delete_redirect(request: HttpRequest, redirect_id: int) -> Status[None]:
    actor = require_staff(request, "search.delete_searchredirect", scope=SCOPE)
    services.delete_redirect(actor=actor, redirect_id=redirect_id)
    return Status(204, None)


@router.get("/analytics", response=AnalyticsOut, operation_id="get_search_analytics", auth=AUTH)
def analytics(request: HttpRequest, days: int = Query(30, ge=1, le=366), channel: str | None = None) -> Any:
    """Searches, top queries, zero-result queries and click-through rate over the last days."""
    require_staff(request, "search.view_searchquerylog", scope=SCOPE)
    return queries.analytics(channel_code=channel, days=days)


@router.get("/analytics/queries", response=QueryLogPage, operation_id="list_search_queries", auth=AUTH)
def list_queries(request: HttpRequest, page: int = 1, page_size: int = 20) -> dict[str, Any]:
    require_staff(request, "search.view_searchquerylog", scope=SCOPE)
    return paginate(queries.query_logs(), page=page, page_size=page_size, order_by=["-created_at"]).as_dict()
