"""Storefront pages: home and the customer account (sign-up, login, profile, addresses, privacy)."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from handel.core import ratelimit
from handel.core.errors import DomainError, TooManyRequests
from handel.customers import queries as customer_queries
from handel.customers import services as customer_services
from handel.payments import queries as payment_queries
from handel.storefront import browse_views, checkout_views, compare_views
from handel.storefront import forms as storefront_forms


def add_domain_errors(form: forms.Form, exc: DomainError) -> None:
    """Show a service's refusal on the form: field errors where they belong, the rest on top."""
    placed = False
    for error in exc.errors:
        location = error.get("loc", [])
        field = location[-1] if location else None
        if isinstance(field, str) and field in form.fields:
            form.add_error(field, str(error.get("msg")))
            placed = True
    if not placed:
        form.add_error(None, exc.detail)


def home(request: HttpRequest) -> HttpResponse:
    """Top categories as the viewer sees them, the promotions running now and a search box."""
    viewer = browse_views.shop_viewer(request)
    return render(
        request,
        "storefront/home.html",
        {
            "categories": browse_views.top_categories(viewer),
            "promotions": browse_views.current_promotions(viewer),
        },
    )


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    form = storefront_forms.LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            ratelimit.hit("login", ratelimit.client_address(request), form.cleaned_data["email"])
        except TooManyRequests as exc:
            form.add_error(None, exc.detail)
            return render(request, "storefront/account/login.html", {"form": form}, status=429)
        user = authenticate(
            request, username=form.cleaned_data["email"].lower(), password=form.cleaned_data["password"]
        )
        if user is None:
            form.add_error(None, _("Email or password is wrong."))
        else:
            guest_compare_list = compare_views.guest_compare_list_id(request)
            login(request, user)
            compare_views.merge_compare_at_login(request, guest_compare_list, user)
            next_url = request.GET.get("next", "")
            response = redirect(next_url if next_url.startswith("/") and not next_url.startswith("//") else "account")
            checkout_views.merge_at_login(request, response)
            return response
    return render(request, "storefront/account/login.html", {"form": form})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("home")


@require_http_methods(["GET", "POST"])
def signup_view(request: HttpRequest) -> HttpResponse:
    form = storefront_forms.SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            ratelimit.hit("login", ratelimit.client_address(request))
            user = customer_services.sign_up(language=request.LANGUAGE_CODE or "en", **form.cleaned_data)
        except TooManyRequests as exc:
            form.add_error(None, exc.detail)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome! Your account is ready."))
            return redirect("account")
    return render(request, "storefront/account/signup.html", {"form": form})


@login_required
def account_view(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "storefront/account/overview.html",
        {
            "addresses": customer_queries.addresses_of(request.user),  # type: ignore[arg-type]
            "store_credit": [
                account for account in payment_queries.store_credit_accounts(request.user.pk) if account.balance
            ],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def profile_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    initial = {
        name: getattr(user, name) for name in ("first_name", "last_name", "phone", "language", "marketing_opt_in")
    }
    form = storefront_forms.ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            customer_services.update_profile(user=user, changes=form.cleaned_data)  # type: ignore[arg-type]
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("Your profile is saved."))
            return redirect("account")
    return render(request, "storefront/account/form.html", {"form": form, "title": _("Profile")})


@login_required
@require_http_methods(["GET", "POST"])
def password_change_view(request: HttpRequest) -> HttpResponse:
    form = storefront_forms.PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            customer_services.change_password(user=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            update_session_auth_hash(request, request.user)  # type: ignore[arg-type]
            messages.success(request, _("Your password is changed."))
            return redirect("account")
    return render(request, "storefront/account/form.html", {"form": form, "title": _("Change password")})


@require_http_methods(["GET", "POST"])
def password_reset_request_view(request: HttpRequest) -> HttpResponse:
    form = storefront_forms.PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            ratelimit.hit("password_reset", ratelimit.client_address(request), form.cleaned_data["email"])
        except TooManyRequests as exc:
            form.add_error(None, exc.detail)
        else:
            customer_services.request_password_reset(
                email=form.cleaned_data["email"], base_url=request.build_absolute_uri("/")
            )
            messages.info(request, _("If an account exists for this address, a reset link is on its way."))
            return redirect("login")
    return render(request, "storefront/account/form.html", {"form": form, "title": _("Forgot your password?")})


@require_http_methods(["GET", "POST"])
def password_reset_confirm_view(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    if customer_services.user_from_reset_token(uidb64, token) is None:
        return render(request, "storefront/account/reset_invalid.html", status=400)
    form = storefront_forms.PasswordResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            customer_services.reset_password(uid=uidb64, token=token, new_password=form.cleaned_data["new_password"])
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("Your password is changed. You can sign in now."))
            return redirect("login")
    return render(request, "storefront/account/form.html", {"form": form, "title": _("Choose a new password")})


@login_required
@require_http_methods(["GET", "POST"])
def address_view(request: HttpRequest, address_id: int | None = None) -> HttpResponse:
    user = request.user
    initial: dict[str, Any] = {}
    if address_id is not None:
        address = customer_queries.addresses_of(user).filter(pk=address_id).first()  # type: ignore[arg-type]
        if address is None:
            raise Http404("no such address")
        initial = {name: getattr(address, name) for name in storefront_forms.AddressForm.base_fields}
    form = storefront_forms.AddressForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if address_id is None:
                customer_services.add_address(user=user, data=form.cleaned_data)  # type: ignore[arg-type]
            else:
                customer_services.update_address(
                    user=user,
                    address_id=address_id,  # type: ignore[arg-type]
                    changes=form.cleaned_data,
                )
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("The address is saved."))
            return redirect("account")
    return render(request, "storefront/account/form.html", {"form": form, "title": _("Address")})


@login_required
@require_POST
def address_delete_view(request: HttpRequest, address_id: int) -> HttpResponse:
    customer_services.delete_address(user=request.user, address_id=address_id)  # type: ignore[arg-type]
    messages.success(request, _("The address is deleted."))
    return redirect("account")


@login_required
def export_view(request: HttpRequest) -> HttpResponse:
    data = customer_services.export_my_data(user=request.user)  # type: ignore[arg-type]
    response = HttpResponse(json.dumps(data, indent=2, default=str), content_type="application/json")
    response["Content-Disposition"] = 'attachment; filename="my-handel-data.json"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def delete_account_view(request: HttpRequest) -> HttpResponse:
    form = storefront_forms.DeleteAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            customer_services.delete_account(user=request.user, password=form.cleaned_data["password"])  # type: ignore[arg-type]
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            logout(request)
            messages.info(request, _("Your account is deleted."))
            return redirect("home")
    return render(request, "storefront/account/delete.html", {"form": form})
