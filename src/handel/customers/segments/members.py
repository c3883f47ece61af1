"""Segments and their members: materialised from the rules, or named by staff (manual segments)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.utils import timezone

from handel.core import audit
from handel.core.errors import Conflict, InvalidInput, NotFound, field_error
from handel.customers.models import (
    Segment,
    SegmentMembership,
    User,
)
from handel.customers.segments.rules import (
    INSERT_BATCH,
    MAX_MEMBERS_PER_CALL,
    RULE_FIELDS,
    MembershipChange,
    find_segment,
    rule_condition,
    validate_segment,
)

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
    Runs inside the caller's transaction.

    The segments are locked first, in pk order, before any membership is written: a segment's
    recompute or rule change holds its segment locked while it writes the same memberships, so
    taking the locks in this one order keeps the two from deadlocking (PostgreSQL), and each
    evaluates against what the other committed instead of against rules or facts about to change.
    No key update: the memberships inserted meanwhile by others may still point at the segments."""
    at = at or timezone.now()
    ids = sorted({int(pk) for pk in customer_ids if pk})
    if not ids:
        return MembershipChange(0, 0)
    segments = list(
        Segment.objects.select_for_update(no_key=True).filter(kind=Segment.Kind.RULE, is_active=True).order_by("pk")
    )
    if not segments:
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


def recompute_and_record(customer_id: int, at: datetime | None = None, **context: Any) -> MembershipChange:
    """Inside the caller's transaction: the customer's rule segments anew, audited when they changed."""
    change = recompute_memberships([customer_id], at)
    if change.added or change.removed:
        audit.record(
            actor=None,
            action="customer.segments_recomputed",
            object_type="customers.user",
            object_id=str(customer_id),
            data={**context, "added": change.added, "removed": change.removed},
        )
    return change


def recompute_customer_segments(*, customer_id: int, at: datetime | None = None) -> MembershipChange:
    """A customer's facts changed outside a service of this module (e.g. in the admin)."""
    with transaction.atomic(durable=True):
        return recompute_and_record(customer_id, at)


def recompute_segment(*, code: str, actor: Any = None, at: datetime | None = None) -> MembershipChange:
    with transaction.atomic(durable=True):
        segment = find_segment(code, for_update=True)
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
    exists = Conflict(f"a segment '{segment.code}' exists already", slug="segment-exists")
    with transaction.atomic(durable=True):
        if Segment.objects.filter(code=segment.code).exists():
            raise exists
        try:
            # A savepoint: a concurrent create of the same code can commit between the check and
            # the insert (PostgreSQL), and then the unique code refuses this one.
            with transaction.atomic():
                segment.save()
        except IntegrityError:
            raise exists from None
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
        segment = find_segment(code, for_update=True)
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
        segment = find_segment(code, for_update=True)
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
    segment = find_segment(code, for_update=True)
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
