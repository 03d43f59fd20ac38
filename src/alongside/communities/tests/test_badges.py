"""Who is who: trained listeners, staff, and a community's hosts and moderators carry a badge beside
their name on posts (page and API) and in a support chat, linked to the page that says what each
badge means; an anonymous post carries none."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from alongside.accounts.enums import Role
from alongside.chat.selectors import other_side
from alongside.chat.services import conversations as chat_services
from alongside.chat.tests.conftest import ask, on_duty, viewer_of
from alongside.communities.models import MemberRole, Membership, Visibility
from alongside.communities.services import post_reply
from alongside.communities.tests.conftest import opening_post, quick_community, start_thread
from tests.fixtures import api_for, client_for
from tests.personas import make_person

pytestmark = pytest.mark.django_db


def test_posts_carry_the_badge_of_listeners_staff_and_the_communitys_own_roles():
    listener, host, helper = make_person("lark_l", Role.LISTENER), make_person("hazel_h"), make_person("moss_m")
    plain, staff = make_person("plain_p"), make_person("sage_s", Role.MODERATOR)
    room = quick_community("Garden", Visibility.PUBLIC, host=host, members=(listener, helper, plain, staff))
    Membership.objects.filter(community=room, user=helper).update(role=MemberRole.MODERATOR)
    thread = start_thread(plain, room, title="Hello", body="First post")
    for who, words in ((listener, "From a listener"), (host, "From the host"), (helper, "From a helper")):
        post_reply(actor=who, thread=thread, body=words)
    post_reply(actor=staff, thread=thread, body="From the team")
    post_reply(actor=listener, thread=thread, body="Anonymously", is_anonymous=True)

    page = (
        client_for(plain).get(reverse("communities:thread", args=[room.slug, thread.pk]), follow=True).content.decode()
    )
    badges = reverse("communities:badges")
    for key, label in (
        ("listener", "Peer listener"),
        ("community-host", "Host"),
        ("community-moderator", "Community moderator"),
        ("moderator", "Moderator"),
    ):
        assert f'<a class="badge badge-staff" href="{badges}#{key}">{label}</a>' in page
    assert page.count("badge-staff") == 4  # nobody else: not the plain member, not the anonymous reply

    api = api_for(plain).call("GET", f"/threads/{thread.pk}/posts")
    assert api.status_code == 200
    by_body = {item["body"]: item["author"]["badge"] for item in api.json()["items"]}
    assert by_body["First post"] is None
    assert by_body["From a listener"] == "Peer listener"
    assert by_body["From the host"] == "Host"
    assert by_body["Anonymously"] is None
    assert opening_post(thread).author == plain


def test_the_badges_page_says_what_each_means_to_anyone():
    response = Client().get(reverse("communities:badges"))
    assert response.status_code == 200
    page = response.content.decode()
    for anchor in ("listener", "moderator", "community-host", "community-moderator", "clinician", "admin"):
        assert f'id="{anchor}"' in page
    assert "listener training" in page


def test_a_member_sees_their_listeners_badge_in_the_chat():
    member, listener = make_person("mira_m"), on_duty(make_person("leo_listens", Role.LISTENER))
    conversation = ask(member).conversation
    chat_services.queue_match()  # the task worker's step
    conversation.refresh_from_db()
    assert conversation.listener == listener
    seen = other_side(viewer_of(member, conversation))
    assert (seen["badge"], seen["badge_key"]) == ("Peer listener", "listener")
    page = client_for(member).get(reverse("chat:conversation", args=[conversation.pk])).content.decode()
    assert f'href="{reverse("communities:badges")}#listener">Peer listener</a>' in page
