from __future__ import annotations

from copy import copy
from datetime import datetime, time
from decimal import Decimal
from typing import Any, Literal

from ninja import Schema
from pydantic import BaseModel, Field, create_model

from handel.pricing.models import Coupon, PriceList

Code = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,49}$")
Sku = Field(min_length=1, max_length=100)
Amount = Field(max_digits=14, decimal_places=4)
Percent = Field(max_digits=7, decimal_places=3)
SkuList: Any = Field(default_factory=list, max_length=1000)
KeyList: Any = Field(default_factory=list, max_length=100)


def partial(model: type[Schema], name: str) -> type[Schema]:
    """The same fields, every one optional (for PATCH), keeping their constraints."""
    fields: dict[str, Any] = {}
    for field_name, info in model.model_fields.items():
        optional = copy(info)
        optional.default = None
        optional.default_factory = None
        annotation: Any = info.annotation
        fields[field_name] = (annotation | None, optional)
    model_class: type[Schema] = create_model(name, __base__=Schema, **fields)
    return model_class


# --- prices -----------------------------------------------------------------------------------
# A price request and its answer carry up to 1,000 items: plain pydantic models validate them
# several times faster than ninja Schemas, whose per-object hook exists to read Django model
# attributes (the answer of 1,000 prices spent half its time there).


class PriceRequestItem(BaseModel):
    sku: str = Sku
    quantity: int = Field(1, ge=1, le=1_000_000)


class PriceRequest(BaseModel):
    items: list[PriceRequestItem] = Field(min_length=1, max_length=1000)


class ExplanationStepOut(BaseModel):
    kind: str
    code: str
    detail: str
    amount: Decimal | None


class PriceOut(BaseModel):
    sku: str
    quantity: int
    found: bool
    unit_price: Decimal | None = Field(description="per unit, incl. or excl. tax as the channel shows prices")
    line_total: Decimal | None
    unit_net: Decimal | None
    unit_gross: Decimal | None
    line_net: Decimal | None
    line_tax: Decimal | None
    line_gross: Decimal | None
    tax_rate: Decimal | None
    reverse_charge: bool
    list_unit_price: Decimal | None = Field(description="before rules, on the entry basis of the price list")
    msrp: Decimal | None
    explanation: list[ExplanationStepOut] | None = Field(None, description="staff only")


class PricesOut(BaseModel):
    channel: str
    currency: str
    prices_include_tax: bool
    items: list[PriceOut]


class CartRequest(Schema):
    lines: list[PriceRequestItem] = Field(min_length=1, max_length=500)
    coupons: list[str] = Field(default_factory=list, max_length=10)


class CartLineOut(Schema):
    sku: str
    quantity: int
    found: bool
    unit_price: Decimal
    subtotal: Decimal
    discount: Decimal
    total: Decimal
    net: Decimal
    tax: Decimal
    gross: Decimal
    tax_rate: Decimal
    display_total: Decimal
    explanation: list[ExplanationStepOut] | None = None


class AppliedPromotionOut(Schema):
    code: str
    name: str
    action: str
    discount: Decimal
    coupon: str


class RejectedCouponOut(Schema):
    code: str
    reason: str


class GiftOut(Schema):
    sku: str
    quantity: int
    promotion_code: str


class CartOut(Schema):
    channel: str
    currency: str
    prices_include_tax: bool
    lines: list[CartLineOut]
    subtotal: Decimal
    discount_total: Decimal
    total: Decimal
    net_total: Decimal
    tax_total: Decimal
    gross_total: Decimal
    display_total: Decimal
    free_shipping: bool
    gifts: list[GiftOut]
    applied_promotions: list[AppliedPromotionOut]
    accepted_coupons: list[str]
    rejected_coupons: list[RejectedCouponOut]
    unpriced_skus: list[str]
    explanation: list[ExplanationStepOut] | None = None


class ExplainContextIn(Schema):
    """The context staff want to see prices in (default: the request's channel, no customer)."""

    channel: str | None = Field(None, max_length=50)
    customer: str | None = Field(None, max_length=254, description="customer public id or email")
    company_key: str | None = Field(None, max_length=100)
    at: datetime | None = None
    country: str | None = Field(None, min_length=2, max_length=2)
    region: str = Field("", max_length=100)
    vat_number: str = Field("", max_length=20)
    segments: list[str] = KeyList
    first_order: bool = False


class ExplainPriceIn(ExplainContextIn):
    sku: str = Sku
    quantity: int = Field(1, ge=1, le=1_000_000)


class ExplainCartIn(ExplainContextIn):
    lines: list[PriceRequestItem] = Field(min_length=1, max_length=500)
    coupons: list[str] = Field(default_factory=list, max_length=10)


# --- price lists ------------------------------------------------------------------------------


class AssignmentIO(Schema):
    kind: Literal["customer", "company", "customer_group", "channel"]
    key: str = Field(min_length=1, max_length=100)


class PriceListFields(Schema):
    name: str = Field(min_length=1, max_length=100)
    currency: str = Field(min_length=3, max_length=3)
    priority: int = Field(0, ge=-1_000_000, le=1_000_000)
    is_base: bool = False
    is_active: bool = True
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    parent: str | None = Field(None, max_length=50)
    adjustment_percent: Decimal = Field(Decimal(0), max_digits=7, decimal_places=3, gt=-100, le=1000)
    assignments: list[AssignmentIO] = Field(default_factory=list, max_length=1000)


class PriceListIn(PriceListFields):
    code: str = Code


PriceListPatch = partial(PriceListFields, "PriceListPatch")


class PriceListOut(Schema):
    code: str
    name: str
    currency: str
    priority: int
    is_base: bool
    is_active: bool
    valid_from: datetime | None
    valid_until: datetime | None
    parent: str | None
    adjustment_percent: Decimal
    assignments: list[AssignmentIO]

    @staticmethod
    def resolve_parent(obj: PriceList) -> str | None:
        return obj.parent.code if obj.parent else None

    @staticmethod
    def resolve_assignments(obj: PriceList) -> list[dict[str, str]]:
        return [{"kind": a.kind, "key": a.key} for a in obj.assignments.all()]


class PriceListPage(Schema):
    items: list[PriceListOut]
    meta: dict[str, int]


class EntryIO(Schema):
    sku: str = Sku
    min_quantity: int = Field(1, ge=1, le=1_000_000_000)
    unit_price: Decimal = Field(max_digits=14, decimal_places=4, ge=0)


class EntriesIn(Schema):
    entries: list[EntryIO] = Field(min_length=1, max_length=10_000)
    replace_skus: bool = Field(True, description="the given SKUs' other tiers in this list are removed")


class EntryPage(Schema):
    items: list[EntryIO]
    meta: dict[str, int]


class CountOut(Schema):
    count: int


class ChannelPricingIn(Schema):
    prices_entered_including_tax: bool
    seller_country: str = Field("", max_length=2)


class ChannelPricingOut(Schema):
    channel: str
    prices_entered_including_tax: bool
    seller_country: str


# --- rules ------------------------------------------------------------------------------------


class RuleFields(Schema):
    name: str = Field(min_length=1, max_length=200)
    kind: Literal["catalog", "stock", "demand", "time"] = "catalog"
    is_active: bool = False
    priority: int = Field(0, ge=-1_000_000, le=1_000_000)
    adjustment_kind: Literal["percent", "amount", "fixed_price"] = "percent"
    adjustment_value: Decimal = Field(max_digits=14, decimal_places=4)
    skus: list[str] = SkuList
    category_paths: list[str] = SkuList
    attributes: dict[str, list[str]] = Field(default_factory=dict, max_length=50)
    channels: list[str] = KeyList
    customer_groups: list[str] = KeyList
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    stop_further_rules: bool = False
    stock_below: int | None = Field(None, ge=-1_000_000_000, le=1_000_000_000)
    stock_at_least: int | None = Field(None, ge=-1_000_000_000, le=1_000_000_000)
    min_sell_through_percent: Decimal | None = Field(None, ge=0, le=100, max_digits=6, decimal_places=2)
    max_sell_through_percent: Decimal | None = Field(None, ge=0, le=100, max_digits=6, decimal_places=2)
    demand_window_days: int = Field(7, ge=1, le=365)
    time_from: time | None = None
    time_until: time | None = None
    weekdays: list[int] = Field(default_factory=list, max_length=7)
    min_margin_percent: Decimal = Field(Decimal(0), ge=0, le=1000, max_digits=7, decimal_places=3)
    cap_at_msrp: bool = True


class RuleIn(RuleFields):
    code: str = Code


RulePatch = partial(RuleFields, "RulePatch")


class RuleOut(RuleFields):
    code: str


class RulePage(Schema):
    items: list[RuleOut]
    meta: dict[str, int]


class PreviewIn(Schema):
    channel: str | None = Field(None, max_length=50)
    customer_group: str | None = Field(None, max_length=50)
    skus: list[str] | None = Field(None, max_length=1000, description="default: every SKU the channel's lists price")
    at: datetime | None = None
    stock_levels: dict[str, int] | None = Field(None, description="what-if stock levels per SKU")
    limit: int = Field(1000, ge=1, le=5000)


class PreviewChangeOut(Schema):
    sku: str
    price_without_rule: Decimal
    price_with_rule: Decimal
    difference: Decimal
    explanation: list[ExplanationStepOut]


class PreviewOut(Schema):
    rule: str
    channel: str
    currency: str
    checked: int
    changed: int
    changes: list[PreviewChangeOut]


class PriceChangeOut(Schema):
    at: datetime
    sku: str
    channel_code: str
    currency: str
    old_price: Decimal | None
    new_price: Decimal | None
    rule_codes: list[str]
    reason: str


class PriceChangePage(Schema):
    items: list[PriceChangeOut]
    meta: dict[str, int]


# --- promotions and coupons -------------------------------------------------------------------


class TierIO(Schema):
    min_subtotal: Decimal = Field(ge=0, max_digits=14, decimal_places=4)
    percent: Decimal = Field(gt=0, le=100, max_digits=7, decimal_places=3)


class PromotionFields(Schema):
    name: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=5000)
    is_active: bool = True
    priority: int = Field(0, ge=-1_000_000, le=1_000_000)
    action: Literal[
        "percent_off_lines",
        "amount_off_lines",
        "percent_off_cart",
        "amount_off_cart",
        "fixed_price",
        "buy_x_get_y",
        "tiered_spend",
        "free_shipping",
        "free_gift",
    ]
    value: Decimal = Field(Decimal(0), ge=0, max_digits=14, decimal_places=4)
    stackable: bool = True
    stop_further_rules: bool = False
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    requires_coupon: bool = False
    min_subtotal: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=4)
    min_quantity: int | None = Field(None, ge=1, le=1_000_000_000)
    required_skus: list[str] = SkuList
    required_category_paths: list[str] = SkuList
    required_attributes: dict[str, list[str]] = Field(default_factory=dict, max_length=50)
    customer_groups: list[str] = KeyList
    segments: list[str] = KeyList
    channels: list[str] = KeyList
    first_order_only: bool = False
    target_skus: list[str] = SkuList
    target_category_paths: list[str] = SkuList
    target_attributes: dict[str, list[str]] = Field(default_factory=dict, max_length=50)
    buy_quantity: int = Field(0, ge=0, le=1000)
    get_quantity: int = Field(0, ge=0, le=1000)
    tiers: list[TierIO] = Field(default_factory=list, max_length=50)
    gift_sku: str = Field("", max_length=100)
    gift_quantity: int = Field(1, ge=1, le=1000)
    usage_limit: int | None = Field(None, ge=1, le=2_000_000_000)
    usage_limit_per_customer: int | None = Field(None, ge=1, le=2_000_000_000)


class PromotionIn(PromotionFields):
    code: str = Code


PromotionPatch = partial(PromotionFields, "PromotionPatch")


class PromotionOut(PromotionFields):
    code: str
    times_used: int


class PromotionPage(Schema):
    items: list[PromotionOut]
    meta: dict[str, int]


class CouponIn(Schema):
    code: str = Field(min_length=1, max_length=40)
    usage_limit: int | None = Field(1, ge=1, le=2_000_000_000, description="1 = single use; null = unlimited")
    usage_limit_per_customer: int | None = Field(None, ge=1, le=2_000_000_000)


class CouponOut(Schema):
    code: str
    promotion: str
    usage_limit: int | None
    usage_limit_per_customer: int | None
    times_used: int
    is_active: bool
    batch_id: int | None

    @staticmethod
    def resolve_promotion(obj: Coupon) -> str:
        return obj.promotion.code


class CouponPage(Schema):
    items: list[CouponOut]
    meta: dict[str, int]


class CouponBatchIn(Schema):
    quantity: int = Field(ge=1, le=100_000)
    prefix: str = Field("", max_length=20)
    length: int = Field(10, ge=6, le=20)
    usage_limit: int | None = Field(1, ge=1, le=2_000_000_000)
    usage_limit_per_customer: int | None = Field(None, ge=1, le=2_000_000_000)


class CouponBatchOut(Schema):
    id: int
    promotion: str
    prefix: str
    quantity: int
    usage_limit: int | None
    created_at: datetime
    export_url: str


# --- tax --------------------------------------------------------------------------------------


class TaxRateIn(Schema):
    country: str = Field(min_length=2, max_length=2)
    region: str = Field("", max_length=100)
    tax_class: str = Field("standard", min_length=1, max_length=50)
    customer_tax_class: str = Field("", max_length=50)
    rate: Decimal = Field(ge=0, le=100, max_digits=6, decimal_places=3)
    name: str = Field("", max_length=100)


class TaxRateOut(TaxRateIn):
    id: int


class TaxRatePage(Schema):
    items: list[TaxRateOut]
    meta: dict[str, int]
