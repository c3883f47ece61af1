"""Reading rows by thousands of keys.

Django binds every value of an `IN (...)` list as a parameter of its own and prepares each in
Python, which for lists of thousands (a search index batch, a listing's prices) costs more than the
query itself. `among` sends the whole list as one parameter instead.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from django.db import connection
from django.db.models.expressions import RawSQL


def among(values: Iterable[int] | Iterable[str], *, db_type: str = "bigint") -> RawSQL:
    """A subquery yielding `values`, for `filter(field__in=among(values))`: one JSON array read by
    `json_each` on SQLite, one array unnested on PostgreSQL (a semi-join the planner estimates well;
    with `= ANY(array)` it misjudges the row count). `db_type`: the PostgreSQL type of the values
    (bigint for ids, varchar for codes such as SKUs)."""
    listed = list(values)
    if connection.vendor == "postgresql":
        return RawSQL(f"SELECT unnest(%s::{db_type}[])", [listed])  # noqa: S611
    return RawSQL("SELECT value FROM json_each(%s)", [json.dumps(listed)])
