"""New-account limits (issue 10.7): links and many mentions refused with a reason until an account
is both a few days old and has a few posts that stayed up; a new account's first post in a
community that asks for it is held; administrators change the numbers in the admin."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from alongside.accounts.enums import Role
from alongside.communities import services as community_services
from alongside.communities.models import Post, PostStatus, Thread, Visibility
from alongside.communities.tests.conftest import quick_community, start_thread
from alongside.core.errors import Invalid
from alongside.core.models import AuditEntry
from alongside.moderation.models import NewAccountLimits
from alongside.moderation.trust import is_new
from tests.fixtures import api_for, client_for
from tests.personas import make_person

pytestmark = pytest.mark.django_db
LINK = "Try this: https://cheap-pills.example/buy"


@pytest.fixture
def room() -> Any:
    return quick_community("Evenings", Visibility.PUBLIC, members=(make_person("nova_ash"),))


def _newcomer(room: Any) -> Any:
    return room.memberships.get().user


def _settle(person: Any, room: Any) -> None:
    """Old enough, with three posts that stayed up."""
    type(person).objects.filter(pk=person.pk).update(date_joined=timezone.now() - timedelta(days=4))
    person.refresh_from_db()
    for n in range(3):
        start_thread(person, room, title=f"Hello {n}", body="Glad to be here")


def test_a_new_account_cannot_share_links_and_is_told_why_and_what_to_do(room):
    person = _newcomer(room)
    with pytest.raises(Invalid, match="New accounts can't share links") as refused:
        start_thread(person, room, title="Help", body=LINK)
    assert "say where to find it in words" in str(refused.value)
    assert not Thread.objects.exists()
    page = client_for(person).post(
        reverse("communities:thread_new", args=[room.slug]), {"title": "Help", "body": "see www.spam.example"}
    )
    assert page.status_code == 200  # the form again, with what to change (the communities pages' way)
    assert "New accounts can&#x27;t share links" in page.content.decode()
    refused_api = api_for(person).call("POST", f"/communities/{room.slug}/threads", {"title": "Hi", "body": LINK})
    assert refused_api.status_code == 422
    assert "share links" in str(refused_api.json()["detail"])
    assert not Thread.objects.exists()


def test_links_to_this_site_and_plain_words_are_fine(room, settings):
    person = _newcomer(room)
    settings.SITE_URL = "https://alongside.example"
    start_thread(person, room, title="Useful", body="The crisis page: https://alongside.example/help/")
    assert Thread.objects.count() == 1


def test_a_settled_account_may_share_links_and_mention_anyone(room):
    person = _newcomer(room)
    _settle(person, room)
    assert not is_new(person)
    for name in ("ali_one", "bea_two", "cy_three"):
        make_person(name)
    start_thread(person, room, title="Links", body=f"{LINK} with @ali_one @bea_two @cy_three")
    assert Thread.objects.count() == 4


def test_days_alone_or_posts_alone_do_not_settle_an_account(room):
    person = _newcomer(room)
    for n in range(3):
        start_thread(person, room, title=f"Hi {n}", body="Hello")
    assert is_new(person)  # three posts, but a day old
    type(person).objects.filter(pk=person.pk).update(date_joined=timezone.now() - timedelta(days=10))
    person.refresh_from_db()
    Post.objects.update(status=PostStatus.REMOVED)
    assert is_new(person)  # ten days old, but nothing stayed up


def test_a_new_account_mentions_at_most_two_people(room):
    person = _newcomer(room)
    for name in ("ali_one", "bea_two", "cy_three"):
        make_person(name)
    thread = start_thread(person, room, title="Thanks", body="Thank you @ali_one and @bea_two")
    with pytest.raises(Invalid, match="up to 2 people"):
        community_services.post_reply(actor=person, thread=thread, body="@ali_one @bea_two @cy_three hi")


def test_staff_and_listeners_are_never_new(room):
    for name, role in (("fern_a", Role.MODERATOR), ("fern_b", Role.LISTENER), ("fern_c", Role.CLINICIAN)):
        assert not is_new(make_person(name, role))
    assert is_new(make_person("fern_d"))


def test_a_new_account_s_first_post_is_held_where_the_community_asks(room):
    person = _newcomer(room)
    room.hold_new_first_posts = True
    room.save()
    first = start_thread(person, room, title="Hi all", body="First time here")
    assert first.status == PostStatus.HELD
    second = start_thread(person, room, title="Again", body="Still here")
    assert second.status == PostStatus.HELD  # nothing of theirs is up yet
    Post.objects.filter(thread=first).update(status=PostStatus.VISIBLE)
    Thread.objects.filter(pk=first.pk).update(status=PostStatus.VISIBLE)
    assert start_thread(person, room, title="Third", body="Thanks for having me").status == PostStatus.VISIBLE
    elsewhere = quick_community("Mornings", Visibility.PUBLIC, members=(person,))
    assert start_thread(person, elsewhere, title="Hi", body="Hello").status == PostStatus.VISIBLE  # not asked


def test_administrators_change_the_limits_in_the_admin_and_it_is_audited(room):
    admin = make_person("ada_birch", Role.ADMIN)
    limits = NewAccountLimits.objects.get_or_create(pk=1)[0]
    browser = client_for(admin)
    url = reverse("admin:moderation_newaccountlimits_change", args=[limits.pk])
    assert browser.get(url).status_code == 200
    fields = {"enabled": "on", "days": "3", "posts": "3", "links": "on", "max_mentions": "2"}
    assert browser.post(url, fields).status_code == 302
    start_thread(_newcomer(room), room, title="Link", body=LINK)  # links are allowed now
    entry = AuditEntry.objects.get(action="moderation.new_account_limits.changed")
    assert entry.data == {"links": True}
    assert client_for(_newcomer(room)).get(url).status_code in (302, 403, 404)


def test_words_in_crisis_are_never_turned_away_for_a_link_but_held_and_seen(room):
    """A new account's link is refused, except when the words read as high risk: then nothing is
    lost, the post waits for a moderator unseen, the responders hear at once and the writer sees the
    support panel, as any post in crisis would."""
    from alongside.safety.models import RiskEvent
    from alongside.safety.services.support import support_suggested

    person = _newcomer(room)
    words = "I can't do this anymore. I want to kill myself tonight. I found this: https://pills.example/how"
    thread = start_thread(person, room, title="Tonight", body=words)
    opening = thread.posts.get(is_opening=True)
    assert opening.status == PostStatus.HELD
    assert support_suggested(opening.screening_reasons)
    assert any(reason["check"] == "new_account" for reason in opening.screening_reasons)
    event = RiskEvent.objects.get(subject=person)
    assert event.level in ("high", "crisis")
    page = client_for(person).post(
        reverse("communities:thread_new", args=[room.slug]),
        {"title": "Again", "body": "I want to die, I have the pills. www.example.org"},
        follow=True,
    )
    assert 'id="support-panel"' in page.content.decode()
    assert Post.objects.filter(status=PostStatus.HELD).count() == 2
    with pytest.raises(Invalid, match="New accounts can't share links"):  # everyday words: refused as before
        start_thread(person, room, title="Help", body=LINK)
