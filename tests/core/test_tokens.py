from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from handel.core import tokens
from handel.core.models import ApiToken
from tests.conftest import PASSWORD, ApiClient, assert_problem


@pytest.mark.django_db
def test_a_token_is_shown_once_and_stored_only_as_a_digest(api, make_user):
    user = make_user("token@example.com")
    response = api.call("post", "/auth/tokens", {"email": user.email, "password": PASSWORD, "name": "erp"})
    assert response.status_code == 201
    secret = response.json()["token"]
    stored = ApiToken.objects.get(user=user)
    assert secret not in (stored.digest, stored.prefix)
    assert stored.digest == tokens.digest(secret)
    listing = ApiClient(token=secret).call("get", "/auth/tokens").json()
    assert "token" not in listing["items"][0]
    assert listing["items"][0]["prefix"] == stored.prefix


@pytest.mark.django_db
def test_bearer_token_authenticates_and_records_last_use(make_user):
    user = make_user()
    issued = tokens.create_token(user=user, name="t")
    assert issued.token.last_used_at is None
    response = ApiClient(token=issued.secret).call("get", "/me")
    assert response.status_code == 200
    assert response.json()["email"] == user.email
    issued.token.refresh_from_db()
    assert issued.token.last_used_at is not None


@pytest.mark.django_db
def test_expired_revoked_and_unknown_tokens_are_refused(make_user):
    user = make_user()
    expired = tokens.create_token(user=user, name="old", expires_at=timezone.now() + timedelta(seconds=1))
    ApiToken.objects.filter(pk=expired.token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert_problem(ApiClient(token=expired.secret).call("get", "/me"), 401)

    revoked = tokens.create_token(user=user, name="gone")
    client = ApiClient(token=revoked.secret)
    assert client.call("get", "/me").status_code == 200
    assert client.call("delete", f"/auth/tokens/{revoked.token.pk}").status_code == 204
    assert_problem(client.call("get", "/me"), 401)

    assert_problem(ApiClient(token="hdl_nope_nope").call("get", "/me"), 401)
    assert_problem(ApiClient(token="garbage").call("get", "/me"), 401)


@pytest.mark.django_db
def test_tokens_of_inactive_users_stop_working(make_user):
    user = make_user()
    issued = tokens.create_token(user=user, name="t")
    user.is_active = False
    user.save()
    assert_problem(ApiClient(token=issued.secret).call("get", "/me"), 401)


@pytest.mark.django_db
def test_scopes_narrow_what_a_token_may_do(make_user, channels):
    staff = make_user(staff=True, perms=["channels.change_channel"])
    narrow = ApiClient(token=tokens.create_token(user=staff, name="n", scopes=["account"]).secret)
    body = assert_problem(narrow.call("patch", "/channels/b2c", {"name": "New"}), 403)
    assert "channels:write" in body["detail"]
    wide = ApiClient(token=tokens.create_token(user=staff, name="w", scopes=["channels:write"]).secret)
    assert wide.call("patch", "/channels/b2c", {"name": "New"}).status_code == 200


@pytest.mark.django_db
def test_customers_cannot_hold_staff_scopes_and_unknown_scopes_are_refused(api, make_user):
    user = make_user()
    body = assert_problem(
        api.call("post", "/auth/tokens", {"email": user.email, "password": PASSWORD, "scopes": ["catalog:write"]}), 403
    )
    assert "staff" in body["detail"]
    body = assert_problem(
        api.call("post", "/auth/tokens", {"email": user.email, "password": PASSWORD, "scopes": ["root"]}), 422
    )
    assert body["errors"][0]["loc"] == ["body", "scopes"]


@pytest.mark.django_db
def test_wrong_password_gets_401_and_nothing_is_created(api, make_user):
    user = make_user()
    assert_problem(api.call("post", "/auth/tokens", {"email": user.email, "password": "wrong"}), 401)
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
def test_token_endpoint_is_rate_limited(api, make_user, settings):
    settings.HANDEL_RATE_LIMITS = {**settings.HANDEL_RATE_LIMITS, "token": (3, 60)}
    user = make_user()
    for _ in range(3):
        api.call("post", "/auth/tokens", {"email": user.email, "password": "wrong"})
    response = api.call("post", "/auth/tokens", {"email": user.email, "password": PASSWORD})
    assert_problem(response, 429)
    assert int(response["Retry-After"]) > 0


@pytest.mark.django_db
def test_a_user_cannot_revoke_someone_elses_token(api_for, make_user):
    owner, other = make_user(), make_user()
    token = tokens.create_token(user=owner, name="mine").token
    assert_problem(api_for(other).call("delete", f"/auth/tokens/{token.pk}"), 404)
    token.refresh_from_db()
    assert token.revoked_at is None


@pytest.mark.django_db
def test_tokens_command_creates_lists_and_revokes(make_user, capsys):
    user = make_user("cli@example.com", staff=True)
    call_command("tokens", "create", "--user", user.email, "--name", "erp", "--scope", "catalog:write", "--days", "30")
    secret = capsys.readouterr().out.strip().splitlines()[-1]
    token = tokens.authenticate(secret)
    assert token is not None and token.scopes == ["catalog:write"]
    assert token.expires_at is not None
    call_command("tokens", "list")
    assert "erp" in capsys.readouterr().out
    call_command("tokens", "revoke", str(token.pk))
    assert tokens.authenticate(secret) is None


@pytest.mark.django_db
def test_staff_create_a_token_in_the_admin_and_see_it_once(make_user):
    from django.test import Client

    admin_user = make_user("boss@example.com", superuser=True)
    owner = make_user("erp@example.com", staff=True)
    client = Client()
    client.force_login(admin_user)
    assert client.get("/admin/core/apitoken/add/").status_code == 200
    response = client.post(
        "/admin/core/apitoken/add/",
        {
            "user": owner.pk,
            "name": "erp feed",
            "scopes": ["catalog:write", "account"],
            "expires_at_0": "",
            "expires_at_1": "",
        },
        follow=True,
    )
    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"]]
    secret = next(text.split(": ")[-1] for text in shown if "not shown again" in text)
    token = tokens.authenticate(secret)
    assert token is not None and token.user == owner and token.scopes == ["account", "catalog:write"]
    page = client.get(f"/admin/core/apitoken/{token.pk}/change/")
    assert secret not in page.content.decode()


@pytest.mark.django_db
def test_the_admin_refuses_staff_scopes_for_customers(make_user):
    from django.test import Client

    admin_user = make_user(superuser=True)
    customer = make_user()
    client = Client()
    client.force_login(admin_user)
    response = client.post("/admin/core/apitoken/add/", {"user": customer.pk, "name": "x", "scopes": ["catalog:write"]})
    assert response.status_code == 200 and b"only staff" in response.content
    assert not ApiToken.objects.exists()
