"""The notifications JSON API under /api/v1/notifications: one's own notifications, unread mentions
first, then other unread items, then read ones, newest first in each.

Notifications are caused the way people cause them: replies in a thread someone follows (one item
per thread), a mention, both through the communities services. Every answer is checked against
the OpenAPI description.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alongside.accounts.models import User
from alongside.communities import services
from alongside.communities.models import Post, Thread
from alongside.notifications.models import Notification
from tests.support import Caller

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_(openapi_spec: dict[str, Any]) -> Any:
    def caller(user: User | None) -> Caller:
        return Caller(openapi_spec, user)

    return caller


def ok(response: Any) -> Any:
    assert response.status_code == 200, response.content
    return response.json()


def invalid_fields(response: Any) -> set[str]:
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "invalid"
    return {str(part) for problem in response.json()["detail"] for part in problem["loc"]}


def unread(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


@pytest.fixture
def two_for_member(member: User, other_member: User, thread: Thread) -> list[Post]:
    """Two replies to the member's thread, the second also mentioning them: two notifications, the
    mention and one item about the other reply (a reply that mentions them is one notification)."""
    return [
        services.post_reply(actor=other_member, thread=thread, body="A warm drink helps."),
        services.post_reply(actor=other_member, thread=thread, body="Thinking of you, @river_member"),
    ]


def test_my_notifications_mention_first_in_the_list_envelope(as_, member, two_for_member, thread):
    _first, second = two_for_member
    listing = ok(as_(member)("GET", "/notifications"))

    assert (listing["page"], listing["pages"], listing["count"]) == (1, 1, 2)
    mention, replies = listing["items"]
    assert mention == {
        "id": mention["id"],
        "kind": "mention",
        "text": "maple_member mentioned you in “Evenings are hard”",
        "url": f"/posts/{second.pk}/",
        "actor_label": "maple_member",
        "count": None,
        "snippet": "Thinking of you, @river_member",
        "created_at": mention["created_at"],
        "read": False,
    }
    assert replies == {
        "id": replies["id"],
        "kind": "replies",
        "text": "1 new reply in “Evenings are hard”",
        "url": f"/c/calm-harbour/t/{thread.pk}/",
        "actor_label": "maple_member",
        "count": 1,
        "snippet": "A warm drink helps.",
        "created_at": replies["created_at"],
        "read": False,
    }


def test_pages_of_thirty(as_, member, other_member, thread):
    for number in range(31):
        services.post_reply(actor=other_member, thread=thread, body=f"Reply {number}, @river_member")
    caller = as_(member)

    first = ok(caller("GET", "/notifications"))
    assert (len(first["items"]), first["page"], first["pages"], first["count"]) == (30, 1, 2, 31)
    second = ok(caller("GET", "/notifications?page=2"))
    assert len(second["items"]) == 1
    assert second["items"][0]["id"] not in {n["id"] for n in first["items"]}
    assert ok(caller("GET", "/notifications?page=9"))["page"] == 2  # past the end: the last page
    assert "page" in invalid_fields(caller("GET", "/notifications?page=0"))


def test_an_anonymous_mention_names_nobody(as_, member, other_member, harbour):
    services.thread_create(
        actor=other_member, community=harbour, title="A hard week", body="@river_member, you too?", is_anonymous=True
    )
    response = as_(member)("GET", "/notifications")

    [notification] = ok(response)["items"]
    assert (notification["kind"], notification["actor_label"]) == ("mention", "Anonymous member")
    assert notification["text"] == "Anonymous member mentioned you in “A hard week”"
    assert b"maple_member" not in response.content


def test_unread_count_and_marking_read_by_ids(as_, member, two_for_member):
    caller = as_(member)
    assert ok(caller("GET", "/notifications/unread-count")) == {"count": 2}
    mention, replies = [n["id"] for n in ok(caller("GET", "/notifications"))["items"]]

    marked = caller("POST", "/notifications/read", {"ids": [replies, replies, 999_999]})
    assert ok(marked) == {"marked": 1}
    assert ok(caller("GET", "/notifications/unread-count")) == {"count": 1}
    items = ok(caller("GET", "/notifications"))["items"]
    assert [(n["id"], n["read"]) for n in items] == [(mention, False), (replies, True)]
    assert (items[1]["text"], items[1]["count"]) == ("Replies in “Evenings are hard”", None)
    assert ok(caller("POST", "/notifications/read", {"ids": [replies]})) == {"marked": 0}  # already read
    assert ok(caller("POST", "/notifications/read", {"ids": []})) == {"marked": 0}
    assert unread(member) == 1


def test_marking_all_read(as_, member, other_member, two_for_member, harbour):
    services.thread_create(actor=member, community=harbour, title="Mornings", body="Hello @maple_member")  # theirs
    caller = as_(member)

    assert ok(caller("POST", "/notifications/read", {"ids": None})) == {"marked": 2}
    assert ok(caller("GET", "/notifications/unread-count")) == {"count": 0}
    assert all(n["read"] for n in ok(caller("GET", "/notifications"))["items"])
    assert ok(caller("POST", "/notifications/read", {"ids": None})) == {"marked": 0}
    assert unread(other_member) == 1  # "all" is all of mine, never anyone else's


def test_nobody_reads_or_marks_someone_elses_notifications(as_, member, other_member, two_for_member):
    theirs = list(Notification.objects.filter(recipient=member).values_list("pk", flat=True))
    stranger = as_(other_member)

    assert ok(stranger("GET", "/notifications")) == {"items": [], "page": 1, "pages": 1, "count": 0}
    assert ok(stranger("GET", "/notifications/unread-count")) == {"count": 0}
    assert ok(stranger("POST", "/notifications/read", {"ids": theirs})) == {"marked": 0}
    assert ok(stranger("POST", "/notifications/read", {"ids": None})) == {"marked": 0}
    assert unread(member) == 2


def test_a_removed_post_takes_its_notifications_with_it(as_, member, other_member, two_for_member, thread):
    first, second = two_for_member
    services.post_delete(actor=other_member, post=second)
    caller = as_(member)

    listing = ok(caller("GET", "/notifications"))
    assert [(n["kind"], n["count"]) for n in listing["items"]] == [("replies", 1)]
    assert ok(caller("GET", "/notifications/unread-count")) == {"count": 1}

    services.post_delete(actor=other_member, post=first)  # the item stood for that reply alone
    assert ok(caller("GET", "/notifications")) == {"items": [], "page": 1, "pages": 1, "count": 0}
    assert ok(caller("GET", "/notifications/unread-count")) == {"count": 0}


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"ids": [False]}, "ids"),
        ({"ids": [True, 1]}, "ids"),
        ({"ids": ["1"]}, "ids"),
        ({"ids": [1.0]}, "ids"),
        ({"ids": [0]}, "ids"),
        ({"ids": [2**63]}, "ids"),
        ({"ids": [None]}, "ids"),
        ({"ids": "all"}, "ids"),
        ({"ids": list(range(1, 1002))}, "ids"),
        ({}, "ids"),
        ({"ids": None, "everything": True}, "everything"),
    ],
)
def test_mark_read_refuses_anything_but_a_list_of_ids_or_null(as_, member, two_for_member, payload, field):
    assert field in invalid_fields(as_(member)("POST", "/notifications/read", payload))
    assert unread(member) == 2


@pytest.mark.parametrize(("raw", "status"), [("{not json", 400), ("[null, null]", 422), ("null", 422), ("[1]", 422)])
def test_mark_read_with_a_body_that_is_not_an_object_changes_nothing(as_, member, two_for_member, raw, status):
    response = as_(member)("POST", "/notifications/read", raw=raw)
    assert response.status_code == status
    assert response.json()["code"] == {400: "bad_request", 422: "invalid"}[status]
    assert unread(member) == 2


def test_signed_out_nothing_is_served_or_marked(as_, two_for_member, member):
    stranger = as_(None)
    for method, path, body in [
        ("GET", "/notifications", None),
        ("GET", "/notifications/unread-count", None),
        ("POST", "/notifications/read", {"ids": None}),
    ]:
        response = stranger(method, path, body)
        assert response.status_code == 401
        assert response.json()["code"] == "not_authenticated"
    assert unread(member) == 2


def test_the_list_runs_the_same_queries_however_many_notifications(as_, member, other_member, harbour, thread):
    services.post_reply(actor=other_member, thread=thread, body="Hello @river_member")
    services.post_reply(actor=other_member, thread=thread, body="Hello again")
    caller = as_(member)
    caller("GET", "/notifications")  # the token's first use is recorded once

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            ok(caller("GET", "/notifications"))
        return len(captured)

    few = queries()
    for number in range(5):
        services.post_reply(actor=other_member, thread=thread, body=f"Reply {number}, @river_member")
        another = services.thread_create(actor=member, community=harbour, title=f"Thread {number}", body="Hi")
        services.post_reply(actor=other_member, thread=another, body=f"Answer {number}", is_anonymous=number % 2 == 0)
    assert ok(caller("GET", "/notifications"))["count"] == 12  # 6 mentions, 6 threads with new replies
    assert queries() == few
