"""Communities become searchable by name, topics and description (`communities.search`).

- `Community.topic_words`: the community's topics in words (each label in English and its code),
  kept by the services; filled here for existing communities.
- SQLite: an FTS5 table `communities_community_fts(name, topics, description)` (Porter stemmer over
  unicode61) whose rowid is the community's id, filled from the existing communities and kept in
  step by triggers, like `communities_post_fts` (0002).
- PostgreSQL: nothing more; communities are few, and each search checks them row by row.

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


def _run(statements: list[str]):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor == "sqlite":
            for statement in statements:
                schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("communities", "0003_anonymous_author_reference")]

    operations = [
        migrations.AddField(
            model_name="community",
            name="topic_words",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.RunPython(fill_topic_words, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(_run(SQLITE_FORWARD), _run(SQLITE_REVERSE), elidable=False),
    ]
