"""API tokens: created once and shown once, stored as a SHA-256 digest, scoped, expiring, revocable.

Tokens carry 256 bits of randomness, so a fast digest is enough (a slow password hash would
only cost time on every request); the digest is compared through a unique index lookup.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from handel.core import audit
from handel.core.errors import InvalidInput, NotFound, PermissionDenied, field_error
from handel.core.models import ApiToken

TOKEN_PREFIX = "hdl"  # noqa: S105 (a public marker, not a secret)
# Scopes a token can carry. A token acts as its user, narrowed to these scopes; the user's own
# permissions still apply. Later domains add their scopes here; staff-only ones to STAFF_SCOPES too.
SCOPES: dict[str, str] = {
    "account": "read and change the token owner's own account, addresses and data",
    "channels:write": "create and change sales channels (staff)",
    "customers:write": "manage customers and customer groups (staff)",
    "customers:read": "read customers and customer groups (staff)",
    "catalog:write": "create, change and delete products and categories (staff)",
    "catalog:read": "read staff-only catalog data: full product records with cost prices, exports (staff)",
    "inventory:read": "read stock, movements and reservations (staff)",
    "inventory:write": "manage sources, stock feeds, movements and reservations (staff)",
    "orders:write": "place and manage orders",
    "payments:write": "see, capture, void and refund payments (staff)",
    "pricing:read": "read price lists, rules, promotions, coupons and price explanations (staff)",
    "pricing:write": "manage price lists, rules, promotions, coupons and tax rates (staff)",
    "search:write": "manage synonyms, stop words, merchandising rules, redirects; read search analytics (staff)",
}
STAFF_SCOPES = frozenset(
    {
        "channels:write",
        "customers:write",
        "customers:read",
        "catalog:write",
        "catalog:read",
        "inventory:read",
        "inventory:write",
        "pricing:read",
        "pricing:write",
        "search:write",
        "payments:write",
    }
)
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def validate_scopes(scopes: Iterable[str]) -> list[str]:
    cleaned = sorted(set(scopes))
    unknown = [scope for scope in cleaned if scope not in SCOPES]
    if unknown:
        raise InvalidInput(
            f"unknown scope(s): {', '.join(unknown)}",
            errors=[field_error(["body", "scopes"], f"unknown scope {scope!r}") for scope in unknown],
        )
    return cleaned


def create_token(
    *,
    user: Any,
    name: str,
    scopes: Iterable[str] = ("account",),
    expires_at: datetime | None = None,
    actor: Any | None = None,
) -> IssuedToken:
    name = name.strip()
    if not name:
        raise InvalidInput("a token needs a name", errors=[field_error(["body", "name"], "required")])
    clean_scopes = validate_scopes(scopes)
    staff_only = sorted(set(clean_scopes) & STAFF_SCOPES)
    if staff_only and not user.is_staff:
        raise PermissionDenied(f"only staff can hold the scope(s) {', '.join(staff_only)}")
    if expires_at is not None and expires_at <= timezone.now():
        raise InvalidInput("expiry must be in the future", errors=[field_error(["body", "expires_at"], "in the past")])
    prefix = secrets.token_hex(4)
    secret = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    with transaction.atomic(durable=True):
        token = ApiToken.objects.create(
            user=user, name=name, prefix=prefix, digest=digest(secret), scopes=clean_scopes, expires_at=expires_at
        )
        audit.record(actor=actor or user, action="token.created", obj=token, data={"scopes": clean_scopes})
    return IssuedToken(token=token, secret=secret)


def revoke_token(*, token_id: int, actor: Any) -> ApiToken:
    with transaction.atomic(durable=True):
        tokens = ApiToken.objects.select_for_update()
        if not getattr(actor, "is_superuser", False):
            tokens = tokens.filter(user=actor)
        token = tokens.filter(pk=token_id).first()
        if token is None:
            raise NotFound("no such token")
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            audit.record(actor=actor, action="token.revoked", obj=token)
    return token


def authenticate(secret: str) -> ApiToken | None:
    """The live token for this secret, or None if unknown, revoked, expired or its user inactive."""
    if not secret.startswith(TOKEN_PREFIX + "_"):
        return None
    token = ApiToken.objects.select_related("user").filter(digest=digest(secret)).first()
    now = timezone.now()
    if token is None or token.revoked_at is not None or not token.user.is_active:
        return None
    if token.expires_at is not None and token.expires_at <= now:
        return None
    if token.last_used_at is None or token.last_used_at < now - LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
