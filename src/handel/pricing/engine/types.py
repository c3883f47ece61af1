"""The price engine's inputs and outputs: frozen dataclasses, no database, no Django.

A `PricingContext` holds everything one calculation needs (loaded in one pass by
`handel.pricing.queries.load_pricing_context`, or built by hand in tests and benchmarks).
Amounts are `Decimal` in the context's currency; percentages are percent (`Decimal("-15")`
is fifteen percent off).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, time
from decimal import Decimal
from typing import Any, NamedTuple

ZERO = Decimal(0)
HUNDRED = Decimal(100)

# Who a price list is assigned to, most specific first. The rank decides which list wins.
ASSIGNEE_KINDS = ("customer", "company", "customer_group", "channel")
SPECIFICITY = {"customer": 4, "company": 3, "customer_group": 2, "channel": 1}
BASE_SPECIFICITY = 0

RULE_KINDS = ("catalog", "stock", "demand", "time")
ADJUSTMENT_KINDS = ("percent", "amount", "fixed_price")
PROMOTION_ACTIONS = (
    "percent_off_lines",
    "amount_off_lines",
    "percent_off_cart",
    "amount_off_cart",
    "fixed_price",
    "buy_x_get_y",
    "tiered_spend",
    "free_shipping",
    "free_gift",
)


@dataclass(frozen=True, slots=True)
class ProductPricingFacts:
    """What pricing needs to know of a product (from the catalog)."""

    sku: str
    parent_sku: str = ""
    category_paths: tuple[str, ...] = ()
    attributes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    tax_class: str = "standard"
    cost_price: Decimal | None = None
    msrp: Decimal | None = None
    dynamic_bundle: bool = False  # priced as the sum of the options chosen, when they are given
    # ...or else of its preselected options (what listings show), when every required group has one
    default_components: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True, slots=True)
class ProductFilter:
    """Which products a rule or promotion concerns. Empty criteria match everything; criteria
    combine with AND, the values within one criterion with OR."""

    skus: frozenset[str] = frozenset()
    category_paths: frozenset[str] = frozenset()
    attributes: Mapping[str, frozenset[str]] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        return not (self.skus or self.category_paths or self.attributes)

    def matches(self, sku: str, facts: ProductPricingFacts | None) -> bool:
        if self.skus and sku not in self.skus and (facts is None or facts.parent_sku not in self.skus):
            return False
        if self.category_paths and (facts is None or self.category_paths.isdisjoint(facts.category_paths)):
            return False
        for code, wanted in self.attributes.items():
            if facts is None or wanted.isdisjoint(facts.attributes.get(code, ())):
                return False
        return True


@dataclass(frozen=True, slots=True)
class Assignment:
    kind: str  # one of ASSIGNEE_KINDS
    key: str  # channel code, customer group code, customer key or company key


class TierPrice(NamedTuple):
    """A tier break of a price list entry (a named tuple: a loader makes thousands per call)."""

    min_quantity: int
    unit_price: Decimal


@dataclass(frozen=True, slots=True)
class PriceListData:
    code: str
    name: str
    currency: str
    priority: int = 0
    is_base: bool = False
    assignments: tuple[Assignment, ...] = ()
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    parent_code: str | None = None
    adjustment_percent: Decimal = ZERO
    # sku -> tier breaks, ascending by min_quantity
    entries: Mapping[str, tuple[TierPrice, ...]] = field(default_factory=dict)

    def is_valid_at(self, at: datetime) -> bool:
        starts_ok = self.valid_from is None or self.valid_from <= at
        return starts_ok and (self.valid_until is None or at < self.valid_until)


@dataclass(frozen=True, slots=True)
class PriceRuleData:
    """A catalog rule (kind "catalog") or a dynamic rule (stock, demand, time)."""

    code: str
    name: str
    kind: str = "catalog"
    priority: int = 0
    adjustment_kind: str = "percent"
    adjustment_value: Decimal = ZERO
    products: ProductFilter = ProductFilter()
    channels: frozenset[str] = frozenset()
    customer_groups: frozenset[str] = frozenset()
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    stop_further_rules: bool = False
    # dynamic triggers
    stock_below: int | None = None
    stock_at_least: int | None = None
    min_sell_through_percent: Decimal | None = None
    max_sell_through_percent: Decimal | None = None
    demand_window_days: int = 7
    time_from: time | None = None
    time_until: time | None = None
    weekdays: frozenset[int] = frozenset()  # 0 = Monday
    # guard rails
    min_margin_percent: Decimal = ZERO
    cap_at_msrp: bool = True


@dataclass(frozen=True, slots=True)
class PromotionTier:
    min_subtotal: Decimal
    percent: Decimal


@dataclass(frozen=True, slots=True)
class PromotionData:
    code: str
    name: str
    action: str
    priority: int = 0
    value: Decimal = ZERO
    stackable: bool = True
    stop_further_rules: bool = False
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    requires_coupon: bool = False
    # conditions
    min_subtotal: Decimal | None = None
    min_quantity: int | None = None
    required_products: ProductFilter = ProductFilter()
    customer_groups: frozenset[str] = frozenset()
    segments: frozenset[str] = frozenset()
    channels: frozenset[str] = frozenset()
    first_order_only: bool = False
    # what the action works on
    target: ProductFilter = ProductFilter()
    buy_quantity: int = 0
    get_quantity: int = 0
    tiers: tuple[PromotionTier, ...] = ()
    gift_sku: str = ""
    gift_quantity: int = 1
    # set by the loader from the usage counters: the promotion's or this customer's limit is reached
    usage_exhausted: bool = False


@dataclass(frozen=True, slots=True)
class CouponData:
    code: str
    promotion_code: str
    usable: bool = True
    reason: str = ""


@dataclass(frozen=True, slots=True)
class TaxRateData:
    country: str
    rate: Decimal  # percent
    tax_class: str = "standard"
    region: str = ""
    customer_tax_class: str = ""  # empty: every customer tax class
    name: str = ""


@dataclass(frozen=True, slots=True)
class TaxSetup:
    seller_country: str
    destination_country: str
    destination_region: str = ""
    customer_tax_class: str = "standard"
    buyer_vat_number: str = ""
    prices_entered_including_tax: bool = False
    prices_shown_including_tax: bool = False
    rates: tuple[TaxRateData, ...] = ()
    # the EU member states (handel.core.countries.EU_COUNTRIES), for the B2B reverse charge
    eu_countries: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class PricingContext:
    channel_code: str
    currency: str
    at: datetime  # local time of the shop: time-of-day rules read it
    tax: TaxSetup
    customer_key: str | None = None
    customer_group: str | None = None
    company_key: str | None = None
    segments: frozenset[str] = frozenset()
    is_first_order: bool = False
    price_lists: tuple[PriceListData, ...] = ()
    rules: tuple[PriceRuleData, ...] = ()
    promotions: tuple[PromotionData, ...] = ()
    coupons: Mapping[str, CouponData] = field(default_factory=dict)
    products: Mapping[str, ProductPricingFacts] = field(default_factory=dict)
    stock_levels: Mapping[str, int] = field(default_factory=dict)
    sell_through_percent: Mapping[str, Decimal] = field(default_factory=dict)


class ExplanationStep(NamedTuple):
    """One step of how a price came about, in the order the engine took it. (An immutable named
    tuple rather than a dataclass: thousands are made per call, and tuples are made fastest.)"""

    kind: str  # price_list, tier, derived, bundle, rule, guard_rail, promotion, coupon, tax, no_price
    code: str
    detail: str
    amount: Decimal | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "code": self.code,
            "detail": self.detail,
            "amount": None if self.amount is None else str(self.amount),
        }


class TaxedAmount(NamedTuple):
    net: Decimal
    tax: Decimal
    gross: Decimal
    rate: Decimal
    reverse_charge: bool = False


class PriceResult(NamedTuple):
    """The price of `quantity` units of one SKU in a context, with its explanation.

    `unit_price` is on the channel's entry basis (incl. or excl. tax as the price lists are kept);
    `unit_display` is what the channel shows (incl. or excl. tax). Immutable (a named tuple, like
    the other per-SKU results: a listing makes thousands of them per call).
    """

    sku: str
    quantity: int
    currency: str
    found: bool
    list_unit_price: Decimal = ZERO
    unit_price: Decimal = ZERO
    unit: TaxedAmount | None = None
    line: TaxedAmount | None = None
    unit_display: Decimal = ZERO
    line_display: Decimal = ZERO
    price_list_code: str = ""
    msrp: Decimal | None = None
    explanation: tuple[ExplanationStep, ...] = ()


@dataclass(frozen=True, slots=True)
class CartLineInput:
    sku: str
    quantity: int
    # A dynamic bundle's chosen options: (SKU, quantity per bundle), priced and summed.
    components: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True, slots=True)
class CartLineResult:
    sku: str
    quantity: int
    found: bool
    unit_price: Decimal
    subtotal: Decimal  # unit_price * quantity, entry basis
    discount: Decimal
    total: Decimal  # subtotal - discount, entry basis
    taxed: TaxedAmount
    display_total: Decimal
    explanation: tuple[ExplanationStep, ...]


@dataclass(frozen=True, slots=True)
class AppliedPromotion:
    code: str
    name: str
    action: str
    discount: Decimal
    coupon: str = ""


@dataclass(frozen=True, slots=True)
class GiftLine:
    sku: str
    quantity: int
    promotion_code: str


@dataclass(frozen=True, slots=True)
class CartResult:
    currency: str
    lines: tuple[CartLineResult, ...]
    subtotal: Decimal
    discount_total: Decimal
    total: Decimal  # entry basis
    net_total: Decimal
    tax_total: Decimal
    gross_total: Decimal
    display_total: Decimal
    prices_shown_including_tax: bool
    free_shipping: bool
    gifts: tuple[GiftLine, ...]
    applied_promotions: tuple[AppliedPromotion, ...]
    accepted_coupons: tuple[str, ...]
    rejected_coupons: tuple[tuple[str, str], ...]  # (code, reason)
    unpriced_skus: tuple[str, ...]
    explanation: tuple[ExplanationStep, ...] = field(default=())
