"""API primitives shared by every domain router: authentication, scopes, staff checks,
and the token endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth import authenticate as authenticate_credentials
from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.security import HttpBearer, SessionAuth
from pydantic import Field

from handel.core import ratelimit, tokens
from handel.core.errors import NotAuthenticated, PermissionDenied
from handel.core.models import ApiToken
from handel.core.pagination import paginate


class BearerTokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        api_token = tokens.authenticate(token)
        if api_token is None:
            return None
        request.user = api_token.user
        request.api_token = api_token  # type: ignore[attr-defined]
        return api_token.user


class SessionCsrfAuth(SessionAuth):
    """The browser session; unsafe methods must carry the CSRF token (X-CSRFToken)."""

    def _get_key(self, request: HttpRequest) -> str | None:
        # Without a session cookie no session can be ridden by a forged request: nothing to check.
        # (Otherwise an API client without cookies is refused even on public operations.)
        if self.param_name not in request.COOKIES:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is not None:
            request.api_token = None  # type: ignore[attr-defined]
        return user


bearer_auth = BearerTokenAuth()
session_auth = SessionCsrfAuth(csrf=True)
# Endpoints that need a signed-in caller accept a bearer token or the browser session.
AUTH = [bearer_auth, session_auth]


def require_scope(request: HttpRequest, scope: str) -> None:
    """A token must carry the scope; a browser session acts with the user's full rights."""
    token = getattr(request, "api_token", None)
    if token is not None and scope not in token.scopes:
        raise PermissionDenied(f"this token lacks the '{scope}' scope")


def require_user(request: HttpRequest) -> Any:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        raise NotAuthenticated("sign in or send a bearer token")
    return user


def require_staff(request: HttpRequest, permission: str | None = None, scope: str | None = None) -> Any:
    user = require_user(request)
    if not user.is_staff or not user.is_active:
        raise PermissionDenied("staff only")
    if permission and not user.has_perm(permission):
        raise PermissionDenied(f"you lack the permission '{permission}'")
    if scope:
        require_scope(request, scope)
    return user


router = Router(tags=["auth"])


class TokenRequest(Schema):
    email: str = Field(max_length=254)
    password: str = Field(max_length=4096)
    name: str = Field("api", min_length=1, max_length=100)
    scopes: list[str] = Field(default_factory=lambda: ["account"])
    expires_at: datetime | None = None


class IssuedTokenOut(Schema):
    id: int
    name: str
    token: str = Field(description="shown once; store it safely")
    prefix: str
    scopes: list[str]
    expires_at: datetime | None


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    scopes: list[str]
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None


class TokenPage(Schema):
    items: list[TokenOut]
    meta: dict[str, int]


@router.post("/tokens", response={201: IssuedTokenOut}, operation_id="create_token", auth=None)
def create_token(request: HttpRequest, payload: TokenRequest) -> Status[dict[str, Any]]:
    """Exchange email and password for a bearer token (rate limited)."""
    ratelimit.hit("token", ratelimit.client_address(request), payload.email)
    user = authenticate_credentials(request, username=payload.email, password=payload.password)
    if user is None:
        raise NotAuthenticated("email or password is wrong")
    issued = tokens.create_token(user=user, name=payload.name, scopes=payload.scopes, expires_at=payload.expires_at)
    t = issued.token
    return Status(
        201,
        {
            "id": t.pk,
            "name": t.name,
            "token": issued.secret,
            "prefix": t.prefix,
            "scopes": t.scopes,
            "expires_at": t.expires_at,
        },
    )


@router.get("/tokens", response=TokenPage, operation_id="list_tokens", auth=AUTH)
def list_tokens(request: HttpRequest, page: int = 1, page_size: int = 20) -> dict[str, Any]:
    user = require_user(request)
    require_scope(request, "account")
    return paginate(
        ApiToken.objects.filter(user=user), page=page, page_size=page_size, order_by=["-created_at"]
    ).as_dict()


@router.delete("/tokens/{token_id}", response={204: None}, operation_id="revoke_token", auth=AUTH)
def revoke_token(request: HttpRequest, token_id: int) -> Status[None]:
    user = require_user(request)
    require_scope(request, "account")
    tokens.revoke_token(token_id=token_id, actor=user)
    return Status(204, None)
