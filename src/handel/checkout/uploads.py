"""Quick-order files: CSV or XLSX with a SKU and a quantity per row (a header row is optional).

A row that cannot be read still becomes a line (quantity 0), so it gets its own answer and never
blocks the others.
"""

from __future__ import annotations

import contextlib
import csv
import io
import zipfile

from handel.checkout.lines import MAX_QUANTITY, RequestedLine
from handel.core.errors import InvalidInput, field_error

MAX_ROWS = 500
MAX_BYTES = 2_000_000
SKU_HEADERS = {"sku", "item", "article", "product"}
QUANTITY_HEADERS = {"quantity", "qty", "amount", "count"}


def _quantity(value: object) -> int:
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else 0
    text = str(value or "").strip()
    try:
        number = int(text)
    except ValueError:
        return 0
    return number if 0 < number <= MAX_QUANTITY else 0


def _lines(rows: list[list[object]]) -> list[RequestedLine]:
    rows = [row for row in rows if any(str(cell or "").strip() for cell in row)]
    if rows:
        head = [str(cell or "").strip().lower() for cell in rows[0]]
        if head and (head[0] in SKU_HEADERS or (len(head) > 1 and head[1] in QUANTITY_HEADERS)):
            rows = rows[1:]
    if len(rows) > MAX_ROWS:
        raise InvalidInput(f"at most {MAX_ROWS} rows", errors=[field_error(["body", "file"], "too many rows")])
    return [RequestedLine(str(row[0] or "").strip()[:64], _quantity(row[1] if len(row) > 1 else 1)) for row in rows]


def read_upload(name: str, content: bytes) -> list[RequestedLine]:
    if len(content) > MAX_BYTES:
        raise InvalidInput("the file is too large", errors=[field_error(["body", "file"], "at most 2 MB")])
    if name.lower().endswith(".xlsx") or content[:2] == b"PK":
        return _lines(_xlsx_rows(content))
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("latin-1")
    dialect: type[csv.Dialect] = csv.excel
    with contextlib.suppress(csv.Error):
        dialect = csv.Sniffer().sniff(text[:2048], delimiters=",;\t")
    return _lines([list(row) for row in csv.reader(io.StringIO(text), dialect)])


def _xlsx_rows(content: bytes) -> list[list[object]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise InvalidInput("not a readable XLSX file", errors=[field_error(["body", "file"], "not XLSX")]) from exc
    sheet = workbook.worksheets[0]
    rows = [list(row[:2]) for row in sheet.iter_rows(max_row=MAX_ROWS + 2, values_only=True)]
    workbook.close()
    return rows
