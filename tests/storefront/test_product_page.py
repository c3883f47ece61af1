"""The product page: every product kind, variants, bundle live price, tiers, stock, media, JSON-LD,
what the viewer may see, and a bounded number of queries."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from handel.catalog import services as catalog_services
from handel.catalog.media import services as media_services
from handel.catalog.media.samples import box_model_glb, product_picture, simple_pdf
from handel.channels.queries import get_channel
from handel.checkout import services as checkout_services
from handel.checkout.lines import RequestedLine
from handel.customers.models import CustomerGroup
from handel.pricing import services as pricing_services
from handel.pricing.engine import price_items
from handel.pricing.queries import load_pricing_context
from handel.storefront import product_views
from tests.checkout.conftest import set_stock, shop  # noqa: F401 (a shared fixture)
from tests.companies.conftest import company_with_roles  # noqa: F401 (a shared fixture)

JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def add_product_page_data() -> None:
    """A configurable T-shirt (red S, blue M, blue S sold out), tier prices and an MSRP for A,
    relations of A (one outside the b2c catalog), and A's pictures, spin set, 3D model and datasheet."""
    catalog_services.create_attribute(
        actor=None,
        code="colour",
        name="Colour",
        type="swatch",
        is_variant_defining=True,
        options=[{"code": "red", "label": "Red", "swatch": "#ff0000"}, {"code": "blue", "label": "Blue"}],
    )
    catalog_services.create_attribute(
        actor=None,
        code="size",
        name="Size",
        type="single_select",
        is_variant_defining=True,
        options=[{"code": "s", "label": "Small"}, {"code": "m", "label": "Medium"}],
    )
    catalog_services.create_template(
        actor=None, code="shirt", name="Shirt", attributes=[("colour", True), ("size", True)]
    )
    catalog_services.create_product(
        actor=None,
        record={
            "sku": "TEE",
            "kind": "configurable",
            "status": "active",
            "name": "T-shirt",
            "template": "shirt",
            "variant_attributes": ["colour", "size"],
            "channels": ["b2c", "b2b"],
            "categories": ["tools"],
            "description": "Soft <cotton> & strong.",
        },
    )
    for sku, colour, size in (("TEE-RED-S", "red", "s"), ("TEE-BLUE-M", "blue", "m"), ("TEE-BLUE-S", "blue", "s")):
        catalog_services.create_product(
            actor=None,
            record={
                "sku": sku,
                "parent_sku": "TEE",
                "kind": "variant",
                "status": "active",
                "name": f"T-shirt {colour} {size}",
                "attr.colour": colour,
                "attr.size": size,
            },
        )
    catalog_services.update_product(
        actor=None,
        sku="A",
        changes={
            "msrp": "19.99",
            "gtin": "4006381333931",
            "mpn": "A-100",
            "relations": ["cross_sell:B", "accessory:B2B-ONLY"],
        },
    )
    pricing_services.set_price_entries(
        actor=None,
        price_list_code="b2c-base",
        entries=[
            pricing_services.EntryInput("A", Decimal("10.00")),
            pricing_services.EntryInput("A", Decimal("9.00"), min_quantity=10),
            pricing_services.EntryInput("A", Decimal("8.00"), min_quantity=50),
            pricing_services.EntryInput("TEE-RED-S", Decimal("15.00")),
            pricing_services.EntryInput("TEE-BLUE-M", Decimal("16.00")),
            pricing_services.EntryInput("TEE-BLUE-S", Decimal("15.00")),
        ],
    )
    set_stock({("TEE-RED-S", "main"): 10, ("TEE-BLUE-M", "main"): 10, ("TEE-BLUE-S", "main"): 0})
    media_services.add_image(
        actor=None, sku="A", data=product_picture("A", colour=(200, 30, 30)), alt_text="Product A from the front"
    )
    media_services.add_image(
        actor=None, sku="A", data=product_picture("A side", colour=(30, 30, 200)), alt_text="Product A from the side"
    )
    media_services.create_spin_set(
        actor=None,
        sku="A",
        frames=[product_picture("A", colour=(200, 30, 30), angle=angle, size=200) for angle in (0, 90, 180, 270)],
        title="Turn",
    )
    media_services.add_image(
        actor=None, sku="TEE-RED-S", data=product_picture("red", colour=(220, 20, 20)), alt_text="The red T-shirt"
    )
    media_services.add_model(actor=None, sku="A", data=box_model_glb(), title="A in 3D")
    media_services.add_document(actor=None, sku="A", data=simple_pdf("Datasheet", ["A"]), title="Datasheet A")


@pytest.fixture
def products(shop: dict[str, Any]) -> dict[str, Any]:  # noqa: F811
    add_product_page_data()
    return shop


def page(client: Client, path: str, **headers: str) -> tuple[Any, str]:
    response = client.get(path, headers=headers)
    return response, response.content.decode()


def engine_price(sku: str, quantity: int = 1) -> Decimal:
    context = load_pricing_context(channel=get_channel("b2c"), skus=[sku])
    return price_items(context, [(sku, quantity)])[0].unit_display


def json_ld_of(html: str) -> dict[str, Any]:
    found = JSON_LD.search(html)
    assert found, "no JSON-LD on the page"
    return json.loads(found.group(1))


def test_simple_product_page(client: Client, products: dict[str, Any], monkeypatch: Any) -> None:
    monkeypatch.setattr(product_views, "model_viewer_installed", lambda: True)
    response, html = page(client, "/p/A/")
    assert response.status_code == 200
    assert '<h1 id="product-title">Product A</h1>' in html
    price = engine_price("A")
    assert f"{price} EUR" in html  # the viewer's own price, from the engine (incl. VAT on b2c)
    assert "<s>19.99 EUR</s>" in html  # MSRP struck through, being higher
    # Tier table: breaks at 10 and 50, priced by the engine.
    assert "Buy more, pay less" in html
    assert f"{engine_price('A', 10)} EUR" in html and f"{engine_price('A', 50)} EUR" in html
    # Gallery with alt text, a no-JS link to the large picture, spin, 3D and datasheet.
    assert 'alt="Product A from the front"' in html and "Open the large picture" in html
    assert "large." in html and "data-spin" in html and "data-spin-range" in html
    assert "<model-viewer" in html and " ar " in html and "Download the 3D model (GLB" in html
    assert "Datasheet A" in html
    # Pickup availability per store, the cart, compare forms.
    assert "Pick up in store" in html and "Ams-Store" in html
    assert 'action="/cart/add/"' in html and 'name="sku" value="A"' in html
    assert 'action="/compare/add/"' in html and 'name="next" value="/p/A/"' in html
    assert "requisition-lists" not in html  # a guest is no company user
    # Related: B is shown with its price, B2B-ONLY (not in the b2c catalog) is not.
    assert "Often bought with it" in html and 'href="/p/B/"' in html
    assert f"{engine_price('B')} EUR" in html
    assert "/p/B2B-ONLY/" not in html and "Accessories" not in html
    # SEO.
    assert "<title>Product A (A) |" in html and '<meta name="description"' in html


def test_without_model_viewer_the_model_is_a_picture_and_a_link(
    client: Client, products: dict[str, Any], monkeypatch: Any
) -> None:
    monkeypatch.setattr(product_views, "model_viewer_installed", lambda: False)
    _, html = page(client, "/p/A/")
    assert "<model-viewer" not in html and "model-viewer.min.js" not in html
    assert re.search(r'<figure class="model-3d">\s*<img src="[^"]+medium[^"]*" alt="Product A from the front">', html)
    assert "Download the 3D model (GLB" in html


def test_a_product_without_a_price_cannot_be_added(client: Client, products: dict[str, Any]) -> None:
    _, html = page(client, "/p/NOPRICE/")
    assert "Price on request" in html and 'class="button" disabled' in html
    assert '"offers"' not in html


def test_quantity_input_uses_minimum_and_increment(client: Client, products: dict[str, Any]) -> None:
    _, html = page(client, "/p/MIN/")
    assert 'min="5" step="5"' in html and 'value="5"' in html
    assert "Minimum 5, in steps of 5." in html


def test_json_ld_is_valid_with_the_viewers_price(client: Client, products: dict[str, Any]) -> None:
    _, html = page(client, "/p/A/")
    data = json_ld_of(html)
    assert data["@type"] == "Product" and data["sku"] == "A" and data["name"] == "Product A"
    assert data["gtin"] == "4006381333931" and data["mpn"] == "A-100"
    assert data["image"] and all(url.startswith("http") for url in data["image"])
    offer = data["offers"]
    assert Decimal(offer["price"]) == engine_price("A")
    assert offer["priceCurrency"] == "EUR"
    assert offer["availability"] == "https://schema.org/InStock"


def test_json_ld_cannot_close_its_script_element(client: Client, products: dict[str, Any]) -> None:
    catalog_services.update_product(actor=None, sku="B", changes={"name": "B </script><script>alert(1)</script>"})
    _, html = page(client, "/p/B/")
    data = json_ld_of(html)
    assert data["name"] == "B </script><script>alert(1)</script>"
    assert "<script>alert(1)" not in html


def test_configurable_marks_unavailable_combinations(client: Client, products: dict[str, Any]) -> None:
    response, html = page(client, "/p/TEE/")
    assert response.status_code == 200
    assert "Choose an option" in html and "From" in html
    assert 'action="/cart/add/"' not in html  # no variant chosen yet
    offers = json_ld_of(html)["offers"]
    assert offers["@type"] == "AggregateOffer" and Decimal(offers["lowPrice"]) == engine_price("TEE-RED-S")
    response, html = page(client, "/p/TEE/?variant=TEE-RED-S")
    assert "data-sku>TEE-RED-S<" in html and f"{engine_price('TEE-RED-S')} EUR" in html
    # Red is chosen; in red there is no medium, so Medium is marked and not a link.
    assert re.search(r'<span class="axis-value is-unavailable"[^>]*>Medium', html)
    # Blue can be chosen (it leads to blue small's sibling in stock: blue medium).
    assert "?variant=TEE-BLUE-M" in html
    response, html = page(client, "/p/TEE/?variant=TEE-BLUE-M")
    assert "data-sku>TEE-BLUE-M<" in html and f"{engine_price('TEE-BLUE-M')} EUR" in html
    # In blue, small exists but is sold out: marked, not selectable.
    assert re.search(r'<span class="axis-value is-out_of_stock"[^>]*>Small', html)
    assert "?variant=TEE-BLUE-S" not in html
    assert 'name="sku" value="TEE-BLUE-M"' in html


def test_variant_choice_as_htmx_fragment(client: Client, products: dict[str, Any]) -> None:
    response, html = page(client, "/p/TEE/?variant=TEE-RED-S", HX_Request="true", HX_Target="product-main")
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="product-main"') and "<html" not in html
    assert "data-sku>TEE-RED-S<" in html


def test_a_variants_address_opens_its_configurable(client: Client, products: dict[str, Any]) -> None:
    response = client.get("/p/TEE-RED-S/")
    assert response.status_code == 302 and response["Location"] == "/p/TEE/?variant=TEE-RED-S"


def test_bundle_live_price_equals_the_cart_price(client: Client, products: dict[str, Any]) -> None:
    _, html = page(client, "/p/BUN/")
    assert 'name="option-main" value="A" checked' in html and 'name="option-main" value="B"' in html
    assert 'hx-get="/product-price/BUN/"' in html
    response, fragment = page(client, "/product-price/BUN/?option-main=B&quantity=3", HX_Request="true")
    assert response.status_code == 200
    cart = checkout_services.create_cart(channel=get_channel("b2c"))
    priced = checkout_services.add_lines(
        public_id=cart.public_id, user=None, requested=[RequestedLine(sku="BUN", quantity=3, options={"main": ["B"]})]
    )
    line = priced.lines[0]
    assert line.line.options["choices"] == {"main": ["B"]}
    assert f"{line.result.display_total} EUR" in fragment
    assert "Product B" in fragment and "for 3 pieces" in fragment


def test_bundle_stock_comes_from_the_chosen_options(client: Client, products: dict[str, Any]) -> None:
    # BUN itself has no stock; its default option A has.
    _, html = page(client, "/p/BUN/")
    assert "stock-in_stock" in html and 'class="button" disabled' not in html
    set_stock({("A", "main"): 0, ("A", "ams-store"): 0})
    _, html = page(client, "/p/BUN/")
    assert "stock-out_of_stock" in html and 'class="button" disabled' in html
    _, html = page(client, "/p/BUN/?option-main=B")
    assert "stock-in_stock" in html


def test_the_pages_buy_form_puts_the_live_price_in_the_cart(client: Client, products: dict[str, Any]) -> None:
    _, fragment = page(client, "/product-price/BUN/?option-main=B&quantity=2", HX_Request="true")
    total = re.search(r"<strong data-live-total>([^<]+)</strong>", fragment).group(1)
    response = client.post("/cart/add/", {"sku": "BUN", "quantity": "2", "option-main": "B"})
    assert response.status_code == 302
    cart = client.get("/cart/").content.decode()
    assert "Product B" in cart and total in cart


def test_bundle_live_price_refuses_a_bad_choice(client: Client, products: dict[str, Any]) -> None:
    response, fragment = page(client, "/product-price/BUN/?option-main=NOPE")
    assert response.status_code == 422
    assert "offers A, B" in fragment
    response, fragment = page(client, "/product-price/BUN/?quantity=lots")
    assert response.status_code == 422 and "whole number" in fragment


def test_bundle_price_without_javascript(client: Client, products: dict[str, Any]) -> None:
    response = client.get("/p/BUN/?csrfmiddlewaretoken=x&sku=BUN&option-main=B&quantity=2")
    assert response.status_code == 302 and "csrfmiddlewaretoken" not in response["Location"]
    _, html = page(client, response["Location"])
    assert 'name="option-main" value="B" checked' in html and "for 2 pieces" in html


def test_kit_page_lists_its_components(client: Client, products: dict[str, Any]) -> None:
    response, html = page(client, "/p/KIT/")
    assert response.status_code == 200
    assert "In this kit" in html and "Product A</a> \u00d7 1" in html and "Product B</a> \u00d7 2" in html
    assert f"{engine_price('KIT')} EUR" in html


def test_digital_product_page(client: Client, products: dict[str, Any]) -> None:
    response, html = page(client, "/p/DIG/")
    assert response.status_code == 200
    assert "Nothing is shipped" in html and "In stock" in html
    assert f"{engine_price('DIG')} EUR" in html


@pytest.mark.parametrize("path", ["/p/B2B-ONLY/", "/p/NOSUCH/", "/p/TEE/?variant=A", "/product-price/B2B-ONLY/"])
def test_what_the_viewer_may_not_see_does_not_exist(client: Client, products: dict[str, Any], path: str) -> None:
    assert client.get(path).status_code == 404


def test_a_product_outside_the_customers_assortment_does_not_exist(
    client: Client, products: dict[str, Any], make_user: Any
) -> None:
    group = CustomerGroup.objects.create(code="installers", name="Installers")
    catalog_services.save_assortment(
        actor=None,
        code="installers",
        name="Installers",
        channel_code="b2c",
        customer_group_code="installers",
        skus=["B"],
    )
    client.force_login(make_user(customer_group=group))
    assert client.get("/p/B/").status_code == 200
    for path in ("/p/A/", "/p/TEE/", "/p/TEE-RED-S/", "/product-price/A/"):
        assert client.get(path).status_code == 404, path
    # Nor does it show as a related product.
    catalog_services.update_product(actor=None, sku="B", changes={"relations": ["related:A"]})
    assert "/p/A/" not in client.get("/p/B/").content.decode()
    client.logout()
    assert 'href="/p/A/"' in client.get("/p/B/").content.decode()


def test_b2b_viewer_sees_the_b2b_product(client: Client, products: dict[str, Any]) -> None:
    response, html = page(client, "/p/B2B-ONLY/?channel=b2b")
    assert response.status_code == 200 and "Prices exclude VAT." in html


def test_company_user_gets_the_requisition_list_button(
    client: Client,
    products: dict[str, Any],
    company_with_roles: Any,  # noqa: F811
) -> None:
    _, users, _ = company_with_roles
    client.force_login(users["buyer"])
    _, html = page(client, "/p/MIN/")
    assert 'action="/account/requisition-lists/add/"' in html
    assert 'id="requisition-quantity" name="quantity" value="5" min="5" step="5"' in html


def test_product_page_query_count_is_bounded(
    client: Client, products: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    client.get("/p/A/")  # warm the channel and assortment caches, as a running shop has them
    with django_assert_max_num_queries(30):
        assert client.get("/p/A/").status_code == 200
    with django_assert_max_num_queries(30):
        assert client.get("/p/TEE/?variant=TEE-RED-S").status_code == 200
    with django_assert_max_num_queries(30):
        assert client.get("/p/BUN/").status_code == 200
