"""Company buyers may pay by card (unless their company's approval rules hold the purchase), and a
coupon is counted only for an order whose payment was not declined."""

from __future__ import annotations

import pytest

from handel.core.models import OutboxEvent
from handel.orders import services as order_services
from handel.orders.models import Order
from handel.payments.models import Payment
from handel.payments.providers import test_gateway
from handel.pricing.models import Coupon, PromotionUsage
from handel.procurement.models import PurchaseOrder
from tests.checkout.conftest import CARD_APPROVED, add_promotion, approval_over_50
from tests.checkout.flow import body, place, ready_cart
from tests.checkout.test_company import company_cart
from tests.conftest import assert_problem

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_company_buyer_sees_and_pays_by_card(api_for, shop, company_with_roles):
    _, users, _ = company_with_roles
    client, cart = company_cart(api_for, users["buyer"])
    methods = [method["code"] for method in client.call("get", f"/checkout/carts/{cart}/payment-methods").json()]
    assert "card" in methods and "purchase_order" in methods
    response = client.call("post", f"/checkout/carts/{cart}/order", {"payment_method": "card", "card": CARD_APPROVED})
    assert response.status_code == 201, response.content
    assert Order.objects.get(number=response.json()["order_number"]).payment_method == "card"


def test_card_is_refused_when_the_company_must_approve_the_purchase(api_for, shop, company_with_roles):
    company, users, _ = company_with_roles
    approval_over_50(company, users)
    client, cart = company_cart(api_for, users["buyer"], ("A", 10))
    response = client.call("post", f"/checkout/carts/{cart}/order", {"payment_method": "card", "card": CARD_APPROVED})
    problem = assert_problem(response, 422)
    assert "approval" in problem["detail"]
    assert not Order.objects.exists() and not PurchaseOrder.objects.exists()


def test_a_declined_card_does_not_use_up_the_coupon(api, shop):
    add_promotion("ONCE", coupon="ONLY-ONCE", usage_limit=1)
    cart = ready_cart(api, ("A", 1))
    assert api.call("post", f"/checkout/carts/{cart}/coupons", {"code": "ONLY-ONCE"}).status_code == 200
    declined = {"number": test_gateway.DECLINED, "expiry": "12/35", "cvc": "123"}
    assert_problem(place(api, cart, "card", card=declined), 402)
    assert Coupon.objects.get(code="ONLY-ONCE").times_used == 0
    assert not PromotionUsage.objects.exists()
    retry = place(api, cart, "card")
    assert retry.status_code == 201, retry.content
    assert body(retry)["order_number"]
    assert Coupon.objects.get(code="ONLY-ONCE").times_used == 1
    assert PromotionUsage.objects.get().order_reference == body(retry)["order_number"]


def test_a_cancelled_order_gives_its_coupon_back(api, shop, make_user):
    add_promotion("ONCE", coupon="ONLY-ONCE", usage_limit=1)
    cart = ready_cart(api, ("A", 1))
    assert api.call("post", f"/checkout/carts/{cart}/coupons", {"code": "ONLY-ONCE"}).status_code == 200
    placed = place(api, cart, "card", card={"number": test_gateway.CHALLENGE, "expiry": "12/35", "cvc": "123"})
    number = body(placed)["order_number"]
    assert Coupon.objects.get(code="ONLY-ONCE").times_used == 1
    # The 3-D Secure check was never finished; staff cancel the order waiting for its payment.
    order_services.cancel_order(number=number, actor=make_user(staff=True), reason="payment never finished")
    assert Coupon.objects.get(code="ONLY-ONCE").times_used == 0
    assert not PromotionUsage.objects.exists()
    again = ready_cart(api, ("A", 1))
    assert api.call("post", f"/checkout/carts/{again}/coupons", {"code": "ONLY-ONCE"}).status_code == 200
    assert place(api, again, "bank_transfer").status_code == 201
    assert Coupon.objects.get(code="ONLY-ONCE").times_used == 1


def test_card_details_the_provider_refuses_cancel_the_order_and_leave_no_event_failing(api, shop):
    cart = ready_cart(api, ("A", 1))
    response = place(api, cart, "card", card={"number": "1", "expiry": "13/99", "cvc": "x"})
    problem = assert_problem(response, 422)
    assert {tuple(error["loc"]) for error in problem["errors"]} >= {("body", "card", "number")}
    assert list(Order.objects.values_list("status", flat=True)) == ["cancelled"]
    assert list(Payment.objects.values_list("status", flat=True)) == ["voided"]
    assert not OutboxEvent.objects.filter(processed_at__isnull=True).exists()  # delivered, none retried
    retry = place(api, cart, "card")
    assert retry.status_code == 201, retry.content
