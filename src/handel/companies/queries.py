"""Read side of companies: who acts for which company, with which permissions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from handel.companies.models import Budget, Company, CompanyCredit, CompanyMember, CreditTransaction, Role, Team


@dataclass(frozen=True)
class CompanyViewer:
    """What other domains need to know about a signed-in company user (pricing, catalog, checkout)."""

    company_id: int
    company_code: str
    company_status: str
    customer_group_code: str | None
    assortment_code: str | None  # the shared catalog: replaces the customer group's assortment
    member_id: int
    role_code: str
    permissions: frozenset[str]
    team_id: int | None

    def can(self, permission: str) -> bool:
        return permission in self.permissions


def viewer_for(user: Any) -> CompanyViewer | None:
    """The user's active company membership, or None for consumers and deactivated users."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    member = (
        CompanyMember.objects.select_related("company__customer_group", "role")
        .filter(user_id=user.pk, status=CompanyMember.Status.ACTIVE)
        .first()
    )
    if member is None:
        return None
    group = member.company.customer_group
    return CompanyViewer(
        company_id=member.company_id,
        company_code=member.company.code,
        company_status=member.company.status,
        customer_group_code=group.code if group else None,
        assortment_code=member.company.assortment_code or None,
        member_id=member.pk,
        role_code=member.role.code,
        permissions=frozenset(member.role.permissions),
        team_id=member.team_id,
    )


def company_by_code(code: str) -> Company | None:
    return Company.objects.select_related("customer_group", "sales_representative").filter(code=code).first()


def members_of(company: Company) -> QuerySet[CompanyMember]:
    return CompanyMember.objects.select_related("user", "role", "team").filter(company=company)


def roles_for(company: Company) -> QuerySet[Role]:
    return Role.objects.filter(company__isnull=True) | Role.objects.filter(company=company)


def credit_of(company: Company) -> CompanyCredit:
    return CompanyCredit.objects.get(company=company)


def credit_transactions(company: Company) -> QuerySet[CreditTransaction]:
    return CreditTransaction.objects.filter(credit__company=company)


def ledger_balances(company: Company) -> bool:
    """The credit balance equals the sum of its ledger (checked by tests and operators)."""
    from django.db.models import Sum

    credit = credit_of(company)
    total = credit.transactions.aggregate(total=Sum("amount"))["total"] or 0
    return bool(total == credit.balance)


def teams_of(company: Company) -> QuerySet[Team]:
    return Team.objects.filter(company=company).select_related("parent", "manager__user").order_by("name")


def budgets_of(company: Company) -> QuerySet[Budget]:
    return Budget.objects.filter(company=company).select_related("team").order_by("-starts_on", "name")
