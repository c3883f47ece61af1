"""Revisions: one token per named set of tables, changed by the database on every write to them.

A process may keep what it read of those tables (the price engine keeps price lists and product
facts) and use it for as long as the token it read with is still the token: one query of one
small table instead of reading thousands of rows again.

The token is set by triggers, not by the code that writes, so no write is missed: services,
imports, the admin, a bulk `update()` or plain SQL in a shell all change it. Each write sets a new
random token rather than counting up, so a transaction that is rolled back can never leave a
token that a later, different write reuses. On PostgreSQL one trigger per table fires once per
statement (TRUNCATE included), before the statement: a writing transaction takes the revision's
row lock ahead of any row of the tables, so two transactions writing the same revision's tables
queue at their first write instead of deadlocking over rows they locked in different orders.
SQLite (one writer at a time anyway) only has row triggers, one per kind of write.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.db import migrations

from handel.core.models import Revision

WRITES = ("INSERT", "UPDATE", "DELETE")
# Revision, table and column names go into the triggers' SQL as they are: only plain names pass.
PLAIN_NAME = re.compile(r"[a-z_][a-z0-9_.]*")
# PostgreSQL: one function for every revision; the trigger passes the revision's name.
POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION core_revision_changed() RETURNS trigger AS $$
BEGIN
    INSERT INTO core_revision (name, token)
    VALUES (TG_ARGV[0], floor(random() * 9007199254740991)::bigint)
    ON CONFLICT (name) DO UPDATE SET token = EXCLUDED.token;
    RETURN NULL;
END
$$ LANGUAGE plpgsql
"""


def tokens(names: Iterable[str]) -> tuple[int | None, ...]:
    """The current token of each named revision (None: nothing written since the tables were
    created or emptied), in one query."""
    wanted = list(names)
    found = dict(Revision.objects.filter(name__in=wanted).values_list("name", "token"))
    return tuple(found.get(name) for name in wanted)


def _trigger_name(revision: str, table: str, write: str = "") -> str:
    base = f"revision_{revision.replace('.', '_')}_{table}"
    return f"{base}_{write.lower()}" if write else base


def _create_sql(vendor: str, revision: str, table: str, columns: tuple[str, ...]) -> list[str]:
    update = f"UPDATE OF {', '.join(columns)}" if columns else "UPDATE"
    if vendor == "postgresql":
        return [
            POSTGRES_FUNCTION,
            f"CREATE TRIGGER {_trigger_name(revision, table)} BEFORE INSERT OR {update} OR DELETE OR TRUNCATE "
            f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION core_revision_changed('{revision}')",
        ]
    if vendor == "sqlite":
        return [
            f"CREATE TRIGGER {_trigger_name(revision, table, write)} AFTER "  # noqa: S608 (plain names, see track)
            f"{update if write == 'UPDATE' else write} ON {table} BEGIN "
            f"INSERT INTO core_revision (name, token) VALUES ('{revision}', random()) "
            "ON CONFLICT (name) DO UPDATE SET token = excluded.token; END"
            for write in WRITES
        ]
    raise NotImplementedError(f"revisions need triggers written for {vendor}")


def _drop_sql(vendor: str, revision: str, table: str) -> list[str]:
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {_trigger_name(revision, table)} ON {table}"]
    return [f"DROP TRIGGER IF EXISTS {_trigger_name(revision, table, write)}" for write in WRITES]


def track(revision: str, tables: dict[str, tuple[str, ...]]) -> migrations.RunPython:
    """A migration operation: every write to these tables changes the revision's token. A table
    maps to the columns whose update counts (empty: any column); inserts and deletes always count."""
    for name in (revision, *tables, *(column for columns in tables.values() for column in columns)):
        if not PLAIN_NAME.fullmatch(name):
            raise ValueError(f"not a plain name for a revision trigger: {name!r}")

    def create(apps: Any, schema_editor: Any) -> None:
        for table, columns in tables.items():
            for sql in _create_sql(schema_editor.connection.vendor, revision, table, columns):
                schema_editor.execute(sql, params=None)

    def drop(apps: Any, schema_editor: Any) -> None:
        for table in tables:
            for sql in _drop_sql(schema_editor.connection.vendor, revision, table):
                schema_editor.execute(sql, params=None)

    return migrations.RunPython(create, drop, elidable=False)
