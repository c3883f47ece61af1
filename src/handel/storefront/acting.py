"""Staff acting on a customer's behalf in the storefront.

The staff member stays signed in with their own session; the session only remembers whom they act
as. On every storefront and API request the middleware checks that they still may, then puts the
customer in `request.user` (so every page, cart and order is the customer's, under the customer's
rules) and marks every audit record written meanwhile with the staff member. The back office
(/admin/) always sees the staff member. Stopping forgets the customer: the staff member is back in
their own session.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from handel.core import audit
from handel.core.errors import DomainError
from handel.customers import queries as customer_queries
from handel.customers import services as customer_services

SESSION_KEY = "handel_acting_as"


@dataclass(frozen=True)
class Acting:
    staff: Any
    customer: Any


def _acting(request: HttpRequest) -> Acting | None:
    """Whom the signed-in staff member acts as, if they still may (else the session forgets it)."""
    customer_id = request.session.get(SESSION_KEY)
    if customer_id is None:
        return None
    staff = request.user
    customer = get_user_model().objects.filter(pk=customer_id).first()
    if customer is None or customer_queries.why_not_act_as(staff, customer):
        del request.session[SESSION_KEY]
        return None
    return Acting(staff=staff, customer=customer)


class ActingMiddleware:
    """After AuthenticationMiddleware: while acting, the storefront and API see the customer."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(reverse("admin:index")):
            return self.get_response(request)
        acting = _acting(request)
        if acting is None:
            return self.get_response(request)
        request.acting = acting  # type: ignore[attr-defined]
        request.user = acting.customer

        async def customer() -> Any:
            return acting.customer

        request.auser = customer
        with audit.acting_on_behalf(acting.staff):
            return self.get_response(request)


@require_POST
def start_view(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """From the customer's page in the back office: browse the storefront as the customer."""
    try:
        customer = customer_services.start_acting(staff=request.user, customer_public_id=public_id)
    except DomainError as error:
        if error.status == 404:
            raise Http404(str(error)) from error
        raise PermissionDenied(str(error)) from error
    request.session.cycle_key()
    request.session[SESSION_KEY] = customer.pk
    messages.info(request, _("You are now acting as %(customer)s.") % {"customer": customer.email})
    return redirect("home")


@require_POST
def stop_view(request: HttpRequest) -> HttpResponse:
    """Back to the staff member's own session, on the customer's page in the back office."""
    acting: Acting | None = getattr(request, "acting", None)
    if acting is None:
        return redirect("home")
    customer_services.stop_acting(staff=acting.staff, customer=acting.customer)
    del request.session[SESSION_KEY]
    request.session.cycle_key()
    return redirect("admin:customers_user_change", acting.customer.pk)
