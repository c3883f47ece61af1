"""The account pages work without JavaScript, carry CSRF, and show errors next to fields."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from handel.customers.models import Address, User
from tests.conftest import PASSWORD

STRONG = "a-Long-passphrase-42"


def csrf_post(client: Client, path: str, data: dict) -> object:
    page = client.get(path)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.content).group(1).decode()
    return client.post(path, {**data, "csrfmiddlewaretoken": token})


@pytest.fixture
def browser_client() -> Client:
    return Client(enforce_csrf_checks=True)


@pytest.mark.django_db
def test_sign_up_log_out_and_log_in_through_pages(browser_client, channels):
    response = csrf_post(
        browser_client, "/account/signup/", {"email": "page@example.com", "password": STRONG, "first_name": "Pia"}
    )
    assert response.status_code == 302 and response["Location"] == "/account/"
    assert b"page@example.com" in browser_client.get("/account/").content
    home = browser_client.get("/")
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', home.content).group(1).decode()
    assert browser_client.post("/account/logout/", {"csrfmiddlewaretoken": token}).status_code == 302
    assert browser_client.get("/account/").status_code == 302
    response = csrf_post(browser_client, "/account/login/", {"email": "page@example.com", "password": "wrong"})
    assert response.status_code == 200 and b"Email or password is wrong" in response.content
    response = csrf_post(browser_client, "/account/login/", {"email": "page@example.com", "password": STRONG})
    assert response.status_code == 302


@pytest.mark.django_db
def test_forms_without_csrf_are_refused(channels):
    client = Client(enforce_csrf_checks=True)
    assert client.post("/account/signup/", {"email": "x@example.com", "password": STRONG}).status_code == 403
    assert not User.objects.exists()


@pytest.mark.django_db
def test_login_redirect_never_leaves_the_site(browser_client, make_user, channels):
    user = make_user()
    page = browser_client.get("/account/login/?next=//evil.example.com/")
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.content).group(1).decode()
    response = browser_client.post(
        "/account/login/?next=//evil.example.com/",
        {"email": user.email, "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert response["Location"] == "/account/"


@pytest.mark.django_db
def test_password_reset_through_pages(browser_client, make_user, channels):
    user = make_user("reset@example.com")
    response = csrf_post(browser_client, "/account/reset/", {"email": "reset@example.com"})
    assert response.status_code == 302
    link = re.search(r"(/account/reset/[^/]+/[^/]+/)", mail.outbox[0].body).group(1)
    response = csrf_post(browser_client, link, {"new_password": STRONG})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(STRONG)
    assert browser_client.get("/account/reset/bad/bad/").status_code == 400


@pytest.mark.django_db
def test_addresses_and_their_errors_on_pages(browser_client, make_user, channels):
    user = make_user()
    browser_client.force_login(user)
    data = {
        "first_name": "A",
        "last_name": "B",
        "street": "Damrak 1",
        "postal_code": "ABC",
        "city": "Amsterdam",
        "country": "NL",
    }
    response = csrf_post(browser_client, "/account/addresses/new/", data)
    assert response.status_code == 200 and b"not a valid postal code" in response.content
    assert not Address.objects.exists()
    response = csrf_post(browser_client, "/account/addresses/new/", {**data, "postal_code": "1012 LG"})
    assert response.status_code == 302
    address = Address.objects.get()
    other = make_user()
    intruder = Client()
    intruder.force_login(other)
    assert intruder.get(f"/account/addresses/{address.pk}/").status_code == 404


@pytest.mark.django_db
def test_export_and_delete_through_pages(browser_client, make_user, channels):
    user = make_user("bye@example.com")
    browser_client.force_login(user)
    export = browser_client.get("/account/export/")
    assert export["Content-Disposition"].startswith("attachment") and b"bye@example.com" in export.content
    response = csrf_post(browser_client, "/account/delete/", {"password": PASSWORD})
    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.is_active and user.anonymised_at is not None


@pytest.mark.django_db
def test_pages_render_in_dutch(channels):
    client = Client(headers={"Accept-Language": "nl"})
    content = client.get("/account/login/").content.decode()
    assert '<html lang="nl">' in content
