"""Every write use case of carts: create, lines, coupons, merge at login, quick order, reorder,
addresses and delivery. Placing the order is in `placement`.

Each write runs in one durable transaction with its audit row; afterwards the cart is priced
again and the total the buyer is now shown is remembered (`Cart.shown_total`), so placement can
tell when a price changed since.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from handel.channels.models import Channel
from handel.checkout import lines as line_rules
from handel.checkout.lines import LineAnswer, RequestedLine
from handel.checkout.models import Cart, CartLine
from handel.checkout.queries import (
    PricedCheckout,
    buyer_of,
    cart_for,
    channel_of,
    open_cart_of,
    price_checkout,
)
from handel.core import audit
from handel.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied, field_error
from handel.customers.queries import addresses_of
from handel.customers.services import clean_email, validate_address
from handel.inventory.queries import availability
from handel.orders.queries import order_for
from handel.pricing.engine import normalise_coupon_code

MAX_LINES = 500
MAX_COUPONS = 5
ADDRESS_KEYS = (
    "first_name",
    "last_name",
    "company_name",
    "street",
    "street2",
    "postal_code",
    "city",
    "region",
    "country",
    "phone",
)


def _signed_in(user: Any) -> Any:
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def remember_total(cart: Cart) -> PricedCheckout:
    """Price the cart as the buyer will now see it and remember that total."""
    priced = price_checkout(cart)
    total = priced.totals.grand_total
    if cart.shown_total != total:
        Cart.objects.filter(pk=cart.pk).update(shown_total=total)
        cart.shown_total = total
    return priced


def _writable(public_id: Any, user: Any) -> Cart:
    cart = cart_for(public_id, user, for_update=True)
    if cart.status != Cart.Status.OPEN:
        raise Conflict(f"this cart is {cart.get_status_display().lower()}", slug="cart-closed")
    return cart


def create_cart(*, channel: Channel, user: Any = None, customer: Any = None) -> Cart:
    """A signed-in customer keeps one open cart per channel (returned if it exists); a guest gets
    a new one. Staff pass `customer` to build a cart on that customer's behalf, at their prices."""
    user = _signed_in(user)
    with transaction.atomic(durable=True):
        if customer is not None:
            if user is None or not user.is_staff:
                raise PermissionDenied("only staff create carts on a customer's behalf")
            cart = Cart.objects.create(
                channel_code=channel.code, customer=customer, placed_by_staff=user, email=customer.email
            )
            audit.record(actor=user, action="cart.created_on_behalf", obj=cart, data={"customer": customer.pk})
            return cart
        if user is not None:
            existing = open_cart_of(user, channel.code)
            if existing is not None:
                return existing
        cart = Cart.objects.create(channel_code=channel.code, customer=user, email=getattr(user, "email", "") or "")
        audit.record(actor=user, action="cart.created", obj=cart)
    return cart


def _next_position(cart: Cart) -> int:
    return (cart.lines.aggregate(top=Max("position"))["top"] or 0) + 1


def evaluate_for(cart: Cart, requested: Sequence[RequestedLine]) -> list[LineAnswer]:
    return line_rules.evaluate(
        channel=channel_of(cart), customer=cart.customer, buyer=buyer_of(cart), requested=requested
    )


def _store(cart: Cart, answers: Sequence[LineAnswer]) -> None:
    """Add accepted answers to the cart; a line like one already there adds to its quantity."""
    existing = {
        (line.sku, repr(sorted(line.options.items())), line.note): line
        for line in cart.lines.filter(saved_for_later=False)
    }
    if len(existing) + len(answers) > MAX_LINES:
        raise InvalidInput(
            f"a cart holds at most {MAX_LINES} lines", errors=[field_error(["body", "lines"], "too many lines")]
        )
    position = _next_position(cart)
    for answer in answers:
        if not answer.accepted:
            continue
        key = (answer.sku, repr(sorted(answer.options.items())), answer.note)
        line = existing.get(key)
        if line is not None:
            line.quantity += answer.quantity
            line.save(update_fields=["quantity"])
            continue
        existing[key] = CartLine.objects.create(
            cart=cart,
            sku=answer.sku,
            quantity=answer.quantity,
            options=answer.options,
            note=answer.note,
            position=position,
        )
        position += 1


def add_lines(*, public_id: Any, user: Any, requested: Sequence[RequestedLine]) -> PricedCheckout:
    """Add lines; every line must be acceptable as asked (quick order is the forgiving way)."""
    if not requested:
        raise InvalidInput("no lines given", errors=[field_error(["body", "lines"], "at least one line")])
    cart = cart_for(public_id, user)
    answers = evaluate_for(cart, requested)
    refused = [answer for answer in answers if answer.status != line_rules.ADDED]
    if refused:
        raise InvalidInput(
            "some lines cannot be added",
            errors=[
                field_error(
                    [
                        "body",
                        "lines",
                        answer.index,
                        "sku"
                        if answer.status in (line_rules.UNKNOWN_SKU, line_rules.NOT_IN_ASSORTMENT)
                        else "quantity",
                    ],
                    f"{answer.sku}: {answer.message or answer.status}",
                    answer.status,
                )
                for answer in refused
            ],
        )
    with transaction.atomic(durable=True):
        cart = _writable(public_id, user)
        _store(cart, answers)
        audit.record(
            actor=_signed_in(user),
            action="cart.lines_added",
            obj=cart,
            data={"lines": [[answer.sku, answer.quantity] for answer in answers]},
        )
    return remember_total(cart)


def update_line(
    *,
    public_id: Any,
    user: Any,
    line_id: int,
    quantity: int | None = None,
    note: str | None = None,
    saved_for_later: bool | None = None,
) -> PricedCheckout:
    cart = cart_for(public_id, user)
    line = cart.lines.filter(pk=line_id).first()
    if line is None:
        raise NotFound("no such line in this cart")
    if quantity is not None:
        answer = evaluate_for(cart, [RequestedLine(line.sku, quantity, line.options.get("choices") or {})])[0]
        if answer.status != line_rules.ADDED:
            raise InvalidInput(
                f"{line.sku}: {answer.message or answer.status}",
                errors=[field_error(["body", "quantity"], answer.message or answer.status, answer.status)],
            )
    with transaction.atomic(durable=True):
        cart = _writable(public_id, user)
        line = CartLine.objects.select_for_update().get(pk=line_id, cart=cart)
        if quantity is not None:
            line.quantity = quantity
        if note is not None:
            line.note = note.strip()[:500]
        if saved_for_later is not None:
            line.saved_for_later = saved_for_later
        line.save()
        audit.record(
            actor=_signed_in(user),
            action="cart.line_changed",
            obj=cart,
            data={"line": line.pk, "quantity": line.quantity, "saved_for_later": line.saved_for_later},
        )
    return remember_total(cart)


def remove_line(*, public_id: Any, user: Any, line_id: int) -> PricedCheckout:
    with transaction.atomic(durable=True):
        cart = _writable(public_id, user)
        if not cart.lines.filter(pk=line_id).delete()[0]:
            raise NotFound("no such line in this cart")
        audit.record(actor=_signed_in(user), action="cart.line_removed", obj=cart, data={"line": line_id})
    return remember_total(cart)


class CouponRefused(InvalidInput):
    slug = "coupon-refused"
    title = "The coupon cannot be used"


def apply_coupon(*, public_id: Any, user: Any, code: str) -> PricedCheckout:
    clean = normalise_coupon_code(code or "")
    if not clean or len(clean) > 40:
        raise InvalidInput("not a coupon code", errors=[field_error(["body", "code"], "1 to 40 characters")])
    cart = cart_for(public_id, user)
    if clean in cart.coupon_codes:
        return remember_total(cart)
    if len(cart.coupon_codes) >= MAX_COUPONS:
        raise InvalidInput(f"at most {MAX_COUPONS} coupons", errors=[field_error(["body", "code"], "too many")])
    cart.coupon_codes = [*cart.coupon_codes, clean]
    trial = price_checkout(cart, with_delivery=False)
    reason = dict(trial.result.rejected_coupons).get(clean)
    if reason is not None:
        raise CouponRefused(
            f"the coupon '{clean}' cannot be used: {reason}",
            errors=[field_error(["body", "code"], reason, "coupon_refused")],
        )
    with transaction.atomic(durable=True):
        cart = _writable(public_id, user)
        if clean not in cart.coupon_codes:
            cart.coupon_codes = [*cart.coupon_codes, clean]
            cart.save(update_fields=["coupon_codes", "updated_at"])
        audit.record(actor=_signed_in(user), action="cart.coupon_applied", obj=cart, data={"code": clean})
    return remember_total(cart)


def remove_coupon(*, public_id: Any, user: Any, code: str) -> PricedCheckout:
    clean = normalise_coupon_code(code or "")
    with transaction.atomic(durable=True):
        cart = _writable(public_id, user)
        if clean not in cart.coupon_codes:
            raise NotFound(f"the coupon '{clean}' is not on this cart")
        cart.coupon_codes = [item for item in cart.coupon_codes if item != clean]
        cart.save(update_fields=["coupon_codes", "updated_at"])
        audit.record(actor=_signed_in(user), action="cart.coupon_removed", obj=cart, data={"code": clean})
    return remember_total(cart)


def merge_guest_cart(*, guest_cart_id: Any, user: Any) -> Cart:
    """At sign-in: the guest cart's lines and coupons join the customer's open cart (which is
    created when there is none). Called by the storefront's login view."""
    user = _signed_in(user)
    if user is None:
        raise PermissionDenied("sign in first")
    with transaction.atomic(durable=True):
        guest = (
            Cart.objects.select_for_update()
            .filter(
                public_id=guest_cart_id, customer__isnull=True, placed_by_staff__isnull=True, status=Cart.Status.OPEN
            )
            .first()
        )
        if guest is None:
            raise NotFound("no such guest cart")
        target = open_cart_of(user, guest.channel_code)
        if target is None:
            guest.customer, guest.email = user, guest.email or user.email
            guest.save(update_fields=["customer", "email", "updated_at"])
            audit.record(actor=user, action="cart.claimed", obj=guest)
            return guest
        existing = {
            (line.sku, repr(sorted(line.options.items())), line.note, line.saved_for_later): line
            for line in target.lines.all()
        }
        position = _next_position(target)
        for line in guest.lines.all():
            key = (line.sku, repr(sorted(line.options.items())), line.note, line.saved_for_later)
            if key in existing:
                existing[key].quantity += line.quantity
                existing[key].save(update_fields=["quantity"])
            else:
                line.cart, line.position = target, position
                line.save(update_fields=["cart", "position"])
                position += 1
        target.coupon_codes = list(dict.fromkeys([*target.coupon_codes, *guest.coupon_codes]))[:MAX_COUPONS]
        target.save(update_fields=["coupon_codes", "updated_at"])
        guest.status = Cart.Status.MERGED
        guest.save(update_fields=["status", "updated_at"])
        audit.record(actor=user, action="cart.merged", obj=target, data={"from": str(guest.public_id)})
    remember_total(target)
    return target


def quick_order(*, public_id: Any, user: Any, requested: Sequence[RequestedLine]) -> list[LineAnswer]:
    """Many lines at once; each gets its answer and the acceptable ones are added, whatever the rest."""
    if not requested:
        raise InvalidInput("no lines given", errors=[field_error(["body", "lines"], "at least one line")])
    if len(requested) > MAX_LINES:
        raise InvalidInput(f"at most {MAX_LINES} lines", errors=[field_error(["body", "lines"], "too many lines")])
    cart = cart_for(public_id, user)
    answers = evaluate_for(cart, requested)
    if any(answer.accepted for answer in answers):
        with transaction.atomic(durable=True):
            cart = _writable(public_id, user)
            _store(cart, answers)
            audit.record(
                actor=_signed_in(user),
                action="cart.quick_order",
                obj=cart,
                data={"added": sum(answer.accepted for answer in answers), "lines": len(answers)},
            )
        remember_total(cart)
    return answers


@dataclass(frozen=True)
class ReorderAnswer:
    sku: str
    ordered: int
    quantity: int
    status: str  # added, adjusted, out_of_stock, limited, or a line rule's refusal
    message: str


def reorder(*, public_id: Any, user: Any, order_number: str) -> list[ReorderAnswer]:
    """Put a past order's lines into the cart at today's prices; say what cannot be had."""
    user = _signed_in(user)
    order = order_for(user, order_number) if user is not None else None
    if order is None:
        raise NotFound(f"no order {order_number}")
    cart = cart_for(public_id, user)
    if cart.channel_code != order.channel_code:
        raise InvalidInput(
            "the order was placed in another channel", errors=[field_error(["body", "order_number"], "another channel")]
        )
    ordered: dict[tuple[str, str], tuple[int, dict[str, Any]]] = {}
    for line in order.lines.all():
        if line.kind == "gift":
            continue
        choices = (line.options or {}).get("choices") or {}
        key = (line.sku, repr(sorted(choices.items())))
        quantity, _ = ordered.get(key, (0, choices))
        ordered[key] = (quantity + line.quantity, choices)
    requested = [RequestedLine(sku, quantity, choices) for (sku, _), (quantity, choices) in ordered.items()]
    answers = evaluate_for(cart, requested)
    stock = availability([answer.sku for answer in answers if answer.accepted], channel_code=cart.channel_code)
    results: list[ReorderAnswer] = []
    storable: list[LineAnswer] = []
    for answer in answers:
        if not answer.accepted:
            results.append(ReorderAnswer(answer.sku, answer.requested, 0, answer.status, answer.message))
            continue
        state = stock.get(answer.sku)
        if state is not None and not state.can_order:
            results.append(ReorderAnswer(answer.sku, answer.requested, 0, "out_of_stock", "not in stock now"))
            continue
        if (
            state is not None
            and state.state in ("in_stock", "low_stock")
            and 0 < state.salable < answer.quantity
            and not answer.options.get("components")
        ):
            results.append(
                ReorderAnswer(
                    answer.sku, answer.requested, answer.quantity, "limited", f"only {state.salable} in stock now"
                )
            )
        else:
            results.append(ReorderAnswer(answer.sku, answer.requested, answer.quantity, answer.status, answer.message))
        storable.append(answer)
    if storable:
        with transaction.atomic(durable=True):
            cart = _writable(public_id, user)
            _store(cart, storable)
            audit.record(actor=user, action="cart.reordered", obj=cart, data={"order": order_number})
        remember_total(cart)
    return results


def _address(
    data: dict[str, Any] | None, address_id: int | None, user: Any, channel: Channel, location: str
) -> dict[str, str] | None:
    """A saved address of the customer (by id) or a new one, validated; keys of AddressSnapshot."""
    if address_id is not None:
        saved = addresses_of(user).filter(pk=address_id).first() if user is not None else None
        if saved is None:
            raise InvalidInput("no such saved address", errors=[field_error(["body", f"{location}_id"], "unknown")])
        data = {key: getattr(saved, key, "") or "" for key in ADDRESS_KEYS}
    if data is None:
        return None
    try:
        cleaned = validate_address({key: value for key, value in data.items() if key != "label"})
    except InvalidInput as exc:
        raise InvalidInput(
            f"the {location.replace('_', ' ')} is not valid",
            slug="invalid-address",
            errors=[{**error, "loc": ["body", location, *error["loc"][1:]]} for error in exc.errors],
        ) from exc
    if channel.allowed_countries and cleaned["country"] not in channel.allowed_countries:
        raise InvalidInput(
            f"we do not deliver to {cleaned['country']}",
            slug="invalid-address",
            errors=[field_error(["body", location, "country"], "not served by this shop")],
        )
    return {key: str(cleaned.get(key) or "") for key in ADDRESS_KEYS}


def set_addresses(
    *,
    public_id: Any,
    user: Any,
    shipping: dict[str, Any] | None = None,
    shipping_id: int | None = None,
    billing: dict[str, Any] | None = None,
    billing_id: int | None = None,
    billing_same_as_shipping: bool = True,
    email: str = "",
    extra: dict[str, dict[str, Any]] | None = None,
    line_addresses: dict[int, str] | None = None,
) -> PricedCheckout:
    """Shipping and billing addresses (saved or new), the guest's email, and for a multi-address
    checkout further addresses with the lines that go to each."""
    cart = cart_for(public_id, user)
    channel = channel_of(cart)
    owner = cart.customer
    shipping_address = _address(shipping, shipping_id, owner, channel, "shipping_address")
    billing_address = (
        shipping_address
        if billing_same_as_shipping and billing is None and billing_id is None
        else _address(billing, billing_id, owner, channel, "billing_address")
    )
    if billing_address is None:
        raise InvalidInput(
            "a billing address is required",
            slug="invalid-address",
            errors=[field_error(["body", "billing_address"], "required")],
        )
    extra_addresses = {}
    for key, data in (extra or {}).items():
        if not key or len(key) > 30:
            raise InvalidInput(
                "address keys have 1 to 30 characters", errors=[field_error(["body", "extra_addresses"], "bad key")]
            )
        extra_addresses[key] = _address(data, None, owner, channel, f"extra_addresses.{key}")
    clean_mail = clean_email(email) if email else (cart.email or getattr(owner, "email", "") or "")
    if email and "@" not in clean_mail:
        raise InvalidInput("not an email address", errors=[field_error(["body", "email"], "not an email address")])
    assignments = line_addresses or {}
    with transaction.atomic(durable=True):
        cart = _writable(public_id, user)
        line_ids = set(cart.lines.values_list("id", flat=True))
        for line_id, key in assignments.items():
            if line_id not in line_ids:
                raise InvalidInput(
                    "no such line", errors=[field_error(["body", "line_addresses", line_id], "not a line of this cart")]
                )
            if key and key not in extra_addresses:
                raise InvalidInput(
                    "no such address",
                    errors=[field_error(["body", "line_addresses", line_id], "not one of extra_addresses")],
                )
        cart.shipping_address, cart.billing_address = shipping_address, billing_address
        cart.extra_addresses, cart.email = extra_addresses, clean_mail
        cart.save(update_fields=["shipping_address", "billing_address", "extra_addresses", "email", "updated_at"])
        for line_id, key in assignments.items():
            CartLine.objects.filter(pk=line_id, cart=cart).update(ship_to=key)
        if not extra_addresses:
            cart.lines.exclude(ship_to="").update(ship_to="")
        audit.record(actor=_signed_in(user), action="cart.addresses_set", obj=cart)
    return remember_total(cart)


def set_delivery(*, public_id: Any, user: Any, code: str) -> PricedCheckout:
    """Choose one of the delivery options computed for the cart and its destination."""
    cart = cart_for(public_id, user)
    priced = price_checkout(cart)
    option = next((option for option in priced.options if option.code == code), None)
    if option is None:
        raise InvalidInput(
            f"'{code}' is not a delivery option for this cart",
            errors=[field_error(["body", "code"], "not one of list_delivery_options")],
        )
    with transaction.atomic(durable=True):
        cart = _writable(public_id, user)
        cart.delivery = {"code": option.code, "kind": option.kind, "name": option.name, **dict(option.details)}
        cart.save(update_fields=["delivery", "updated_at"])
        audit.record(actor=_signed_in(user), action="cart.delivery_set", obj=cart, data={"code": code})
    return remember_total(cart)


# A guest cart lives in a cookie kept this long; past it nobody can open the cart again.
GUEST_CART_LIFETIME = timedelta(days=30)


def purge_abandoned_guest_carts(max_age: timedelta = GUEST_CART_LIFETIME) -> int:
    """Open guest carts untouched for `max_age`, whose cookie has expired (the periodic job).
    Carts of customers, carts staff made for a customer and carts that became orders stay."""
    with transaction.atomic(durable=True):
        deleted, _ = Cart.objects.filter(
            status=Cart.Status.OPEN,
            customer__isnull=True,
            placed_by_staff__isnull=True,
            updated_at__lt=timezone.now() - max_age,
        ).delete()
        if deleted:
            audit.record(actor=None, action="cart.purged", object_type="checkout.cart", data={"rows": deleted})
    return deleted
