"""A new member's first minutes, on a phone in dark mode and on a desktop: join (saying the device
is shared), land on the welcome, choose what brings them here, join a suggested community in one
tap, and find every title discreet. Every page and state is audited with axe-core."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import Page, ViewportSize, expect

from alongside.accounts.models import Role, User
from alongside.communities import services
from alongside.communities.models import Membership, MembershipStatus
from tests.fixtures import PASSWORD, make_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE: ViewportSize = {"width": 375, "height": 740}
DESKTOP: ViewportSize = {"width": 1280, "height": 900}


def communities() -> None:
    lead = make_person("arrival_lead", Role.ADMIN)
    services.community_create(actor=lead, name="Grief circle", description="Missing someone.", topics=["grief"])
    services.community_create(actor=lead, name="Worry room", description="When worry won't stop.", topics=["anxiety"])


@pytest.mark.parametrize(("size", "scheme"), [(PHONE, "dark"), (DESKTOP, "light")])
def test_a_new_member_joins_discreetly_and_finds_a_community(
    page: Page, live_url: str, audit: Any, size: ViewportSize, scheme: str
) -> None:
    communities()
    page.set_viewport_size(size)
    page.emulate_media(color_scheme=scheme)
    page.goto(live_url + "/accounts/signup/")
    audit(page)
    page.get_by_label("Pseudonym").fill("first_light")
    page.get_by_label("Password:", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_label("Yes, or they might: keep my visits discreet").check()
    page.get_by_role("button", name="Join", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome to Alongside, first_light")
    expect(page).to_have_title(settings.DISCREET_TITLE)
    audit(page)
    page.get_by_label("Grief and loss").check()
    page.get_by_role("button", name="Show communities for me").click()
    suggestions = page.locator("#suggestions")
    expect(suggestions.get_by_role("heading", name="Communities that might fit")).to_be_visible()
    expect(suggestions.get_by_role("link", name="Grief circle")).to_be_visible()
    expect(suggestions.get_by_role("link", name="Worry room")).to_have_count(0)
    audit(page)

    suggestions.get_by_role("button", name="Join Grief circle").click()
    expect(page.get_by_text("Welcome to Grief circle. We're glad you're here.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome to Alongside, first_light")
    audit(page)
    member = User.objects.get(username="first_light")
    assert Membership.objects.get(user=member, community__name="Grief circle").status == MembershipStatus.ACTIVE

    page.goto(live_url + "/c/grief-circle/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Grief circle")
    expect(page).to_have_title(settings.DISCREET_TITLE)
    audit(page)
