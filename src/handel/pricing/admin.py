from django.contrib import admin
from unfold.admin import TabularInline

from handel.core.admin import AuditedModelAdmin, ReadOnlyAdmin
from handel.pricing.models import (
    Coupon,
    CouponBatch,
    DailySales,
    DynamicPriceState,
    PriceChangeLog,
    PriceList,
    PriceListAssignment,
    PriceListEntry,
    PriceRule,
    PricingChannelSettings,
    Promotion,
    PromotionUsage,
    TaxRate,
)


class AssignmentInline(TabularInline):
    model = PriceListAssignment
    extra = 1


@admin.register(PriceList)
class PriceListAdmin(AuditedModelAdmin):
    list_display = (
        "code",
        "name",
        "currency",
        "priority",
        "is_base",
        "is_active",
        "valid_from",
        "valid_until",
        "parent",
        "adjustment_percent",
    )
    list_filter = ("currency", "is_base", "is_active")
    search_fields = ("code", "name")
    inlines = [AssignmentInline]


@admin.register(PriceListEntry)
class PriceListEntryAdmin(AuditedModelAdmin):
    list_display = ("price_list", "sku", "min_quantity", "unit_price")
    list_filter = ("price_list",)
    search_fields = ("sku",)
    list_select_related = ("price_list",)


@admin.register(PricingChannelSettings)
class PricingChannelSettingsAdmin(AuditedModelAdmin):
    list_display = ("channel", "prices_entered_including_tax", "seller_country")


@admin.register(PriceRule)
class PriceRuleAdmin(AuditedModelAdmin):
    list_display = (
        "code",
        "name",
        "kind",
        "is_active",
        "priority",
        "adjustment_kind",
        "adjustment_value",
        "starts_at",
        "ends_at",
    )
    list_filter = ("kind", "is_active", "adjustment_kind")
    search_fields = ("code", "name")


@admin.register(Promotion)
class PromotionAdmin(AuditedModelAdmin):
    list_display = (
        "code",
        "name",
        "action",
        "value",
        "is_active",
        "priority",
        "stackable",
        "requires_coupon",
        "starts_at",
        "ends_at",
        "times_used",
        "usage_limit",
    )
    list_filter = ("action", "is_active", "requires_coupon", "stackable")
    search_fields = ("code", "name")
    readonly_fields = ("times_used",)


@admin.register(Coupon)
class CouponAdmin(AuditedModelAdmin):
    list_display = ("code", "promotion", "usage_limit", "usage_limit_per_customer", "times_used", "is_active")
    list_filter = ("is_active", "promotion")
    search_fields = ("code",)
    readonly_fields = ("times_used",)
    list_select_related = ("promotion",)
    raw_id_fields = ("batch",)


@admin.register(CouponBatch)
class CouponBatchAdmin(ReadOnlyAdmin):
    list_display = ("id", "promotion", "prefix", "quantity", "usage_limit", "created_at")


@admin.register(PromotionUsage)
class PromotionUsageAdmin(ReadOnlyAdmin):
    list_display = ("at", "promotion", "coupon", "customer_key", "order_reference", "discount")
    search_fields = ("order_reference", "customer_key", "coupon__code")
    list_select_related = ("promotion", "coupon")


@admin.register(TaxRate)
class TaxRateAdmin(AuditedModelAdmin):
    list_display = ("country", "region", "tax_class", "customer_tax_class", "rate", "name")
    list_filter = ("country", "tax_class")


@admin.register(PriceChangeLog)
class PriceChangeLogAdmin(ReadOnlyAdmin):
    list_display = ("at", "sku", "channel_code", "old_price", "new_price", "rule_codes", "reason")
    search_fields = ("sku",)
    list_filter = ("channel_code",)
    date_hierarchy = "at"


@admin.register(DailySales)
class DailySalesAdmin(ReadOnlyAdmin):
    list_display = ("day", "sku", "units")
    search_fields = ("sku",)


@admin.register(DynamicPriceState)
class DynamicPriceStateAdmin(ReadOnlyAdmin):
    list_display = ("sku", "channel_code", "price", "rule_codes", "updated_at")
    search_fields = ("sku",)
