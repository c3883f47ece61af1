"""A segment's rules: validated, and turned into one `Q` over customers."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Exists, OuterRef, Q

from handel.core.countries import country_codes
from handel.core.errors import InvalidInput, NotFound, field_error
from handel.customers.models import (
    Address,
    CustomerGroup,
    Segment,
)

CODE_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,49}$")
RULE_FIELDS = (
    "customer_groups",
    "countries",
    "signed_up_within_days",
    "signed_up_before_days",
    "marketing_opt_in",
    "min_orders",
    "min_total_spent",
    "last_order_within_days",
    "last_order_before_days",
)
DAY_FIELDS = ("signed_up_within_days", "signed_up_before_days", "last_order_within_days", "last_order_before_days")
SEGMENT_FIELDS = ("name", "description", "kind", "is_active", "rules")
MAX_MEMBERS_PER_CALL = 1000
MAX_DAYS = 36_500
MAX_AMOUNT = Decimal("999999999999.99")
INSERT_BATCH = 1000


@dataclass(frozen=True)
class MembershipChange:
    added: int
    removed: int


# --- the rules --------------------------------------------------------------------------------


def eligible_customers() -> Q:
    """Who can be in a segment at all: open customer accounts, not staff."""
    return Q(is_active=True, is_staff=False, anonymised_at__isnull=True)


def rule_condition(segment: Segment, at: datetime) -> Q:
    """The segment's rules as one condition on customers (`User`), every condition ANDed."""
    condition = eligible_customers()
    if segment.customer_groups:
        condition &= Q(customer_group__code__in=list(segment.customer_groups))
    if segment.countries:
        condition &= Q(
            Exists(
                Address.objects.filter(
                    customer=OuterRef("pk"), is_default_shipping=True, country__in=list(segment.countries)
                )
            )
        )
    if segment.signed_up_within_days is not None:
        condition &= Q(date_joined__gte=at - timedelta(days=segment.signed_up_within_days))
    if segment.signed_up_before_days is not None:
        condition &= Q(date_joined__lt=at - timedelta(days=segment.signed_up_before_days))
    if segment.marketing_opt_in is not None:
        condition &= Q(marketing_opt_in=segment.marketing_opt_in)
    # A customer who never ordered has no stats row: "at least 0" holds for them, anything more not.
    if segment.min_orders:
        condition &= Q(stats__order_count__gte=segment.min_orders)
    if segment.min_total_spent:
        condition &= Q(stats__total_spent__gte=segment.min_total_spent)
    if segment.last_order_within_days is not None:
        condition &= Q(stats__last_order_at__gte=at - timedelta(days=segment.last_order_within_days))
    if segment.last_order_before_days is not None:
        # Lapsed: they did order, but not since; customers who never ordered are not lapsed.
        condition &= Q(stats__last_order_at__lt=at - timedelta(days=segment.last_order_before_days))
    return condition


def has_conditions(segment: Segment) -> bool:
    return any(getattr(segment, field) not in (None, [], "") for field in RULE_FIELDS)


def _invalid(errors: list[dict[str, Any]]) -> InvalidInput:
    return InvalidInput("the segment is not valid", errors=errors)


def _non_negative_int(value: Any, field: str, errors: list[dict[str, Any]], maximum: int) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not (isinstance(value, int) or (isinstance(value, str) and value.isdigit())):
        errors.append(field_error(["body", "rules", field], "a whole number of 0 or more"))
        return None
    number = int(value)
    if number < 0 or number > maximum:
        errors.append(field_error(["body", "rules", field], f"a whole number from 0 to {maximum}"))
        return None
    return number


def _clean_rules(rules: Mapping[str, Any], errors: list[dict[str, Any]]) -> dict[str, Any]:
    """Validate rule conditions; returns the model field values (None/[]: no condition)."""
    cleaned: dict[str, Any] = {}
    for name in sorted(set(rules) - set(RULE_FIELDS)):
        errors.append(field_error(["body", "rules", name], "unknown condition"))
    if "customer_groups" in rules:
        codes = rules["customer_groups"] or []
        if not isinstance(codes, list | tuple) or not all(isinstance(code, str) for code in codes):
            errors.append(field_error(["body", "rules", "customer_groups"], "a list of customer group codes"))
        else:
            # Stored sorted and de-duplicated, but an error points at the position in the request.
            stripped = [code.strip() for code in codes]
            known = set(CustomerGroup.objects.filter(code__in=stripped).values_list("code", flat=True))
            for index, code in enumerate(stripped):
                if code and code not in known:
                    errors.append(
                        field_error(["body", "rules", "customer_groups", index], f"no customer group '{code}'")
                    )
            cleaned["customer_groups"] = sorted({code for code in stripped if code})
    if "countries" in rules:
        countries = rules["countries"] or []
        if not isinstance(countries, list | tuple) or not all(isinstance(code, str) for code in countries):
            errors.append(field_error(["body", "rules", "countries"], "a list of ISO 3166-1 country codes"))
        else:
            values = [code.strip().upper() for code in countries]
            for index, code in enumerate(values):
                if code and code not in country_codes():
                    errors.append(
                        field_error(["body", "rules", "countries", index], f"'{code}' is not an ISO 3166-1 code")
                    )
            cleaned["countries"] = sorted({code for code in values if code})
    for field in (*DAY_FIELDS, "min_orders"):
        if field in rules:
            cleaned[field] = _non_negative_int(rules[field], field, errors, MAX_DAYS if field in DAY_FIELDS else 10**9)
    if "marketing_opt_in" in rules:
        value = rules["marketing_opt_in"]
        if value is not None and not isinstance(value, bool):
            errors.append(field_error(["body", "rules", "marketing_opt_in"], "true, false or null (either)"))
        else:
            cleaned["marketing_opt_in"] = value
    if "min_total_spent" in rules:
        value = rules["min_total_spent"]
        amount: Decimal | None = None
        if value is not None:
            try:
                amount = Decimal(str(value))
            except InvalidOperation:
                amount = None
            if (
                amount is None
                or isinstance(value, bool | float)
                or not amount.is_finite()
                or amount < 0
                or amount > MAX_AMOUNT
                or amount != amount.quantize(Decimal("0.01"))
            ):
                errors.append(
                    field_error(["body", "rules", "min_total_spent"], "an amount of 0 or more, at most 2 decimals")
                )
                amount = None
        cleaned["min_total_spent"] = amount
    return cleaned


def _rule_errors(errors: list[dict[str, Any]]) -> bool:
    return any(error["loc"][:2] == ["body", "rules"] for error in errors)


def _check_segment(segment: Segment, errors: list[dict[str, Any]]) -> None:
    if not segment.name.strip() or len(segment.name) > 100:
        errors.append(field_error(["body", "name"], "1 to 100 characters"))
    if segment.kind not in Segment.Kind.values:
        errors.append(field_error(["body", "kind"], "manual or rule"))
    elif segment.kind == Segment.Kind.MANUAL and has_conditions(segment):
        errors.append(field_error(["body", "rules"], "a manual segment has no rules; its members are added by staff"))
    elif segment.kind == Segment.Kind.RULE and not has_conditions(segment) and not _rule_errors(errors):
        errors.append(field_error(["body", "rules"], "a rule segment needs at least one condition"))
    for within, before in (
        ("signed_up_within_days", "signed_up_before_days"),
        ("last_order_within_days", "last_order_before_days"),
    ):
        low, high = getattr(segment, before), getattr(segment, within)
        if low is not None and high is not None and high <= low:
            errors.append(field_error(["body", "rules", within], f"must be more than {before}, or nobody matches"))
    if errors:
        raise _invalid(errors)


def _apply(segment: Segment, fields: Mapping[str, Any], errors: list[dict[str, Any]]) -> None:
    for name in sorted(set(fields) - set(SEGMENT_FIELDS)):
        errors.append(field_error(["body", name], "unknown field"))
    for name in ("name", "description"):
        if name in fields:
            if not isinstance(fields[name], str):
                errors.append(field_error(["body", name], "text"))
            else:
                setattr(segment, name, fields[name].strip())
    if "is_active" in fields:
        if not isinstance(fields["is_active"], bool):
            errors.append(field_error(["body", "is_active"], "true or false"))
        else:
            segment.is_active = fields["is_active"]
    if "kind" in fields:
        segment.kind = fields["kind"]
    rules = fields.get("rules")
    if rules is not None:
        if not isinstance(rules, Mapping):
            errors.append(field_error(["body", "rules"], "an object of conditions"))
        else:
            for field, value in _clean_rules(rules, errors).items():
                setattr(segment, field, value)


def validate_segment(*, code: str, fields: Mapping[str, Any], segment: Segment | None = None) -> Segment:
    """Apply `fields` (rules merged: a condition given as null is removed) to the segment, or to
    a new one with `code`, and check the result; raises InvalidInput with every field at fault.
    Writes nothing (the admin form validates with it too)."""
    errors: list[dict[str, Any]] = []
    if segment is None:
        if not isinstance(code, str) or not CODE_PATTERN.match(code):
            errors.append(field_error(["body", "code"], "lower-case letters, digits and -, at most 50"))
        segment = Segment(code=code)
    elif "kind" in fields and fields["kind"] != segment.kind:
        errors.append(field_error(["body", "kind"], "a segment's kind cannot change; create a new segment"))
        # Not applied: the refusal would otherwise come with errors of a kind the segment is not.
        fields = {name: value for name, value in fields.items() if name != "kind"}
    _apply(segment, fields, errors)
    _check_segment(segment, errors)
    return segment


def find_segment(code: str, *, for_update: bool = False) -> Segment:
    segments = Segment.objects.select_for_update() if for_update else Segment.objects.all()
    segment = segments.filter(code=code).first()
    if segment is None:
        raise NotFound(f"no segment '{code}'")
    return segment
