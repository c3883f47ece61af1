"""Write use cases for sales channels."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction

from handel.channels.models import Channel
from handel.channels.queries import forget_cached_channels
from handel.core import audit
from handel.core.countries import clean_country
from handel.core.errors import Conflict, InvalidInput, NotFound, field_error
from handel.core.money import known_currencies

SUPPORTED_LOCALES = {code for code, _ in settings.LANGUAGES}


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    cleaned = dict(data)
    errors = []
    if "currency" in cleaned:
        cleaned["currency"] = str(cleaned["currency"]).upper()
        if cleaned["currency"] not in known_currencies():
            errors.append(field_error(["body", "currency"], "not an ISO 4217 currency code"))
    if "locales" in cleaned:
        locales = [str(locale).split("-")[0].lower() for locale in cleaned["locales"]]
        bad = [locale for locale in locales if locale not in SUPPORTED_LOCALES]
        if bad or not locales:
            errors.append(field_error(["body", "locales"], f"choose from {sorted(SUPPORTED_LOCALES)}"))
        cleaned["locales"] = list(dict.fromkeys(locales))
    if "default_locale" in cleaned:
        cleaned["default_locale"] = str(cleaned["default_locale"]).split("-")[0].lower()
    for field in ("default_country",):
        if field in cleaned:
            try:
                cleaned[field] = clean_country(cleaned[field], field=field)
            except InvalidInput as exc:
                errors.extend(exc.errors)
    if "allowed_countries" in cleaned:
        countries = []
        for index, code in enumerate(cleaned["allowed_countries"]):
            try:
                countries.append(clean_country(code, field=f"allowed_countries.{index}"))
            except InvalidInput as exc:
                errors.extend(exc.errors)
        cleaned["allowed_countries"] = list(dict.fromkeys(countries))
    if errors:
        raise InvalidInput("the channel is not valid", errors=errors)
    return cleaned


def _check_consistency(channel: Channel) -> None:
    errors = []
    if channel.default_locale not in channel.locales:
        errors.append(field_error(["body", "default_locale"], "must be one of the channel's locales"))
    if channel.allowed_countries and channel.default_country not in channel.allowed_countries:
        errors.append(field_error(["body", "default_country"], "must be one of the allowed countries"))
    if errors:
        raise InvalidInput("the channel is not consistent", errors=errors)


def create_channel(
    *,
    actor: Any,
    code: str,
    name: str,
    currency: str,
    default_locale: str,
    locales: list[str],
    tax_display: str,
    default_country: str,
    allowed_countries: list[str],
    is_default: bool = False,
    is_b2b: bool = False,
    domains: list[str] | None = None,
) -> Channel:
    data = _clean(
        {
            "currency": currency,
            "default_locale": default_locale,
            "locales": locales,
            "default_country": default_country,
            "allowed_countries": allowed_countries,
        }
    )
    if tax_display not in Channel.TaxDisplay.values:
        raise InvalidInput(
            "tax_display must be incl or excl", errors=[field_error(["body", "tax_display"], "incl or excl")]
        )
    with transaction.atomic(durable=True):
        if Channel.objects.filter(code=code).exists():
            raise Conflict(f"a channel with code '{code}' exists already")
        if is_default:
            Channel.objects.filter(is_default=True).update(is_default=False)
        channel = Channel(
            code=code,
            name=name,
            tax_display=tax_display,
            is_default=is_default,
            is_b2b=is_b2b,
            domains=domains or [],
            **data,
        )
        _check_consistency(channel)
        channel.save()
        audit.record(actor=actor, action="channel.created", obj=channel)
        transaction.on_commit(forget_cached_channels)
    return channel


def update_channel(*, actor: Any, code: str, changes: dict[str, Any]) -> Channel:
    data = _clean(changes)
    if "tax_display" in data and data["tax_display"] not in Channel.TaxDisplay.values:
        raise InvalidInput(
            "tax_display must be incl or excl", errors=[field_error(["body", "tax_display"], "incl or excl")]
        )
    with transaction.atomic(durable=True):
        channel = Channel.objects.select_for_update().filter(code=code).first()
        if channel is None:
            raise NotFound(f"no channel '{code}'")
        if data.get("is_default"):
            Channel.objects.filter(is_default=True).exclude(pk=channel.pk).update(is_default=False)
        for field, value in data.items():
            setattr(channel, field, value)
        _check_consistency(channel)
        channel.save()
        audit.record(actor=actor, action="channel.updated", obj=channel, data={"fields": sorted(data)})
        transaction.on_commit(forget_cached_channels)
    return channel
