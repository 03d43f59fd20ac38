"""Sanctions and appeals (issue 10.6): what each sanction does on every path to writing, that the
person is told what, why and until when, that sanctions end on time in the task worker, and that an
appeal goes to a different moderator. Who may do each step is in test_sanctions_matrix."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from alongside.accounts.enums import Role
from alongside.chat.access.conversations import REASON_SUSPENDED, access_room, approved_listener
from alongside.chat.services import conversations as chat_services
from alongside.chat.services import rooms
from alongside.chat.tests.conftest import ask, on_duty, say
from alongside.communities import access as community_access
from alongside.communities import services as community_services
from alongside.communities.models import MemberRole, Membership, MembershipStatus, Visibility
from alongside.communities.tests.conftest import opening_post, quick_community, start_thread
from alongside.core.errors import Invalid, NotAllowed, NotFound
from alongside.core.models import AuditEntry
from alongside.moderation import sanctions
from alongside.moderation.enums import AppealStatus, SanctionEnd, SanctionKind
from alongside.moderation.models import Appeal, Sanction
from alongside.notifications.models import Notification
from tests.fixtures import api_for, client_for, run_tasks
from tests.personas import make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def place() -> dict[str, Any]:
    """A public community with a host, a moderator and two members; one of them wrote a thread."""
    people = {
        "host": make_person("hana_birch"),
        "moderator": make_person("mo_fern"),
        "writer": make_person("wren_writer"),
        "reader": make_person("rita_reader"),
    }
    community = quick_community(
        "Long nights",
        Visibility.PUBLIC,
        host=people["host"],
        members=(people["moderator"], people["writer"], people["reader"]),
    )
    Membership.objects.filter(community=community, user=people["moderator"]).update(role=MemberRole.MODERATOR)
    thread = start_thread(people["writer"], community, title="Cheap pills", body="DM me for cheap pills")
    return {**people, "community": community, "thread": thread, "post": opening_post(thread)}


def _impose(place: dict[str, Any], kind: str, actor: Any = None, **kwargs: Any) -> Sanction:
    return sanctions.sanction_impose(
        actor=actor or place["moderator"],
        community=place["community"],
        user_id=place["writer"].pk,
        kind=kind,
        reason=kwargs.pop("reason", "Selling things isn't allowed here."),
        post=place["post"],
        **kwargs,
    )


def _thread_url(place: dict[str, Any]) -> str:
    return reverse("communities:thread", args=[place["community"].slug, place["thread"].pk])


def _refused_to_write(person: Any, place: dict[str, Any]) -> str:
    """Why a reply by `person` in the place's thread is refused ("" if it is not)."""
    try:
        community_services.post_reply(actor=person, thread=place["thread"], body="Me again")
    except NotAllowed as refused:
        return str(refused.message)
    return ""


def test_a_warning_must_be_read_before_writing_there_again(place):
    writer = place["writer"]
    elsewhere = quick_community("Daylight", Visibility.PUBLIC, members=(writer,))
    warning = _impose(place, SanctionKind.WARN)
    told = Notification.objects.get(recipient=writer, target_id=warning.pk)
    assert "warning" in told.subject
    assert told.url == reverse("moderation:standing")
    assert _refused_to_write(writer, place) == str(community_access.REASON_PAUSED)
    start_thread(writer, elsewhere)  # only that community is paused

    browser = client_for(writer)
    thread_page = browser.get(
        reverse("communities:thread", args=[place["community"].slug, place["thread"].pk])
    ).content.decode()
    assert "you can't write for now" in thread_page
    assert reverse("moderation:standing") in thread_page
    standing = browser.get(reverse("moderation:standing")).content.decode()
    assert "Selling things isn&#x27;t allowed here." in standing
    assert "I have read this" in standing

    assert browser.post(reverse("moderation:acknowledge", args=[warning.pk])).status_code == 302
    warning.refresh_from_db()
    assert warning.acknowledged_at is not None
    assert warning.ended_how == SanctionEnd.READ
    assert _refused_to_write(writer, place) == ""
    actions = set(AuditEntry.objects.filter(action__startswith="moderation.sanction").values_list("action", flat=True))
    assert actions == {"moderation.sanction.imposed", "moderation.sanction.ended.read"}


def test_a_paused_members_words_in_crisis_are_held_and_seen_never_turned_away(place):
    """A mute stops writing, but words that read as high risk are not lost: on every path (here the
    API, the one a paused member can still send words through) they wait for a moderator unseen,
    and the responders hear of them at once. Everyday words are refused as before."""
    from alongside.communities.models import Post, PostStatus
    from alongside.safety.models import RiskEvent

    writer = place["writer"]
    _impose(place, SanctionKind.MUTE, days=3)
    api, path = api_for(writer), f"/threads/{place['thread'].pk}/posts"
    refused = api.call("POST", path, {"body": "Me again, with the same offer"})
    assert refused.status_code == 403
    assert refused.json()["detail"] == str(community_access.REASON_PAUSED)
    assert not RiskEvent.objects.exists()

    words = "I can't do this anymore. I want to kill myself tonight, I have the pills ready."
    held = api.call("POST", path, {"body": words})
    assert held.status_code == 201, held.content
    post = Post.objects.get(pk=held.json()["id"])
    assert post.status == PostStatus.HELD  # the mute holds: nobody else reads it
    assert any(reason["check"] == "sanction" for reason in post.screening_reasons)
    event = RiskEvent.objects.get(subject=writer)
    assert event.level in ("high", "crisis")
    thread = community_services.thread_create(actor=writer, community=place["community"], title="Tonight", body=words)
    assert opening_post(thread).status == PostStatus.HELD
    with pytest.raises(NotAllowed):
        community_services.thread_create(actor=writer, community=place["community"], title="Hi", body="Cheap pills")
    browser = client_for(writer)  # a reply form left open before the mute: the same
    reply_url = reverse("communities:reply", args=[place["community"].slug, place["thread"].pk])
    assert browser.get(reply_url).status_code == 403
    assert browser.post(reply_url, {"body": "Still selling"}).status_code == 403
    page = browser.post(reply_url, {"body": words}, follow=True)
    assert 'id="support-panel"' in page.content.decode()
    assert Post.objects.filter(author=writer, status=PostStatus.HELD).count() == 3
    outsider = make_person("otto_outside")  # not paused, not a member: refused whatever the words
    with pytest.raises(NotAllowed):
        community_services.post_reply(actor=outsider, thread=place["thread"], body=words)

    room_viewer, _room = access_room(place["host"], place["community"].slug)
    room = rooms.room_open_set(actor=place["host"], community_viewer=room_viewer, on=True)
    with pytest.raises(NotAllowed):
        say(writer, room, "hello")  # the live room: refused as before
    sent = say(writer, room, words)  # but not these: held for the room's moderators, unseen by others
    assert sent.message.status == "held"
    assert sent.support  # the writer's page shows the support panel
    assert RiskEvent.objects.filter(subject=writer).count() == 4

    own = f"/posts/{place['post'].pk}"  # an edit of their own post: the same
    assert api.call("PATCH", own, {"body": "Still cheap"}).status_code == 403
    edit_page = reverse("communities:post_edit", args=[place["post"].pk])
    assert browser.get(edit_page).status_code == 403
    assert browser.post(edit_page, {"title": "Cheap pills", "body": "Still cheap"}).status_code == 403
    assert Post.objects.get(pk=place["post"].pk).body == "DM me for cheap pills"
    page = browser.post(edit_page, {"title": "Cheap pills", "body": words}, follow=True)
    assert 'id="support-panel"' in page.content.decode()
    assert Post.objects.get(pk=place["post"].pk).status == PostStatus.HELD
    assert RiskEvent.objects.filter(subject=writer).count() == 5
    edited = api.call("PATCH", own, {"body": words + " Nobody would notice."})
    assert edited.status_code == 200, edited.content
    assert edited.json()["offer_support"] is True


def test_a_paused_moderator_edits_no_one_elses_post_whatever_the_words(place):
    sanctions.sanction_impose(
        actor=place["host"],
        community=place["community"],
        user_id=place["moderator"].pk,
        kind=SanctionKind.MUTE,
        reason="Take a break.",
        days=3,
    )
    words = "I can't do this anymore. I want to kill myself tonight, I have the pills ready."
    refused = api_for(place["moderator"]).call("PATCH", f"/posts/{place['post'].pk}", {"body": words})
    assert refused.status_code == 403
    page = reverse("communities:post_edit", args=[place["post"].pk])
    assert client_for(place["moderator"]).post(page, {"title": "x", "body": words}).status_code == 403
    assert opening_post(place["thread"]).body == "DM me for cheap pills"


def test_a_mute_lasts_at_most_28_days_and_ends_on_time_in_the_task_worker(place, django_capture_on_commit_callbacks):
    writer, moderator = place["writer"], place["moderator"]
    api = api_for(moderator)
    path = f"/posts/{place['post'].pk}/sanctions"
    for days, problem in ((None, "1 to 28"), (29, "between 1 and 28")):
        refused = api.call("POST", path, {"kind": "mute", "reason": "Calm down", "days": days})
        assert refused.status_code == 422
        assert problem in str(refused.json()["detail"])
    assert not Sanction.objects.exists()
    assert not Membership.objects.filter(muted_until__isnull=False).exists()

    with django_capture_on_commit_callbacks(execute=True):
        made = api.call("POST", path, {"kind": "mute", "reason": "Calm down", "days": 3})
    assert made.status_code == 201
    assert made.json()["kind"] == "mute"
    assert "writer" not in made.text
    mute = Sanction.objects.get()
    assert _refused_to_write(writer, place) == str(community_access.REASON_PAUSED)
    with pytest.raises(NotAllowed):
        community_services.reaction_set(actor=writer, post=place["post"], kind="support", on=True)
    room_viewer, _room = access_room(place["host"], place["community"].slug)
    room = rooms.room_open_set(actor=place["host"], community_viewer=room_viewer, on=True)
    with pytest.raises(NotAllowed) as refused:
        say(writer, room, "hello")  # the live room: the same rule as the WebSocket's send
    assert str(refused.value.message) == str(community_access.REASON_PAUSED)

    queued = DBTaskResult.objects.get(task_path__endswith="sanction_expire")
    assert abs(queued.run_after - mute.ends_at) < timedelta(seconds=1)
    run_tasks()
    mute.refresh_from_db()
    assert mute.in_force  # not due yet
    Sanction.objects.filter(pk=mute.pk).update(ends_at=timezone.now() - timedelta(seconds=1))
    DBTaskResult.objects.filter(pk=queued.pk).update(run_after=timezone.now() - timedelta(seconds=1))
    assert run_tasks() == 1
    mute.refresh_from_db()
    assert mute.ended_how == SanctionEnd.EXPIRED
    assert _refused_to_write(writer, place) == ""
    assert Notification.objects.filter(recipient=writer, subject__startswith="This has ended, on time").exists()


def test_a_timed_ban_ends_in_the_worker_and_leaves_them_free_to_ask_again(django_capture_on_commit_callbacks):
    host, writer = make_person("hal_birch"), make_person("wes_writer")
    private = quick_community("Quiet room", Visibility.PRIVATE, host=host, members=(writer,))
    post = opening_post(start_thread(writer, private))
    with django_capture_on_commit_callbacks(execute=True):
        ban = sanctions.sanction_impose(
            actor=host, community=private, user_id=writer.pk, kind="ban", reason="Spam", days=7, post=post
        )
    assert Membership.objects.get(community=private, user=writer).status == MembershipStatus.BANNED
    assert client_for(writer).get(reverse("communities:community", args=[private.slug])).status_code in (200, 404)
    assert not community_access.check_read_community_permission(community_access.community_viewer(writer, private))
    Sanction.objects.filter(pk=ban.pk).update(ends_at=timezone.now() - timedelta(seconds=1))
    DBTaskResult.objects.update(run_after=timezone.now() - timedelta(seconds=1))
    run_tasks()
    ban.refresh_from_db()
    assert ban.ended_how == SanctionEnd.EXPIRED
    assert not Membership.objects.filter(community=private, user=writer).exists()  # may ask to join again


def test_only_hosts_ban_a_host_and_nobody_sanctions_themselves_or_site_staff(place):
    second_host = make_person("hugo_fern")
    Membership.objects.create(community=place["community"], user=second_host, role=MemberRole.HOST)
    common = {"community": place["community"], "kind": "ban", "reason": "No"}
    with pytest.raises(NotAllowed) as refused:
        sanctions.sanction_impose(actor=place["moderator"], user_id=second_host.pk, **common)
    assert str(refused.value.message) == str(community_access.REASON_HOSTS)
    with pytest.raises(NotAllowed):
        sanctions.sanction_impose(actor=place["moderator"], user_id=place["moderator"].pk, **common)
    staff = make_person("sal_stone", Role.MODERATOR)
    with pytest.raises(NotAllowed):
        sanctions.sanction_impose(actor=place["host"], user_id=staff.pk, **common)
    assert not Sanction.objects.exists()
    assert Membership.objects.get(community=place["community"], user=second_host).status == MembershipStatus.ACTIVE
    sanctions.sanction_impose(actor=place["host"], user_id=second_host.pk, **common)  # a host may


def test_a_suspension_stops_writing_everywhere_but_not_reading_or_appealing(place):
    writer, admin = place["writer"], make_person("ada_lake", Role.ADMIN)
    other_admin = make_person("ari_lake", Role.ADMIN)
    make_person("sid_stone", Role.MODERATOR)  # a site moderator does not judge a suspension
    elsewhere = quick_community("Daylight", Visibility.PUBLIC, members=(writer,))
    on_duty(writer)  # they are also a listener
    suspension = _impose(place, SanctionKind.SUSPEND, actor=admin)
    writer.refresh_from_db()
    assert writer.suspended
    assert suspension.community is None
    assert _refused_to_write(writer, place) == str(community_access.REASON_PAUSED)
    with pytest.raises(NotAllowed):
        start_thread(writer, elsewhere)
    room_viewer, _room = access_room(place["host"], place["community"].slug)
    room = rooms.room_open_set(actor=place["host"], community_viewer=room_viewer, on=True)
    with pytest.raises(NotAllowed) as refused:
        say(writer, room, "hello")
    assert str(refused.value.message) == str(REASON_SUSPENDED)
    assert approved_listener(writer) is None  # no chats to take as a listener
    listener = on_duty(make_person("lou_lake", Role.LISTENER))
    request = ask(writer)  # but a suspension never cuts anyone off from a listener
    chat_services.queue_match()
    say(writer, request.conversation, "I need to talk")  # nor from their own support chat
    assert request.conversation.listener_id in (None, listener.pk)
    browser = client_for(writer)
    assert (
        browser.get(reverse("communities:thread", args=[place["community"].slug, place["thread"].pk])).status_code
        == 200
    )
    appealed = browser.post(reverse("moderation:appeal", args=[suspension.pk]), {"text": "Please look again."})
    assert appealed.status_code == 302
    assert Appeal.objects.get().reviewer_id == other_admin.pk  # suspensions: another administrator

    sanctions.sanction_lift(actor=admin, sanction_id=suspension.pk, reason="Talked it through")
    writer.refresh_from_db()
    assert not writer.suspended
    assert _refused_to_write(writer, place) == ""
    assert approved_listener(writer) is not None


def test_suspending_a_listener_hands_their_chats_back_so_nobody_talks_to_no_one(
    place, django_capture_on_commit_callbacks
):
    from alongside.chat.models import ListenerProfile, Message, Participant, SupportRequest

    writer, admin = place["writer"], make_person("ada_lake", Role.ADMIN)
    on_duty(writer)
    member = make_person("pip_lake")
    request = ask(member)
    chat_services.queue_match()
    conversation = request.conversation
    conversation.refresh_from_db()
    assert conversation.listener_id == writer.pk
    say(member, conversation, "Thanks for being here")
    with django_capture_on_commit_callbacks(execute=True):
        _impose(place, SanctionKind.SUSPEND, actor=admin)
    request.refresh_from_db()
    assert request.status == "waiting"  # back in the queue, at its old place
    assert request.queued_at == request.created_at
    assert not ListenerProfile.objects.get(user=writer).is_online
    assert Participant.objects.get(conversation=conversation, user=writer).left_at is not None
    told = Message.objects.filter(conversation=conversation, kind="event").order_by("-seq").first()
    assert told is not None
    assert "another listener will join you here" in told.body
    nobody_else = SupportRequest.objects.filter(conversation__listener=writer, status="assigned")
    assert not nobody_else.exists()
    on_duty(make_person("lou_lake", Role.LISTENER))
    chat_services.queue_match()
    conversation.refresh_from_db()
    assert conversation.listener.username == "lou_lake"  # the next listener joins the same chat
    say(member, conversation, "Hello again")


def test_moderators_cannot_suspend_and_are_told_so(place):
    with pytest.raises(Invalid, match="Only administrators"):
        _impose(place, SanctionKind.SUSPEND)
    outsider = make_person("otto_pine")
    with pytest.raises(NotFound):
        _impose(place, SanctionKind.SUSPEND, actor=outsider)


def test_an_appeal_goes_to_another_moderator_once_and_overturning_lifts_it(place):
    writer, moderator, host = place["writer"], place["moderator"], place["host"]
    mute = _impose(place, SanctionKind.MUTE, days=2)
    appeal = sanctions.appeal_file(actor=writer, sanction_id=mute.pk, text="I was only sharing what helped me.")
    assert appeal.reviewer_id == host.pk  # the community's other moderator, not the one who acted
    assert Notification.objects.filter(recipient=host, target_id=appeal.pk).exists()
    with pytest.raises(Invalid, match="already appealed"):
        sanctions.appeal_file(actor=writer, sanction_id=mute.pk, text="And again, please.")
    with pytest.raises(NotFound):  # the moderator who acted does not judge their own call
        sanctions.appeal_decide(actor=moderator, appeal_id=appeal.pk, overturn=True, response="Fine")
    with pytest.raises(Invalid, match="few words"):
        sanctions.appeal_decide(actor=host, appeal_id=appeal.pk, overturn=True, response=" ")
    assert Appeal.objects.get().status == AppealStatus.OPEN

    browser = client_for(host)
    assert "I was only sharing what helped me." in browser.get(reverse("moderation:appeals")).content.decode()
    browser.post(
        reverse("moderation:decide_appeal", args=[appeal.pk]),
        {"outcome": "overturn", "response": "You're right, sorry."},
    )
    mute.refresh_from_db()
    assert mute.ended_how == SanctionEnd.APPEAL
    assert _refused_to_write(writer, place) == ""
    standing = client_for(writer).get(reverse("moderation:standing")).content.decode()
    assert "You&#x27;re right, sorry." in standing
    assert "Looked at again and lifted" in standing


def test_with_one_moderator_the_appeal_goes_to_site_moderators(place):
    Membership.objects.filter(community=place["community"], user=place["moderator"]).update(role=MemberRole.MEMBER)
    site = make_person("sid_stone", Role.MODERATOR)
    warning = _impose(place, SanctionKind.WARN, actor=place["host"])
    appeal = sanctions.appeal_file(actor=place["writer"], sanction_id=warning.pk, text="It was a joke between us.")
    assert appeal.reviewer_id == site.pk


def test_an_anonymous_writer_stays_anonymous_to_the_moderators(place):
    writer = place["writer"]
    thread = start_thread(writer, place["community"], title="Secret", body="Buy now", is_anonymous=True)
    post = opening_post(thread)
    made = api_for(place["moderator"]).call(
        "POST", f"/posts/{post.pk}/sanctions", {"kind": "mute", "reason": "Selling", "days": 1}
    )
    assert made.status_code == 201
    assert writer.username not in made.text
    assert Sanction.objects.get().user == writer
    page = client_for(place["moderator"]).get(reverse("moderation:sanctions")).content.decode()
    assert "An anonymous writer" in page
    assert writer.username not in page
    form = client_for(place["moderator"]).get(reverse("moderation:sanction"), {"post": post.pk}).content.decode()
    assert writer.username not in form
    assert "you won't learn who they are" in form


def test_bad_input_is_refused_with_a_reason_and_writes_nothing(place):
    api = api_for(place["moderator"])
    path = f"/posts/{place['post'].pk}/sanctions"
    bodies = [
        {"kind": "exile", "reason": "x"},
        {"kind": "warn", "reason": " "},
        {"kind": "warn", "reason": "ok", "days": 3},
        {"kind": "ban", "reason": "ok", "days": 0},
        {"kind": "ban", "reason": "a\x00b"},
        {"kind": "ban", "reason": "x" * 2001},
    ]
    for body in bodies:
        response = api.call("POST", path, body)
        assert response.status_code == 422, (body, response.content)
        assert response.json()["detail"]
    assert api.call("POST", path, raw="{").status_code in (400, 422)
    assert not Sanction.objects.exists()
    assert Membership.objects.get(community=place["community"], user=place["writer"]).status == "active"
    page = client_for(place["moderator"]).post(
        reverse("moderation:sanction"), {"post": place["post"].pk, "kind": "mute", "reason": "Calm"}
    )
    assert page.status_code == 422
    assert "1 to 28" in page.content.decode()


def test_the_communities_ban_form_is_a_sanction_the_person_can_see_and_appeal(place):
    browser = client_for(place["moderator"])
    response = browser.post(
        reverse("communities:ban", args=[place["community"].slug]),
        {"ban-pseudonym": place["writer"].username, "ban-reason": "Selling pills"},
    )
    assert response.status_code == 302
    ban = Sanction.objects.get(kind=SanctionKind.BAN)
    assert ban.user == place["writer"]
    assert ban.reason == "Selling pills"
    mine = api_for(place["writer"]).call("GET", "/me/sanctions").json()
    assert mine["items"][0]["summary"].startswith("You are banned from Long nights")


def test_nobody_lifts_their_own_sanction_and_a_paused_moderator_moderates_nothing(place):
    moderator, host = place["moderator"], place["host"]
    mute = sanctions.sanction_impose(
        actor=host, community=place["community"], user_id=moderator.pk, kind="mute", reason="Cool off", days=2
    )
    with pytest.raises(NotFound):
        sanctions.sanction_lift(actor=moderator, sanction_id=mute.pk, reason="Mine")
    assert client_for(moderator).get(reverse("moderation:queue")).status_code == 404  # moderates nothing now
    with pytest.raises(NotFound):
        _impose(place, SanctionKind.WARN, actor=moderator)
    assert "Cool off" in client_for(moderator).get(reverse("moderation:standing")).content.decode()  # told why
    sanctions.sanction_lift(actor=host, sanction_id=mute.pk, reason="Talked")
    assert client_for(moderator).get(reverse("moderation:queue")).status_code == 200


def test_the_log_never_names_the_person_a_warning_was_for(place):
    thread = start_thread(place["writer"], place["community"], title="Shh", body="Anonymous words", is_anonymous=True)
    from alongside.communities.tests.conftest import opening_post as first_post

    post = first_post(thread)
    warning = sanctions.sanction_impose(
        actor=place["moderator"],
        community=place["community"],
        user_id=place["writer"].pk,
        kind="warn",
        reason="Be kind",
        post=post,
    )
    sanctions.sanction_acknowledge(actor=place["writer"], sanction_id=warning.pk)
    log = client_for(place["host"]).get(reverse("moderation:log", args=[place["community"].slug])).content.decode()
    assert "A warning was read" in log
    assert place["writer"].username not in log
