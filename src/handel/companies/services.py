"""Write use cases for B2B companies: sign-up and approval, users and roles, teams, budgets, credit."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.validators import slug_re
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from handel.companies import permissions as perms
from handel.companies.models import (
    Budget,
    BudgetEntry,
    Company,
    CompanyAddress,
    CompanyCredit,
    CompanyMember,
    CreditTransaction,
    Role,
    Team,
)
from handel.core import audit
from handel.core.countries import clean_country, clean_phone, clean_vat_number, vat_country
from handel.core.errors import Conflict, DomainError, InvalidInput, NotFound, PermissionDenied, field_error
from handel.core.events import emit
from handel.core.money import known_currencies
from handel.customers import services as customer_services

User = get_user_model()


class CreditLimitExceeded(DomainError):
    status = 409
    slug = "credit-limit-exceeded"
    title = "Credit limit exceeded"


class OrderingBlocked(DomainError):
    status = 409
    slug = "company-ordering-blocked"
    title = "The company cannot order now"


ADDRESS_FIELDS = (
    "label",
    "company_name",
    "attention",
    "street",
    "street2",
    "postal_code",
    "city",
    "region",
    "country",
    "is_default",
)


def _member_with(actor: Any, permission: str, *, company: Company | None = None) -> CompanyMember:
    """The actor's active membership, if it carries the permission (and belongs to `company`)."""
    member = (
        CompanyMember.objects.select_related("company", "role")
        .filter(user_id=getattr(actor, "pk", None), status=CompanyMember.Status.ACTIVE)
        .first()
    )
    if member is None or (company is not None and member.company_id != company.pk):
        raise PermissionDenied("you do not act for this company")
    if permission not in member.role.permissions:
        raise PermissionDenied(f"your role does not allow: {perms.ALL.get(permission, permission)}")
    return member


def _clean_address(data: dict[str, Any], kind: str) -> dict[str, Any]:
    address = customer_services.validate_address(
        {
            "first_name": "-",
            "last_name": "-",
            "company_name": data.get("company_name", ""),
            **{k: data[k] for k in ("street", "street2", "postal_code", "city", "region", "country") if k in data},
        }
    )
    if not data.get("company_name"):
        raise InvalidInput(
            "the company name is required on an address",
            errors=[field_error(["body", kind, "company_name"], "required")],
        )
    return {
        "company_name": data["company_name"].strip(),
        "attention": str(data.get("attention", "")).strip(),
        "label": str(data.get("label", "")).strip(),
        "street": address["street"],
        "street2": address.get("street2", ""),
        "postal_code": address["postal_code"],
        "city": address["city"],
        "region": address.get("region", ""),
        "country": address["country"],
    }


def _unique_code(name: str) -> str:
    base = slugify(name)[:50] or "company"
    code, counter = base, 1
    while Company.objects.filter(code=code).exists():
        counter += 1
        code = f"{base}-{counter}"
    return code


def register_company(
    *,
    user: Any,
    legal_name: str,
    country: str,
    billing_address: dict[str, Any],
    vat_number: str = "",
    registration_number: str = "",
    phone: str = "",
    shipping_address: dict[str, Any] | None = None,
) -> Company:
    """Self-service sign-up: the company waits for staff approval; the user becomes its admin."""
    legal_name = legal_name.strip()
    if not legal_name:
        raise InvalidInput("the legal name is required", errors=[field_error(["body", "legal_name"], "required")])
    country = clean_country(country)
    clean_vat = ""
    if vat_number:
        clean_vat = clean_vat_number(vat_number)
        if vat_country(clean_vat) != country:
            raise InvalidInput(
                "the VAT number belongs to another country",
                errors=[field_error(["body", "vat_number"], f"must be a {country} VAT number")],
            )
    billing = _clean_address(billing_address, "billing_address")
    shipping = _clean_address(shipping_address, "shipping_address") if shipping_address else None
    clean_phone_number = clean_phone(phone, country=country)
    with transaction.atomic(durable=True):
        if CompanyMember.objects.filter(user_id=user.pk).exists():
            raise Conflict("you already act for a company", slug="already-in-company")
        if clean_vat and Company.objects.filter(vat_number=clean_vat).exists():
            raise Conflict("a company with this VAT number is registered already", slug="vat-number-taken")
        company = Company.objects.create(
            code=_unique_code(legal_name),
            legal_name=legal_name,
            vat_number=clean_vat,
            registration_number=registration_number.strip(),
            country=country,
            email=user.email,
            phone=clean_phone_number,
        )
        CompanyAddress.objects.create(company=company, kind=CompanyAddress.Kind.BILLING, is_default=True, **billing)
        if shipping:
            CompanyAddress.objects.create(
                company=company, kind=CompanyAddress.Kind.SHIPPING, is_default=True, **shipping
            )
        CompanyCredit.objects.create(company=company)
        CompanyMember.objects.create(company=company, user=user, role=built_in_role("admin"), joined_at=timezone.now())
        audit.record(actor=user, action="company.registered", obj=company)
        emit("company.registered", {"company_id": company.pk})
    return company


def _set_status(*, actor: Any, code: str, status: str, action: str) -> Company:
    with transaction.atomic(durable=True):
        company = Company.objects.select_for_update().filter(code=code).first()
        if company is None:
            raise NotFound(f"no company '{code}'")
        previous = company.status
        company.status = status
        if status == Company.Status.ACTIVE and company.approved_at is None:
            company.approved_at = timezone.now()
        company.save(update_fields=["status", "approved_at"])
        audit.record(actor=actor, action=action, obj=company, data={"from": previous, "to": status})
        emit(action, {"company_id": company.pk})
    return company


def approve_company(*, actor: Any, code: str) -> Company:
    return _set_status(actor=actor, code=code, status=Company.Status.ACTIVE, action="company.approved")


def block_company(*, actor: Any, code: str) -> Company:
    return _set_status(actor=actor, code=code, status=Company.Status.BLOCKED, action="company.blocked")


COMPANY_EDITABLE = {
    "legal_name",
    "registration_number",
    "phone",
    "email",
    "purchase_order_number",
    "addresses_locked",
    "block_ordering_when_overdue",
}
STAFF_ONLY_FIELDS = {"customer_group_id", "sales_representative_id", "assortment_code"}


def update_company(*, actor: Any, code: str, changes: dict[str, Any]) -> Company:
    with transaction.atomic(durable=True):
        company = Company.objects.select_for_update().filter(code=code).first()
        if company is None:
            raise NotFound(f"no company '{code}'")
        if not getattr(actor, "is_staff", False):
            _member_with(actor, perms.MANAGE_COMPANY, company=company)
            forbidden = set(changes) - COMPANY_EDITABLE
            if forbidden:
                raise PermissionDenied(f"only staff can change: {', '.join(sorted(forbidden))}")
        unknown = set(changes) - COMPANY_EDITABLE - STAFF_ONLY_FIELDS
        if unknown:
            raise InvalidInput("unknown fields", errors=[field_error(["body", f], "unknown") for f in sorted(unknown)])
        if changes.get("assortment_code") and not slug_re.match(changes["assortment_code"]):
            raise InvalidInput(
                "assortment_code must be an assortment's code",
                errors=[field_error(["body", "assortment_code"], "letters, digits, - and _ only")],
            )
        if "phone" in changes:
            changes["phone"] = clean_phone(changes["phone"], country=company.country)
        if changes.get("purchase_order_number") not in (None, *Company.PurchaseOrderNumber.values):
            raise InvalidInput(
                "purchase_order_number must be optional or required",
                errors=[field_error(["body", "purchase_order_number"], "optional or required")],
            )
        for field, value in changes.items():
            setattr(company, field, value)
        company.save()
        audit.record(actor=actor, action="company.updated", obj=company, data={"fields": sorted(changes)})
    return company


def save_company_address(
    *, actor: Any, code: str, kind: str, data: dict[str, Any], address_id: int | None = None
) -> CompanyAddress:
    if kind not in CompanyAddress.Kind.values:
        raise InvalidInput(
            "kind must be billing or shipping", errors=[field_error(["body", "kind"], "billing|shipping")]
        )
    cleaned = _clean_address(data, "address")
    with transaction.atomic(durable=True):
        company = Company.objects.select_for_update().filter(code=code).first()
        if company is None:
            raise NotFound(f"no company '{code}'")
        if not getattr(actor, "is_staff", False):
            member = _member_with(
                actor, perms.PLACE_ORDERS if kind == "shipping" else perms.MANAGE_COMPANY, company=company
            )
            if company.addresses_locked and perms.MANAGE_COMPANY not in member.role.permissions:
                raise PermissionDenied("the company's addresses are locked by its admin")
        if address_id is None:
            address = CompanyAddress.objects.create(company=company, kind=kind, **cleaned)
        else:
            address = CompanyAddress.objects.filter(company=company, pk=address_id).first()
            if address is None:
                raise NotFound("no such address")
            for field, value in cleaned.items():
                setattr(address, field, value)
            address.kind = kind
            address.save()
        if (
            data.get("is_default")
            or not company.addresses.filter(kind=kind, is_default=True).exclude(pk=address.pk).exists()
        ):
            company.addresses.filter(kind=kind).exclude(pk=address.pk).update(is_default=False)
            address.is_default = True
            address.save(update_fields=["is_default"])
        audit.record(actor=actor, action="company.address_saved", obj=address)
    return address


def _clean_permissions(values: list[str]) -> list[str]:
    unknown = sorted(set(values) - set(perms.ALL))
    if unknown:
        raise InvalidInput(
            "unknown permissions",
            errors=[field_error(["body", "permissions"], f"unknown permission {p!r}") for p in unknown],
        )
    return sorted(set(values))


def create_role(*, actor: Any, company_code: str, code: str, name: str, permissions: list[str]) -> Role:
    clean = _clean_permissions(permissions)
    with transaction.atomic(durable=True):
        company = Company.objects.filter(code=company_code).first()
        if company is None:
            raise NotFound(f"no company '{company_code}'")
        if not getattr(actor, "is_staff", False):
            _member_with(actor, perms.MANAGE_USERS, company=company)
        if (
            Role.objects.filter(company=company, code=code).exists()
            or Role.objects.filter(company=None, code=code).exists()
        ):
            raise Conflict(f"a role '{code}' exists already")
        role = Role.objects.create(company=company, code=code, name=name.strip(), permissions=clean)
        audit.record(actor=actor, action="company.role_created", obj=role, data={"permissions": clean})
    return role


def built_in_role(code: str) -> Role:
    """A built-in role; (re)created from handel.companies.permissions if the table lost it."""
    role = Role.objects.filter(company=None, code=code).first()
    if role is None and code in perms.BUILT_IN_ROLES:
        name, permissions = perms.BUILT_IN_ROLES[code]
        role = Role.objects.create(company=None, code=code, name=name, permissions=list(permissions))
    if role is None:
        raise NotFound(f"no built-in role '{code}'")
    return role


def _role_for(company: Company, code: str) -> Role:
    role = Role.objects.filter(company=company, code=code).first()
    if role is None and code in perms.BUILT_IN_ROLES:
        role = built_in_role(code)
    if role is None:
        raise InvalidInput(f"no role '{code}'", errors=[field_error(["body", "role"], "unknown role")])
    return role


def _team_for(company: Company, team_id: int | None) -> Team | None:
    if team_id is None:
        return None
    team = Team.objects.filter(company=company, pk=team_id).first()
    if team is None:
        raise InvalidInput("no such team in this company", errors=[field_error(["body", "team_id"], "unknown team")])
    return team


def invite_member(
    *,
    actor: Any,
    company_code: str,
    email: str,
    role: str,
    first_name: str = "",
    last_name: str = "",
    team_id: int | None = None,
    job_title: str = "",
    base_url: str = "",
) -> CompanyMember:
    email = customer_services.clean_email(email)
    with transaction.atomic(durable=True):
        company = Company.objects.filter(code=company_code).first()
        if company is None:
            raise NotFound(f"no company '{company_code}'")
        if not getattr(actor, "is_staff", False):
            _member_with(actor, perms.MANAGE_USERS, company=company)
        if company.status != Company.Status.ACTIVE:
            raise Conflict("users can be invited once the company is approved", slug="company-not-active")
        role_obj = _role_for(company, role)
        team = _team_for(company, team_id)
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            user = User.objects.create_user(
                email=email, password=None, first_name=first_name.strip(), last_name=last_name.strip()
            )
        elif CompanyMember.objects.filter(user=user).exists():
            raise Conflict("this person already acts for a company", slug="already-in-company")
        member = CompanyMember.objects.create(
            company=company,
            user=user,
            role=role_obj,
            team=team,
            job_title=job_title.strip(),
            status=CompanyMember.Status.INVITED,
            invited_at=timezone.now(),
        )
        audit.record(actor=actor, action="company.user_invited", obj=member, data={"email": email, "role": role})
        emit("company.user_invited", {"member_id": member.pk, "base_url": base_url})
    return member


def activate_invited_member(payload: dict[str, Any]) -> None:
    """An invited user who chose a password (through the invitation link) starts acting for the company."""
    user = User.objects.filter(pk=payload["user_id"]).first()
    if user is not None and CompanyMember.objects.filter(user=user, status=CompanyMember.Status.INVITED).exists():
        accept_invitation(user=user)


def accept_invitation(*, user: Any) -> CompanyMember:
    with transaction.atomic(durable=True):
        member = CompanyMember.objects.select_for_update().filter(user_id=user.pk).first()
        if member is None or member.status != CompanyMember.Status.INVITED:
            raise NotFound("no open invitation")
        member.status = CompanyMember.Status.ACTIVE
        member.joined_at = timezone.now()
        member.save(update_fields=["status", "joined_at"])
        audit.record(actor=user, action="company.invitation_accepted", obj=member)
    return member


def _active_admins(company: Company) -> int:
    # Permissions are a JSON list; counting in Python keeps this portable across both databases.
    members = CompanyMember.objects.select_related("role").filter(company=company, status=CompanyMember.Status.ACTIVE)
    return sum(1 for member in members if perms.MANAGE_USERS in member.role.permissions)


def update_member(*, actor: Any, company_code: str, member_id: int, changes: dict[str, Any]) -> CompanyMember:
    allowed = {"role", "team_id", "job_title", "status"}
    unknown = set(changes) - allowed
    if unknown:
        raise InvalidInput("unknown fields", errors=[field_error(["body", f], "unknown") for f in sorted(unknown)])
    with transaction.atomic(durable=True):
        company = Company.objects.select_for_update().filter(code=company_code).first()
        if company is None:
            raise NotFound(f"no company '{company_code}'")
        if not getattr(actor, "is_staff", False):
            _member_with(actor, perms.MANAGE_USERS, company=company)
        member = CompanyMember.objects.select_related("role").filter(company=company, pk=member_id).first()
        if member is None:
            raise NotFound("no such company user")
        if "role" in changes:
            member.role = _role_for(company, changes["role"])
        if "team_id" in changes:
            member.team = _team_for(company, changes["team_id"])
        if "job_title" in changes:
            member.job_title = str(changes["job_title"]).strip()
        if "status" in changes:
            if changes["status"] not in (CompanyMember.Status.ACTIVE, CompanyMember.Status.DEACTIVATED):
                raise InvalidInput(
                    "status must be active or deactivated",
                    errors=[field_error(["body", "status"], "active or deactivated")],
                )
            member.status = changes["status"]
        member.save()
        if _active_admins(company) == 0:
            raise Conflict("a company needs at least one active user who can manage users", slug="last-admin")
        audit.record(actor=actor, action="company.user_updated", obj=member, data={"fields": sorted(changes)})
    return member


def save_team(
    *,
    actor: Any,
    company_code: str,
    name: str,
    parent_id: int | None = None,
    manager_member_id: int | None = None,
    cost_center: str = "",
    team_id: int | None = None,
) -> Team:
    with transaction.atomic(durable=True):
        company = Company.objects.filter(code=company_code).first()
        if company is None:
            raise NotFound(f"no company '{company_code}'")
        if not getattr(actor, "is_staff", False):
            _member_with(actor, perms.MANAGE_USERS, company=company)
        team = Team(company=company) if team_id is None else Team.objects.filter(company=company, pk=team_id).first()
        if team is None:
            raise NotFound("no such team")
        parent = _team_for(company, parent_id)
        ancestor = parent
        while ancestor is not None:
            if team.pk is not None and ancestor.pk == team.pk:
                raise InvalidInput(
                    "a team cannot sit under itself", errors=[field_error(["body", "parent_id"], "would make a cycle")]
                )
            ancestor = ancestor.parent
        manager = None
        if manager_member_id is not None:
            manager = CompanyMember.objects.filter(company=company, pk=manager_member_id).first()
            if manager is None:
                raise InvalidInput(
                    "the manager must be a user of this company",
                    errors=[field_error(["body", "manager_member_id"], "unknown company user")],
                )
        team.name, team.parent, team.manager, team.cost_center = name.strip(), parent, manager, cost_center.strip()
        try:
            with transaction.atomic():
                team.save()
        except IntegrityError as exc:
            raise Conflict(f"a team '{name}' exists already") from exc
        audit.record(actor=actor, action="company.team_saved", obj=team)
    return team


def create_budget(
    *,
    actor: Any,
    company_code: str,
    name: str,
    currency: str,
    amount: Decimal,
    starts_on: date,
    ends_on: date,
    team_id: int | None = None,
    cost_center: str = "",
) -> Budget:
    if currency not in known_currencies():
        raise InvalidInput("unknown currency", errors=[field_error(["body", "currency"], "not ISO 4217")])
    if amount < 0:
        raise InvalidInput("a budget cannot be negative", errors=[field_error(["body", "amount"], "must be >= 0")])
    if ends_on < starts_on:
        raise InvalidInput(
            "the period ends before it starts", errors=[field_error(["body", "ends_on"], "before start")]
        )
    with transaction.atomic(durable=True):
        company = Company.objects.filter(code=company_code).first()
        if company is None:
            raise NotFound(f"no company '{company_code}'")
        if not getattr(actor, "is_staff", False):
            _member_with(actor, perms.MANAGE_USERS, company=company)
        budget = Budget.objects.create(
            company=company,
            team=_team_for(company, team_id),
            cost_center=cost_center,
            name=name.strip(),
            currency=currency,
            amount=amount,
            starts_on=starts_on,
            ends_on=ends_on,
        )
        audit.record(actor=actor, action="company.budget_created", obj=budget)
    return budget


def consume_budget(*, budget_id: int, amount: Decimal, reference: str) -> Budget:
    """Book an approved order against a budget (once per reference). Budgets may be overspent
    (an approval rule decides whether that is allowed); the consumption is always recorded."""
    with transaction.atomic(durable=True):
        budget = Budget.objects.select_for_update().filter(pk=budget_id).first()
        if budget is None:
            raise NotFound("no such budget")
        try:
            with transaction.atomic():
                BudgetEntry.objects.create(budget=budget, amount=amount, reference=reference)
        except IntegrityError:
            return budget
        Budget.objects.filter(pk=budget.pk).update(consumed=F("consumed") + amount)
        budget.refresh_from_db()
        audit.record(
            actor=None,
            action="company.budget_consumed",
            obj=budget,
            data={"amount": str(amount), "reference": reference},
        )
    return budget


def set_credit_terms(
    *,
    actor: Any,
    company_code: str,
    credit_limit: Decimal | None = None,
    payment_terms_days: int | None = None,
    on_hold: bool | None = None,
    currency: str | None = None,
) -> CompanyCredit:
    with transaction.atomic(durable=True):
        credit = CompanyCredit.objects.select_for_update().filter(company__code=company_code).first()
        if credit is None:
            raise NotFound(f"no company '{company_code}'")
        if credit_limit is not None:
            if credit_limit < 0:
                raise InvalidInput(
                    "the limit cannot be negative", errors=[field_error(["body", "credit_limit"], "must be >= 0")]
                )
            if credit_limit < credit.balance:
                raise Conflict("the limit cannot go below what the company owes now", slug="limit-below-balance")
            credit.credit_limit = credit_limit
        if payment_terms_days is not None:
            credit.payment_terms_days = payment_terms_days
        if on_hold is not None:
            credit.on_hold = on_hold
        if currency is not None:
            if credit.transactions.exists() and currency != credit.currency:
                raise Conflict("the currency cannot change once the account has transactions")
            credit.currency = currency
        credit.save()
        audit.record(
            actor=actor,
            action="company.credit_terms_set",
            obj=credit.company,
            data={
                "credit_limit": str(credit.credit_limit),
                "payment_terms_days": credit.payment_terms_days,
                "on_hold": credit.on_hold,
            },
        )
    return credit


def ensure_can_order(company: Company) -> None:
    if company.status != Company.Status.ACTIVE:
        raise OrderingBlocked("the company is not active")
    if company.block_ordering_when_overdue and company.has_overdue_invoices:
        raise OrderingBlocked("ordering is blocked until overdue invoices are paid")


def charge_on_account(*, company_code: str, amount: Decimal, reference: str) -> CreditTransaction:
    """Take credit for an order paid on account. Must run inside the order's transaction.

    A conditional UPDATE checks and raises the balance in one statement, so concurrent orders
    can never push the balance past the limit, on SQLite and PostgreSQL alike."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("charge_on_account must run inside the order's transaction")
    if amount <= 0:
        raise InvalidInput("the amount must be positive", errors=[field_error(["body", "amount"], "must be > 0")])
    credit = CompanyCredit.objects.select_related("company").filter(company__code=company_code).first()
    if credit is None:
        raise NotFound(f"no company '{company_code}'")
    ensure_can_order(credit.company)
    existing = CreditTransaction.objects.filter(
        credit=credit, kind=CreditTransaction.Kind.CHARGE, reference=reference
    ).first()
    if existing is not None:
        return existing
    taken = CompanyCredit.objects.filter(pk=credit.pk, on_hold=False, balance__lte=F("credit_limit") - amount).update(
        balance=F("balance") + amount
    )
    if not taken:
        credit.refresh_from_db()
        if credit.on_hold:
            raise CreditLimitExceeded("the company's credit is on hold", slug="credit-on-hold")
        raise CreditLimitExceeded(
            f"this order needs {amount} {credit.currency} of credit; {credit.available} {credit.currency} is available"
        )
    entry = CreditTransaction.objects.create(
        credit=credit, kind=CreditTransaction.Kind.CHARGE, amount=amount, reference=reference
    )
    audit.record(
        actor=None,
        action="company.credit_charged",
        obj=credit.company,
        data={"amount": str(amount), "reference": reference},
    )
    return entry


def _give_back(*, company_code: str, amount: Decimal, reference: str, kind: str, note: str = "") -> CreditTransaction:
    if amount <= 0:
        raise InvalidInput("the amount must be positive", errors=[field_error(["body", "amount"], "must be > 0")])
    with transaction.atomic(durable=True):
        credit = CompanyCredit.objects.select_for_update().filter(company__code=company_code).first()
        if credit is None:
            raise NotFound(f"no company '{company_code}'")
        existing = CreditTransaction.objects.filter(credit=credit, kind=kind, reference=reference).first()
        if existing is not None:
            return existing
        CompanyCredit.objects.filter(pk=credit.pk).update(balance=F("balance") - amount)
        entry = CreditTransaction.objects.create(
            credit=credit, kind=kind, amount=-amount, reference=reference, note=note
        )
        audit.record(
            actor=None,
            action=f"company.credit_{kind}",
            obj=credit.company,
            data={"amount": str(amount), "reference": reference},
        )
    return entry


def record_payment(*, company_code: str, amount: Decimal, reference: str, note: str = "") -> CreditTransaction:
    return _give_back(
        company_code=company_code, amount=amount, reference=reference, kind=CreditTransaction.Kind.PAYMENT, note=note
    )


def apply_credit_memo(*, company_code: str, amount: Decimal, reference: str) -> CreditTransaction:
    return _give_back(
        company_code=company_code, amount=amount, reference=reference, kind=CreditTransaction.Kind.CREDIT_MEMO
    )


def release_charge(*, company_code: str, reference: str) -> CreditTransaction | None:
    """Give back the credit of a cancelled order (nothing if it was never charged)."""
    charge = CreditTransaction.objects.filter(
        credit__company__code=company_code, kind=CreditTransaction.Kind.CHARGE, reference=reference
    ).first()
    if charge is None:
        return None
    return _give_back(
        company_code=company_code, amount=charge.amount, reference=reference, kind=CreditTransaction.Kind.RELEASE
    )


def set_overdue_status(*, company_id: int, overdue: bool) -> None:
    with transaction.atomic(durable=True):
        Company.objects.filter(pk=company_id).update(has_overdue_invoices=overdue)


def on_order_cancelled(payload: dict[str, Any]) -> None:
    """A cancelled order paid on account gives its credit back."""
    if payload.get("payment_method") != "on_account" or not payload.get("company_id"):
        return
    company = Company.objects.filter(pk=payload["company_id"]).first()
    if company is not None:
        release_charge(company_code=company.code, reference=payload["number"])
