"""New replies become one item per person and thread instead of one per reply.

Each person's old "replied to your thread" rows for one thread become one `replies` item about the
thread: unread if any of them was, in which case the person's reading position in the thread
(communities 0004) is moved back to just before the first reply they had not read, so the item
counts exactly the replies they have not seen. Mentions stay as they are.
"""

from typing import Any

from django.conf import settings
from django.db import migrations, models

POST = "communities.post"
THREAD = "communities.thread"


def replies_become_one_item_per_thread(apps: Any, schema_editor: Any) -> None:
    Notification = apps.get_model("notifications", "Notification")
    Post = apps.get_model("communities", "Post")
    Thread = apps.get_model("communities", "Thread")
    ThreadState = apps.get_model("communities", "ThreadState")
    old = Notification.objects.filter(kind="reply", target_type=POST)
    thread_of = dict(Post.objects.filter(pk__in=old.values("target_id")).values_list("pk", "thread_id"))
    groups: dict[tuple[int, int], dict[str, Any]] = {}
    for row in old.order_by("created_at", "pk").iterator():
        thread_id = thread_of.get(row.target_id)
        if thread_id is None:
            continue
        group = groups.setdefault((row.recipient_id, thread_id), {"first_unread": None, "read_at": None})
        group["created_at"], group["subject"] = row.created_at, row.subject  # the latest wins
        if row.read_at is None:
            if group["first_unread"] is None or row.target_id < group["first_unread"]:
                group["first_unread"] = row.target_id
        elif group["read_at"] is None or row.read_at > group["read_at"]:
            group["read_at"] = row.read_at
    slugs = dict(
        Thread.objects.filter(pk__in={thread_id for _recipient, thread_id in groups}).values_list(
            "pk", "community__slug"
        )
    )
    for (recipient_id, thread_id), group in groups.items():
        unread = group["first_unread"] is not None
        Notification.objects.create(
            recipient_id=recipient_id,
            kind="replies",
            actor_label="",
            subject=group["subject"],
            url=f"/c/{slugs[thread_id]}/t/{thread_id}/",
            target_type=THREAD,
            target_id=thread_id,
            created_at=group["created_at"],
            read_at=None if unread else group["read_at"],
        )
        if unread:
            position = group["first_unread"] - 1
            state, _created = ThreadState.objects.get_or_create(
                user_id=recipient_id, thread_id=thread_id, defaults={"level": "following"}
            )
            if state.last_read_post_id is None or state.last_read_post_id > position:
                ThreadState.objects.filter(pk=state.pk).update(last_read_post_id=position)
    old.delete()
    if schema_editor.connection.vendor == "postgresql":
        # Check the foreign keys of the rows written above now, so that PostgreSQL lets the index
        # and constraint below be created in the same transaction ("pending trigger events").
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0002_notification_subject"),
        ("communities", "0004_thread_state"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="notification",
            name="kind",
            field=models.CharField(
                choices=[("replies", "New replies in a thread you follow"), ("mention", "Mention")], max_length=16
            ),
        ),
        migrations.RunPython(replies_become_one_item_per_thread, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(fields=["target_type", "target_id"], name="notificatio_target__08ac26_idx"),
        ),
        migrations.AddConstraint(
            model_name="notification",
            constraint=models.UniqueConstraint(
                condition=models.Q(("kind", "replies")),
                fields=("recipient", "target_type", "target_id"),
                name="notifications_one_replies_item_per_thread",
            ),
        ),
    ]
