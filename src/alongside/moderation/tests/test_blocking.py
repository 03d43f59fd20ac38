"""Blocking a person holds everywhere: their posts (named or anonymous) are hidden from the blocker
in threads, lists, the feed, "waiting" and search; they cannot reply to the blocker's threads,
mention them or chat with them; and a report can be filed in the same step. The blocked person is
never told, and a block made from an anonymous post never names its writer."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest
from django.urls import reverse

from alongside.accounts.models import Block
from alongside.accounts.selectors import blocked_between
from alongside.communities import selectors as community_selectors
from alongside.communities import services as community_services
from alongside.communities.access import community_viewer
from alongside.communities.models import Thread, Visibility
from alongside.communities.tests.conftest import opening_post, quick_community, start_thread
from alongside.core.errors import NotAllowed, NotFound
from alongside.moderation import services
from alongside.moderation.models import Report
from alongside.notifications.models import Notification
from tests.fixtures import api_for, client_for
from tests.personas import make_person

pytestmark = pytest.mark.django_db

HIDDEN = "Hidden: you blocked the person who wrote this."


@pytest.fixture
def scene() -> dict[str, Any]:
    me, pest, other = (make_person(name) for name in ("ivy_member", "jax_member", "kit_member"))
    room = quick_community("Grief", Visibility.PUBLIC, members=(me, pest, other))
    mine = start_thread(me, room, title="Missing my dad", body="A year ago today.")
    theirs = start_thread(pest, room, title="Unkind thread", body="Everyone here is weak")
    reply = community_services.post_reply(actor=pest, thread=mine, body="Get over it")
    return {"me": me, "pest": pest, "other": other, "room": room, "mine": mine, "theirs": theirs, "reply": reply}


def _block(scene: dict[str, Any], post: Any = None, **kwargs: Any) -> Report | None:
    post = post or scene["reply"]
    return services.block_from_post(actor=scene["me"], post=post, writer_id=scene["pest"].pk, **kwargs)


def test_a_blocked_persons_posts_are_hidden_from_the_blocker_only(scene):
    _block(scene)
    thread_url = reverse("communities:thread", args=[scene["room"].slug, scene["mine"].pk])
    mine = client_for(scene["me"]).get(thread_url, follow=True).content.decode()
    assert HIDDEN in mine
    assert "Get over it" not in mine
    assert "A year ago today." in mine  # my own post is still there
    others = client_for(scene["other"]).get(thread_url, follow=True).content.decode()
    assert "Get over it" in others
    assert HIDDEN not in others
    # The blocked person sees their own reply as ever, and is not told.
    assert "Get over it" in client_for(scene["pest"]).get(thread_url, follow=True).content.decode()
    assert not Notification.objects.filter(recipient=scene["pest"]).exists()


def titles(threads: Iterable[Thread]) -> set[str]:
    return {thread.title for thread in threads}


def test_their_threads_leave_the_blockers_lists_feed_waiting_and_search(scene):
    viewer = community_viewer(scene["me"], scene["room"])
    assert "Unkind thread" in titles(community_selectors.community_threads(viewer=viewer))
    _block(scene)
    assert "Unkind thread" not in titles(community_selectors.community_threads(viewer=viewer))
    assert "Unkind thread" not in titles(community_selectors.feed_threads(user=scene["me"]))
    assert "Unkind thread" not in titles(community_selectors.waiting_threads(user=scene["me"]))
    assert community_selectors.post_search(user=scene["me"], query="weak") == []
    # Everyone else still sees it.
    assert "Unkind thread" in titles(community_selectors.feed_threads(user=scene["other"]))
    assert len(community_selectors.post_search(user=scene["other"], query="weak")) == 1


def test_anonymous_posts_by_the_blocked_person_are_hidden_too_and_the_list_names_nobody(scene):
    secret = start_thread(scene["pest"], scene["room"], title="Anon", body="Hidden hand", is_anonymous=True)
    _block(scene, post=opening_post(secret))
    block = Block.objects.get(blocker=scene["me"])
    assert block.from_anonymous
    page = client_for(scene["me"]).get(reverse("moderation:blocked")).content.decode()
    assert "Someone who wrote an anonymous post" in page
    assert "jax_member" not in page
    # Their named posts are hidden as well, and their anonymous thread leaves my lists.
    viewer = community_viewer(scene["me"], scene["room"])
    assert {t.title for t in community_selectors.community_threads(viewer=viewer)} == {"Missing my dad"}
    api = api_for(scene["me"]).call("GET", "/blocks").json()
    assert api["items"][0]["name"] == ""
    # Blocking again from a named post names them from then on.
    _block(scene)
    assert not Block.objects.get(blocker=scene["me"]).from_anonymous


def test_the_blocked_person_cannot_reply_to_the_blockers_threads_or_mention_them(scene):
    _block(scene)
    Notification.objects.all().delete()  # what came before the block
    with pytest.raises(NotAllowed):
        community_services.post_reply(actor=scene["pest"], thread=scene["mine"], body="Still here")
    # Somewhere else they may write, but a mention of the blocker tells the blocker nothing.
    community_services.post_reply(actor=scene["pest"], thread=scene["theirs"], body="Hey @ivy_member look")
    assert not Notification.objects.filter(recipient=scene["me"]).exists()
    community_services.post_reply(actor=scene["other"], thread=scene["theirs"], body="Hey @ivy_member hi")
    assert Notification.objects.filter(recipient=scene["me"]).count() == 1  # others' mentions still arrive
    # On the page, the refusal is a plain message, not an error page.
    reply_url = reverse("communities:reply", args=[scene["room"].slug, scene["mine"].pk])
    response = client_for(scene["pest"]).post(reply_url, {"body": "Still here"})
    assert response.status_code in (403, 422)
    assert "Replies are closed for you in this thread." in response.content.decode()
    # The block holds in chat too: one rule, every door.
    assert blocked_between(scene["pest"], scene["me"])


def test_block_and_report_in_one_step_from_the_page(scene):
    url = f"{reverse('moderation:block')}?post={scene['reply'].pk}"
    me = client_for(scene["me"])
    assert me.get(url).status_code == 200
    missing = me.post(url, {"post": scene["reply"].pk, "also_report": "on"})
    assert missing.status_code == 422
    assert "Please choose what is wrong with it" in missing.content.decode()
    assert not Block.objects.exists()  # nothing half-done
    done = me.post(url, {"post": scene["reply"].pk, "also_report": "on", "reason": "harassment", "note": "Mean"})
    assert done.status_code == 302
    assert Block.objects.filter(blocker=scene["me"], blocked=scene["pest"]).exists()
    report = Report.objects.get()
    assert (report.reporter, report.reason, report.note) == (scene["me"], "harassment", "Mean")


def test_a_flood_of_reports_refuses_the_report_and_saves_nothing(scene, settings):
    settings.MODERATION_REPORTS_PER_HOUR = 0
    url = reverse("moderation:block")
    refused = client_for(scene["me"]).post(url, {"post": scene["reply"].pk, "also_report": "on", "reason": "spam"})
    assert refused.status_code == 429
    assert "You can block them now without a report." in refused.content.decode()
    assert not Block.objects.exists()
    plain = client_for(scene["me"]).post(url, {"post": scene["reply"].pk})
    assert plain.status_code == 302
    assert Block.objects.count() == 1


def test_one_cannot_block_oneself_nor_undo_someone_elses_block(scene):
    with pytest.raises(NotAllowed):
        services.block_from_post(actor=scene["pest"], post=scene["reply"], writer_id=scene["pest"].pk)
    _block(scene)
    block = Block.objects.get()
    with pytest.raises(NotFound):
        services.unblock(actor=scene["other"], block_id=block.pk)
    assert client_for(scene["other"]).post(reverse("moderation:unblock", args=[block.pk])).status_code == 404
    assert client_for(scene["me"]).post(reverse("moderation:unblock", args=[block.pk])).status_code == 302
    assert not Block.objects.exists()
    thread_url = reverse("communities:thread", args=[scene["room"].slug, scene["mine"].pk])
    assert "Get over it" in client_for(scene["me"]).get(thread_url, follow=True).content.decode()


def test_the_api_blocks_lists_and_unblocks(scene):
    caller = api_for(scene["me"])
    made = caller.call("POST", "/blocks", {"post": scene["reply"].pk, "report_reason": "harassment"})
    assert made.status_code == 201
    assert made.json()["report"] == Report.objects.get().pk
    listed = caller.call("GET", "/blocks").json()
    assert [item["name"] for item in listed["items"]] == ["jax_member"]
    thread = caller.call("GET", f"/threads/{scene['mine'].pk}/posts").json()
    hidden = [post for post in thread["items"] if post["blocked"]]
    assert [(post["id"], post["body"], post["author"]) for post in hidden] == [(scene["reply"].pk, "", None)]
    crisis = caller.call("POST", "/blocks", {"post": scene["reply"].pk, "report_reason": "crisis"})
    assert crisis.status_code == 422  # "I'm worried" is the door for that
    assert api_for(scene["other"]).call("DELETE", f"/blocks/{listed['items'][0]['id']}").status_code == 404
    assert caller.call("DELETE", f"/blocks/{listed['items'][0]['id']}").status_code == 204
    assert not Block.objects.exists()
    own = api_for(scene["pest"]).call("POST", "/blocks", {"post": scene["reply"].pk})
    assert own.status_code == 403
