"""Write use cases for customer segments (re-exported by handel.customers.services).

A rule segment's members are materialised in `SegmentMembership` (source "rule"): a segment's
rules are one `Q` over customers, so recomputing a whole segment is a handful of set-based
queries whatever the number of customers, and recomputing one customer evaluates every active
rule segment in a single query. Members are recomputed when a customer's facts change (order
history through the orders' events, group, default shipping address, opt-in, sign-up), when a
segment's rules change, and nightly (`handel customers segments-refresh`) for the conditions
that move with the clock (signed up / last ordered N days ago).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, Max, Min, OuterRef, Q, Sum
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from handel.core import audit
from handel.core.countries import country_codes
from handel.core.errors import Conflict, InvalidInput, NotFound, field_error
from handel.customers.models import (
    Address,
    CustomerGroup,
    CustomerOrder,
    CustomerStats,
    Segment,
    SegmentMembership,
    User,
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
            codes = sorted({code.strip() for code in codes if code.strip()})
            known = set(CustomerGroup.objects.filter(code__in=codes).values_list("code", flat=True))
            for index, code in enumerate(codes):
                if code not in known:
                    errors.append(
                        field_error(["body", "rules", "customer_groups", index], f"no customer group '{code}'")
                    )
            cleaned["customer_groups"] = codes
    if "countries" in rules:
        countries = rules["countries"] or []
        if not isinstance(countries, list | tuple) or not all(isinstance(code, str) for code in countries):
            errors.append(field_error(["body", "rules", "countries"], "a list of ISO 3166-1 country codes"))
        else:
            values = sorted({code.strip().upper() for code in countries if code.strip()})
            for index, code in enumerate(values):
                if code not in country_codes():
                    errors.append(
                        field_error(["body", "rules", "countries", index], f"'{code}' is not an ISO 3166-1 code")
                    )
            cleaned["countries"] = values
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
    _apply(segment, fields, errors)
    _check_segment(segment, errors)
    return segment


def _segment(code: str, *, for_update: bool = False) -> Segment:
    segments = Segment.objects.select_for_update() if for_update else Segment.objects.all()
    segment = segments.filter(code=code).first()
    if segment is None:
        raise NotFound(f"no segment '{code}'")
    return segment


# --- materialising members --------------------------------------------------------------------


def materialise_segment(segment: Segment, at: datetime) -> MembershipChange:
    """Recompute a rule segment's members inside the caller's transaction. Set-based: one DELETE
    of those who no longer match, then the new matches in one query and batched INSERTs."""
    if segment.kind != Segment.Kind.RULE:
        return MembershipChange(0, 0)
    rule_members = SegmentMembership.objects.filter(segment=segment, source=SegmentMembership.Source.RULE)
    matching = User.objects.filter(rule_condition(segment, at)).values("pk")
    removed, _ = rule_members.exclude(customer_id__in=matching).delete()
    new_ids = list(
        User.objects.filter(rule_condition(segment, at))
        .exclude(segment_memberships__segment=segment)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    SegmentMembership.objects.bulk_create(
        [
            SegmentMembership(segment=segment, customer_id=pk, source=SegmentMembership.Source.RULE, added_at=at)
            for pk in new_ids
        ],
        batch_size=INSERT_BATCH,
    )
    return MembershipChange(len(new_ids), removed)


def recompute_memberships(customer_ids: Collection[int], at: datetime | None = None) -> MembershipChange:
    """Re-evaluate every active rule segment for these customers: one query evaluates them all.
    Runs inside the caller's transaction."""
    at = at or timezone.now()
    ids = sorted({int(pk) for pk in customer_ids if pk})
    segments = list(Segment.objects.filter(kind=Segment.Kind.RULE, is_active=True).order_by("pk"))
    if not ids or not segments:
        return MembershipChange(0, 0)
    flags = {
        f"in_{segment.pk}": ExpressionWrapper(rule_condition(segment, at), output_field=BooleanField())
        for segment in segments
    }
    rows = User.objects.filter(pk__in=ids).annotate(**flags).values("pk", *flags)
    wanted = {(row["pk"], segment.pk) for row in rows for segment in segments if row[f"in_{segment.pk}"]}
    memberships = list(
        SegmentMembership.objects.filter(customer_id__in=ids, segment__in=segments).values_list(
            "customer_id", "segment_id", "source"
        )
    )
    current = {(customer_id, segment_id) for customer_id, segment_id, _ in memberships}
    stale = {
        (customer_id, segment_id)
        for customer_id, segment_id, source in memberships
        if source == SegmentMembership.Source.RULE and (customer_id, segment_id) not in wanted
    }
    removed = 0
    if stale:
        condition = Q()
        for customer_id, segment_id in stale:
            condition |= Q(customer_id=customer_id, segment_id=segment_id)
        removed, _ = SegmentMembership.objects.filter(condition, source=SegmentMembership.Source.RULE).delete()
    new = sorted(wanted - current)
    SegmentMembership.objects.bulk_create(
        [
            SegmentMembership(
                segment_id=segment_id, customer_id=customer_id, source=SegmentMembership.Source.RULE, added_at=at
            )
            for customer_id, segment_id in new
        ],
        batch_size=INSERT_BATCH,
    )
    return MembershipChange(len(new), removed)


def recompute_customer_segments(*, customer_id: int, at: datetime | None = None) -> MembershipChange:
    """A customer's facts changed outside a service of this module (e.g. in the admin)."""
    with transaction.atomic(durable=True):
        change = recompute_memberships([customer_id], at)
        if change.added or change.removed:
            audit.record(
                actor=None,
                action="customer.segments_recomputed",
                object_type="customers.user",
                object_id=str(customer_id),
                data={"added": change.added, "removed": change.removed},
            )
    return change


def recompute_segment(*, code: str, actor: Any = None, at: datetime | None = None) -> MembershipChange:
    with transaction.atomic(durable=True):
        segment = _segment(code, for_update=True)
        change = materialise_segment(segment, at or timezone.now())
        audit.record(
            actor=actor,
            action="segment.recomputed",
            obj=segment,
            data={"added": change.added, "removed": change.removed},
        )
    return change


def refresh_segments(*, actor: Any = None, at: datetime | None = None) -> dict[str, MembershipChange]:
    """Recompute every active rule segment, one short transaction each (the nightly job: the
    conditions on days since sign-up or since the last order change with the clock)."""
    at = at or timezone.now()
    changes = {}
    codes = (
        Segment.objects.filter(kind=Segment.Kind.RULE, is_active=True).order_by("code").values_list("code", flat=True)
    )
    for code in list(codes):
        try:
            changes[code] = recompute_segment(code=code, actor=actor, at=at)
        except NotFound:
            continue  # deleted meanwhile
    return changes


# --- segments ---------------------------------------------------------------------------------


def create_segment(
    *,
    actor: Any,
    code: str,
    name: str,
    description: str = "",
    kind: str = Segment.Kind.RULE,
    is_active: bool = True,
    rules: Mapping[str, Any] | None = None,
) -> Segment:
    fields = {"name": name, "description": description, "kind": kind, "is_active": is_active, "rules": rules or {}}
    segment = validate_segment(code=code, fields=fields)
    with transaction.atomic(durable=True):
        if Segment.objects.filter(code=segment.code).exists():
            raise Conflict(f"a segment '{segment.code}' exists already", slug="segment-exists")
        segment.save()
        change = materialise_segment(segment, timezone.now()) if segment.is_active else MembershipChange(0, 0)
        audit.record(
            actor=actor,
            action="segment.created",
            obj=segment,
            data={"kind": segment.kind, "rules": rules_of(segment), "members": change.added},
        )
    return segment


def update_segment(*, actor: Any, code: str, changes: Mapping[str, Any]) -> Segment:
    """Change name, description, activity or rules (merged: a condition set to null is dropped).
    A rule segment's members are recomputed at once."""
    with transaction.atomic(durable=True):
        segment = _segment(code, for_update=True)
        before = rules_of(segment)
        segment = validate_segment(code=code, fields=changes, segment=segment)
        segment.save()
        change = MembershipChange(0, 0)
        if segment.is_active and segment.kind == Segment.Kind.RULE:
            change = materialise_segment(segment, timezone.now())
        audit.record(
            actor=actor,
            action="segment.updated",
            obj=segment,
            data={
                "fields": sorted(changes),
                "rules_before": before,
                "rules": rules_of(segment),
                "added": change.added,
                "removed": change.removed,
            },
        )
    return segment


def delete_segment(*, actor: Any, code: str) -> None:
    with transaction.atomic(durable=True):
        segment = _segment(code, for_update=True)
        members = segment.memberships.count()
        audit.record(actor=actor, action="segment.deleted", obj=segment, data={"members": members})
        segment.delete()


def rules_of(segment: Segment) -> dict[str, Any]:
    """The conditions that are set, JSON-ready."""
    rules: dict[str, Any] = {}
    for field in RULE_FIELDS:
        value = getattr(segment, field)
        if value in (None, [], ""):
            continue
        rules[field] = str(value) if isinstance(value, Decimal) else value
    return rules


# --- manual members ---------------------------------------------------------------------------


def _named(customer_ids: Iterable[int], emails: Iterable[str]) -> tuple[list[int], list[str]]:
    ids, mails = list(customer_ids), [email.strip().lower() for email in emails]
    if not ids and not mails:
        raise InvalidInput(
            "no customers to change",
            errors=[field_error(["body", "customer_ids"], "name at least one customer (customer_ids or emails)")],
        )
    if len(ids) + len(mails) > MAX_MEMBERS_PER_CALL:
        raise InvalidInput(
            "too many customers",
            errors=[field_error(["body", "customer_ids"], f"at most {MAX_MEMBERS_PER_CALL} customers per call")],
        )
    return ids, mails


def _customers(customer_ids: Iterable[int], emails: Iterable[str]) -> list[int]:
    """The customers named by id or email; every unknown one is a field error, nothing is written."""
    ids, mails = _named(customer_ids, emails)
    errors: list[dict[str, Any]] = []
    rows = [
        dict(row)
        for row in User.objects.filter(Q(pk__in=ids) | Q(email__in=mails)).values(
            "pk", "email", "is_active", "is_staff", "anonymised_at"
        )
    ]
    lookups: dict[str, dict[Any, dict[str, Any]]] = {
        "customer_ids": {row["pk"]: row for row in rows},
        "emails": {row["email"]: row for row in rows},
    }
    result = []
    for field, keys in (("customer_ids", ids), ("emails", mails)):
        for index, key in enumerate(keys):
            row = lookups[field].get(key)
            if row is None:
                errors.append(field_error(["body", field, index], "no such customer"))
            elif row["is_staff"]:
                errors.append(field_error(["body", field, index], "staff accounts are not customers"))
            elif not row["is_active"] or row["anonymised_at"] is not None:
                errors.append(field_error(["body", field, index], "the customer's account is closed"))
            else:
                result.append(row["pk"])
    if errors:
        raise InvalidInput("some customers cannot be changed", errors=errors)
    return sorted(set(result))


def _manual_segment(code: str) -> Segment:
    segment = _segment(code, for_update=True)
    if segment.kind != Segment.Kind.MANUAL:
        raise Conflict(f"'{code}' is a rule segment: its members follow its rules", slug="segment-not-manual")
    return segment


def add_segment_members(*, actor: Any, code: str, customer_ids: Iterable[int] = (), emails: Iterable[str] = ()) -> int:
    """Put customers in a manual segment; those already in stay. Returns how many were added."""
    with transaction.atomic(durable=True):
        segment = _manual_segment(code)
        ids = _customers(customer_ids, emails)
        present = set(
            SegmentMembership.objects.filter(segment=segment, customer_id__in=ids).values_list("customer_id", flat=True)
        )
        new = [pk for pk in ids if pk not in present]
        SegmentMembership.objects.bulk_create(
            [SegmentMembership(segment=segment, customer_id=pk, source=SegmentMembership.Source.MANUAL) for pk in new],
            batch_size=INSERT_BATCH,
        )
        audit.record(actor=actor, action="segment.members_added", obj=segment, data={"customer_ids": new})
    return len(new)


def remove_segment_members(
    *, actor: Any, code: str, customer_ids: Iterable[int] = (), emails: Iterable[str] = ()
) -> int:
    """Take customers out of a manual segment. Returns how many were removed."""
    ids, mails = _named(customer_ids, emails)
    with transaction.atomic(durable=True):
        segment = _manual_segment(code)
        # Closed accounts can be taken out too, so no check of the account here.
        members = SegmentMembership.objects.filter(segment=segment).filter(
            Q(customer_id__in=ids) | Q(customer__email__in=mails)
        )
        removed_ids = sorted(members.values_list("customer_id", flat=True))
        SegmentMembership.objects.filter(segment=segment, customer_id__in=removed_ids).delete()
        audit.record(actor=actor, action="segment.members_removed", obj=segment, data={"customer_ids": removed_ids})
    return len(removed_ids)


def forget_memberships(customer_id: int) -> None:
    """An erased account leaves every segment (inside the erasing transaction)."""
    SegmentMembership.objects.filter(customer_id=customer_id).delete()


# --- order history (told by the orders domain through events) ---------------------------------


def _facts(payload: Mapping[str, Any]) -> dict[str, Any] | None:
    """The order's customer facts from an orders event, or None (a guest's order, an old event)."""
    try:
        customer_id = int(payload.get("customer_id") or 0)
        total = Decimal(str(payload["total"]))
        placed_at = parse_datetime(str(payload["placed_at"]))
    except (KeyError, TypeError, ValueError, InvalidOperation):
        return None
    if not customer_id or placed_at is None or not payload.get("number"):
        return None
    return {
        "customer_id": customer_id,
        "total": total,
        "currency": str(payload.get("currency", "")),
        "placed_at": placed_at,
    }


def _restate(customer_id: int) -> None:
    """CustomerStats from the customer's live (not cancelled) orders: one aggregate, idempotent."""
    totals = CustomerOrder.objects.filter(customer_id=customer_id, cancelled=False).aggregate(
        count=Count("pk"), spent=Sum("total"), first=Min("placed_at"), last=Max("placed_at")
    )
    CustomerStats.objects.update_or_create(
        customer_id=customer_id,
        defaults={
            "order_count": totals["count"] or 0,
            "total_spent": totals["spent"] or Decimal("0"),
            "first_order_at": totals["first"],
            "last_order_at": totals["last"],
        },
    )


def record_order_history(*, number: str, event: str, facts: Mapping[str, Any]) -> None:
    """Keep the customer's order history and their segments up to date. `event` is placed,
    edited or cancelled; a repeated or late event changes nothing more (one row per order)."""
    customer_id = facts["customer_id"]
    with transaction.atomic(durable=True):
        # Locking the customer serialises concurrent events of their orders (stats, memberships).
        if User.objects.select_for_update().filter(pk=customer_id).values_list("pk", flat=True).first() is None:
            return
        values = {
            "customer_id": customer_id,
            "total": facts["total"],
            "currency": facts["currency"],
            "placed_at": facts["placed_at"],
        }
        if event == "placed":
            CustomerOrder.objects.get_or_create(number=number, defaults=values)
        elif event == "edited":
            CustomerOrder.objects.update_or_create(number=number, defaults=values)
        else:
            CustomerOrder.objects.update_or_create(number=number, defaults={**values, "cancelled": True})
        _restate(customer_id)
        change = recompute_memberships([customer_id])
        if change.added or change.removed:
            audit.record(
                actor=None,
                action="customer.segments_recomputed",
                object_type="customers.user",
                object_id=str(customer_id),
                data={"order": number, "added": change.added, "removed": change.removed},
            )


def on_order_placed(payload: dict[str, Any]) -> None:
    """Handler of the orders' `order.placed` event: the customer's stats and segments follow."""
    _on_order_event(payload, "placed")


def on_order_edited(payload: dict[str, Any]) -> None:
    """Handler of `order.edited`: the order's new total counts instead of the old one."""
    _on_order_event(payload, "edited")


def on_order_cancelled(payload: dict[str, Any]) -> None:
    """Handler of `order.cancelled`: a cancelled order no longer counts."""
    _on_order_event(payload, "cancelled")


def _on_order_event(payload: Mapping[str, Any], event: str) -> None:
    facts = _facts(payload)
    if facts is not None:
        record_order_history(number=str(payload["number"]), event=event, facts=facts)
