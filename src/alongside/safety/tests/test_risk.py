"""Risk events: raised from what people write, from listeners and from worried members; worked by
responders; re-alerted by the task worker. Through the services and the pages, as people use them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from alongside.accounts.enums import Role
from alongside.chat.models import Conversation, ConversationKind, Participant, ParticipantRole, SupportRequest
from alongside.chat.services import conversations as chat_services
from alongside.chat.tests.conftest import ask, on_duty, say, viewer_of
from alongside.communities import services as community_services
from alongside.communities.models import PostStatus, Visibility
from alongside.communities.tests.conftest import opening_post, quick_community, start_thread
from alongside.core.errors import NotAllowed, RateLimited
from alongside.core.models import AuditEntry
from alongside.notifications.models import Notification
from alongside.safety.enums import RiskLevel
from alongside.safety.models import Responder, RiskAction, RiskEvent, RiskSource, RiskStatus
from alongside.safety.services import risk as services
from tests.fixtures import api_for, client_for, run_tasks
from tests.personas import make_person

CRISIS = "I want to kill myself tonight. I have the pills ready and I can't do this anymore."
CALM = "Went for a walk by the river today and it helped a little."
SUPPORT_REPLY = "Please don't end it all. Are you thinking about killing yourself? I'm here with you."


@pytest.fixture
def responder(db: Any) -> Any:
    user = make_person("ruth_hale", Role.CLINICIAN)
    Responder.objects.create(user=user)
    return user


@pytest.fixture
def room(member: Any, other_member: Any) -> Any:
    return quick_community("Low days", Visibility.PUBLIC, members=(member, other_member))


# --- Raised by screening --------------------------------------------------------------------


def test_a_crisis_thread_raises_a_crisis_event_with_its_reasons_and_a_private_copy(member, room):
    thread = start_thread(member, room, title="Tonight", body=CRISIS)
    post = opening_post(thread)
    event = RiskEvent.objects.get(subject=member)
    assert event.level == RiskLevel.CRISIS
    assert event.source == RiskSource.THREAD
    assert event.target_id == post.pk
    assert event.link == reverse("communities:post", args=[post.pk])
    assert event.assessment["reasons"], "the responder sees why"
    assert "pills" in event.content
    with connection.cursor() as cursor:
        cursor.execute("SELECT content FROM safety_riskevent WHERE id = %s", [event.pk])
        (raw,) = cursor.fetchone()
    assert "pills" not in raw  # the words are encrypted at rest
    assert post.status == PostStatus.VISIBLE  # published as usual
    assert RiskAction.objects.filter(event=event, kind=RiskAction.Kind.RAISED).exists()
    assert AuditEntry.objects.filter(action="safety.risk.raised", target_id=str(event.pk)).exists()


def test_calm_words_raise_nothing(member, room):
    start_thread(member, room, title="A small win", body=CALM)
    assert not RiskEvent.objects.exists()


def test_a_community_that_holds_risky_posts_holds_them_and_still_alerts(member, room):
    room.hold_risky_posts = True
    room.save()
    thread = start_thread(member, room, title="Tonight", body=CRISIS)
    assert opening_post(thread).status == PostStatus.HELD
    assert RiskEvent.objects.filter(subject=member, level=RiskLevel.CRISIS).exists()
    calm = start_thread(member, room, title="A small win", body=CALM)
    assert opening_post(calm).status == PostStatus.VISIBLE


def test_a_supporters_reply_is_not_the_supporters_crisis(member, other_member, room):
    thread = start_thread(member, room, title="Tonight", body=CALM)
    community_services.post_reply(actor=other_member, thread=thread, body=SUPPORT_REPLY)
    assert not RiskEvent.objects.filter(subject=other_member, level__in=["high", "crisis"]).exists()


def test_more_crisis_messages_in_one_chat_join_one_open_event(member, listener):
    on_duty(listener)
    conversation = ask(member).conversation
    first = say(member, conversation, CRISIS)
    second = say(member, conversation, "Nobody would even notice if I was gone. I want to die.")
    assert first.support
    assert second.support
    event = RiskEvent.objects.get(subject=member)
    assert event.source == RiskSource.CHAT
    assert event.conversation_id == conversation.pk
    assert "notice" in event.content
    assert "pills" in event.content


def test_a_listeners_words_in_a_chat_are_read_as_support(member, listener):
    on_duty(listener)
    conversation = ask(member).conversation
    chat_services.queue_match()
    result = say(listener, conversation, SUPPORT_REPLY)
    assert not result.support
    assert not RiskEvent.objects.filter(subject=listener).exists()


# --- The writer sees the support panel -----------------------------------------------------


def test_the_writer_of_a_crisis_post_lands_on_the_support_panel_not_an_error(member, room):
    client = client_for(member)
    response = client.post(
        reverse("communities:thread_new", args=[room.slug]),
        {"title": "Tonight", "body": CRISIS, "content_warnings": []},
        follow=True,
    )
    assert response.status_code == 200
    assert reverse("safety:talk_now") in response.content.decode()  # the panel, above their thread
    again = client.get(response.redirect_chain[-1][0]).content.decode()
    assert reverse("safety:talk_now") not in again  # once, not on every page after


def test_a_calm_post_shows_no_panel(member, room):
    response = client_for(member).post(
        reverse("communities:thread_new", args=[room.slug]), {"title": "A small win", "body": CALM}, follow=True
    )
    assert reverse("safety:talk_now") not in response.content.decode()


def test_an_api_writer_is_told_to_offer_support_and_only_in_the_answer_to_their_own_words(
    member, other_member, room, listener
):
    """Apps hear what the web page shows: `offer_support` on the new thread, reply or chat message
    whose words read as high risk; never on calm words, and never when others read the post."""
    api = api_for(member)
    calm = api.call("POST", f"/communities/{room.slug}/threads", {"title": "A small win", "body": CALM})
    assert calm.status_code == 201
    assert calm.json()["opening_post"]["offer_support"] is False
    made = api.call("POST", f"/communities/{room.slug}/threads", {"title": "Tonight", "body": CRISIS})
    assert made.status_code == 201
    assert made.json()["opening_post"]["offer_support"] is True
    thread_id = made.json()["id"]
    reply = api.call("POST", f"/threads/{thread_id}/posts", {"body": CRISIS})
    assert reply.json()["offer_support"] is True
    read_back = api_for(other_member).call("GET", f"/threads/{thread_id}/posts").json()
    assert not any(post["offer_support"] for post in read_back["items"])

    request = ask(member)
    on_duty(listener)
    chat_services.queue_match()
    request.refresh_from_db()
    path = f"/chat/conversations/{request.conversation_id}/messages"
    assert api.call("POST", path, {"body": CALM, "client_id": "calm-1"}).json()["offer_support"] is False
    assert api.call("POST", path, {"body": CRISIS, "client_id": "crisis-1"}).json()["offer_support"] is True


def test_talk_to_a_listener_now_puts_the_member_first_in_the_queue(member, other_member, listener):
    ask(other_member)  # waiting already
    response = client_for(member).post(reverse("safety:talk_now"))
    assert response.status_code == 302
    urgent = SupportRequest.objects.get(member=member)
    assert urgent.urgent
    on_duty(listener, capacity=1)
    assigned = chat_services.queue_match()
    assert [request.member for request in assigned] == [member]


def test_talk_now_with_a_waiting_request_moves_it_to_the_front(member):
    request = ask(member)
    client_for(member).post(reverse("safety:talk_now"))
    request.refresh_from_db()
    assert request.urgent
    assert SupportRequest.objects.filter(member=member).count() == 1


# --- Worried about someone ------------------------------------------------------------------


def test_a_worry_about_a_post_raises_an_event_and_sends_nothing_to_the_person(member, other_member, room):
    thread = start_thread(member, room, title="Quiet", body=CALM, is_anonymous=True)
    post = opening_post(thread)
    notes_before = Notification.objects.filter(recipient=member).count()
    response = client_for(other_member).post(reverse("safety:worried"), {"post": post.pk, "note": "They went quiet."})
    assert response.status_code == 200
    event = RiskEvent.objects.get(source=RiskSource.WORRY)
    assert event.subject == member
    assert event.reporter == other_member
    assert event.level == RiskLevel.CONCERN
    assert event.note == "They went quiet."
    assert Notification.objects.filter(recipient=member).count() == notes_before


def test_worry_reports_are_rate_limited_per_reporter(member, other_member, room, settings):
    settings.SAFETY_WORRY_REPORTS_PER_DAY = 2
    posts = [opening_post(start_thread(member, room, title=f"Day {n}", body=CALM)) for n in range(3)]
    client = client_for(other_member)
    for post in posts[:2]:
        assert client.post(reverse("safety:worried"), {"post": post.pk}).status_code == 200
    refused = client.post(reverse("safety:worried"), {"post": posts[2].pk})
    assert refused.status_code == 429
    assert "emergency number" in refused.content.decode()
    assert RiskEvent.objects.filter(reporter=other_member).count() == 2
    with pytest.raises(RateLimited):
        services.worry_report(
            actor=other_member, subject=member, source="thread", content=CALM, link="/", target=posts[2]
        )


def test_nobody_files_a_worry_about_themselves(member, room):
    post = opening_post(start_thread(member, room, title="Me", body=CALM))
    with pytest.raises(NotAllowed):
        services.worry_report(actor=member, subject=member, source="thread", content=CALM, link="/", target=post)
    assert not RiskEvent.objects.exists()


def test_a_worry_about_a_post_one_cannot_read_is_not_found(member, other_member):
    hidden = quick_community("Hidden circle", Visibility.HIDDEN, members=(member,))
    post = opening_post(start_thread(member, hidden, title="Private", body=CALM))
    assert client_for(other_member).get(reverse("safety:worried"), {"post": post.pk}).status_code == 404


def test_unfounded_worries_show_on_the_next_one(member, other_member, room, responder):
    posts = [opening_post(start_thread(member, room, title=f"Day {n}", body=CALM)) for n in range(2)]
    first = services.worry_report(
        actor=other_member, subject=member, source="thread", content=CALM, link="/", target=posts[0]
    )
    services.risk_close(actor=responder, event=first, note="", false_alarm=True)
    second = services.worry_report(
        actor=other_member, subject=member, source="thread", content=CALM, link="/", target=posts[1]
    )
    page = client_for(responder).get(reverse("responders:event", args=[second.pk])).content.decode()
    assert "2 worries in the last 90 days; 1 turned out to be false alarms" in page


# --- Listener escalations -------------------------------------------------------------------


def test_a_listeners_escalation_arrives_in_the_queue_and_a_responder_joins_beside_them(member, listener, responder):
    on_duty(listener)
    conversation = ask(member).conversation
    chat_services.queue_match()
    chat_services.conversation_escalate(
        actor=listener, viewer=viewer_of(listener, conversation), note="Talking about a plan"
    )
    event = RiskEvent.objects.get(source=RiskSource.ESCALATION)
    assert event.subject == member
    assert event.conversation_id == conversation.pk
    assert event.level == RiskLevel.CRISIS
    response = client_for(responder).post(reverse("responders:join_chat", args=[event.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("chat:conversation", args=[conversation.pk])
    joined = Participant.objects.get(conversation=conversation, user=responder)
    assert joined.role == ParticipantRole.RESPONDER
    say(responder, conversation, "I'm here too.")  # they write beside the listener
    event.refresh_from_db()
    assert event.status == RiskStatus.ACKNOWLEDGED
    assert event.acknowledged_by == responder


# --- Responders' actions --------------------------------------------------------------------


def test_reaching_out_opens_a_private_chat_and_tells_the_person(member, room, responder):
    start_thread(member, room, title="Tonight", body=CRISIS)
    event = RiskEvent.objects.get(subject=member)
    response = client_for(responder).post(reverse("responders:reach_out", args=[event.pk]))
    conversation = Conversation.objects.get(kind=ConversationKind.OUTREACH)
    assert response["Location"] == reverse("chat:conversation", args=[conversation.pk])
    assert conversation.member == member
    assert conversation.listener == responder
    note = Notification.objects.get(recipient=member, kind="note")
    assert note.url == reverse("chat:conversation", args=[conversation.pk])
    assert client_for(member).get(note.url).status_code == 200
    say(member, conversation, "Thank you for checking in.")
    again = client_for(responder).post(reverse("responders:reach_out", args=[event.pk]))
    assert again["Location"] == response["Location"]  # the same chat, not a second one


def test_handled_needs_a_note_and_closes_the_event(member, room, responder):
    start_thread(member, room, title="Tonight", body=CRISIS)
    event = RiskEvent.objects.get(subject=member)
    client = client_for(responder)
    client.post(reverse("responders:close", args=[event.pk]), {"verdict": "handled", "note": ""})
    event.refresh_from_db()
    assert event.is_open  # refused: no note
    client.post(
        reverse("responders:close", args=[event.pk]), {"verdict": "handled", "note": "Talked; safe with family."}
    )
    event.refresh_from_db()
    assert event.status == RiskStatus.HANDLED
    assert event.closed_by == responder
    action = RiskAction.objects.get(event=event, kind=RiskAction.Kind.HANDLED)
    assert action.note == "Talked; safe with family."
    assert AuditEntry.objects.filter(action="safety.risk.handled", target_id=str(event.pk)).exists()


def test_a_false_alarm_is_counted_for_the_evaluation(member, room, responder):
    from alongside.safety.selectors import responder_verdicts

    start_thread(member, room, title="Tonight", body=CRISIS)
    event = RiskEvent.objects.get(subject=member)
    client_for(responder).post(reverse("responders:close", args=[event.pk]), {"verdict": "false_alarm"})
    assert responder_verdicts() == {"thread/crisis": {"handled": 0, "false_alarm": 1}}


def test_escalating_puts_it_back_on_top_for_everyone(member, room, responder):
    start_thread(member, room, title="Worried", body="I used to want to die when I was younger.")
    event = RiskEvent.objects.get(subject=member)
    services.risk_acknowledge(actor=responder, event=event)
    services.risk_escalate(actor=responder, event=event, note="Needs a clinician today")
    event.refresh_from_db()
    assert event.status == RiskStatus.OPEN
    assert event.level == RiskLevel.CRISIS
    assert event.escalated_at is not None


def test_the_queue_is_most_severe_then_oldest_first(member, other_member, room, responder):
    from alongside.safety.selectors import risk_queue

    start_thread(member, room, title="Past", body="I used to want to die when I was younger.")
    start_thread(other_member, room, title="Tonight", body=CRISIS)
    start_thread(member, room, title="Tonight too", body=CRISIS)
    levels = [(event.level, event.subject.username) for event in risk_queue(viewer=responder)]
    assert levels[0] == (RiskLevel.CRISIS, other_member.username)
    assert levels[1] == (RiskLevel.CRISIS, member.username)
    assert levels[-1][0] == RiskLevel.CONCERN


def test_the_header_counts_events_nobody_has_picked_up(member, room, responder):
    start_thread(member, room, title="Tonight", body=CRISIS)
    page = client_for(responder).get("/").content.decode()
    assert 'data-live-risk="1"' in page
    member_page = client_for(member).get("/").content.decode()
    assert "data-live-risk" not in member_page


# --- Re-alerting (the task worker) -----------------------------------------------------------


def test_an_unacknowledged_crisis_alerts_responders_again(
    member, room, responder, django_capture_on_commit_callbacks, settings
):
    settings.SAFETY_REALERT_MINUTES = 5
    other = make_person("sam_birch", Role.MODERATOR)
    Responder.objects.create(user=other)
    with django_capture_on_commit_callbacks(execute=True):
        start_thread(member, room, title="Tonight", body=CRISIS)
    queued = DBTaskResult.objects.get(task_path__endswith="risk_realert")
    assert queued.run_after > timezone.now() + timedelta(minutes=4)
    run_tasks()  # what is due now (the toxicity signal's read of the post), not the re-alert
    assert DBTaskResult.objects.get(task_path__endswith="risk_realert").status == "READY"  # not yet
    DBTaskResult.objects.update(run_after=timezone.now() - timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert run_tasks() == 1
    event = RiskEvent.objects.get(subject=member)
    assert event.alerts_sent == 2
    assert Notification.objects.filter(recipient__in=[responder, other], kind="note").count() == 2
    assert DBTaskResult.objects.filter(task_path__endswith="risk_realert", status="READY").count() == 1


def test_an_acknowledged_crisis_is_not_re_alerted(member, room, responder, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        start_thread(member, room, title="Tonight", body=CRISIS)
    event = RiskEvent.objects.get(subject=member)
    services.risk_acknowledge(actor=responder, event=event)
    DBTaskResult.objects.update(run_after=timezone.now() - timedelta(seconds=1))
    run_tasks()
    event.refresh_from_db()
    assert event.alerts_sent == 1
    assert not Notification.objects.filter(recipient=responder, kind="note").exists()


def test_the_responder_duty_goes_only_to_moderators_clinicians_and_admins_and_is_audited(db):
    admin = make_person("ana_north", role=Role.ADMIN)
    clinician = make_person("bo_west", role=Role.CLINICIAN)
    member = make_person("cal_east")

    services.responder_duty_give(actor=admin, user=clinician)
    with pytest.raises(NotAllowed):
        services.responder_duty_give(actor=admin, user=member)

    assert list(Responder.objects.values_list("user__username", "on_duty")) == [("bo_west", True)]
    assert AuditEntry.objects.filter(action="safety.responder.duty_set", actor_id=admin.pk).count() == 1
