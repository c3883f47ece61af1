"""Cart promotions, coupons (single and generated in bulk, CSV export) and promotion usage, which
checkout records inside its order transaction."""

from __future__ import annotations

import csv
import io
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef

from handel.core import audit
from handel.core.errors import Conflict, InvalidInput, NotFound, field_error
from handel.customers import queries as customer_queries
from handel.pricing.engine.promotions import normalise_coupon_code
from handel.pricing.engine.types import PROMOTION_ACTIONS
from handel.pricing.models import (
    Coupon,
    CouponBatch,
    Promotion,
    PromotionUsage,
)
from handel.pricing.services.errors import invalid

MAX_COUPONS_PER_BATCH = 100_000
# Unambiguous letters and digits (no 0/O, 1/I/L): codes are read aloud and typed from print.
COUPON_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

# --- promotions and coupons -------------------------------------------------------------------

PROMOTION_FIELDS = {
    "name",
    "description",
    "is_active",
    "priority",
    "action",
    "value",
    "stackable",
    "stop_further_rules",
    "starts_at",
    "ends_at",
    "requires_coupon",
    "min_subtotal",
    "min_quantity",
    "required_skus",
    "required_category_paths",
    "required_attributes",
    "customer_groups",
    "segments",
    "channels",
    "first_order_only",
    "target_skus",
    "target_category_paths",
    "target_attributes",
    "buy_quantity",
    "get_quantity",
    "tiers",
    "gift_sku",
    "gift_quantity",
    "usage_limit",
    "usage_limit_per_customer",
}
PERCENT_ACTIONS = {"percent_off_lines", "percent_off_cart"}


def _check_promotion(promotion: Promotion) -> None:
    errors = []
    action, value = promotion.action, Decimal(promotion.value)
    if action not in PROMOTION_ACTIONS:
        errors.append(field_error(["body", "action"], f"one of {list(PROMOTION_ACTIONS)}"))
    if action in PERCENT_ACTIONS and not Decimal(0) < value <= 100:
        errors.append(field_error(["body", "value"], "a percentage above 0 and at most 100"))
    if action in {"amount_off_lines", "amount_off_cart"} and value <= 0:
        errors.append(field_error(["body", "value"], "an amount above 0"))
    if action == "fixed_price" and value < 0:
        errors.append(field_error(["body", "value"], "a price cannot be negative"))
    if action == "buy_x_get_y" and (promotion.buy_quantity < 1 or promotion.get_quantity < 1):
        errors.append(field_error(["body", "buy_quantity"], "buy_quantity and get_quantity must be at least 1"))
    if action == "tiered_spend":
        try:
            tiers = [(Decimal(str(t["min_subtotal"])), Decimal(str(t["percent"]))) for t in promotion.tiers]
        except (KeyError, TypeError, ArithmeticError, ValueError):
            tiers = []
        if not tiers or any(minimum < 0 or not Decimal(0) < percent <= 100 for minimum, percent in tiers):
            errors.append(field_error(["body", "tiers"], "a list of {min_subtotal, percent} with 0 < percent <= 100"))
        else:
            promotion.tiers = [{"min_subtotal": str(minimum), "percent": str(percent)} for minimum, percent in tiers]
    if action == "free_gift" and (not promotion.gift_sku or promotion.gift_quantity < 1):
        errors.append(field_error(["body", "gift_sku"], "a free gift needs a SKU and a quantity"))
    if promotion.starts_at and promotion.ends_at and promotion.ends_at <= promotion.starts_at:
        errors.append(field_error(["body", "ends_at"], "must be after starts_at"))
    if errors:
        raise InvalidInput("the promotion is not valid", errors=errors)


def _check_segments(codes: Any) -> None:
    """A promotion for a segment that does not exist would never apply: refuse the typo."""
    if not isinstance(codes, list | tuple) or not all(isinstance(code, str) for code in codes):
        raise invalid("segments must be a list of segment codes", ["segments"], "a list of segment codes")
    known = customer_queries.existing_segment_codes(codes)
    errors = [
        field_error(["body", "segments", index], f"no customer segment '{code}'")
        for index, code in enumerate(codes)
        if code not in known
    ]
    if errors:
        raise InvalidInput("the promotion is not valid", errors=errors)


def create_promotion(*, actor: Any, code: str, fields: dict[str, Any]) -> Promotion:
    unknown = set(fields) - PROMOTION_FIELDS
    if unknown:
        raise invalid("unknown fields", [sorted(unknown)[0]], "unknown field")
    if fields.get("segments"):
        _check_segments(fields["segments"])
    with transaction.atomic(durable=True):
        if Promotion.objects.filter(code=code).exists():
            raise Conflict(f"a promotion '{code}' exists already")
        promotion = Promotion(code=code, **fields)
        _check_promotion(promotion)
        promotion.save()
        audit.record(actor=actor, action="promotion.created", obj=promotion)
    return promotion


def update_promotion(*, actor: Any, code: str, changes: dict[str, Any]) -> Promotion:
    unknown = set(changes) - PROMOTION_FIELDS
    if unknown:
        raise invalid("unknown fields", [sorted(unknown)[0]], "unknown field")
    if changes.get("segments"):
        _check_segments(changes["segments"])
    with transaction.atomic(durable=True):
        promotion = Promotion.objects.select_for_update().filter(code=code).first()
        if promotion is None:
            raise NotFound(f"no promotion '{code}'")
        for field, value in changes.items():
            setattr(promotion, field, value)
        _check_promotion(promotion)
        promotion.save()
        audit.record(actor=actor, action="promotion.updated", obj=promotion, data={"fields": sorted(changes)})
    return promotion


def delete_promotion(*, actor: Any, code: str) -> None:
    with transaction.atomic(durable=True):
        promotion = Promotion.objects.filter(code=code).first()
        if promotion is None:
            raise NotFound(f"no promotion '{code}'")
        if promotion.usages.exists():
            raise Conflict("orders used this promotion; deactivate it instead")
        audit.record(actor=actor, action="promotion.deleted", obj=promotion)
        promotion.delete()


def _promotion(code: str) -> Promotion:
    promotion = Promotion.objects.filter(code=code).first()
    if promotion is None:
        raise NotFound(f"no promotion '{code}'")
    return promotion


def create_coupon(
    *,
    actor: Any,
    promotion_code: str,
    code: str,
    usage_limit: int | None = 1,
    usage_limit_per_customer: int | None = None,
) -> Coupon:
    clean = normalise_coupon_code(code)
    if not clean or len(clean) > 40 or not all(char.isalnum() or char in "-_" for char in clean):
        raise invalid("not a coupon code", ["code"], "1 to 40 letters, digits, - or _")
    with transaction.atomic(durable=True):
        promotion = _promotion(promotion_code)
        try:
            with transaction.atomic():
                coupon = Coupon.objects.create(
                    code=clean,
                    promotion=promotion,
                    usage_limit=usage_limit,
                    usage_limit_per_customer=usage_limit_per_customer,
                )
        except IntegrityError as exc:
            raise Conflict(f"the coupon code '{clean}' exists already") from exc
        if not promotion.requires_coupon:
            promotion.requires_coupon = True
            promotion.save(update_fields=["requires_coupon", "updated_at"])
        audit.record(actor=actor, action="coupon.created", obj=coupon, data={"promotion": promotion_code})
    return coupon


def _random_codes(count: int, prefix: str, length: int) -> set[str]:
    return {prefix + "".join(secrets.choice(COUPON_ALPHABET) for _ in range(length)) for _ in range(count)}


def generate_coupons(
    *,
    actor: Any,
    promotion_code: str,
    quantity: int,
    prefix: str = "",
    length: int = 10,
    usage_limit: int | None = 1,
    usage_limit_per_customer: int | None = None,
) -> CouponBatch:
    """Generate `quantity` unique random codes in one transaction (10,000 in about a second).

    31^10 possible codes make collisions rare; the few that collide with each other or with stored
    codes are drawn again before anything is written."""
    if not 1 <= quantity <= MAX_COUPONS_PER_BATCH:
        raise invalid("quantity out of range", ["quantity"], f"1 to {MAX_COUPONS_PER_BATCH}")
    prefix = normalise_coupon_code(prefix)
    if len(prefix) > 20 or not all(char.isalnum() or char in "-_" for char in prefix):
        raise invalid("not a coupon prefix", ["prefix"], "at most 20 letters, digits, - or _")
    if not 6 <= length <= 20:
        raise invalid("code length out of range", ["length"], "6 to 20")
    with transaction.atomic(durable=True):
        promotion = _promotion(promotion_code)
        codes: set[str] = set()
        while len(codes) < quantity:
            fresh = _random_codes(quantity - len(codes), prefix, length) - codes
            taken: set[str] = set()
            fresh_list = sorted(fresh)
            for start in range(0, len(fresh_list), 2000):
                taken.update(
                    Coupon.objects.filter(code__in=fresh_list[start : start + 2000]).values_list("code", flat=True)
                )
            codes |= fresh - taken
        batch = CouponBatch.objects.create(
            promotion=promotion, prefix=prefix, quantity=quantity, usage_limit=usage_limit
        )
        Coupon.objects.bulk_create(
            (
                Coupon(
                    code=code,
                    promotion=promotion,
                    batch=batch,
                    usage_limit=usage_limit,
                    usage_limit_per_customer=usage_limit_per_customer,
                )
                for code in sorted(codes)
            ),
            batch_size=1000,
        )
        if not promotion.requires_coupon:
            promotion.requires_coupon = True
            promotion.save(update_fields=["requires_coupon", "updated_at"])
        audit.record(
            actor=actor,
            action="coupon_batch.generated",
            obj=batch,
            data={"promotion": promotion_code, "quantity": quantity},
        )
    return batch


def coupons_csv(coupons: Iterable[Coupon]) -> Iterable[str]:
    """CSV lines (header first) for an export: code, promotion, limits, times used, active."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["code", "promotion", "usage_limit", "usage_limit_per_customer", "times_used", "is_active"])
    yield buffer.getvalue()
    for coupon in coupons:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(
            [
                coupon.code,
                coupon.promotion.code,
                "" if coupon.usage_limit is None else coupon.usage_limit,
                "" if coupon.usage_limit_per_customer is None else coupon.usage_limit_per_customer,
                coupon.times_used,
                "yes" if coupon.is_active else "no",
            ]
        )
        yield buffer.getvalue()


@dataclass(frozen=True)
class UsedPromotion:
    promotion_code: str
    coupon_code: str = ""
    discount: Decimal = Decimal(0)


def record_promotion_usage(
    *, order_reference: str, customer_key: str | None, used: Sequence[UsedPromotion]
) -> list[PromotionUsage]:
    """Count the promotions and coupons an order used, inside the caller's order transaction.

    A limit that was reached meanwhile raises Conflict, so the order's transaction rolls back: a
    single-use coupon is accepted by exactly one order, however many check out at once. Rows are
    locked in code order (no deadlock between two orders), and each counter is raised with a
    conditional UPDATE ... WHERE times_used < limit, which is safe on PostgreSQL and SQLite alike.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_promotion_usage() must run inside the order's transaction")
    usages = []
    for item in sorted(used, key=lambda entry: (entry.promotion_code, entry.coupon_code)):
        promotion = (
            Promotion.objects.select_for_update()
            .annotate(
                recorded=Exists(
                    PromotionUsage.objects.filter(promotion=OuterRef("pk"), order_reference=order_reference)
                )
            )
            .filter(code=item.promotion_code)
            .first()
        )
        if promotion is None:
            raise Conflict(f"the promotion '{item.promotion_code}' no longer exists")
        if not promotion.is_active:
            raise Conflict(f"the promotion '{promotion.code}' has ended")
        if promotion.recorded:
            raise Conflict(f"the order {order_reference} has recorded the promotion '{promotion.code}' already")
        counted = Promotion.objects.filter(pk=promotion.pk)
        if promotion.usage_limit is not None:
            counted = counted.filter(times_used__lt=promotion.usage_limit)
        if not counted.update(times_used=F("times_used") + 1):
            raise Conflict(f"the promotion '{promotion.code}' has been used up", slug="promotion-used-up")
        if promotion.usage_limit_per_customer is not None:
            if not customer_key:
                raise Conflict(f"the promotion '{promotion.code}' needs a signed-in customer")
            if (
                PromotionUsage.objects.filter(promotion=promotion, customer_key=customer_key).count()
                >= promotion.usage_limit_per_customer
            ):
                raise Conflict(f"you have used the promotion '{promotion.code}' already", slug="promotion-used-up")
        coupon = None
        if item.coupon_code:
            code = normalise_coupon_code(item.coupon_code)
            coupon = Coupon.objects.select_for_update().filter(code=code, promotion=promotion).first()
            if coupon is None or not coupon.is_active:
                raise Conflict(f"the coupon '{code}' is not valid", slug="coupon-invalid")
            counted_coupon = Coupon.objects.filter(pk=coupon.pk)
            if coupon.usage_limit is not None:
                counted_coupon = counted_coupon.filter(times_used__lt=coupon.usage_limit)
            if not counted_coupon.update(times_used=F("times_used") + 1):
                raise Conflict(f"the coupon '{code}' has been used up", slug="coupon-used-up")
            if coupon.usage_limit_per_customer is not None:
                if not customer_key:
                    raise Conflict(f"the coupon '{code}' needs a signed-in customer")
                if (
                    PromotionUsage.objects.filter(coupon=coupon, customer_key=customer_key).count()
                    >= coupon.usage_limit_per_customer
                ):
                    raise Conflict(f"you have used the coupon '{code}' already", slug="coupon-used-up")
        usages.append(
            PromotionUsage.objects.create(
                promotion=promotion,
                coupon=coupon,
                customer_key=customer_key or "",
                order_reference=order_reference,
                discount=item.discount,
            )
        )
    return usages


def release_promotion_usage(*, order_reference: str, actor: Any = None) -> int:
    """An order was cancelled: the promotions and coupons it used count as unused again (a
    single-use coupon can be used once more). Idempotent; returns the uses released."""
    with transaction.atomic(durable=True):
        usages = list(PromotionUsage.objects.select_for_update().filter(order_reference=order_reference).order_by("id"))
        for usage in usages:
            Promotion.objects.filter(pk=usage.promotion_id, times_used__gt=0).update(times_used=F("times_used") - 1)
            if usage.coupon_id is not None:
                Coupon.objects.filter(pk=usage.coupon_id, times_used__gt=0).update(times_used=F("times_used") - 1)
        if usages:
            PromotionUsage.objects.filter(pk__in=[usage.pk for usage in usages]).delete()
            audit.record(
                actor=actor,
                action="promotion_usage.released",
                obj=usages[0].promotion,
                data={"order": order_reference, "promotions": sorted({usage.promotion.code for usage in usages})},
            )
    return len(usages)


def on_order_cancelled(payload: dict[str, Any]) -> None:
    release_promotion_usage(order_reference=payload["number"])
