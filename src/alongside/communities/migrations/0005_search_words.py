"""Communities become searchable by name, topics and description (`communities.search`).

- `Community.topic_words`: the community's topics in words (each label in English and its code),
  kept by the services; filled here for existing communities.
- SQLite: an FTS5 table `communities_community_fts(name, topics, description)` (Porter stemmer over
  unicode61) whose rowid is the community's id, filled from the existing communities and kept in
  step by triggers, like `communities_post_fts` (0002).
- PostgreSQL: posts get a stored generated column `search_body` (`to_tsvector('english', body)`)
  with a GIN index, which replaces the expression index of 0002: ranking thousands of hits no
  longer parses every body again (docs/performance.md). The column is not in the model; PostgreSQL
  computes it on every insert and update. Communities are few: each search checks them row by row.

SQLite drops a table's triggers when Django rebuilds that table (an AddField with a default, an
AlterField...). A later migration that rebuilds communities_community must create the three
triggers below again (and one that rebuilds communities_post or communities_thread, those of 0002);
the search tests fail if it does not.
"""

from typing import Any

from django.db import migrations, models

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE communities_community_fts USING fts5("
    "name, topics, description, tokenize = 'porter unicode61')",
    """CREATE TRIGGER communities_community_fts_insert AFTER INSERT ON communities_community BEGIN
        INSERT OR REPLACE INTO communities_community_fts (rowid, name, topics, description)
        VALUES (new.id, new.name, new.topic_words, new.description);
    END""",
    """CREATE TRIGGER communities_community_fts_update AFTER UPDATE OF id, name, topic_words, description
        ON communities_community BEGIN
        DELETE FROM communities_community_fts WHERE rowid = old.id;
        INSERT OR REPLACE INTO communities_community_fts (rowid, name, topics, description)
        VALUES (new.id, new.name, new.topic_words, new.description);
    END""",
    """CREATE TRIGGER communities_community_fts_delete AFTER DELETE ON communities_community BEGIN
        DELETE FROM communities_community_fts WHERE rowid = old.id;
    END""",
    """INSERT INTO communities_community_fts (rowid, name, topics, description)
        SELECT id, name, topic_words, description FROM communities_community""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS communities_community_fts_delete",
    "DROP TRIGGER IF EXISTS communities_community_fts_update",
    "DROP TRIGGER IF EXISTS communities_community_fts_insert",
    "DROP TABLE IF EXISTS communities_community_fts",
]

POSTGRESQL_FORWARD = [
    "ALTER TABLE communities_post ADD COLUMN IF NOT EXISTS search_body tsvector "
    "GENERATED ALWAYS AS (to_tsvector('english'::regconfig, body)) STORED",
    "CREATE INDEX IF NOT EXISTS communities_post_search_body ON communities_post USING gin (search_body)",
    "DROP INDEX IF EXISTS communities_post_body_fts",
]
POSTGRESQL_REVERSE = [
    "CREATE INDEX IF NOT EXISTS communities_post_body_fts ON communities_post "
    "USING gin (to_tsvector('english'::regconfig, body))",
    "DROP INDEX IF EXISTS communities_post_search_body",
    "ALTER TABLE communities_post DROP COLUMN IF EXISTS search_body",
]


def fill_topic_words(apps: Any, schema_editor: Any) -> None:
    # communities.search.community_topic_words, frozen here.
    from django.utils import translation

    from alongside.accounts.enums import Topic

    labels = dict(Topic.choices)
    Community = apps.get_model("communities", "Community")
    with translation.override("en"):
        for community in Community.objects.exclude(topics=[]).only("pk", "topics"):
            words = " ".join(f"{labels.get(code, code)} {str(code).replace('_', ' ')}" for code in community.topics)
            Community.objects.filter(pk=community.pk).update(topic_words=words)


def _run(statements_by_vendor: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("communities", "0004_thread_state")]

    operations = [
        migrations.AddField(
            model_name="community",
            name="topic_words",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.RunPython(fill_topic_words, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRESQL_FORWARD}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRESQL_REVERSE}),
            elidable=False,
        ),
    ]
