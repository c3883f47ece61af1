"""ERP stock feeds as CSV: one update per row.

Columns (header row required; order free): sku, source, and at least one of on_hand (absolute),
delta (relative, needs reference), safety_stock; optional reference and reason. Example:

    sku,source,on_hand,safety_stock
    CHAIR-OAK,rotterdam,120,5
"""

from __future__ import annotations

import csv
import io

from handel.core.errors import InvalidInput, field_error
from handel.inventory.services import StockUpdate

REQUIRED_COLUMNS = {"sku", "source"}
KNOWN_COLUMNS = REQUIRED_COLUMNS | {"on_hand", "delta", "safety_stock", "reference", "reason"}


def parse_stock_csv(text: str) -> list[StockUpdate]:
    if "\x00" in text:
        raise InvalidInput("the CSV contains NUL characters", errors=[field_error(["body"], "not a text file")])
    try:
        return _parse(text)
    except csv.Error as exc:
        raise InvalidInput(f"the CSV cannot be read: {exc}", errors=[field_error(["body"], str(exc))]) from exc


def _parse(text: str) -> list[StockUpdate]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    columns = {name.strip() for name in reader.fieldnames or [] if name}
    if not columns >= REQUIRED_COLUMNS:
        raise InvalidInput(
            "the CSV needs a header row with at least sku and source",
            errors=[field_error(["body", "header"], f"missing {sorted(REQUIRED_COLUMNS - columns)}")],
        )
    unknown = sorted(columns - KNOWN_COLUMNS)
    if unknown:
        raise InvalidInput(
            "the CSV has unknown columns",
            errors=[field_error(["body", "header"], f"unknown column {name!r}") for name in unknown],
        )
    updates, errors = [], []
    for row_number, row in enumerate(reader, start=2):
        values = {(key or "").strip(): (value or "").strip() for key, value in row.items() if key}
        numbers: dict[str, int | None] = {}
        for name in ("on_hand", "delta", "safety_stock"):
            raw = values.get(name, "")
            try:
                numbers[name] = int(raw) if raw else None
            except ValueError:
                errors.append(field_error(["body", f"line {row_number}", name], "not a whole number"))
                numbers[name] = None
        updates.append(
            StockUpdate(
                sku=values.get("sku", ""),
                source_code=values.get("source", ""),
                on_hand=numbers["on_hand"],
                delta=numbers["delta"],
                safety_stock=numbers["safety_stock"],
                reference=values.get("reference") or None,
                reason=values.get("reason", ""),
            )
        )
    if errors:
        raise InvalidInput("some CSV rows are not valid; nothing was changed", errors=errors[:200])
    return updates
