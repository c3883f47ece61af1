"""Nobody sees or changes what is not theirs: every actor against every customer-data operation."""

from __future__ import annotations

import pytest

from handel.core.tokens import SCOPES
from handel.customers.models import Address
from tests.conftest import ApiClient

ADDRESS = {
    "first_name": "A",
    "last_name": "B",
    "street": "Damrak 1",
    "postal_code": "1012 LG",
    "city": "Amsterdam",
    "country": "NL",
}


@pytest.fixture
def world(make_user, api_for, channels):
    owner = make_user("owner@example.com")
    other = make_user("other@example.com")
    viewer_staff = make_user("viewer@example.com", staff=True, perms=["customers.view_user"])
    plain_staff = make_user("plainstaff@example.com", staff=True)
    admin = make_user("admin@example.com", superuser=True)
    from handel.customers import services

    address = services.add_address(user=owner, data=ADDRESS)
    clients = {
        "anonymous": ApiClient(),
        "owner": api_for(owner),
        "other customer": api_for(other),
        "staff without permission": api_for(plain_staff, scopes=tuple(SCOPES)),
        "staff with view permission": api_for(viewer_staff, scopes=tuple(SCOPES)),
        "staff with view permission, narrow token": api_for(viewer_staff, scopes=("account",)),
        "superuser": api_for(admin, scopes=tuple(SCOPES)),
    }
    return {"owner": owner, "address": address, "clients": clients}


# (operation, method, path template, body, who may) -- "who may" lists the actors that succeed.
MATRIX = [
    ("read the owner's address", "get", "/me/addresses/{address}", None, {"owner"}),
    (
        "change the owner's address",
        "patch",
        "/me/addresses/{address}",
        {"city": "Utrecht", "postal_code": "3511 LN"},
        {"owner"},
    ),
    ("delete the owner's address", "delete", "/me/addresses/{address}", None, {"owner"}),
    ("list customers", "get", "/customers", None, {"staff with view permission", "superuser"}),
    (
        "read the owner as a customer record",
        "get",
        "/customers/{owner}",
        None,
        {"staff with view permission", "superuser"},
    ),
    ("move the owner to another group", "put", "/customers/{owner}/group", {"group": None}, {"superuser"}),
    ("create a customer group", "post", "/customer-groups", {"code": "vip", "name": "VIP"}, {"superuser"}),
    ("change a channel", "patch", "/channels/b2c", {"name": "Shop"}, {"superuser"}),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("operation", "method", "template", "body", "allowed"), MATRIX, ids=[row[0] for row in MATRIX])
def test_access_matrix(world, operation, method, template, body, allowed):
    path = template.format(address=world["address"].pk, owner=world["owner"].pk)
    for actor, client in world["clients"].items():
        if actor in allowed:
            continue
        response = client.call(method, path, body)
        assert response.status_code in {401, 403, 404}, (operation, actor, response.status_code)
    assert Address.objects.filter(pk=world["address"].pk, city="Amsterdam").exists(), "a refusal changed data"
    for actor in sorted(allowed):
        response = world["clients"][actor].call(method, path, body)
        assert response.status_code < 300, (operation, actor, response.content)


@pytest.mark.django_db
def test_addresses_list_only_shows_ones_own(world, api_for, make_user):
    stranger = api_for(make_user())
    assert stranger.call("get", "/me/addresses").json()["meta"]["total"] == 0
    assert world["clients"]["owner"].call("get", "/me/addresses").json()["meta"]["total"] == 1


@pytest.mark.django_db
def test_list_endpoints_use_a_constant_number_of_queries(api_for, make_user, django_assert_max_num_queries):
    admin = make_user(superuser=True)
    client = api_for(admin, scopes=tuple(SCOPES))
    from handel.customers.models import CustomerGroup

    group = CustomerGroup.objects.create(code="g", name="G")
    for index in range(30):
        make_user(f"bulk{index}@example.com", customer_group=group)
    for page_size in (5, 30):
        with django_assert_max_num_queries(6):
            response = client.call("get", f"/customers?page_size={page_size}")
        assert len(response.json()["items"]) == page_size
