"""Which requested lines may go into a cart, and at what quantity: one answer per line.

Shared by adding to the cart, quick order and reorder, so they agree: unknown SKUs, SKUs outside
the buyer's assortment, quantities below the minimum, quantities off the order increment
(adjusted up), products without a price, bundles without valid choices.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from handel.catalog.browsing import Viewer, product_detail, viewer_for
from handel.catalog.queries import product_facts
from handel.catalog.types import ProductFacts
from handel.core.errors import NotFound
from handel.pricing.engine import CartLineInput, price_items
from handel.pricing.queries import load_pricing_context

ADDED = "added"
ADJUSTED = "adjusted"
UNKNOWN_SKU = "unknown_sku"
NOT_IN_ASSORTMENT = "not_in_assortment"
BELOW_MINIMUM = "below_minimum"
INVALID_QUANTITY = "invalid_quantity"
NO_PRICE = "no_price"
NEEDS_CHOICE = "needs_choice"
ACCEPTED = (ADDED, ADJUSTED)
MAX_QUANTITY = 100_000


@dataclass(frozen=True)
class RequestedLine:
    sku: str
    quantity: int
    options: dict[str, list[str]] = field(default_factory=dict)  # a bundle's choices: group -> SKUs
    note: str = ""


@dataclass(frozen=True)
class LineAnswer:
    index: int
    sku: str
    requested: int
    quantity: int  # what goes into the cart (0 when refused)
    status: str
    message: str
    options: dict[str, Any] = field(default_factory=dict)  # stored on the cart line
    note: str = ""

    @property
    def accepted(self) -> bool:
        return self.status in ACCEPTED


def fit_quantity(quantity: int, facts: ProductFacts) -> tuple[str, int, str]:
    minimum = max(facts.min_order_qty or 1, 1)
    step = max(facts.order_increment or 1, 1)
    if quantity < minimum:
        return BELOW_MINIMUM, 0, f"at least {minimum}"
    if quantity % step:
        adjusted = (quantity // step + 1) * step
        return ADJUSTED, adjusted, f"adjusted to {adjusted} (sold in steps of {step})"
    return ADDED, quantity, ""


def _structure(viewer: Viewer, sku: str) -> dict[str, Any] | None:
    try:
        return product_detail(viewer, sku)
    except NotFound:
        return None


def _bundle_options(detail: dict[str, Any], chosen: dict[str, list[str]]) -> tuple[dict[str, Any] | None, str]:
    """Check a bundle's choices against its groups; the stored options, or None and why not."""
    groups = {group["code"]: group for group in (detail.get("bundle") or {}).get("groups", [])}
    unknown = sorted(set(chosen) - set(groups))
    if unknown:
        return None, f"no option group '{unknown[0]}'"
    components: list[list[Any]] = []
    choices: dict[str, list[str]] = {}
    for code, group in groups.items():
        picked = list(dict.fromkeys(chosen.get(code) or [o["sku"] for o in group["options"] if o["default"]]))
        offered = {option["sku"]: option for option in group["options"]}
        if any(sku not in offered for sku in picked):
            return None, f"'{code}' offers {', '.join(sorted(offered)) or 'nothing'}"
        low = group["min"] if group["required"] else 0
        if not low <= len(picked) <= max(group["max"], low):
            return None, f"choose {low} to {group['max']} in '{code}'"
        choices[code] = picked
        components += [[sku, offered[sku]["quantity"]] for sku in picked]
    return {"choices": choices, "components": components}, ""


def pricing_line(sku: str, quantity: int, options: Mapping[str, Any]) -> CartLineInput:
    """What the price engine prices for a line: a bundle goes with its chosen components (a dynamic
    bundle costs their sum); the page, the cart and placement all ask this way."""
    components = options.get("components") if options.get("choices") is not None else None
    return CartLineInput(sku, quantity, tuple((str(part), int(count)) for part, count in components or ()))


def priced_skus(lines: Iterable[tuple[str, Mapping[str, Any]]]) -> list[str]:
    """The SKUs a price engine context needs for these (sku, options) lines: theirs and their
    chosen bundle components'."""
    wanted = set()
    for sku, options in lines:
        wanted.add(sku)
        wanted.update(part for part, _ in pricing_line(sku, 1, options).components)
    return sorted(wanted)


def evaluate(*, channel: Any, customer: Any, buyer: Any, requested: Sequence[RequestedLine]) -> list[LineAnswer]:
    skus = sorted({item.sku for item in requested if item.sku})
    facts = product_facts(skus)
    viewer = viewer_for(channel.code, customer)
    visible = viewer.visible_skus(skus)
    structures = {
        sku: _structure(viewer, sku) for sku in visible if sku in facts and facts[sku].kind in ("bundle", "kit")
    }
    offered = {
        option["sku"]
        for detail in structures.values()
        if detail is not None
        for group in (detail.get("bundle") or {}).get("groups", [])
        for option in group["options"]
    }
    context = load_pricing_context(
        channel=channel, skus=sorted({sku for sku in skus if sku in visible} | offered), customer=customer, buyer=buyer
    )
    answers = []
    for index, item in enumerate(requested):

        def refuse(status: str, message: str, item: RequestedLine = item, index: int = index) -> LineAnswer:
            return LineAnswer(index, item.sku, item.quantity, 0, status, message)

        fact = facts.get(item.sku)
        if fact is None:
            answers.append(refuse(UNKNOWN_SKU, "no product has this SKU"))
            continue
        if item.sku not in visible:
            answers.append(refuse(NOT_IN_ASSORTMENT, "not available to you"))
            continue
        if not isinstance(item.quantity, int) or not 0 < item.quantity <= MAX_QUANTITY:
            answers.append(refuse(INVALID_QUANTITY, f"a whole number from 1 to {MAX_QUANTITY}"))
            continue
        if fact.kind == "configurable":
            answers.append(refuse(NEEDS_CHOICE, "choose a variant (add the variant's SKU)"))
            continue
        status, quantity, message = fit_quantity(item.quantity, fact)
        if not quantity:
            answers.append(refuse(status, message))
            continue
        options: dict[str, Any] = {}
        if fact.kind in ("bundle", "kit"):
            detail = structures.get(item.sku)
            if detail is None:
                answers.append(refuse(NOT_IN_ASSORTMENT, "not available to you"))
                continue
            if fact.kind == "kit":
                options = {"components": [[c["sku"], c["quantity"]] for c in detail.get("components", [])]}
            else:
                bundle, why_not = _bundle_options(detail, item.options)
                if bundle is None:
                    answers.append(refuse(NEEDS_CHOICE, why_not))
                    continue
                options = bundle
        elif item.options:
            answers.append(refuse(NEEDS_CHOICE, "only bundles take options"))
            continue
        if not price_items(context, [pricing_line(item.sku, quantity, options)])[0].found:
            answers.append(refuse(NO_PRICE, "this product has no price for you"))
            continue
        answers.append(
            LineAnswer(index, item.sku, item.quantity, quantity, status, message, options, item.note.strip()[:500])
        )
    return answers
