from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.http import HttpRequest
from django.middleware.csrf import get_token
from ninja import Router, Status
from ninja.decorators import decorate_view

from handel.core import ratelimit
from handel.core.api import AUTH, require_scope, require_staff, require_user
from handel.core.errors import NotAuthenticated, NotFound, PermissionDenied
from handel.core.idempotency import idempotent
from handel.core.pagination import paginate
from handel.customers import queries, services
from handel.customers.models import Address, CustomerGroup, Segment, User
from handel.customers.schemas import (
    AddressIn,
    AddressOut,
    AddressPage,
    AddressPatch,
    AssignGroupIn,
    CustomerGroupIn,
    CustomerGroupOut,
    CustomerGroupPage,
    CustomerOut,
    CustomerPage,
    DeleteAccountIn,
    LoginIn,
    PasswordChangeIn,
    PasswordResetConfirmIn,
    PasswordResetIn,
    ProfileOut,
    ProfilePatch,
    SegmentIn,
    SegmentMemberPage,
    SegmentMembersChanged,
    SegmentMembersIn,
    SegmentOut,
    SegmentPage,
    SegmentPatch,
    SignUpIn,
)

router = Router(tags=["customers"])


def _me(request: HttpRequest) -> User:
    user = require_user(request)
    require_scope(request, "account")
    return user  # type: ignore[no-any-return]


@router.post("/auth/signup", response={201: ProfileOut}, operation_id="sign_up", auth=None)
def sign_up(request: HttpRequest, payload: SignUpIn) -> Status[User]:
    ratelimit.hit("login", ratelimit.client_address(request))
    user = services.sign_up(**payload.dict())
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return Status(201, user)


@router.post("/auth/login", response=ProfileOut, operation_id="log_in", auth=None)
def log_in(request: HttpRequest, payload: LoginIn) -> User:
    """Start a browser session (rate limited). Send X-CSRFToken from the csrftoken cookie afterwards."""
    ratelimit.hit("login", ratelimit.client_address(request), payload.email)
    user = authenticate(request, username=payload.email.strip().lower(), password=payload.password)
    if user is None:
        raise NotAuthenticated("email or password is wrong")
    login(request, user)
    get_token(request)
    return user  # type: ignore[no-any-return]


@router.post("/auth/logout", response={204: None}, operation_id="log_out", auth=AUTH)
def log_out(request: HttpRequest) -> Status[None]:
    logout(request)
    return Status(204, None)


@router.post("/auth/password-reset", response={202: dict}, operation_id="request_password_reset", auth=None)
def request_password_reset(request: HttpRequest, payload: PasswordResetIn) -> Status[dict[str, str]]:
    ratelimit.hit("password_reset", ratelimit.client_address(request), payload.email)
    services.request_password_reset(email=payload.email, base_url=request.build_absolute_uri("/"))
    return Status(202, {"detail": "If an account exists for this address, a reset link is on its way."})


@router.post("/auth/password-reset/confirm", response={204: None}, operation_id="confirm_password_reset", auth=None)
def confirm_password_reset(request: HttpRequest, payload: PasswordResetConfirmIn) -> Status[None]:
    ratelimit.hit("password_reset", ratelimit.client_address(request))
    services.reset_password(uid=payload.uid, token=payload.token, new_password=payload.new_password)
    return Status(204, None)


@router.get("/me", response=ProfileOut, operation_id="get_profile", auth=AUTH)
def get_profile(request: HttpRequest) -> User:
    return _me(request)


@router.patch("/me", response=ProfileOut, operation_id="update_profile", auth=AUTH)
def update_profile(request: HttpRequest, payload: ProfilePatch) -> User:
    return services.update_profile(user=_me(request), changes=payload.dict(exclude_unset=True))


@router.post("/me/password", response={204: None}, operation_id="change_password", auth=AUTH)
def change_password(request: HttpRequest, payload: PasswordChangeIn) -> Status[None]:
    user = _me(request)
    services.change_password(user=user, old_password=payload.old_password, new_password=payload.new_password)
    if getattr(request, "api_token", None) is None:
        update_session_auth_hash(request, user)
    return Status(204, None)


@router.get("/me/export", response=dict, operation_id="export_my_data", auth=AUTH)
def export_my_data(request: HttpRequest) -> dict[str, Any]:
    return services.export_my_data(user=_me(request))


@router.post("/me/delete", response={204: None}, operation_id="delete_my_account", auth=AUTH)
def delete_my_account(request: HttpRequest, payload: DeleteAccountIn) -> Status[None]:
    user = _me(request)
    services.delete_account(user=user, password=payload.password)
    logout(request)
    return Status(204, None)


@router.get("/me/addresses", response=AddressPage, operation_id="list_addresses", auth=AUTH)
def list_addresses(request: HttpRequest, page: int = 1, page_size: int = 20) -> dict[str, Any]:
    return paginate(queries.addresses_of(_me(request)), page=page, page_size=page_size).as_dict()


@router.post("/me/addresses", response={201: AddressOut}, operation_id="create_address", auth=AUTH)
@decorate_view(idempotent("create_address"))
def create_address(request: HttpRequest, payload: AddressIn) -> Status[Address]:
    return Status(201, services.add_address(user=_me(request), data=payload.dict()))


@router.get("/me/addresses/{address_id}", response=AddressOut, operation_id="get_address", auth=AUTH)
def get_address(request: HttpRequest, address_id: int) -> Address:
    address = queries.addresses_of(_me(request)).filter(pk=address_id).first()
    if address is None:
        raise NotFound("no such address")
    return address


@router.patch("/me/addresses/{address_id}", response=AddressOut, operation_id="update_address", auth=AUTH)
def update_address(request: HttpRequest, address_id: int, payload: AddressPatch) -> Address:
    return services.update_address(user=_me(request), address_id=address_id, changes=payload.dict(exclude_unset=True))


@router.delete("/me/addresses/{address_id}", response={204: None}, operation_id="delete_address", auth=AUTH)
def delete_address(request: HttpRequest, address_id: int) -> Status[None]:
    services.delete_address(user=_me(request), address_id=address_id)
    return Status(204, None)


@router.get("/customers", response=CustomerPage, operation_id="list_customers", auth=AUTH)
def list_customers(request: HttpRequest, q: str = "", page: int = 1, page_size: int = 20) -> dict[str, Any]:
    require_staff(request, "customers.view_user", scope="customers:read")
    customers = User.objects.select_related("customer_group")
    if q:
        customers = customers.filter(email__icontains=q)
    return paginate(customers, page=page, page_size=page_size, order_by=["email"]).as_dict()


@router.get("/customers/{customer_id}", response=CustomerOut, operation_id="get_customer", auth=AUTH)
def get_customer(request: HttpRequest, customer_id: int) -> User:
    require_staff(request, "customers.view_user", scope="customers:read")
    customer = User.objects.select_related("customer_group").filter(pk=customer_id).first()
    if customer is None:
        raise NotFound("no such customer")
    return customer


@router.put("/customers/{customer_id}/group", response=CustomerOut, operation_id="assign_customer_group", auth=AUTH)
def assign_customer_group(request: HttpRequest, customer_id: int, payload: AssignGroupIn) -> User:
    actor = require_staff(request, "customers.change_user", scope="customers:write")
    return services.assign_customer_group(actor=actor, user_id=customer_id, group_code=payload.group)


@router.get("/customer-groups", response=CustomerGroupPage, operation_id="list_customer_groups", auth=AUTH)
def list_customer_groups(request: HttpRequest, page: int = 1, page_size: int = 20) -> dict[str, Any]:
    require_staff(request, "customers.view_customergroup", scope="customers:read")
    return paginate(CustomerGroup.objects.all(), page=page, page_size=page_size, order_by=["code"]).as_dict()


@router.post("/customer-groups", response={201: CustomerGroupOut}, operation_id="create_customer_group", auth=AUTH)
def create_customer_group(request: HttpRequest, payload: CustomerGroupIn) -> Status[CustomerGroup]:
    actor = require_staff(request, "customers.add_customergroup", scope="customers:write")
    return Status(201, services.create_customer_group(actor=actor, **payload.dict()))


# --- segments (staff) -------------------------------------------------------------------------


def _segment_or_404(code: str) -> Segment:
    segment = queries.segment(code)
    if segment is None:
        raise NotFound(f"no segment '{code}'")
    return segment


@router.get("/customer-segments", response=SegmentPage, operation_id="list_segments", auth=AUTH)
def list_segments(request: HttpRequest, page: int = 1, page_size: int = 20) -> dict[str, Any]:
    require_staff(request, "customers.view_segment", scope="customers:read")
    return paginate(queries.segments(), page=page, page_size=page_size, order_by=["code"]).as_dict()


@router.post("/customer-segments", response={201: SegmentOut}, operation_id="create_segment", auth=AUTH)
def create_segment(request: HttpRequest, payload: SegmentIn) -> Status[Segment]:
    """A rule segment's members are computed at once; a manual one starts empty."""
    actor = require_staff(request, "customers.add_segment", scope="customers:write")
    data = payload.dict()
    data["rules"] = payload.rules.dict(exclude_none=True) if payload.rules else {}
    segment = services.create_segment(actor=actor, **data)
    return Status(201, _segment_or_404(segment.code))


@router.get("/customer-segments/{code}", response=SegmentOut, operation_id="get_segment", auth=AUTH)
def get_segment(request: HttpRequest, code: str) -> Segment:
    require_staff(request, "customers.view_segment", scope="customers:read")
    return _segment_or_404(code)


@router.patch("/customer-segments/{code}", response=SegmentOut, operation_id="update_segment", auth=AUTH)
def update_segment(request: HttpRequest, code: str, payload: SegmentPatch) -> Segment:
    actor = require_staff(request, "customers.change_segment", scope="customers:write")
    changes = {key: value for key, value in payload.dict(exclude_unset=True).items() if value is not None}
    services.update_segment(actor=actor, code=code, changes=changes)
    return _segment_or_404(code)


@router.delete("/customer-segments/{code}", response={204: None}, operation_id="delete_segment", auth=AUTH)
def delete_segment(request: HttpRequest, code: str) -> Status[None]:
    actor = require_staff(request, "customers.delete_segment", scope="customers:write")
    services.delete_segment(actor=actor, code=code)
    return Status(204, None)


@router.get(
    "/customer-segments/{code}/members",
    response=SegmentMemberPage,
    operation_id="list_segment_members",
    auth=AUTH,
)
def list_segment_members(request: HttpRequest, code: str, page: int = 1, page_size: int = 20) -> dict[str, Any]:
    actor = require_staff(request, "customers.view_segment", scope="customers:read")
    if not actor.has_perm("customers.view_user"):  # the members are customers, with their email
        raise PermissionDenied("you lack the permission 'customers.view_user'")
    members = queries.segment_members(_segment_or_404(code))
    return paginate(members, page=page, page_size=page_size, order_by=["customer__email"]).as_dict()


def _change_members(
    request: HttpRequest, code: str, payload: SegmentMembersIn, change: Callable[..., int]
) -> dict[str, int]:
    """Adding and removing members differ only in the service they call."""
    actor = require_staff(request, "customers.change_segment", scope="customers:write")
    changed = change(actor=actor, code=code, customer_ids=payload.customer_ids, emails=payload.emails)
    return {"changed": changed, "member_count": _segment_or_404(code).member_count}  # type: ignore[attr-defined]


@router.post(
    "/customer-segments/{code}/members",
    response=SegmentMembersChanged,
    operation_id="add_segment_members",
    auth=AUTH,
)
def add_segment_members(request: HttpRequest, code: str, payload: SegmentMembersIn) -> dict[str, int]:
    """Put customers (by id or email) in a manual segment; all named must exist, or none is added."""
    return _change_members(request, code, payload, services.add_segment_members)


@router.post(
    "/customer-segments/{code}/members/remove",
    response=SegmentMembersChanged,
    operation_id="remove_segment_members",
    auth=AUTH,
)
def remove_segment_members(request: HttpRequest, code: str, payload: SegmentMembersIn) -> dict[str, int]:
    """Take customers (by id or email) out of a manual segment; those not in it are passed over."""
    return _change_members(request, code, payload, services.remove_segment_members)
