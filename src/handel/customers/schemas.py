from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from ninja import Schema
from pydantic import ConfigDict, Field, field_validator

from handel.customers.segments import rules_of


class SignUpIn(Schema):
    email: str = Field(max_length=254)
    password: str = Field(min_length=1, max_length=4096)
    first_name: str = Field("", max_length=150)
    last_name: str = Field("", max_length=150)
    language: str = Field("en", max_length=10)
    marketing_opt_in: bool = False


class LoginIn(Schema):
    email: str = Field(max_length=254)
    password: str = Field(max_length=4096)


class ProfileOut(Schema):
    id: UUID = Field(validation_alias="public_id")
    email: str
    first_name: str
    last_name: str
    phone: str
    language: str
    marketing_opt_in: bool
    customer_group: str | None = Field(None, validation_alias="customer_group.code")
    is_staff: bool
    date_joined: datetime


class ProfilePatch(Schema):
    first_name: str | None = Field(None, max_length=150)
    last_name: str | None = Field(None, max_length=150)
    phone: str | None = Field(None, max_length=32)
    language: str | None = Field(None, max_length=10)
    marketing_opt_in: bool | None = None


class PasswordChangeIn(Schema):
    old_password: str = Field(max_length=4096)
    new_password: str = Field(min_length=1, max_length=4096)


class PasswordResetIn(Schema):
    email: str = Field(max_length=254)


class PasswordResetConfirmIn(Schema):
    uid: str = Field(max_length=64)
    token: str = Field(max_length=128)
    new_password: str = Field(min_length=1, max_length=4096)


class AddressIn(Schema):
    label: str = Field("", max_length=50)
    first_name: str = Field(max_length=150)
    last_name: str = Field(max_length=150)
    company_name: str = Field("", max_length=200)
    street: str = Field(max_length=200)
    street2: str = Field("", max_length=200)
    postal_code: str = Field(max_length=20)
    city: str = Field(max_length=100)
    region: str = Field("", max_length=100)
    country: str = Field(max_length=2)
    phone: str = Field("", max_length=32)
    is_default_shipping: bool = False
    is_default_billing: bool = False


class AddressPatch(Schema):
    label: str | None = Field(None, max_length=50)
    first_name: str | None = Field(None, max_length=150)
    last_name: str | None = Field(None, max_length=150)
    company_name: str | None = Field(None, max_length=200)
    street: str | None = Field(None, max_length=200)
    street2: str | None = Field(None, max_length=200)
    postal_code: str | None = Field(None, max_length=20)
    city: str | None = Field(None, max_length=100)
    region: str | None = Field(None, max_length=100)
    country: str | None = Field(None, max_length=2)
    phone: str | None = Field(None, max_length=32)
    is_default_shipping: bool | None = None
    is_default_billing: bool | None = None


class AddressOut(AddressIn):
    id: int


class AddressPage(Schema):
    items: list[AddressOut]
    meta: dict[str, int]


class DeleteAccountIn(Schema):
    password: str = Field(max_length=4096)


class CustomerOut(Schema):
    id: int
    email: str
    first_name: str
    last_name: str
    is_active: bool
    is_staff: bool
    customer_group: str | None = Field(None, validation_alias="customer_group.code")
    date_joined: datetime


class CustomerPage(Schema):
    items: list[CustomerOut]
    meta: dict[str, int]


class CustomerGroupIn(Schema):
    code: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,49}$")
    name: str = Field(min_length=1, max_length=100)
    description: str = ""
    tax_class: str = Field("standard", max_length=50)


class CustomerGroupOut(Schema):
    code: str
    name: str
    description: str
    tax_class: str


class CustomerGroupPage(Schema):
    items: list[CustomerGroupOut]
    meta: dict[str, int]


class AssignGroupIn(Schema):
    group: str | None = None


# Ids are 64-bit in the database; a larger number is refused here, before SQLite's driver overflows.
CUSTOMER_ID_MAX = 2**63 - 1
# A misspelt field or condition would otherwise be dropped without a word, and the segment saved
# with other members than the staff member meant: unknown fields are refused.
STRICT = ConfigDict(extra="forbid")


def rules_object(value: Any) -> Any:
    """`rules` must be a JSON object: a string, number or list would otherwise be read by
    attribute (ninja's schemas read objects' attributes) as an object without conditions."""
    if value is not None and not isinstance(value, dict | SegmentRules):
        raise ValueError('an object of conditions, e.g. {"min_orders": 3}')
    return value


class SegmentRules(Schema):
    """Conditions of a rule segment, combined with AND; a condition left out (or null) is not set."""

    model_config = STRICT

    customer_groups: list[str] | None = Field(None, max_length=100, description="any of these customer groups")
    countries: list[str] | None = Field(
        None, max_length=300, description="country of the default shipping address, any of these"
    )
    signed_up_within_days: int | None = None
    signed_up_before_days: int | None = Field(None, description="signed up more than this many days ago")
    marketing_opt_in: bool | None = None
    min_orders: int | None = None
    min_total_spent: Decimal | None = Field(None, description="in the channel currency, cancelled orders left out")
    last_order_within_days: int | None = None
    last_order_before_days: int | None = Field(None, description="lapsed: ordered before, but not in this many days")


class SegmentIn(Schema):
    model_config = STRICT

    code: str = Field(max_length=50, description="lower-case letters, digits and -; what promotions name")
    name: str = Field(max_length=100)
    description: str = Field("", max_length=2000)
    kind: str = Field("rule", description="rule (members follow the rules) or manual (staff add them)")
    is_active: bool = True
    rules: SegmentRules | None = None

    _rules_object = field_validator("rules", mode="before")(rules_object)


class SegmentPatch(Schema):
    model_config = STRICT

    name: str | None = Field(None, max_length=100)
    description: str | None = Field(None, max_length=2000)
    kind: str | None = Field(None, description="cannot change: given, it must be the segment's kind")
    is_active: bool | None = None
    rules: SegmentRules | None = Field(None, description="merged: a condition given as null is removed")

    _rules_object = field_validator("rules", mode="before")(rules_object)


class SegmentOut(Schema):
    code: str
    name: str
    description: str
    kind: str
    is_active: bool
    rules: dict[str, Any]
    member_count: int
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_rules(obj: Any) -> dict[str, Any]:
        return rules_of(obj)

    @staticmethod
    def resolve_member_count(obj: Any) -> int:
        return int(getattr(obj, "member_count", 0) or 0)


class SegmentPage(Schema):
    items: list[SegmentOut]
    meta: dict[str, int]


class SegmentMembersIn(Schema):
    customer_ids: list[Annotated[int, Field(ge=1, le=CUSTOMER_ID_MAX)]] = Field(default_factory=list, max_length=1000)
    emails: list[str] = Field(default_factory=list, max_length=1000)


class SegmentMembersChanged(Schema):
    changed: int = Field(description="customers added or removed by this call")
    member_count: int


class SegmentMemberOut(Schema):
    customer_id: int
    email: str = Field(validation_alias="customer.email")
    name: str
    source: str
    added_at: datetime

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return f"{obj.customer.first_name} {obj.customer.last_name}".strip()


class SegmentMemberPage(Schema):
    items: list[SegmentMemberOut]
    meta: dict[str, int]
