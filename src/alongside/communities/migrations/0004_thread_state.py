"""One state per person and thread: following or muted, and how far they have read.

The writers of existing threads follow them from now on (they were told of every reply before), with
their reading position at the thread's newest post. Earlier repliers are not made followers
retroactively: the default applies to replies written from now on, so nobody is flooded at once.
(notifications 0003 moves a writer's position back before any reply they had not read yet.)
"""

from typing import Any

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import Max


def writers_follow_their_threads(apps: Any, schema_editor: Any) -> None:
    Post = apps.get_model("communities", "Post")
    ThreadState = apps.get_model("communities", "ThreadState")
    User = apps.get_model(settings.AUTH_USER_MODEL)
    people = set(User.objects.values_list("pk", flat=True))  # an anonymous writer may have left since
    newest = dict(Post.objects.values_list("thread_id").annotate(newest=Max("pk")).order_by())
    states = []
    # author_sealed decrypts on reading (the field is alongside.core.crypto.EncryptedTextField).
    openings = Post.objects.filter(is_opening=True).exclude(thread__status="removed")
    for opening in openings.only("pk", "thread_id", "author_id", "author_sealed").iterator():
        writer = opening.author_id or (int(opening.author_sealed) if opening.author_sealed else None)
        if writer in people:
            states.append(
                ThreadState(
                    thread_id=opening.thread_id,
                    user_id=writer,
                    level="following",
                    last_read_post_id=newest.get(opening.thread_id, opening.pk),
                )
            )
    ThreadState.objects.bulk_create(states, batch_size=500, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("communities", "0003_anonymous_author_reference"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ThreadState",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "level",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("", "Not chosen"),
                            ("following", "Following"),
                            ("not_following", "Not following"),
                            ("muted", "Muted"),
                        ],
                        default="",
                        max_length=16,
                    ),
                ),
                ("last_read_post_id", models.PositiveBigIntegerField(blank=True, null=True)),
                (
                    "thread",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="states", to="communities.thread"
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="thread_states",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "indexes": [models.Index(fields=["thread", "level"], name="communities_thread__f58f69_idx")],
                "constraints": [
                    models.UniqueConstraint(fields=("user", "thread"), name="communities_one_state_per_thread")
                ],
            },
        ),
        migrations.RunPython(writers_follow_their_threads, migrations.RunPython.noop),
    ]
