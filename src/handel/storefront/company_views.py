"""B2B account pages: the company, its users and roles, credit, and purchase orders to approve."""

from __future__ import annotations

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
from handel.core.errors import DomainError
from handel.procurement import approvals
from handel.procurement import queries as procurement_queries
from handel.procurement import services as procurement_services


def _viewer(request: HttpRequest) -> Any:
    viewer = company_queries.viewer_for(request.user)
    if viewer is None:
        raise Http404("you do not act for a company")
    return viewer


@login_required
@require_http_methods(["GET", "POST"])
def company_overview(request: HttpRequest) -> HttpResponse:
    viewer = _viewer(request)
    company = company_queries.company_by_code(viewer.company_code)
    if request.method == "POST":
        if not viewer.can(perms.MANAGE_USERS):
            raise Http404("your role does not manage users")
        try:
            company_services.invite_member(
                actor=request.user,
                company_code=viewer.company_code,
                email=request.POST.get("email", ""),
                role=request.POST.get("role", ""),
                first_name=request.POST.get("first_name", ""),
                last_name=request.POST.get("last_name", ""),
                base_url=request.build_absolute_uri("/"),
            )
        except DomainError as exc:
            messages.error(request, exc.detail)
        else:
            messages.success(request, _("The invitation is on its way."))
            return redirect("company")
    return render(
        request,
        "storefront/company/overview.html",
        {
            "company": company,
            "viewer": viewer,
            "members": company_queries.members_of(company) if viewer.can(perms.MANAGE_USERS) else [],
            "roles": company_queries.roles_for(company),
            "can_set_up": viewer.can(perms.MANAGE_USERS),
            "credit": company_queries.credit_of(company) if viewer.can(perms.USE_PAY_ON_ACCOUNT) else None,
        },
    )


@login_required
def purchase_order_list(request: HttpRequest) -> HttpResponse:
    _viewer(request)
    orders = procurement_queries.purchase_orders_visible_to(request.user).select_related("buyer")[:100]
    return render(
        request,
        "storefront/company/purchase_orders.html",
        {
            "awaiting": procurement_queries.awaiting_decision_by(request.user),
            "orders": orders,
        },
    )


@login_required
def purchase_order_detail(request: HttpRequest, number: str) -> HttpResponse:
    _viewer(request)
    po = (
        procurement_queries.purchase_orders_visible_to(request.user)
        .select_related("buyer", "approval")
        .filter(number=number)
        .first()
    )
    if po is None:
        raise Http404("no such purchase order")
    return render(
        request,
        "storefront/company/purchase_order.html",
        {
            "po": po,
            "steps": po.approval.steps.all() if po.approval else [],
            "can_decide": bool(po.approval and approvals.can_decide(po.approval, request.user)),
        },
    )


@login_required
@require_POST
def purchase_order_decide(request: HttpRequest, number: str) -> HttpResponse:
    _viewer(request)
    if not procurement_queries.purchase_orders_visible_to(request.user).filter(number=number).exists():
        raise Http404("no such purchase order")
    try:
        procurement_services.decide_purchase_order(
            number=number,
            user=request.user,
            approve=request.POST.get("decision") == "approve",
            comment=request.POST.get("comment", ""),
        )
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("Your decision is recorded."))
    return redirect("purchase_order", number=number)
