"""Home, search, category and compare pages on a real, indexed catalog (tests/search/conftest)."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from handel.catalog import services as catalog_services
from handel.customers.models import CustomerGroup
from handel.pricing import services as pricing_services
from handel.search import services as search_services
from handel.search.models import SearchQueryLog
from tests.conftest import PASSWORD
from tests.search.conftest import _fresh_snapshots, search_catalog  # noqa: F401 (shared fixtures)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("search_catalog")]
B2B = "channel=b2b"


def skus(response: Any) -> list[str]:
    return re.findall(r'href="/p/([^/"]+)/"', response.content.decode())


def test_search_page_lists_hits_with_facets_and_sort(client: Client) -> None:
    response = client.get(f"/search/?q=drill&sort=price_asc&{B2B}")
    assert response.status_code == 200
    body = response.content.decode()
    assert skus(response)[:3] == ["BIT-1", "DRL-300", "DRL-100"]
    assert "<title>Search: drill" in body
    assert 'name="brand" value="bosch"' in body and "Bosch" in body
    assert 'name="sort"' in body and 'value="price_asc" selected' in body
    assert SearchQueryLog.objects.filter(query="drill").count() == 1


def test_values_of_one_facet_combine_with_or_and_facets_with_and(client: Client) -> None:
    one = skus(client.get(f"/search/?{B2B}&brand=bosch"))
    both = skus(client.get(f"/search/?{B2B}&brand=bosch&brand=makita"))
    assert set(one) == {"DRL-100", "DRL-300", "SAW-1"}
    assert set(both) == {"DRL-100", "DRL-300", "SAW-1", "DRL-200", "PRESS-1"}
    narrowed = client.get(f"/search/?{B2B}&brand=bosch&brand=makita&attr.features=hammer")
    assert set(skus(narrowed)) == {"DRL-200", "DRL-300"}
    body = narrowed.content.decode()
    # Disjunctive counts: the brand facet still offers Stanley with its count under the feature filter.
    assert re.search(r'value="bosch" checked>\s*<label[^>]*>Bosch <span class="count">\(1\)', body)
    assert "Remove the filters" not in body and "Clear all" in body


def test_price_range_availability_and_numeric_ranges(client: Client) -> None:
    cheap = skus(client.get(f"/search/?{B2B}&price_min=20&price_max=40"))
    assert set(cheap) == {"HAM-2", "BIT-1", "SCR-1"}
    in_stock = skus(client.get(f"/search/?{B2B}&availability=in_stock&price_max=40"))
    assert "HAM-2" not in in_stock and "HAM-1" in in_stock
    powerful = client.get(f"/search/?{B2B}&range.power=-600")
    assert set(skus(powerful)) <= {"DRL-100", "DRL-300"} and skus(powerful)


def test_bad_filters_get_a_clear_error(client: Client) -> None:
    bad = ("price_min=cheap", "price_min=50&price_max=10", "attr.nonsense=x", "page=0", "range.power=lots")
    # "²" is a digit to str.isdigit() but not to int(); 5,000 digits are past int()'s limit
    for query in (*bad, "page=%C2%B2", "page=" + "9" * 5000):
        response = client.get(f"/search/?{B2B}&{query}")
        assert response.status_code == 400, query
        assert "These filters cannot be applied" in response.content.decode()


def test_pagination_keeps_the_filters(client: Client, monkeypatch: Any) -> None:
    from handel.storefront import browse_views

    monkeypatch.setattr(browse_views, "PAGE_SIZE", 4)
    first = client.get(f"/search/?{B2B}&sort=name")
    second = client.get(f"/search/?{B2B}&sort=name&page=2")
    assert len(skus(first)) == 4 and len(skus(second)) == 4
    assert not set(skus(first)) & set(skus(second))
    assert 'href="?channel=b2b&amp;sort=name&amp;page=2"' in first.content.decode()
    assert 'aria-current="page">2<' in second.content.decode()
    beyond = client.get(f"/search/?{B2B}&sort=name&page=9").content.decode()
    assert "There are no products on this page." in beyond and 'href="?channel=b2b&amp;sort=name"' in beyond


def test_htmx_gets_only_the_results_region(client: Client) -> None:
    full = client.get(f"/search/?q=drill&{B2B}")
    fragment = client.get(f"/search/?q=drill&{B2B}", headers={"HX-Request": "true", "HX-Target": "browse-results"})
    assert b"<html" in full.content and b"<html" not in fragment.content
    assert fragment.content.decode().startswith('<div id="browse-results"')
    assert skus(fragment) == skus(full)
    assert "HX-Request" in fragment["Vary"]
    restore = client.get(
        f"/search/?q=drill&{B2B}",
        headers={"HX-Request": "true", "HX-Target": "browse-results", "HX-History-Restore-Request": "true"},
    )
    assert b"<html" in restore.content


def test_query_redirects_are_followed(client: Client) -> None:
    search_services.create_redirect(actor=None, query="returns", url="/account/returns/")
    response = client.get(f"/search/?q=returns&{B2B}")
    assert response.status_code == 302 and response["Location"] == "/account/returns/"
    htmx = client.get(f"/search/?q=returns&{B2B}", headers={"HX-Request": "true", "HX-Target": "browse-results"})
    assert htmx["HX-Redirect"] == "/account/returns/"


def test_zero_results_help_and_did_you_mean(client: Client) -> None:
    typo = client.get(f"/search/?q=drlil&{B2B}").content.decode()
    assert "Did you mean" in typo and 'href="?q=drill"' in typo
    nothing = client.get(f"/search/?q=unicorn&{B2B}").content.decode()
    assert "No products found" in nothing
    assert 'href="/c/tools/"' in nothing and "Browse our categories" in nothing


def test_category_page(client: Client) -> None:
    catalog_services.update_category(
        actor=None,
        path="tools",
        changes={
            "description": "Everything to build with.",
            "seo_title": "Tools for pros",
            "seo_description": "Buy tools.",
        },
    )
    response = client.get(f"/c/tools/?{B2B}")
    body = response.content.decode()
    assert response.status_code == 200
    assert "<title>Tools for pros" in body and '<meta name="description" content="Buy tools.">' in body
    assert "Everything to build with." in body and "<h1" in body and ">Tools</h1>" in body
    assert 'href="/c/tools/drills/"' in body  # subcategories
    assert "APP-1" not in skus(response) and "DRL-100" in skus(response)
    drills = client.get(f"/c/tools/drills/?{B2B}&brand=makita")
    assert set(skus(drills)) == {"DRL-200", "PRESS-1"}
    assert 'href="/c/tools/"' in drills.content.decode()  # breadcrumb
    assert client.get(f"/c/nothing-here/?{B2B}").status_code == 404


def test_category_names_in_dutch(client: Client) -> None:
    response = client.get("/c/tools/?channel=b2c", headers={"Accept-Language": "nl"})
    assert ">Gereedschap</h1>" in response.content.decode()


def test_a_wholesale_buyer_sees_only_the_assortment(client: Client, make_user: Any) -> None:
    buyer = make_user(customer_group=CustomerGroup.objects.get(code="wholesale"))
    assert "DRL-200" in skus(client.get("/search/?q=drill&channel=b2c"))
    client.force_login(buyer)
    seen = skus(client.get("/search/?q=drill&channel=b2c"))
    assert "DRL-200" not in seen and "DRL-100" in seen
    assert client.get("/c/apparel/?channel=b2c").status_code == 404
    assert 'href="/c/apparel/"' not in client.get("/?channel=b2c").content.decode()


@pytest.mark.parametrize("url", ["/search/?q=drill&channel=b2b", "/c/tools/?channel=b2b", "/search/?channel=b2b"])
def test_browse_pages_cost_a_bounded_number_of_queries(
    client: Client, make_user: Any, django_assert_max_num_queries: Any, url: str, monkeypatch: Any
) -> None:
    from handel.storefront import browse_views

    client.force_login(make_user())
    client.get(url)  # warm the index snapshot and the cached categories
    counts = []
    for page_size in (2, 24):
        monkeypatch.setattr(browse_views, "PAGE_SIZE", page_size)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]  # the page size does not change the number of queries
    # Session, user, company membership, index state, matches, hits, the viewer's prices (9), the
    # search log (5) and the header's cart link.
    with django_assert_max_num_queries(26):
        client.get(url)


def test_autocomplete_fragment(client: Client) -> None:
    body = client.get(f"/search/suggestions/?q=dr&{B2B}").content.decode()
    assert 'role="listbox"' in body and 'role="option"' in body
    assert 'href="/c/tools/drills/"' in body and 'href="/p/DRL-100/"' in body
    assert client.get(f"/search/suggestions/?q=d&{B2B}").content.strip() == b""


def test_home_shows_categories_promotions_and_a_search_box(client: Client) -> None:
    pricing_services.create_promotion(
        actor=None, code="spring", fields={"name": "Spring sale", "action": "percent_off_cart", "value": 10}
    )
    pricing_services.create_promotion(
        actor=None,
        code="secret",
        fields={"name": "Coupon only", "action": "percent_off_cart", "value": 5, "requires_coupon": True},
    )
    pricing_services.create_promotion(
        actor=None, code="b2c-only", fields={"name": "Shop only", "action": "free_shipping", "channels": ["b2c"]}
    )
    body = client.get(f"/?{B2B}").content.decode()
    assert "Spring sale" in body and "10% off your order" in body
    assert "Coupon only" not in body and "Shop only" not in body
    assert 'href="/c/tools/"' in body and 'action="/search/"' in body


def test_compare_add_view_and_remove(client: Client) -> None:
    added = client.post("/compare/add/?channel=b2b", {"sku": "DRL-100", "next": "/p/DRL-100/"})
    assert added.status_code == 302 and added["Location"] == "/p/DRL-100/"
    elsewhere = client.post("/compare/add/?channel=b2b", {"sku": "DRL-200", "next": "https://evil.example/"})
    assert elsewhere["Location"] == "/compare/"
    body = client.get(f"/compare/?{B2B}").content.decode()
    assert "Cordless drill driver 18 V" in body and "Hammer drill 230 V" in body
    assert "129.00 EUR" in body and "249.00 EUR" in body
    assert 'class="differs"' in body
    refused = client.post("/compare/add/?channel=b2b", {"sku": "SECRET-1"}, follow=True)
    assert "no product" in refused.content.decode()
    client.post("/compare/remove/?channel=b2b", {"sku": "DRL-100"})
    assert "Cordless drill driver" not in client.get(f"/compare/?{B2B}").content.decode()


def test_compare_forms_need_the_csrf_token() -> None:
    guarded = Client(enforce_csrf_checks=True)
    assert guarded.post("/compare/add/", {"sku": "DRL-100"}).status_code == 403
    assert guarded.get("/compare/add/").status_code == 405


def test_clicks_on_search_results_are_recorded(client: Client) -> None:
    body = client.get(f"/search/?q=hammer&{B2B}").content.decode()
    search_id = re.search(r'data-search-id="([^"]+)"', body).group(1)
    assert 'data-sku="HAM-1" data-position="' in body
    click = client.post("/search/clicks/", {"search_id": search_id, "sku": "HAM-1", "position": "2"})
    assert click.status_code == 204
    assert SearchQueryLog.objects.get(public_id=search_id).clicks.get().sku == "HAM-1"
    assert client.post("/search/clicks/", {"search_id": "nope", "sku": "HAM-1", "position": "1"}).status_code == 400
    unknown = client.post("/search/clicks/", {"search_id": str(uuid.uuid4()), "sku": "HAM-1", "position": "1"})
    assert unknown.status_code == 404
    assert SearchQueryLog.objects.get(public_id=search_id).clicks.count() == 1


def test_a_guests_compare_list_joins_the_customers_at_sign_in(client: Client, make_user) -> None:
    customer = make_user("comparer@example.com")
    client.post("/compare/add/?channel=b2b", {"sku": "DRL-100"})
    client.post("/account/login/", {"email": customer.email, "password": PASSWORD})
    body = client.get(f"/compare/?{B2B}").content.decode()
    assert "Cordless drill driver 18 V" in body
    client.post("/account/logout/")
    assert "Cordless drill driver" not in client.get(f"/compare/?{B2B}").content.decode()
