from __future__ import annotations

from django.db import transaction

from handel.channels.models import Channel
from handel.channels.queries import forget_cached_channels
from handel.core.demo import DemoContext

EU = ["NL", "BE", "DE", "FR", "LU", "AT"]


def build(context: DemoContext) -> None:
    with transaction.atomic():
        Channel.objects.update_or_create(
            code="b2c",
            defaults={
                "name": "Handel Shop",
                "currency": "EUR",
                "default_locale": "nl",
                "locales": ["nl", "en"],
                "tax_display": Channel.TaxDisplay.INCLUDING,
                "default_country": "NL",
                "allowed_countries": EU,
                "is_default": True,
                "is_b2b": False,
            },
        )
        Channel.objects.update_or_create(
            code="b2b",
            defaults={
                "name": "Handel Business",
                "currency": "EUR",
                "default_locale": "en",
                "locales": ["en", "nl"],
                "tax_display": Channel.TaxDisplay.EXCLUDING,
                "default_country": "NL",
                "allowed_countries": EU,
                "is_default": False,
                "is_b2b": True,
            },
        )
    forget_cached_channels()
