"""Every error under /api/ is problem+json, and no input makes the server answer 5xx."""

from __future__ import annotations

import json
import re

import pytest

from handel.core.tokens import SCOPES
from tests.conftest import assert_problem

BAD_BODIES = ["{not json", "[1, 2", '"just a string"', "null", "{}", '{"email": 5, "page": -1}']


def body_operations(api):
    schema = json.loads(api.get("/api/v1/openapi.json").content)
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            if method in {"post", "put", "patch"} and "requestBody" in operation:
                concrete = re.sub(r"\{[^}]+\}", "1", path.removeprefix("/api/v1"))
                yield (
                    method,
                    concrete,
                    operation["operationId"],
                    "application/json" in operation["requestBody"]["content"],
                )


@pytest.mark.django_db
def test_malformed_json_to_every_write_endpoint_is_a_4xx_problem(api, api_for, make_user, channels):
    admin = make_user(superuser=True)
    operations = list(body_operations(api))
    assert len(operations) >= 10
    authed = api_for(admin, scopes=tuple(SCOPES))
    for client in (api, authed):
        for method, path, operation_id, _ in operations:
            response = client.call(method, path, raw="{not json")
            body = assert_problem(response, response.status_code)
            assert 400 <= response.status_code < 500, (operation_id, response.status_code, body)
    for method, path, operation_id, takes_json in operations:
        response = authed.call(method, path, raw="{not json")
        # An id in the path that does not exist may be checked first; uploads read form fields, not JSON.
        if response.status_code != 404 and takes_json:
            assert response.status_code == 400, (operation_id, response.content)


@pytest.mark.django_db
@pytest.mark.parametrize("raw", BAD_BODIES)
def test_bad_bodies_never_give_5xx(api, api_for, make_user, channels, raw):
    authed = api_for(make_user(superuser=True), scopes=tuple(SCOPES))
    for client in (api, authed):
        for method, path, _, _ in body_operations(api):
            response = client.call(method, path, raw=raw)
            assert response.status_code < 500, (path, response.content)
            if response.status_code >= 400:
                assert_problem(response, response.status_code)


@pytest.mark.django_db
def test_validation_errors_carry_field_locations(api):
    response = api.call("post", "/auth/signup", {"email": "a@example.com"})
    body = assert_problem(response, 422)
    assert body["type"] == "urn:handel:problem:validation-error"
    assert any(error["loc"][-1] == "password" for error in body["errors"])


@pytest.mark.django_db
def test_unknown_api_path_is_a_404_problem(api):
    assert_problem(api.call("get", "/no-such-thing"), 404)


@pytest.mark.django_db
def test_wrong_method_is_a_405_problem(api):
    assert_problem(api.call("delete", "/auth/signup"), 405)


@pytest.mark.django_db
def test_missing_authentication_is_a_401_problem(api):
    response = api.call("get", "/me")
    assert_problem(response, 401)
    assert "Bearer" in response["WWW-Authenticate"]


@pytest.mark.django_db
def test_session_writes_without_csrf_are_a_403_problem(make_user):
    from django.test import Client

    user = make_user()
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.patch("/api/v1/me", data=json.dumps({"first_name": "X"}), content_type="application/json")
    body = assert_problem(response, 403)
    assert "CSRF" in body["detail"]


@pytest.mark.django_db
def test_conflicts_are_409_problems(api):
    payload = {"email": "twice@example.com", "password": "a-Long-passphrase-42"}
    assert api.call("post", "/auth/signup", payload).status_code == 201
    body = assert_problem(ApiClientFresh().call("post", "/auth/signup", payload), 409)
    assert body["type"] == "urn:handel:problem:email-taken"


def ApiClientFresh():
    from tests.conftest import ApiClient

    return ApiClient()


@pytest.mark.django_db
def test_unexpected_errors_are_500_problems_without_a_trace(api, monkeypatch, make_user):
    from handel.customers import services

    def explode(**kwargs):
        raise ZeroDivisionError("secret internals")

    monkeypatch.setattr(services, "sign_up", explode)
    response = api.call("post", "/auth/signup", {"email": "x@example.com", "password": "a-Long-passphrase-42"})
    body = assert_problem(response, 500)
    assert "secret internals" not in response.content.decode()
    assert body["type"] == "urn:handel:problem:server-error"


@pytest.mark.django_db
def test_every_operation_has_an_operation_id_and_a_tag(api):
    schema = json.loads(api.get("/api/v1/openapi.json").content)
    seen = set()
    for methods in schema["paths"].values():
        for operation in methods.values():
            assert operation.get("operationId"), operation
            assert operation.get("tags"), operation
            assert operation["operationId"] not in seen
            seen.add(operation["operationId"])
