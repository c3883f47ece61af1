from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from ninja import Schema
from pydantic import Field


class CompanyAddressIn(Schema):
    company_name: str = Field(max_length=200)
    attention: str = Field("", max_length=150)
    label: str = Field("", max_length=50)
    street: str = Field(max_length=200)
    street2: str = Field("", max_length=200)
    postal_code: str = Field(max_length=20)
    city: str = Field(max_length=100)
    region: str = Field("", max_length=100)
    country: str = Field(max_length=2)
    is_default: bool = False


class CompanyAddressOut(CompanyAddressIn):
    id: int
    kind: str


class RegisterCompanyIn(Schema):
    legal_name: str = Field(min_length=1, max_length=200)
    country: str = Field(min_length=2, max_length=2)
    vat_number: str = Field("", max_length=30)
    registration_number: str = Field("", max_length=50)
    phone: str = Field("", max_length=32)
    billing_address: CompanyAddressIn
    shipping_address: CompanyAddressIn | None = None


class CompanyOut(Schema):
    code: str
    legal_name: str
    vat_number: str
    registration_number: str
    country: str
    email: str
    phone: str
    status: str
    addresses_locked: bool
    purchase_order_number: str
    block_ordering_when_overdue: bool
    has_overdue_invoices: bool
    customer_group: str | None = Field(None, validation_alias="customer_group.code")
    assortment_code: str = Field(description="the shared catalog its users see; empty: their customer group's")
    sales_representative: str | None = Field(None, validation_alias="sales_representative.email")
    created_at: datetime
    approved_at: datetime | None


class CompanyPage(Schema):
    items: list[CompanyOut]
    meta: dict[str, int]


class CompanyPatch(Schema):
    legal_name: str | None = Field(None, min_length=1, max_length=200)
    registration_number: str | None = Field(None, max_length=50)
    phone: str | None = Field(None, max_length=32)
    email: str | None = Field(None, max_length=254)
    purchase_order_number: str | None = None
    addresses_locked: bool | None = None
    block_ordering_when_overdue: bool | None = None


class CompanyAssortmentIn(Schema):
    assortment_code: str = Field(
        max_length=50, description="a catalog assortment's code; empty: the customer group's assortment applies"
    )


class RoleIn(Schema):
    code: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,49}$")
    name: str = Field(min_length=1, max_length=100)
    permissions: list[str]


class RoleOut(Schema):
    code: str
    name: str
    permissions: list[str]
    built_in: bool


class RolePage(Schema):
    items: list[RoleOut]
    meta: dict[str, int]


class MemberOut(Schema):
    id: int
    email: str = Field(validation_alias="user.email")
    first_name: str = Field(validation_alias="user.first_name")
    last_name: str = Field(validation_alias="user.last_name")
    role: str = Field(validation_alias="role.code")
    team_id: int | None
    job_title: str
    status: str


class MemberPage(Schema):
    items: list[MemberOut]
    meta: dict[str, int]


class InviteIn(Schema):
    email: str = Field(max_length=254)
    role: str = Field(max_length=50)
    first_name: str = Field("", max_length=150)
    last_name: str = Field("", max_length=150)
    team_id: int | None = None
    job_title: str = Field("", max_length=100)


class MemberPatch(Schema):
    role: str | None = Field(None, max_length=50)
    team_id: int | None = None
    job_title: str | None = Field(None, max_length=100)
    status: str | None = None


class TeamIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    parent_id: int | None = None
    manager_member_id: int | None = None
    cost_center: str = Field("", max_length=50)


class TeamOut(Schema):
    id: int
    name: str
    parent_id: int | None
    manager_id: int | None
    cost_center: str


class TeamPage(Schema):
    items: list[TeamOut]
    meta: dict[str, int]


class BudgetIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    currency: str = Field(min_length=3, max_length=3)
    amount: Decimal = Field(max_digits=14, decimal_places=2)
    starts_on: date
    ends_on: date
    team_id: int | None = None
    cost_center: str = Field("", max_length=50)


class BudgetOut(Schema):
    id: int
    name: str
    currency: str
    amount: Decimal
    consumed: Decimal
    remaining: Decimal
    starts_on: date
    ends_on: date
    team_id: int | None
    cost_center: str


class BudgetPage(Schema):
    items: list[BudgetOut]
    meta: dict[str, int]


class CreditOut(Schema):
    currency: str
    credit_limit: Decimal
    balance: Decimal
    available: Decimal
    payment_terms_days: int
    on_hold: bool


class CreditTermsIn(Schema):
    credit_limit: Decimal | None = Field(None, max_digits=14, decimal_places=2)
    payment_terms_days: int | None = Field(None, ge=0, le=365)
    on_hold: bool | None = None
    currency: str | None = Field(None, min_length=3, max_length=3)
