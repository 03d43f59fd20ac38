"""A new member's welcome: what this place is, what brings them here (their profile's topics), and
communities that fit, with one-tap join; the same topics suggest communities in the directory."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from alongside.accounts import services as account_services
from alongside.accounts.models import Profile, User
from alongside.communities import selectors, services
from alongside.communities.models import Community, Membership, MembershipStatus
from alongside.communities.tests.conftest import quick_community
from tests.fixtures import PASSWORD, client_for, make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def places(admin_user: User) -> dict[str, Community]:
    def place(name: str, topics: list[str], visibility: str = "public", members: int = 0) -> Community:
        community = quick_community(name, visibility)
        Community.objects.filter(pk=community.pk).update(topics=topics)
        for number in range(members):
            services.community_join(actor=make_person(f"{name.split()[0].lower()}_{number}"), community=community)
        community.refresh_from_db()
        return community

    return {
        "grief": place("Grief circle", ["grief"], members=1),
        "grief_anxiety": place("Grief and worry", ["grief", "anxiety"]),
        "anxiety_busy": place("Anxiety club", ["anxiety"], members=3),
        "sleep": place("Sleep corner", ["loneliness"], members=5),
        "hidden": place("Hidden grief", ["grief"], visibility="hidden"),
    }


def suggested(user: User, topics: list[str]) -> list[str]:
    return [community.name for community in selectors.community_suggestions(user=user, topics=topics, limit=10)]


def test_suggestions_share_the_most_topics_first_then_the_busiest(places) -> None:
    member = make_person("welcome_ranker")
    assert suggested(member, ["grief", "anxiety"]) == ["Grief and worry", "Anxiety club", "Grief circle"]
    assert suggested(member, ["loneliness"]) == ["Sleep corner"]
    # No topics chosen: the busiest communities they can see.
    assert suggested(member, [])[:2] == ["Sleep corner", "Anxiety club"]


def test_suggestions_leave_out_what_is_joined_asked_for_banned_or_hidden(places) -> None:
    member = make_person("welcome_leaver")
    services.community_join(actor=member, community=places["grief"])
    Membership.objects.create(community=places["grief_anxiety"], user=member, status=MembershipStatus.BANNED)
    names = suggested(member, ["grief", "anxiety"])
    assert names == ["Anxiety club"]
    assert "Hidden grief" not in suggested(member, ["grief"])


def test_a_new_member_lands_on_the_welcome_not_on_welcome_back(places) -> None:
    client = Client()
    response = client.post(
        reverse("account_signup"), {"username": "fresh_arrival", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response["Location"] == reverse("communities:welcome")
    html = client.get(response["Location"]).content.decode()
    assert "Welcome to Alongside, fresh_arrival" in html
    assert "Welcome back" not in html
    assert reverse("safety:help") in html
    assert "Communities people are in" in html  # no topics yet: the busiest places


def test_choosing_topics_keeps_them_on_the_profile_and_suggests_communities_that_fit(places) -> None:
    member = make_person("welcome_chooser")
    client = client_for(member)
    response = client.post(reverse("communities:welcome"), {"topics": ["grief"]}, follow=True)
    html = response.content.decode()
    assert Profile.objects.get(user=member).topics == ["grief"]
    assert "Communities that might fit" in html
    assert "Grief and worry" in html
    assert "Grief circle" in html
    assert "Sleep corner" not in html
    assert "Hidden grief" not in html
    assert "Shares your topics: Grief and loss" in html


def test_refused_topics_change_nothing(places) -> None:
    member = make_person("welcome_refused")
    response = client_for(member).post(reverse("communities:welcome"), {"topics": ["not_a_topic"]})
    assert response.status_code == 200
    assert "Please choose one of the options" in response.content.decode()
    assert Profile.objects.get(user=member).topics == []


def test_joining_from_the_welcome_stays_on_the_welcome(places) -> None:
    member = make_person("welcome_joiner")
    client = client_for(member)
    url = reverse("communities:join", args=[places["sleep"].slug])
    response = client.post(url, {"next": reverse("communities:welcome")})
    assert response["Location"] == reverse("communities:welcome")
    assert Membership.objects.get(community=places["sleep"], user=member).status == MembershipStatus.ACTIVE


@pytest.mark.parametrize("elsewhere", ["https://evil.example/", "//evil.example/", "javascript:alert(1)"])
def test_joining_never_sends_anyone_off_the_site(places, elsewhere: str) -> None:
    member = make_person("welcome_safe")
    response = client_for(member).post(reverse("communities:join", args=[places["grief"].slug]), {"next": elsewhere})
    assert response["Location"] == reverse("communities:community", args=[places["grief"].slug])


def test_the_directory_suggests_from_the_profiles_topics(places) -> None:
    member = make_person("welcome_browser")
    client = client_for(member)
    assert "Suggested for you" not in client.get(reverse("communities:directory")).content.decode()
    account_services.profile_update(actor=member, user=member, values={"topics": ["anxiety"]})
    html = client.get(reverse("communities:directory")).content.decode()
    suggestions = html[html.index("Suggested for you") : html.index("All communities")]
    assert "Anxiety club" in suggestions
    assert "Grief circle" not in suggestions


def test_the_welcome_needs_a_log_in() -> None:
    response = Client().get(reverse("communities:welcome"))
    assert response.status_code == 302
