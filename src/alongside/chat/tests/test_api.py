"""The chat JSON API under /api/v1/chat/: the same rules and delivery contract as the web pages and
the WebSocket, for mobile apps.

Every answer is checked against the OpenAPI description of its path, method and status, errors
included (`{"detail", "code"}` with a stable code). A conversation the caller may not see answers
404 exactly like a missing one; an action refused in a chat the caller can see is 403 with the
reason; a refused or invalid request changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alongside.accounts.enums import Role
from alongside.accounts.models import Block, User
from alongside.chat.access.conversations import (
    REASON_ALREADY_WAITING,
    REASON_ENDED,
    REASON_NOT_IN_CHAT,
    REASON_RATE_ONCE,
    REASON_SLOW_DOWN,
)
from alongside.chat.consumers import HELD_DETAIL
from alongside.chat.models import (
    ChatReport,
    Conversation,
    ListenerProfile,
    Message,
    MessageKind,
    Participant,
    Rating,
    SupportRequest,
)
from alongside.chat.services import conversations as services
from alongside.chat.tests.conftest import ask, on_duty, say, viewer_of
from alongside.core.models import AuditEntry, BlockedTerm, ScreeningAction
from tests.fixtures import api_for, client_for
from tests.personas import make_person
from tests.support import Caller, check_answer, response_schema

pytestmark = pytest.mark.django_db

NOT_FOUND = {"detail": "Not found.", "code": "not_found"}
MISSING = 987654321


# --- Calling the API ----------------------------------------------------------------------


@pytest.fixture
def as_(openapi_spec: dict[str, Any]) -> Callable[[User | None], Caller]:
    """`as_(member)("GET", "/chat/conversations")`: a call as that persona, checked against the schema."""

    def caller(user: User | None) -> Caller:
        return Caller(openapi_spec, user)

    return caller


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content
    return None if status == 204 else response.json()


def assert_not_found(response: Any) -> None:
    assert response.status_code == 404, response.content
    assert response.json() == NOT_FOUND


def assert_not_allowed(response: Any, reason: Any) -> None:
    assert response.status_code == 403, response.content
    assert response.json() == {"detail": str(reason), "code": "not_allowed"}


def error_fields(response: Any) -> set[str]:
    """Every name in the `loc` of each problem of a 422 answer."""
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "invalid"
    assert all(problem["msg"] for problem in body["detail"])
    return {str(part) for problem in body["detail"] for part in problem["loc"]}


def snapshot() -> dict[str, Any]:
    """Everything a chat request could change, to show that a refused or invalid one changed nothing."""
    return {
        "conversations": list(
            Conversation.objects.order_by("pk").values_list("pk", "status", "listener_id", "last_seq", "rated")
        ),
        "requests": list(SupportRequest.objects.order_by("pk").values_list("pk", "status", "preferred_listener_id")),
        "participants": list(Participant.objects.order_by("pk").values_list("pk", "left_at", "last_read_seq")),
        "messages": list(Message.objects.order_by("pk").values_list("pk", "seq", "client_id", "status")),
        "ratings": Rating.objects.count(),
        "blocks": Block.objects.count(),
        "reports": ChatReport.objects.count(),
        "audit": AuditEntry.objects.count(),
    }


def matched(member: User, **kwargs: Any) -> Conversation:
    """A member's chat with the listener on duty (the match runs after the commit in production)."""
    request = ask(member, **kwargs)
    services.queue_match()
    return Conversation.objects.get(pk=request.conversation_id)


def chat_path(conversation: Conversation | int, tail: str = "") -> str:
    """The API path of a conversation (or of a conversation id), with `tail` after it."""
    conversation_id = conversation if isinstance(conversation, int) else conversation.pk
    return f"/chat/conversations/{conversation_id}{tail}"


# --- Asking for support and the queue ---------------------------------------------------------


def test_asking_for_support_answers_the_request_its_chat_and_the_queue_place(as_, member, other_member):
    ask(other_member)  # someone is already waiting
    caller = as_(member)
    payload = {"language": "en", "topic": "anxiety", "first_message": "I can't sleep", "client_id": "first-1"}
    body = ok(caller("POST", "/chat/requests", payload), 201)

    request = SupportRequest.objects.get(member=member)
    assert body["id"] == request.pk
    assert body["conversation_id"] == request.conversation_id
    assert (body["status"], body["language"], body["topic"]) == ("waiting", "en", "anxiety")
    assert body["position"] == 2
    assert body["estimated_wait_seconds"] >= 30
    assert body["still_waiting"] is False
    first = Message.objects.get(conversation_id=request.conversation_id)
    assert (first.seq, first.client_id, first.body) == (1, "first-1", "I can't sleep")

    assert ok(caller("GET", "/chat/requests/current")) == body
    assert_not_allowed(caller("POST", "/chat/requests", {"language": "en"}), REASON_ALREADY_WAITING)
    assert SupportRequest.objects.filter(member=member).count() == 1


def test_the_current_request_is_404_when_nothing_waits(as_, member, listener):
    caller = as_(member)
    none_yet = caller("GET", "/chat/requests/current")
    assert none_yet.status_code == 404
    assert none_yet.json()["code"] == "not_found"
    ask(member)
    assert ok(caller("GET", "/chat/requests/current"))["position"] == 1
    on_duty(listener)
    services.queue_match()
    assert caller("GET", "/chat/requests/current").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_a_request_matched_at_once_says_so(as_, member, duty_listener):
    # Committed for real: the match runs as the request's transaction commits, before the answer.
    body = ok(as_(member)("POST", "/chat/requests", {"language": "en"}), 201)
    assert body["status"] == "assigned"
    assert (body["position"], body["estimated_wait_seconds"]) == (None, None)
    assert Conversation.objects.get(pk=body["conversation_id"]).listener == duty_listener


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"language": "xx"}, "language"),
        ({"language": 5}, "language"),
        ({}, "language"),
        ({"language": "en", "topic": "astrology"}, "topic"),
        ({"language": "en", "first_message": "x" * 4001}, "body"),
        ({"language": "en", "first_message": "hi", "client_id": "not valid!"}, "client_id"),
        ({"language": "en", "first_message": "nul \x00"}, "first_message"),
        ({"language": "en", "listener_id": 12345}, "listener_id"),
        ({"language": "en", "listener_id": 0}, "listener_id"),
        ({"language": "en", "urgent": True}, "urgent"),
    ],
)
def test_asking_with_bad_input_is_422_and_nothing_is_written(as_, member, payload, field):
    before = snapshot()
    assert field in error_fields(as_(member)("POST", "/chat/requests", payload))
    assert snapshot() == before


def test_unparseable_json_is_400(as_, member):
    response = as_(member)("POST", "/chat/requests", raw="{not json")
    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"


def test_asking_again_for_a_listener_talked_with_before(as_, member, duty_listener, second_listener):
    ListenerProfile.objects.filter(user=second_listener).update(is_online=False)
    first = matched(member)
    services.conversation_end(actor=member, viewer=viewer_of(member, first))
    caller = as_(member)
    listeners = ok(caller("GET", "/chat/listeners"))
    assert listeners == {
        "items": [{"id": duty_listener.pk, "name": "kind_listener"}],
        "page": 1,
        "pages": 1,
        "count": 1,
    }
    assert ok(as_(second_listener)("GET", "/chat/listeners"))["items"] == []

    body = ok(caller("POST", "/chat/requests", {"language": "en", "listener_id": duty_listener.pk}), 201)
    assert SupportRequest.objects.get(pk=body["id"]).preferred_listener == duty_listener


# --- Conversations ----------------------------------------------------------------------------


def test_my_conversations_list_both_sides_newest_first(as_, member, other_member, duty_listener):
    first = matched(member, language="en")
    services.conversation_end(actor=member, viewer=viewer_of(member, first))
    second = matched(member)
    waiting = ask(other_member)

    mine = ok(as_(member)("GET", "/chat/conversations"))
    assert (mine["page"], mine["pages"], mine["count"]) == (1, 1, 2)
    assert [(c["id"], c["status"], c["role"], c["other_name"]) for c in mine["items"]] == [
        (second.pk, "active", "member", "kind_listener"),
        (first.pk, "ended", "member", "kind_listener"),
    ]
    assert mine["items"][1]["ended_at"] is not None
    listening = ok(as_(duty_listener)("GET", "/chat/conversations"))
    assert [(c["id"], c["role"], c["other_name"]) for c in listening["items"]] == [
        (second.pk, "listener", "river_member"),
        (first.pk, "listener", "river_member"),
    ]
    theirs = ok(as_(other_member)("GET", "/chat/conversations"))["items"]
    assert [(c["id"], c["status"], c["other_name"]) for c in theirs] == [(waiting.conversation_id, "waiting", None)]
    assert "page" in error_fields(as_(member)("GET", "/chat/conversations?page=0"))


def test_the_conversations_list_pages(as_, member, duty_listener):
    for _ in range(31):
        chat = matched(member)
        services.conversation_end(actor=member, viewer=viewer_of(member, chat))
    caller = as_(member)
    first, second = ok(caller("GET", "/chat/conversations")), ok(caller("GET", "/chat/conversations?page=2"))
    assert (first["pages"], first["count"], len(first["items"]), len(second["items"])) == (2, 31, 30, 1)
    assert second["items"][0]["id"] == Conversation.objects.order_by("created_at", "pk").first().pk


def test_a_conversation_shows_each_side_what_the_web_page_shows(as_, member, duty_listener):
    conversation = matched(member, topic="grief")
    say(member, conversation, "hello", client_id="m1")
    as_member = ok(as_(member)("GET", chat_path(conversation)))
    member_participant = Participant.objects.get(conversation=conversation, user=member)
    assert as_member["id"] == conversation.pk
    assert (as_member["kind"], as_member["status"], as_member["role"]) == ("support", "active", "member")
    assert (as_member["me"], as_member["current"], as_member["last_seq"]) == (member_participant.pk, True, 2)
    assert as_member["other"] == {"name": "kind_listener", "pronouns": "", "languages": [], "topic": ""}
    assert (as_member["send_refused"], as_member["can_end"], as_member["can_rate"]) == ("", True, False)
    assert (as_member["can_block_or_report"], as_member["can_hand_over_or_escalate"]) == (True, False)
    assert (as_member["escalated"], as_member["position"], as_member["held"]) == (False, None, [])

    as_listener = ok(as_(duty_listener)("GET", chat_path(conversation)))
    assert as_listener["role"] == "listener"
    assert as_listener["other"]["name"] == "river_member"
    assert as_listener["other"]["topic"] == "grief"
    assert as_listener["other_read_seq"] == 2  # the member's own message counts as read
    assert as_listener["can_hand_over_or_escalate"] is True


def test_a_waiting_member_sees_their_place_in_the_conversation(as_, member):
    request = ask(member)
    body = ok(as_(member)("GET", chat_path(request.conversation_id)))
    assert (body["status"], body["position"], body["other"]) == ("waiting", 1, None)
    assert body["estimated_wait_seconds"] >= 30


def test_the_member_sees_when_responders_were_asked_to_help(as_, member, duty_listener):
    conversation = matched(member)
    services.conversation_escalate(actor=duty_listener, viewer=viewer_of(duty_listener, conversation), note="worried")
    assert ok(as_(member)("GET", chat_path(conversation)))["escalated"] is True
    assert ok(as_(duty_listener)("GET", chat_path(conversation)))["escalated"] is False


# --- History by sequence number ---------------------------------------------------------------


def test_history_pages_by_sequence_number_in_order_without_gaps(as_, member, duty_listener):
    conversation = matched(member)  # 1: "joined"
    for n in range(6):
        say(member if n % 2 else duty_listener, conversation, f"message {n}", client_id=f"c{n}")
    caller = as_(member)
    me = ok(caller("GET", chat_path(conversation)))["me"]

    seen: list[int] = []
    after: int | None = 0
    pages = 0
    while after is not None:
        page = ok(caller("GET", chat_path(conversation, f"/messages?after={after}&limit=3")))
        seen += [m["seq"] for m in page["items"]]
        after = page["next_after"]
        pages += 1
    assert seen == list(range(1, 8))
    assert pages == 3
    everything = ok(caller("GET", chat_path(conversation, "/messages")))["items"]
    assert everything[0]["kind"] == "event"
    assert (everything[0]["from"], everything[0]["role"], everything[0]["name"]) == (None, "", "")
    mine = [m for m in everything if m["from"] == me]
    assert [m["body"] for m in mine] == ["message 1", "message 3", "message 5"]
    assert {(m["role"], m["name"]) for m in mine} == {("member", "river_member")}
    assert everything[1]["type"] == "message"
    assert (everything[1]["client_id"], everything[1]["deleted"]) == ("c0", False)
    assert ok(caller("GET", chat_path(conversation, "/messages?after=7"))) == {"items": [], "next_after": None}
    assert ok(caller("GET", chat_path(conversation, "/messages?after=5&limit=2")))["next_after"] is None


def test_history_is_the_same_frame_the_websocket_sends(as_, member, duty_listener):
    from alongside.chat import selectors

    conversation = matched(member)
    say(duty_listener, conversation, "hi there", client_id="l1")
    frames = selectors.messages_after(viewer_of(member, conversation))
    items = ok(as_(member)("GET", chat_path(conversation, "/messages")))["items"]
    assert [{**item, "sent_at": None} for item in items] == [{**frame, "sent_at": None} for frame in frames]


@pytest.mark.parametrize("query", ["after=-1", "after=abc", "limit=0", "limit=101", f"after={2**63}"])
def test_bad_history_queries_are_422(as_, member, duty_listener, query):
    conversation = matched(member)
    field = query.split("=")[0]
    assert field in error_fields(as_(member)("GET", chat_path(conversation, f"/messages?{query}")))


def test_a_listener_who_handed_over_reads_up_to_when_they_left_and_writes_no_more(
    as_, member, duty_listener, second_listener
):
    ListenerProfile.objects.filter(user=second_listener).update(is_online=False)
    conversation = matched(member)
    say(member, conversation, "before the hand-over")
    services.conversation_hand_over(actor=duty_listener, viewer=viewer_of(duty_listener, conversation))
    ListenerProfile.objects.filter(user=second_listener).update(is_online=True)
    services.queue_match()
    say(member, conversation, "after the hand-over")

    caller = as_(duty_listener)
    bodies = [m["body"] for m in ok(caller("GET", chat_path(conversation, "/messages")))["items"]]
    assert "before the hand-over" in bodies
    assert "after the hand-over" not in bodies
    state = ok(caller("GET", chat_path(conversation)))
    assert (state["current"], state["can_hand_over_or_escalate"]) == (False, False)
    assert state["send_refused"] == str(REASON_NOT_IN_CHAT)
    before = snapshot()
    assert_not_allowed(
        caller("POST", chat_path(conversation, "/messages"), {"client_id": "x", "body": "hi"}), REASON_NOT_IN_CHAT
    )
    assert snapshot() == before
    assert "after the hand-over" in str(ok(as_(second_listener)("GET", chat_path(conversation, "/messages"))))


# --- Sending ----------------------------------------------------------------------------------


def test_sending_stores_the_next_number_and_a_retry_with_the_same_client_id_is_stored_once(as_, member, duty_listener):
    conversation = matched(member)
    caller = as_(member)
    path = chat_path(conversation, "/messages")
    sent = ok(caller("POST", path, {"client_id": "m-1", "body": "are you there?"}), 201)
    assert sent == {"client_id": "m-1", "seq": 2, "held": False, "created": True, "detail": "", "offer_support": False}
    retry = ok(caller("POST", path, {"client_id": "m-1", "body": "are you there?"}), 200)
    assert retry == {**sent, "created": False}
    reply = ok(as_(duty_listener)("POST", path, {"client_id": "m-1", "body": "yes, I'm here"}), 201)
    assert reply["seq"] == 3  # the same client id from someone else is another message
    assert Message.objects.filter(conversation=conversation, client_id="m-1").count() == 2
    conversation.refresh_from_db()
    assert conversation.last_seq == 3
    assert [m["body"] for m in ok(as_(duty_listener)("GET", path + "?after=1"))["items"]] == [
        "are you there?",
        "yes, I'm here",
    ]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"client_id": "c1", "body": ""}, "body"),
        ({"client_id": "c1", "body": "   "}, "body"),
        ({"client_id": "c1", "body": "x" * 4001}, "body"),
        ({"client_id": "c1"}, "body"),
        ({"client_id": "c1", "body": 12}, "body"),
        ({"client_id": "c1", "body": "nul \x00 here"}, "body"),
        ({"body": "hi"}, "client_id"),
        ({"client_id": "", "body": "hi"}, "client_id"),
        ({"client_id": "not valid!", "body": "hi"}, "client_id"),
        ({"client_id": "x" * 65, "body": "hi"}, "client_id"),
        ({"client_id": "c1", "body": "hi", "seq": 9}, "seq"),
    ],
)
def test_bad_messages_are_422_and_nothing_is_written(as_, member, duty_listener, payload, field):
    conversation = matched(member)
    before = snapshot()
    assert field in error_fields(as_(member)("POST", chat_path(conversation, "/messages"), payload))
    assert snapshot() == before


def test_a_held_message_has_no_number_reaches_nobody_and_shows_to_its_writer(as_, member, duty_listener):
    BlockedTerm.objects.create(term="buy followers", action=ScreeningAction.HOLD)
    conversation = matched(member)
    caller = as_(member)
    held = ok(caller("POST", chat_path(conversation, "/messages"), {"client_id": "h1", "body": "buy followers"}), 201)
    assert held == {
        "client_id": "h1",
        "seq": None,
        "held": True,
        "created": True,
        "detail": HELD_DETAIL,
        "offer_support": False,
    }
    assert [h["client_id"] for h in ok(caller("GET", chat_path(conversation)))["held"]] == ["h1"]
    assert ok(as_(duty_listener)("GET", chat_path(conversation)))["held"] == []
    assert "followers" not in str(ok(as_(duty_listener)("GET", chat_path(conversation, "/messages"))))
    again = ok(caller("POST", chat_path(conversation, "/messages"), {"client_id": "h1", "body": "buy followers"}))
    assert again["created"] is False


def test_sending_too_fast_is_refused_with_the_reason(as_, member, duty_listener, settings):
    settings.CHAT_RATE_LIMIT = 2
    conversation = matched(member)
    caller = as_(member)
    for n in range(2):
        ok(caller("POST", chat_path(conversation, "/messages"), {"client_id": f"f{n}", "body": "quick"}), 201)
    assert_not_allowed(
        caller("POST", chat_path(conversation, "/messages"), {"client_id": "f2", "body": "quick"}), REASON_SLOW_DOWN
    )


def test_read_receipts_are_stored_capped_at_the_newest_number(as_, member, duty_listener):
    conversation = matched(member)
    say(duty_listener, conversation, "one")
    say(duty_listener, conversation, "two")
    caller = as_(member)
    assert ok(caller("POST", chat_path(conversation, "/read"), {"seq": 2})) == {"seq": 2}
    assert ok(caller("POST", chat_path(conversation, "/read"), {"seq": 1})) == {"seq": 2}  # never goes back
    assert ok(caller("POST", chat_path(conversation, "/read"), {"seq": 99})) == {"seq": 3}
    assert ok(as_(duty_listener)("GET", chat_path(conversation)))["other_read_seq"] == 3
    for bad in ({"seq": -1}, {"seq": "3"}, {"seq": True}, {}, {"seq": 1.5}):
        assert "seq" in error_fields(caller("POST", chat_path(conversation, "/read"), bad))


# --- Ending and rating ------------------------------------------------------------------------


def test_after_the_end_nothing_can_be_sent_but_a_retry_still_gets_its_answer(as_, member, duty_listener):
    conversation = matched(member)
    caller = as_(member)
    ok(caller("POST", chat_path(conversation, "/messages"), {"client_id": "m1", "body": "thank you"}), 201)
    ended = ok(caller("POST", chat_path(conversation, "/end")))
    assert (ended["status"], ended["can_end"], ended["can_rate"]) == ("ended", False, True)
    assert ended["ended_at"] is not None
    assert ended["send_refused"] == str(REASON_ENDED)
    before = snapshot()
    for who in (member, duty_listener):
        refused = as_(who)("POST", chat_path(conversation, "/messages"), {"client_id": "late", "body": "hello?"})
        assert_not_allowed(refused, REASON_ENDED)
    assert snapshot() == before
    retry = ok(caller("POST", chat_path(conversation, "/messages"), {"client_id": "m1", "body": "thank you"}))
    assert (retry["seq"], retry["created"]) == (2, False)
    assert ok(as_(duty_listener)("GET", chat_path(conversation)))["status"] == "ended"
    assert ok(as_(member)("POST", chat_path(conversation, "/end")))["status"] == "ended"  # a retry: same answer


def test_the_listener_may_end_the_chat_too(as_, member, duty_listener):
    conversation = matched(member)
    ended = ok(as_(duty_listener)("POST", chat_path(conversation, "/end")))
    assert (ended["status"], ended["can_rate"]) == ("ended", False)
    assert "ended the chat" in str(ok(as_(member)("GET", chat_path(conversation, "/messages"))))


def test_a_waiting_member_may_withdraw_by_ending(as_, member):
    request = ask(member)
    ended = ok(as_(member)("POST", chat_path(request.conversation_id, "/end")))
    assert (ended["status"], ended["can_rate"]) == ("ended", False)
    request.refresh_from_db()
    assert request.status == "cancelled"
    assert as_(member)("GET", "/chat/requests/current").status_code == 404


def test_the_member_rates_an_ended_chat_once(as_, member, duty_listener):
    conversation = matched(member)
    caller = as_(member)
    path = chat_path(conversation, "/rating")
    assert_not_allowed(caller("POST", path, {"stars": 5}), REASON_RATE_ONCE)  # not ended yet
    ok(caller("POST", chat_path(conversation, "/end")))
    before = snapshot()
    for bad, field in [
        ({"stars": 6}, "stars"),
        ({"stars": 0}, "stars"),
        ({"stars": "5"}, "stars"),
        ({"stars": True}, "stars"),
        ({}, "stars"),
        ({"stars": 4, "feedback": 3}, "feedback"),
        ({"stars": 4, "feedback": "x" * 2001}, "feedback"),
    ]:
        assert field in error_fields(caller("POST", path, bad))
    assert_not_allowed(as_(duty_listener)("POST", path, {"stars": 5}), REASON_RATE_ONCE)
    assert snapshot() == before

    ok(caller("POST", path, {"stars": 4, "feedback": "It helped."}), 204)
    assert list(Rating.objects.values_list("listener_id", "stars", "feedback")) == [(duty_listener.pk, 4, "It helped.")]
    assert ok(caller("GET", chat_path(conversation)))["can_rate"] is False
    assert_not_allowed(caller("POST", path, {"stars": 1}), REASON_RATE_ONCE)
    assert Rating.objects.count() == 1
    # Nothing the listener reads says whether or how this chat was rated.
    for answer in (
        ok(as_(duty_listener)("GET", chat_path(conversation))),
        ok(as_(duty_listener)("GET", "/chat/conversations")),
    ):
        assert "rated" not in json.dumps(answer)
        assert "stars" not in json.dumps(answer)


# --- Who may: others' chats, signed out, staff, sessions ----------------------------------------

ENDPOINTS: list[tuple[str, str, dict[str, Any] | None]] = [
    ("GET", "", None),
    ("GET", "/messages", None),
    ("GET", "/messages?after=1&limit=5", None),
    ("POST", "/messages", {"client_id": "x1", "body": "let me in"}),
    ("POST", "/read", {"seq": 1}),
    ("POST", "/end", None),
    ("POST", "/rating", {"stars": 1}),
]


def test_someone_elses_conversation_is_404_exactly_like_a_missing_one(
    as_, member, other_member, duty_listener, second_listener, moderator, admin_user
):
    conversation = matched(member)
    say(member, conversation, "private words")
    before = snapshot()
    for outsider in (other_member, second_listener, moderator, admin_user):
        caller = as_(outsider)
        for method, tail, body in ENDPOINTS:
            for target in (conversation.pk, MISSING):
                response = caller(method, chat_path(target, tail), body)
                assert_not_found(response)
                assert b"private words" not in response.content
        listed = ok(caller("GET", "/chat/conversations"))
        assert conversation.pk not in [c["id"] for c in listed["items"]]
    assert snapshot() == before


def test_signed_out_every_chat_endpoint_is_401_and_changes_nothing(openapi_spec, as_, member, duty_listener):
    conversation = matched(member)
    stranger = as_(None)
    before = snapshot()
    chat_operations = [
        (method.upper(), path.removeprefix("/api/v1"), operation)
        for path, operations in openapi_spec["paths"].items()
        for method, operation in operations.items()
        if "chat" in operation["tags"]
    ]
    assert len(chat_operations) == 10
    for method, template, operation in chat_operations:
        path = template.format(conversation_id=conversation.pk)
        body: dict[str, Any] | None = {} if "requestBody" in operation else None
        response = stranger(method, path, body)
        assert response.status_code == 401, (method, template)
        assert response.json() == {"detail": "Please log in first.", "code": "not_authenticated"}
    assert snapshot() == before


def test_staff_need_their_second_factor(openapi_spec, as_, member, duty_listener):
    staff_listener = make_person("night_helper", Role.MODERATOR)
    on_duty(staff_listener)
    ListenerProfile.objects.filter(user=duty_listener).update(is_online=False)
    conversation = matched(member)
    assert conversation.listener == staff_listener
    without = Caller(openapi_spec, None)
    without.client = api_for(staff_listener, second_factor=False)
    refused = without("GET", chat_path(conversation))
    assert refused.status_code == 403
    assert refused.json()["code"] == "two_factor_required"
    session_only = make_person("quiet_warden", Role.MODERATOR, two_factor=False)
    response = client_for(session_only).get("/api/v1/chat/conversations")
    check_answer(openapi_spec, "GET", "/chat/conversations", response)
    assert response.json()["code"] == "two_factor_required"
    assert ok(as_(staff_listener)("GET", chat_path(conversation)))["role"] == "listener"


def test_a_browser_session_sends_with_the_csrf_token(openapi_spec, member, duty_listener):
    conversation = matched(member)
    browser = client_for(member)
    browser.handler.enforce_csrf_checks = True
    path = chat_path(conversation, "/messages")
    payload = json.dumps({"client_id": "web-1", "body": "from the app shell"})
    refused = browser.post("/api/v1" + path, payload, content_type="application/json")
    check_answer(openapi_spec, "POST", path, refused)
    assert refused.status_code == 403
    assert not Message.objects.filter(client_id="web-1").exists()
    browser.get("/accounts/profile/")  # sets the CSRF cookie
    token = browser.cookies["csrftoken"].value
    allowed = browser.post("/api/v1" + path, payload, content_type="application/json", headers={"X-CSRFToken": token})
    check_answer(openapi_spec, "POST", path, allowed)
    assert allowed.status_code == 201


# --- The OpenAPI description ------------------------------------------------------------------


def test_every_chat_error_is_documented_as_detail_and_code(openapi_spec):
    for path, operations in openapi_spec["paths"].items():
        for method, operation in operations.items():
            if "chat" not in operation["tags"]:
                continue
            for status, answer in operation["responses"].items():
                if status.startswith("4"):
                    name = answer["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
                    assert name == ("InvalidOut" if status == "422" else "ErrorOut"), (method, path, status)


def test_chat_lists_are_the_envelope_and_history_is_by_number(openapi_spec):
    shapes = {}
    for path, operations in openapi_spec["paths"].items():
        operation = operations.get("get")
        if operation is None or "chat" not in operation["tags"]:
            continue
        schema = response_schema(openapi_spec, "get", path, 200)
        schema = openapi_spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
        if "items" in schema["properties"]:
            shapes[path.removeprefix("/api/v1")] = sorted(schema["properties"])
    assert shapes == {
        "/chat/listeners": ["count", "items", "page", "pages"],
        "/chat/conversations": ["count", "items", "page", "pages"],
        "/chat/conversations/{conversation_id}/messages": ["items", "next_after"],
    }


# --- Query counts -----------------------------------------------------------------------------


def _conversation_with(member: User, listener: User, count: int) -> Conversation:
    """A chat of `count` messages from both sides (set-up state written in bulk)."""
    conversation = matched(member)
    participants = {p.user_id: p for p in Participant.objects.filter(conversation=conversation)}
    start = conversation.last_seq
    Message.objects.bulk_create(
        Message(
            conversation=conversation,
            seq=start + n + 1,
            sender=member if n % 2 else listener,
            client_id=f"bulk-{n}",
            kind=MessageKind.TEXT,
            body=f"message {n}",
            created_at=timezone.now(),
        )
        for n in range(count)
    )
    Conversation.objects.filter(pk=conversation.pk).update(last_seq=start + count)
    assert len(participants) == 2
    return conversation


def _queries(caller: Caller, path: str) -> int:
    ok(caller("GET", path))  # warm up
    with CaptureQueriesContext(connection) as context:
        body = ok(caller("GET", path))
    assert body["items"]
    return len(context.captured_queries)


def test_the_history_costs_the_same_for_5_and_100_messages(as_, member, other_member, duty_listener):
    few = _conversation_with(member, duty_listener, 5)
    services.conversation_end(actor=member, viewer=viewer_of(member, few))
    many = _conversation_with(member, duty_listener, 100)
    caller = as_(member)
    small = _queries(caller, chat_path(few, "/messages?limit=100"))
    large = _queries(caller, chat_path(many, "/messages?limit=100"))
    assert small == large, (small, large)
    # The token with its person, the conversation, the caller's place in it (and whether they have
    # left it, read fresh), the page of messages, and the senders' places with their profiles:
    # never one per message.
    assert large <= 6, large
    assert _queries(as_(duty_listener), chat_path(many, "/messages?after=40&limit=50")) == large


def test_the_conversations_list_costs_the_same_for_2_and_20_chats(as_, member, duty_listener):
    def chats(count: int) -> None:
        for _ in range(count):
            chat = matched(member)
            services.conversation_end(actor=member, viewer=viewer_of(member, chat))

    chats(2)
    small = _queries(as_(duty_listener), "/chat/conversations")
    chats(18)
    assert _queries(as_(duty_listener), "/chat/conversations") == small
