"""The queue, matching and the message store: services and selectors, against the real database."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from alongside.chat import selectors
from alongside.chat.models import (
    ChatReport,
    Conversation,
    ConversationStatus,
    Escalation,
    ListenerProfile,
    Message,
    MessageStatus,
    Rating,
    RequestStatus,
    SupportRequest,
)
from alongside.chat.services import conversations as services
from alongside.chat.tests.conftest import ask, on_duty, say, viewer_of
from alongside.core.errors import NotAllowed, NotFound
from alongside.core.models import AuditEntry, BlockedTerm, ScreeningAction
from tests.fixtures import run_tasks
from tests.personas import make_person

pytestmark = pytest.mark.django_db


def _matched(member: Any, **kwargs: Any) -> tuple[Any, Any]:
    request = ask(member, **kwargs)
    services.queue_match()
    request.refresh_from_db()
    return request, request.conversation


def test_a_member_can_write_while_waiting_and_the_listener_reads_it_on_joining(member, listener):
    request = ask(member, first_message="I can't sleep again", client_id="first-1")
    assert request.status == RequestStatus.WAITING
    assert request.conversation.status == ConversationStatus.WAITING
    on_duty(listener)
    assert services.queue_match() == [request]
    conversation = Conversation.objects.get(pk=request.conversation_id)
    assert conversation.status == ConversationStatus.ACTIVE
    assert conversation.listener == listener
    frames = selectors.messages_after(viewer_of(listener, conversation))
    assert [(f["seq"], f["kind"]) for f in frames] == [(1, "text"), (2, "event")]
    assert frames[0]["body"] == "I can't sleep again"
    assert frames[0]["role"] == "member"


def test_sequence_numbers_are_gap_free_and_a_retry_is_stored_once(member, duty_listener):
    _request, conversation = _matched(member)
    first = say(member, conversation, "hello", client_id="a1")
    second = say(duty_listener, conversation, "hi, I'm here", client_id="b1")
    retry = say(member, conversation, "hello", client_id="a1")
    third = say(member, conversation, "thank you", client_id="a2")
    assert (first.created, retry.created) == (True, False)
    assert retry.message.pk == first.message.pk
    seqs = list(Message.objects.filter(conversation=conversation).values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))  # the join event is 1, then 2, 3, 4
    assert [first.message.seq, second.message.seq, third.message.seq] == [2, 3, 4]
    conversation.refresh_from_db()
    assert conversation.last_seq == 4


def test_resume_returns_everything_after_a_number_in_order(member, duty_listener):
    _request, conversation = _matched(member)
    for n in range(5):
        say(duty_listener, conversation, f"message {n}")
    frames = selectors.messages_after(viewer_of(member, conversation), after=3)
    assert [f["seq"] for f in frames] == [4, 5, 6]
    assert [f["body"] for f in frames] == ["message 2", "message 3", "message 4"]


@pytest.mark.parametrize(
    ("body", "client_id", "field"),
    [
        ("", "c1", "body"),
        ("   ", "c1", "body"),
        ("x" * 4001, "c1", "body"),
        ("hi", "not valid!", "client_id"),
        ("hi", "x" * 65, "client_id"),
        (None, "c1", "body"),
        (["a list"], "c1", "body"),
    ],
)
def test_bad_messages_are_refused_with_a_message_and_nothing_is_written(member, duty_listener, body, client_id, field):
    _request, conversation = _matched(member)
    before = Message.objects.count()
    with pytest.raises(ValidationError) as caught:
        say(member, conversation, body, client_id=client_id)
    assert field in caught.value.message_dict
    assert Message.objects.count() == before
    conversation.refresh_from_db()
    assert conversation.last_seq == Message.objects.filter(conversation=conversation).count()


def test_a_held_message_is_stored_for_review_without_a_number_and_never_delivered(member, duty_listener):
    BlockedTerm.objects.create(term="buy followers", action=ScreeningAction.HOLD)
    _request, conversation = _matched(member)
    result = say(member, conversation, "want to buy followers?", client_id="h1")
    assert result.held
    assert result.message.seq is None
    assert result.message.status == MessageStatus.HELD
    assert result.message.screening[0]["check"] == "blocked_terms"
    assert "followers" not in str(selectors.messages_after(viewer_of(duty_listener, conversation)))
    assert selectors.held_messages_of(viewer_of(member, conversation)) == [result.message]
    nxt = say(member, conversation, "sorry, ignore that")
    assert nxt.message.seq == 2  # no gap where the held one was
    assert say(member, conversation, "want to buy followers?", client_id="h1").created is False


def test_the_longest_waiting_request_is_served_first_in_its_language(member, other_member, listener):
    first = ask(member)
    second = ask(other_member)
    SupportRequest.objects.filter(pk=second.pk).update(queued_at=first.queued_at - timedelta(minutes=5))
    on_duty(listener, capacity=1)
    assert [r.pk for r in services.queue_match()] == [second.pk]
    first.refresh_from_db()
    assert first.status == RequestStatus.WAITING
    assert selectors.queue_place(first).position == 1


def test_a_request_waits_for_a_listener_who_speaks_its_language(member, listener):
    on_duty(listener, languages=("fr",))
    request = ask(member, language="en")
    assert services.queue_match() == []
    on_duty(make_person("english_listener", "listener"))
    assert services.queue_match() == [request]


def test_matching_prefers_the_topic_then_spreads_load(member, other_member, listener, second_listener):
    on_duty(listener, topics=("grief",), capacity=3)
    griever, _conversation = _matched(member, topic="grief")
    assert griever.conversation.listener == listener
    # the grief listener now has one chat; an anxiety request goes to the one with none
    anxious, _conversation = _matched(other_member, topic="anxiety")
    assert anxious.conversation.listener == second_listener


def test_a_listener_at_capacity_gets_no_more_chats(member, other_member, listener):
    on_duty(listener, capacity=1)
    _matched(member)
    second = ask(other_member)
    assert services.queue_match() == []
    second.refresh_from_db()
    assert second.status == RequestStatus.WAITING
    with pytest.raises(NotAllowed):
        services.request_pick(actor=listener, request_id=second.pk)


def test_talk_to_the_same_listener_again_then_anyone(member, duty_listener, second_listener):
    ListenerProfile.objects.filter(user=second_listener).update(is_online=False)
    _request, first_chat = _matched(member)
    services.conversation_end(actor=member, viewer=viewer_of(member, first_chat))
    ListenerProfile.objects.filter(user=duty_listener).update(is_online=False)
    ListenerProfile.objects.filter(user=second_listener).update(is_online=True)
    assert selectors.listeners_talked_with(member) == [duty_listener]
    again = ask(member, preferred_listener=duty_listener)
    assert services.queue_match() == []  # only the preferred listener for now
    SupportRequest.objects.filter(pk=again.pk).update(preferred_until=timezone.now() - timedelta(seconds=1))
    assert services.queue_match() == [SupportRequest.objects.get(pk=again.pk)]
    again.refresh_from_db()
    assert again.conversation.listener == second_listener


def test_asking_again_is_only_for_a_listener_you_talked_with(member, duty_listener):
    with pytest.raises(ValidationError) as caught:
        ask(member, preferred_listener=duty_listener)
    assert "listener" in caught.value.message_dict


def test_one_waiting_or_open_chat_at_a_time(member):
    ask(member)
    with pytest.raises(NotAllowed):
        ask(member)


def test_nothing_can_be_sent_after_the_chat_ended(member, duty_listener):
    _request, conversation = _matched(member)
    viewer = viewer_of(duty_listener, conversation)  # a socket's viewer, made before the end
    services.conversation_end(actor=member, viewer=viewer_of(member, conversation))
    before = Message.objects.count()
    with pytest.raises(NotAllowed):
        services.message_send(actor=duty_listener, viewer=viewer, body="are you there?")
    assert Message.objects.count() == before


def test_people_outside_a_chat_cannot_see_it(member, other_member, duty_listener, second_listener, admin_user):
    _request, conversation = _matched(member)
    for outsider in (other_member, second_listener, admin_user):
        with pytest.raises(NotFound):
            viewer_of(outsider, conversation)
    with pytest.raises(NotFound):
        viewer_of(member, Conversation(pk=999_999))


def test_the_listener_sees_pseudonym_pronouns_languages_and_topic_only(member, duty_listener):
    _request, conversation = _matched(member, topic="anxiety")
    seen = selectors.other_side(viewer_of(duty_listener, conversation))
    assert set(seen) == {"name", "badge", "badge_key", "pronouns", "languages", "topic"}
    assert seen["name"] == member.username
    assert seen["badge"] is None  # a member carries no badge
    assert seen["topic"] == "anxiety"
    assert "river@example.org" not in str(seen)


def test_escalating_keeps_the_listener_in_an_open_chat_and_is_audited(member, duty_listener):
    _request, conversation = _matched(member)
    services.conversation_escalate(
        actor=duty_listener, viewer=viewer_of(duty_listener, conversation), note="said goodbye"
    )
    conversation.refresh_from_db()
    assert conversation.status == ConversationStatus.ACTIVE
    assert conversation.escalated_at is not None
    escalation = Escalation.objects.get(conversation=conversation)
    assert escalation.up_to_seq == conversation.last_seq
    assert AuditEntry.objects.filter(action="chat.escalate").exists()
    assert selectors.conversation_state(viewer_of(member, conversation))["escalated"] is True
    assert say(duty_listener, conversation, "I'm still here with you").created
    with pytest.raises(NotAllowed):
        services.conversation_escalate(actor=member, viewer=viewer_of(member, conversation))


def test_handing_over_keeps_the_first_listener_until_the_next_joins(member, duty_listener, second_listener):
    ListenerProfile.objects.filter(user=second_listener).update(is_online=False)
    _request, conversation = _matched(member)
    services.conversation_hand_over(actor=duty_listener, viewer=viewer_of(duty_listener, conversation))
    assert services.queue_match() == []  # never back to the same listener
    assert say(duty_listener, conversation, "I'm still here while we find someone").created
    ListenerProfile.objects.filter(user=second_listener).update(is_online=True)
    assert len(services.queue_match()) == 1
    conversation.refresh_from_db()
    assert conversation.listener == second_listener
    with pytest.raises(NotAllowed):
        say(duty_listener, conversation, "one more thing")
    # the first listener still reads what was said while they were there, nothing after
    say(second_listener, conversation, "hello, I'm taking over")
    bodies = [f["body"] for f in selectors.messages_after(viewer_of(duty_listener, conversation))]
    assert "I'm still here while we find someone" in bodies
    assert "hello, I'm taking over" not in bodies


def test_ratings_are_anonymous_once_per_chat_and_flag_coaching(member, duty_listener):
    for n, stars in enumerate((2, 1, 2)):
        person = member if n == 0 else make_person(f"rater_{n}")
        _request, conversation = _matched(person)
        viewer = viewer_of(person, conversation)
        with pytest.raises(NotAllowed):
            services.conversation_rate(actor=person, viewer=viewer, stars=5)  # not ended yet
        services.conversation_end(actor=person, viewer=viewer)
        services.conversation_rate(actor=person, viewer=viewer_of(person, conversation), stars=stars, feedback="ok")
        with pytest.raises(NotAllowed):
            services.conversation_rate(actor=person, viewer=viewer_of(person, conversation), stars=5)
    assert {f.name for f in Rating._meta.get_fields()} == {"id", "listener", "stars", "feedback", "created_at"}
    assert selectors.rating_summary(duty_listener) == {"count": 3, "average": 1.7}
    assert ListenerProfile.objects.get(user=duty_listener).coaching_flagged_at is not None
    assert selectors.queue_health()["flagged_for_coaching"] == 1


def test_bad_ratings_are_refused(member, duty_listener):
    _request, conversation = _matched(member)
    services.conversation_end(actor=member, viewer=viewer_of(member, conversation))
    for stars in (0, 6, "5", True, None):
        with pytest.raises(ValidationError):
            services.conversation_rate(actor=member, viewer=viewer_of(member, conversation), stars=stars)
    assert Rating.objects.count() == 0


def test_blocking_ends_the_chat_and_they_are_never_matched_again(member, duty_listener):
    _request, conversation = _matched(member)
    services.person_block(actor=member, viewer=viewer_of(member, conversation))
    conversation.refresh_from_db()
    assert conversation.ended
    with pytest.raises(NotAllowed):
        say(duty_listener, conversation, "wait")
    ask(member)
    assert services.queue_match() == []
    assert selectors.listeners_talked_with(member) == []


def test_a_report_needs_a_reason_and_is_audited(member, duty_listener):
    _request, conversation = _matched(member)
    with pytest.raises(ValidationError):
        services.person_report(actor=duty_listener, viewer=viewer_of(duty_listener, conversation), reason=" ")
    services.person_report(actor=duty_listener, viewer=viewer_of(duty_listener, conversation), reason="rude")
    assert ChatReport.objects.get().reported == member
    assert AuditEntry.objects.filter(action="chat.report").exists()


def test_flooding_is_refused_for_a_while(member, duty_listener, settings):
    settings.CHAT_RATE_LIMIT = 3
    _request, conversation = _matched(member)
    for n in range(3):
        say(member, conversation, f"line {n}")
    with pytest.raises(NotAllowed) as caught:
        say(member, conversation, "and another")
    assert "quickly" in str(caught.value)


def test_an_unanswered_request_is_offered_other_help_by_the_task_worker(member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request = ask(member)
    queued = DBTaskResult.objects.get(task_path__endswith="request_unanswered")
    assert queued.run_after > timezone.now() + timedelta(seconds=250)
    DBTaskResult.objects.update(run_after=timezone.now() - timedelta(seconds=1))
    run_tasks()
    request.refresh_from_db()
    assert request.alternatives_offered_at is not None
    assert request.status == RequestStatus.WAITING
    assert selectors.queue_place(request).alternatives_offered


def test_a_listener_whose_desk_closed_goes_offline_after_the_grace_period(
    duty_listener, django_capture_on_commit_callbacks
):
    services.listener_socket_opened(user=duty_listener)
    services.listener_socket_opened(user=duty_listener)
    with django_capture_on_commit_callbacks(execute=True):
        services.listener_socket_closed(user=duty_listener)
    DBTaskResult.objects.update(run_after=timezone.now() - timedelta(seconds=1))
    run_tasks()
    assert ListenerProfile.objects.get(user=duty_listener).is_online  # another desk is still open
    with django_capture_on_commit_callbacks(execute=True):
        services.listener_socket_closed(user=duty_listener)
    DBTaskResult.objects.update(run_after=timezone.now() - timedelta(seconds=1))
    run_tasks()
    assert not ListenerProfile.objects.get(user=duty_listener).is_online


def test_queue_health_counts_waits_over_the_last_day(member, other_member, duty_listener):
    _matched(member)
    ask(other_member)
    SupportRequest.objects.filter(member=member).update(
        queued_at=timezone.now() - timedelta(seconds=100), assigned_at=timezone.now()
    )
    health = selectors.queue_health()
    assert health["waiting"] == 1
    assert health["chats_in_progress"] == 1
    assert health["listeners_online"] == 1
    assert 99 <= health["median_wait_seconds"] <= 101
