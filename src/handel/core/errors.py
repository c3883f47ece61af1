"""Errors as RFC 9457 problem details (application/problem+json).

Services raise `DomainError` subclasses with a clear message; the API turns every error, its
own or Django's, into a problem document: type, title, status, detail and, for bad input,
`errors` with the location of each field. Outside DEBUG no stack trace ever leaves the server.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Sequence
from http import HTTPStatus
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"
API_PREFIX = "/api/"


def problem_type(slug: str) -> str:
    return f"urn:handel:problem:{slug}"


class DomainError(Exception):
    """A refusal a user can understand. Subclasses pick the HTTP status and problem type."""

    status = 422
    slug = "unprocessable"
    title = "The request cannot be carried out"

    def __init__(
        self,
        detail: str,
        *,
        errors: Sequence[dict[str, Any]] | None = None,
        slug: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = list(errors or [])
        if slug:
            self.slug = slug
        self.extra = extra or {}


class InvalidInput(DomainError):
    status = 422
    slug = "validation-error"
    title = "The input is not valid"


class NotFound(DomainError):
    status = 404
    slug = "not-found"
    title = "Not found"


class PermissionDenied(DomainError):
    status = 403
    slug = "forbidden"
    title = "Forbidden"


class NotAuthenticated(DomainError):
    status = 401
    slug = "not-authenticated"
    title = "Authentication required"


class Conflict(DomainError):
    status = 409
    slug = "conflict"
    title = "Conflict"


class TooManyRequests(DomainError):
    status = 429
    slug = "too-many-requests"
    title = "Too many requests"

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


def field_error(location: Iterable[str | int], message: str, code: str = "invalid") -> dict[str, Any]:
    return {"loc": list(location), "msg": message, "type": code}


def problem_response(
    status: int,
    *,
    slug: str | None = None,
    title: str | None = None,
    detail: str = "",
    errors: Sequence[dict[str, Any]] | None = None,
    extra: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    body: dict[str, Any] = {
        "type": problem_type(slug) if slug else "about:blank",
        "title": title or phrase,
        "status": status,
        "detail": detail or phrase,
    }
    if errors is not None:
        body["errors"] = list(errors)
    if extra:
        body.update(extra)
    response = HttpResponse(json.dumps(body, default=str), status=status, content_type=PROBLEM_CONTENT_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def domain_error_response(exc: DomainError) -> HttpResponse:
    headers = {}
    if isinstance(exc, TooManyRequests):
        headers["Retry-After"] = str(exc.retry_after)
    return problem_response(
        exc.status,
        slug=exc.slug,
        title=exc.title,
        detail=exc.detail,
        errors=exc.errors if exc.errors or isinstance(exc, InvalidInput) else None,
        extra=exc.extra,
        headers=headers,
    )


def validation_errors_from_pydantic(errors: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Ninja/pydantic errors reduced to loc, msg and type (never echoing the input back)."""
    return [
        {
            "loc": list(error.get("loc", [])),
            "msg": str(error.get("msg", "invalid")),
            "type": error.get("type", "invalid"),
        }
        for error in errors
    ]


_DEFAULT_SLUGS = {
    400: "bad-request",
    401: "not-authenticated",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    409: "conflict",
    413: "payload-too-large",
    415: "unsupported-media-type",
    422: "validation-error",
    429: "too-many-requests",
    500: "server-error",
}


def slug_for_status(status: int) -> str:
    return _DEFAULT_SLUGS.get(status, "error")


class ProblemJsonMiddleware:
    """Under /api/, every error answer is problem+json: also Django's own 404, 405 and CSRF 403."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith(API_PREFIX) or response.status_code < 400:
            return response
        if response.get("Content-Type", "").startswith(PROBLEM_CONTENT_TYPE):
            return response
        detail = ""
        if response.get("Content-Type", "").startswith("application/json"):
            try:
                payload = json.loads(response.content or b"{}")
            except ValueError:
                payload = {}
            if isinstance(payload, dict) and isinstance(payload.get("detail"), str):
                detail = payload["detail"]
        if response.status_code == 403 and "CSRF" in response.content.decode("utf-8", "replace")[:5000]:
            detail = "CSRF check failed: send the X-CSRFToken header with session authentication"
        if response.status_code >= 500 and not settings.DEBUG:
            detail = "An unexpected error occurred. It has been logged."
        headers = {}
        if response.status_code == 405 and response.has_header("Allow"):
            headers["Allow"] = response["Allow"]
        if response.has_header("Retry-After"):
            headers["Retry-After"] = response["Retry-After"]
        return problem_response(
            response.status_code, slug=slug_for_status(response.status_code), detail=detail, headers=headers
        )

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not request.path.startswith(API_PREFIX):
            return None
        if isinstance(exception, DomainError):
            return domain_error_response(exception)
        logger.exception("unexpected error on %s %s", request.method, request.path, exc_info=exception)
        detail = (
            f"{type(exception).__name__}: {exception}"
            if settings.DEBUG
            else ("An unexpected error occurred. It has been logged.")
        )
        return problem_response(500, slug="server-error", detail=detail)


# JSON writes a NUL character as \u0000 (a raw one is not valid JSON): only a body holding that
# escape can carry one, so every other body is passed on unread.
_ESCAPED_NUL = b"\\u0000"
_MAX_LOCATIONS = 20


def _nul_locations(value: Any, at: list[str | int], found: list[list[str | int]]) -> None:
    if len(found) >= _MAX_LOCATIONS:
        return
    if isinstance(value, str):
        if "\x00" in value:
            found.append(at)
    elif isinstance(value, dict):
        for key, item in value.items():
            _nul_locations(key, at, found)
            _nul_locations(item, [*at, key], found)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _nul_locations(item, [*at, index], found)


def nul_refusal(request: HttpRequest) -> DomainError | None:
    """Why an API request is refused for a NUL character in its path, query or JSON body, or None.
    PostgreSQL can neither store nor compare text holding one, and no field of Handel takes one:
    one check here instead of one in every schema, view and query."""
    if "\x00" in request.path:
        return NotFound("not found")
    found: list[list[str | int]] = []
    for key, values in request.GET.lists():
        if "\x00" in key or any("\x00" in value for value in values):
            found.append(["query", key])
    content_type = request.content_type or ""
    if content_type.endswith("json") and _ESCAPED_NUL in request.body:
        try:
            body = json.loads(request.body)
        except ValueError:
            body = None  # not JSON: the API says so itself
        _nul_locations(body, ["body"], found)
    if not found:
        return None
    return InvalidInput(
        "text may not contain NUL characters",
        errors=[field_error(location, "contains a NUL character") for location in found[:_MAX_LOCATIONS]],
    )


class NulRefusalMiddleware:
    """Under /api/, a request with a NUL character in its path, query or JSON body is refused
    (404 for a path, 422 naming each field otherwise) before any view reads it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(API_PREFIX):
            refusal = nul_refusal(request)
            if refusal is not None:
                return domain_error_response(refusal)
        return self.get_response(request)
