"""The database's full-text index over SearchDocument.terms, one per backend.

SQLite: an external-content FTS5 table (unicode61 tokenizer, prefix indexes for 2 and 3 letters)
kept in step by triggers. Stemming is done in Python before indexing (handel.search.text), so the
porter tokenizer is not used: it would stem the English stems again and cannot stem Dutch.
PostgreSQL: a generated tsvector column (`simple` configuration: no second stemming, no stop
words) with a GIN index. Typo correction is not left to pg_trgm: trigram similarity misses short
transpositions ("drlil" ~ "drill" is 0.2) and would make the backends disagree, so both use the same
edit-distance look-up over the index vocabulary (handel.search.engine).
"""

from django.db import migrations

SQLITE_FORWARD = [
    """CREATE VIRTUAL TABLE search_fts USING fts5(
        terms, content='search_searchdocument', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2', prefix='2 3')""",
    """CREATE TRIGGER search_fts_insert AFTER INSERT ON search_searchdocument BEGIN
        INSERT INTO search_fts(rowid, terms) VALUES (new.id, new.terms); END""",
    """CREATE TRIGGER search_fts_delete AFTER DELETE ON search_searchdocument BEGIN
        INSERT INTO search_fts(search_fts, rowid, terms) VALUES ('delete', old.id, old.terms); END""",
    """CREATE TRIGGER search_fts_update AFTER UPDATE OF terms ON search_searchdocument BEGIN
        INSERT INTO search_fts(search_fts, rowid, terms) VALUES ('delete', old.id, old.terms);
        INSERT INTO search_fts(rowid, terms) VALUES (new.id, new.terms); END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS search_fts_update",
    "DROP TRIGGER IF EXISTS search_fts_delete",
    "DROP TRIGGER IF EXISTS search_fts_insert",
    "DROP TABLE IF EXISTS search_fts",
]
POSTGRES_FORWARD = [
    """ALTER TABLE search_searchdocument ADD COLUMN terms_vector tsvector
        GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, terms)) STORED""",
    "CREATE INDEX search_document_terms_gin ON search_searchdocument USING gin (terms_vector)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS search_document_terms_gin",
    "ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS terms_vector",
]


def run(statements_by_vendor):
    def apply(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [
        migrations.RunPython(
            run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        ),
    ]
