"""Anonymous posts stop naming their writer: the author link becomes a keyed digest (to recognise
the writer) and the encrypted id (for the audited reveal); an anonymous writer's own edits stop
naming them in the edit history.

Only nullable columns are added to communities_post, so SQLite adds them in place and the full-text
search triggers of 0002 stay as they are.
"""

from typing import Any

from django.db import migrations, models

import alongside.core.crypto

PURPOSE = "communities.post.author"  # communities.authorship.PURPOSE, frozen here


def seal_anonymous_authors(apps: Any, schema_editor: Any) -> None:
    from alongside.core.crypto import lookup_digest

    Post = apps.get_model("communities", "Post")
    PostRevision = apps.get_model("communities", "PostRevision")
    for post in Post.objects.filter(author__isnull=False).only("pk", "author_id", "is_anonymous"):
        PostRevision.objects.filter(post_id=post.pk, edited_by_id=post.author_id).update(
            by_author=True, edited_by=None if post.is_anonymous else post.author_id
        )
        if post.is_anonymous:
            Post.objects.filter(pk=post.pk).update(
                author=None,
                author_ref=lookup_digest(str(post.author_id), purpose=PURPOSE),
                author_sealed=alongside.core.crypto.encrypt_text(str(post.author_id)),
            )


class Migration(migrations.Migration):
    dependencies = [("communities", "0002_post_search")]

    operations = [
        migrations.AddField(
            model_name="post",
            name="author_ref",
            field=models.CharField(blank=True, db_index=True, editable=False, max_length=64, null=True),
        ),
        migrations.AddField(
            model_name="post",
            name="author_sealed",
            field=alongside.core.crypto.EncryptedTextField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="postrevision",
            name="by_author",
            field=models.BooleanField(default=False),
        ),
        migrations.RunPython(seal_anonymous_authors, migrations.RunPython.noop),
    ]
