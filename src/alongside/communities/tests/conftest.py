"""Shared set-up for the communities tests: quick personas and communities.

`make_person` in tests/fixtures.py goes through sign-up (Argon2 hashing, ~50 ms a person). The
matrix tests create hundreds of people, so these helpers create the account row directly and
then give it what every account gets (`user_account_setup`). Nobody here logs in with a password;
`client_for` uses `force_login`, which does not need one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from alongside.accounts import services as account_services
from alongside.accounts.models import Role, User
from alongside.communities import services
from alongside.communities.models import Community, MemberRole, Membership, MembershipStatus, Post, Thread


def quick_person(username: str, role: str = Role.MEMBER, *, display_name: str = "") -> User:
    """An account with its profile, without password hashing. Site staff get no TOTP: service-level tests only."""
    user = User.objects.create(username=username, role=role)
    profile = account_services.user_account_setup(user=user)
    if display_name:
        profile.display_name = display_name
        profile.save(update_fields=["display_name"])
    return user


def quick_community(
    name: str, visibility: str, *, host: User | None = None, members: tuple[User, ...] = ()
) -> Community:
    """A community with an optional host and active members (set-up state, written with the ORM)."""
    slug = name.lower().replace(" ", "-")
    community = Community.objects.create(name=name, slug=slug, visibility=visibility)
    if host is not None:
        Membership.objects.create(community=community, user=host, role=MemberRole.HOST)
    for user in members:
        Membership.objects.create(community=community, user=user)
    return community


def join_as(
    user: User, community: Community, *, role: str = MemberRole.MEMBER, status: str = MembershipStatus.ACTIVE
) -> Membership:
    return Membership.objects.create(community=community, user=user, role=role, status=status)


def opening_post(thread: Thread) -> Post:
    return Post.objects.get(thread=thread, is_opening=True)


def start_thread(
    actor: User, community: Community, title: str = "Evenings are hard", body: str = "Any tips?", **kwargs: Any
) -> Thread:
    return services.thread_create(actor=actor, community=community, title=title, body=body, **kwargs)


@pytest.fixture
def person(db: Any) -> Callable[..., User]:
    """`person("name")` or `person("name", Role.ADMIN)`: a quick persona."""
    return quick_person
