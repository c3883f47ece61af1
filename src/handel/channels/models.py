from __future__ import annotations

from django.db import models


class Channel(models.Model):
    """A sales channel: the B2C shop or the B2B portal. Currency, languages, tax display, countries."""

    class TaxDisplay(models.TextChoices):
        INCLUDING = "incl", "Prices include tax"
        EXCLUDING = "excl", "Prices exclude tax"

    code = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=100)
    currency = models.CharField(max_length=3)
    default_locale = models.CharField(max_length=10, default="en")
    locales = models.JSONField(default=list, help_text='languages offered, e.g. ["nl", "en"]')
    tax_display = models.CharField(max_length=4, choices=TaxDisplay.choices, default=TaxDisplay.INCLUDING)
    default_country = models.CharField(max_length=2)
    allowed_countries = models.JSONField(default=list, help_text="ISO country codes the channel sells to")
    domains = models.JSONField(default=list, blank=True, help_text="host names that open this channel")
    is_default = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    is_b2b = models.BooleanField(default=False, help_text="the business portal")
    invoice_on = models.CharField(
        max_length=10,
        choices=[("capture", "Payment capture"), ("shipment", "Shipment")],
        default="capture",
        help_text="when an invoice is issued",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=models.Q(is_default=True), name="one_default_channel"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def prices_include_tax(self) -> bool:
        return self.tax_display == self.TaxDisplay.INCLUDING
