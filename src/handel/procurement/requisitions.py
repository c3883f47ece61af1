"""Write use cases of requisition lists: named lists of SKUs a company keeps for repeat purchases.

Every active user of the company reads the company's lists; users whose role may place orders
change them (`queries.MANAGE_REQUISITION_LISTS`), and a list is deleted by its owner or a company
admin. A SKU appears once per list: adding it again raises its quantity. Lines come from the
product page, the cart, a past order or a CSV file (sku,quantity[,note]); every requested line
gets its own answer, and a SKU the user cannot see in the list's channel is refused, so a list
never learns of a product outside the company's assortment. Checkout turns a list into cart lines.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Max

from handel.catalog.queries import product_facts
from handel.channels.queries import get_channel
from handel.companies import permissions as company_permissions
from handel.companies.queries import CompanyViewer, viewer_for
from handel.core import audit
from handel.core.errors import InvalidInput, NotFound, PermissionDenied, field_error
from handel.orders.queries import order_for
from handel.procurement import queries
from handel.procurement.models import RequisitionList, RequisitionListLine

MAX_LINES = 500
MAX_QUANTITY = 100_000
MAX_CSV_BYTES = 1_000_000
ADDED = "added"
MERGED = "merged"
UNKNOWN_SKU = "unknown_sku"
NOT_IN_ASSORTMENT = "not_in_assortment"
INVALID_QUANTITY = "invalid_quantity"
TOO_MANY_LINES = "too_many_lines"
ACCEPTED = (ADDED, MERGED)


@dataclass(frozen=True)
class LineRequest:
    sku: str
    quantity: int
    note: str = ""


@dataclass(frozen=True)
class LineAnswer:
    index: int
    sku: str
    quantity: int
    status: str  # added, merged (quantity raised on an existing line), or why it was refused
    message: str

    @property
    def accepted(self) -> bool:
        return self.status in ACCEPTED


def _viewer(actor: Any) -> CompanyViewer:
    viewer = viewer_for(actor)
    if viewer is None:
        raise NotFound("you do not act for a company")
    return viewer


def _manager(actor: Any) -> CompanyViewer:
    viewer = _viewer(actor)
    if not queries.can_manage_requisition_lists(viewer):
        raise PermissionDenied("your role does not allow changing requisition lists")
    return viewer


def _locked_list(viewer: CompanyViewer, list_id: int) -> RequisitionList:
    requisition_list = (
        RequisitionList.objects.select_for_update().filter(pk=list_id, company_id=viewer.company_id).first()
    )
    if requisition_list is None:
        raise NotFound(f"no requisition list {list_id}")
    return requisition_list


def _clean_name(name: str) -> str:
    clean = " ".join((name or "").split())
    if not 1 <= len(clean) <= 100:
        raise InvalidInput(
            "a requisition list needs a name", errors=[field_error(["body", "name"], "1 to 100 characters")]
        )
    return clean


def _touch(requisition_list: RequisitionList) -> None:
    requisition_list.save(update_fields=["updated_at"])


def create_list(*, actor: Any, channel_code: str, name: str, description: str = "") -> RequisitionList:
    clean = _clean_name(name)
    if get_channel(channel_code) is None:
        raise InvalidInput("no such channel", errors=[field_error(["body", "channel"], "unknown or closed channel")])
    viewer = _manager(actor)
    with transaction.atomic(durable=True):
        requisition_list = RequisitionList.objects.create(
            company_id=viewer.company_id,
            owner=actor,
            channel_code=channel_code,
            name=clean,
            description=description.strip()[:500],
        )
        audit.record(actor=actor, action="requisition_list.created", obj=requisition_list, data={"name": clean})
    return requisition_list


def update_list(
    *, actor: Any, list_id: int, name: str | None = None, description: str | None = None
) -> RequisitionList:
    clean = _clean_name(name) if name is not None else None
    viewer = _manager(actor)
    with transaction.atomic(durable=True):
        requisition_list = _locked_list(viewer, list_id)
        if clean is not None:
            requisition_list.name = clean
        if description is not None:
            requisition_list.description = description.strip()[:500]
        requisition_list.save(update_fields=["name", "description", "updated_at"])
        audit.record(
            actor=actor,
            action="requisition_list.updated",
            obj=requisition_list,
            data={"name": requisition_list.name},
        )
    return requisition_list


def delete_list(*, actor: Any, list_id: int) -> None:
    """The owner or a company admin deletes a list."""
    viewer = _manager(actor)
    with transaction.atomic(durable=True):
        requisition_list = _locked_list(viewer, list_id)
        if requisition_list.owner_id != actor.pk and not viewer.can(company_permissions.MANAGE_USERS):
            raise PermissionDenied("only the list's owner or a company admin deletes it")
        audit.record(
            actor=actor,
            action="requisition_list.deleted",
            obj=requisition_list,
            data={"name": requisition_list.name, "lines": requisition_list.lines.count()},
        )
        requisition_list.delete()


def _answers(
    actor: Any, requisition_list: RequisitionList, requested: Sequence[LineRequest]
) -> tuple[list[LineAnswer], dict[str, LineRequest]]:
    """One answer per requested line, and the accepted ones summed by SKU (in first-seen order)."""
    skus = sorted({item.sku for item in requested if item.sku})
    known = product_facts(skus)
    visible = queries.skus_visible_to(actor, requisition_list.channel_code, [sku for sku in skus if sku in known])
    existing = set(requisition_list.lines.values_list("sku", flat=True))
    answers: list[LineAnswer] = []
    accepted: dict[str, LineRequest] = {}
    for index, item in enumerate(requested):
        if item.sku not in known:
            answers.append(LineAnswer(index, item.sku, 0, UNKNOWN_SKU, "no product has this SKU"))
        elif item.sku not in visible:
            answers.append(LineAnswer(index, item.sku, 0, NOT_IN_ASSORTMENT, "not in your assortment"))
        elif not 0 < item.quantity <= MAX_QUANTITY:
            answers.append(LineAnswer(index, item.sku, 0, INVALID_QUANTITY, f"a whole number from 1 to {MAX_QUANTITY}"))
        elif item.sku not in existing and item.sku not in accepted and len(existing) + len(accepted) >= MAX_LINES:
            answers.append(LineAnswer(index, item.sku, 0, TOO_MANY_LINES, f"a list holds at most {MAX_LINES} lines"))
        else:
            status = MERGED if item.sku in existing or item.sku in accepted else ADDED
            answers.append(LineAnswer(index, item.sku, item.quantity, status, ""))
            before = accepted.get(item.sku)
            accepted[item.sku] = LineRequest(
                item.sku,
                item.quantity + (before.quantity if before else 0),
                item.note.strip()[:500] or (before.note if before else ""),
            )
    return answers, accepted


def _store(requisition_list: RequisitionList, accepted: dict[str, LineRequest]) -> None:
    lines = {line.sku: line for line in requisition_list.lines.select_for_update().filter(sku__in=list(accepted))}
    position = (requisition_list.lines.aggregate(top=Max("position"))["top"] or 0) + 1
    for sku, item in accepted.items():
        line = lines.get(sku)
        if line is None:
            RequisitionListLine.objects.create(
                requisition_list=requisition_list, sku=sku, quantity=item.quantity, note=item.note, position=position
            )
            position += 1
            continue
        line.quantity = min(line.quantity + item.quantity, MAX_QUANTITY)
        line.note = item.note or line.note
        line.save(update_fields=["quantity", "note"])


def add_lines(
    *, actor: Any, list_id: int, requested: Sequence[LineRequest], source: str = "manual"
) -> list[LineAnswer]:
    """Add lines; each gets its answer and the acceptable ones are added (a SKU already on the
    list raises that line's quantity), whatever the rest."""
    if not requested:
        raise InvalidInput("no lines given", errors=[field_error(["body", "lines"], "at least one line")])
    if len(requested) > MAX_LINES:
        raise InvalidInput(f"at most {MAX_LINES} lines", errors=[field_error(["body", "lines"], "too many lines")])
    viewer = _manager(actor)
    with transaction.atomic(durable=True):
        requisition_list = _locked_list(viewer, list_id)
        answers, accepted = _answers(actor, requisition_list, requested)
        if accepted:
            _store(requisition_list, accepted)
            _touch(requisition_list)
        audit.record(
            actor=actor,
            action="requisition_list.lines_added",
            obj=requisition_list,
            data={"source": source, "lines": [[sku, item.quantity] for sku, item in accepted.items()]},
        )
    return answers


def update_line(
    *, actor: Any, list_id: int, line_id: int, quantity: int | None = None, note: str | None = None
) -> RequisitionListLine:
    if quantity is not None and not 0 < quantity <= MAX_QUANTITY:
        raise InvalidInput(
            f"the quantity is a whole number from 1 to {MAX_QUANTITY}",
            errors=[field_error(["body", "quantity"], f"1 to {MAX_QUANTITY}")],
        )
    viewer = _manager(actor)
    with transaction.atomic(durable=True):
        requisition_list = _locked_list(viewer, list_id)
        line = requisition_list.lines.filter(pk=line_id).first()
        if line is None:
            raise NotFound("no such line on this list")
        if quantity is not None:
            line.quantity = quantity
        if note is not None:
            line.note = note.strip()[:500]
        line.save(update_fields=["quantity", "note"])
        _touch(requisition_list)
        audit.record(
            actor=actor,
            action="requisition_list.line_changed",
            obj=requisition_list,
            data={"sku": line.sku, "quantity": line.quantity},
        )
    return line


def remove_line(*, actor: Any, list_id: int, line_id: int) -> None:
    viewer = _manager(actor)
    with transaction.atomic(durable=True):
        requisition_list = _locked_list(viewer, list_id)
        line = requisition_list.lines.filter(pk=line_id).first()
        if line is None:
            raise NotFound("no such line on this list")
        line.delete()
        _touch(requisition_list)
        audit.record(actor=actor, action="requisition_list.line_removed", obj=requisition_list, data={"sku": line.sku})


def _quantity(text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        return 0


def read_csv(content: bytes) -> list[LineRequest]:
    """Rows of sku,quantity[,note] (comma, semicolon or tab; a header row is optional). A row whose
    quantity cannot be read keeps quantity 0, so it gets its own refusal and blocks nothing."""
    if len(content) > MAX_CSV_BYTES:
        raise InvalidInput("the file is too large", errors=[field_error(["body", "file"], "at most 1 MB")])
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("latin-1")
    first = next((line for line in text.splitlines() if line.strip()), "")
    # Spreadsheets export with a comma, a semicolon (where the comma is the decimal sign) or a tab.
    delimiter = max(",;\t", key=first.count)
    rows = [row for row in csv.reader(io.StringIO(text), delimiter=delimiter) if any(cell.strip() for cell in row)]
    if rows and rows[0][0].strip().lower() == "sku":
        rows = rows[1:]
    if not rows:
        raise InvalidInput("the file has no lines", errors=[field_error(["body", "file"], "no rows")])
    if len(rows) > MAX_LINES:
        raise InvalidInput(f"at most {MAX_LINES} rows", errors=[field_error(["body", "file"], "too many rows")])
    return [
        LineRequest(
            row[0].strip()[:64],
            _quantity(row[1]) if len(row) > 1 else 1,
            row[2] if len(row) > 2 else "",
        )
        for row in rows
    ]


def import_csv(*, actor: Any, list_id: int, content: bytes) -> list[LineAnswer]:
    return add_lines(actor=actor, list_id=list_id, requested=read_csv(content), source="csv")


def add_from_order(*, actor: Any, list_id: int, order_number: str) -> list[LineAnswer]:
    """A past order's products (gifts left out), as the user may see the order."""
    order = order_for(actor, order_number)
    if order is None:
        raise NotFound(f"no order {order_number}")
    quantities: dict[str, int] = {}
    for line in order.lines.all():
        if line.kind != "gift":
            quantities[line.sku] = quantities.get(line.sku, 0) + line.quantity
    if not quantities:
        raise InvalidInput("the order has no lines to add", errors=[field_error(["body", "order_number"], "empty")])
    requested = [LineRequest(sku, quantity) for sku, quantity in quantities.items()]
    return add_lines(actor=actor, list_id=list_id, requested=requested, source=f"order {order.number}")
