"""Storefront pages for the cart, quick order and checkout, driving the checkout services the
way the checkout API does.

A guest's cart is found by its public id in a signed, HttpOnly cookie; a signed-in customer's
by their account (their open cart in this channel). At sign-in the guest cart joins the
customer's (`merge_at_login`). Every price shown comes from `price_checkout`, the price engine's
one way of pricing a cart, so the cart, the checkout, the order and its confirmation agree.
"""

from __future__ import annotations

import contextlib
import uuid
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.http.request import RawPostDataException
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from handel.channels.models import Channel
from handel.channels.queries import channel_for_request
from handel.checkout import placement, queries, services
from handel.checkout.lines import RequestedLine
from handel.checkout.models import Cart
from handel.checkout.schemas import cart_out, options_out
from handel.checkout.uploads import read_upload
from handel.core.errors import DomainError, InvalidInput, field_error
from handel.core.idempotency import HEADER, idempotent
from handel.core.whole_numbers import whole_number
from handel.customers.queries import addresses_of
from handel.orders.models import Order
from handel.payments.queries import payments_for
from handel.procurement.queries import purchase_orders_visible_to
from handel.search import queries as search_queries

CART_COOKIE = "handel_storefront_cart"
CART_COOKIE_SALT = "handel.storefront.cart"
CART_COOKIE_AGE = 60 * 60 * 24 * 30
PLACED_ORDERS = "handel_placed_orders"  # session: the order numbers this browser placed
QUICK_ORDER_ROWS = 10
MAX_QUICK_ORDER_ROWS = 50
ANSWER_LABELS = {
    "added": gettext_lazy("Added"),
    "adjusted": gettext_lazy("Adjusted to the order increment"),
    "unknown_sku": gettext_lazy("Unknown SKU"),
    "not_in_assortment": gettext_lazy("Not in your assortment"),
    "below_minimum": gettext_lazy("Below the minimum quantity"),
    "invalid_quantity": gettext_lazy("Not a valid quantity"),
    "no_price": gettext_lazy("No price for you"),
    "needs_choice": gettext_lazy("Needs a choice"),
}


# -- which cart --------------------------------------------------------------------------------------------


def _user(request: HttpRequest) -> Any:
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def _channel(request: HttpRequest) -> Channel:
    channel = channel_for_request(request)
    if channel is None:
        raise Http404("no sales channel")
    return channel


def guest_cart_id(request: HttpRequest) -> str | None:
    value = request.get_signed_cookie(CART_COOKIE, default=None, salt=CART_COOKIE_SALT, max_age=CART_COOKIE_AGE)
    return value or None


def current_cart(request: HttpRequest) -> Cart | None:
    """The open cart of this visitor: the customer's in this channel, or the guest's by cookie."""
    user = _user(request)
    if user is not None:
        return queries.open_cart_of(user, _channel(request).code)
    public_id = guest_cart_id(request)
    if public_id is None:
        return None
    try:
        cart = queries.cart_for(public_id, None)
    except DomainError:
        return None
    return cart if cart.status == Cart.Status.OPEN else None


def _cart_for_writing(request: HttpRequest) -> Cart:
    return current_cart(request) or services.create_cart(channel=_channel(request), user=_user(request))


def _keep_cart(request: HttpRequest, response: HttpResponse, cart: Cart) -> HttpResponse:
    if cart.customer_id is None:
        response.set_signed_cookie(
            CART_COOKIE,
            str(cart.public_id),
            salt=CART_COOKIE_SALT,
            max_age=CART_COOKIE_AGE,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure(),
        )
    return response


def merge_at_login(request: HttpRequest, response: HttpResponse) -> None:
    """Called by the login page once the customer is signed in: the guest cart joins theirs."""
    public_id = guest_cart_id(request)
    if public_id is None:
        return
    response.delete_cookie(CART_COOKIE)
    # A guest cart that was ordered or merged meanwhile has nothing left to merge.
    with contextlib.suppress(DomainError):
        services.merge_guest_cart(guest_cart_id=public_id, user=request.user)


def line_count(request: HttpRequest) -> int:
    """Lines in the visitor's cart (not saved for later), for the header."""
    if channel_for_request(request) is None:
        return 0
    cart = current_cart(request)
    return cart.lines.filter(saved_for_later=False).count() if cart is not None else 0


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next", "")
    return target if target.startswith("/") and not target.startswith("//") else default


def _whole_number(value: str | None, field: str, *, default: int | None = None) -> int:
    text = (value or "").strip()
    if not text and default is not None:
        return default
    try:
        return int(text)
    except ValueError:
        raise InvalidInput(
            _("The quantity must be a whole number."), errors=[field_error(["body", field], "not a whole number")]
        ) from None


def _messages_of(exc: DomainError) -> list[str]:
    return [str(error.get("msg")) for error in exc.errors if error.get("msg")] or [exc.detail]


# -- cart ----------------------------------------------------------------------------------------------------


def _cart_context(cart: Cart | None, priced: queries.PricedCheckout | None = None) -> dict[str, Any]:
    if cart is None:
        return {"cart": None}
    priced = priced or queries.price_checkout(cart)
    data = cart_out(priced)
    steps = {item.line.pk: [step.as_dict() for step in item.result.explanation] for item in priced.lines if item.result}
    for line in data["lines"]:
        line["explanation"] = steps.get(line["id"], [])
        line["choices"] = (line["options"] or {}).get("choices") or {}
    return {"cart": data, "has_lines": bool(data["lines"]), "cart_model": cart}


def _render_cart(request: HttpRequest, cart: Cart | None, *, status: int = 200, **extra: Any) -> HttpResponse:
    return render(request, "storefront/checkout/cart.html", {**_cart_context(cart), **extra}, status=status)


@require_GET
def cart_view(request: HttpRequest) -> HttpResponse:
    return _render_cart(request, current_cart(request))


@require_POST
def cart_add(request: HttpRequest) -> HttpResponse:
    """Add one product (a bundle with its choices: `option-<group>` fields, one SKU each)."""
    sku = request.POST.get("sku", "").strip()[:64]
    options = {
        key.removeprefix("option-"): [value for value in request.POST.getlist(key) if value]
        for key in request.POST
        if key.startswith("option-")
    }
    target = _safe_next(request, reverse("cart"))
    cart = None
    try:
        quantity = _whole_number(request.POST.get("quantity"), "quantity", default=1)
        if not sku:
            raise InvalidInput(_("Choose a product."), errors=[field_error(["body", "sku"], "required")])
        cart = _cart_for_writing(request)
        services.add_lines(
            public_id=cart.public_id,
            user=_user(request),
            requested=[RequestedLine(sku, quantity, options, request.POST.get("note", ""))],
        )
    except DomainError as exc:
        for text in _messages_of(exc):
            messages.error(request, text)
        # A cart made for this refused line is the guest's from now on, not a stray row.
        return _keep_cart(request, redirect(target), cart) if cart is not None else redirect(target)
    messages.success(request, _("%(quantity)s x %(sku)s is in your cart.") % {"quantity": quantity, "sku": sku})
    return _keep_cart(request, redirect(target), cart)


def _cart_or_404(request: HttpRequest) -> Cart:
    cart = current_cart(request)
    if cart is None:
        raise Http404("no cart")
    return cart


@require_POST
def cart_line(request: HttpRequest, line_id: int) -> HttpResponse:
    """Change a line: quantity and note, remove it, or move it to and from 'saved for later'."""
    cart = _cart_or_404(request)
    action = request.POST.get("action", "update")
    user = _user(request)
    try:
        if action == "remove":
            services.remove_line(public_id=cart.public_id, user=user, line_id=line_id)
            messages.success(request, _("The line is removed."))
        elif action in ("save", "restore"):
            services.update_line(public_id=cart.public_id, user=user, line_id=line_id, saved_for_later=action == "save")
            messages.success(request, _("Saved for later.") if action == "save" else _("Moved to your cart."))
        else:
            quantity = _whole_number(request.POST.get("quantity"), "quantity")
            note = request.POST.get("note")
            services.update_line(public_id=cart.public_id, user=user, line_id=line_id, quantity=quantity, note=note)
            messages.success(request, _("Your cart is updated."))
    except DomainError as exc:
        return _render_cart(request, cart, status=exc.status, line_errors={line_id: "; ".join(_messages_of(exc))})
    return redirect("cart")


@require_POST
def coupon_apply(request: HttpRequest) -> HttpResponse:
    cart = current_cart(request)
    if cart is None:
        return _render_cart(request, None, status=422, coupon_error=_("Your cart is empty."))
    try:
        services.apply_coupon(public_id=cart.public_id, user=_user(request), code=request.POST.get("code", ""))
    except DomainError as exc:
        return _render_cart(request, cart, status=exc.status, coupon_error=exc.detail)
    messages.success(request, _("The coupon is applied."))
    return redirect("cart")


@require_POST
def coupon_remove(request: HttpRequest, code: str) -> HttpResponse:
    cart = _cart_or_404(request)
    try:
        services.remove_coupon(public_id=cart.public_id, user=_user(request), code=code)
    except DomainError as exc:
        return _render_cart(request, cart, status=exc.status, coupon_error=exc.detail)
    messages.success(request, _("The coupon is removed."))
    return redirect("cart")


# -- quick order ---------------------------------------------------------------------------------------------


def _typed_lines(request: HttpRequest) -> list[RequestedLine]:
    lines = []
    for index in range(MAX_QUICK_ORDER_ROWS):
        sku = request.POST.get(f"sku-{index}", "").strip()[:64]
        if not sku:
            continue
        text = request.POST.get(f"quantity-{index}", "").strip() or "1"
        # An unreadable quantity still becomes a line (0), so it gets its own answer.
        quantity = whole_number(text.removeprefix("-"), digits=7)
        lines.append(RequestedLine(sku, -quantity if quantity is not None and text.startswith("-") else quantity or 0))
    return lines


@require_http_methods(["GET", "POST"])
def quick_order(request: HttpRequest) -> HttpResponse:
    """Many SKUs at once, typed or from a CSV/XLSX file; every line gets its answer and the valid
    ones go into the cart."""
    try:
        rows = min(max(int(request.GET.get("rows", QUICK_ORDER_ROWS)), 1), MAX_QUICK_ORDER_ROWS)
    except ValueError:
        rows = QUICK_ORDER_ROWS
    context: dict[str, Any] = {"rows": range(rows), "more_rows": min(rows + 10, MAX_QUICK_ORDER_ROWS)}
    if request.method != "POST":
        return render(request, "storefront/checkout/quick_order.html", context)
    try:
        requested = _typed_lines(request)
        upload = request.FILES.get("file")
        if upload is not None:
            requested += read_upload(upload.name or "", upload.read())
        if not requested:
            raise InvalidInput(
                _("Type at least one SKU or choose a file."), errors=[field_error(["body", "lines"], "no lines")]
            )
        cart = _cart_for_writing(request)
        answers = services.quick_order(public_id=cart.public_id, user=_user(request), requested=requested)
    except DomainError as exc:
        context["error"] = exc.detail
        return render(request, "storefront/checkout/quick_order.html", context, status=exc.status)
    context["answers"] = [
        {
            "line": answer.index + 1,
            "sku": answer.sku,
            "requested": answer.requested,
            "quantity": answer.quantity,
            "accepted": answer.accepted,
            "label": ANSWER_LABELS.get(answer.status, answer.status),
            "message": answer.message,
        }
        for answer in answers
    ]
    context["added"] = sum(1 for answer in answers if answer.accepted)
    return _keep_cart(request, render(request, "storefront/checkout/quick_order.html", context), cart)


@require_GET
def sku_suggestions(request: HttpRequest) -> HttpResponse:
    """<option>s for the quick-order SKU inputs' datalist (htmx), from the search autocomplete."""
    query = request.GET.get("q", "") or next(
        (str(value) for key, value in request.GET.items() if key.startswith("sku-") and value), ""
    )
    products: list[dict[str, Any]] = []
    if len(query.strip()) >= 2:
        user = _user(request)
        group = getattr(getattr(user, "customer_group", None), "code", None) if user is not None else None
        found = search_queries.autocomplete(
            channel_code=_channel(request).code, query=query.strip()[:100], customer_group_code=group, limit=8
        )
        products = found["products"]
    return render(request, "storefront/checkout/sku_suggestions.html", {"products": products})


# -- checkout ------------------------------------------------------------------------------------------------


class CheckoutAddressForm(forms.Form):
    first_name = forms.CharField(label=gettext_lazy("First name"), max_length=100)
    last_name = forms.CharField(label=gettext_lazy("Last name"), max_length=100)
    company_name = forms.CharField(label=gettext_lazy("Company"), max_length=200, required=False)
    street = forms.CharField(label=gettext_lazy("Street and number"), max_length=200)
    street2 = forms.CharField(label=gettext_lazy("Address line 2"), max_length=200, required=False)
    postal_code = forms.CharField(label=gettext_lazy("Postal code"), max_length=20)
    city = forms.CharField(label=gettext_lazy("City"), max_length=100)
    region = forms.CharField(label=gettext_lazy("Region"), max_length=100, required=False)
    country = forms.CharField(label=gettext_lazy("Country code"), max_length=2)
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=40, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("use_required_attribute", False)  # a saved address may stand in for these fields
        super().__init__(*args, **kwargs)
        autocomplete = {"first_name": "given-name", "last_name": "family-name", "street": "address-line1"}
        autocomplete |= {"street2": "address-line2", "postal_code": "postal-code", "city": "address-level2"}
        autocomplete |= {"country": "country", "phone": "tel", "company_name": "organization"}
        for name, value in autocomplete.items():
            self.fields[name].widget.attrs["autocomplete"] = f"section-{self.prefix} {value}"


def _address_forms(request: HttpRequest, cart: Cart) -> tuple[CheckoutAddressForm, CheckoutAddressForm]:
    if request.method == "POST" and request.POST.get("step") == "addresses":
        return CheckoutAddressForm(request.POST, prefix="ship"), CheckoutAddressForm(request.POST, prefix="bill")
    return (
        CheckoutAddressForm(initial=cart.shipping_address or {}, prefix="ship"),
        CheckoutAddressForm(initial=cart.billing_address or {}, prefix="bill"),
    )


def _scheduled_days(options: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    """Scheduled-delivery options by day, so the page offers a day and its time slots."""
    days: dict[str, list[dict[str, Any]]] = {}
    for option in options:
        if option["kind"] == "scheduled":
            days.setdefault(option["details"]["date"], []).append(option)
    return list(days.items())


def _render_checkout(request: HttpRequest, cart: Cart, *, status: int = 200, **extra: Any) -> HttpResponse:
    priced = services.remember_total(cart)
    user = _user(request)
    shipping_form, billing_form = extra.pop("address_forms", None) or _address_forms(request, cart)
    billing_same = not cart.billing_address or cart.billing_address == cart.shipping_address
    delivery = options_out(priced)
    context = {
        **_cart_context(cart, priced),
        "shipping_form": shipping_form,
        "billing_form": billing_form,
        "billing_same": request.POST.get("billing_same") == "on" if request.method == "POST" else billing_same,
        "email": request.POST.get("email", cart.email) if request.method == "POST" else cart.email,
        "saved_addresses": list(addresses_of(user)) if user is not None else [],
        "addresses_done": bool(cart.shipping_address and cart.billing_address and cart.email),
        "delivery": delivery,
        "scheduled_days": _scheduled_days(delivery["items"]),
        "methods": placement.payment_methods(cart, priced),
        "chosen_method": request.POST.get("payment_method", ""),
        "purchase_order_number": request.POST.get("purchase_order_number", cart.purchase_order_number),
        "expected_total": priced.totals.grand_total,
        # A new key per page: submitting this page twice places one order.
        "idempotency_key": uuid.uuid4().hex,
        **extra,
    }
    return render(request, "storefront/checkout/checkout.html", context, status=status)


def _checkout_cart(request: HttpRequest) -> Cart | None:
    cart = current_cart(request)
    if cart is None or not cart.lines.filter(saved_for_later=False).exists():
        messages.error(request, _("Your cart is empty."))
        return None
    return cart


@require_GET
def checkout(request: HttpRequest) -> HttpResponse:
    cart = _checkout_cart(request)
    return redirect("cart") if cart is None else _render_checkout(request, cart)


def _address_data(form: CheckoutAddressForm) -> dict[str, str]:
    return {name: str(form.data.get(form.add_prefix(name), "")).strip() for name in form.fields}


@require_POST
def checkout_addresses(request: HttpRequest) -> HttpResponse:
    cart = _checkout_cart(request)
    if cart is None:
        return redirect("cart")
    shipping_form, billing_form = _address_forms(request, cart)
    billing_same = request.POST.get("billing_same") == "on"
    try:
        shipping_id = int(request.POST["shipping_address_id"]) if request.POST.get("shipping_address_id") else None
        billing_id = int(request.POST["billing_address_id"]) if request.POST.get("billing_address_id") else None
    except ValueError:
        shipping_id = billing_id = -1  # no such saved address: the service says so
    try:
        services.set_addresses(
            public_id=cart.public_id,
            user=_user(request),
            shipping=None if shipping_id is not None else _address_data(shipping_form),
            shipping_id=shipping_id,
            billing=None if billing_same or billing_id is not None else _address_data(billing_form),
            billing_id=None if billing_same else billing_id,
            billing_same_as_shipping=billing_same,
            email=request.POST.get("email", "").strip(),
        )
    except DomainError as exc:
        forms_by_location = {"shipping_address": shipping_form, "billing_address": billing_form}
        for error in exc.errors:
            location = [str(part) for part in error.get("loc", [])]
            target = forms_by_location.get(location[1]) if len(location) > 2 else None
            # The form's own check of a field first (e.g. required), else the service's answer.
            if target is not None and location[-1] in target.fields and target.errors.get(location[-1]) is None:
                target.add_error(location[-1], str(error.get("msg")))
        return _render_checkout(
            request, cart, status=exc.status, address_error=exc.detail, address_forms=(shipping_form, billing_form)
        )
    return redirect(reverse("checkout") + "#delivery")


@require_POST
def checkout_delivery(request: HttpRequest) -> HttpResponse:
    cart = _checkout_cart(request)
    if cart is None:
        return redirect("cart")
    try:
        services.set_delivery(public_id=cart.public_id, user=_user(request), code=request.POST.get("code", ""))
    except DomainError as exc:
        return _render_checkout(request, cart, status=exc.status, delivery_error=exc.detail)
    return redirect(reverse("checkout") + "#payment")


def _placement_request(request: HttpRequest, return_url: str) -> placement.PlacementRequest:
    method = request.POST.get("payment_method", "")
    try:
        expected = Decimal(request.POST.get("expected_total", ""))
    except InvalidOperation:
        expected = None
    card = None
    if method == "card":
        card = {
            "number": request.POST.get("card_number", "")[:30],
            "expiry": request.POST.get("card_expiry", "")[:7],
            "cvc": request.POST.get("card_cvc", "")[:4],
            "holder": request.POST.get("card_holder", "")[:100],
        }
    return placement.PlacementRequest(
        payment_method=method,
        expected_total=expected,
        card=card,
        return_url=return_url,
        purchase_order_number=request.POST.get("purchase_order_number", "")[:50],
        notes=request.POST.get("notes", "")[:2000],
    )


@idempotent("storefront_place_order")
def _place(request: HttpRequest, cart: Cart | None) -> HttpResponse:
    """Place the order; the answer is where the buyer goes next, kept with the page's key so that
    a second submit of the same page gets the same answer and places nothing."""
    if cart is None:
        raise InvalidInput(_("Your cart is empty."), slug="cart-empty", errors=[field_error(["body"], "no cart")])
    result = placement.place_order(
        public_id=cart.public_id, user=_user(request), request=_placement_request(request, reverse("checkout_paid"))
    )
    number = result.order_number or result.purchase_order
    placed = request.session.get(PLACED_ORDERS, [])
    request.session[PLACED_ORDERS] = [*placed[-19:], number]
    target = result.payment_action_url or reverse("checkout_done", args=[number])
    return HttpResponse(target, status=201, content_type="text/plain")


@require_POST
def checkout_place(request: HttpRequest) -> HttpResponse:
    cart = current_cart(request)
    try:
        request.body  # noqa: B018 (the idempotency fingerprint hashes the body)
    except RawPostDataException:
        key = ""  # a multipart post (not the checkout page's form) goes without the page's key
    else:
        key = request.POST.get("idempotency_key", "")[:64]
    if key:
        # The page's key travels as the Idempotency-Key the API's placements use.
        request.META["HTTP_" + HEADER.upper().replace("-", "_")] = key
        request.__dict__.pop("headers", None)
    try:
        answer = _place(request, cart)
    except DomainError as exc:
        if cart is None:
            messages.error(request, exc.detail)
            return redirect("cart")
        return _render_checkout(request, cart, status=exc.status, place_error=exc.detail, place_errors=exc.errors)
    if answer.status_code != 201:
        messages.error(request, _("This checkout page was sent already; see your orders, or reload the checkout."))
        return redirect("cart")
    return redirect(answer.content.decode())


@require_GET
def checkout_paid(request: HttpRequest) -> HttpResponse:
    """Where the card issuer's 3-D Secure page sends the buyer back: their latest order."""
    placed = request.session.get(PLACED_ORDERS, [])
    if not placed:
        return redirect("cart")
    return redirect("checkout_done", number=placed[-1])


@require_GET
def checkout_done(request: HttpRequest, number: str) -> HttpResponse:
    """The confirmation of an order this visitor placed, or of a purchase awaiting approval."""
    user = _user(request)
    placed_here = number in request.session.get(PLACED_ORDERS, [])
    purchase = purchase_orders_visible_to(user).filter(number=number).first() if user is not None else None
    if purchase is not None:
        return render(request, "storefront/checkout/awaiting_approval.html", {"purchase": purchase})
    order = Order.objects.prefetch_related("lines").filter(number=number).first()
    if order is None or not (placed_here or (user is not None and order.customer_id == user.pk)):
        raise Http404("no such order")
    payment = payments_for(number).last()
    return render(
        request,
        "storefront/checkout/done.html",
        {"order": order, "lines": list(order.lines.all()), "payment": payment},
    )
