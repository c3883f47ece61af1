"""Reading and writing thousands of stock rows per call: ERP feeds and availability of 1,000 SKUs.

The ORM's per-row and per-parameter work (bulk_update builds a CASE per row and field) costs
seconds per feed, so these helpers issue one plain statement instead. SQLite runs a prepared
statement with executemany (in-process, so each row is cheap); PostgreSQL gets whole columns as
a COPY (into the table, or into a scratch table to update or upsert from) and reads with
one array parameter, a few statements however many rows.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import Model

from handel.core.sql import values_subquery

# Up to this many rows an update sends arrays in one statement; more go through a scratch table.
FEW_ROWS = 100


def table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _column_type(model: type[Model], column: str) -> str:
    field = next(field for field in model._meta.concrete_fields if field.column == column)
    return str(field.rel_db_type(connection) if field.primary_key else field.db_type(connection))


def column_in(model: type[Model], column: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
    """A `column IN (...)` condition and its one parameter (see `core.sql.values_subquery`)."""
    subquery, params = values_subquery(values, db_type=_column_type(model, column))
    return f"{column} IN ({subquery})", params


def _copy_to_scratch(cursor: Any, model: type[Model], columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """PostgreSQL: COPY the rows into a temporary table dropped at commit; returns its quoted name."""
    quote = connection.ops.quote_name
    scratch = quote(f"scratch_{uuid.uuid4().hex}")
    definitions = ", ".join(f"{quote(column)} {_column_type(model, column)}" for column in columns)
    cursor.execute(f"CREATE TEMPORARY TABLE {scratch} ({definitions}) ON COMMIT DROP")
    with cursor.cursor.copy(f"COPY {scratch} ({', '.join(quote(column) for column in columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
    return scratch


def insert_rows(
    model: type[Model], columns: Sequence[str], rows: Sequence[Sequence[Any]], *, ignore_conflicts: bool = False
) -> None:
    if not rows:
        return
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    conflict = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and not ignore_conflicts:
            with cursor.cursor.copy(f"COPY {table(model)} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        elif connection.vendor == "postgresql":
            scratch = _copy_to_scratch(cursor, model, columns, rows)
            cursor.execute(f"INSERT INTO {table(model)} ({names}) SELECT {names} FROM {scratch}{conflict}")  # noqa: S608
        else:
            cursor.executemany(
                f"INSERT INTO {table(model)} ({names}) VALUES ({', '.join(['%s'] * len(columns))}){conflict}",  # noqa: S608
                rows,
            )


def update_rows(model: type[Model], columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Each row holds the new values of `columns`, then the primary key."""
    if not rows:
        return
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and len(rows) <= FEW_ROWS:
            # A handful of rows (a checkout's): one statement with a column array per field.
            names = [*columns, "id"]
            selects = ", ".join(f"unnest(%s::{_column_type(model, name)}[]) AS {quote(name)}" for name in names)
            assignments = ", ".join(f"{quote(column)} = new.{quote(column)}" for column in columns)
            cursor.execute(
                f"UPDATE {table(model)} SET {assignments} FROM (SELECT {selects}) AS new "  # noqa: S608
                f"WHERE {table(model)}.id = new.id",
                [list(values) for values in zip(*rows, strict=True)],
            )
        elif connection.vendor == "postgresql":
            scratch = _copy_to_scratch(cursor, model, [*columns, "id"], rows)
            assignments = ", ".join(f"{quote(column)} = {scratch}.{quote(column)}" for column in columns)
            cursor.execute(
                f"UPDATE {table(model)} SET {assignments} FROM {scratch} WHERE {table(model)}.id = {scratch}.id"  # noqa: S608
            )
        else:
            assignments = ", ".join(f"{quote(column)} = %s" for column in columns)
            cursor.executemany(f"UPDATE {table(model)} SET {assignments} WHERE id = %s", rows)  # noqa: S608
