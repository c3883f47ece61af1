"""Storefront browse pages: home, search and category pages (a category page is a search with a
category filter), autocomplete suggestions for the header's search box, and the compare page.

Every page state is a GET URL, so results can be shared and the pages work without JavaScript;
with htmx only the results region is swapped (the same template, rendered on its own).
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from handel.catalog.browsing import Viewer, viewer_for
from handel.channels.queries import channel_for_request
from handel.core.errors import DomainError, InvalidInput, field_error
from handel.core.whole_numbers import whole_number
from handel.pricing import queries as pricing_queries
from handel.search import queries as search_queries
from handel.search import services as search_services

PAGE_SIZE = 24
RESULTS_TARGET = "browse-results"
CATEGORY_CACHE_SECONDS = 60
MAX_PAGE = 10_000
RANGE_VALUE = re.compile(r"^(-?\d+(?:\.\d+)?)?-(-?\d+(?:\.\d+)?)?$")
# Filters the search form sends: `attr.<code>` repeats for attribute values (OR within one code),
# `range.<code>` holds one "low-high" range of a numeric attribute.
VALUE_FILTERS = ("category", "brand", "availability")

if TYPE_CHECKING:
    from handel.channels.models import Channel


@dataclass(frozen=True)
class ShopViewer:
    """Who is looking: the channel, the language shown, what the viewer may see of the catalog
    (customer group, company assortment) and the signed-in customer (own prices)."""

    channel: Channel
    locale: str
    catalog: Viewer
    customer: Any

    @property
    def customer_group_code(self) -> str | None:
        return self.catalog.customer_group_code

    @property
    def assortment_code(self) -> str | None:
        return self.catalog.assortment_code


def shop_viewer(request: HttpRequest) -> ShopViewer:
    channel = channel_for_request(request)
    if channel is None:
        raise Http404("no sales channel")
    offered = [channel.default_locale, *(channel.locales or [])]
    language = getattr(request, "LANGUAGE_CODE", "") or ""
    locale = language if language in offered else channel.default_locale
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    return ShopViewer(
        channel=channel, locale=locale, catalog=viewer_for(channel.code, user), customer=user if signed_in else None
    )


# -- categories as the viewer sees them ------------------------------------------------------------------


def _translated(category: Any, field: str, locale: str) -> str:
    return (category.translations or {}).get(locale, {}).get(field) or getattr(category, field)


def category_tree(viewer: ShopViewer) -> list[dict[str, Any]]:
    """The viewer's active categories in tree order, with names in the viewer's language; cached
    briefly per channel, customer group and language (the header shows them on every page)."""
    key = (
        f"storefront:categories:{viewer.channel.code}:{viewer.customer_group_code}:"
        f"{viewer.assortment_code}:{viewer.locale}"
    )
    tree = cache.get(key)
    if tree is None:
        categories = viewer.catalog.categories().order_by("depth", "position", "path")
        tree = [
            {
                "path": category.path,
                "name": _translated(category, "name", viewer.locale),
                "depth": category.depth,
                "parent_path": category.path.rpartition("/")[0] or None,
            }
            for category in categories.only("path", "name", "depth", "translations")
        ]
        cache.set(key, tree, CATEGORY_CACHE_SECONDS)
    return tree


def category_url(path: str) -> str:
    return f"/c/{quote(path)}/"


def product_url(sku: str) -> str:
    return f"/p/{quote(sku, safe='')}/"


def top_categories(viewer: ShopViewer) -> list[dict[str, Any]]:
    tree = category_tree(viewer)
    children: dict[str, list[dict[str, Any]]] = {}
    for category in tree:
        if category["parent_path"]:
            children.setdefault(category["parent_path"], []).append(category)
    return [
        {
            **category,
            "url": category_url(category["path"]),
            "children": [{**child, "url": category_url(child["path"])} for child in children.get(category["path"], [])],
        }
        for category in tree
        if category["depth"] == 0
    ]


# -- home: current promotions -------------------------------------------------------------------------


def _promotion_summary(promotion: Any, currency: str) -> str:
    value = f"{Decimal(promotion.value).normalize():f}"
    summaries = {
        "percent_off_lines": _("%(value)s%% off selected products") % {"value": value},
        "amount_off_lines": _("%(value)s %(currency)s off selected products") % {"value": value, "currency": currency},
        "percent_off_cart": _("%(value)s%% off your order") % {"value": value},
        "amount_off_cart": _("%(value)s %(currency)s off your order") % {"value": value, "currency": currency},
        "fixed_price": _("Special price: %(value)s %(currency)s") % {"value": value, "currency": currency},
        "buy_x_get_y": _("Buy %(buy)s, get %(get)s free")
        % {"buy": promotion.buy_quantity, "get": promotion.get_quantity},
        "tiered_spend": _("Spend more, save more"),
        "free_shipping": _("Free shipping"),
        "free_gift": _("A free gift with your order"),
    }
    summary = summaries.get(promotion.action, "")
    if promotion.min_subtotal:
        summary += " " + _("on orders from %(amount)s %(currency)s") % {
            "amount": f"{Decimal(promotion.min_subtotal).normalize():f}",
            "currency": currency,
        }
    return summary


def current_promotions(viewer: ShopViewer) -> list[dict[str, Any]]:
    """Promotions running now that anybody in the viewer's channel and group gets without a coupon."""
    promotions, _coupons = pricing_queries.load_promotions(
        timezone.now(), pricing_queries.customer_key(viewer.customer), ()
    )
    shown = []
    for promotion in promotions:
        if promotion.requires_coupon or promotion.usage_exhausted or promotion.segments:
            continue
        if promotion.channels and viewer.channel.code not in promotion.channels:
            continue
        if promotion.customer_groups and viewer.customer_group_code not in promotion.customer_groups:
            continue
        shown.append(
            {
                "code": promotion.code,
                "name": promotion.name,
                "summary": _promotion_summary(promotion, viewer.channel.currency),
                "ends_at": promotion.ends_at,
                "first_order_only": promotion.first_order_only,
            }
        )
    return shown


# -- search and category pages ---------------------------------------------------------------------------


def _page_number(raw: str | None) -> int:
    if not raw:
        return 1
    page = whole_number(raw)
    if page is None or not 1 <= page <= MAX_PAGE:
        raise InvalidInput(
            _("The page must be a whole number from 1."), errors=[field_error(["page"], "whole number >= 1")]
        )
    return page


def _range_of(raw: str, location: list[str]) -> dict[str, str | None]:
    found = RANGE_VALUE.match(raw.strip())
    if found is None:
        raise InvalidInput(_("A range is written low-high, e.g. 500-1000."), errors=[field_error(location, "low-high")])
    return {"min": found.group(1), "max": found.group(2)}


def filters_from(params: QueryDict, *, category: str | None = None) -> dict[str, Any]:
    """The search filters a page URL asks for (unknown parameters are not filters and are ignored)."""
    filters: dict[str, Any] = {}
    for key in VALUE_FILTERS:
        values = [value for value in params.getlist(key) if value]
        if values:
            filters[key] = values
    if category is not None:
        filters["category"] = [category]
    low, high = params.get("price_min", "").strip(), params.get("price_max", "").strip()
    if low or high:
        filters["price"] = {"min": low or None, "max": high or None}
    attributes: dict[str, Any] = {}
    for key in params:
        prefix, _dot, code = key.partition(".")
        if not code:
            continue
        if prefix == "attr":
            values = [value for value in params.getlist(key) if value]
            if values:
                attributes[code] = values
        elif prefix == "range" and params.get(key):
            attributes[code] = _range_of(params[key], ["query", key])
    if attributes:
        filters["attributes"] = attributes
    return filters


def _with(params: QueryDict, changes: dict[str, Any] | None = None) -> str:
    """The query string with some parameters replaced (None removes one); the page resets to the
    first unless `changes` names one."""
    result = params.copy()
    result.pop("page", None)
    for name, value in (changes or {}).items():
        result.pop(name, None)
        if value is not None:
            result[name] = str(value)
    encoded = result.urlencode()
    return f"?{encoded}" if encoded else "?"


def _without_value(params: QueryDict, name: str, value: str) -> str:
    result = params.copy()
    result.pop("page", None)
    result.setlist(name, [item for item in params.getlist(name) if item != value])
    encoded = result.urlencode()
    return f"?{encoded}" if encoded else "?"


def _input_id(name: str, value: str) -> str:
    digest = hashlib.sha1(f"{name}={value}".encode(), usedforsecurity=False).hexdigest()[:8]
    return "f-" + re.sub(r"[^A-Za-z0-9_-]", "-", name) + "-" + digest


def _range_label(low: float | None, high: float | None) -> str:
    if low is None:
        return _("under %(high)s") % {"high": f"{high or 0:g}"}
    if high is None:
        return _("%(low)s and more") % {"low": f"{low:g}"}
    return f"{low:g} to {high:g}"


def _facet_labels() -> dict[str, str]:
    return {
        "category": _("Category"),
        "brand": _("Brand"),
        "price": _("Price"),
        "availability": _("Availability"),
    }


def _availability_labels() -> dict[str, str]:
    return {
        "in_stock": _("In stock"),
        "low_stock": _("Low stock"),
        "preorder": _("Pre-order"),
        "backorder": _("On backorder"),
        "out_of_stock": _("Out of stock"),
    }


def _facets_for_page(
    facets: list[dict[str, Any]], params: QueryDict, names: dict[str, str], *, category_page: str | None
) -> tuple[dict[str, Any] | None, dict[str, Any] | None, list[dict[str, Any]]]:
    """Split the engine's facets into the category navigation, the price facet and the facets
    shown as checkboxes (values) or radio buttons (numeric ranges), with form names and ids."""
    labels = _facet_labels()
    availability = _availability_labels()
    navigation = None
    price = None
    shown = []
    for facet in facets:
        code = facet["code"]
        if code == "category":
            parent = facet.get("parent")
            values = []
            for value in facet["values"]:
                if category_page is not None:
                    url = category_url(value["value"]) + _with(params, {"category": None})
                else:
                    url = _with(params, {"category": value["value"]})
                values.append({**value, "label": names.get(value["value"], value["label"]), "url": url})
            up_url = None
            if parent and category_page is None:
                up_url = _with(params, {"category": None})
            elif parent and category_page is not None and "/" in parent:
                up_url = category_url(parent.rpartition("/")[0]) + _with(params)
            navigation = {
                "label": labels["category"],
                "parent": parent,
                "parent_name": names.get(parent or "", parent),
                "up_url": up_url,
                "values": values,
            }
            continue
        if code == "price":
            price = {
                "label": labels["price"],
                "min": params.get("price_min", ""),
                "max": params.get("price_max", ""),
            }
            continue
        if facet["kind"] == "range":
            name = "range." + code.removeprefix("attr.")
            current = params.get(name, "")
            values = [
                {
                    **value,
                    "label": _range_label(value["min"], value["max"]),
                    "id": _input_id(name, value["value"]),
                    "selected": value["selected"] or value["value"] == current,
                }
                for value in facet["values"]
            ]
            shown.append({"code": code, "label": facet["label"], "name": name, "kind": "range", "values": values})
            continue
        name = code
        values = []
        for value in facet["values"]:
            label = availability.get(value["value"], value["label"]) if code == "availability" else value["label"]
            values.append({**value, "label": label, "id": _input_id(name, value["value"])})
        if values:
            shown.append(
                {
                    "code": code,
                    "label": labels.get(code, facet["label"]),
                    "name": name,
                    "kind": "values",
                    "values": values,
                }
            )
    return navigation, price, shown


def _applied_chips(
    params: QueryDict, facets: list[dict[str, Any]], names: dict[str, str], *, category_page: str | None
) -> list[dict[str, str]]:
    """Each active filter as a removable chip (a link to the same page without it)."""
    value_labels = {(facet["name"], value["value"]): value["label"] for facet in facets for value in facet["values"]}
    chips = []
    keys = ["brand", "availability"] + ([] if category_page is not None else ["category"])
    keys += [key for key in params if key.startswith("attr.")]
    for key in keys:
        for value in params.getlist(key):
            if not value:
                continue
            label = names.get(value, value) if key == "category" else value_labels.get((key, value), value)
            chips.append({"label": label, "url": _without_value(params, key, value)})
    for key in params:
        if key.startswith("range.") and params.get(key):
            chips.append({"label": params[key], "url": _with(params, {key: None})})
    low, high = params.get("price_min", "").strip(), params.get("price_max", "").strip()
    if low or high:
        chips.append(
            {
                "label": _("Price %(low)s to %(high)s") % {"low": low or "0", "high": high or "…"},
                "url": _with(params, {"price_min": None, "price_max": None}),
            }
        )
    return chips


def _pagination(params: QueryDict, page: int, pages: int) -> dict[str, Any] | None:
    if pages <= 1:
        return None
    window = sorted({1, pages, *range(max(1, page - 2), min(pages, page + 2) + 1)})
    links: list[dict[str, Any]] = []
    previous = 0
    for number in window:
        if number - previous > 1:
            links.append({"gap": True})
        links.append({"number": number, "url": _with(params, {"page": number}), "current": number == page})
        previous = number
    return {
        "links": links,
        "previous_url": _with(params, {"page": page - 1}) if page > 1 else None,
        "next_url": _with(params, {"page": page + 1}) if page < pages else None,
        "page": page,
        "pages": pages,
    }


def _sort_options() -> list[tuple[str, str]]:
    return [
        ("relevance", _("Relevance")),
        ("price_asc", _("Price: low to high")),
        ("price_desc", _("Price: high to low")),
        ("name", _("Name")),
        ("newest", _("Newest")),
        ("best_selling", _("Best selling")),
    ]


def _browse(
    request: HttpRequest,
    viewer: ShopViewer,
    *,
    action: str,
    category: dict[str, Any] | None = None,
) -> HttpResponse:
    params = request.GET
    query = params.get("q", "").strip() if category is None else ""
    names = {item["path"]: item["name"] for item in category_tree(viewer)}
    context: dict[str, Any] = {
        "query": query,
        "search_query": query,
        "action": action,
        "category": category,
        "sort_options": _sort_options(),
        "sort": params.get("sort") or "relevance",
        "results_target": RESULTS_TARGET,
        "top_categories": top_categories(viewer),
    }
    status = 200
    try:
        page = _page_number(params.get("page"))
        result = search_queries.search_products(
            channel_code=viewer.channel.code,
            query=query,
            filters=filters_from(params, category=category["path"] if category else None),
            sort=context["sort"],
            page=page,
            page_size=PAGE_SIZE,
            locale=viewer.locale,
            customer_group_code=viewer.customer_group_code,
            assortment_code=viewer.assortment_code,
            customer=viewer.customer,
        )
    except InvalidInput as exc:
        status = 400
        context["error"] = exc.detail
        context["error_fields"] = [
            f"{'.'.join(str(part) for part in error.get('loc', []))}: {error.get('msg')}" for error in exc.errors
        ]
        context["result"] = None
    else:
        if result["redirect"]:
            if request.htmx:
                return HttpResponseClientRedirect(result["redirect"])
            return redirect(result["redirect"])
        if query and page == 1:
            context["search_id"] = search_services.record_search(
                channel_code=viewer.channel.code,
                locale=result["locale"],
                query=query,
                filters=result["applied_filters"],
                result_count=result["total"],
                user=viewer.customer,
            )
        path = category["path"] if category else None
        navigation, price, facets = _facets_for_page(result["facets"], params, names, category_page=path)
        availability = _availability_labels()
        for position, hit in enumerate(result["hits"], start=(page - 1) * PAGE_SIZE + 1):
            hit["position"] = position
            hit["url"] = product_url(hit["sku"])
            hit["availability_label"] = availability.get(hit["availability"], hit["availability"])
        context.update(
            {
                "result": result,
                "hits": result["hits"],
                "navigation": navigation,
                "price_facet": price,
                "facets": facets,
                "chips": _applied_chips(params, facets, names, category_page=path),
                "clear_url": "?"
                + _encode(
                    {
                        "q": query,
                        "sort": "" if context["sort"] == "relevance" else context["sort"],
                        "channel": params.get("channel", ""),
                    }
                ),
                "pagination": _pagination(params, page, result["meta"]["pages"]),
                "first_page_url": _with(params),
                "did_you_mean_url": f"?{_encode({'q': result['did_you_mean']})}" if result["did_you_mean"] else None,
                "selected_categories": [] if category else [value for value in params.getlist("category") if value],
            }
        )
    if request.htmx and request.htmx.target == RESULTS_TARGET and not request.htmx.history_restore_request:
        template = "storefront/browse/results.html"
    elif category is not None:
        template = "storefront/browse/category.html"
    else:
        template = "storefront/browse/search.html"
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ["HX-Request", "HX-Target"])
    return response


def _encode(values: dict[str, str]) -> str:
    encoded = QueryDict(mutable=True)
    for key, value in values.items():
        if value:
            encoded[key] = value
    return encoded.urlencode()


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    return _browse(request, shop_viewer(request), action=request.path)


@require_GET
def category(request: HttpRequest, category_path: str) -> HttpResponse:
    viewer = shop_viewer(request)
    found = viewer.catalog.categories().filter(path=category_path).first()
    if found is None:
        raise Http404("no such category")
    names = {item["path"]: item["name"] for item in category_tree(viewer)}
    parts = found.path.split("/")
    crumbs = [
        {"name": names.get("/".join(parts[: index + 1]), part), "url": category_url("/".join(parts[: index + 1]))}
        for index, part in enumerate(parts[:-1])
    ]
    details = {
        "path": found.path,
        "name": _translated(found, "name", viewer.locale),
        "description": _translated(found, "description", viewer.locale),
        "seo_title": _translated(found, "seo_title", viewer.locale),
        "seo_description": _translated(found, "seo_description", viewer.locale),
        "crumbs": crumbs,
        "children": [
            {"name": item["name"], "url": category_url(item["path"])}
            for item in category_tree(viewer)
            if item["parent_path"] == found.path
        ],
    }
    return _browse(request, viewer, action=category_url(found.path), category=details)


@require_GET
def autocomplete(request: HttpRequest) -> HttpResponse:
    """Suggestions for the header's search box (an HTML fragment; empty below two characters)."""
    viewer = shop_viewer(request)
    typed = request.GET.get("q", "")[:100]
    found: dict[str, Any] = {"suggestions": [], "categories": [], "products": []}
    if len(typed.replace(" ", "")) >= 2:
        # Too little typed once normalised (punctuation only): no suggestions, as below two characters.
        with contextlib.suppress(InvalidInput):
            found = search_queries.autocomplete(
                channel_code=viewer.channel.code,
                query=typed,
                locale=viewer.locale,
                customer_group_code=viewer.customer_group_code,
                assortment_code=viewer.assortment_code,
            )
    names = {item["path"]: item["name"] for item in category_tree(viewer)}
    context = {
        "query": typed,
        "suggestions": [{"text": text, "url": "/search/?" + _encode({"q": text})} for text in found["suggestions"]],
        "categories": [
            {**item, "name": names.get(item["path"], item["name"]), "url": category_url(item["path"])}
            for item in found["categories"]
        ],
        "products": [{**item, "url": product_url(item["sku"])} for item in found["products"]],
    }
    return render(request, "storefront/browse/suggestions.html", context)


@require_POST
def search_click(request: HttpRequest) -> HttpResponse:
    """A buyer opened a search result (sent by the page's script as a beacon): feeds click-through."""
    try:
        search_id = uuid.UUID(request.POST.get("search_id", ""))
        position = int(request.POST.get("position", ""))
    except ValueError:
        return HttpResponse(_("search_id must be a UUID and position a number."), status=400, content_type="text/plain")
    try:
        search_services.record_click(search_id=search_id, sku=request.POST.get("sku", ""), position=position)
    except DomainError as exc:
        return HttpResponse(exc.detail, status=exc.status, content_type="text/plain")
    return HttpResponse(status=204)
