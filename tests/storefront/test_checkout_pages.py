"""The cart, quick order and checkout pages: every step, every refusal (a clear message, nothing
changed), guest carts in a signed cookie merged at sign-in, and the cart's price on the order and
its confirmation."""

from __future__ import annotations

import re
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from handel.channels.queries import SESSION_KEY
from handel.checkout.models import Cart, CartLine
from handel.orders.models import Order
from handel.payments.providers import test_gateway
from handel.pricing import services as pricing_services
from handel.pricing.models import Coupon, PromotionUsage
from handel.search import services as search_services
from handel.storefront.checkout_views import CART_COOKIE
from tests.checkout import conftest as checkout_fixtures
from tests.checkout.conftest import ADDRESS, add_promotion, set_stock
from tests.companies import conftest as company_fixtures
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
shop = checkout_fixtures.shop
company_with_roles = company_fixtures.company_with_roles

CARD = {"card_number": "4242 4242 4242 4242", "card_expiry": "12/35", "card_cvc": "123"}


def page(response) -> str:
    return response.content.decode()


def shown_messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def add(client: Client, sku: str, quantity: int = 1, **extra: str):
    return client.post("/cart/add/", {"sku": sku, "quantity": str(quantity), **extra})


def the_cart() -> Cart:
    return Cart.objects.get(status="open")


def address_form(**changes: str) -> dict[str, str]:
    data = {"step": "addresses", "email": "ann@example.com", "billing_same": "on"}
    data.update({f"ship-{key}": value for key, value in {**ADDRESS, **changes}.items()})
    return data


def ready(client: Client, *lines: tuple[str, int], delivery: str = "flat_rate") -> None:
    for sku, quantity in lines or (("A", 2), ("B", 1)):
        assert add(client, sku, quantity).status_code == 302
    assert client.post("/checkout/addresses/", address_form()).status_code == 302
    assert client.post("/checkout/delivery/", {"code": delivery}).status_code == 302


def place(client: Client, form: dict[str, str]):
    """Post the checkout form as a browser does (urlencoded)."""
    return client.post("/checkout/place/", urlencode(form), content_type="application/x-www-form-urlencoded")


def place_form(client: Client, method: str = "bank_transfer", **extra: str) -> dict[str, str]:
    checkout = page(client.get("/checkout/"))
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', checkout).group(1)
    total = re.search(r'name="expected_total" value="([0-9.]+)"', checkout).group(1)
    return {"payment_method": method, "idempotency_key": key, "expected_total": total, **extra}


def test_a_refused_first_line_leaves_no_stray_cart(shop):
    """The guest's first add is refused (unknown product): the cart made for it is theirs from now
    on, so the next add fills it instead of making another."""
    client = Client()
    refused = add(client, "NO-SUCH-SKU")
    assert refused.status_code == 302
    assert Cart.objects.count() == 1 and CART_COOKIE in refused.cookies
    assert add(client, "A").status_code == 302
    assert Cart.objects.count() == 1
    assert list(the_cart().lines.values_list("sku", flat=True)) == ["A"]


def test_abandoned_guest_carts_are_purged_after_their_cookie_expired(shop):
    from datetime import timedelta

    from django.utils import timezone

    from handel.checkout import services as checkout_services

    old, recent = Client(), Client()
    add(old, "A")
    add(recent, "B")
    stale = Cart.objects.get(lines__sku="A")
    Cart.objects.filter(pk=stale.pk).update(updated_at=timezone.now() - timedelta(days=31))
    ordered = Cart.objects.create(channel_code="b2c", status=Cart.Status.ORDERED, order_number="ORD-1")
    Cart.objects.filter(pk=ordered.pk).update(updated_at=timezone.now() - timedelta(days=90))
    assert checkout_services.purge_abandoned_guest_carts() == 2  # the cart and its line
    assert not Cart.objects.filter(pk=stale.pk).exists()
    assert Cart.objects.filter(lines__sku="B").exists() and Cart.objects.filter(pk=ordered.pk).exists()
    assert add(old, "C").status_code == 302  # the expired cookie's owner simply gets a new cart


def test_a_guest_cart_lives_in_a_signed_httponly_cookie(shop):
    client = Client()
    response = add(client, "A", 2)
    assert response.status_code == 302 and response["Location"] == "/cart/"
    cookie = response.cookies[CART_COOKIE]
    assert cookie["httponly"] and cookie.value != str(the_cart().public_id)  # signed, not the bare id
    cart = page(client.get("/cart/"))
    assert "Product A" in cart and "<details" in cart and "How this price is made" in cart
    assert "price_list" in cart and "tax" in cart  # the engine's explanation steps
    assert "24.20 EUR" in cart  # 2 x 10.00 + 21 % VAT, prices incl. VAT in the b2c shop
    assert re.search(r'class="badge"[^>]*>1</span>', cart)  # the header's line count
    other = Client()
    other.cookies[CART_COOKIE] = str(the_cart().public_id)  # an unsigned id is not accepted
    assert "Your cart is empty." in page(other.get("/cart/"))


def test_quantity_rules_are_explained_and_change_nothing(shop):
    client = Client()
    refused = add(client, "MIN", 3)
    assert refused.status_code == 302
    assert any("at least 5" in text for text in shown_messages(client.get("/cart/")))
    assert not CartLine.objects.exists()
    add(client, "MIN", 5)
    line = CartLine.objects.get()
    response = client.post(f"/cart/lines/{line.pk}/", {"action": "update", "quantity": "7"})
    assert response.status_code == 422
    assert "adjusted to 10 (sold in steps of 5)" in page(response)
    assert CartLine.objects.get().quantity == 5
    response = client.post(f"/cart/lines/{line.pk}/", {"action": "update", "quantity": "two"})
    assert response.status_code == 422 and "whole number" in page(response)
    assert add(client, "NOSUCH", 1).status_code == 302 and CartLine.objects.count() == 1


def test_update_note_save_for_later_and_remove(shop):
    client = Client()
    add(client, "A", 1)
    line = CartLine.objects.get()
    assert client.post(f"/cart/lines/{line.pk}/", {"quantity": "3", "note": "gift wrap"}).status_code == 302
    line.refresh_from_db()
    assert (line.quantity, line.note) == (3, "gift wrap")
    client.post(f"/cart/lines/{line.pk}/", {"action": "save"})
    cart = page(client.get("/cart/"))
    assert "Saved for later" in cart and "Your cart is empty." in cart
    client.post(f"/cart/lines/{line.pk}/", {"action": "restore"})
    assert not CartLine.objects.get().saved_for_later
    client.post(f"/cart/lines/{line.pk}/", {"action": "remove"})
    assert not CartLine.objects.exists()
    assert Client().post(f"/cart/lines/{line.pk}/", {"action": "remove"}).status_code == 404


def test_coupons_apply_remove_and_refuse(shop):
    add_promotion("TENOFF", coupon="SAVE10")
    client = Client()
    add(client, "A", 4)
    assert client.post("/cart/coupons/", {"code": "save10"}).status_code == 302
    cart = page(client.get("/cart/"))
    assert "SAVE10" in cart and "Discounts" in cart and "43.56 EUR" in cart  # 48.40 less 10 %
    client.post("/cart/coupons/SAVE10/remove/")
    assert the_cart().coupon_codes == []
    Coupon.objects.filter(code="SAVE10").update(is_active=False)
    refused = client.post("/cart/coupons/", {"code": "SAVE10"})
    assert refused.status_code == 422 and "cannot be used" in page(refused)
    assert the_cart().coupon_codes == []


def test_the_cart_page_query_count_does_not_grow_with_its_lines(shop, django_assert_max_num_queries):
    client = Client()
    add(client, "A", 5)
    with CaptureQueriesContext(connection) as one_line:
        assert client.get("/cart/").status_code == 200
    baseline = len(one_line)  # read now: the next request clears the query log
    for sku in ("B", "DIG", "KIT", "BUN", "MIN"):
        add(client, sku, 5)
    assert CartLine.objects.count() == 6
    with django_assert_max_num_queries(baseline):
        assert client.get("/cart/").status_code == 200


def test_quick_order_typed_and_uploaded_answers_per_line(shop):
    client = Client()
    assert client.get("/quick-order/").status_code == 200
    response = client.post(
        "/quick-order/",
        {
            "sku-0": "A",
            "quantity-0": "2",
            "sku-1": "NOSUCH",
            "quantity-1": "1",
            "sku-2": "B2B-ONLY",
            "quantity-2": "1",
            "sku-3": "MIN",
            "quantity-3": "2",
            "sku-4": "MIN",
            "quantity-4": "7",
        },
    )
    text = page(response)
    assert response.status_code == 200
    for label in ("Added", "Unknown SKU", "Not in your assortment", "Below the minimum quantity"):
        assert label in text
    assert "Adjusted to the order increment" in text and "2 lines added to your cart" in text
    assert sorted(the_cart().lines.values_list("sku", "quantity")) == [("A", 2), ("MIN", 10)]
    upload = SimpleUploadedFile("order.csv", b"sku;quantity\nB;3\nNOSUCH;1\n", content_type="text/csv")
    response = client.post("/quick-order/", {"file": upload})
    assert "1 line added to your cart" in page(response)
    assert the_cart().lines.get(sku="B").quantity == 3
    empty = client.post("/quick-order/", {})
    assert empty.status_code == 422 and "at least one SKU" in page(empty)


def test_quick_order_sku_autocomplete(shop):
    search_services.reindex()
    client = Client()
    suggestions = page(client.get("/quick-order/suggestions/?sku-3=Product"))  # what htmx sends
    assert '<option value="A">Product A</option>' in suggestions
    assert "B2B-ONLY" not in suggestions  # only the b2c assortment
    assert page(client.get("/quick-order/suggestions/?q=x")).strip() == ""
    quick = page(client.get("/quick-order/"))
    assert 'list="sku-suggestions"' in quick and 'hx-get="/quick-order/suggestions/"' in quick


def test_guest_checkout_price_equals_order_and_confirmation_and_a_double_submit_places_once(shop):
    client = Client()
    ready(client)
    cart_total = re.search(r'data-testid="grand-total">([0-9.]+) EUR', page(client.get("/cart/"))).group(1)
    form = place_form(client)
    assert form["expected_total"] == cart_total
    first = place(client, form)
    assert first.status_code == 302, page(first)
    order = Order.objects.get()
    assert first["Location"] == f"/checkout/done/{order.number}/"
    second = place(client, form)
    assert second.status_code == 302 and second["Location"] == first["Location"]
    assert Order.objects.count() == 1
    assert str(order.grand_total) == cart_total
    done = page(client.get(first["Location"]))
    assert order.number in done and f"{cart_total} EUR" in done and "Product A" in done
    assert "Please transfer the total" in done
    assert Client().get(first["Location"]).status_code == 404  # only the buyer sees it
    assert "Your cart is empty." in page(client.get("/cart/"))


def test_refusals_show_a_message_and_change_nothing(shop):
    client = Client()
    empty = client.get("/checkout/", follow=True)
    assert "Your cart is empty." in shown_messages(empty)
    assert client.post("/checkout/place/", {"payment_method": "bank_transfer"}).status_code == 302
    assert not Order.objects.exists()

    add(client, "A", 2)
    invalid = client.post("/checkout/addresses/", address_form(postal_code="ABC"))
    assert invalid.status_code == 422 and "the shipping address is not valid" in page(invalid)
    assert 'id="id_ship-postal_code-error"' in page(invalid)  # the field's own message, beside it
    assert the_cart().shipping_address is None
    ready(client)
    set_stock({("A", "main"): 1, ("A", "ams-store"): 0})
    refused = place(client, place_form(client))
    assert refused.status_code == 409 and "out-of-stock" not in page(refused)
    assert "A" in page(refused) and not Order.objects.exists()
    assert the_cart().status == "open"


def test_a_price_changed_since_the_page_was_shown_is_refused_then_shown(shop):
    client = Client()
    ready(client, ("A", 1))
    form = place_form(client)
    pricing_services.set_price_entries(
        actor=None, price_list_code="b2c-base", entries=[pricing_services.EntryInput("A", Decimal("11"))]
    )
    refused = place(client, form)
    assert refused.status_code == 409 and "the total is now" in page(refused)
    assert not Order.objects.exists()
    again = place_form(client)
    assert again["expected_total"] != form["expected_total"]
    assert place(client, again).status_code == 302
    assert str(Order.objects.get().grand_total) == again["expected_total"]


def test_expired_coupon_refuses_the_order(shop):
    add_promotion("TENOFF", coupon="SAVE10")
    client = Client()
    ready(client)
    client.post("/cart/coupons/", {"code": "SAVE10"})
    form = place_form(client)
    Coupon.objects.filter(code="SAVE10").update(is_active=False)
    refused = place(client, form)
    assert refused.status_code == 409 and "SAVE10" in page(refused)
    assert not Order.objects.exists() and not PromotionUsage.objects.exists()


@pytest.mark.parametrize("delivery", ["express", "pickup:ams-store"])
def test_delivery_options_and_cash_on_delivery(shop, delivery):
    client = Client()
    ready(client, ("A", 1), delivery=delivery)
    options = page(client.get("/checkout/"))
    assert "Pick up at Ams-Store, City" in options and "Express delivery" in options
    response = place(client, place_form(client, "cash_on_delivery"))
    assert response.status_code == 302
    order = Order.objects.get()
    assert order.delivery["code"] == delivery and order.status == "processing"


def test_scheduled_delivery_with_a_day_and_time_slot(shop):
    client = Client()
    ready(client, ("A", 1))
    options = page(client.get("/checkout/"))
    assert "Scheduled delivery: choose a day and a time slot" in options
    code = re.search(r'value="(scheduled:[^"]+)"', options).group(1)
    assert client.post("/checkout/delivery/", {"code": code}).status_code == 302
    assert place(client, place_form(client)).status_code == 302
    delivery = Order.objects.get().delivery
    assert delivery["method"] == "scheduled" and code == f"scheduled:{delivery['date']}:{delivery['slot']}"


def test_bad_delivery_code_is_refused(shop):
    client = Client()
    ready(client, ("A", 1))
    refused = client.post("/checkout/delivery/", {"code": "teleport"})
    assert refused.status_code == 422 and "is not a delivery option" in page(refused)
    assert the_cart().delivery["code"] == "flat_rate"


def test_card_with_three_d_secure_returns_to_the_confirmation(shop):
    client = Client()
    ready(client, ("A", 1))
    card = {**CARD, "card_number": test_gateway.CHALLENGE}
    response = place(client, place_form(client, "card", **card))
    assert response.status_code == 302 and "/3ds/" in response["Location"]
    back = client.post(response["Location"], {"outcome": "approve"})
    assert back["Location"] == "/checkout/paid/"
    order = Order.objects.get()
    done = page(client.get("/checkout/paid/", follow=True))
    # The gateway's confirmation travels through the outbox after commit (see the browser test).
    assert order.number in done and "Your payment is being confirmed." in done


def test_a_declined_card_shows_why_and_keeps_the_cart(shop):
    client = Client()
    ready(client, ("A", 1))
    card = {**CARD, "card_number": test_gateway.DECLINED}
    response = place(client, place_form(client, "card", **card))
    assert response.status_code == 402 and "The card was declined." in page(response)
    assert the_cart().status == "open"


def test_guest_cart_merges_into_the_customer_cart_at_sign_in(shop, make_user):
    customer = make_user("buyer@example.com")
    mine = Client()
    mine.force_login(customer)
    add(mine, "B", 1)
    guest = Client()
    add(guest, "A", 2)
    response = guest.post("/account/login/", {"email": customer.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.cookies[CART_COOKIE].value == ""  # the guest cookie is dropped
    cart = Cart.objects.get(customer=customer, status="open")
    assert sorted(cart.lines.values_list("sku", "quantity")) == [("A", 2), ("B", 1)]
    assert Cart.objects.filter(status="merged").count() == 1
    assert "Product A" in page(guest.get("/cart/"))


def test_order_again_lands_on_the_cart(shop, make_user):
    customer = make_user()
    client = Client()
    client.force_login(customer)
    ready(client, ("A", 1))
    place(client, place_form(client))
    number = Order.objects.get().number
    response = client.post(f"/account/orders/{number}/reorder/")
    assert response["Location"] == "/cart/"
    assert "Product A" in page(client.get("/cart/"))


def test_company_purchase_needing_approval_shows_the_purchase_order(shop, company_with_roles):
    company, users, _ = company_with_roles
    checkout_fixtures.approval_over_50(company, users)
    client = Client()
    client.force_login(users["buyer"])
    session = client.session
    session[SESSION_KEY] = "b2b"
    session.save()
    ready(client, ("A", 10))
    checkout = page(client.get("/checkout/"))
    assert 'value="on_account"' in checkout and 'value="purchase_order"' in checkout and 'value="card"' in checkout
    response = place(client, place_form(client, "purchase_order", purchase_order_number="PO-1"))
    assert response.status_code == 302
    waiting = client.get(response["Location"])
    text = page(waiting)
    number = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    assert "awaiting approval" in text and f"/account/purchase-orders/{number}/" in text
    assert not Order.objects.exists()
