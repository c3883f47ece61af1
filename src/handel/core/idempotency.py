"""Idempotency-Key for unsafe API operations.

The first request with a key runs and its answer is stored; a retry with the same key and the
same body gets the stored answer and creates nothing; the same key with another body is refused
(422), and a retry while the first is still running is refused (409). Keys are scoped to the
caller and the operation, and kept for KEEP_FOR.

Use on a django-ninja operation, outermost, so that the stored answer is the rendered response:

    @router.post("/orders", operation_id="place_order")
    @decorate_view(idempotent("place_order"))
    def place_order(request, ...): ...
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from handel.core.batching import without_flush_wait
from handel.core.errors import Conflict, InvalidInput, domain_error_response, field_error
from handel.core.models import IdempotencyRecord

HEADER = "Idempotency-Key"
KEEP_FOR = timedelta(hours=24)
MAX_KEY_LENGTH = 255
# Answers that say nothing happened yet (not authenticated, busy, throttled, server fault):
# the key is released so that a retry can run for real.
NOT_STORED = {401, 403, 409, 429}


def caller_identity(request: HttpRequest, *, path_is_capability: bool = False) -> str:
    """Who is calling: a token, a user, or a guest. A guest is their session, or, where the path
    names a resource that only its holder knows (a cart's unguessable id), that path: holding the
    path is what entitles a guest to the operation, and no session has to be created for them."""
    authorization = request.headers.get("Authorization", "")
    if authorization.lower().startswith("bearer "):
        return "token:" + hashlib.sha256(authorization[7:].strip().encode()).hexdigest()[:32]
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    if path_is_capability:
        return "path:" + hashlib.sha256(request.path.encode()).hexdigest()[:32]
    if request.session.session_key is None:
        request.session.save()
    return f"session:{request.session.session_key}"


def request_fingerprint(request: HttpRequest) -> str:
    return hashlib.sha256(f"{request.method} {request.get_full_path()}\n".encode() + request.body).hexdigest()


def idempotent(
    operation: str, *, path_is_capability: bool = False
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    def decorator(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(run)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            key = request.headers.get(HEADER)
            if not key:
                return run(request, *args, **kwargs)
            if len(key) > MAX_KEY_LENGTH:
                return domain_error_response(
                    InvalidInput(
                        f"{HEADER} is too long",
                        errors=[field_error(["header", HEADER], f"at most {MAX_KEY_LENGTH} characters")],
                    )
                )
            scope = f"{operation}|{caller_identity(request, path_is_capability=path_is_capability)}"
            fingerprint = request_fingerprint(request)
            record = _take(scope, key, fingerprint)
            if record is None:
                return replay(scope, key, fingerprint)
            try:
                response = run(request, *args, **kwargs)
            except BaseException:
                record.delete()
                raise
            if response.status_code >= 500 or response.status_code in NOT_STORED:
                record.delete()
                return response
            record.state = IdempotencyRecord.State.DONE
            record.status_code = response.status_code
            record.response_body = response.content
            record.content_type = response.get("Content-Type", "application/json")
            with without_flush_wait():
                record.save(update_fields=["state", "status_code", "response_body", "content_type"])
            return response

        return wrapper

    return decorator


def _take(scope: str, key: str, fingerprint: str) -> IdempotencyRecord | None:
    """Record the key for this request; None when it is taken. A key kept longer than KEEP_FOR
    is free again: its old record gives way."""
    for _ in range(2):
        try:
            with without_flush_wait():
                return IdempotencyRecord.objects.create(scope=scope, key=key, request_hash=fingerprint)
        except IntegrityError:
            expired = IdempotencyRecord.objects.filter(scope=scope, key=key, created_at__lt=timezone.now() - KEEP_FOR)
            if not expired.delete()[0]:
                return None
    return None


def replay(scope: str, key: str, fingerprint: str) -> HttpResponse:
    existing = IdempotencyRecord.objects.filter(scope=scope, key=key).first()
    if existing is None:
        return domain_error_response(Conflict("The first request with this key has just failed; retry"))
    if existing.request_hash != fingerprint:
        return domain_error_response(
            InvalidInput(
                f"This {HEADER} was already used with a different request",
                errors=[field_error(["header", HEADER], "reused with another request body")],
                slug="idempotency-key-reused",
            )
        )
    if existing.state != IdempotencyRecord.State.DONE:
        return domain_error_response(
            Conflict(f"A request with this {HEADER} is still being processed", slug="idempotency-in-progress")
        )
    response = HttpResponse(
        bytes(existing.response_body or b""), status=existing.status_code or 200, content_type=existing.content_type
    )
    response["Idempotent-Replayed"] = "true"
    return response


def purge_expired() -> int:
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=timezone.now() - KEEP_FOR).delete()
    return deleted
