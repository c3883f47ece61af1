"""Assortments (shared catalogs): what part of the catalog a viewer may see."""

from __future__ import annotations

from django.db import models


class Assortment(models.Model):
    """A named selection of categories (with their subtrees) and products. A channel's default
    assortment applies to everyone in it; a customer group's assortment replaces it for that group.
    A channel without a default assortment shows its whole catalog."""

    code = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=200)
    channel = models.ForeignKey(
        "channels.Channel",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="the channel it applies to; empty for any channel",
    )
    is_channel_default = models.BooleanField(default=False)
    customer_group = models.ForeignKey(
        "customers.CustomerGroup", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    categories = models.ManyToManyField("catalog.Category", blank=True, related_name="+")
    products = models.ManyToManyField("catalog.Product", blank=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel"],
                condition=models.Q(is_channel_default=True),
                name="one_default_assortment_per_channel",
            ),
        ]

    def __str__(self) -> str:
        return self.name
