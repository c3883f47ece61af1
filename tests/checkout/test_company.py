"""Company purchases: purchase order number, pay on account within and over the credit limit,
approval-required carts that become purchase orders and, once approved, orders."""

from __future__ import annotations

from decimal import Decimal

import pytest

from handel.checkout.models import Cart
from handel.companies import services as company_services
from handel.companies.models import CompanyCredit
from handel.orders.models import Order
from handel.procurement import services as procurement_services
from handel.procurement.models import PurchaseOrder
from tests.checkout.conftest import ADDRESS, approval_over_50
from tests.conftest import assert_problem

pytestmark = pytest.mark.django_db(transaction=True)


def company_cart(api_for, user, *lines):
    client = api_for(user, scopes=("orders:write",))
    response = client.call("post", "/checkout/carts", headers={"X-Handel-Channel": "b2b"})
    assert response.status_code == 201, response.content
    cart = response.json()["id"]
    response = client.call(
        "post",
        f"/checkout/carts/{cart}/lines",
        {"lines": [{"sku": sku, "quantity": quantity} for sku, quantity in lines or (("A", 10),)]},
    )
    assert response.status_code == 200, response.content
    client.call("put", f"/checkout/carts/{cart}/addresses", {"email": user.email, "shipping_address": ADDRESS})
    assert client.call("put", f"/checkout/carts/{cart}/delivery", {"code": "flat_rate"}).status_code == 200
    return client, cart


def test_purchase_order_number(api_for, shop, company_with_roles):
    _, users, _ = company_with_roles
    client, cart = company_cart(api_for, users["buyer"])
    assert_problem(client.call("post", f"/checkout/carts/{cart}/order", {"payment_method": "purchase_order"}), 422)
    response = client.call(
        "post",
        f"/checkout/carts/{cart}/order",
        {"payment_method": "purchase_order", "purchase_order_number": "PO-4711"},
    )
    assert response.status_code == 201, response.content
    order = Order.objects.get(number=response.json()["order_number"])
    assert order.purchase_order_number == "PO-4711" and order.status == "processing"
    assert order.prices_include_tax is False  # the b2b channel shows prices excl. tax


def test_pay_on_account_within_and_over_the_limit(api_for, shop, company_with_roles):
    company, users, staff = company_with_roles
    company_services.set_credit_terms(actor=staff, company_code=company.code, credit_limit=Decimal("200.00"))
    client, cart = company_cart(api_for, users["buyer"], ("A", 10))  # 100.00 + 21 % + delivery
    response = client.call("post", f"/checkout/carts/{cart}/order", {"payment_method": "on_account"})
    assert response.status_code == 201, response.content
    order = Order.objects.get(number=response.json()["order_number"])
    assert CompanyCredit.objects.get(company=company).balance == order.grand_total
    over, second = company_cart(api_for, users["buyer"], ("B", 10))
    problem = assert_problem(
        over.call("post", f"/checkout/carts/{second}/order", {"payment_method": "on_account"}), 409
    )
    assert problem["type"].endswith("credit-limit-exceeded")
    assert Order.objects.count() == 1
    assert CompanyCredit.objects.get(company=company).balance == order.grand_total


def test_viewer_role_cannot_order(api_for, shop, company_with_roles):
    _, users, _ = company_with_roles
    client, cart = company_cart(api_for, users["viewer"])
    assert_problem(client.call("post", f"/checkout/carts/{cart}/order", {"payment_method": "bank_transfer"}), 403)


def test_approval_required_cart_becomes_a_purchase_order_then_an_order(api_for, shop, company_with_roles, mailoutbox):
    company, users, _ = company_with_roles
    approval_over_50(company, users)
    client, cart = company_cart(api_for, users["buyer"], ("A", 10))
    response = client.call("post", f"/checkout/carts/{cart}/order", {"payment_method": "bank_transfer"})
    assert response.status_code == 202, response.content
    number = response.json()["purchase_order"]
    assert not Order.objects.exists()
    assert Cart.objects.get(public_id=cart).status == "awaiting_approval"
    procurement_services.decide_purchase_order(number=number, user=users["approver"], approve=True)
    po = PurchaseOrder.objects.get(number=number)
    assert po.status == "ordered"
    order = Order.objects.get(number=po.order_number)
    assert order.customer_id == users["buyer"].pk and order.grand_total == po.total
    assert Cart.objects.get(public_id=cart).status == "ordered"


def test_a_retry_of_a_submitted_cart_submits_no_second_purchase_order(api_for, shop, company_with_roles):
    company, users, _ = company_with_roles
    approval_over_50(company, users)
    client, cart = company_cart(api_for, users["buyer"], ("A", 10))
    first = client.call("post", f"/checkout/carts/{cart}/order", {"payment_method": "bank_transfer"})
    assert first.status_code == 202, first.content
    again = client.call("post", f"/checkout/carts/{cart}/order", {"payment_method": "bank_transfer"})
    assert assert_problem(again, 409)["type"].endswith("cart-closed")
    assert list(PurchaseOrder.objects.values_list("number", flat=True)) == [first.json()["purchase_order"]]
