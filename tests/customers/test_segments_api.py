"""The staff API of customer segments: who may do what, the round trip, problem+json refusals that
change nothing, and list queries constant in the page size."""

from __future__ import annotations

from typing import Any

import pytest

from handel.core.tokens import SCOPES
from handel.customers import services
from handel.customers.models import CustomerGroup, Segment, SegmentMembership
from tests.conftest import ApiClient, assert_problem

pytestmark = pytest.mark.django_db

VIEW = ["customers.view_segment", "customers.view_user"]
MANAGE = ["customers.add_segment", "customers.change_segment", "customers.delete_segment", *VIEW]


def _signed_in(user: Any) -> ApiClient:
    client = ApiClient()
    client.force_login(user)
    return client


@pytest.fixture
def world(make_user, api_for):
    CustomerGroup.objects.create(code="wholesale", name="Wholesale")
    member = make_user("member@example.com")
    outsider = make_user("outsider@example.com")
    services.create_segment(actor=None, code="fair", name="Fair", kind="manual")
    services.add_segment_members(actor=None, code="fair", customer_ids=[member.pk])
    viewer = make_user("viewer@example.com", staff=True, perms=VIEW)
    manager = make_user("manager@example.com", staff=True, perms=MANAGE)
    clients = {
        "anonymous": ApiClient(),
        "customer": api_for(member),
        "customer, signed in": _signed_in(member),
        "staff without permission": api_for(make_user(staff=True), scopes=tuple(SCOPES)),
        "staff who may view": api_for(viewer, scopes=tuple(SCOPES)),
        "staff who may manage, read-only token": api_for(manager, scopes=("customers:read",)),
        "staff who may manage": api_for(manager, scopes=("customers:read", "customers:write")),
        "superuser": api_for(make_user(superuser=True), scopes=tuple(SCOPES)),
    }
    return {"member": member, "outsider": outsider, "clients": clients}


READERS = {"staff who may view", "staff who may manage, read-only token", "staff who may manage", "superuser"}
WRITERS = {"staff who may manage", "superuser"}
# (operation id, method, path, body, who may)
MATRIX = [
    ("list_segments", "get", "/customer-segments", None, READERS),
    ("get_segment", "get", "/customer-segments/fair", None, READERS),
    (
        "create_segment",
        "post",
        "/customer-segments",
        {"code": "big", "name": "Big", "rules": {"min_orders": 5}},
        WRITERS,
    ),
    ("update_segment", "patch", "/customer-segments/fair", {"name": "Trade fair"}, WRITERS),
    ("delete_segment", "delete", "/customer-segments/fair", None, WRITERS),
    ("list_segment_members", "get", "/customer-segments/fair/members", None, READERS),
    ("add_segment_members", "post", "/customer-segments/fair/members", {"emails": ["outsider@example.com"]}, WRITERS),
    (
        "remove_segment_members",
        "post",
        "/customer-segments/fair/members/remove",
        {"emails": ["member@example.com"]},
        WRITERS,
    ),
]


def _unchanged(world: dict[str, Any]) -> bool:
    fair = Segment.objects.filter(code="fair", name="Fair").first()
    return (
        fair is not None
        and not Segment.objects.filter(code="big").exists()
        and list(fair.memberships.values_list("customer_id", flat=True)) == [world["member"].pk]
    )


@pytest.mark.parametrize(("operation", "method", "path", "body", "allowed"), MATRIX, ids=[row[0] for row in MATRIX])
def test_access_matrix(world, operation, method, path, body, allowed):
    for actor, client in world["clients"].items():
        if actor in allowed:
            continue
        response = client.call(method, path, body)
        expected = 401 if actor == "anonymous" else 403
        assert_problem(response, expected)
        assert _unchanged(world), (operation, actor)
    first, *others = sorted(allowed, key=lambda actor: actor != "staff who may manage, read-only token")
    response = world["clients"][first].call(method, path, body)
    assert response.status_code < 300, (operation, first, response.content)
    for actor in others:  # the change is made already (a 404 or 409 now), but they may ask
        response = world["clients"][actor].call(method, path, body)
        assert response.status_code not in {401, 403}, (operation, actor, response.content)


def test_a_segment_round_trip(world):
    client = world["clients"]["staff who may manage"]
    created = client.call(
        "post",
        "/customer-segments",
        {
            "code": "big-spenders",
            "name": "Big spenders",
            "description": "Spent EUR 500 or more",
            "rules": {"min_total_spent": "500", "countries": ["nl", "be"]},
        },
    )
    assert created.status_code == 201, created.content
    assert created.json()["rules"] == {"countries": ["BE", "NL"], "min_total_spent": "500.00"}
    assert created.json()["kind"] == "rule" and created.json()["member_count"] == 0
    patched = client.call(
        "patch", "/customer-segments/big-spenders", {"rules": {"countries": None, "customer_groups": ["wholesale"]}}
    )
    assert patched.status_code == 200, patched.content
    assert patched.json()["rules"] == {"customer_groups": ["wholesale"], "min_total_spent": "500.00"}
    assert patched.json()["name"] == "Big spenders"
    listed = client.call("get", "/customer-segments").json()
    assert [(item["code"], item["member_count"]) for item in listed["items"]] == [("big-spenders", 0), ("fair", 1)]
    assert client.call("delete", "/customer-segments/big-spenders").status_code == 204
    assert_problem(client.call("get", "/customer-segments/big-spenders"), 404)


def test_manual_members_through_the_api(world):
    client = world["clients"]["staff who may manage"]
    added = client.call(
        "post", "/customer-segments/fair/members", {"customer_ids": [world["outsider"].pk], "emails": []}
    )
    assert added.json() == {"changed": 1, "member_count": 2}
    members = client.call("get", "/customer-segments/fair/members").json()
    assert [(item["email"], item["source"]) for item in members["items"]] == [
        ("member@example.com", "manual"),
        ("outsider@example.com", "manual"),
    ]
    removed = client.call("post", "/customer-segments/fair/members/remove", {"customer_ids": [world["member"].pk]})
    assert removed.json() == {"changed": 1, "member_count": 1}


def test_refusals_are_problems_that_change_nothing(world):
    client = world["clients"]["superuser"]
    problem = assert_problem(
        client.call(
            "post",
            "/customer-segments",
            {
                "code": "bad",
                "name": "Bad",
                "rules": {"customer_groups": ["nope"], "countries": ["XX"], "min_orders": -1},
            },
        ),
        422,
    )
    assert [error["loc"] for error in problem["errors"]] == [
        ["body", "rules", "customer_groups", 0],
        ["body", "rules", "countries", 0],
        ["body", "rules", "min_orders"],
    ]
    assert_problem(client.call("post", "/customer-segments", {"code": "fair", "name": "Again", "kind": "manual"}), 409)
    assert_problem(client.call("patch", "/customer-segments/fair", {"rules": {"min_orders": 1}}), 422)
    assert_problem(client.call("post", "/customer-segments/fair/members", {"emails": ["nobody@example.com"]}), 422)
    assert_problem(client.call("post", "/customer-segments/nope/members", {"customer_ids": [1]}), 404)
    assert_problem(client.call("post", "/customer-segments", {"code": "x", "rules": "not an object"}), 422)
    assert _unchanged(world)
    rule = client.call("post", "/customer-segments", {"code": "buyers", "name": "Buyers", "rules": {"min_orders": 1}})
    assert rule.status_code == 201
    problem = assert_problem(
        client.call("post", "/customer-segments/buyers/members", {"customer_ids": [world["outsider"].pk]}), 409
    )
    assert "rule segment" in problem["detail"]
    assert not SegmentMembership.objects.filter(segment__code="buyers").exists()


def test_list_endpoints_use_a_constant_number_of_queries(world, make_user, django_assert_max_num_queries):
    client = world["clients"]["superuser"]
    for index in range(30):
        services.create_segment(actor=None, code=f"s{index:02d}", name=f"S{index}", kind="manual")
        customer = make_user(f"bulk{index}@example.com")
        services.add_segment_members(actor=None, code="fair", customer_ids=[customer.pk])
    for page_size in (5, 30):
        with django_assert_max_num_queries(6):
            segments = client.call("get", f"/customer-segments?page_size={page_size}")
        assert len(segments.json()["items"]) == page_size
        with django_assert_max_num_queries(7):
            members = client.call("get", f"/customer-segments/fair/members?page_size={page_size}")
        assert len(members.json()["items"]) == page_size


@pytest.mark.parametrize("operation", ["members", "members/remove"])
@pytest.mark.parametrize("customer_id", [2**63, 0, -1], ids=["past 64 bits", "zero", "negative"])
def test_customer_ids_outside_the_database_range_are_refused(world, operation, customer_id):
    client = world["clients"]["superuser"]
    body = {"customer_ids": [world["member"].pk, customer_id]}
    problem = assert_problem(client.call("post", f"/customer-segments/fair/{operation}", body), 422)
    assert [error["loc"][-2:] for error in problem["errors"]] == [["customer_ids", 1]]
    assert _unchanged(world)


# (case, method, path, body, the location at fault)
UNKNOWN_INPUT = [
    (
        "create: unknown field",
        "post",
        "/customer-segments",
        {"code": "big", "name": "Big", "rules": {"min_orders": 5}, "colour": "red"},
        ["colour"],
    ),
    (
        "create: misspelt condition",
        "post",
        "/customer-segments",
        {"code": "big", "name": "Big", "rules": {"min_orders": 5, "min_order": 3}},
        ["rules", "min_order"],
    ),
    ("update: unknown field", "patch", "/customer-segments/fair", {"name": "Trade fair", "colour": "red"}, ["colour"]),
    (
        "update: misspelt condition",
        "patch",
        "/customer-segments/fair",
        {"name": "Trade fair", "rules": {"min_order": 3}},
        ["rules", "min_order"],
    ),
]


@pytest.mark.parametrize(
    ("case", "method", "path", "body", "location"), UNKNOWN_INPUT, ids=[row[0] for row in UNKNOWN_INPUT]
)
def test_unknown_fields_and_conditions_are_refused_not_ignored(world, case, method, path, body, location):
    problem = assert_problem(world["clients"]["superuser"].call(method, path, body), 422)
    assert [error["loc"][-len(location) :] for error in problem["errors"]] == [location]
    assert _unchanged(world)


@pytest.mark.parametrize("rules", ["min_orders", 3, [1], True], ids=["text", "number", "list", "boolean"])
@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "/customer-segments", {"code": "big", "name": "Big"}),
        ("patch", "/customer-segments/fair", {"name": "Trade fair"}),
    ],
    ids=["create", "update"],
)
def test_rules_that_are_not_an_object_are_refused_naming_the_field(world, method, path, body, rules):
    problem = assert_problem(world["clients"]["superuser"].call(method, path, {**body, "rules": rules}), 422)
    assert [error["loc"][-1] for error in problem["errors"]] == ["rules"]
    assert "an object of conditions" in problem["errors"][0]["msg"]
    assert _unchanged(world)


def test_a_segments_kind_cannot_change(world):
    client = world["clients"]["superuser"]
    body = {"code": "buyers", "name": "Buyers", "rules": {"min_orders": 1}}
    created = client.call("post", "/customer-segments", body)
    assert created.status_code == 201, created.content
    problem = assert_problem(
        client.call("patch", "/customer-segments/buyers", {"kind": "manual", "name": "Manual"}), 422
    )
    assert problem["errors"] == [
        {"loc": ["body", "kind"], "msg": "a segment's kind cannot change; create a new segment", "type": "invalid"}
    ]
    problem = assert_problem(client.call("patch", "/customer-segments/fair", {"kind": "rule"}), 422)
    assert [error["loc"] for error in problem["errors"]] == [["body", "kind"]]
    assert client.call("get", "/customer-segments/buyers").json()["name"] == "Buyers"
    assert _unchanged(world)
    # Naming the kind the segment has is no change.
    same = client.call("patch", "/customer-segments/buyers", {"kind": "rule", "name": "Repeat buyers"})
    assert same.status_code == 200, same.content
    assert (same.json()["kind"], same.json()["name"]) == ("rule", "Repeat buyers")


def test_list_errors_point_at_the_position_in_the_request(world):
    problem = assert_problem(
        world["clients"]["superuser"].call(
            "post",
            "/customer-segments",
            {
                "code": "big",
                "name": "Big",
                "rules": {
                    "customer_groups": ["wholesale", "zz-nope", "wholesale", "aa-nope"],
                    "countries": ["nl", "XX", "be", "NL", "AA"],
                },
            },
        ),
        422,
    )
    assert [(error["loc"], error["msg"]) for error in problem["errors"]] == [
        (["body", "rules", "customer_groups", 1], "no customer group 'zz-nope'"),
        (["body", "rules", "customer_groups", 3], "no customer group 'aa-nope'"),
        (["body", "rules", "countries", 1], "'XX' is not an ISO 3166-1 code"),
        (["body", "rules", "countries", 4], "'AA' is not an ISO 3166-1 code"),
    ]
    assert _unchanged(world)
