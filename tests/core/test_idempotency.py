from __future__ import annotations

import pytest

from handel.customers.models import Address
from tests.conftest import assert_problem

ADDRESS = {
    "first_name": "Ann",
    "last_name": "Smit",
    "street": "Damrak 1",
    "postal_code": "1012 LG",
    "city": "Amsterdam",
    "country": "NL",
}


@pytest.mark.django_db
def test_a_retry_with_the_same_key_returns_the_first_answer_and_creates_nothing(api_for, make_user):
    user = make_user()
    client = api_for(user)
    first = client.call("post", "/me/addresses", ADDRESS, headers={"Idempotency-Key": "k-1"})
    again = client.call("post", "/me/addresses", ADDRESS, headers={"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Address.objects.filter(customer=user).count() == 1


@pytest.mark.django_db
def test_the_same_key_with_another_body_is_refused(api_for, make_user):
    user = make_user()
    client = api_for(user)
    client.call("post", "/me/addresses", ADDRESS, headers={"Idempotency-Key": "k-2"})
    body = assert_problem(
        client.call(
            "post",
            "/me/addresses",
            {**ADDRESS, "city": "Utrecht", "postal_code": "3511 LN"},
            headers={"Idempotency-Key": "k-2"},
        ),
        422,
    )
    assert body["type"] == "urn:handel:problem:idempotency-key-reused"
    assert Address.objects.filter(customer=user).count() == 1


@pytest.mark.django_db
def test_keys_are_per_caller(api_for, make_user):
    one, two = make_user(), make_user()
    api_for(one).call("post", "/me/addresses", ADDRESS, headers={"Idempotency-Key": "shared"})
    response = api_for(two).call("post", "/me/addresses", ADDRESS, headers={"Idempotency-Key": "shared"})
    assert response.status_code == 201
    assert Address.objects.filter(customer=two).count() == 1


@pytest.mark.django_db
def test_without_a_key_each_request_runs(api_for, make_user):
    user = make_user()
    client = api_for(user)
    client.call("post", "/me/addresses", ADDRESS)
    client.call("post", "/me/addresses", ADDRESS)
    assert Address.objects.filter(customer=user).count() == 2


@pytest.mark.django_db
def test_a_refusal_is_replayed_too_and_a_fixed_request_needs_a_new_key(api_for, make_user):
    user = make_user()
    client = api_for(user)
    bad = {**ADDRESS, "country": "XX"}
    assert_problem(client.call("post", "/me/addresses", bad, headers={"Idempotency-Key": "k-3"}), 422)
    replay = client.call("post", "/me/addresses", bad, headers={"Idempotency-Key": "k-3"})
    assert replay.status_code == 422 and replay["Idempotent-Replayed"] == "true"
    assert not Address.objects.exists()


@pytest.mark.django_db
def test_unauthenticated_attempts_do_not_burn_the_key(api, api_for, make_user):
    user = make_user()
    assert_problem(api.call("post", "/me/addresses", ADDRESS, headers={"Idempotency-Key": "k-4"}), 401)
    assert api_for(user).call("post", "/me/addresses", ADDRESS, headers={"Idempotency-Key": "k-4"}).status_code == 201
