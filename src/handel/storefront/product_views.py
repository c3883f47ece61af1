"""The product page and its live price fragment.

Everything the page shows is what the viewer may see: the product through the viewer's
assortment (`product_detail`), prices from the price engine for this buyer, related products only
when visible. The page costs a fixed number of queries (about 26 for a guest) whatever the number
of variants, options or relations: the catalog's product read, the media read, one pricing context
for every price shown, one availability read, and one read for the related products' pictures.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django.contrib.staticfiles import finders
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from handel.catalog.browsing import Viewer, product_detail, viewer_for
from handel.catalog.media.queries import media_for_products, product_media
from handel.catalog.models import AttributeOption, Product
from handel.channels.queries import channel_for_request
from handel.checkout.lines import RequestedLine, evaluate, priced_skus, pricing_line
from handel.core.errors import NotFound
from handel.inventory.queries import SkuAvailability, availability
from handel.pricing.engine import PriceBook, PriceResult, price_cart
from handel.pricing.queries import Buyer, buyer_for, load_pricing_context

if TYPE_CHECKING:
    from handel.channels.models import Channel

MODEL_VIEWER_SCRIPT = "storefront/vendor/model-viewer.min.js"
OPTION_PREFIX = "option-"
RELATION_ORDER = ("accessory", "cross_sell", "up_sell", "related", "replacement")
SCHEMA_AVAILABILITY = {
    "in_stock": "https://schema.org/InStock",
    "low_stock": "https://schema.org/LimitedAvailability",
    "backorder": "https://schema.org/BackOrder",
    "preorder": "https://schema.org/PreOrder",
    "out_of_stock": "https://schema.org/OutOfStock",
}
DOCUMENT_KINDS = {
    "datasheet": gettext_lazy("Datasheet"),
    "manual": gettext_lazy("Manual"),
    "certificate": gettext_lazy("Certificate"),
    "safety": gettext_lazy("Safety data sheet"),
    "other": gettext_lazy("Document"),
}
# What json_script escapes, so that the JSON-LD cannot close its <script> element.
JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@dataclass(frozen=True)
class Shopper:
    """Who looks at the page: the channel, the signed-in user (or None), whom they buy for, and
    the catalog viewer checkout also uses, so page and cart agree on what exists."""

    channel: Channel
    user: Any
    buyer: Buyer
    viewer: Viewer


def shopper_of(request: HttpRequest) -> Shopper:
    channel = channel_for_request(request)
    if channel is None:
        raise Http404(_("This shop is closed."))
    user = request.user if request.user.is_authenticated else None
    buyer = buyer_for(user) if user is not None else Buyer()
    return Shopper(channel, user, buyer, viewer_for(channel.code, user))


@lru_cache(maxsize=1)
def model_viewer_installed() -> bool:
    """Whether `make install` could fetch model-viewer through npm (without it: poster and link)."""
    return finders.find(MODEL_VIEWER_SCRIPT) is not None


def _detail(shopper: Shopper, sku: str) -> dict[str, Any]:
    if "\x00" in sku:  # PostgreSQL refuses NUL in text; no SKU holds one
        raise Http404(_("No such product."))
    try:
        return product_detail(shopper.viewer, sku)
    except NotFound as exc:
        raise Http404(_("No such product.")) from exc


def _translated(detail: dict[str, Any], field: str) -> str:
    language = (get_language() or "en").split("-")[0]
    value = (detail.get("translations") or {}).get(language, {}).get(field)
    return value or detail.get(field) or ""


def requested_options(query: Any, detail: dict[str, Any]) -> dict[str, list[str]]:
    """A bundle's choices from a form: `option-<group>` fields, as the cart reads them, one value
    per chosen SKU."""
    groups = [group["code"] for group in (detail.get("bundle") or {}).get("groups", [])]
    return {
        code: [sku for sku in query.getlist(OPTION_PREFIX + code) if sku]
        for code in groups
        if query.getlist(OPTION_PREFIX + code)
    }


def requested_quantity(query: Any, minimum: int) -> int | None:
    raw = query.get("quantity", "")
    if raw == "":
        return minimum
    try:
        return int(raw)
    except ValueError:
        return None


# -- variants ------------------------------------------------------------------------------------


def _variant_values(detail: dict[str, Any]) -> dict[str, dict[str, str]]:
    """Each variant's value per variant-defining attribute (its first value)."""
    axes = detail["variant_attributes"]
    return {
        variant["sku"]: {axis: (variant["attributes"].get(axis) or [""])[0] for axis in axes}
        for variant in detail["variants"]
    }


def variant_selector(
    detail: dict[str, Any], chosen: str | None, stock: dict[str, SkuAvailability], labels: dict[tuple[str, str], str]
) -> list[dict[str, Any]]:
    """Options per variant-defining attribute. Axis by axis: a value is offered with the choices of
    the axes before it fixed; it links to the variant that keeps most of the later choices, in stock
    first. A value without such a variant is unavailable; one whose variants cannot be ordered is
    out of stock; neither can be chosen."""
    values = _variant_values(detail)
    current = values.get(chosen or "", {})
    axes = detail["variant_attributes"]

    def orderable(sku: str) -> bool:
        return stock[sku].can_order if sku in stock else False

    def preference(sku: str, later_axes: list[str]) -> tuple[bool, int, str]:
        kept = sum(1 for later in later_axes if values[sku][later] == current.get(later))
        return (orderable(sku), kept, sku)

    selector = []
    for index, axis in enumerate(axes):
        fixed = {earlier: current[earlier] for earlier in axes[:index] if earlier in current}
        codes = sorted(
            {value[axis] for value in values.values() if value[axis]},
            key=lambda code, axis=axis: (labels.get((axis, f"#{code}"), "~"), code),
        )
        offered = []
        for code in codes:
            candidates = [
                sku
                for sku, value in values.items()
                if value[axis] == code and all(value[name] == wanted for name, wanted in fixed.items())
            ]
            target = max(candidates, key=lambda sku, later=axes[index + 1 :]: preference(sku, later), default=None)
            if target is None:
                state = "unavailable"
            elif not orderable(target):
                state = "out_of_stock"
            else:
                state = "available"
            offered.append(
                {
                    "code": code,
                    "label": labels.get((axis, code), code),
                    "target": target if state == "available" else None,
                    "state": state,
                    "selected": current.get(axis) == code,
                }
            )
        selector.append({"code": axis, "name": labels.get((axis, ""), axis), "values": offered})
    return selector


def _option_labels(axes: list[str]) -> dict[tuple[str, str], str]:
    """Labels of the variant-defining attributes and their options, in the page's language. The
    `#code` key holds the option's position, so values sort as the merchant ordered them."""
    if not axes:
        return {}
    language = (get_language() or "en").split("-")[0]
    labels: dict[tuple[str, str], str] = {}
    for row in AttributeOption.objects.filter(attribute__code__in=axes).values(
        "attribute__code", "attribute__name", "attribute__translations", "code", "label", "translations", "position"
    ):
        axis = row["attribute__code"]
        labels[(axis, "")] = (row["attribute__translations"] or {}).get(language, {}).get("name") or row[
            "attribute__name"
        ]
        labels[(axis, row["code"])] = (row["translations"] or {}).get(language, {}).get("label") or row["label"]
        labels[(axis, f"#{row['code']}")] = f"{row['position']:06d}"
    return labels


# -- prices --------------------------------------------------------------------------------------


def tier_table(book: PriceBook, sku: str, parent_sku: str) -> list[dict[str, Any]]:
    """The quantity breaks this buyer gets: every break a candidate list holds for the SKU (or its
    parent), each priced by the engine; a break that does not change the price is left out."""
    breaks = sorted(
        {
            tier.min_quantity
            for price_list in book.lists
            for tier in (price_list.entries.get(sku) or price_list.entries.get(parent_sku) or ())
        }
    )
    rows: list[dict[str, Any]] = []
    for quantity in breaks:
        result = book.price(sku, quantity)
        if result.found and (not rows or rows[-1]["unit"] != result.unit_display):
            rows.append({"quantity": quantity, "unit": result.unit_display})
    return rows if len(rows) > 1 else []


def price_view(result: PriceResult | None) -> dict[str, Any] | None:
    if result is None or not result.found:
        return None
    return {
        "unit": result.unit_display,
        "line": result.line_display,
        "currency": result.currency,
        "msrp": result.msrp if result.msrp is not None and result.msrp > result.unit_display else None,
    }


def live_price(
    shopper: Shopper, detail: dict[str, Any], quantity: int | None, options: dict[str, list[str]]
) -> dict[str, Any]:
    """The price of the configured line, asked the way the cart asks: checkout's line rules accept
    (or refuse) the SKU, quantity and bundle choices, and `price_cart` prices the accepted line."""
    sku = detail["sku"]
    if quantity is None:
        return {"error": _("Enter a whole number.")}
    answer = evaluate(
        channel=shopper.channel,
        customer=shopper.user,
        buyer=shopper.buyer,
        requested=[RequestedLine(sku=sku, quantity=quantity, options=options)],
    )[0]
    if not answer.accepted:
        return {"error": answer.message, "quantity": quantity}
    context = load_pricing_context(
        channel=shopper.channel,
        skus=priced_skus([(sku, answer.options)]),
        customer=shopper.user,
        buyer=shopper.buyer,
        with_promotions=True,
    )
    result = price_cart(context, [pricing_line(sku, answer.quantity, answer.options)], ())
    line = result.lines[0]
    names = {
        option["sku"]: option["name"]
        for group in (detail.get("bundle") or {}).get("groups", [])
        for option in group["options"]
    }
    return {
        "quantity": answer.quantity,
        "note": answer.message,
        "total": line.display_total,
        "currency": result.currency,
        "including_tax": result.prices_shown_including_tax,
        "choices": [
            {"group": group, "names": [names.get(choice, choice) for choice in chosen]}
            for group, chosen in (answer.options.get("choices") or {}).items()
        ],
    }


# -- the page ------------------------------------------------------------------------------------


def _gallery(media: dict[str, Any], chosen: str | None) -> list[dict[str, Any]]:
    """The chosen variant's own pictures first, then the product's; other variants' are left out."""
    own = [image for image in media["images"] if image["variant_sku"] is None]
    if chosen:
        return [image for image in media["images"] if image["variant_sku"] == chosen] + own
    return own or media["images"]


def _sized(image: dict[str, Any], size: str) -> str:
    """The URL of a rendition; an imported picture kept elsewhere has only its own URL."""
    return (image["renditions"].get(size) or {}).get("url") or image["url"]


def _alt(image: dict[str, Any], fallback: str) -> str:
    language = (get_language() or "en").split("-")[0]
    return (image["alt_text_nl"] if language == "nl" else "") or image["alt_text"] or fallback


def _related(detail: dict[str, Any], book: PriceBook) -> list[dict[str, Any]]:
    """Relations grouped by kind, each product with its price and first picture (two queries for
    all of them). `product_detail` already left out what the viewer may not see, so the products
    are looked up by SKU alone."""
    relations = detail["relations"]
    if not relations:
        return []
    ids = dict(Product.objects.filter(sku__in=[relation["sku"] for relation in relations]).values_list("sku", "id"))
    pictures = media_for_products(ids.values())
    groups: dict[str, list[dict[str, Any]]] = {}
    for relation in relations:
        if relation["sku"] not in ids:
            continue
        summary = pictures.get(ids[relation["sku"]])
        groups.setdefault(relation["kind"], []).append(
            {
                "sku": relation["sku"],
                "name": relation["name"],
                "price": price_view(book.price(relation["sku"], 1)),
                "image": summary.primary_image if summary else None,
            }
        )
    titles = {
        "accessory": _("Accessories"),
        "cross_sell": _("Often bought with it"),
        "up_sell": _("You may also like"),
        "related": _("Related products"),
        "replacement": _("Replacement parts"),
    }
    return [
        {"kind": kind, "title": titles.get(kind, kind), "products": groups[kind]}
        for kind in RELATION_ORDER
        if kind in groups
    ]


def json_ld(detail: dict[str, Any], shown: dict[str, Any], request: HttpRequest) -> SafeString:
    """schema.org Product data, escaped like json_script so that no value can end the element."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": shown["name"],
        "sku": shown["sku"],
        "description": strip_tags(shown["description"])[:5000],
        "url": request.build_absolute_uri(reverse("product", args=[detail["sku"]])),
    }
    if shown["gtin"]:
        data["gtin"] = shown["gtin"]
    if detail.get("mpn"):
        data["mpn"] = detail["mpn"]
    if detail.get("brand"):
        data["brand"] = {"@type": "Brand", "name": detail["brand"]["name"]}
    if shown["images"]:
        data["image"] = [request.build_absolute_uri(image["url"]) for image in shown["images"][:5]]
    price = shown["price"]
    if price is not None:
        offer: dict[str, Any] = {
            "@type": "Offer",
            "price": str(price["unit"]),
            "priceCurrency": price["currency"],
            "url": data["url"] + (f"?{urlencode({'variant': shown['sku']})}" if shown["sku"] != detail["sku"] else ""),
        }
        if shown["availability"] is not None:
            offer["availability"] = SCHEMA_AVAILABILITY[shown["availability"].state]
        data["offers"] = offer
    elif shown["from_price"] is not None:
        # A configurable before a variant is chosen: the range its variants start at.
        data["offers"] = {
            "@type": "AggregateOffer",
            "lowPrice": str(shown["from_price"]),
            "priceCurrency": shown["currency"],
            "offerCount": len(detail["variants"]),
        }
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(JSON_SCRIPT_ESCAPES)
    return mark_safe(text)  # noqa: S308 (escaped above, as json_script does)


def product_context(request: HttpRequest, shopper: Shopper, detail: dict[str, Any]) -> dict[str, Any]:
    variants = {variant["sku"]: variant for variant in detail["variants"]}
    chosen = request.GET.get("variant") or None
    if chosen is not None and chosen not in variants:
        raise Http404(_("No such variant."))
    identity = product_media_owner(detail["sku"])
    media = product_media(identity)
    bundle = detail.get("bundle")
    option_skus = [option["sku"] for group in (bundle or {}).get("groups", []) for option in group["options"]]
    related_skus = [relation["sku"] for relation in detail["relations"]]
    component_skus = [component["sku"] for component in detail["components"]]
    priced = list(dict.fromkeys([detail["sku"], *variants, *option_skus, *related_skus, *component_skus]))
    context = load_pricing_context(channel=shopper.channel, skus=priced, customer=shopper.user, buyer=shopper.buyer)
    book = PriceBook(context)
    stock = availability([detail["sku"], *variants, *option_skus], channel_code=shopper.channel.code)
    shown_sku = chosen or detail["sku"]
    shown_variant = variants.get(chosen or "")
    labels = _option_labels(detail["variant_attributes"])
    name = _translated(detail, "name")
    gallery = _gallery(media, chosen)
    for image in gallery:
        image.update(
            alt=_alt(image, name),
            thumb=_sized(image, "thumb"),
            medium=_sized(image, "medium"),
            large=_sized(image, "large"),
        )
    spin_sets = [
        {
            **spin,
            "urls": " ".join(_sized(frame, "medium") for frame in spin["frames"]),
            "first_url": _sized(spin["frames"][0], "medium"),
        }
        for spin in media["spin_sets"]
        if spin["frames"]
    ]
    minimum = max(detail["min_order_qty"] or 1, 1)
    step = max(detail["order_increment"] or 1, 1)
    price = price_view(book.price(shown_sku, minimum))
    from_price = None
    if detail["kind"] == "configurable" and chosen is None:
        found = [book.price(sku, 1) for sku in variants]
        from_price = min((result.unit_display for result in found if result.found), default=None)
    # Without JavaScript the form's "Update price" button comes back here with the choices.
    selected_options = requested_options(request.GET, detail)
    shown = {
        "sku": shown_sku,
        "name": shown_variant["name"] if shown_variant else name,
        "gtin": (shown_variant or {}).get("gtin") or detail["gtin"],
        "description": _translated(detail, "description"),
        "images": gallery,
        "price": price,
        "availability": stock.get(shown_sku),
        "from_price": from_price,
        "currency": context.currency,
    }
    bundle_groups = _bundle_groups(bundle, selected_options, book)
    if bundle is not None:
        shown["availability"] = bundle_availability(detail["sku"], bundle_groups, stock)
    configured = None
    if selected_options or "quantity" in request.GET:
        configured = live_price(
            shopper, {**detail, "sku": shown_sku}, requested_quantity(request.GET, minimum), selected_options
        )
    return {
        "product": detail,
        "shown": shown,
        "name": name,
        "seo_title": f"{shown['name']} ({shown_sku})",
        "seo_description": (strip_tags(shown["description"]).strip() or shown["name"])[:160],
        "chosen_variant": chosen,
        "selector": variant_selector(detail, chosen, stock, labels) if detail["kind"] == "configurable" else [],
        "from_price": from_price,
        "currency": context.currency,
        "including_tax": context.tax.prices_shown_including_tax,
        "tiers": tier_table(book, shown_sku, detail["sku"] if chosen else ""),
        "bundle_groups": bundle_groups,
        "configured": configured,
        "components": detail["components"],
        "spin_sets": spin_sets,
        "models": media["models"],
        "model_viewer": model_viewer_installed(),
        "documents": [
            {**document, "kind_label": DOCUMENT_KINDS.get(document["kind"], document["kind"])}
            for document in media["documents"]
        ],
        "related": _related(detail, book),
        "minimum": minimum,
        "step": step,
        "can_add": detail["kind"] != "configurable" or chosen is not None,
        # Without a price or stock the cart would refuse the line; a bundle without choices says why there.
        "orderable": price is not None and (shown["availability"] is None or shown["availability"].can_order),
        "requisition_lists": shopper.buyer.company_key is not None,
        "attributes": detail["attribute_details"],
        "json_ld": json_ld(detail, shown, request),
    }


def _bundle_groups(
    bundle: dict[str, Any] | None, selected: dict[str, list[str]], book: PriceBook
) -> list[dict[str, Any]]:
    """A bundle's groups for the form: one choice (radio) or several (checkboxes), the defaults
    ticked unless the buyer chose, each option with its own price for reference."""
    if bundle is None:
        return []
    groups = []
    for group in bundle["groups"]:
        chosen = selected.get(group["code"])
        options = [
            {
                **option,
                "checked": option["sku"] in chosen if chosen is not None else option["default"],
                "price": price_view(book.price(option["sku"], max(option["quantity"], 1))),
            }
            for option in group["options"]
        ]
        groups.append(
            {
                **group,
                "single": group["max"] == 1,
                "field": OPTION_PREFIX + group["code"],
                "options": options,
                "none_checked": not any(option["checked"] for option in options),
            }
        )
    return groups


def bundle_availability(
    sku: str, groups: list[dict[str, Any]], stock: dict[str, SkuAvailability]
) -> SkuAvailability | None:
    """A bundle is as available as the least available of the options ticked: checkout takes its
    stock from those components, not from the bundle's own SKU."""
    parts = [
        stock[option["sku"]]
        for group in groups
        for option in group["options"]
        if option["checked"] and option["sku"] in stock
    ]
    if not parts:
        return None
    least = min(parts, key=lambda part: (part.can_order, part.salable))
    return SkuAvailability(
        sku, least.state, least.salable, all(part.can_order for part in parts), least.expected_on, ()
    )


def product_media_owner(sku: str) -> Product:
    """The product row (id and kind only) whose media the page shows. `product_detail` checked
    that the viewer may see it, so a plain lookup by the unique SKU will do."""
    return Product.objects.only("id", "kind").get(sku=sku)


@require_GET
def product_page(request: HttpRequest, sku: str) -> HttpResponse:
    if "csrfmiddlewaretoken" in request.GET:
        # The no-JavaScript "Update price" button sends the whole buy form here; keep the token
        # out of the address bar and history.
        kept = [(key, value) for key, values in request.GET.lists() if key != "csrfmiddlewaretoken" for value in values]
        return redirect(f"{request.path}?{urlencode(kept)}")
    shopper = shopper_of(request)
    detail = _detail(shopper, sku)
    if detail["parent_sku"]:
        # A variant's own address shows its configurable with the variant chosen.
        return redirect(f"{reverse('product', args=[detail['parent_sku']])}?{urlencode({'variant': sku})}")
    context = product_context(request, shopper, detail)
    if request.htmx and request.htmx.target == "product-main":
        return render(request, "storefront/product/_main.html", context)
    return render(request, "storefront/product/page.html", context)


@require_GET
def product_price(request: HttpRequest, sku: str) -> HttpResponse:
    """The live price of the configured line (quantity and bundle choices), as a fragment."""
    shopper = shopper_of(request)
    detail = _detail(shopper, sku)
    minimum = max(detail["min_order_qty"] or 1, 1)
    configured = live_price(
        shopper, detail, requested_quantity(request.GET, minimum), requested_options(request.GET, detail)
    )
    # htmx swaps only successful answers; a plain request gets the 422 a refusal deserves.
    status = 422 if "error" in configured and not request.htmx else 200
    return render(
        request, "storefront/product/_live_price.html", {"product": detail, "configured": configured}, status=status
    )
