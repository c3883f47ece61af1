"""A company's shared catalog: a product outside it does not exist for the company's users (search,
autocomplete, product lists and pages, compare, availability, quick order, reorder), while a user of
another company and a guest still see it as their own assortment decides."""

from __future__ import annotations

from typing import Any

import pytest

from handel.catalog import services as catalog_services
from handel.catalog.browsing import viewer_for
from handel.companies import services as company_services
from handel.companies.models import Company
from handel.search import services as search_services
from handel.search import snapshot
from tests.checkout.conftest import ADDRESS, set_stock, shop  # noqa: F401 (a shared fixture)
from tests.companies.conftest import BILLING
from tests.conftest import ApiClient, assert_problem

pytestmark = pytest.mark.django_db

B2B = {"X-Handel-Channel": "b2b"}
OUTSIDE = "B2B-ONLY"  # in the b2b channel, not in the shared catalog


@pytest.fixture(autouse=True)
def _fresh_snapshots() -> None:
    snapshot.forget_all()


@pytest.fixture
def shared(shop: Any, company_with_roles: Any, make_user: Any, api_for: Any) -> dict[str, Any]:  # noqa: F811
    """Acme (from company_with_roles) shares the catalog A, B, KIT; Other Co has none."""
    company, users, staff = company_with_roles
    catalog_services.save_assortment(
        actor=None, code="acme-catalog", name="Acme's catalog", channel_code="b2b", skus=["A", "B", "KIT"]
    )
    response = api_for(staff, scopes=("customers:write",)).call(
        "put", f"/companies/{company.code}/assortment", {"assortment_code": "acme-catalog"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["assortment_code"] == "acme-catalog"
    other_admin = make_user("admin@other.example")
    other = company_services.register_company(
        user=other_admin, legal_name="Other Co", country="NL", vat_number="NL004495445B01", billing_address=BILLING
    )
    company_services.approve_company(actor=staff, code=other.code)
    search_services.reindex()
    return {
        "company": company,
        "buyer": users["buyer"],
        "staff": staff,
        "acme": api_for(users["buyer"], scopes=("orders:write",)),
        "other": api_for(other_admin, scopes=("orders:write",)),
        "guest": ApiClient(),
    }


def _list_skus(client: ApiClient) -> set[str]:
    response = client.call("get", "/catalog/products?page_size=100", headers=B2B)
    assert response.status_code == 200, response.content
    return {item["sku"] for item in response.json()["items"]}


def _search_skus(client: ApiClient, query: str = "") -> set[str]:
    response = client.call("post", "/search", {"q": query, "page_size": 100}, headers=B2B)
    assert response.status_code == 200, response.content
    return {hit["sku"] for hit in response.json()["hits"]}


def _autocomplete_skus(client: ApiClient, query: str) -> set[str]:
    response = client.call("get", f"/search/autocomplete?q={query}", headers=B2B)
    assert response.status_code == 200, response.content
    return {product["sku"] for product in response.json()["products"]}


def _quick_order(client: ApiClient, *skus: str) -> dict[str, str]:
    cart = client.call("post", "/checkout/carts", headers=B2B).json()["id"]
    lines = [{"sku": sku, "quantity": 1} for sku in skus]
    response = client.call("post", f"/checkout/carts/{cart}/quick-order", {"lines": lines}, headers=B2B)
    assert response.status_code == 200, response.content
    return {line["sku"]: line["status"] for line in response.json()["lines"]}


def test_the_shared_catalog_is_all_the_company_sees(shared):
    acme = shared["acme"]
    assert _list_skus(acme) == {"A", "B", "KIT"}
    assert_problem(acme.call("get", f"/catalog/products/{OUTSIDE}", headers=B2B), 404)
    assert acme.call("get", "/catalog/products/A", headers=B2B).status_code == 200
    assert _search_skus(acme) == {"A", "B", "KIT"}
    assert _search_skus(acme, "product") <= {"A", "B", "KIT"}
    assert _autocomplete_skus(acme, "product") <= {"A", "B", "KIT"}
    assert_problem(acme.call("post", "/catalog/compare/items", {"sku": OUTSIDE}, headers=B2B), 404)
    availability = acme.call("post", "/inventory/availability", {"skus": [OUTSIDE, "A"]}, headers=B2B).json()
    assert {item["sku"] for item in availability["items"]} == {"A"}
    assert _quick_order(acme, OUTSIDE, "A") == {OUTSIDE: "not_in_assortment", "A": "added"}


@pytest.mark.parametrize("who", ["other", "guest"])
def test_others_still_see_the_product(shared, who):
    client = shared[who]
    assert OUTSIDE in _list_skus(client)
    assert client.call("get", f"/catalog/products/{OUTSIDE}", headers=B2B).status_code == 200
    assert OUTSIDE in _search_skus(client)
    assert OUTSIDE in _autocomplete_skus(client, "b2b-only")
    assert _quick_order(client, OUTSIDE)[OUTSIDE] == "added"


def test_reorder_leaves_out_what_is_no_longer_shared(shared):
    company, acme = shared["company"], shared["acme"]
    company_services.update_company(actor=shared["staff"], code=company.code, changes={"assortment_code": ""})
    set_stock({(OUTSIDE, "main"): 10})
    cart = acme.call("post", "/checkout/carts", headers=B2B).json()["id"]
    lines = [{"sku": "A", "quantity": 2}, {"sku": OUTSIDE, "quantity": 3}]
    assert acme.call("post", f"/checkout/carts/{cart}/lines", {"lines": lines}, headers=B2B).status_code == 200
    acme.call("put", f"/checkout/carts/{cart}/addresses", {"email": shared["buyer"].email, "shipping_address": ADDRESS})
    assert acme.call("put", f"/checkout/carts/{cart}/delivery", {"code": "flat_rate"}).status_code == 200
    placed = acme.call(
        "post", f"/checkout/carts/{cart}/order", {"payment_method": "purchase_order", "purchase_order_number": "PO-1"}
    )
    assert placed.status_code == 201, placed.content
    company_services.update_company(
        actor=shared["staff"], code=company.code, changes={"assortment_code": "acme-catalog"}
    )
    fresh = acme.call("post", "/checkout/carts", headers=B2B).json()["id"]
    response = acme.call("post", f"/checkout/carts/{fresh}/reorder", {"order_number": placed.json()["order_number"]})
    assert response.status_code == 200, response.content
    statuses = {line["sku"]: line["status"] for line in response.json()["lines"]}
    assert statuses == {"A": "added", OUTSIDE: "not_in_assortment"}


def test_viewer_for_gives_the_company_assortment_and_group(shared, make_user):
    buyer, company = shared["buyer"], shared["company"]
    viewer = viewer_for("b2b", buyer)
    assert viewer.assortment_code == "acme-catalog"
    assert viewer.visible_skus(["A", OUTSIDE]) == {"A"}
    assert viewer_for("b2b", None).assortment_code is None
    assert viewer_for("b2b", make_user()).visible_skus(["A", OUTSIDE]) == {"A", OUTSIDE}
    # A blocked company still sees only what it was given.
    company_services.block_company(actor=shared["staff"], code=company.code)
    assert viewer_for("b2b", buyer).visible_skus(["A", OUTSIDE]) == {"A"}


def test_an_unknown_shared_catalog_shows_nothing(shared):
    company = shared["company"]
    company_services.update_company(actor=shared["staff"], code=company.code, changes={"assortment_code": "gone"})
    assert _list_skus(shared["acme"]) == set()
    assert _search_skus(shared["acme"]) == set()


def test_only_staff_set_the_shared_catalog_and_bad_codes_are_refused(shared, api_for):
    company = shared["company"]
    admin = Company.objects.get(pk=company.pk).members.get(role__code="admin").user
    client = api_for(admin, scopes=("account",))
    assert_problem(client.call("put", f"/companies/{company.code}/assortment", {"assortment_code": "everything"}), 403)
    staff = api_for(shared["staff"], scopes=("customers:write",))
    assert_problem(staff.call("put", f"/companies/{company.code}/assortment", {"assortment_code": "no spaces"}), 422)
    assert_problem(staff.call("put", "/companies/nobody/assortment", {"assortment_code": "acme-catalog"}), 404)
    assert Company.objects.get(pk=company.pk).assortment_code == "acme-catalog"
