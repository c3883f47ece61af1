"""Write use cases for sources (warehouses, stores) and which channels sell from them."""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction

from handel.channels.models import Channel
from handel.core import audit
from handel.core.countries import clean_country
from handel.core.errors import Conflict, InvalidInput, NotFound, field_error
from handel.inventory.models import WEEKDAYS, ChannelSource, Source
from handel.inventory.queries import forget_channel_sources

_HOURS = re.compile(r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$")
SOURCE_FIELDS = {
    "name",
    "kind",
    "street",
    "postal_code",
    "city",
    "country",
    "priority",
    "ships",
    "pickup",
    "opening_hours",
    "handling_days",
    "is_active",
}


def clean_opening_hours(hours: Any) -> dict[str, str]:
    """{"mon": "09:00-12:30,13:00-18:00", "sun": ""}: weekdays to comma separated HH:MM-HH:MM ranges."""
    if not isinstance(hours, dict):
        raise InvalidInput(
            "opening_hours must be an object",
            errors=[field_error(["body", "opening_hours"], "an object of weekday -> hours")],
        )
    errors, cleaned = [], {}
    for day, value in hours.items():
        if day not in WEEKDAYS:
            errors.append(field_error(["body", "opening_hours", str(day)], f"weekday must be one of {WEEKDAYS}"))
            continue
        text = str(value or "").replace(" ", "")
        ranges = [part for part in text.split(",") if part]
        if not all(_HOURS.match(part) and part[:5] < part[6:] for part in ranges):
            errors.append(field_error(["body", "opening_hours", day], "HH:MM-HH:MM ranges, comma separated"))
            continue
        cleaned[day] = ",".join(ranges)
    if errors:
        raise InvalidInput("the opening hours are not valid", errors=errors)
    return cleaned


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    cleaned = dict(data)
    errors = []
    if "country" in cleaned:
        try:
            cleaned["country"] = clean_country(cleaned["country"])
        except InvalidInput as exc:
            errors.extend(exc.errors)
    if "kind" in cleaned and cleaned["kind"] not in Source.Kind.values:
        errors.append(field_error(["body", "kind"], f"one of {Source.Kind.values}"))
    for name in ("priority", "handling_days"):
        if name in cleaned and (not isinstance(cleaned[name], int) or cleaned[name] < 0):
            errors.append(field_error(["body", name], "a whole number, 0 or more"))
    if "opening_hours" in cleaned:
        try:
            cleaned["opening_hours"] = clean_opening_hours(cleaned["opening_hours"])
        except InvalidInput as exc:
            errors.extend(exc.errors)
    if errors:
        raise InvalidInput("the source is not valid", errors=errors)
    return cleaned


def _check_consistency(source: Source) -> None:
    if not source.ships and not source.pickup:
        raise InvalidInput(
            "a source must ship, offer pickup, or both",
            errors=[field_error(["body", "ships"], "ships or pickup must be true")],
        )


def create_source(
    *,
    actor: Any,
    code: str,
    name: str,
    country: str,
    kind: str = Source.Kind.WAREHOUSE,
    street: str = "",
    postal_code: str = "",
    city: str = "",
    priority: int = 100,
    ships: bool = True,
    pickup: bool = False,
    opening_hours: dict[str, str] | None = None,
    handling_days: int = 1,
    channel_codes: list[str] | None = None,
) -> Source:
    data = _clean(
        {
            "name": name,
            "kind": kind,
            "street": street,
            "postal_code": postal_code,
            "city": city,
            "country": country,
            "priority": priority,
            "ships": ships,
            "pickup": pickup,
            "opening_hours": opening_hours or {},
            "handling_days": handling_days,
        }
    )
    with transaction.atomic(durable=True):
        if Source.objects.filter(code=code).exists():
            raise Conflict(f"a source with code '{code}' exists already")
        source = Source(code=code, **data)
        _check_consistency(source)
        source.save()
        if channel_codes:
            ChannelSource.objects.bulk_create(
                [ChannelSource(channel=channel, source=source) for channel in _channels(channel_codes)]
            )
        audit.record(actor=actor, action="source.created", obj=source, data={"channels": channel_codes or []})
        transaction.on_commit(forget_channel_sources)
    return source


def update_source(*, actor: Any, code: str, changes: dict[str, Any]) -> Source:
    unknown = sorted(set(changes) - SOURCE_FIELDS)
    if unknown:
        raise InvalidInput("unknown fields", errors=[field_error(["body", name], "unknown field") for name in unknown])
    data = _clean(changes)
    with transaction.atomic(durable=True):
        source = Source.objects.select_for_update().filter(code=code).first()
        if source is None:
            raise NotFound(f"no source '{code}'")
        for field, value in data.items():
            setattr(source, field, value)
        _check_consistency(source)
        source.save()
        audit.record(actor=actor, action="source.updated", obj=source, data={"fields": sorted(data)})
        transaction.on_commit(forget_channel_sources)
    return source


def set_channel_sources(*, actor: Any, channel_code: str, source_codes: list[str]) -> list[Source]:
    """The channel sells from exactly these sources from now on."""
    wanted = list(dict.fromkeys(source_codes))
    with transaction.atomic(durable=True):
        (channel,) = _channels([channel_code], field="channel_code")
        sources = {source.code: source for source in Source.objects.filter(code__in=wanted)}
        missing = [code for code in wanted if code not in sources]
        if missing:
            raise InvalidInput(
                f"unknown source(s): {', '.join(missing)}",
                errors=[field_error(["body", "sources", wanted.index(code)], "no such source") for code in missing],
            )
        ChannelSource.objects.filter(channel=channel).exclude(source__code__in=wanted).delete()
        linked = set(ChannelSource.objects.filter(channel=channel).values_list("source__code", flat=True))
        ChannelSource.objects.bulk_create(
            [ChannelSource(channel=channel, source=sources[code]) for code in wanted if code not in linked]
        )
        audit.record(
            actor=actor,
            action="channel.sources_set",
            object_type="channels.channel",
            object_id=str(channel.pk),
            data={"sources": wanted},
        )
        transaction.on_commit(forget_channel_sources)
    return [sources[code] for code in wanted]


def _channels(codes: list[str], field: str = "channel_codes") -> list[Channel]:
    channels = {channel.code: channel for channel in Channel.objects.filter(code__in=codes)}
    missing = [code for code in codes if code not in channels]
    if missing:
        raise InvalidInput(
            f"unknown channel(s): {', '.join(missing)}",
            errors=[field_error(["body", field], f"no channel '{code}'") for code in missing],
        )
    return [channels[code] for code in codes]
