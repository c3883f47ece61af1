"""Human numbers (ORD-000123), gapless per series.

The counter row is locked and bumped inside the caller's transaction, so a rolled-back order
gives its number back and two concurrent callers never get the same number. On PostgreSQL the
row lock (SELECT ... FOR UPDATE) serialises them; on SQLite the IMMEDIATE transaction mode
(settings) takes the database write lock at BEGIN.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F

from handel.core.models import NumberSeries


def ensure_series(name: str, prefix: str, padding: int = 6) -> NumberSeries:
    try:
        with transaction.atomic():
            series, _ = NumberSeries.objects.get_or_create(name=name, defaults={"prefix": prefix, "padding": padding})
    except IntegrityError:
        series = NumberSeries.objects.get(name=name)
    return series


def next_number(series_name: str, *, prefix: str | None = None, padding: int = 6) -> str:
    """Take the next number of a series. Must run inside the transaction that uses the number."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("next_number must be called inside the transaction that stores the number")
    series = NumberSeries.objects.select_for_update().filter(name=series_name).first()
    if series is None:
        try:
            with transaction.atomic():  # a savepoint: a concurrent creator may win the race
                NumberSeries.objects.create(
                    name=series_name,
                    prefix=prefix if prefix is not None else series_name.upper() + "-",
                    padding=padding,
                )
        except IntegrityError:
            pass
        series = NumberSeries.objects.select_for_update().get(name=series_name)
    value = series.next_value
    NumberSeries.objects.filter(pk=series.pk).update(next_value=F("next_value") + 1)
    return f"{series.prefix}{value:0{series.padding}d}"
