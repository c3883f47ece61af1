import pytest

from handel.channels.models import Channel
from handel.core.models import AuditEntry
from handel.core.tokens import SCOPES
from tests.conftest import assert_problem

NEW = {
    "code": "de-shop",
    "name": "Handel DE",
    "currency": "EUR",
    "default_locale": "en",
    "locales": ["en"],
    "tax_display": "incl",
    "default_country": "DE",
    "allowed_countries": ["DE", "AT"],
}


@pytest.mark.django_db
def test_demo_channels_are_public(api, channels):
    items = {c["code"]: c for c in api.call("get", "/channels").json()["items"]}
    assert items["b2c"]["currency"] == "EUR" and items["b2c"]["tax_display"] == "incl"
    assert items["b2c"]["locales"] == ["nl", "en"]
    assert items["b2b"]["tax_display"] == "excl" and items["b2b"]["is_b2b"]
    assert_problem(api.call("get", "/channels/nope"), 404)


@pytest.mark.django_db
def test_staff_create_a_channel_and_it_is_audited(api_for, make_user, channels):
    admin = make_user(superuser=True)
    client = api_for(admin, scopes=tuple(SCOPES))
    assert client.call("post", "/channels", NEW).status_code == 201
    assert AuditEntry.objects.filter(action="channel.created", actor=admin).exists()
    assert_problem(client.call("post", "/channels", NEW), 409)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"currency": "EUX"}, "currency"),
        ({"default_country": "ZZ"}, "default_country"),
        ({"locales": ["fr"]}, "locales"),
        ({"default_locale": "nl"}, "default_locale"),
        ({"default_country": "FR"}, "default_country"),
    ],
)
def test_invalid_channels_are_refused_with_the_field(api_for, make_user, channels, change, field):
    client = api_for(make_user(superuser=True), scopes=tuple(SCOPES))
    body = assert_problem(client.call("post", "/channels", {**NEW, **change}), 422)
    assert any(error["loc"][-1].startswith(field) for error in body["errors"]), body
    assert not Channel.objects.filter(code="de-shop").exists()


@pytest.mark.django_db
def test_the_request_picks_its_channel(client, channels):
    assert b"Handel Shop" in client.get("/").content
    assert b"Handel Business" in client.get("/?channel=b2b").content
    from django.test import RequestFactory

    from handel.channels.queries import channel_for_request

    request = RequestFactory().get("/", HTTP_X_HANDEL_CHANNEL="b2b")
    request.session = {}
    assert channel_for_request(request).code == "b2b"
