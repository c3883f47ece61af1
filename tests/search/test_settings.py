"""Synonyms, stop words, merchandising and redirects, through the services and the staff API."""

from __future__ import annotations

from typing import Any

import pytest

from handel.search import queries, services
from tests.conftest import assert_problem

pytestmark = pytest.mark.django_db


def skus(query: str = "", channel: str = "b2b", **options: Any) -> list[str]:
    options.setdefault("locale", "en")
    return [hit["sku"] for hit in queries.search_products(channel_code=channel, query=query, **options)["hits"]]


def test_two_way_synonyms(search_catalog: Any) -> None:
    assert skus("tee", channel="b2c") == []
    services.create_synonym(actor=None, term="tee", synonyms=["t-shirt"], kind="two_way")
    assert set(skus("tee", channel="b2c")) == {"APP-1", "APP-2"}
    assert set(skus("t-shirt", channel="b2c")) == {"APP-1", "APP-2"}


def test_one_way_synonyms(search_catalog: Any) -> None:
    services.create_synonym(actor=None, term="driver", synonyms=["screwdriver"], kind="one_way", locale="en")
    assert set(skus("driver")) == {"DRL-100", "SCR-1"}
    assert skus("screwdriver") == ["SCR-1"]


def test_stop_words(search_catalog: Any) -> None:
    assert skus("the hammer") == []
    services.create_stop_word(actor=None, word="the", locale="en")
    assert set(skus("the hammer")) == set(skus("hammer"))
    assert skus("the") == []  # a query of stop words only still means what it says


def test_pin_boost_and_bury_for_a_query(search_catalog: Any) -> None:
    plain = skus("drill")
    assert plain[0] != "BIT-1"
    services.create_merchandising_rule(actor=None, fields={"query": "Drill", "sku": "BIT-1", "action": "boost"})
    services.create_merchandising_rule(actor=None, fields={"query": "drill", "sku": "DRL-100", "action": "bury"})
    services.create_merchandising_rule(
        actor=None, fields={"query": "drill", "sku": "HAM-2", "action": "pin", "position": 1}
    )
    ranked = skus("drill")
    assert ranked[:2] == ["HAM-2", "BIT-1"]  # pinned even though it does not match "drill"
    assert ranked[-1] == "DRL-100"
    assert "HAM-2" not in skus("drill", channel="b2b", filters={"brand": ["bosch"]})  # pins respect filters


def test_pin_on_a_category_page(search_catalog: Any) -> None:
    services.create_merchandising_rule(
        actor=None, fields={"category_path": "tools/drills", "sku": "PRESS-1", "action": "pin", "position": 1}
    )
    assert skus(filters={"category": ["tools/drills"]})[0] == "PRESS-1"


def test_redirect(search_catalog: Any) -> None:
    services.create_redirect(actor=None, query="Returns", url="/pages/returns")
    result = queries.search_products(channel_code="b2c", query=" returns ")
    assert result["redirect"] == "/pages/returns"
    assert result["hits"] == []


def test_staff_crud_through_the_api(search_catalog: Any, api_for: Any, make_user: Any) -> None:
    staff = api_for(make_user(superuser=True), scopes=("search:write",))
    created = staff.call("post", "/search/synonyms", {"term": "tee", "synonyms": ["t-shirt"]})
    assert created.status_code == 201, created.content
    synonym_id = created.json()["id"]
    assert staff.call("patch", f"/search/synonyms/{synonym_id}", {"kind": "one_way"}).json()["kind"] == "one_way"
    assert staff.call("get", "/search/synonyms").json()["meta"]["total"] == 1
    assert staff.call("delete", f"/search/synonyms/{synonym_id}").status_code == 204
    word = staff.call("post", "/search/stop-words", {"word": "de", "locale": "nl"})
    assert word.status_code == 201
    assert_problem(staff.call("post", "/search/stop-words", {"word": "de", "locale": "nl"}), 409)
    rule = staff.call("post", "/search/merchandising-rules", {"query": "drill", "sku": "BIT-1", "action": "pin"})
    assert rule.status_code == 201
    assert (
        staff.call("patch", f"/search/merchandising-rules/{rule.json()['id']}", {"position": 2}).json()["position"] == 2
    )
    redirect = staff.call("post", "/search/redirects", {"query": "returns", "url": "/pages/returns"})
    assert redirect.status_code == 201
    assert staff.call("get", "/search/redirects").json()["items"][0]["url"] == "/pages/returns"
    assert staff.call("delete", f"/search/redirects/{redirect.json()['id']}").status_code == 204


def test_staff_operations_need_staff_and_scope(search_catalog: Any, api: Any, api_for: Any, make_user: Any) -> None:
    assert_problem(api.call("get", "/search/synonyms"), 401)
    buyer = api_for(make_user(), scopes=("account",))
    assert_problem(buyer.call("post", "/search/synonyms", {"term": "a", "synonyms": ["b"]}), 403)
    no_scope = api_for(make_user(superuser=True), scopes=("account",))
    assert_problem(no_scope.call("get", "/search/analytics"), 403)


@pytest.mark.parametrize(
    "body",
    [
        {"term": "tee", "synonyms": []},
        {"term": "tee", "synonyms": ["t-shirt"], "kind": "sideways"},
        {"term": "tee", "synonyms": ["t-shirt"], "locale": "fr"},
        {"term": "!!!", "synonyms": ["t-shirt"]},
        {"term": "tee\u0000", "synonyms": ["t-shirt"]},
    ],
)
def test_bad_synonyms_are_refused(search_catalog: Any, api_for: Any, make_user: Any, body: dict[str, Any]) -> None:
    staff = api_for(make_user(superuser=True), scopes=("search:write",))
    assert_problem(staff.call("post", "/search/synonyms", body), 422)


@pytest.mark.parametrize(
    "body",
    [
        {"sku": "BIT-1", "action": "pin"},
        {"query": "drill", "category_path": "tools", "sku": "BIT-1", "action": "pin"},
        {"query": "drill", "sku": "BIT-1", "action": "promote"},
        {"query": "drill", "sku": "BIT-1", "action": "pin", "position": 0},
    ],
)
def test_bad_rules_are_refused(search_catalog: Any, api_for: Any, make_user: Any, body: dict[str, Any]) -> None:
    staff = api_for(make_user(superuser=True), scopes=("search:write",))
    assert_problem(staff.call("post", "/search/merchandising-rules", body), 422)


def test_staff_lists_have_constant_query_counts(
    search_catalog: Any, api_for: Any, make_user: Any, django_assert_max_num_queries: Any
) -> None:
    staff = api_for(make_user(superuser=True), scopes=("search:write",))
    for index in range(30):
        services.create_stop_word(actor=None, word=f"word{index}")
        services.create_merchandising_rule(actor=None, fields={"query": f"q{index}", "sku": "BIT-1", "action": "boost"})
    for path in ("/search/stop-words", "/search/merchandising-rules", "/search/analytics/queries"):
        with django_assert_max_num_queries(12):
            assert staff.call("get", f"{path}?page_size=100").status_code == 200
