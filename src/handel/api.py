"""The REST API at /api/v1: every domain's router, one error format (problem+json)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from handel.catalog.api import router as catalog_router
from handel.catalog.engagement.api import router as catalog_engagement_router
from handel.catalog.media.api import router as catalog_media_router
from handel.channels.api import router as channels_router
from handel.checkout.api import router as checkout_router
from handel.checkout.requisitions_api import router as checkout_requisitions_router
from handel.companies.api import router as companies_router
from handel.core.api import router as auth_router
from handel.core.errors import (
    DomainError,
    domain_error_response,
    problem_response,
    slug_for_status,
    validation_errors_from_pydantic,
)
from handel.customers.api import router as customers_router
from handel.inventory.api import router as inventory_router
from handel.orders.api import router as orders_router
from handel.orders.documents_api import router as order_documents_router
from handel.orders.returns_api import router as returns_router
from handel.orders.shipments_api import router as shipments_router
from handel.payments.api import router as payments_router
from handel.pricing.api import router as pricing_router
from handel.procurement.api import router as procurement_router
from handel.procurement.requisitions_api import router as requisitions_router
from handel.search.api import router as search_router

api = NinjaAPI(
    title="Handel API",
    version="1",
    description="One commerce API for the B2B portal and the B2C shop. Errors are application/problem+json.",
    urls_namespace="api-v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


@api.exception_handler(DomainError)
def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return domain_error_response(exc)


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return problem_response(
        422,
        slug="validation-error",
        title="The input is not valid",
        detail="Some fields are missing or invalid; see errors.",
        errors=validation_errors_from_pydantic(exc.errors),
    )


@api.exception_handler(AuthenticationError)
def on_authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return problem_response(
        401,
        slug="not-authenticated",
        title="Authentication required",
        detail="Sign in or send a valid bearer token (Authorization: Bearer hdl_...).",
        headers={"WWW-Authenticate": 'Bearer realm="handel"'},
    )


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    detail = str(exc)
    if exc.status_code == 400 and detail.startswith("Cannot parse request body"):
        detail = "The request body is not valid JSON."
    return problem_response(exc.status_code, slug=slug_for_status(exc.status_code), detail=detail)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem_response(404, slug="not-found", detail="Not found")


@api.exception_handler(Exception)
def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    import logging

    logging.getLogger("handel.api").exception("unexpected error on %s %s", request.method, request.path)
    detail: Any = (
        f"{type(exc).__name__}: {exc}" if settings.DEBUG else "An unexpected error occurred. It has been logged."
    )
    return problem_response(500, slug="server-error", detail=detail)


api.add_router("/auth", auth_router)
api.add_router("/channels", channels_router)
api.add_router("/", customers_router)
api.add_router("/", companies_router)
api.add_router("/catalog", catalog_router)
# Sub-apps of the catalog share its prefix; their paths never overlap the core router's.
api.add_router("/catalog", catalog_media_router)
api.add_router("/catalog", catalog_engagement_router)
api.add_router("/inventory", inventory_router)
api.add_router("/pricing", pricing_router)
api.add_router("/search", search_router)
api.add_router("/payments", payments_router)
api.add_router("/orders", orders_router)
api.add_router("/", order_documents_router)
api.add_router("/", shipments_router)
api.add_router("/returns", returns_router)
api.add_router("/", procurement_router)
api.add_router("/", requisitions_router)
api.add_router("/", checkout_requisitions_router)
api.add_router("/checkout", checkout_router)
