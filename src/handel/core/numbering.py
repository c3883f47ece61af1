"""Human numbers (ORD-000123), gapless per series.

The counter row is locked and bumped inside the caller's transaction, so a rolled-back order
gives its number back and two concurrent callers never get the same number. On PostgreSQL the
row lock (SELECT ... FOR UPDATE) serialises them; on SQLite the IMMEDIATE transaction mode
(settings) takes the database write lock at BEGIN.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from handel.core.models import NumberSeries


def ensure_series(name: str, prefix: str, padding: int = 6) -> NumberSeries:
    try:
        with transaction.atomic():
            series, _ = NumberSeries.objects.get_or_create(name=name, defaults={"prefix": prefix, "padding": padding})
    except IntegrityError:
        series = NumberSeries.objects.get(name=name)
    return series


def next_number(series_name: str, *, prefix: str | None = None, padding: int = 6) -> str:
    """Take the next number of a series. Must run inside the transaction that uses the number.

    One statement bumps the counter and reads the number taken; its row lock is held until the
    caller's transaction ends."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("next_number must be called inside the transaction that stores the number")
    row = _bump(connection, series_name)
    if row is None:
        try:
            with transaction.atomic():  # a savepoint: a concurrent creator may win the race
                NumberSeries.objects.create(
                    name=series_name,
                    prefix=prefix if prefix is not None else series_name.upper() + "-",
                    padding=padding,
                )
        except IntegrityError:
            pass
        row = _bump(connection, series_name)
        assert row is not None
    value, series_prefix, series_padding = row
    return f"{series_prefix}{value:0{series_padding}d}"


def _bump(connection: BaseDatabaseWrapper, series_name: str) -> tuple[int, str, int] | None:
    table = connection.ops.quote_name(NumberSeries._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET next_value = next_value + 1 WHERE name = %s "  # noqa: S608
            "RETURNING next_value - 1, prefix, padding",
            [series_name],
        )
        row = cursor.fetchone()
    return (int(row[0]), str(row[1]), int(row[2])) if row else None
