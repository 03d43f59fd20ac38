"""Full-text search structures for `communities.search`, one set per database engine.

PostgreSQL: GIN expression indexes on to_tsvector('english', post body) and on
to_tsvector('english', thread title), spelled exactly as `search._to_tsvector` writes them.

SQLite: an FTS5 table `communities_post_fts(title, body)` (Porter stemmer over unicode61) whose
rowid is the post's id, filled from the existing posts and kept in step by triggers: posts
inserted, edited, moved or deleted, and thread titles changed. The thread title is indexed on
the thread's opening post only. Plain DELETEs (Django's flush between transactional tests) fire
the delete trigger (SQLite skips its truncate shortcut on tables with triggers), and INSERT OR
REPLACE tolerates a stale row left with a reused id.

Neither touches the models' state, so `makemigrations` sees no change.
"""

from __future__ import annotations

from django.db import migrations

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE communities_post_fts USING fts5(title, body, tokenize = 'porter unicode61')",
    """CREATE TRIGGER communities_post_fts_insert AFTER INSERT ON communities_post BEGIN
        INSERT OR REPLACE INTO communities_post_fts (rowid, title, body) VALUES (
            new.id,
            CASE WHEN new.is_opening
                THEN coalesce((SELECT title FROM communities_thread WHERE id = new.thread_id), '') ELSE '' END,
            new.body
        );
    END""",
    """CREATE TRIGGER communities_post_fts_update AFTER UPDATE OF id, body, is_opening, thread_id
        ON communities_post BEGIN
        DELETE FROM communities_post_fts WHERE rowid = old.id;
        INSERT OR REPLACE INTO communities_post_fts (rowid, title, body) VALUES (
            new.id,
            CASE WHEN new.is_opening
                THEN coalesce((SELECT title FROM communities_thread WHERE id = new.thread_id), '') ELSE '' END,
            new.body
        );
    END""",
    """CREATE TRIGGER communities_post_fts_delete AFTER DELETE ON communities_post BEGIN
        DELETE FROM communities_post_fts WHERE rowid = old.id;
    END""",
    """CREATE TRIGGER communities_thread_fts_title AFTER UPDATE OF title ON communities_thread BEGIN
        UPDATE communities_post_fts SET title = new.title
        WHERE rowid IN (SELECT id FROM communities_post WHERE thread_id = new.id AND is_opening);
    END""",
    """INSERT INTO communities_post_fts (rowid, title, body)
        SELECT p.id, CASE WHEN p.is_opening THEN t.title ELSE '' END, p.body
        FROM communities_post AS p JOIN communities_thread AS t ON t.id = p.thread_id""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS communities_thread_fts_title",
    "DROP TRIGGER IF EXISTS communities_post_fts_delete",
    "DROP TRIGGER IF EXISTS communities_post_fts_update",
    "DROP TRIGGER IF EXISTS communities_post_fts_insert",
    "DROP TABLE IF EXISTS communities_post_fts",
]

POSTGRESQL_FORWARD = [
    "CREATE INDEX IF NOT EXISTS communities_post_body_fts ON communities_post "
    "USING gin (to_tsvector('english'::regconfig, body))",
    "CREATE INDEX IF NOT EXISTS communities_thread_title_fts ON communities_thread "
    "USING gin (to_tsvector('english'::regconfig, title))",
]
POSTGRESQL_REVERSE = [
    "DROP INDEX IF EXISTS communities_thread_title_fts",
    "DROP INDEX IF EXISTS communities_post_body_fts",
]


def _run(statements_by_vendor: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("communities", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRESQL_FORWARD}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRESQL_REVERSE}),
            elidable=False,
        ),
    ]
