"""What the price engine keeps between calls, in this process, for as long as it is still true.

Price lists, rules, tax rates and channel settings change when staff change them; a product's
pricing facts (categories, attributes, tax class, cost, MSRP) when the catalog changes. Reading
them again for every call made pricing 1,000 SKUs cost three times the calculation. So a process
keeps what it has read, each part with the token of the revision it was read at
(`handel.core.revisions`: database triggers change a token on every write to the revision's
tables, whoever writes): `KeptFacts` with the "catalog.facts" revision, `KeptPricing` (lists,
their entries, rules, tax rates, channel settings) with the "pricing" revision. Each call reads
the two tokens, one small query; while a token stands, the part it guards reads from the
database only the SKUs (and lists' entries) this process has not seen yet. A price change
leaves the kept facts alone, a catalog change the kept prices.

Stock levels, sell-through, promotions, coupons and their usage change with every order and are
always read fresh. A kept part only grows; when its token changes, or it holds more items than
`HANDEL_PRICING_KEPT_ITEMS` (a SKU's facts; a SKU's entries in one list), the next call starts a
new one, and a call still using the old one finishes with what it read. Safe under threads: a
new part replaces the old in one assignment, and a part's dictionaries only ever gain keys.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

from handel.pricing.engine.types import (
    PriceListData,
    PriceRuleData,
    ProductPricingFacts,
    TaxRateData,
    TierPrice,
)

MAX_PARENT_DEPTH = 5


@dataclass(frozen=True)
class KeptList:
    """A price list without its entries (all lists are kept: a derived list's parent may be inactive)."""

    id: int
    parent_id: int | None
    is_active: bool
    data: PriceListData


@dataclass(frozen=True)
class PricingSetup:
    """The small tables, read whole when the pricing revision changes."""

    lists: Mapping[int, KeptList]
    active_rules: tuple[PriceRuleData, ...]
    tax_rates: tuple[TaxRateData, ...]
    channel_settings: Mapping[int, tuple[str, bool]]  # channel id -> (seller country, prices entered incl. tax)


class KeptFacts:
    """Product facts by SKU, valid while the catalog's facts revision stands."""

    def __init__(self, token: object) -> None:
        self.token = token
        self.facts: dict[str, ProductPricingFacts | None] = {}  # None: no such product
        self.size = 0
        self.lock = threading.Lock()

    def facts_of(
        self, skus: Iterable[str], load: Callable[[list[str]], dict[str, ProductPricingFacts]]
    ) -> dict[str, ProductPricingFacts]:
        """The facts of the known SKUs among `skus`; `load` reads those this process has not seen."""
        wanted = list(skus)
        kept = self.facts
        missing = [sku for sku in wanted if sku not in kept]
        if missing:
            found = load(missing)
            with self.lock:
                for sku in missing:
                    kept[sku] = found.get(sku)
                self.size += len(missing)
        result = {}
        for sku in wanted:
            facts = kept[sku]
            if facts is not None:
                result[sku] = facts
        return result


class KeptPricing:
    """Price lists (entries by SKU as they are asked), rules, tax rates and channel settings,
    valid while the pricing revision stands."""

    def __init__(self, token: object, setup: PricingSetup) -> None:
        self.token = token
        self.setup = setup
        # (assignee kind, key) -> ids of the active lists assigned to it
        self.assigned: dict[tuple[str, str], list[int]] = {}
        for kept_list in setup.lists.values():
            if kept_list.is_active:
                for assignment in kept_list.data.assignments:
                    self.assigned.setdefault((assignment.kind, assignment.key), []).append(kept_list.id)
        self.entries: dict[int, dict[str, tuple[TierPrice, ...]]] = {}  # list id -> SKU -> tiers
        self.looked_up: dict[int, set[str]] = {}  # list id -> SKUs whose entries are in `entries` (or none exist)
        self.size = 0  # a SKU's entries in one list count one
        self.lock = threading.Lock()

    # --- price lists -----------------------------------------------------------------------------

    def list_ids(
        self, *, currency: str, at: datetime, assignees: Iterable[tuple[str, str]]
    ) -> tuple[set[int], set[int]]:
        """(ids of the active lists assigned to these assignees, valid at `at`, in the currency;
        those and the lists they derive from)."""
        lists = self.setup.lists
        assigned = set()
        for assignee in assignees:
            for list_id in self.assigned.get(assignee, ()):
                data = lists[list_id].data
                if data.currency == currency and data.is_valid_at(at):
                    assigned.add(list_id)
        needed = set(assigned)
        parents = {lists[list_id].parent_id for list_id in assigned}
        for _ in range(MAX_PARENT_DEPTH):
            fresh = {list_id for list_id in parents if list_id is not None and list_id in lists} - needed
            if not fresh:
                break
            needed |= fresh
            parents = {lists[list_id].parent_id for list_id in fresh}
        return assigned, needed

    def price_lists(
        self,
        assigned: set[int],
        needed: set[int],
        skus: list[str],
        load: Callable[[list[int], list[str]], Iterable[tuple[int, str, int, Decimal]]],
    ) -> tuple[PriceListData, ...]:
        """The needed lists with their entries for `skus`; `load(list ids, SKUs)` reads the entry
        rows (list id, SKU, min quantity, unit price) this process has not seen, ordered by list,
        SKU and quantity."""
        missing: set[str] = set()
        asked: list[int] = []
        for list_id in needed:
            seen = self.looked_up.get(list_id)
            unseen = [sku for sku in skus if sku not in seen] if seen is not None else skus
            if unseen:
                asked.append(list_id)
                missing.update(unseen)
        if asked:
            fresh: dict[int, dict[str, list[TierPrice]]] = {}
            for list_id, sku, min_quantity, unit_price in load(sorted(asked), sorted(missing)):
                fresh.setdefault(list_id, {}).setdefault(sku, []).append(TierPrice(min_quantity, unit_price))
            with self.lock:
                for list_id in asked:
                    entries = self.entries.setdefault(list_id, {})
                    for sku, tiers in fresh.get(list_id, {}).items():
                        entries[sku] = tuple(tiers)
                    self.looked_up.setdefault(list_id, set()).update(missing)
                self.size += len(missing) * len(asked)
        lists = self.setup.lists
        result = []
        for list_id in needed:
            kept_list = lists[list_id]
            entries = self.entries.get(list_id, {})
            data = kept_list.data
            parent = lists.get(kept_list.parent_id) if kept_list.parent_id is not None else None
            result.append(
                replace(
                    data,
                    # A parent loaded only for derivation is not assigned to this context.
                    assignments=data.assignments if list_id in assigned else (),
                    parent_code=parent.data.code if parent is not None and parent.id in needed else None,
                    entries={sku: entries[sku] for sku in skus if sku in entries},
                )
            )
        result.sort(key=lambda item: item.code)
        return tuple(result)

    # --- rules, tax, settings --------------------------------------------------------------------

    def rules_at(
        self, at: datetime, *, extra: PriceRuleData | None = None, skip_code: str | None = None
    ) -> tuple[PriceRuleData, ...]:
        rules = [
            rule
            for rule in self.setup.active_rules
            if rule.code != skip_code
            and (rule.starts_at is None or rule.starts_at <= at)
            and (rule.ends_at is None or rule.ends_at > at)
        ]
        if extra is not None and all(rule.code != extra.code for rule in rules):
            rules.append(extra)
        return tuple(rules)

    def tax_rates(self, countries: set[str]) -> tuple[TaxRateData, ...]:
        return tuple(rate for rate in self.setup.tax_rates if rate.country in countries)

    def channel_settings(self, channel_id: int) -> tuple[str, bool]:
        return self.setup.channel_settings.get(channel_id, ("", False))


_facts: KeptFacts | None = None
_pricing: KeptPricing | None = None
_replacing = threading.Lock()


def kept_facts(token: object, *, max_items: int) -> KeptFacts:
    """The process's kept facts for this catalog facts token: the current ones while the token
    stands and they hold fewer than `max_items` SKUs, else new ones."""
    global _facts
    current = _facts
    if current is not None and current.token == token and current.size < max_items:
        return current
    with _replacing:
        current = _facts
        if current is None or current.token != token or current.size >= max_items:
            current = _facts = KeptFacts(token)
        return current


def kept_pricing(token: object, read_setup: Callable[[], PricingSetup], *, max_items: int) -> KeptPricing:
    """The process's kept pricing for this pricing token: the current one while the token stands
    and it holds fewer than `max_items` items, else a new one (reading the setup again only when
    the token changed)."""
    global _pricing
    current = _pricing
    if current is not None and current.token == token and current.size < max_items:
        return current
    with _replacing:
        current = _pricing
        if current is not None and current.token == token:
            if current.size < max_items:
                return current
            setup = current.setup
        else:
            setup = read_setup()
        _pricing = KeptPricing(token, setup)
        return _pricing
