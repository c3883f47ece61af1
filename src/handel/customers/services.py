"""Write use cases for customers: sign-up, profile, passwords, addresses, data export, erasure."""

from __future__ import annotations

import re
import uuid
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from handel.core import audit
from handel.core.countries import clean_country, clean_phone
from handel.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied, field_error
from handel.core.events import emit
from handel.customers.models import Address, CustomerGroup, User
from handel.customers.queries import NO_SUCH_CUSTOMER, why_not_act_as

# The segment use cases live in the handel/customers/segments package; services is their public entry.
from handel.customers.segments import MAX_MEMBERS_PER_CALL as MAX_MEMBERS_PER_CALL
from handel.customers.segments import MembershipChange as MembershipChange
from handel.customers.segments import add_segment_members as add_segment_members
from handel.customers.segments import create_segment as create_segment
from handel.customers.segments import delete_segment as delete_segment
from handel.customers.segments import forget_memberships as forget_memberships
from handel.customers.segments import on_order_cancelled as on_order_cancelled
from handel.customers.segments import on_order_edited as on_order_edited
from handel.customers.segments import on_order_placed as on_order_placed
from handel.customers.segments import recompute_customer_segments as recompute_customer_segments
from handel.customers.segments import recompute_memberships as recompute_memberships
from handel.customers.segments import recompute_segment as recompute_segment
from handel.customers.segments import record_order_history as record_order_history
from handel.customers.segments import refresh_segments as refresh_segments
from handel.customers.segments import remove_segment_members as remove_segment_members
from handel.customers.segments import update_segment as update_segment
from handel.customers.segments import validate_segment as validate_segment

POSTAL_CODE_PATTERNS = {
    "NL": r"^[1-9][0-9]{3} ?[A-Z]{2}$",
    "BE": r"^[1-9][0-9]{3}$",
    "DE": r"^[0-9]{5}$",
    "FR": r"^[0-9]{5}$",
    "AT": r"^[0-9]{4}$",
    "LU": r"^[0-9]{4}$",
    "US": r"^[0-9]{5}(-[0-9]{4})?$",
    "GB": r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$",
}
ADDRESS_FIELDS = (
    "label",
    "first_name",
    "last_name",
    "company_name",
    "street",
    "street2",
    "postal_code",
    "city",
    "region",
    "country",
    "phone",
    "is_default_shipping",
    "is_default_billing",
)
REQUIRED_ADDRESS_FIELDS = ("first_name", "last_name", "street", "postal_code", "city", "country")


def clean_email(email: str) -> str:
    value = (email or "").strip().lower()
    try:
        validate_email(value)
    except DjangoValidationError as exc:
        raise InvalidInput(
            "not a valid email address", errors=[field_error(["body", "email"], "not a valid email address")]
        ) from exc
    return value


def _check_password(password: str, user: User | None = None, field: str = "password") -> None:
    try:
        password_validation.validate_password(password, user)
    except DjangoValidationError as exc:
        raise InvalidInput(
            "the password is too weak", errors=[field_error(["body", field], message) for message in exc.messages]
        ) from exc


def sign_up(
    *,
    email: str,
    password: str,
    first_name: str = "",
    last_name: str = "",
    language: str = "en",
    marketing_opt_in: bool = False,
) -> User:
    email = clean_email(email)
    if language not in {code for code, _ in settings.LANGUAGES}:
        raise InvalidInput("unsupported language", errors=[field_error(["body", "language"], "en or nl")])
    candidate = User(email=email, first_name=first_name.strip(), last_name=last_name.strip())
    _check_password(password, candidate)
    with transaction.atomic(durable=True):
        if User.objects.filter(email__iexact=email).exists():
            raise Conflict("an account with this email address exists already", slug="email-taken")
        user = User.objects.create_user(
            email=email,
            password=password,
            first_name=candidate.first_name,
            last_name=candidate.last_name,
            language=language,
            marketing_opt_in=marketing_opt_in,
        )
        audit.record(actor=user, action="customer.signed_up", obj=user)
        recompute_memberships([user.pk])
        emit("customer.signed_up", {"user_id": user.pk})
    return user


def update_profile(*, user: User, changes: dict[str, Any]) -> User:
    allowed = {"first_name", "last_name", "phone", "language", "marketing_opt_in"}
    unknown = set(changes) - allowed
    if unknown:
        raise InvalidInput(
            "these fields cannot be changed here",
            errors=[field_error(["body", name], "not changeable") for name in sorted(unknown)],
        )
    data = dict(changes)
    if "phone" in data:
        data["phone"] = clean_phone(data["phone"])
    if "language" in data and data["language"] not in {code for code, _ in settings.LANGUAGES}:
        raise InvalidInput("unsupported language", errors=[field_error(["body", "language"], "en or nl")])
    with transaction.atomic(durable=True):
        # No key update: see record_order_history (a segment's recompute may insert their memberships).
        locked = User.objects.select_for_update(no_key=True).get(pk=user.pk)
        for field, value in data.items():
            setattr(locked, field, value.strip() if isinstance(value, str) else value)
        locked.save(update_fields=list(data) or None)
        if "marketing_opt_in" in data:
            recompute_memberships([locked.pk])
        audit.record(actor=user, action="customer.profile_updated", obj=locked, data={"fields": sorted(data)})
    return locked


def change_password(*, user: User, old_password: str, new_password: str) -> None:
    if not user.check_password(old_password):
        raise InvalidInput(
            "the current password is wrong", errors=[field_error(["body", "old_password"], "wrong password")]
        )
    _check_password(new_password, user, field="new_password")
    with transaction.atomic(durable=True):
        user.set_password(new_password)
        user.save(update_fields=["password"])
        audit.record(actor=user, action="customer.password_changed", obj=user)


def password_reset_link(user: User, base_url: str) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return f"{base_url.rstrip('/')}/account/reset/{uid}/{token}/"


def request_password_reset(*, email: str, base_url: str) -> None:
    """Mail a reset link if the account exists; say nothing either way (no account probing)."""
    user = User.objects.filter(email__iexact=(email or "").strip(), is_active=True).first()
    if user is None or not user.has_usable_password():
        return
    link = password_reset_link(user, base_url)
    send_mail(
        subject="Reset your Handel password",
        message=(
            f"Hello {user.get_short_name()},\n\nSomeone asked to reset the password of your account. "
            f"If it was you, open this link within three days:\n\n{link}\n\n"
            "If it was not you, ignore this message; your password stays as it is.\n"
        ),
        from_email=None,
        recipient_list=[user.email],
    )
    with transaction.atomic(durable=True):
        audit.record(actor=None, action="customer.password_reset_requested", obj=user)


def user_from_reset_token(uidb64: str, token: str) -> User | None:
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError):
        return None
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None or not default_token_generator.check_token(user, token):
        return None
    return user


def reset_password(*, uid: str, token: str, new_password: str) -> User:
    user = user_from_reset_token(uid, token)
    if user is None:
        raise InvalidInput(
            "this reset link is invalid or has expired",
            errors=[field_error(["body", "token"], "invalid or expired")],
            slug="reset-token-invalid",
        )
    _check_password(new_password, user, field="new_password")
    with transaction.atomic(durable=True):
        user.set_password(new_password)
        user.save(update_fields=["password"])
        audit.record(actor=user, action="customer.password_reset", obj=user)
        emit("customer.password_set", {"user_id": user.pk})
    return user


def _clean_address(data: dict[str, Any], *, partial: bool = False) -> dict[str, Any]:
    unknown = set(data) - set(ADDRESS_FIELDS)
    errors = [field_error(["body", name], "unknown field") for name in sorted(unknown)]
    cleaned = {
        key: (value.strip() if isinstance(value, str) else value)
        for key, value in data.items()
        if key in ADDRESS_FIELDS
    }
    if not partial:
        errors += [field_error(["body", name], "required") for name in REQUIRED_ADDRESS_FIELDS if not cleaned.get(name)]
    if cleaned.get("country"):
        try:
            cleaned["country"] = clean_country(cleaned["country"])
        except InvalidInput as exc:
            errors += exc.errors
    if cleaned.get("postal_code") is not None and cleaned.get("country") in POSTAL_CODE_PATTERNS:
        postal_code = cleaned["postal_code"].upper()
        if not re.match(POSTAL_CODE_PATTERNS[cleaned["country"]], postal_code):
            errors.append(field_error(["body", "postal_code"], f"not a valid postal code for {cleaned['country']}"))
        cleaned["postal_code"] = postal_code
    if cleaned.get("phone"):
        try:
            cleaned["phone"] = clean_phone(cleaned["phone"], country=cleaned.get("country"))
        except InvalidInput as exc:
            errors += exc.errors
    if errors:
        raise InvalidInput("the address is not valid", errors=errors)
    return cleaned


def validate_address(data: dict[str, Any]) -> dict[str, Any]:
    """Validate a free-standing address (e.g. a guest's at checkout); returns the cleaned fields."""
    return _clean_address(data)


def _apply_defaults(address: Address) -> None:
    if address.is_default_shipping:
        Address.objects.filter(customer=address.customer, is_default_shipping=True).exclude(pk=address.pk).update(
            is_default_shipping=False
        )
    if address.is_default_billing:
        Address.objects.filter(customer=address.customer, is_default_billing=True).exclude(pk=address.pk).update(
            is_default_billing=False
        )


def add_address(*, user: User, data: dict[str, Any]) -> Address:
    cleaned = _clean_address(data)
    with transaction.atomic(durable=True):
        first = not Address.objects.filter(customer=user).exists()
        address = Address(customer=user, **cleaned)
        if first:
            address.is_default_shipping = address.is_default_billing = True
        address.save()
        _apply_defaults(address)
        recompute_memberships([user.pk])  # segments by country of the default shipping address
        audit.record(actor=user, action="address.created", obj=address)
    return address


def update_address(*, user: User, address_id: int, changes: dict[str, Any]) -> Address:
    with transaction.atomic(durable=True):
        address = Address.objects.select_for_update().filter(pk=address_id, customer=user).first()
        if address is None:
            raise NotFound("no such address")
        merged = {field: getattr(address, field) for field in ADDRESS_FIELDS}
        merged.update(changes)
        cleaned = _clean_address(merged)
        for field, value in cleaned.items():
            setattr(address, field, value)
        address.save()
        _apply_defaults(address)
        recompute_memberships([user.pk])
        audit.record(actor=user, action="address.updated", obj=address, data={"fields": sorted(changes)})
    return address


def delete_address(*, user: User, address_id: int) -> None:
    with transaction.atomic(durable=True):
        address = Address.objects.filter(pk=address_id, customer=user).first()
        if address is None:
            raise NotFound("no such address")
        audit.record(actor=user, action="address.deleted", obj=address)
        address.delete()
        recompute_memberships([user.pk])


def export_my_data(*, user: User) -> dict[str, Any]:
    """Everything Handel keeps about this person, as JSON-ready data."""
    from handel.customers.queries import personal_data

    with transaction.atomic(durable=True):
        audit.record(actor=user, action="customer.data_exported", obj=user)
    return personal_data(user)


def delete_account(*, user: User, password: str | None, actor: User | None = None) -> None:
    """Erase personal data; orders and invoices stay (legal retention) but point to an anonymous user."""
    acting_staff = actor is not None and actor.pk != user.pk and actor.is_staff
    if not acting_staff and (password is None or not user.check_password(password)):
        raise InvalidInput(
            "confirm with your current password", errors=[field_error(["body", "password"], "wrong password")]
        )
    with transaction.atomic(durable=True):
        locked = User.objects.select_for_update().get(pk=user.pk)
        locked.email = f"deleted-{uuid.uuid4().hex}@anonymised.invalid"
        locked.first_name = ""
        locked.last_name = ""
        locked.phone = ""
        locked.marketing_opt_in = False
        locked.is_active = False
        locked.anonymised_at = timezone.now()
        locked.set_unusable_password()
        locked.save()
        Address.objects.filter(customer=locked).delete()
        locked.api_tokens.all().delete()
        forget_memberships(locked.pk)
        audit.record(actor=actor or locked, action="customer.anonymised", obj=locked)
        emit("customer.anonymised", {"user_id": locked.pk})


def create_customer_group(
    *, actor: Any, code: str, name: str, description: str = "", tax_class: str = "standard"
) -> CustomerGroup:
    with transaction.atomic(durable=True):
        if CustomerGroup.objects.filter(code=code).exists():
            raise Conflict(f"a customer group '{code}' exists already")
        group = CustomerGroup.objects.create(code=code, name=name, description=description, tax_class=tax_class)
        audit.record(actor=actor, action="customer_group.created", obj=group)
    return group


def assign_customer_group(*, actor: Any, user_id: int, group_code: str | None) -> User:
    with transaction.atomic(durable=True):
        # No key update: see record_order_history (a segment's recompute may insert their memberships).
        user = User.objects.select_for_update(no_key=True).filter(pk=user_id).first()
        if user is None:
            raise NotFound("no such customer")
        group = None
        if group_code:
            group = CustomerGroup.objects.filter(code=group_code).first()
            if group is None:
                raise NotFound(f"no customer group '{group_code}'")
        user.customer_group = group
        user.save(update_fields=["customer_group"])
        recompute_memberships([user.pk])
        audit.record(actor=actor, action="customer.group_assigned", obj=user, data={"group": group_code})
    return user


def start_acting(*, staff: Any, customer_public_id: uuid.UUID | str) -> User:
    """Staff begin acting on a customer's behalf (the storefront then shows them the customer's
    view, marked as such). Refused for anyone but staff with the permission, and as staff."""
    try:
        customer = User.objects.filter(public_id=customer_public_id).first()
    except (ValueError, DjangoValidationError):
        customer = None
    reason = why_not_act_as(staff, customer)
    if reason == NO_SUCH_CUSTOMER:
        raise NotFound(reason)
    if reason or customer is None:
        raise PermissionDenied(reason)
    with transaction.atomic(durable=True):
        audit.record(actor=staff, action="customer.acting_started", obj=customer, data={"customer": customer.email})
    return customer


def stop_acting(*, staff: Any, customer: User) -> None:
    with transaction.atomic(durable=True):
        audit.record(actor=staff, action="customer.acting_stopped", obj=customer, data={"customer": customer.email})
