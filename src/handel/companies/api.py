"""Companies API: self-service sign-up, the company's own users, roles, teams, budgets and credit
(for its members, by role), and approval and credit terms for staff."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from handel.companies import permissions as perms
from handel.companies import queries, services
from handel.companies.models import Budget, Company, CompanyMember, Role, Team
from handel.companies.schemas import (
    BudgetIn,
    BudgetOut,
    BudgetPage,
    CompanyAddressIn,
    CompanyAddressOut,
    CompanyAssortmentIn,
    CompanyOut,
    CompanyPage,
    CompanyPatch,
    CreditOut,
    CreditTermsIn,
    InviteIn,
    MemberOut,
    MemberPage,
    MemberPatch,
    RegisterCompanyIn,
    RoleIn,
    RoleOut,
    RolePage,
    TeamIn,
    TeamOut,
    TeamPage,
)
from handel.core.api import AUTH, require_scope, require_staff, require_user
from handel.core.errors import NotFound, PermissionDenied
from handel.core.pagination import paginate

router = Router(tags=["companies"])


def _my_company(request: HttpRequest, permission: str | None = None) -> tuple[Any, Company]:
    """The caller's company; with a permission, the caller's role must carry it."""
    user = require_user(request)
    require_scope(request, "account")
    member = CompanyMember.objects.select_related("company", "role").filter(user=user).first()
    if member is None or member.status != CompanyMember.Status.ACTIVE:
        raise NotFound("you do not act for a company")
    if permission is not None and permission not in member.role.permissions:
        raise PermissionDenied(f"your role does not allow: {perms.ALL[permission]}")
    return user, member.company


def _role_out(role: Role) -> dict[str, Any]:
    return {"code": role.code, "name": role.name, "permissions": role.permissions, "built_in": role.company_id is None}


@router.post("/companies", response={201: CompanyOut}, operation_id="register_company", auth=AUTH)
def register_company(request: HttpRequest, payload: RegisterCompanyIn) -> Status[Company]:
    """Sign up a company; it waits for staff approval, and the caller becomes its admin."""
    user = require_user(request)
    require_scope(request, "account")
    data = payload.dict()
    company = services.register_company(
        user=user,
        legal_name=data["legal_name"],
        country=data["country"],
        vat_number=data["vat_number"],
        registration_number=data["registration_number"],
        phone=data["phone"],
        billing_address=data["billing_address"],
        shipping_address=data["shipping_address"],
    )
    return Status(201, company)


@router.get("/companies/mine", response=CompanyOut, operation_id="get_company", auth=AUTH)
def get_company(request: HttpRequest) -> Company:
    return _my_company(request)[1]


@router.patch("/companies/mine", response=CompanyOut, operation_id="update_company", auth=AUTH)
def update_company(request: HttpRequest, payload: CompanyPatch) -> Company:
    user, company = _my_company(request, perms.MANAGE_COMPANY)
    return services.update_company(actor=user, code=company.code, changes=payload.dict(exclude_unset=True))


@router.get(
    "/companies/mine/addresses", response=list[CompanyAddressOut], operation_id="list_company_addresses", auth=AUTH
)
def list_company_addresses(request: HttpRequest) -> Any:
    return list(_my_company(request)[1].addresses.all())


@router.post(
    "/companies/mine/addresses/{kind}",
    response={201: CompanyAddressOut},
    operation_id="create_company_address",
    auth=AUTH,
)
def create_company_address(request: HttpRequest, kind: str, payload: CompanyAddressIn) -> Status[Any]:
    user, company = _my_company(request)
    return Status(201, services.save_company_address(actor=user, code=company.code, kind=kind, data=payload.dict()))


@router.get("/companies/mine/users", response=MemberPage, operation_id="list_company_users", auth=AUTH)
def list_company_users(request: HttpRequest, page: int = 1, page_size: int = 20) -> dict[str, Any]:
    _, company = _my_company(request, perms.MANAGE_USERS)
    return paginate(queries.members_of(company), page=page, page_size=page_size, order_by=["id"]).as_dict()


@router.post("/companies/mine/users", response={201: MemberOut}, operation_id="invite_company_user", auth=AUTH)
def invite_company_user(request: HttpRequest, payload: InviteIn) -> Status[CompanyMember]:
    user, company = _my_company(request, perms.MANAGE_USERS)
    member = services.invite_member(
        actor=user, company_code=company.code, base_url=request.build_absolute_uri("/"), **payload.dict()
    )
    return Status(201, member)


@router.patch("/companies/mine/users/{member_id}", response=MemberOut, operation_id="update_company_user", auth=AUTH)
def update_company_user(request: HttpRequest, member_id: int, payload: MemberPatch) -> CompanyMember:
    user, company = _my_company(request, perms.MANAGE_USERS)
    return services.update_member(
        actor=user, company_code=company.code, member_id=member_id, changes=payload.dict(exclude_unset=True)
    )


@router.get("/companies/mine/roles", response=RolePage, operation_id="list_roles", auth=AUTH)
def list_roles(request: HttpRequest, page: int = 1, page_size: int = 20) -> dict[str, Any]:
    _, company = _my_company(request)
    return paginate(queries.roles_for(company), page=page, page_size=page_size, order_by=["code"]).as_dict(_role_out)


@router.post("/companies/mine/roles", response={201: RoleOut}, operation_id="create_role", auth=AUTH)
def create_role(request: HttpRequest, payload: RoleIn) -> Status[dict[str, Any]]:
    user, company = _my_company(request, perms.MANAGE_USERS)
    return Status(201, _role_out(services.create_role(actor=user, company_code=company.code, **payload.dict())))


@router.get("/companies/mine/teams", response=TeamPage, operation_id="list_teams", auth=AUTH)
def list_teams(request: HttpRequest, page: int = 1, page_size: int = 20) -> dict[str, Any]:
    _, company = _my_company(request)
    return paginate(Team.objects.filter(company=company), page=page, page_size=page_size, order_by=["name"]).as_dict()


@router.post("/companies/mine/teams", response={201: TeamOut}, operation_id="create_team", auth=AUTH)
def create_team(request: HttpRequest, payload: TeamIn) -> Status[Team]:
    user, company = _my_company(request, perms.MANAGE_USERS)
    return Status(201, services.save_team(actor=user, company_code=company.code, **payload.dict()))


@router.get("/companies/mine/budgets", response=BudgetPage, operation_id="list_budgets", auth=AUTH)
def list_budgets(request: HttpRequest, page: int = 1, page_size: int = 20) -> dict[str, Any]:
    _, company = _my_company(request, perms.SEE_INVOICES_AND_STATEMENTS)
    return paginate(Budget.objects.filter(company=company), page=page, page_size=page_size).as_dict()


@router.post("/companies/mine/budgets", response={201: BudgetOut}, operation_id="create_budget", auth=AUTH)
def create_budget(request: HttpRequest, payload: BudgetIn) -> Status[Budget]:
    user, company = _my_company(request, perms.MANAGE_USERS)
    return Status(201, services.create_budget(actor=user, company_code=company.code, **payload.dict()))


@router.get("/companies/mine/credit", response=CreditOut, operation_id="get_company_credit", auth=AUTH)
def get_company_credit(request: HttpRequest) -> Any:
    _, company = _my_company(request, perms.USE_PAY_ON_ACCOUNT)
    return queries.credit_of(company)


@router.get("/companies", response=CompanyPage, operation_id="list_companies", auth=AUTH)
def list_companies(
    request: HttpRequest, status: str = "", q: str = "", page: int = 1, page_size: int = 20
) -> dict[str, Any]:
    require_staff(request, "companies.view_company", scope="customers:read")
    companies = Company.objects.select_related("customer_group", "sales_representative")
    if status:
        companies = companies.filter(status=status)
    if q:
        companies = companies.filter(legal_name__icontains=q)
    return paginate(companies, page=page, page_size=page_size, order_by=["legal_name"]).as_dict()


@router.post("/companies/{code}/approve", response=CompanyOut, operation_id="approve_company", auth=AUTH)
def approve_company(request: HttpRequest, code: str) -> Company:
    actor = require_staff(request, "companies.change_company", scope="customers:write")
    return services.approve_company(actor=actor, code=code)


@router.post("/companies/{code}/block", response=CompanyOut, operation_id="block_company", auth=AUTH)
def block_company(request: HttpRequest, code: str) -> Company:
    actor = require_staff(request, "companies.change_company", scope="customers:write")
    return services.block_company(actor=actor, code=code)


@router.put("/companies/{code}/assortment", response=CompanyOut, operation_id="set_company_assortment", auth=AUTH)
def set_company_assortment(request: HttpRequest, code: str, payload: CompanyAssortmentIn) -> Company:
    """Share a catalog with the company: its users see this assortment instead of their customer
    group's or the channel's default."""
    actor = require_staff(request, "companies.change_company", scope="customers:write")
    return services.update_company(actor=actor, code=code, changes={"assortment_code": payload.assortment_code})


@router.put("/companies/{code}/credit", response=CreditOut, operation_id="set_company_credit_terms", auth=AUTH)
def set_company_credit_terms(request: HttpRequest, code: str, payload: CreditTermsIn) -> Any:
    actor = require_staff(request, "companies.change_companycredit", scope="customers:write")
    return services.set_credit_terms(actor=actor, company_code=code, **payload.dict(exclude_unset=True))
