"""What "open" means. By default an open community is read by anyone with an account, and its
label says so; where the operator allows it (OPEN_COMMUNITIES_READABLE_SIGNED_OUT), visitors who
are not logged in read its threads too, on the pages and through the API, and the label follows.
Private and hidden communities, and everything but reading, stay as they were."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from alongside.communities import services
from alongside.communities.models import Thread
from alongside.communities.tests.conftest import opening_post, quick_community, start_thread
from tests.personas import make_person
from tests.support import Caller

pytestmark = pytest.mark.django_db


@pytest.fixture
def threads(db: Any) -> dict[str, Thread]:
    writer = make_person("open_writer")
    found: dict[str, Thread] = {}
    for visibility in ("public", "private"):
        community = quick_community(f"Open test {visibility}", visibility, members=(writer,))
        thread = start_thread(writer, community, title=f"Kettle {visibility}", body=f"zq{visibility}words here")
        services.post_reply(actor=writer, thread=thread, body="A reply")
        found[visibility] = thread
    return found


def _thread_url(thread: Thread) -> str:
    return reverse("communities:thread", args=[thread.community.slug, thread.pk])


def test_by_default_open_means_open_to_members_and_visitors_are_asked_to_log_in(threads) -> None:
    visitor = Client()
    community_page = visitor.get(reverse("communities:community", args=[threads["public"].community.slug]))
    assert "Open to all members" in community_page.content.decode()
    response = visitor.get(_thread_url(threads["public"]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_where_allowed_a_visitor_reads_an_open_communitys_thread_and_nothing_more(threads, settings) -> None:
    settings.OPEN_COMMUNITIES_READABLE_SIGNED_OUT = True
    visitor = Client()
    directory = visitor.get(reverse("communities:directory")).content.decode()
    assert "Open to everyone" in directory
    html = visitor.get(_thread_url(threads["public"])).content.decode()
    assert "zqpublicwords" in html
    assert "Post reply" not in html  # nothing to do but read
    assert "Follow this thread" not in html
    assert "aria-pressed" not in html  # reactions are counts, not buttons
    # Private threads, single posts of them, and writing still need a log-in.
    for url in (
        _thread_url(threads["private"]),
        reverse("communities:post", args=[opening_post(threads["private"]).pk]),
        reverse("communities:reply", args=[threads["public"].community.slug, threads["public"].pk]),
        reverse("communities:search") + "?q=kettle",
    ):
        response = visitor.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("account_login"))
    single = visitor.get(reverse("communities:post", args=[opening_post(threads["public"]).pk]))
    assert single.status_code == 302
    assert single["Location"].startswith(_thread_url(threads["public"]))


def test_the_api_follows_the_same_setting(threads, settings, openapi_spec) -> None:
    visitor = Caller(openapi_spec, None)
    public, private = threads["public"], threads["private"]
    reads = [
        f"/communities/{public.community.slug}",
        f"/communities/{public.community.slug}/threads",
        f"/threads/{public.pk}",
        f"/threads/{public.pk}/posts",
        f"/posts/{opening_post(public).pk}",
    ]
    for path in reads:
        assert visitor("GET", path).status_code == 401, path
    settings.OPEN_COMMUNITIES_READABLE_SIGNED_OUT = True
    for path in reads:
        assert visitor("GET", path).status_code == 200, path
    assert visitor("GET", f"/threads/{public.pk}/posts").json()["items"][0]["body"] == "zqpublicwords here"
    assert visitor("GET", f"/threads/{private.pk}").status_code == 404
    assert visitor("GET", f"/communities/{private.community.slug}/threads").status_code == 404
    assert visitor("POST", f"/threads/{public.pk}/posts", {"body": "Hello"}).status_code == 401
    assert visitor("PUT", f"/threads/{public.pk}/follow").status_code == 401


def test_a_host_chooses_openness_in_the_sites_words(settings) -> None:
    from alongside.communities.forms import CommunityEditForm

    def open_choice() -> str:
        return str(dict(CommunityEditForm().fields["visibility"].choices)["public"])  # type: ignore[attr-defined]

    assert "anyone with an account" in open_choice()
    settings.OPEN_COMMUNITIES_READABLE_SIGNED_OUT = True
    assert "even without logging in" in open_choice()
