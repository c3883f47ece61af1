"""Unit prices: price list resolution, tiers, derived lists, catalog and dynamic rules with guard rails.

Resolution order (docs/pricing.md):
1. Candidate lists: active lists in the context's currency, valid at the context's time, assigned
   to the customer, their company, their customer group or the channel.
2. Order: most specific assignment first (customer > company > customer group > channel list >
   the channel's base list), then higher priority, then list code (alphabetical) to break ties.
3. The first list with a price for the SKU at the quantity wins: its own entry (falling back to
   the parent SKU's entry), the highest tier break not above the quantity; a derived list without
   its own entry takes its parent's price (same rules) adjusted by its percentage.
4. Rules (catalog and dynamic) in order of priority (higher first), then code; each adjusts the
   running unit price, clamped by its guard rails; a rule with "stop further rules" ends the chain.
Every step rounds the unit price half up to the currency's minor unit.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from handel.core.money import quantum
from handel.pricing.engine.collection import collection_paused
from handel.pricing.engine.tax import TaxCalculator
from handel.pricing.engine.types import (
    BASE_SPECIFICITY,
    HUNDRED,
    SPECIFICITY,
    ZERO,
    CartLineInput,
    ExplanationStep,
    PriceListData,
    PriceResult,
    PriceRuleData,
    PricingContext,
    ProductPricingFacts,
)

MAX_DERIVATION_DEPTH = 5
# Rules whose firing depends on the SKU's stock or demand; the others fire for every matching product.
DYNAMIC_RULE_KINDS = frozenset({"stock", "demand"})
NO_FACTS = ProductPricingFacts(sku="")


def list_specificity(price_list: PriceListData, context: PricingContext) -> int | None:
    """How specifically the list is assigned to this context; None if it is not assigned to it."""
    best: int | None = None
    for assignment in price_list.assignments:
        kind, key = assignment.kind, assignment.key
        matched = (
            (kind == "customer" and context.customer_key is not None and key == context.customer_key)
            or (kind == "company" and context.company_key is not None and key == context.company_key)
            or (kind == "customer_group" and context.customer_group is not None and key == context.customer_group)
            or (kind == "channel" and key == context.channel_code)
        )
        if matched:
            rank = BASE_SPECIFICITY if kind == "channel" and price_list.is_base else SPECIFICITY[kind]
            best = rank if best is None else max(best, rank)
    return best


def ordered_price_lists(context: PricingContext) -> list[PriceListData]:
    """The candidate lists for the context, in the order they are asked."""
    ranked = []
    for price_list in context.price_lists:
        if price_list.currency != context.currency or not price_list.is_valid_at(context.at):
            continue
        rank = list_specificity(price_list, context)
        if rank is not None:
            ranked.append((-rank, -price_list.priority, price_list.code, price_list))
    ranked.sort(key=lambda item: item[:3])
    return [item[3] for item in ranked]


def in_window(starts_at: datetime | None, ends_at: datetime | None, at: datetime) -> bool:
    return (starts_at is None or starts_at <= at) and (ends_at is None or at < ends_at)


def rule_applies_to_context(rule: PriceRuleData, context: PricingContext) -> bool:
    if not in_window(rule.starts_at, rule.ends_at, context.at):
        return False
    if rule.channels and context.channel_code not in rule.channels:
        return False
    if rule.customer_groups and context.customer_group not in rule.customer_groups:
        return False
    if rule.weekdays and context.at.weekday() not in rule.weekdays:
        return False
    if rule.time_from is not None or rule.time_until is not None:
        now = context.at.time().replace(tzinfo=None)
        start = rule.time_from
        end = rule.time_until
        if start is not None and end is not None and start > end:  # overnight, e.g. 22:00-06:00
            return now >= start or now < end
        if start is not None and now < start:
            return False
        if end is not None and now >= end:
            return False
    return True


def ordered_rules(context: PricingContext) -> list[PriceRuleData]:
    rules = [rule for rule in context.rules if rule_applies_to_context(rule, context)]
    rules.sort(key=lambda rule: (-rule.priority, rule.code))
    return rules


def rule_trigger(rule: PriceRuleData, sku: str, context: PricingContext) -> str | None:
    """Why a dynamic rule fires for the SKU (its reason), or None when it does not."""
    if rule.kind == "stock":
        level = context.stock_levels.get(sku)
        if level is None:
            return None
        if rule.stock_below is not None and not level < rule.stock_below:
            return None
        if rule.stock_at_least is not None and not level >= rule.stock_at_least:
            return None
        return f"stock level {level}"
    if rule.kind == "demand":
        sell_through = context.sell_through_percent.get(sku)
        if sell_through is None:
            return None
        if rule.min_sell_through_percent is not None and sell_through < rule.min_sell_through_percent:
            return None
        if rule.max_sell_through_percent is not None and sell_through > rule.max_sell_through_percent:
            return None
        return f"sell-through {sell_through}% over {rule.demand_window_days} days"
    if rule.kind == "time":
        return f"time window at {context.at.strftime('%a %H:%M')}"
    return "catalog rule"


def describe_adjustment(rule: PriceRuleData) -> str:
    if rule.adjustment_kind == "percent":
        return f"{rule.adjustment_value:+}%"
    if rule.adjustment_kind == "amount":
        return f"{rule.adjustment_value:+}"
    return f"fixed price {rule.adjustment_value}"


class CompiledRule:
    """A rule with what does not change from SKU to SKU worked out once per context."""

    __slots__ = ("adjustment", "detail", "factor", "is_dynamic", "label", "margin_factor", "needs_full_check", "rule")

    def __init__(self, rule: PriceRuleData, context: PricingContext) -> None:
        self.rule = rule
        self.label = rule.name
        self.adjustment = describe_adjustment(rule)
        self.is_dynamic = rule.kind in DYNAMIC_RULE_KINDS
        reason = rule_trigger(rule, "", context) if not self.is_dynamic else ""
        self.detail = f"{rule.name} ({rule.kind}, {reason}): {self.adjustment}"
        self.factor = (HUNDRED + rule.adjustment_value) / HUNDRED if rule.adjustment_kind == "percent" else None
        self.margin_factor = (HUNDRED + rule.min_margin_percent) / HUNDRED
        # The indexes find a rule by one criterion; one with more criteria is checked in full.
        products = rule.products
        self.needs_full_check = bool(products.attributes) or bool(products.skus and products.category_paths)


class PriceBook:
    """Unit prices for one context. Build once, ask for many SKUs.

    `explain=False` leaves the explanation out of every answer (the prices are the same): for
    callers that only show or store prices (a listing, the search index), where writing out each
    step of 1,000 SKUs costs a third of the calculation."""

    def __init__(self, context: PricingContext, *, explain: bool = True) -> None:
        self.context = context
        self.explain = explain
        self.step = quantum(context.currency)
        self.lists = ordered_price_lists(context)
        self.lists_by_code = {
            price_list.code: price_list for price_list in context.price_lists if price_list.currency == context.currency
        }
        # derived list code -> (parent list, price factor, explanation)
        self.derivations: dict[str, tuple[PriceListData, Decimal, str]] = {}
        for price_list in self.lists_by_code.values():
            parent = self.lists_by_code.get(price_list.parent_code or "")
            if parent is not None:
                self.derivations[price_list.code] = (
                    parent,
                    (HUNDRED + price_list.adjustment_percent) / HUNDRED,
                    f"{price_list.name} = {parent.code} {price_list.adjustment_percent:+}%",
                )
        self.rules = ordered_rules(context)
        self.compiled_rules = [CompiledRule(rule, context) for rule in self.rules]
        # Rule indexes: by the SKUs a rule names, else by its categories, else checked for every product.
        self.rules_for_every_product: list[int] = []
        self.rules_by_sku: dict[str, list[int]] = {}
        self.rules_by_category: dict[str, list[int]] = {}
        for index, compiled in enumerate(self.compiled_rules):
            products = compiled.rule.products
            if products.skus:
                for sku in products.skus:
                    self.rules_by_sku.setdefault(sku, []).append(index)
            elif products.category_paths:
                for path in products.category_paths:
                    self.rules_by_category.setdefault(path, []).append(index)
            else:
                self.rules_for_every_product.append(index)
        self.rules_without_index = [self.compiled_rules[index] for index in self.rules_for_every_product]
        # (SKU named by a rule, parent SKU named by a rule, category paths) -> candidate rules
        self.candidates: dict[tuple[str, str, tuple[str, ...]], list[CompiledRule]] = {}
        self.tax = TaxCalculator(context.tax, self.step)

    def facts(self, sku: str) -> ProductPricingFacts:
        return self.context.products.get(sku) or NO_FACTS

    def list_price(
        self, price_list: PriceListData, sku: str, parent_sku: str, quantity: int, depth: int = 0
    ) -> tuple[Decimal, list[ExplanationStep]] | None:
        tiers = price_list.entries.get(sku)
        entry_sku = sku
        if tiers is None and parent_sku:
            tiers = price_list.entries.get(parent_sku)
            entry_sku = parent_sku
        if tiers is not None:
            chosen = None
            for tier in tiers:
                if tier.min_quantity <= quantity:
                    chosen = tier
                else:
                    break
            if chosen is None:
                return None
            # Lists may hold sub-cent prices; the engine sells at whole minor units.
            price = chosen.unit_price.quantize(self.step, ROUND_HALF_UP)
            if not self.explain:
                return price, []
            steps = [ExplanationStep("price_list", price_list.code, f"{price_list.name}: entry for {entry_sku}", price)]
            if len(tiers) > 1 or chosen.min_quantity > 1:
                steps.append(ExplanationStep("tier", price_list.code, f"tier from {chosen.min_quantity} units", price))
            return price, steps
        derivation = self.derivations.get(price_list.code)
        if derivation is not None and depth < MAX_DERIVATION_DEPTH:
            parent, factor, detail = derivation
            found = self.list_price(parent, sku, parent_sku, quantity, depth + 1)
            if found is None:
                return None
            parent_price, steps = found
            price = (parent_price * factor).quantize(self.step, ROUND_HALF_UP)
            if self.explain:
                steps.append(ExplanationStep("derived", price_list.code, detail, price))
            return price, steps
        return None

    def candidate_rules(self, sku: str, facts: ProductPricingFacts) -> list[CompiledRule]:
        """The rules that may match the SKU, in rule order: found through the SKU and category
        indexes instead of testing every rule against every product. Products named by no rule
        share their list with every product in the same categories (worked out once)."""
        by_sku = self.rules_by_sku
        by_category = self.rules_by_category
        if not by_sku and not by_category:
            return self.rules_without_index
        key = (
            sku if sku in by_sku else "",
            facts.parent_sku if facts.parent_sku in by_sku else "",
            facts.category_paths if by_category else (),
        )
        found = self.candidates.get(key)
        if found is None:
            indexes = list(self.rules_for_every_product)
            for named in key[:2]:
                if named:
                    indexes += by_sku[named]
            for path in key[2]:
                indexes += by_category.get(path, ())
            compiled = self.compiled_rules
            found = self.candidates[key] = [compiled[index] for index in sorted(set(indexes))]
        return found

    def apply_rules(
        self, sku: str, facts: ProductPricingFacts, price: Decimal, steps: list[ExplanationStep]
    ) -> Decimal:
        step = self.step
        explain = self.explain
        floors: dict[Decimal, Decimal] | None = None  # cost + margin, per margin, for this SKU
        for compiled in self.candidate_rules(sku, facts):
            rule = compiled.rule
            if compiled.needs_full_check and not rule.products.matches(sku, facts):
                continue
            reason = None
            if compiled.is_dynamic:
                reason = rule_trigger(rule, sku, self.context)
                if reason is None:
                    continue
            before = price
            if compiled.factor is not None:
                proposed = (before * compiled.factor).quantize(step, ROUND_HALF_UP)
            elif rule.adjustment_kind == "amount":
                proposed = (before + rule.adjustment_value).quantize(step, ROUND_HALF_UP)
            else:
                proposed = rule.adjustment_value.quantize(step, ROUND_HALF_UP)
            if proposed < ZERO:
                proposed = ZERO
            if explain:
                detail = (
                    compiled.detail
                    if reason is None
                    else f"{compiled.label} ({rule.kind}, {reason}): {compiled.adjustment}"
                )
                steps.append(ExplanationStep("rule", rule.code, detail, proposed))
            price = proposed
            if proposed < before and facts.cost_price is not None:
                if floors is None:
                    floors = {}
                floor = floors.get(compiled.margin_factor)
                if floor is None:
                    floor = floors[compiled.margin_factor] = (facts.cost_price * compiled.margin_factor).quantize(
                        step, ROUND_HALF_UP
                    )
                if floor > proposed:
                    price = floor if floor < before else before
                if price != proposed and explain:
                    steps.append(
                        ExplanationStep(
                            "guard_rail",
                            rule.code,
                            f"floor: cost {facts.cost_price} + {rule.min_margin_percent}% margin",
                            price,
                        )
                    )
            elif proposed > before and rule.cap_at_msrp and facts.msrp is not None:
                if facts.msrp < proposed:
                    price = facts.msrp if facts.msrp > before else before
                if price != proposed and explain:
                    steps.append(ExplanationStep("guard_rail", rule.code, f"ceiling: MSRP {facts.msrp}", price))
            if rule.stop_further_rules:
                if explain:
                    steps.append(ExplanationStep("rule", rule.code, "stops further rules"))
                break
        return price

    def unit_price(
        self,
        sku: str,
        quantity: int,
        facts: ProductPricingFacts | None = None,
        components: tuple[tuple[str, int], ...] = (),
    ) -> tuple[Decimal, Decimal, str, list[ExplanationStep]] | None:
        """(list unit price, unit price after rules, list code, steps), or None when no list prices the SKU.
        A dynamic bundle with its chosen `components` (or, not chosen yet, its preselected ones) costs
        the sum of their prices (each at the quantity the line takes of it, so their tiers apply),
        then the bundle's own rules."""
        if facts is None:
            facts = self.facts(sku)
        if facts.dynamic_bundle and (components or facts.default_components):
            return self.bundle_price(sku, quantity, facts, components or facts.default_components)
        for price_list in self.lists:
            found = self.list_price(price_list, sku, facts.parent_sku, quantity)
            if found is not None:
                list_price, steps = found
                price = self.apply_rules(sku, facts, list_price, steps)
                return list_price, price, price_list.code, steps
        return None

    def bundle_price(
        self, sku: str, quantity: int, facts: ProductPricingFacts, components: tuple[tuple[str, int], ...]
    ) -> tuple[Decimal, Decimal, str, list[ExplanationStep]] | None:
        total = ZERO
        parts = []
        for component, per_bundle in components:
            found = self.unit_price(component, per_bundle * quantity)
            if found is None:
                return None
            total += found[1] * per_bundle
            if self.explain:
                parts.append(f"{per_bundle} x {component} at {found[1]}")
        steps: list[ExplanationStep] = []
        if self.explain:
            steps.append(ExplanationStep("bundle", sku, f"sum of the chosen options: {', '.join(parts)}", total))
        return total, self.apply_rules(sku, facts, total, steps), "", steps

    def price(self, sku: str, quantity: int, components: tuple[tuple[str, int], ...] = ()) -> PriceResult:
        if quantity < 1:
            raise ValueError("quantity must be 1 or more")
        context = self.context
        facts = self.facts(sku)
        found = self.unit_price(sku, quantity, facts, components)
        if found is None:
            return PriceResult(
                sku=sku,
                quantity=quantity,
                currency=context.currency,
                found=False,
                explanation=(ExplanationStep("no_price", sku, "no price list prices this SKU in this context"),)
                if self.explain
                else (),
            )
        list_price, unit_price, list_code, steps = found
        line, tax_step = self.tax.line(unit_price * quantity, facts.tax_class)
        unit = line if quantity == 1 else self.tax.line(unit_price, facts.tax_class)[0]
        if self.explain:
            steps.append(tax_step)
        display = self.tax.display
        return PriceResult(
            sku,
            quantity,
            context.currency,
            True,
            list_price,
            unit_price,
            unit,
            line,
            display(unit),
            display(line),
            list_code,
            facts.msrp,
            tuple(steps) if steps else (),
        )


def price_items(
    context: PricingContext, items: Iterable[tuple[str, int] | CartLineInput], *, explain: bool = True
) -> list[PriceResult]:
    """Prices for (sku, quantity) pairs (or lines with a dynamic bundle's chosen components), in
    the given order. Pure: reads only the context. `explain=False`: the same prices without their
    explanations (see `PriceBook`)."""
    with collection_paused():
        book = PriceBook(context, explain=explain)
        return [
            book.price(item.sku, item.quantity, item.components)
            if isinstance(item, CartLineInput)
            else book.price(*item)
            for item in items
        ]
