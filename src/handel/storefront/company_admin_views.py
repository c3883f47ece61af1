"""B2B self-service: a signed-in customer registers their company (staff approve it); company
admins set up custom roles, teams, budgets and approval rules. The services check every
permission again; a refusal is shown on the page and changes nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from handel.companies import permissions as perms
from handel.companies import queries as company_queries
from handel.companies import services as company_services
from handel.core.errors import DomainError, InvalidInput, field_error
from handel.core.whole_numbers import whole_number
from handel.procurement import queries as procurement_queries
from handel.procurement import services as procurement_services
from handel.storefront.feedback import told

ADDRESS_FIELDS = ("company_name", "street", "postal_code", "city", "country")


def _admin(request: HttpRequest) -> Any:
    viewer = company_queries.viewer_for(request.user)
    if viewer is None or not viewer.can(perms.MANAGE_USERS):
        raise Http404("only company admins set up the company")
    return viewer


def _optional_int(raw: str | None) -> int | None:
    return whole_number(raw, digits=18)


def _decimal(raw: str | None, field: str) -> Decimal | None:
    if not raw:
        return None
    try:
        return Decimal(raw.replace(",", "."))
    except InvalidOperation:
        raise InvalidInput(f"{field}: not a number", errors=[field_error(["body", field], "not a number")]) from None


def _date(raw: str | None, field: str) -> date:
    try:
        return date.fromisoformat(raw or "")
    except ValueError:
        raise InvalidInput(f"{field}: not a date", errors=[field_error(["body", field], "YYYY-MM-DD")]) from None


def _saved(request: HttpRequest, message: str, action: Any) -> HttpResponse:
    told(request, action, message)
    return redirect("company_settings")


@login_required
@require_http_methods(["GET", "POST"])
def company_register(request: HttpRequest) -> HttpResponse:
    if company_queries.viewer_for(request.user) is not None:
        return redirect("company")
    values = {name: request.POST.get(name, "").strip() for name in ("legal_name", "vat_number", "registration_number")}
    address = {name: request.POST.get(name, "").strip() for name in ADDRESS_FIELDS}
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            company = company_services.register_company(
                user=request.user,
                country=address["country"],
                billing_address=address,
                **values,
            )
        except DomainError as exc:
            errors = {str(error.get("loc", [""])[-1]): str(error.get("msg")) for error in exc.errors}
            messages.error(request, exc.detail)
        else:
            messages.success(
                request,
                _("%(name)s is registered. We check the details and tell you when you can order.")
                % {"name": company.legal_name},
            )
            return redirect("company")
    return render(
        request,
        "storefront/company/register.html",
        {"values": values, "address": address, "errors": errors},
        status=422 if request.method == "POST" else 200,
    )


@login_required
def company_settings(request: HttpRequest) -> HttpResponse:
    viewer = _admin(request)
    company = company_queries.company_by_code(viewer.company_code)
    assert company is not None
    return render(
        request,
        "storefront/company/settings.html",
        {
            "company": company,
            "roles": company_queries.roles_for(company),
            "permissions": sorted(perms.ALL),
            "teams": company_queries.teams_of(company),
            "members": company_queries.members_of(company).select_related("user"),
            "budgets": company_queries.budgets_of(company),
            "rules": procurement_queries.approval_rules_of(company.pk),
            "rule_kinds": procurement_queries.RULE_KINDS,
            "approver_kinds": procurement_queries.APPROVER_KINDS,
        },
    )


@login_required
@require_POST
def role_create(request: HttpRequest) -> HttpResponse:
    viewer = _admin(request)
    return _saved(
        request,
        _("The role is created."),
        lambda: company_services.create_role(
            actor=request.user,
            company_code=viewer.company_code,
            code=request.POST.get("code", "").strip(),
            name=request.POST.get("name", "").strip(),
            permissions=request.POST.getlist("permissions"),
        ),
    )


@login_required
@require_POST
def team_create(request: HttpRequest) -> HttpResponse:
    viewer = _admin(request)
    return _saved(
        request,
        _("The team is saved."),
        lambda: company_services.save_team(
            actor=request.user,
            company_code=viewer.company_code,
            name=request.POST.get("name", "").strip(),
            parent_id=_optional_int(request.POST.get("parent")),
            manager_member_id=_optional_int(request.POST.get("manager")),
            cost_center=request.POST.get("cost_center", "").strip(),
        ),
    )


@login_required
@require_POST
def budget_create(request: HttpRequest) -> HttpResponse:
    viewer = _admin(request)

    def create() -> Any:
        amount = _decimal(request.POST.get("amount"), "amount")
        if amount is None:
            raise InvalidInput("amount: required", errors=[field_error(["body", "amount"], "required")])
        return company_services.create_budget(
            actor=request.user,
            company_code=viewer.company_code,
            name=request.POST.get("name", "").strip(),
            currency=request.POST.get("currency", "").strip().upper(),
            amount=amount,
            starts_on=_date(request.POST.get("starts_on"), "starts_on"),
            ends_on=_date(request.POST.get("ends_on"), "ends_on"),
            team_id=_optional_int(request.POST.get("team")),
        )

    return _saved(request, _("The budget is saved."), create)


@login_required
@require_POST
def approval_rule_create(request: HttpRequest) -> HttpResponse:
    viewer = _admin(request)
    return _saved(
        request,
        _("The approval rule is saved."),
        lambda: procurement_services.create_rule(
            actor=request.user,
            company_id=viewer.company_id,
            name=request.POST.get("name", "").strip(),
            kind=request.POST.get("kind", ""),
            threshold=_decimal(request.POST.get("threshold"), "threshold"),
            match=request.POST.get("match", "").strip(),
            applies_to_roles=[role for role in request.POST.getlist("applies_to_roles") if role],
            approver_kind=request.POST.get("approver_kind", ""),
            approver_role=request.POST.get("approver_role", "").strip(),
            approver_member_id=_optional_int(request.POST.get("approver_member")),
            level=_optional_int(request.POST.get("level")) or 1,
        ),
    )
