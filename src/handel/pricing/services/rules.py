"""Catalog and dynamic price rules, sales figures for demand rules, and the log of automatic price changes."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from handel.channels.queries import active_channels
from handel.core import audit, events
from handel.core.batching import without_flush_wait
from handel.core.errors import Conflict, InvalidInput, NotFound, field_error
from handel.pricing.engine import price_items
from handel.pricing.engine.types import ADJUSTMENT_KINDS, RULE_KINDS
from handel.pricing.models import (
    CustomerOrders,
    DailySales,
    DynamicPriceState,
    PriceChangeLog,
    PriceRule,
)
from handel.pricing.queries import channel_skus, load_pricing_context
from handel.pricing.services.errors import invalid

# Rules that change prices by themselves (not by a merchant's edit): their effects are logged.
LOGGED_RULE_KINDS = ("stock", "demand", "time")

# --- rules ------------------------------------------------------------------------------------

RULE_FIELDS = {
    "name",
    "kind",
    "is_active",
    "priority",
    "adjustment_kind",
    "adjustment_value",
    "skus",
    "category_paths",
    "attributes",
    "channels",
    "customer_groups",
    "starts_at",
    "ends_at",
    "stop_further_rules",
    "stock_below",
    "stock_at_least",
    "min_sell_through_percent",
    "max_sell_through_percent",
    "demand_window_days",
    "time_from",
    "time_until",
    "weekdays",
    "min_margin_percent",
    "cap_at_msrp",
}


def _check_rule(rule: PriceRule) -> None:
    errors = []
    if rule.kind not in RULE_KINDS:
        errors.append(field_error(["body", "kind"], f"one of {list(RULE_KINDS)}"))
    if rule.adjustment_kind not in ADJUSTMENT_KINDS:
        errors.append(field_error(["body", "adjustment_kind"], f"one of {list(ADJUSTMENT_KINDS)}"))
    if rule.adjustment_kind == "percent" and not Decimal(-100) < rule.adjustment_value <= 1000:
        errors.append(field_error(["body", "adjustment_value"], "a percentage above -100 and at most 1000"))
    if rule.adjustment_kind == "fixed_price" and rule.adjustment_value < 0:
        errors.append(field_error(["body", "adjustment_value"], "a price cannot be negative"))
    if rule.starts_at and rule.ends_at and rule.ends_at <= rule.starts_at:
        errors.append(field_error(["body", "ends_at"], "must be after starts_at"))
    if rule.kind == "stock" and rule.stock_below is None and rule.stock_at_least is None:
        errors.append(field_error(["body", "stock_below"], "a stock rule needs stock_below or stock_at_least"))
    if rule.kind == "demand" and rule.min_sell_through_percent is None and rule.max_sell_through_percent is None:
        errors.append(
            field_error(["body", "min_sell_through_percent"], "a demand rule needs min_ or max_sell_through_percent")
        )
    if (
        rule.kind == "time"
        and rule.time_from is None
        and rule.time_until is None
        and not rule.weekdays
        and rule.starts_at is None
    ):
        errors.append(field_error(["body", "time_from"], "a time rule needs a time window, weekdays or dates"))
    if any(day not in range(7) for day in rule.weekdays):
        errors.append(field_error(["body", "weekdays"], "0 (Monday) to 6 (Sunday)"))
    if rule.min_margin_percent < 0:
        errors.append(field_error(["body", "min_margin_percent"], "must be >= 0"))
    if errors:
        raise InvalidInput("the price rule is not valid", errors=errors)


def create_rule(*, actor: Any, code: str, fields: dict[str, Any]) -> PriceRule:
    unknown = set(fields) - RULE_FIELDS
    if unknown:
        raise invalid("unknown fields", [sorted(unknown)[0]], "unknown field")
    with transaction.atomic(durable=True):
        if PriceRule.objects.filter(code=code).exists():
            raise Conflict(f"a price rule '{code}' exists already")
        rule = PriceRule(code=code, **fields)
        _check_rule(rule)
        rule.save()
        audit.record(actor=actor, action="price_rule.created", obj=rule, data={"is_active": rule.is_active})
        events.emit("pricing.prices_changed", {"rule": code})
    return rule


def update_rule(*, actor: Any, code: str, changes: dict[str, Any]) -> PriceRule:
    unknown = set(changes) - RULE_FIELDS
    if unknown:
        raise invalid("unknown fields", [sorted(unknown)[0]], "unknown field")
    with transaction.atomic(durable=True):
        rule = PriceRule.objects.select_for_update().filter(code=code).first()
        if rule is None:
            raise NotFound(f"no price rule '{code}'")
        for field, value in changes.items():
            setattr(rule, field, value)
        _check_rule(rule)
        rule.save()
        audit.record(actor=actor, action="price_rule.updated", obj=rule, data={"fields": sorted(changes)})
        events.emit("pricing.prices_changed", {"rule": code})
    return rule


def delete_rule(*, actor: Any, code: str) -> None:
    with transaction.atomic(durable=True):
        rule = PriceRule.objects.filter(code=code).first()
        if rule is None:
            raise NotFound(f"no price rule '{code}'")
        audit.record(actor=actor, action="price_rule.deleted", obj=rule)
        rule.delete()
        events.emit("pricing.prices_changed", {"rule": code})


# --- sales figures and the dynamic price change log ------------------------------------------


def on_products_sold(payload: dict[str, Any]) -> None:
    """Handler of the orders' "orders.products_sold" event ({"units": {"SKU": n}, "customer_id"}):
    the sales feed the demand rules; the customer has now ordered (first-order promotions)."""
    units = {str(sku): int(count) for sku, count in (payload.get("units") or {}).items()}
    if units:
        record_sales(day=timezone.localdate(), units_by_sku=units)
    if payload.get("customer_id"):
        record_customer_order(customer_id=int(payload["customer_id"]))


def record_customer_order(*, customer_id: int) -> None:
    """Count an order of the customer: from now on their carts are no longer a first order."""
    with transaction.atomic(durable=True):
        if not CustomerOrders.objects.filter(customer_id=customer_id).update(orders=F("orders") + 1):
            CustomerOrders.objects.create(customer_id=customer_id, orders=1, first_ordered_at=timezone.now())


def record_sales(*, day: date, units_by_sku: Mapping[str, int]) -> None:
    """Add sold units (orders report them through an event): the demand rules' sell-through reads them."""
    rows = [(sku, day, units) for sku, units in sorted(units_by_sku.items()) if units > 0]
    if not rows:
        return
    table = connection.ops.quote_name(DailySales._meta.db_table)
    values = ", ".join(["(%s, %s, %s)"] * len(rows))
    # One upsert for all SKUs (SQLite and PostgreSQL share the ON CONFLICT syntax); sales figures
    # are derived data, so the commit does not wait for the disk.
    with without_flush_wait(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (sku, day, units) VALUES {values} "  # noqa: S608
            f"ON CONFLICT (sku, day) DO UPDATE SET units = {table}.units + excluded.units",
            [value for row in rows for value in row],
        )


def log_dynamic_price_changes(*, at: Any = None) -> int:
    """Evaluate the dynamic rules (stock, demand) per channel and log each price they changed, with
    the reason; also log when a price returns to normal. Periodic job; returns the number of logs."""
    moment = at or timezone.now()
    written = 0
    dynamic_active = PriceRule.objects.filter(is_active=True, kind__in=LOGGED_RULE_KINDS).exists()
    for channel in sorted(active_channels().values(), key=lambda channel: channel.code):
        states = {state.sku: state for state in DynamicPriceState.objects.filter(channel_code=channel.code)}
        if not dynamic_active and not states:
            continue
        skus = channel_skus(channel)
        context = load_pricing_context(channel=channel, skus=skus, at=moment)
        logged_codes = {rule.code for rule in context.rules if rule.kind in LOGGED_RULE_KINDS}
        changed: list[str] = []
        with transaction.atomic(durable=True):
            for result in price_items(context, [(sku, 1) for sku in skus]):
                if not result.found:
                    continue
                fired = [
                    step
                    for step in result.explanation
                    if step.kind == "rule" and step.code in logged_codes and step.amount is not None
                ]
                state = states.get(result.sku)
                codes = [step.code for step in fired]
                if state is None and not fired:
                    continue
                if state is not None and state.price == result.unit_price and state.rule_codes == codes:
                    continue
                reason = "; ".join(step.detail for step in fired) or "dynamic rules no longer apply"
                PriceChangeLog.objects.create(
                    sku=result.sku,
                    channel_code=channel.code,
                    currency=result.currency,
                    old_price=state.price if state else result.list_unit_price,
                    new_price=result.unit_price,
                    rule_codes=codes,
                    reason=reason,
                )
                written += 1
                changed.append(result.sku)
                if fired:
                    DynamicPriceState.objects.update_or_create(
                        sku=result.sku,
                        channel_code=channel.code,
                        defaults={"price": result.unit_price, "rule_codes": codes},
                    )
                elif state is not None:
                    state.delete()
            if changed:
                events.emit(
                    "pricing.prices_changed",
                    {"channel": channel.code, "skus": changed if len(changed) <= 1000 else None},
                )
    return written
