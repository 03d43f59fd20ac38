"""Shared set-up for the communities tests: people (tests/personas.py) and communities."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from alongside.accounts.models import User
from alongside.communities import selectors, services
from alongside.communities.models import Community, MemberRole, Membership, MembershipStatus, Post, Thread
from tests.personas import make_person


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
    return selectors.opening_post(thread=thread)


def start_thread(
    actor: User, community: Community, title: str = "Evenings are hard", body: str = "Any tips?", **kwargs: Any
) -> Thread:
    return services.thread_create(actor=actor, community=community, title=title, body=body, **kwargs)


@pytest.fixture
def person(db: Any) -> Callable[..., User]:
    """`person("name")` or `person("name", Role.ADMIN)`: a persona from tests/personas.py."""
    return make_person
