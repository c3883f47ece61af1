"""Which approval rules a purchase meets, and who may approve each. Pure functions over facts."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from handel.procurement.models import ApprovalRule


@dataclass(frozen=True)
class PurchaseFacts:
    total: Decimal
    shipping_cost: Decimal
    line_count: int
    skus: frozenset[str]
    category_paths: frozenset[str] = field(default_factory=frozenset)
    buyer_role: str = ""
    buyer_team_id: int | None = None
    budget_remaining: Decimal | None = None  # None: the buyer has no budget in force


def rule_matches(rule: ApprovalRule, facts: PurchaseFacts, team_ancestors: frozenset[int] = frozenset()) -> bool:
    if not rule.is_active:
        return False
    if rule.applies_to_roles and facts.buyer_role not in rule.applies_to_roles:
        return False
    if (
        rule.applies_to_team_id
        and rule.applies_to_team_id != facts.buyer_team_id
        and (rule.applies_to_team_id not in team_ancestors)
    ):
        return False
    threshold = rule.threshold if rule.threshold is not None else Decimal(0)
    kind = ApprovalRule.Kind
    if rule.kind == kind.ORDER_TOTAL:
        return facts.total > threshold
    if rule.kind == kind.SHIPPING_COST:
        return facts.shipping_cost > threshold
    if rule.kind == kind.LINE_COUNT:
        return facts.line_count > threshold
    if rule.kind == kind.SKU:
        return rule.match in facts.skus
    if rule.kind == kind.CATEGORY:
        prefix = rule.match.strip("/")
        return any(path == prefix or path.startswith(prefix + "/") for path in facts.category_paths)
    if rule.kind == kind.BUDGET_EXCEEDED:
        return facts.budget_remaining is not None and facts.total > facts.budget_remaining
    return False
