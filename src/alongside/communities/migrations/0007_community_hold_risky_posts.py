"""Communities may hold posts the crisis check reads as high risk for a moderator (`hold_risky_posts`).

On SQLite the AddField rebuilds communities_community, which drops the search triggers of 0005:
they are created again here, exactly as 0005 made them (its docstring asks for this).
"""

from typing import Any

from django.db import migrations, models

SQLITE_TRIGGERS = [
    """CREATE TRIGGER IF NOT EXISTS communities_community_fts_insert AFTER INSERT ON communities_community BEGIN
        INSERT OR REPLACE INTO communities_community_fts (rowid, name, topics, description)
        VALUES (new.id, new.name, new.topic_words, new.description);
    END""",
    """CREATE TRIGGER IF NOT EXISTS communities_community_fts_update
        AFTER UPDATE OF id, name, topic_words, description ON communities_community BEGIN
        DELETE FROM communities_community_fts WHERE rowid = old.id;
        INSERT OR REPLACE INTO communities_community_fts (rowid, name, topics, description)
        VALUES (new.id, new.name, new.topic_words, new.description);
    END""",
    """CREATE TRIGGER IF NOT EXISTS communities_community_fts_delete AFTER DELETE ON communities_community BEGIN
        DELETE FROM communities_community_fts WHERE rowid = old.id;
    END""",
]


def recreate_triggers(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_TRIGGERS:
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("communities", "0006_open_visibility_wording")]

    operations = [
        migrations.AddField(
            model_name="community",
            name="hold_risky_posts",
            field=models.BooleanField(default=False, verbose_name="hold posts that read as high risk for a moderator"),
        ),
        migrations.RunPython(recreate_triggers, migrations.RunPython.noop, elidable=False),
    ]
