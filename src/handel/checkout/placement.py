"""Placing an order: one transaction that re-prices the cart, refuses a changed price unless the
buyer confirmed it, books the delivery slot, reserves the stock, charges company credit, counts
promotion and coupon usage and records the order snapshot. Then the payment starts; a card
payment's promotions are counted once the card was not declined.

The steps run in this order (PLACEMENT_STEPS), each raising a DomainError that rolls the whole
transaction back, so a refusal writes nothing. The order's number is taken first (the series
row stays locked until commit, so numbers stay gapless), so the stock reservation and the credit
charge carry the number the order gets.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction

from handel.checkout import delivery
from handel.checkout.approvals import submit_for_approval
from handel.checkout.models import Cart, SlotBooking
from handel.checkout.queries import (
    DestinationGroup,
    PricedCheckout,
    cart_for,
    delivery_config,
    destination_groups,
    price_checkout,
    stock_lines,
)
from handel.checkout.snapshots import order_snapshot
from handel.companies import permissions as company_permissions
from handel.companies.queries import company_by_code, viewer_for
from handel.companies.services import charge_on_account, ensure_can_order
from handel.core import audit
from handel.core.batching import written_together
from handel.core.errors import Conflict, DomainError, InvalidInput, PermissionDenied, field_error
from handel.core.events import emit
from handel.core.numbering import next_number
from handel.inventory.services import Destination, reserve_stock
from handel.orders import lifecycle
from handel.orders.services import cancel_order, record_order, transition_order
from handel.orders.services.lifecycle import ORDER_SERIES
from handel.payments.methods import METHODS
from handel.payments.queries import AvailableMethod, available_methods
from handel.payments.services import start_payment
from handel.pricing.queries import customer_key
from handel.pricing.services import UsedPromotion, record_promotion_usage
from handel.procurement.services import mark_ordered

if TYPE_CHECKING:
    from handel.payments.models import Payment

ZERO = Decimal("0.00")


class PriceChanged(Conflict):
    slug = "price-changed"
    title = "The price changed since it was shown"


class CheckoutIncomplete(InvalidInput):
    slug = "checkout-incomplete"
    title = "The checkout is not complete"


class PaymentRefused(DomainError):
    status = 402
    slug = "payment-declined"
    title = "The payment was declined"


@dataclass(frozen=True)
class PlacementRequest:
    payment_method: str
    expected_total: Decimal | None = None
    accept_price_change: bool = False
    card: dict[str, str] | None = None
    return_url: str = ""
    purchase_order_number: str = ""
    notes: str = ""


@dataclass
class Placement:
    """What placement produced: an order (and its payment), or a purchase order awaiting approval."""

    order_number: str = ""
    status: str = ""
    grand_total: Decimal = ZERO
    currency: str = ""
    payment_status: str = ""
    payment_action_url: str = ""
    payment_id: str = ""
    purchase_order: str = ""
    price_changed_from: Decimal | None = None
    delivery: dict[str, Any] = field(default_factory=dict)


@dataclass
class PlacementState:
    cart: Cart
    request: PlacementRequest
    actor: Any
    priced: PricedCheckout
    number: str = ""
    delivery: dict[str, Any] = field(default_factory=dict)
    company_code: str = ""
    company_id: int | None = None


def check_complete(priced: PricedCheckout, request: PlacementRequest) -> None:
    """Empty cart, unpriced lines, missing addresses, delivery or email, refused coupons."""
    cart = priced.cart
    if not priced.lines:
        raise InvalidInput("the cart is empty", slug="cart-empty", errors=[field_error(["body", "lines"], "empty")])
    problems = []
    if priced.unpriced:
        problems.append(field_error(["body", "lines"], f"no price for {', '.join(priced.unpriced)}", "no_price"))
    if not cart.billing_address:
        problems.append(field_error(["body", "billing_address"], "required (set_addresses)"))
    needs_shipping = any(option.kind != delivery.DIGITAL for option in priced.options)
    if needs_shipping and not cart.shipping_address:
        problems.append(field_error(["body", "shipping_address"], "required (set_addresses)"))
    if not cart.email:
        problems.append(field_error(["body", "email"], "required (set_addresses)"))
    if priced.chosen is None:
        problems.append(
            field_error(
                ["body", "delivery"],
                "choose a delivery option (set_delivery)"
                if not cart.delivery
                else "the chosen delivery option is no longer offered",
            )
        )
    if request.payment_method not in METHODS:
        problems.append(field_error(["body", "payment_method"], f"one of {', '.join(METHODS)}"))
    elif METHODS[request.payment_method].online and not request.card:
        problems.append(field_error(["body", "card"], "required for card payments"))
    if problems:
        raise CheckoutIncomplete("the checkout is not complete", errors=problems)
    if priced.result.rejected_coupons:
        code, reason = priced.result.rejected_coupons[0]
        raise Conflict(
            f"the coupon '{code}' cannot be used any more: {reason}",
            slug="coupon-refused",
            errors=[field_error(["body", "coupon_codes", code], reason, "coupon_refused")],
        )


def _buyer_company(state: PlacementState) -> None:
    """A company buyer needs the right to order; pay on account needs its own right."""
    viewer = viewer_for(state.cart.customer) if state.cart.customer_id else None
    method = state.request.payment_method
    if viewer is None or viewer.company_status != "active":
        if METHODS[method].business_only:
            raise PermissionDenied(f"'{method}' is for business accounts")
        return
    if not viewer.can(company_permissions.PLACE_ORDERS) and state.cart.placed_by_staff_id is None:
        raise PermissionDenied("your company role may not place orders")
    company = company_by_code(viewer.company_code)
    if company is not None:
        ensure_can_order(company)
        if company.purchase_order_number == "required" and not state.request.purchase_order_number.strip():
            raise CheckoutIncomplete(
                "your company needs a purchase order number",
                errors=[field_error(["body", "purchase_order_number"], "required")],
            )
    if method == "on_account" and not viewer.can(company_permissions.USE_PAY_ON_ACCOUNT):
        raise PermissionDenied("your company role may not pay on account")
    state.company_code, state.company_id = viewer.company_code, viewer.company_id


def payment_methods(cart: Cart, priced: PricedCheckout) -> list[AvailableMethod]:
    """The payment methods this buyer may use for this cart: company buyers also get the business
    methods (pay on account with that right) and may pay by card like anyone else."""
    viewer = viewer_for(cart.customer) if cart.customer_id else None
    business = viewer is not None and viewer.company_status == "active"
    return available_methods(
        channel_code=cart.channel_code,
        amount=priced.totals.grand_total,
        is_business_buyer=business,
        can_pay_on_account=business and viewer is not None and viewer.can(company_permissions.USE_PAY_ON_ACCOUNT),
        customer_id=cart.customer_id,
    )


def _payment_method_offered(state: PlacementState) -> None:
    method = state.request.payment_method
    offered = available_methods(
        channel_code=state.cart.channel_code,
        amount=state.priced.totals.grand_total,
        is_business_buyer=bool(state.company_code),
        can_pay_on_account=bool(state.company_code),
        customer_id=state.cart.customer_id,
    )
    if method not in {item.code for item in offered}:
        raise InvalidInput(
            f"'{method}' is not offered for this order",
            errors=[field_error(["body", "payment_method"], "not offered for this order")],
        )
    if METHODS[method].needs_po_number and not state.request.purchase_order_number.strip():
        raise CheckoutIncomplete(
            "a purchase order number is required", errors=[field_error(["body", "purchase_order_number"], "required")]
        )


def _price_unchanged(state: PlacementState) -> None:
    total = state.priced.totals.grand_total
    shown = state.request.expected_total if state.request.expected_total is not None else state.cart.shown_total
    if shown is not None and shown != total and not state.request.accept_price_change:
        raise PriceChanged(
            f"the total is now {total} {state.priced.totals.currency} (you were shown {shown}); "
            "confirm to order at the new price",
            extra={"shown_total": str(shown), "total": str(total)},
        )


def _order_number(state: PlacementState) -> None:
    """Take the order's number: the series row stays locked until this transaction ends, and a
    refusal later on gives the number back (gapless)."""
    state.number = next_number(ORDER_SERIES[0], prefix=ORDER_SERIES[1])


def _book_slot(state: PlacementState) -> None:
    chosen = state.priced.chosen
    assert chosen is not None  # checked by check_complete
    state.delivery = {
        "method": chosen.kind,
        "code": chosen.code,
        "name": chosen.name,
        "price_net": str(state.priced.totals.shipping.net),
        "price_gross": str(state.priced.totals.shipping.gross),
        **dict(chosen.details),
    }
    slot = delivery.parse_scheduled(chosen.code)
    if slot is None:
        return
    day, name = slot
    # The order series lock taken before serialises placements, so count-then-insert is safe.
    if SlotBooking.objects.filter(day=day, slot=name).count() >= delivery_config().slot_capacity:
        raise Conflict(f"the delivery slot {day} {name} is full; choose another", slug="delivery-slot-full")
    SlotBooking.objects.create(day=day, slot=name, order_number=state.number)


def _reserve(state: PlacementState) -> None:
    if state.cart.extra_addresses and state.delivery["method"] != delivery.PICKUP:
        groups = destination_groups(state.cart, [priced.line for priced in state.priced.lines], state.priced.facts)
        if groups:
            _reserve_per_destination(state, groups)
            return
    wanted = stock_lines([priced.line for priced in state.priced.lines], state.priced.facts)
    wanted += [(gift.sku, gift.quantity) for gift in state.priced.result.gifts]
    if not wanted:
        state.delivery["allocation"] = []
        return
    address = state.cart.shipping_address or {}
    result = reserve_stock(
        reference=state.number,
        channel_code=state.cart.channel_code,
        lines=wanted,
        ship_to_country=address.get("country"),
        ship_to_postcode=address.get("postal_code"),
        pickup_source_code=state.delivery.get("source") if state.delivery["method"] == delivery.PICKUP else None,
        actor=state.actor,
        savepoint=False,
    )
    state.delivery["allocation"] = [
        {"source": shipment.source_code, "lines": [[sku, quantity] for sku, quantity in shipment.lines]}
        for shipment in result.allocation.shipments
    ]
    state.delivery["shipments"] = len(result.allocation.shipments)
    state.delivery["split"] = len(result.allocation.shipments) > 1


def _reserve_per_destination(state: PlacementState, groups: list[DestinationGroup]) -> None:
    """A multi-address order: one reservation, each destination allocated from the sources nearest
    to it. The delivery records per destination its address, price and allocation (source per
    line), so shipments can be made per destination and source. Free gifts go to the main address."""
    gifts = tuple((gift.sku, gift.quantity) for gift in state.priced.result.gifts)
    if gifts and all(group.key for group in groups):
        groups = [DestinationGroup("", dict(state.cart.shipping_address or {}), (), ()), *groups]
    targets = [
        Destination(
            group.key,
            group.stock + (gifts if not group.key else ()),
            group.address.get("country"),
            group.address.get("postal_code"),
        )
        for group in groups
    ]
    targets = [target for target in targets if target.lines]
    shipments = (
        reserve_stock(
            reference=state.number,
            channel_code=state.cart.channel_code,
            destinations=targets,
            actor=state.actor,
            savepoint=False,
        ).allocation.shipments
        if targets
        else ()
    )
    allocation = [
        {
            "source": shipment.source_code,
            "destination": shipment.destination,
            "lines": [[sku, quantity] for sku, quantity in shipment.lines],
        }
        for shipment in shipments
    ]
    prices = {part["key"]: part for part in state.delivery.get("destinations", ())}
    state.delivery["allocation"] = allocation
    state.delivery["shipments"] = len(allocation)
    state.delivery["split"] = len(allocation) > 1
    state.delivery["destinations"] = [
        {
            "key": group.key,
            "address": group.address,
            "price_net": prices.get(group.key, {}).get("price", "0.00"),
            "shipments": sum(1 for item in allocation if item["destination"] == group.key),
            "allocation": [
                {"source": item["source"], "lines": item["lines"]}
                for item in allocation
                if item["destination"] == group.key
            ],
        }
        for group in groups
    ]


def _charge_credit(state: PlacementState) -> None:
    if state.request.payment_method == "on_account":
        charge_on_account(
            company_code=state.company_code, amount=state.priced.totals.grand_total, reference=state.number
        )


def _count_promotions(state: PlacementState) -> None:
    # A card can still be declined after this transaction; its order counts them once the card
    # was not declined (_pay), so a declined card leaves the coupon unused.
    if not METHODS[state.request.payment_method].online:
        _record_promotions(state)


def _record_promotions(state: PlacementState) -> None:
    used = [
        UsedPromotion(promotion_code=item.code, coupon_code=item.coupon, discount=item.discount)
        for item in state.priced.result.applied_promotions
    ]
    if used:
        record_promotion_usage(order_reference=state.number, customer_key=customer_key(state.cart.customer), used=used)


def _record(state: PlacementState) -> None:
    snapshot = order_snapshot(
        priced=state.priced,
        cart=state.cart,
        delivery_info=state.delivery,
        payment_method=state.request.payment_method,
        purchase_order_number=state.request.purchase_order_number,
        notes=state.request.notes,
        company_id=state.company_id,
    )
    order = record_order(snapshot=snapshot, actor=state.actor, number=state.number)
    state.cart.status, state.cart.order_number = Cart.Status.ORDERED, order.number
    state.cart.save(update_fields=["status", "order_number", "updated_at"])
    audit.record(actor=state.actor, action="cart.ordered", obj=state.cart, data={"order": order.number})
    emit(
        "checkout.order_confirmed",
        {
            "number": order.number,
            "email": snapshot.email,
            "currency": snapshot.currency,
            "prices_include_tax": snapshot.prices_include_tax,
            "lines": [
                {
                    "sku": line.sku,
                    "name": line.name,
                    "quantity": line.quantity,
                    "unit_price": str(line.unit_price),
                    "total": str(line.total_gross if snapshot.prices_include_tax else line.total_net),
                }
                for line in snapshot.lines
            ],
            "shipping": str(snapshot.shipping_gross if snapshot.prices_include_tax else snapshot.shipping_net),
            "tax_total": str(snapshot.tax_total),
            "grand_total": str(snapshot.grand_total),
            "delivery": snapshot.delivery.get("name", ""),
            "payment_method": snapshot.payment_method,
        },
    )


# The placement pipeline, in order. Each step may refuse; a refusal rolls everything back.
PLACEMENT_STEPS: tuple[Callable[[PlacementState], None], ...] = (
    _order_number,
    _book_slot,
    _reserve,
    _charge_credit,
    _count_promotions,
    _record,
)


def place_order(*, public_id: Any, user: Any, request: PlacementRequest, from_approval: bool = False) -> Placement:
    """Place the cart's order (or submit it for approval), then start its payment."""
    actor = user if user is not None and getattr(user, "is_authenticated", False) else None
    # Only a signed-in buyer's cart can belong to a company whose rules may hold the purchase.
    cart = cart_for(public_id, user) if actor is not None and not from_approval else None
    if cart is not None and cart.customer_id and viewer_for(cart.customer) is not None:
        # The cart is locked and still open while its purchase order is submitted: a retry of a
        # submitted cart is refused before it submits a second one.
        with transaction.atomic(durable=True):
            locked = Cart.objects.select_for_update().get(pk=cart.pk)
            if locked.status != Cart.Status.OPEN:
                raise Conflict("this cart is not open any more", slug="cart-closed")
            state = _prepare(locked, request, actor)
            number = submit_for_approval(
                cart=state.cart,
                priced=state.priced,
                company_code=state.company_code,
                payment_method=request.payment_method,
                purchase_order_number=request.purchase_order_number,
            )
            if number:
                locked.status, locked.approval_number = Cart.Status.AWAITING_APPROVAL, number
                locked.purchase_order_number = request.purchase_order_number.strip()[:50]
                locked.payment = {"method": request.payment_method, "notes": request.notes.strip()[:2000]}
                locked.save(
                    update_fields=["status", "approval_number", "purchase_order_number", "payment", "updated_at"]
                )
                audit.record(actor=actor, action="cart.submitted_for_approval", obj=locked, data={"po": number})
        if number:
            return Placement(
                status="awaiting_approval",
                purchase_order=number,
                grand_total=state.priced.totals.grand_total,
                currency=state.priced.totals.currency,
            )
    with transaction.atomic(durable=True):
        locked = cart_for(public_id, user, for_update=True)
        wanted_status = Cart.Status.AWAITING_APPROVAL if from_approval else Cart.Status.OPEN
        if locked.status != wanted_status:
            raise Conflict(f"this cart is {locked.get_status_display().lower()}", slug="cart-closed")
        state = _prepare(locked, request, actor)
        with written_together():
            for step in PLACEMENT_STEPS:
                step(state)
            # Offline methods (transfer, purchase order, on account, cash) reach no provider: their
            # payment is recorded with the order. A card is authorized after the commit.
            payment = None if METHODS[request.payment_method].online else _start_payment(state, state.number)
    placement = Placement(
        order_number=state.number,
        status=lifecycle.PENDING_PAYMENT,
        grand_total=state.priced.totals.grand_total,
        currency=state.priced.totals.currency,
        delivery=state.delivery,
    )
    if from_approval and locked.shown_total is not None and locked.shown_total != placement.grand_total:
        placement.price_changed_from = locked.shown_total
    return _pay(state, placement, payment)


def _prepare(cart: Cart, request: PlacementRequest, actor: Any) -> PlacementState:
    priced = price_checkout(cart, listing=False)
    check_complete(priced, request)
    state = PlacementState(cart=cart, request=request, actor=actor, priced=priced)
    _buyer_company(state)
    _payment_method_offered(state)
    _price_unchanged(state)
    return state


def _start_payment(state: PlacementState, number: str) -> Payment:
    request = state.request
    details = {"po_number": request.purchase_order_number.strip()} if request.purchase_order_number.strip() else {}
    return start_payment(
        reference=number,
        method=request.payment_method,
        amount=state.priced.totals.grand_total,
        currency=state.priced.totals.currency,
        card=request.card,
        return_url=request.return_url,
        details=details,
        actor=state.actor,
        customer_id=state.cart.customer_id,
        savepoint=False,
    )


def _pay(state: PlacementState, placement: Placement, payment: Payment | None) -> Placement:
    """Start the card payment for the placed order (an offline one was recorded with it). A
    declined card cancels the order (its stock and credit go back through `order.cancelled`) and
    reopens the cart, so the buyer can try again."""
    request, number = state.request, placement.order_number
    if payment is None:
        try:
            payment = _start_payment(state, number)
        except DomainError as exc:
            _undo(state, number, f"payment refused: {exc.detail}")
            raise
    placement.payment_status, placement.payment_id = payment.status, str(payment.public_id)
    placement.payment_action_url = payment.action_url
    if payment.status == "failed":
        _undo(state, number, f"payment declined: {payment.failure_message or payment.failure_code}")
        raise PaymentRefused(
            payment.failure_message or "the card was declined",
            extra={"decline_code": payment.failure_code, "order_number": number},
        )
    if METHODS[request.payment_method].online and state.priced.result.applied_promotions:
        try:
            with transaction.atomic(durable=True):
                _record_promotions(state)
        except DomainError as exc:
            # Another order used the coupon up since: this one is undone like a declined card.
            _undo(state, number, f"promotion refused: {exc.detail}")
            raise
    if request.payment_method == "cash_on_delivery":
        transition_order(number=number, to=lifecycle.PROCESSING, actor=state.actor, reason="cash on delivery")
    # payment.authorized (cards, purchase order, on account, store credit) moves the order on as it commits.
    authorized = payment.status in ("authorized", "captured") or request.payment_method == "cash_on_delivery"
    placement.status = lifecycle.PROCESSING if authorized else lifecycle.PENDING_PAYMENT
    return placement


def _undo(state: PlacementState, number: str, reason: str) -> None:
    cancel_order(number=number, actor=state.actor, reason=reason)
    with transaction.atomic(durable=True):
        Cart.objects.filter(pk=state.cart.pk).update(status=Cart.Status.OPEN, order_number="")
        SlotBooking.objects.filter(order_number=number).delete()
        audit.record(
            actor=state.actor, action="cart.reopened", obj=state.cart, data={"order": number, "reason": reason}
        )


def on_purchase_order_approved(payload: dict[str, Any]) -> None:
    """Handler of `purchase_order.approved`: place the waiting cart's order at today's prices
    (the buyer hears when the total changed) and tell procurement the order number."""
    number = str(payload.get("number", ""))
    cart = (
        Cart.objects.select_related("customer")
        .filter(approval_number=number, status=Cart.Status.AWAITING_APPROVAL)
        .first()
    )
    if cart is None:
        return
    request = PlacementRequest(
        payment_method=cart.payment.get("method", "purchase_order"),
        accept_price_change=True,
        purchase_order_number=cart.purchase_order_number,
        notes=cart.payment.get("notes", ""),
    )
    placement = place_order(public_id=cart.public_id, user=cart.customer, request=request, from_approval=True)
    mark_ordered(number=number, order_number=placement.order_number)
    if placement.price_changed_from is not None:
        from django.core.mail import send_mail

        send_mail(
            subject=f"Your approved purchase {number} is order {placement.order_number}: the price changed",
            message=(
                f"Prices changed while your purchase waited for approval. Order {placement.order_number} "
                f"totals {placement.grand_total} {placement.currency} (it was {placement.price_changed_from})."
            ),
            from_email=None,
            recipient_list=[cart.email or getattr(cart.customer, "email", "")],
        )
