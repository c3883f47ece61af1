"""Reading rows by thousands of keys.

Django binds every value of an `IN (...)` list as a parameter of its own and prepares each in
Python, which for lists of thousands (a search index batch, a listing's prices) costs more than the
query itself. `among` sends the whole list as one parameter instead.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from django.db import connection
from django.db.models.expressions import RawSQL

# A PostgreSQL type name, as Django's fields give it ("bigint", "varchar(64)"): it goes into the SQL.
DB_TYPE = re.compile(r"[a-z][a-z ]*(\(\d+\))?")


def values_subquery(values: Iterable[int] | Iterable[str], *, db_type: str = "bigint") -> tuple[str, list[Any]]:
    """`SELECT` of `values` as one parameter, and that parameter: one JSON array read by `json_each`
    on SQLite, one array unnested on PostgreSQL (a semi-join the planner estimates well; with
    `= ANY(array)` it misjudges the row count). `db_type`: the PostgreSQL type of the values
    (bigint for ids, varchar for codes such as SKUs). For plain SQL: `column IN (<select>)`."""
    if not DB_TYPE.fullmatch(db_type):
        raise ValueError(f"not a type name: {db_type!r}")
    listed = list(values)
    if connection.vendor == "postgresql":
        return f"SELECT unnest(%s::{db_type}[])", [listed]
    return "SELECT value FROM json_each(%s)", [json.dumps(listed)]


def among(values: Iterable[int] | Iterable[str], *, db_type: str = "bigint") -> RawSQL:
    """`values_subquery` for the ORM: `filter(field__in=among(values))`."""
    sql, params = values_subquery(values, db_type=db_type)
    return RawSQL(sql, params)  # noqa: S611
