"""PDF documents (invoices, credit memos, statements), drawn with ReportLab."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from handel.orders.models import CreditMemo, Invoice
from handel.orders.statements import BUCKETS, Statement

REVERSE_CHARGE_TEXT = "VAT reverse charged: the customer accounts for VAT (Article 196, Directive 2006/112/EC)."
STYLES = getSampleStyleSheet()


def _address(lines: dict[str, Any]) -> str:
    parts = [
        lines.get("name")
        or lines.get("company_name")
        or f"{lines.get('first_name', '')} {lines.get('last_name', '')}".strip(),
        lines.get("street", ""),
        lines.get("street2", ""),
        f"{lines.get('postal_code', '')} {lines.get('city', '')}".strip(),
        lines.get("country", ""),
    ]
    if lines.get("vat_number"):
        parts.append(f"VAT {lines['vat_number']}")
    return "<br/>".join(part for part in parts if part)


def _table(rows: list[list[Any]], widths: list[float]) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black),
                ("ALIGN", (2, 0), (-1, -1), "RIGHT"),
                ("FONTSIZE", (0, 0), (-1, -1), 9),
            ]
        )
    )
    return table


def _document(title: str, story: list[Any]) -> bytes:
    buffer = io.BytesIO()
    # Uncompressed and invariant: the same document always gives the same bytes, and its text can
    # be searched (archives, tests); invoices are small, so size does not matter.
    SimpleDocTemplate(
        buffer, pagesize=A4, title=title, leftMargin=18 * mm, rightMargin=18 * mm, pageCompression=0, invariant=1
    ).build(story)
    return buffer.getvalue()


def _money(amount: Decimal, currency: str) -> str:
    return f"{amount:,.2f} {currency}"


def invoice_pdf(invoice: Invoice) -> bytes:
    story: list[Any] = [
        Paragraph(f"Invoice {invoice.number}", STYLES["Title"]),
        Table(
            [
                [
                    Paragraph(_address(invoice.seller), STYLES["Normal"]),
                    Paragraph(_address(invoice.buyer), STYLES["Normal"]),
                ]
            ],
            colWidths=[85 * mm, 85 * mm],
        ),
        Spacer(1, 6 * mm),
        Paragraph(
            f"Date {invoice.issued_on} · due {invoice.due_on} · order {invoice.order.number}"
            + (f" · your PO {invoice.purchase_order_number}" if invoice.purchase_order_number else ""),
            STYLES["Normal"],
        ),
        Spacer(1, 4 * mm),
    ]
    rows: list[list[Any]] = [["SKU", "Description", "Qty", "VAT %", "Net", "VAT", "Total"]]
    rows += [
        [
            line.sku,
            line.description[:45],
            line.quantity,
            f"{line.tax_rate:.1f}",
            _money(line.total_net, invoice.currency),
            _money(line.total_tax, invoice.currency),
            _money(line.total_gross, invoice.currency),
        ]
        for line in invoice.lines.all()
    ]
    story.append(_table(rows, [25 * mm, 55 * mm, 10 * mm, 14 * mm, 24 * mm, 20 * mm, 26 * mm]))
    story.append(Spacer(1, 4 * mm))
    breakdown = [["VAT rate", "Net", "VAT"]] + [
        [
            f"{Decimal(entry['rate']):.1f} %",
            _money(Decimal(entry["net"]), invoice.currency),
            _money(Decimal(entry["tax"]), invoice.currency),
        ]
        for entry in invoice.vat_breakdown
    ]
    story.append(_table(breakdown, [30 * mm, 35 * mm, 35 * mm]))
    story.append(Spacer(1, 4 * mm))
    story.append(
        Paragraph(
            f"<b>Total {_money(invoice.total_gross, invoice.currency)}</b> "
            f"(net {_money(invoice.total_net, invoice.currency)}, "
            f"VAT {_money(invoice.total_tax, invoice.currency)})",
            STYLES["Normal"],
        )
    )
    if invoice.reverse_charge:
        story.append(Paragraph(REVERSE_CHARGE_TEXT, STYLES["Normal"]))
    story.append(Spacer(1, 4 * mm))
    story.append(
        Paragraph(f"Please pay to IBAN {invoice.seller.get('iban', '')} quoting {invoice.number}.", STYLES["Normal"])
    )
    return _document(f"Invoice {invoice.number}", story)


def credit_memo_pdf(memo: CreditMemo) -> bytes:
    invoice = memo.invoice
    story: list[Any] = [
        Paragraph(f"Credit memo {memo.number}", STYLES["Title"]),
        Table(
            [
                [
                    Paragraph(_address(invoice.seller), STYLES["Normal"]),
                    Paragraph(_address(invoice.buyer), STYLES["Normal"]),
                ]
            ],
            colWidths=[85 * mm, 85 * mm],
        ),
        Spacer(1, 6 * mm),
        Paragraph(f"Date {memo.issued_on} · for invoice {invoice.number} · reason: {memo.reason}", STYLES["Normal"]),
        Spacer(1, 4 * mm),
    ]
    rows: list[list[Any]] = [["SKU", "Description", "Qty", "VAT %", "Net", "VAT", "Total"]]
    rows += [
        [
            line.sku,
            line.description[:45],
            line.quantity,
            f"{line.tax_rate:.1f}",
            _money(line.total_net, memo.currency),
            _money(line.total_tax, memo.currency),
            _money(line.total_gross, memo.currency),
        ]
        for line in memo.lines.all()
    ]
    story.append(_table(rows, [25 * mm, 55 * mm, 10 * mm, 14 * mm, 24 * mm, 20 * mm, 26 * mm]))
    story.append(Spacer(1, 4 * mm))
    story.append(Paragraph(f"<b>Credited {_money(memo.total_gross, memo.currency)}</b>", STYLES["Normal"]))
    if invoice.reverse_charge:
        story.append(Paragraph(REVERSE_CHARGE_TEXT, STYLES["Normal"]))
    return _document(f"Credit memo {memo.number}", story)


def statement_pdf(statement: Statement) -> bytes:
    story: list[Any] = [
        Paragraph(f"Account statement: {statement.holder}", STYLES["Title"]),
        Paragraph(f"As of {statement.as_of}", STYLES["Normal"]),
        Spacer(1, 4 * mm),
    ]
    rows: list[list[Any]] = [["Date", "Document", "Description", "Due", "Debit", "Credit"]]
    rows += [
        [
            entry.on,
            f"{entry.kind} {entry.number}",
            entry.description[:30],
            entry.due_on or "",
            _money(entry.debit, statement.currency) if entry.debit else "",
            _money(entry.credit, statement.currency) if entry.credit else "",
        ]
        for entry in statement.entries
    ]
    story.append(_table(rows, [22 * mm, 40 * mm, 45 * mm, 22 * mm, 24 * mm, 24 * mm]))
    story.append(Spacer(1, 4 * mm))
    story.append(Paragraph(f"<b>Balance {_money(statement.balance, statement.currency)}</b>", STYLES["Normal"]))
    aging = [list(BUCKETS), [_money(statement.aging[bucket], statement.currency) for bucket in BUCKETS]]
    story.append(_table(aging, [34 * mm] * 5))
    return _document(f"Statement {statement.holder}", story)
