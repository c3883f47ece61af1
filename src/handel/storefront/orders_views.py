"""Account pages for orders: history with search, order detail with timeline and tracking,
invoice and credit memo downloads, returns, and the account statement."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from handel.channels.queries import get_channel
from handel.checkout import services as checkout_services
from handel.companies.queries import viewer_for
from handel.core.errors import DomainError
from handel.core.whole_numbers import whole_number
from handel.orders import lifecycle, pdf, queries, statements
from handel.orders.carriers import CARRIERS
from handel.orders.models import ReturnLine, ReturnRequest
from handel.orders.services import request_return

PAGE_SIZE = 20


@login_required
def order_list(request: HttpRequest) -> HttpResponse:
    orders = queries.orders_visible_to(request.user).order_by("-placed_at", "-id")
    search, status = request.GET.get("q", "").strip(), request.GET.get("status", "")
    if search:
        orders = orders.filter(number__icontains=search) | orders.filter(purchase_order_number__icontains=search)
    if status in dict(lifecycle.CHOICES):
        orders = orders.filter(status=status)
    page = Paginator(orders, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "storefront/orders/list.html",
        {
            "page": page,
            "q": search,
            "status": status,
            "statuses": lifecycle.CHOICES,
        },
    )


def _order(request: HttpRequest, number: str):  # type: ignore[no-untyped-def]
    order = queries.order_for(request.user, number)
    if order is None:
        raise Http404("no such order")
    return order


@login_required
def order_detail(request: HttpRequest, number: str) -> HttpResponse:
    order = _order(request, number)
    shipments = []
    for shipment in order.shipments.prefetch_related("lines", "events"):
        carrier = CARRIERS.get(shipment.carrier)
        address = shipment.address or {}
        shipments.append(
            {
                "shipment": shipment,
                "tracking_url": carrier.link(
                    shipment.tracking_number, address.get("country", ""), address.get("postal_code", "")
                )
                if carrier
                else "",
            }
        )
    return render(
        request,
        "storefront/orders/detail.html",
        {
            "order": order,
            "lines": order.lines.all(),
            "timeline": [
                {
                    "at": event.at,
                    "text": dict(lifecycle.CHOICES).get(event.to_status, "") if event.to_status else "",
                    "message": event.message,
                }
                for event in order.events.all()
                if event.customer_visible
            ],
            "shipments": shipments,
            "invoices": order.invoices.all(),
            "credit_memos": order.credit_memos.all(),
            "returns": order.returns.prefetch_related("lines"),
            "returnable": order.status in (lifecycle.DELIVERED, lifecycle.COMPLETED),
        },
    )


@login_required
@require_POST
def reorder(request: HttpRequest, number: str) -> HttpResponse:
    """Put the order's lines in the cart at today's prices; tell what could not be had."""
    order = _order(request, number)
    channel = get_channel(order.channel_code)
    if channel is None:
        raise Http404("the order's shop is closed")
    try:
        cart = checkout_services.create_cart(channel=channel, user=request.user)
        answers = checkout_services.reorder(public_id=cart.public_id, user=request.user, order_number=order.number)
    except DomainError as exc:
        messages.error(request, exc.detail)
        return redirect("order_detail", number=order.number)
    for answer in answers:
        if answer.status in ("added", "adjusted"):
            messages.success(
                request, _("%(quantity)s x %(sku)s is in your cart.") % {"quantity": answer.quantity, "sku": answer.sku}
            )
        else:
            messages.warning(request, f"{answer.sku}: {answer.message}")
    return redirect("cart")


@login_required
def invoice_pdf(request: HttpRequest, number: str) -> HttpResponse:
    invoice = queries.invoices_visible_to(request.user).select_related("order").filter(number=number).first()
    if invoice is None:
        raise Http404("no such invoice")
    response = HttpResponse(pdf.invoice_pdf(invoice), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{invoice.number}.pdf"'
    return response


@login_required
def credit_memo_pdf(request: HttpRequest, number: str) -> HttpResponse:
    memo = queries.credit_memos_visible_to(request.user).select_related("invoice__order").filter(number=number).first()
    if memo is None:
        raise Http404("no such credit memo")
    response = HttpResponse(pdf.credit_memo_pdf(memo), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{memo.number}.pdf"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def return_request(request: HttpRequest, number: str) -> HttpResponse:
    order = _order(request, number)
    lines = list(order.lines.all())
    errors: list[str] = []
    if request.method == "POST":
        chosen = []
        for line in lines:
            quantity = whole_number(request.POST.get(f"quantity-{line.position}", "0"))
            if quantity is not None and quantity > 0:
                chosen.append(
                    {
                        "position": line.position,
                        "quantity": quantity,
                        "reason": request.POST.get(f"reason-{line.position}", ""),
                        "condition": request.POST.get(f"condition-{line.position}", ""),
                    }
                )
        try:
            created = request_return(
                user=request.user,
                order_number=order.number,
                lines=chosen,
                resolution=request.POST.get("resolution", ""),
                note=request.POST.get("note", ""),
            )
        except DomainError as exc:
            errors = [exc.detail] + [str(error["msg"]) for error in exc.errors]
        else:
            messages.success(request, _("Return %(number)s is requested.") % {"number": created.number})
            return redirect("order_detail", number=order.number)
    return render(
        request,
        "storefront/orders/return.html",
        {
            "order": order,
            "lines": lines,
            "reasons": ReturnLine.Reason.choices,
            "conditions": ReturnLine.Condition.choices,
            "resolutions": ReturnRequest.Resolution.choices,
            "errors": errors,
        },
        status=422 if errors else 200,
    )


@login_required
def return_list(request: HttpRequest) -> HttpResponse:
    returns = ReturnRequest.objects.filter(customer=request.user).select_related("order").prefetch_related("lines")
    return render(request, "storefront/orders/returns.html", {"returns": returns})


@login_required
def statement(request: HttpRequest) -> HttpResponse:
    viewer = viewer_for(request.user)
    if viewer is not None and not viewer.can(queries.SEE_INVOICES):
        raise Http404("your role does not show statements")
    result = statements.statement_for(
        customer_id=request.user.pk,
        company_id=viewer.company_id if viewer else None,
        as_of=timezone.localdate(),
        holder=viewer.company_code if viewer else request.user.email,
    )
    fmt = request.GET.get("format", "")
    if fmt == "csv":
        response = HttpResponse(statements.statement_csv(result), content_type="text/csv")
        response["Content-Disposition"] = 'attachment; filename="statement.csv"'
        return response
    if fmt == "pdf":
        response = HttpResponse(pdf.statement_pdf(result), content_type="application/pdf")
        response["Content-Disposition"] = 'attachment; filename="statement.pdf"'
        return response
    return render(
        request,
        "storefront/orders/statement.html",
        {
            "statement": result,
            "buckets": [(bucket, result.aging[bucket]) for bucket in statements.BUCKETS],
            "invoices": queries.invoices_visible_to(request.user).select_related("order")[:50],
        },
    )
