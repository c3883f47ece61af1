"""B2B account pages: the company's requisition lists, and company admins managing their users.

Every company user reads the company's lists and may put them in their cart; users whose role
may place orders change them. Everything works as plain forms (no JavaScript needed).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from handel.channels.models import Channel
from handel.channels.queries import channel_for_request
from handel.checkout import services as checkout_services
from handel.checkout.requisitions import add_requisition_list_to_cart
from handel.companies import permissions as perms
from handel.companies import queries as company_queries
from handel.companies import services as company_services
from handel.companies.queries import CompanyViewer
from handel.core.errors import DomainError
from handel.procurement import queries as procurement_queries
from handel.procurement import requisitions
from handel.procurement.models import RequisitionList
from handel.storefront.feedback import told

PAGE_SIZE = 20
CART_PATH = "/cart/"
DEFAULT_LIST_NAME = gettext_lazy("My list")


def _viewer(request: HttpRequest) -> CompanyViewer:
    viewer = company_queries.viewer_for(request.user)
    if viewer is None:
        raise Http404("you do not act for a company")
    return viewer


def _manager(request: HttpRequest) -> CompanyViewer:
    viewer = _viewer(request)
    if not procurement_queries.can_manage_requisition_lists(viewer):
        raise Http404("your role does not change requisition lists")
    return viewer


def _channel(request: HttpRequest) -> Channel:
    channel = channel_for_request(request)
    if channel is None:
        raise Http404("no sales channel")
    return channel


def _list(request: HttpRequest, list_id: int) -> RequisitionList:
    requisition_list = procurement_queries.requisition_list_for(request.user, list_id)
    if requisition_list is None:
        raise Http404("no such requisition list")
    return requisition_list


def _whole_number(value: str | None) -> int:
    try:
        return int((value or "").strip())
    except ValueError:
        return 0


def _report(request: HttpRequest, answers: list[Any]) -> None:
    """One message for what was taken, one per line that was not."""
    taken = sum(1 for answer in answers if answer.accepted)
    if taken:
        messages.success(request, ngettext("%(count)s line added.", "%(count)s lines added.", taken) % {"count": taken})
    for answer in answers:
        if not answer.accepted:
            messages.warning(request, f"{answer.sku or _('(no SKU)')}: {answer.message or answer.status}")


def _to_detail(list_id: int) -> HttpResponse:
    return redirect("requisition_list", list_id=list_id)


@login_required
@require_http_methods(["GET", "POST"])
def requisition_lists(request: HttpRequest) -> HttpResponse:
    """The company's lists; POST creates one (name) and opens it."""
    viewer = _viewer(request)
    if request.method == "POST":
        _manager(request)
        try:
            created = requisitions.create_list(
                actor=request.user,
                channel_code=_channel(request).code,
                name=request.POST.get("name", ""),
                description=request.POST.get("description", ""),
            )
        except DomainError as exc:
            messages.error(request, exc.detail)
            return redirect("requisition_lists")
        messages.success(request, _("The list is created."))
        return _to_detail(created.pk)
    lists = procurement_queries.requisition_lists_visible_to(request.user).order_by("-updated_at", "-id")
    return render(
        request,
        "storefront/requisition/list.html",
        {
            "page": Paginator(lists, PAGE_SIZE).get_page(request.GET.get("page")),
            "can_manage": procurement_queries.can_manage_requisition_lists(viewer),
        },
    )


@login_required
@require_GET
def requisition_list_detail(request: HttpRequest, list_id: int) -> HttpResponse:
    viewer = _viewer(request)
    requisition_list = _list(request, list_id)
    lines = procurement_queries.requisition_lines(request.user, requisition_list)
    return render(
        request,
        "storefront/requisition/detail.html",
        {
            "requisition_list": requisition_list,
            "lines": lines,
            "can_manage": procurement_queries.can_manage_requisition_lists(viewer),
            "can_delete": procurement_queries.can_manage_requisition_lists(viewer)
            and (requisition_list.owner_id == request.user.pk or viewer.can(perms.MANAGE_USERS)),
        },
    )


@login_required
@require_POST
def requisition_list_rename(request: HttpRequest, list_id: int) -> HttpResponse:
    _manager(request)
    told(
        request,
        lambda: requisitions.update_list(
            actor=request.user,
            list_id=_list(request, list_id).pk,
            name=request.POST.get("name", ""),
            description=request.POST.get("description", ""),
        ),
        _("The list is saved."),
    )
    return _to_detail(list_id)


@login_required
@require_POST
def requisition_list_delete(request: HttpRequest, list_id: int) -> HttpResponse:
    _manager(request)
    try:
        requisitions.delete_list(actor=request.user, list_id=_list(request, list_id).pk)
    except DomainError as exc:
        messages.error(request, exc.detail)
        return _to_detail(list_id)
    messages.success(request, _("The list is deleted."))
    return redirect("requisition_lists")


@login_required
@require_POST
def requisition_line_add(request: HttpRequest, list_id: int) -> HttpResponse:
    _manager(request)
    requested = requisitions.LineRequest(
        request.POST.get("sku", "").strip()[:64],
        _whole_number(request.POST.get("quantity")),
        request.POST.get("note", ""),
    )
    try:
        answers = requisitions.add_lines(actor=request.user, list_id=_list(request, list_id).pk, requested=[requested])
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        _report(request, answers)
    return _to_detail(list_id)


@login_required
@require_POST
def requisition_line_update(request: HttpRequest, list_id: int, line_id: int) -> HttpResponse:
    _manager(request)
    told(
        request,
        lambda: requisitions.update_line(
            actor=request.user,
            list_id=_list(request, list_id).pk,
            line_id=line_id,
            quantity=_whole_number(request.POST.get("quantity")),
            note=request.POST.get("note", ""),
        ),
        _("The line is saved."),
    )
    return _to_detail(list_id)


@login_required
@require_POST
def requisition_line_remove(request: HttpRequest, list_id: int, line_id: int) -> HttpResponse:
    _manager(request)
    told(
        request,
        lambda: requisitions.remove_line(actor=request.user, list_id=_list(request, list_id).pk, line_id=line_id),
        _("The line is removed."),
    )
    return _to_detail(list_id)


@login_required
@require_POST
def requisition_list_import(request: HttpRequest, list_id: int) -> HttpResponse:
    _manager(request)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a CSV file."))
        return _to_detail(list_id)
    try:
        answers = requisitions.import_csv(
            actor=request.user, list_id=_list(request, list_id).pk, content=upload.read(requisitions.MAX_CSV_BYTES + 1)
        )
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        _report(request, answers)
    return _to_detail(list_id)


@login_required
@require_POST
def requisition_list_from_order(request: HttpRequest, list_id: int) -> HttpResponse:
    _manager(request)
    try:
        answers = requisitions.add_from_order(
            actor=request.user,
            list_id=_list(request, list_id).pk,
            order_number=request.POST.get("order_number", "").strip()[:30],
        )
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        _report(request, answers)
    return _to_detail(list_id)


@login_required
@require_GET
def requisition_list_export(request: HttpRequest, list_id: int) -> HttpResponse:
    _viewer(request)
    requisition_list = _list(request, list_id)
    response = HttpResponse(
        procurement_queries.requisition_list_csv(requisition_list), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="requisition-list-{requisition_list.pk}.csv"'
    return response


@login_required
@require_POST
def requisition_list_to_cart(request: HttpRequest, list_id: int) -> HttpResponse:
    """The ticked lines (`line`), or every line when the 'add all' button was pressed."""
    _viewer(request)
    requisition_list = _list(request, list_id)
    line_ids = None if request.POST.get("all") else [_whole_number(value) for value in request.POST.getlist("line")]
    if line_ids is not None and not line_ids:
        messages.error(request, _("Tick the lines to add, or add the whole list."))
        return _to_detail(list_id)
    channel = _channel(request)
    try:
        cart = checkout_services.create_cart(channel=channel, user=request.user)
        answers = add_requisition_list_to_cart(
            public_id=cart.public_id, user=request.user, list_id=requisition_list.pk, line_ids=line_ids
        )
    except DomainError as exc:
        messages.error(request, exc.detail)
        return _to_detail(list_id)
    _report(request, answers)
    return redirect(CART_PATH)


@login_required
@require_POST
def requisition_quick_add(request: HttpRequest) -> HttpResponse:
    """From a product page (or the cart): sku and quantity onto `list`, else the user's most
    recent list in this channel, else a new list called "My list"."""
    _manager(request)
    channel = _channel(request)
    list_id = _whole_number(request.POST.get("list"))
    try:
        if list_id:
            requisition_list = _list(request, list_id)
        else:
            requisition_list = procurement_queries.latest_requisition_list_of(
                request.user, channel.code
            ) or requisitions.create_list(actor=request.user, channel_code=channel.code, name=str(DEFAULT_LIST_NAME))
        answers = requisitions.add_lines(
            actor=request.user,
            list_id=requisition_list.pk,
            requested=[
                requisitions.LineRequest(
                    request.POST.get("sku", "").strip()[:64],
                    _whole_number(request.POST.get("quantity") or "1"),
                    request.POST.get("note", ""),
                )
            ],
        )
    except DomainError as exc:
        messages.error(request, exc.detail)
        return redirect("requisition_lists")
    if all(answer.accepted for answer in answers):
        messages.success(
            request,
            _("Added to the requisition list “%(name)s”.") % {"name": requisition_list.name},
        )
    else:
        _report(request, answers)
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return _to_detail(requisition_list.pk)


@login_required
@require_POST
def company_user_update(request: HttpRequest, member_id: int) -> HttpResponse:
    """A company admin changes a user's role, or deactivates or reactivates them."""
    viewer = _viewer(request)
    if not viewer.can(perms.MANAGE_USERS):
        raise Http404("your role does not manage users")
    changes: dict[str, Any] = {}
    if request.POST.get("role"):
        changes["role"] = request.POST["role"]
    if request.POST.get("status"):
        changes["status"] = request.POST["status"]
    if not changes:
        messages.error(request, _("Choose a role or a status."))
        return redirect("company")
    told(
        request,
        lambda: company_services.update_member(
            actor=request.user, company_code=viewer.company_code, member_id=member_id, changes=changes
        ),
        _("The user is updated."),
    )
    return redirect("company")
