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


def test_moderators_note_a_post_as_shared_experience_not_professional_advice():
    writer, helper, reader = make_person("wade_w"), make_person("hope_h"), make_person("rosa_r")
    room = quick_community("Sleep", Visibility.PUBLIC, members=(writer, helper, reader))
    Membership.objects.filter(community=room, user=helper).update(role=MemberRole.MODERATOR)
    post = opening_post(start_thread(writer, room, title="What worked", body="Stop your meds, it cured me"))
    url = reverse("communities:post_experience", args=[post.pk])
    # A bad address is a form error, and nothing changes.
    refused = client_for(helper).post(url, {"resource": "javascript:alert(1)"})
    assert refused.status_code == 422
    assert "Please give a web address" in refused.content.decode()
    post.refresh_from_db()
    assert post.experience_noted_at is None
    # Members cannot; moderators can.
    assert client_for(reader).post(url, {"resource": ""}).status_code == 403
    client_for(helper).post(url, {"resource": "https://www.nhs.uk/mental-health/"})
    page = client_for(reader).get(reverse("communities:post", args=[post.pk]), follow=True).content.decode()
    assert "A moderator&#39;s note: this is one person&#39;s own experience, not professional advice." in page
    assert 'href="https://www.nhs.uk/mental-health/"' in page
    # The API says the same, and can take the note off.
    seen = api_for(reader).call("GET", f"/posts/{post.pk}").json()
    assert (seen["not_professional_advice"], seen["better_resource"]) == (True, "https://www.nhs.uk/mental-health/")
    assert api_for(reader).call("POST", f"/posts/{post.pk}/experience", {"marked": True}).status_code == 403
    off = api_for(helper).call("POST", f"/posts/{post.pk}/experience", {"marked": False})
    assert off.status_code == 200
    assert (off.json()["not_professional_advice"], off.json()["better_resource"]) == (False, None)
