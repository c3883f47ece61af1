from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from handel.channels.demo import build as build_channels
from handel.core.demo import DemoContext
from handel.customers.models import User

PASSWORD = "correct-horse-battery-9"


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    # The real hasher is slow on purpose; tests only need a working one.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def channels(db: Any) -> None:
    build_channels(DemoContext())


@pytest.fixture
def make_user(db: Any):
    counter = {"n": 0}

    def make(
        email: str | None = None,
        *,
        staff: bool = False,
        superuser: bool = False,
        perms: list[str] | None = None,
        **fields: Any,
    ) -> User:
        counter["n"] += 1
        user = User.objects.create_user(
            email=email or f"user{counter['n']}@example.com",
            password=PASSWORD,
            is_staff=staff or superuser,
            is_superuser=superuser,
            **fields,
        )
        if perms:
            from django.contrib.auth.models import Permission

            for perm in perms:
                app_label, codename = perm.split(".")
                user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
        return user

    return make


class ApiClient(Client):
    """A Django test client that speaks JSON and can carry a bearer token."""

    def __init__(self, token: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.token = token

    def _headers(self, headers: dict[str, str] | None) -> dict[str, str]:
        result = dict(headers or {})
        if self.token:
            result.setdefault("Authorization", f"Bearer {self.token}")
        return result

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        raw: str | bytes | None = None,
        headers: dict[str, str] | None = None,
    ):
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        return self.generic(
            method.upper(),
            "/api/v1" + path,
            data=data or "",
            content_type="application/json",
            headers=self._headers(headers),
        )


@pytest.fixture
def api() -> ApiClient:
    return ApiClient()


@pytest.fixture
def api_for(db: Any):
    """An API client holding a bearer token for the user, with the given scopes."""
    from handel.core import tokens

    def make(user: User, scopes: tuple[str, ...] = ("account",)) -> ApiClient:
        issued = tokens.create_token(user=user, name="test", scopes=scopes)
        return ApiClient(token=issued.secret)

    return make


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/problem+json"), response["Content-Type"]
    body = json.loads(response.content)
    assert {"type", "title", "status", "detail"} <= set(body), body
    assert body["status"] == status
    assert "Traceback" not in response.content.decode()
    return body
