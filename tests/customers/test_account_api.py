from __future__ import annotations

import re

import pytest
from django.core import mail

from handel.core.models import AuditEntry
from handel.customers.models import Address, User
from tests.conftest import PASSWORD, ApiClient, assert_problem

STRONG = "a-Long-passphrase-42"


@pytest.mark.django_db
def test_sign_up_then_log_in_and_out_with_a_session(api):
    response = api.call("post", "/auth/signup", {"email": "Ann@Example.com", "password": STRONG, "first_name": "Ann"})
    assert response.status_code == 201
    assert response.json()["email"] == "ann@example.com"
    assert api.call("get", "/me").status_code == 200  # signed in by the sign-up
    csrf = api.cookies["csrftoken"].value if "csrftoken" in api.cookies else ""
    assert api.call("post", "/auth/logout", headers={"X-CSRFToken": csrf}).status_code == 204
    assert_problem(api.call("get", "/me"), 401)
    fresh = ApiClient()
    assert fresh.call("post", "/auth/login", {"email": "ann@example.com", "password": STRONG}).status_code == 200
    assert fresh.call("get", "/me").json()["first_name"] == "Ann"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"email": "not-an-email", "password": STRONG}, "email"),
        ({"email": "a@example.com", "password": "123"}, "password"),
        ({"email": "a@example.com", "password": "password"}, "password"),
        ({"email": "a@example.com", "password": STRONG, "language": "fr"}, "language"),
    ],
)
def test_bad_sign_ups_are_refused_with_the_field_and_create_nothing(api, payload, field):
    body = assert_problem(api.call("post", "/auth/signup", payload), 422)
    assert any(error["loc"][-1] == field for error in body["errors"])
    assert not User.objects.exists()


@pytest.mark.django_db
def test_login_with_a_wrong_password_is_refused_and_rate_limited(api, make_user, settings):
    settings.HANDEL_RATE_LIMITS = {**settings.HANDEL_RATE_LIMITS, "login": (5, 60)}
    user = make_user()
    for _ in range(5):
        assert_problem(api.call("post", "/auth/login", {"email": user.email, "password": "nope"}), 401)
    assert_problem(api.call("post", "/auth/login", {"email": user.email, "password": PASSWORD}), 429)


@pytest.mark.django_db
def test_password_change_needs_the_old_password(api_for, make_user):
    user = make_user()
    client = api_for(user)
    assert_problem(client.call("post", "/me/password", {"old_password": "wrong", "new_password": STRONG}), 422)
    assert client.call("post", "/me/password", {"old_password": PASSWORD, "new_password": STRONG}).status_code == 204
    user.refresh_from_db()
    assert user.check_password(STRONG)
    assert AuditEntry.objects.filter(action="customer.password_changed", object_id=str(user.pk)).exists()


@pytest.mark.django_db
def test_password_reset_by_email_token(api, make_user):
    user = make_user("forgot@example.com")
    response = api.call("post", "/auth/password-reset", {"email": "forgot@example.com"})
    assert response.status_code == 202
    assert api.call("post", "/auth/password-reset", {"email": "nobody@example.com"}).status_code == 202
    assert len(mail.outbox) == 1
    uid, token = re.search(r"/account/reset/([^/]+)/([^/]+)/", mail.outbox[0].body).groups()
    body = assert_problem(
        api.call("post", "/auth/password-reset/confirm", {"uid": uid, "token": "bad-token", "new_password": STRONG}),
        422,
    )
    assert body["type"] == "urn:handel:problem:reset-token-invalid"
    assert (
        api.call(
            "post", "/auth/password-reset/confirm", {"uid": uid, "token": token, "new_password": STRONG}
        ).status_code
        == 204
    )
    user.refresh_from_db()
    assert user.check_password(STRONG)
    # A used token does not work twice (the password hash is part of it).
    assert_problem(
        api.call(
            "post", "/auth/password-reset/confirm", {"uid": uid, "token": token, "new_password": "another-Long-pass-7"}
        ),
        422,
    )


@pytest.mark.django_db
def test_addresses_are_validated(api_for, make_user):
    client = api_for(make_user())
    base = {
        "first_name": "A",
        "last_name": "B",
        "street": "Damrak 1",
        "postal_code": "1012 LG",
        "city": "Amsterdam",
        "country": "NL",
    }
    assert client.call("post", "/me/addresses", {**base, "phone": "+31 20 123 4567"}).status_code == 201
    for bad, field in [
        ({"country": "XX"}, "country"),
        ({"postal_code": "ABC"}, "postal_code"),
        ({"phone": "12"}, "phone"),
        ({"country": "DE", "postal_code": "1012 LG"}, "postal_code"),
    ]:
        body = assert_problem(client.call("post", "/me/addresses", {**base, **bad}), 422)
        assert any(error["loc"][-1] == field for error in body["errors"]), body
    assert Address.objects.count() == 1
    address = Address.objects.get()
    assert address.phone == "+31201234567"
    assert address.is_default_shipping and address.is_default_billing


@pytest.mark.django_db
def test_export_my_data_and_delete_my_account(api_for, make_user):
    user = make_user("leaving@example.com", first_name="Lea")
    client = api_for(user)
    client.call(
        "post",
        "/me/addresses",
        {
            "first_name": "Lea",
            "last_name": "V",
            "street": "Damrak 1",
            "postal_code": "1012 LG",
            "city": "Amsterdam",
            "country": "NL",
        },
    )
    export = client.call("get", "/me/export").json()
    assert export["account"]["email"] == "leaving@example.com"
    assert export["addresses"][0]["city"] == "Amsterdam"
    assert_problem(client.call("post", "/me/delete", {"password": "wrong"}), 422)
    assert client.call("post", "/me/delete", {"password": PASSWORD}).status_code == 204
    user.refresh_from_db()
    assert user.email.endswith("@anonymised.invalid") and user.first_name == "" and not user.is_active
    assert not user.has_usable_password()
    assert not Address.objects.filter(customer=user).exists()
    assert User.objects.filter(pk=user.pk).exists(), "the row stays so that orders keep their customer"
    assert_problem(client.call("get", "/me"), 401)
