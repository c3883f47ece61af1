"""What a rule would change before it is switched on: prices with and without it, side by side."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from handel.channels.models import Channel
from handel.core.errors import NotFound
from handel.customers import queries as customer_queries
from handel.pricing.engine import ExplanationStep, price_items
from handel.pricing.models import PriceRule
from handel.pricing.queries import channel_skus, load_pricing_context


@dataclass(frozen=True)
class PriceChange:
    sku: str
    price_without_rule: Decimal
    price_with_rule: Decimal
    explanation: tuple[ExplanationStep, ...]

    @property
    def difference(self) -> Decimal:
        return self.price_with_rule - self.price_without_rule


@dataclass(frozen=True)
class RulePreview:
    rule: str
    channel: str
    currency: str
    checked: int
    changes: list[PriceChange]


def preview_rule(
    *,
    code: str,
    channel: Channel,
    customer_group: str | None = None,
    skus: Sequence[str] | None = None,
    at: datetime | None = None,
    stock_levels: Mapping[str, int] | None = None,
    limit: int = 1000,
) -> RulePreview:
    """Unit prices (quantity 1) of the SKUs with the rule switched on and with it off, in the
    channel (and customer group) at the given time; only the SKUs whose price differs are listed."""
    rule = PriceRule.objects.filter(code=code).first()
    if rule is None:
        raise NotFound(f"no price rule '{code}'")
    group = customer_queries.customer_group(customer_group) if customer_group else None
    if customer_group and group is None:
        raise NotFound(f"no customer group '{customer_group}'")
    wanted = (
        list(dict.fromkeys(skus))[:limit] if skus else channel_skus(channel, customer_group=customer_group, limit=limit)
    )
    with_rule = load_pricing_context(
        channel=channel, skus=wanted, at=at, stock_levels=stock_levels, rule_override=rule, customer_group=group
    )
    without_rule = dataclasses.replace(with_rule, rules=tuple(r for r in with_rule.rules if r.code != code))
    items = [(sku, 1) for sku in wanted]
    changes = []
    for before, after in zip(price_items(without_rule, items), price_items(with_rule, items), strict=True):
        if before.found and after.found and before.unit_price != after.unit_price:
            changes.append(
                PriceChange(
                    sku=after.sku,
                    price_without_rule=before.unit_price,
                    price_with_rule=after.unit_price,
                    explanation=after.explanation,
                )
            )
    return RulePreview(rule=code, channel=channel.code, currency=channel.currency, checked=len(wanted), changes=changes)
