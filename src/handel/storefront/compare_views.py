"""The compare page: the viewer's compare list side by side, with prices from the price engine;
a guest's list lives in the session and joins the customer's list at sign-in."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from handel.catalog.engagement import queries as engagement_queries
from handel.catalog.engagement.services import compare as compare_services
from handel.core.errors import DomainError
from handel.pricing import queries as pricing_queries
from handel.storefront.browse_views import product_url, shop_viewer


def _compare_owner(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    if user.is_authenticated:
        return {"customer": user}
    return {"guest_list_id": request.session.get(compare_services.GUEST_SESSION_KEY)}


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


@require_GET
def compare(request: HttpRequest) -> HttpResponse:
    viewer = shop_viewer(request)
    comparison = engagement_queries.comparison(
        viewer.catalog, compare_services.find_compare_list(**_compare_owner(request))
    )
    prices = pricing_queries.unit_prices(
        viewer.channel, [product["sku"] for product in comparison["products"]], customer=viewer.customer
    )
    products = [
        {**product, "url": product_url(product["sku"]), "price": prices.get(product["sku"])}
        for product in comparison["products"]
    ]
    only_differences = request.GET.get("show") == "differences"
    rows = [row for row in comparison["attributes"] if row["differs"] or not only_differences]
    for row in rows:
        row["name"] = (row.get("translations") or {}).get(viewer.locale, {}).get("name") or row["name"]
    return render(
        request,
        "storefront/browse/compare.html",
        {
            "products": products,
            "rows": rows,
            "limit": comparison["limit"],
            "only_differences": only_differences,
            "currency": viewer.channel.currency,
            "prices_differ": len({product["price"] for product in products}) > 1,
        },
    )


@require_POST
def compare_add(request: HttpRequest) -> HttpResponse:
    viewer = shop_viewer(request)
    sku = request.POST.get("sku", "").strip()
    back = _safe_next(request, "/compare/")
    if not sku:
        messages.error(request, _("Choose a product to compare."))
        return redirect(back)
    try:
        compare_list = compare_services.add_to_compare(viewer=viewer.catalog, sku=sku, **_compare_owner(request))
    except DomainError as exc:
        messages.error(request, exc.detail)
        return redirect(back)
    if compare_list.customer_id is None:
        request.session[compare_services.GUEST_SESSION_KEY] = str(compare_list.public_id)
    messages.success(request, _("The product is on your compare list."))
    return redirect(back)


@require_POST
def compare_remove(request: HttpRequest) -> HttpResponse:
    sku = request.POST.get("sku", "").strip()
    try:
        compare_services.remove_from_compare(sku=sku, **_compare_owner(request))
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("The product is removed from your compare list."))
    return redirect(_safe_next(request, "/compare/"))


def guest_compare_list_id(request: HttpRequest) -> str | None:
    """The guest's compare list, read before signing in (login() may replace the session)."""
    return request.session.get(compare_services.GUEST_SESSION_KEY)


def merge_compare_at_login(request: HttpRequest, guest_list_id: str | None, user: Any) -> None:
    """What a guest put on the compare list joins the customer's list at sign-in."""
    if guest_list_id:
        compare_services.merge_guest_compare_list(guest_list_id=guest_list_id, customer=user)
        request.session.pop(compare_services.GUEST_SESSION_KEY, None)
