"""Company purchases that need approval: placement asks the company's approval rules (procurement)
and, when one holds the purchase, submits the cart as a purchase order instead of placing it."""

from __future__ import annotations

from handel.checkout.models import Cart
from handel.checkout.queries import PricedCheckout
from handel.companies.queries import company_by_code, members_of
from handel.core.errors import InvalidInput, field_error
from handel.payments.methods import METHODS
from handel.procurement.rules import PurchaseFacts
from handel.procurement.services import budget_remaining, steps_for, submit_purchase


def _purchase_facts(priced: PricedCheckout) -> PurchaseFacts:
    return PurchaseFacts(
        total=priced.totals.grand_total,
        shipping_cost=priced.totals.shipping.gross,
        line_count=len(priced.lines),
        skus=frozenset(item.line.sku for item in priced.lines),
        category_paths=frozenset(path for item in priced.lines if item.facts for path in item.facts.category_paths),
    )


def _rules_hold(cart: Cart, company_code: str, currency: str, facts: PurchaseFacts) -> bool:
    """Whether the company's approval rules would hold this purchase (nothing is written)."""
    company = company_by_code(company_code)
    member = (
        members_of(company).select_related("role", "team").filter(user=cart.customer).first()
        if company is not None
        else None
    )
    if member is None:
        return False
    facts = PurchaseFacts(
        **{
            **facts.__dict__,
            "buyer_role": member.role.code,
            "buyer_team_id": member.team_id,
            "budget_remaining": budget_remaining(member, currency),
        }
    )
    return bool(steps_for(member, facts))


def submit_for_approval(
    *, cart: Cart, priced: PricedCheckout, company_code: str, payment_method: str, purchase_order_number: str
) -> str:
    """A company cart that an approval rule catches waits as a purchase order: its number, or ''
    when no rule holds it. A purchase that would wait cannot be paid by card."""
    if not company_code or cart.placed_by_staff_id is not None:
        return ""
    facts = _purchase_facts(priced)
    if METHODS[payment_method].online:
        if not _rules_hold(cart, company_code, priced.totals.currency, facts):
            return ""
        # A purchase may wait days for its approvers; a card authorisation would not.
        raise InvalidInput(
            "this purchase needs your company's approval, so it cannot be paid by card: "
            "choose purchase order, bank transfer or pay on account",
            errors=[field_error(["body", "payment_method"], "not for purchases that need approval")],
        )
    cart_data = {
        "cart": str(cart.public_id),
        "lines": [
            {"sku": item.line.sku, "quantity": item.line.quantity, "options": item.line.options, "note": item.line.note}
            for item in priced.lines
        ],
        "delivery": cart.delivery,
        "shipping_address": cart.shipping_address,
        "billing_address": cart.billing_address,
        "payment_method": payment_method,
        "shown_total": str(priced.totals.grand_total),
        "coupon_codes": cart.coupon_codes,
    }
    po = submit_purchase(
        buyer=cart.customer,
        channel_code=cart.channel_code,
        currency=priced.totals.currency,
        total=priced.totals.grand_total,
        shipping_cost=priced.totals.shipping.gross,
        cart=cart_data,
        facts=facts,
        purchase_order_number=purchase_order_number.strip()[:50],
    )
    return po.number if po is not None else ""
