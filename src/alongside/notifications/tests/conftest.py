"""Shared set-up for the notifications tests: a community where the member started a thread."""

from __future__ import annotations

import pytest

from alongside.accounts.models import User
from alongside.communities import services
from alongside.communities.models import Community, Thread


@pytest.fixture
def harbour(admin_user: User, member: User, other_member: User) -> Community:
    community = services.community_create(actor=admin_user, name="Calm Harbour")
    services.community_join(actor=member, community=community)
    services.community_join(actor=other_member, community=community)
    return community


@pytest.fixture
def thread(member: User, harbour: Community) -> Thread:
    return services.thread_create(actor=member, community=harbour, title="Evenings are hard", body="Any tips?")
