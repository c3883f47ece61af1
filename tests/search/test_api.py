"""The public search operations, click tracking and staff analytics, through HTTP."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import assert_problem

pytestmark = pytest.mark.django_db

B2B = {"X-Handel-Channel": "b2b"}


def test_search_products(search_catalog: Any, api: Any) -> None:
    response = api.call(
        "post",
        "/search",
        {"q": "drill", "filters": {"brand": ["bosch"]}, "sort": "price_asc", "locale": "en"},
        headers=B2B,
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert [hit["sku"] for hit in body["hits"]] == ["DRL-300", "DRL-100", "SAW-1"]
    assert body["hits"][0]["price"] == "89.00"
    assert body["total"] == 3
    assert body["applied_filters"] == {"brand": ["bosch"]}
    assert {facet["code"] for facet in body["facets"]} >= {"category", "brand", "price", "availability"}
    assert body["search_id"]


def test_category_page_is_a_search_without_query(search_catalog: Any, api: Any) -> None:
    body = api.call("post", "/search", {"filters": {"category": ["tools/hand-tools"]}}, headers=B2B).json()
    assert {hit["sku"] for hit in body["hits"]} == {"HAM-1", "HAM-2", "SCR-1"}
    assert body["search_id"] is None  # browsing is not a search query


def test_signed_in_wholesale_buyer_sees_only_the_assortment(search_catalog: Any, api_for: Any, make_user: Any) -> None:
    from handel.customers.models import CustomerGroup

    buyer = make_user(customer_group=CustomerGroup.objects.get(code="wholesale"))
    client = api_for(buyer, scopes=("account",))
    body = client.call("post", "/search", {"q": "drill", "locale": "en"}, headers={"X-Handel-Channel": "b2c"}).json()
    assert {hit["sku"] for hit in body["hits"]} == {"DRL-100", "SAW-1"}


def test_autocomplete(search_catalog: Any, api: Any) -> None:
    body = api.call("get", "/search/autocomplete?q=dr&locale=en", headers=B2B).json()
    assert "drill" in body["suggestions"]
    assert {"DRL-100", "DRL-200", "DRL-300"} & {product["sku"] for product in body["products"]}
    assert body["categories"][0] == {"path": "tools/drills", "name": "Drills", "count": 4}
    assert set(body["products"][0]) == {"sku", "name", "thumbnail_url", "price", "currency"}
    hammer = api.call("get", "/search/autocomplete?q=claw%20ha&locale=en", headers=B2B).json()
    assert [product["sku"] for product in hammer["products"]] == ["HAM-1"]
    assert hammer["suggestions"][0] == "claw hammer"


def test_autocomplete_suggests_popular_queries(search_catalog: Any, api: Any) -> None:
    for _ in range(3):
        api.call("post", "/search", {"q": "hammer drill", "locale": "en"}, headers=B2B)
    body = api.call("get", "/search/autocomplete?q=hamm&locale=en", headers=B2B).json()
    assert body["suggestions"][0] == "hammer drill"


def test_autocomplete_within_the_assortment(search_catalog: Any, api: Any) -> None:
    body = api.call("get", "/search/autocomplete?q=pres&locale=en", headers={"X-Handel-Channel": "b2c"}).json()
    assert body["products"] == []


def test_analytics_record_queries_zero_results_and_clicks(
    search_catalog: Any, api: Any, api_for: Any, make_user: Any
) -> None:
    found = api.call("post", "/search", {"q": "hammer", "locale": "en"}, headers=B2B).json()
    api.call("post", "/search", {"q": "hammer", "locale": "en"}, headers=B2B)
    api.call("post", "/search", {"q": "unicorn", "locale": "en"}, headers=B2B)
    click = api.call("post", "/search/clicks", {"search_id": found["search_id"], "sku": "HAM-1", "position": 1})
    assert click.status_code == 204
    staff = api_for(make_user(superuser=True), scopes=("search:write",))
    summary = staff.call("get", "/search/analytics?days=7").json()
    assert summary["searches"] == 3
    assert summary["zero_result_searches"] == 1
    assert summary["top_queries"][0] == {"normalized_query": "hammer", "searches": 2, "clicks": 1}
    assert summary["zero_result_queries"] == [{"normalized_query": "unicorn", "searches": 1, "clicks": 0}]
    assert summary["click_through_rate"] == pytest.approx(1 / 3, abs=1e-3)
    logs = staff.call("get", "/search/analytics/queries").json()
    assert logs["meta"]["total"] == 3


@pytest.mark.parametrize(
    "body",
    [
        {"q": "drill", "sort": "cheapest"},
        {"q": "drill", "page_size": 1000},
        {"q": "drill", "page": 0},
        {"q": "x" * 201},
        {"q": "drill", "filters": {"colour": ["red"]}},
        {"q": "drill", "filters": {"brand": "bosch"}},
        {"q": "drill", "filters": {"brand": ["bo\u0000sch"]}},
        {"q": "drill", "filters": {"price": {"min": "cheap"}}},
        {"q": "drill", "filters": {"price": {"min": 100, "max": 10}}},
        {"q": "drill", "filters": {"price": {"min": "NaN"}}},
        {"q": "drill", "filters": {"attributes": {"nope": ["x"]}}},
        {"q": "drill", "filters": {"attributes": []}},
        {"q": "drill", "locale": "fr"},
        {"q": 5},
    ],
)
def test_bad_search_input_is_a_problem(search_catalog: Any, api: Any, body: dict[str, Any]) -> None:
    assert_problem(api.call("post", "/search", body, headers=B2B), 422)


def test_other_bad_input(search_catalog: Any, api: Any) -> None:
    assert_problem(api.call("get", "/search/autocomplete?q=d", headers=B2B), 422)
    assert_problem(api.call("post", "/search", raw="{not json", headers=B2B), 400)
    assert_problem(
        api.call(
            "post", "/search/clicks", {"search_id": "00000000-0000-0000-0000-000000000000", "sku": "X", "position": 1}
        ),
        404,
    )
    nul = api.call("post", "/search", {"q": "dri\u0000ll", "locale": "en"}, headers=B2B)
    assert assert_problem(nul, 422)["errors"][0]["loc"] == ["body", "q"]  # the API refuses NUL in any field


def test_search_query_count_does_not_grow_with_page_size(
    search_catalog: Any, api: Any, django_assert_max_num_queries: Any
) -> None:
    api.call("post", "/search", {"q": "drill", "locale": "en"}, headers=B2B)  # warm the snapshot
    with django_assert_max_num_queries(12):
        assert (
            api.call("post", "/search", {"q": "drill", "page_size": 100, "locale": "en"}, headers=B2B).status_code
            == 200
        )


def test_an_api_client_without_cookies_searches_and_a_session_still_needs_its_csrf_token(
    search_catalog: Any, make_user: Any
) -> None:
    """CSRF protects a browser session; a client that sends no session cookie has none to ride on."""
    from django.test import Client

    from tests.conftest import PASSWORD

    machine = Client(enforce_csrf_checks=True)
    response = machine.post(
        "/api/v1/search", {"q": "drill"}, content_type="application/json", headers={"X-Handel-Channel": "b2b"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["total"] > 0
    browser = Client(enforce_csrf_checks=True)
    make_user("ann@example.com")
    assert browser.login(email="ann@example.com", password=PASSWORD)
    forged = browser.post(
        "/api/v1/search", {"q": "drill"}, content_type="application/json", headers={"X-Handel-Channel": "b2b"}
    )
    assert_problem(forged, 403)
