"""Price setup: channel pricing settings, price lists and their entries, tax rates."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction

from handel.channels.models import Channel
from handel.core import audit, events
from handel.core.countries import clean_country
from handel.core.errors import Conflict, NotFound
from handel.core.money import known_currencies
from handel.pricing.engine.types import ASSIGNEE_KINDS
from handel.pricing.models import (
    PriceList,
    PriceListAssignment,
    PriceListEntry,
    PricingChannelSettings,
    TaxRate,
)
from handel.pricing.services.errors import invalid

MAX_ENTRIES_PER_CALL = 10_000

# --- channel settings -------------------------------------------------------------------------


def set_channel_pricing(
    *, actor: Any, channel_code: str, prices_entered_including_tax: bool, seller_country: str = ""
) -> PricingChannelSettings:
    if seller_country:
        seller_country = clean_country(seller_country, field="seller_country")
    with transaction.atomic(durable=True):
        channel = Channel.objects.filter(code=channel_code).first()
        if channel is None:
            raise NotFound(f"no channel '{channel_code}'")
        settings, _ = PricingChannelSettings.objects.update_or_create(
            channel=channel,
            defaults={"prices_entered_including_tax": prices_entered_including_tax, "seller_country": seller_country},
        )
        audit.record(
            actor=actor,
            action="pricing.channel_settings_changed",
            obj=settings,
            data={"prices_entered_including_tax": prices_entered_including_tax, "seller_country": seller_country},
        )
    return settings


# --- price lists ------------------------------------------------------------------------------


@dataclass(frozen=True)
class AssignmentInput:
    kind: str
    key: str


def _clean_assignments(assignments: Iterable[AssignmentInput | Mapping[str, str]]) -> list[AssignmentInput]:
    cleaned = []
    for index, item in enumerate(assignments):
        kind, key = (item.kind, item.key) if isinstance(item, AssignmentInput) else (item["kind"], item["key"])
        if kind not in ASSIGNEE_KINDS:
            raise invalid("unknown assignment kind", ["assignments", index, "kind"], f"one of {list(ASSIGNEE_KINDS)}")
        if not key or len(key) > 100:
            raise invalid("an assignment needs a key", ["assignments", index, "key"], "1 to 100 characters")
        cleaned.append(AssignmentInput(kind=kind, key=key))
    return list(dict.fromkeys(cleaned))


def _check_price_list(price_list: PriceList) -> None:
    if price_list.currency not in known_currencies():
        raise invalid("unknown currency", ["currency"], "not an ISO 4217 currency code")
    if price_list.valid_from and price_list.valid_until and price_list.valid_until <= price_list.valid_from:
        raise invalid("the validity window is empty", ["valid_until"], "must be after valid_from")
    if price_list.adjustment_percent <= -100:
        raise invalid("a derived list cannot take 100% off", ["adjustment_percent"], "must be above -100")
    seen = {price_list.pk}
    parent = price_list.parent
    while parent is not None:
        if parent.pk in seen:
            raise invalid("a list cannot derive from itself", ["parent"], "derivation cycle")
        if parent.currency != price_list.currency:
            raise invalid("a derived list keeps its parent's currency", ["parent"], "other currency")
        seen.add(parent.pk)
        parent = parent.parent


def _parent(code: str | None) -> PriceList | None:
    if not code:
        return None
    parent = PriceList.objects.filter(code=code).first()
    if parent is None:
        raise invalid("unknown parent list", ["parent"], f"no price list '{code}'")
    return parent


def create_price_list(
    *,
    actor: Any,
    code: str,
    name: str,
    currency: str,
    priority: int = 0,
    is_base: bool = False,
    is_active: bool = True,
    valid_from: Any = None,
    valid_until: Any = None,
    parent: str | None = None,
    adjustment_percent: Decimal = Decimal(0),
    assignments: Iterable[AssignmentInput | Mapping[str, str]] = (),
) -> PriceList:
    cleaned = _clean_assignments(assignments)
    with transaction.atomic(durable=True):
        if PriceList.objects.filter(code=code).exists():
            raise Conflict(f"a price list '{code}' exists already")
        price_list = PriceList(
            code=code,
            name=name,
            currency=currency.upper(),
            priority=priority,
            is_base=is_base,
            is_active=is_active,
            valid_from=valid_from,
            valid_until=valid_until,
            parent=_parent(parent),
            adjustment_percent=adjustment_percent,
        )
        _check_price_list(price_list)
        price_list.save()
        PriceListAssignment.objects.bulk_create(
            PriceListAssignment(price_list=price_list, kind=item.kind, key=item.key) for item in cleaned
        )
        audit.record(
            actor=actor,
            action="price_list.created",
            obj=price_list,
            data={"assignments": [[item.kind, item.key] for item in cleaned]},
        )
        events.emit("pricing.prices_changed", {"price_list": code})
    return price_list


def update_price_list(*, actor: Any, code: str, changes: dict[str, Any]) -> PriceList:
    changes = dict(changes)
    assignments = changes.pop("assignments", None)
    cleaned = _clean_assignments(assignments) if assignments is not None else None
    with transaction.atomic(durable=True):
        price_list = PriceList.objects.select_for_update().filter(code=code).first()
        if price_list is None:
            raise NotFound(f"no price list '{code}'")
        if "parent" in changes:
            price_list.parent = _parent(changes.pop("parent"))
        for field, value in changes.items():
            setattr(price_list, field, value.upper() if field == "currency" else value)
        _check_price_list(price_list)
        price_list.save()
        if cleaned is not None:
            price_list.assignments.all().delete()
            PriceListAssignment.objects.bulk_create(
                PriceListAssignment(price_list=price_list, kind=item.kind, key=item.key) for item in cleaned
            )
        audit.record(
            actor=actor,
            action="price_list.updated",
            obj=price_list,
            data={"fields": sorted(changes) + (["assignments"] if cleaned is not None else [])},
        )
        events.emit("pricing.prices_changed", {"price_list": code})
    return price_list


def delete_price_list(*, actor: Any, code: str) -> None:
    with transaction.atomic(durable=True):
        price_list = PriceList.objects.filter(code=code).first()
        if price_list is None:
            raise NotFound(f"no price list '{code}'")
        if price_list.derived.exists():
            raise Conflict("other price lists derive from this one; change them first")
        audit.record(actor=actor, action="price_list.deleted", obj=price_list)
        price_list.delete()
        events.emit("pricing.prices_changed", {"price_list": code})


@dataclass(frozen=True)
class EntryInput:
    sku: str
    unit_price: Decimal
    min_quantity: int = 1


def set_price_entries(
    *, actor: Any, price_list_code: str, entries: Sequence[EntryInput], replace_skus: bool = True
) -> int:
    """Upsert tier breaks. With `replace_skus`, the given SKUs' other tiers in this list are removed,
    so the call states each SKU's complete tier table."""
    if len(entries) > MAX_ENTRIES_PER_CALL:
        raise invalid("too many entries", ["entries"], f"at most {MAX_ENTRIES_PER_CALL} per call")
    seen: set[tuple[str, int]] = set()
    for index, entry in enumerate(entries):
        if not entry.sku or len(entry.sku) > 100:
            raise invalid("a SKU is needed", ["entries", index, "sku"], "1 to 100 characters")
        if entry.unit_price < 0:
            raise invalid("a price cannot be negative", ["entries", index, "unit_price"], "must be >= 0")
        if entry.min_quantity < 1:
            raise invalid("tiers start at 1", ["entries", index, "min_quantity"], "must be >= 1")
        if (entry.sku, entry.min_quantity) in seen:
            raise invalid("a tier is given twice", ["entries", index], "duplicate sku and min_quantity")
        seen.add((entry.sku, entry.min_quantity))
    with transaction.atomic(durable=True):
        price_list = PriceList.objects.select_for_update().filter(code=price_list_code).first()
        if price_list is None:
            raise NotFound(f"no price list '{price_list_code}'")
        skus = sorted({entry.sku for entry in entries})
        if replace_skus:
            PriceListEntry.objects.filter(price_list=price_list, sku__in=skus).delete()
        else:
            existing = PriceListEntry.objects.filter(price_list=price_list, sku__in=skus).values_list(
                "id", "sku", "min_quantity"
            )
            replaced = [pk for pk, sku, quantity in existing if (sku, quantity) in seen]
            PriceListEntry.objects.filter(id__in=replaced).delete()
        PriceListEntry.objects.bulk_create(
            PriceListEntry(
                price_list=price_list, sku=entry.sku, min_quantity=entry.min_quantity, unit_price=entry.unit_price
            )
            for entry in entries
        )
        audit.record(
            actor=actor,
            action="price_list.entries_set",
            obj=price_list,
            data={"skus": skus[:100], "count": len(entries)},
        )
        # Listeners (search) re-price the SKUs named, or everything when there are too many to list.
        events.emit(
            "pricing.prices_changed", {"price_list": price_list_code, "skus": skus if len(skus) <= 1000 else None}
        )
    return len(entries)


def delete_price_entries(*, actor: Any, price_list_code: str, sku: str) -> int:
    with transaction.atomic(durable=True):
        price_list = PriceList.objects.filter(code=price_list_code).first()
        if price_list is None:
            raise NotFound(f"no price list '{price_list_code}'")
        deleted, _ = PriceListEntry.objects.filter(price_list=price_list, sku=sku).delete()
        if not deleted:
            raise NotFound(f"no entry for '{sku}' in '{price_list_code}'")
        audit.record(actor=actor, action="price_list.entries_deleted", obj=price_list, data={"sku": sku})
        events.emit("pricing.prices_changed", {"price_list": price_list_code, "skus": [sku]})
    return deleted


# --- tax rates --------------------------------------------------------------------------------


def set_tax_rate(
    *,
    actor: Any,
    country: str,
    rate: Decimal,
    tax_class: str = "standard",
    region: str = "",
    customer_tax_class: str = "",
    name: str = "",
) -> TaxRate:
    country = clean_country(country, field="country")
    if not Decimal(0) <= rate <= 100:
        raise invalid("a tax rate is a percentage", ["rate"], "0 to 100")
    if not tax_class:
        raise invalid("a tax class is needed", ["tax_class"], "required")
    with transaction.atomic(durable=True):
        tax_rate, created = TaxRate.objects.update_or_create(
            country=country,
            region=region,
            tax_class=tax_class,
            customer_tax_class=customer_tax_class,
            defaults={"rate": rate, "name": name},
        )
        audit.record(
            actor=actor,
            action="tax_rate.created" if created else "tax_rate.updated",
            obj=tax_rate,
            data={"rate": str(rate)},
        )
    return tax_rate


def delete_tax_rate(*, actor: Any, tax_rate_id: int) -> None:
    with transaction.atomic(durable=True):
        tax_rate = TaxRate.objects.filter(pk=tax_rate_id).first()
        if tax_rate is None:
            raise NotFound("no such tax rate")
        audit.record(actor=actor, action="tax_rate.deleted", obj=tax_rate)
        tax_rate.delete()
