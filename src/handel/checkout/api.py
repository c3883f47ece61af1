"""The checkout API: carts, quick order, reorder, addresses, delivery, payment methods, placement.

Guests use their cart by its unguessable id (also kept in the `handel_cart` cookie and the
session); signed-in customers (session or bearer token) their own carts; staff the carts they
build on a customer's behalf (permission orders.add_order, token scope orders:write).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from ninja import File, Router, Status
from ninja.decorators import decorate_view
from ninja.files import UploadedFile

from handel.channels.queries import channel_for_request
from handel.checkout import placement as placing
from handel.checkout import queries, services
from handel.checkout.lines import RequestedLine
from handel.checkout.schemas import (
    AddressesIn,
    CouponIn,
    CreateCartIn,
    DeliveryIn,
    LinesIn,
    LineUpdateIn,
    PlaceOrderIn,
    QuickOrderIn,
    ReorderIn,
    cart_out,
    options_out,
    placement_out,
    quick_answers_out,
)
from handel.checkout.uploads import read_upload
from handel.core.api import bearer_auth, require_scope, require_staff, require_user
from handel.core.errors import InvalidInput, NotAuthenticated, NotFound, field_error
from handel.core.idempotency import idempotent

router = Router(tags=["checkout"])
CART_COOKIE = "handel_cart"
CART_COOKIE_AGE = 60 * 60 * 24 * 30


def _caller(request: HttpRequest) -> Any:
    """The signed-in user (bearer token or session), or None for a guest."""
    if request.headers.get("Authorization"):
        user = bearer_auth(request)
        if user is None:
            raise NotAuthenticated("the bearer token is not valid")
        return user
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def _answer(priced: queries.PricedCheckout) -> dict[str, Any]:
    return cart_out(priced)


@router.post("/carts", response={201: dict}, operation_id="create_cart", auth=None)
def create_cart(request: HttpRequest, response: HttpResponse, payload: CreateCartIn | None = None) -> Any:
    """A new cart (a signed-in customer gets their open cart back). Staff with orders.add_order
    pass `customer_email` to build a cart on that customer's behalf, priced for that customer."""
    user = _caller(request)
    channel = channel_for_request(request)
    if channel is None:
        raise NotFound("no active channel")
    customer = None
    if payload is not None and payload.customer_email:
        staff = require_staff(request, "orders.add_order", scope="orders:write")
        customer = get_user_model().objects.filter(email__iexact=payload.customer_email.strip()).first()
        if customer is None:
            raise InvalidInput("no such customer", errors=[field_error(["body", "customer_email"], "unknown")])
        user = staff
    cart = services.create_cart(channel=channel, user=user, customer=customer)
    if user is None:
        request.session[CART_COOKIE] = str(cart.public_id)
        response.set_cookie(
            CART_COOKIE,
            str(cart.public_id),
            max_age=CART_COOKIE_AGE,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure(),
        )
    return Status(201, _answer(services.remember_total(cart)))


@router.get("/carts/{cart_id}", response=dict, operation_id="get_cart", auth=None)
def get_cart(request: HttpRequest, cart_id: UUID) -> Any:
    """The cart priced now: prices, promotions, coupons, tax and delivery are re-checked on every read."""
    cart = queries.cart_for(cart_id, _caller(request))
    return _answer(queries.price_checkout(cart))


@router.post("/carts/{cart_id}/lines", response=dict, operation_id="add_cart_lines", auth=None)
def add_cart_lines(request: HttpRequest, cart_id: UUID, payload: LinesIn) -> Any:
    requested = [RequestedLine(line.sku.strip(), line.quantity, line.options, line.note) for line in payload.lines]
    return _answer(services.add_lines(public_id=cart_id, user=_caller(request), requested=requested))


@router.patch("/carts/{cart_id}/lines/{line_id}", response=dict, operation_id="update_cart_line", auth=None)
def update_cart_line(request: HttpRequest, cart_id: UUID, line_id: int, payload: LineUpdateIn) -> Any:
    """Change a line's quantity or note, or move it to and from 'saved for later'."""
    return _answer(
        services.update_line(
            public_id=cart_id,
            user=_caller(request),
            line_id=line_id,
            quantity=payload.quantity,
            note=payload.note,
            saved_for_later=payload.saved_for_later,
        )
    )


@router.delete("/carts/{cart_id}/lines/{line_id}", response=dict, operation_id="remove_cart_line", auth=None)
def remove_cart_line(request: HttpRequest, cart_id: UUID, line_id: int) -> Any:
    return _answer(services.remove_line(public_id=cart_id, user=_caller(request), line_id=line_id))


@router.post("/carts/{cart_id}/coupons", response=dict, operation_id="apply_coupon", auth=None)
def apply_coupon(request: HttpRequest, cart_id: UUID, payload: CouponIn) -> Any:
    return _answer(services.apply_coupon(public_id=cart_id, user=_caller(request), code=payload.code))


@router.delete("/carts/{cart_id}/coupons/{code}", response=dict, operation_id="remove_coupon", auth=None)
def remove_coupon(request: HttpRequest, cart_id: UUID, code: str) -> Any:
    return _answer(services.remove_coupon(public_id=cart_id, user=_caller(request), code=code))


@router.post("/carts/{cart_id}/quick-order", response=dict, operation_id="quick_order", auth=None)
def quick_order(request: HttpRequest, cart_id: UUID, payload: QuickOrderIn) -> Any:
    """Many SKUs and quantities at once; every line gets an answer (added, adjusted to the
    increment, unknown SKU, not in your assortment, below minimum, ...) and valid lines are added."""
    requested = [RequestedLine(line.sku.strip(), line.quantity) for line in payload.lines]
    return quick_answers_out(services.quick_order(public_id=cart_id, user=_caller(request), requested=requested))


@router.post("/carts/{cart_id}/quick-order/upload", response=dict, operation_id="quick_order_upload", auth=None)
def quick_order_upload(request: HttpRequest, cart_id: UUID, file: File[UploadedFile]) -> Any:
    """Quick order from a CSV or XLSX file: SKU in the first column, quantity in the second."""
    requested = read_upload(file.name or "", file.read())
    if not requested:
        raise InvalidInput("the file has no lines", errors=[field_error(["body", "file"], "no rows")])
    return quick_answers_out(services.quick_order(public_id=cart_id, user=_caller(request), requested=requested))


@router.post("/carts/{cart_id}/reorder", response=dict, operation_id="reorder", auth=None)
def reorder(request: HttpRequest, cart_id: UUID, payload: ReorderIn) -> Any:
    """Put a past order's lines into the cart at today's prices; the answer says what cannot be had."""
    user = require_user(request) if not request.headers.get("Authorization") else _caller(request)
    answers = services.reorder(public_id=cart_id, user=user, order_number=payload.order_number.strip())
    return {
        "lines": [answer.__dict__ for answer in answers],
        "added": sum(1 for answer in answers if answer.quantity > 0),
    }


@router.put("/carts/{cart_id}/addresses", response=dict, operation_id="set_addresses", auth=None)
def set_addresses(request: HttpRequest, cart_id: UUID, payload: AddressesIn) -> Any:
    """Shipping and billing address (new, or a saved one by id), email, and optionally further
    addresses with the lines that go to each (multi-address checkout)."""
    return _answer(
        services.set_addresses(
            public_id=cart_id,
            user=_caller(request),
            shipping=payload.shipping_address.dict() if payload.shipping_address else None,
            shipping_id=payload.shipping_address_id,
            billing=payload.billing_address.dict() if payload.billing_address else None,
            billing_id=payload.billing_address_id,
            billing_same_as_shipping=payload.billing_same_as_shipping,
            email=payload.email,
            extra={key: value.dict() for key, value in payload.extra_addresses.items()},
            line_addresses=payload.line_addresses,
        )
    )


@router.get("/carts/{cart_id}/delivery-options", response=dict, operation_id="list_delivery_options", auth=None)
def list_delivery_options(request: HttpRequest, cart_id: UUID) -> Any:
    """Delivery options for the cart and its destination, with their prices now."""
    cart = queries.cart_for(cart_id, _caller(request))
    return options_out(queries.price_checkout(cart))


@router.put("/carts/{cart_id}/delivery", response=dict, operation_id="set_delivery", auth=None)
def set_delivery(request: HttpRequest, cart_id: UUID, payload: DeliveryIn) -> Any:
    return _answer(services.set_delivery(public_id=cart_id, user=_caller(request), code=payload.code))


@router.get(
    "/carts/{cart_id}/payment-methods",
    response=list[dict[str, Any]],
    operation_id="list_checkout_payment_methods",
    auth=None,
)
def list_checkout_payment_methods(request: HttpRequest, cart_id: UUID) -> Any:
    """The payment methods this buyer may use for this cart (business methods for company buyers)."""
    cart = queries.cart_for(cart_id, _caller(request))
    return [
        {
            "code": method.code,
            "name": method.name,
            "online": method.online,
            "needs_po_number": method.needs_po_number,
            "instructions": method.instructions,
        }
        for method in placing.payment_methods(cart, queries.price_checkout(cart))
    ]


@router.post("/carts/{cart_id}/order", response={201: dict, 202: dict}, operation_id="place_order", auth=None)
@decorate_view(idempotent("place_order", path_is_capability=True))
def place_order(request: HttpRequest, cart_id: UUID, payload: PlaceOrderIn) -> Any:
    """Place the order: re-priced now (refused with `price-changed` when the total differs from
    `expected_total`, or the last total shown, unless `accept_price_change`), stock reserved,
    payment started. A company purchase that needs approval answers 202 with its purchase order.
    Send an `Idempotency-Key`: a retry returns the first answer and places nothing twice."""
    user = _caller(request)
    if getattr(request, "api_token", None) is not None:
        require_scope(request, "orders:write")
    request_data = placing.PlacementRequest(
        payment_method=payload.payment_method,
        expected_total=payload.expected_total,
        accept_price_change=payload.accept_price_change,
        card=payload.card.dict() if payload.card else None,
        return_url=payload.return_url,
        purchase_order_number=payload.purchase_order_number,
        notes=payload.notes,
    )
    placement = placing.place_order(public_id=cart_id, user=user, request=request_data)
    status = 202 if placement.purchase_order and not placement.order_number else 201
    return Status(status, placement_out(placement))


@router.post("/carts/{cart_id}/merge", response=dict, operation_id="merge_cart", auth=None)
def merge_cart(request: HttpRequest, cart_id: UUID) -> Any:
    """After sign-in: fold this guest cart into the customer's open cart (the storefront's login does it too)."""
    user = _caller(request) or require_user(request)
    cart = services.merge_guest_cart(guest_cart_id=cart_id, user=user)
    return _answer(queries.price_checkout(cart))
