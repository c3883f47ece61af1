"""The database half of search: which documents match a parsed query. One interface, two backends.

Both receive the same terms (stemmed in Python) and express the same boolean query: every group
must match, any alternative within a group may, the last group may match by prefix. Ranking, facets
and sorting happen afterwards in Python (handel.search.engine), identically for both.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from django.db import connection


@dataclass(frozen=True)
class Alternative:
    term: str
    weight: float  # 1.0 as typed, less for synonyms and typo corrections
    is_prefix: bool = False


@dataclass(frozen=True)
class TermGroup:
    word: str  # what the buyer typed
    alternatives: tuple[Alternative, ...]


class SearchBackend(Protocol):
    def matching_ids(self, *, channel_code: str, locale: str, groups: Sequence[TermGroup]) -> list[int]: ...

    def bulk_load(self) -> Any: ...


# The same triggers as migration 0002 creates (a migration keeps its own frozen copy).
FTS_TRIGGERS = [
    """CREATE TRIGGER search_fts_insert AFTER INSERT ON search_searchdocument BEGIN
        INSERT INTO search_fts(rowid, terms) VALUES (new.id, new.terms); END""",
    """CREATE TRIGGER search_fts_delete AFTER DELETE ON search_searchdocument BEGIN
        INSERT INTO search_fts(search_fts, rowid, terms) VALUES ('delete', old.id, old.terms); END""",
    """CREATE TRIGGER search_fts_update AFTER UPDATE OF terms ON search_searchdocument BEGIN
        INSERT INTO search_fts(search_fts, rowid, terms) VALUES ('delete', old.id, old.terms);
        INSERT INTO search_fts(rowid, terms) VALUES (new.id, new.terms); END""",
]


class SqliteFts5Backend:
    @contextmanager
    def bulk_load(self) -> Iterator[None]:
        """A full reindex writes the documents without the per-row FTS triggers, then rebuilds the
        FTS index in one pass (several times faster). Runs inside the caller's transaction."""
        with connection.cursor() as cursor:
            for name in ("search_fts_insert", "search_fts_delete", "search_fts_update"):
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")
                for statement in FTS_TRIGGERS:
                    cursor.execute(statement)

    def matching_ids(self, *, channel_code: str, locale: str, groups: Sequence[TermGroup]) -> list[int]:
        expression = " AND ".join(
            "(" + " OR ".join(f'"{a.term}"' + ("*" if a.is_prefix else "") for a in group.alternatives) + ")"
            for group in groups
        )
        # The FTS table holds every channel's documents; the caller keeps those of its own snapshot.
        with connection.cursor() as cursor:
            cursor.execute("SELECT rowid FROM search_fts WHERE search_fts MATCH %s", [expression])
            return [row[0] for row in cursor.fetchall()]


class PostgresBackend:
    @contextmanager
    def bulk_load(self) -> Iterator[None]:
        """The tsvector is a generated column: nothing to switch off. Fresh statistics afterwards:
        without them the planner scans a whole channel instead of using the GIN index."""
        yield
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE search_searchdocument")

    def matching_ids(self, *, channel_code: str, locale: str, groups: Sequence[TermGroup]) -> list[int]:
        expression = " & ".join(
            "(" + " | ".join(a.term + (":*" if a.is_prefix else "") for a in group.alternatives) + ")"
            for group in groups
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id FROM search_searchdocument WHERE channel_code = %s AND locale = %s "
                "AND terms_vector @@ to_tsquery('simple', %s)",
                [channel_code, locale, expression],
            )
            return [row[0] for row in cursor.fetchall()]


def backend() -> SearchBackend:
    return PostgresBackend() if connection.vendor == "postgresql" else SqliteFts5Backend()
