"""Upgrading keeps what people were told: communities 0004 makes writers follow their threads, and
notifications 0003 turns the old one-row-per-reply notifications into one item per thread that
still counts exactly the replies its reader had not read (anonymous writers included)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from alongside.communities.models import FollowLevel, ThreadState
from alongside.notifications.models import Notification
from alongside.notifications.presenters import present_notifications
from alongside.notifications.selectors import notification_details, notification_list
from tests.personas import make_person

BEFORE = [("communities", "0003_anonymous_author_reference"), ("notifications", "0002_notification_subject")]


@pytest.fixture
def old_schema(transactional_db: Any) -> Iterator[Any]:
    """The database as it was before these migrations, and three people made through today's model
    first (undoing communities' migrations also undoes the accounts migrations that come after
    them); put back to the latest afterwards."""
    people = [make_person(name) for name in ("old_writer", "old_hidden_writer", "old_friend")]
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        yield executor.loader.project_state(BEFORE).apps, people
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


def test_old_reply_notifications_become_one_item_per_thread(old_schema: Any) -> None:
    apps, (writer, hidden_writer, friend) = old_schema
    Community = apps.get_model("communities", "Community")
    Thread = apps.get_model("communities", "Thread")
    Post = apps.get_model("communities", "Post")
    old_notification = apps.get_model("notifications", "Notification")
    community = Community.objects.create(name="Old place", slug="old-place")
    start = timezone.now() - timedelta(days=2)

    def thread_with_replies(title: str, **opening: Any) -> tuple[Any, list[Any]]:
        thread = Thread.objects.create(community=community, title=title, created_at=start, last_activity_at=start)
        Post.objects.create(
            thread=thread, is_opening=True, body="Hi", body_html="<p>Hi</p>", created_at=start, **opening
        )
        replies = [
            Post.objects.create(
                thread=thread, author_id=friend.pk, body=f"Reply {n}", body_html=f"<p>Reply {n}</p>",
                created_at=start + timedelta(hours=n + 1),
            )
            for n in range(4)
        ]  # fmt: skip
        return thread, replies

    named, named_replies = thread_with_replies("Named thread", author_id=writer.pk)
    anonymous, anonymous_replies = thread_with_replies(
        "Anonymous thread", is_anonymous=True, author_sealed=str(hidden_writer.pk)
    )

    def told(recipient: Any, post: Any, *, read: bool) -> None:
        old_notification.objects.create(
            recipient_id=recipient.pk, kind="reply", actor_label="old_friend", subject=post.thread.title,
            url=f"/posts/{post.pk}/", target_type="communities.post", target_id=post.pk,
            created_at=post.created_at, read_at=post.created_at if read else None,
        )  # fmt: skip

    # The writer read the first two replies' notifications, not the last two; the anonymous writer read all.
    for index, reply in enumerate(named_replies):
        told(writer, reply, read=index < 2)
    for reply in anonymous_replies:
        told(hidden_writer, reply, read=True)
    old_notification.objects.create(
        recipient_id=writer.pk, kind="mention", actor_label="old_friend", subject="Named thread",
        url=f"/posts/{named_replies[3].pk}/", target_type="communities.post", target_id=named_replies[3].pk,
    )  # fmt: skip

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert ThreadState.objects.get(user_id=writer.pk, thread_id=named.pk).level == FollowLevel.FOLLOWING
    assert ThreadState.objects.get(user_id=hidden_writer.pk, thread_id=anonymous.pk).level == FollowLevel.FOLLOWING
    assert not Notification.objects.filter(kind="reply").exists()
    rows = list(notification_list(viewer=writer))
    views = present_notifications(rows, notification_details(viewer=writer, notifications=rows))
    # The mention is kept (first), and the two unread replies are one item counting them (the
    # fourth reply is also the mention, so it is not counted twice).
    assert [(view.notification.kind, view.text, view.unread) for view in views] == [
        ("mention", "old_friend mentioned you in “Named thread”", True),
        ("replies", "1 new reply in “Named thread”", True),
    ]
    assert rows[1].url == f"/c/old-place/t/{named.pk}/"
    (anonymous_item,) = Notification.objects.filter(recipient_id=hidden_writer.pk)
    assert (anonymous_item.kind, anonymous_item.target_id) == ("replies", anonymous.pk)
    assert anonymous_item.read_at is not None
