"""Administrators create and edit communities in the Django admin; it goes through the services."""

from __future__ import annotations

import json

import pytest

from alongside.communities.models import Community, MemberRole, Membership
from alongside.core.models import AuditEntry
from tests.fixtures import client_for

pytestmark = pytest.mark.django_db


def test_an_administrator_creates_a_community_and_becomes_its_host(admin_user):
    response = client_for(admin_user).post(
        "/admin/communities/community/add/",
        {
            "name": "Night owls",
            "slug": "night-owls",
            "description": "For the small hours.",
            "rules": json.dumps(["Be kind."]),
            "topics": json.dumps(["loneliness"]),
            "visibility": "public",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    community = Community.objects.get(slug="night-owls")
    assert community.rules == ["Be kind."]
    assert Membership.objects.filter(community=community, user=admin_user, role=MemberRole.HOST).exists()
    assert AuditEntry.objects.filter(action="communities.community.created", target_id=str(community.pk)).exists()


def test_members_cannot_use_the_admin(member):
    response = client_for(member).get("/admin/communities/community/add/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    assert not Community.objects.exists()
