"""A company member is priced as the company: its price lists, its customer group, and (for a VAT
number in another EU country) the reverse charge."""

from __future__ import annotations

from decimal import Decimal

from handel.companies import services as company_services
from handel.pricing import services

BILLING = {
    "company_name": "Muster GmbH",
    "street": "Hauptstr. 1",
    "postal_code": "10115",
    "city": "Berlin",
    "country": "DE",
}


def test_company_member_gets_company_prices_group_and_reverse_charge(api_for, make_user, pricing):
    buyer = make_user("buyer@muster.example")
    company = company_services.register_company(
        user=buyer, legal_name="Muster GmbH", country="DE", vat_number="DE136695976", billing_address=BILLING
    )
    client = api_for(buyer)
    before = client.call("post", "/pricing/prices", {"items": [{"sku": "A"}, {"sku": "B"}]}).json()["items"]
    assert [item["unit_net"] for item in before] == ["10.00", "20.00"]  # pending company: a consumer still
    staff = make_user(staff=True, superuser=True)
    company_services.approve_company(actor=staff, code=company.code)
    company_services.update_company(
        actor=staff, code=company.code, changes={"customer_group_id": pricing["dealer_group"].pk}
    )
    services.create_price_list(
        actor=None,
        code="muster",
        name="Muster contract",
        currency="EUR",
        assignments=[{"kind": "company", "key": company.code}],
    )
    services.set_price_entries(actor=None, price_list_code="muster", entries=[services.EntryInput("A", Decimal("7"))])
    items = client.call("post", "/pricing/prices", {"items": [{"sku": "A"}, {"sku": "B"}]}).json()["items"]
    assert [item["unit_net"] for item in items] == ["7.00", "17.00"]  # the company's list; B from the group's
    assert all(item["reverse_charge"] and item["line_tax"] == "0.00" for item in items)
