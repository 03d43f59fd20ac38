"""The private journal in Chromium against uvicorn: writing (with a mistake first), reading, searching
and the settings, every page audited with axe-core."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.harness import ROOT
from tests.browser.test_threads import log_in
from tests.fixtures import make_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = ROOT / "var" / "screenshots"


def test_a_member_writes_reads_and_searches_their_journal(browser: Browser, live_url: str, audit: Any) -> None:
    make_person("fern_writes")
    context = browser.new_context()
    page = context.new_page()
    log_in(page, live_url, "fern_writes", audit)
    page.get_by_role("link", name="Journal").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your journal")
    expect(page.get_by_text("Nothing here yet. Whenever you're ready.")).to_be_visible()
    audit(page)
    page.get_by_role("link", name="Write an entry").click()
    page.get_by_role("button", name="Save").click()  # nothing written: the form says so
    expect(page.get_by_role("link", name="Please fill in “What's on your mind?”.")).to_be_visible()
    audit(page)
    page.get_by_label("Title (optional)").fill("After the appointment")
    page.get_by_label("What's on your mind?").fill("It went better than I feared. **Small wins.**")
    page.get_by_label("Getting by").check()
    page.get_by_label("Tags (optional)").fill("health, small wins")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved. Only you can read it.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("After the appointment")
    expect(page.locator(".post-body strong")).to_have_text("Small wins.")
    audit(page)
    page.get_by_role("link", name="Your journal").click()
    page.get_by_label("Search your journal").fill("feared")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", level=2)).to_have_text("1 entry with “feared”")
    audit(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "journal.png"), full_page=True)
    page.get_by_role("link", name="Journal settings").click()
    page.get_by_label("If something I write sounds like I'm in crisis, show me where to get help").check()
    audit(page)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your journal settings are saved.")).to_be_visible()
    page.get_by_role("link", name="Download or erase").click()
    page.get_by_role("button", name="Erase it all").click()  # not ticked: nothing is erased
    expect(
        page.get_by_role("link", name="Please tick the box to say you're sure. Nothing has been erased.")
    ).to_be_visible()
    audit(page)
    page.get_by_label("I understand: my journal, my mood check-ins and their settings will be gone for good").check()
    page.get_by_role("button", name="Erase it all").click()
    expect(page.get_by_text("Nothing here yet. Whenever you're ready.")).to_be_visible()
    context.close()


def test_a_member_checks_in_from_home_and_reads_their_mood_chart(browser: Browser, live_url: str, audit: Any) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from alongside.selfcare import services
    from alongside.selfcare.models import MoodCheckIn

    person = make_person("sage_checks")
    for days_ago, mood in ((6, 2), (5, 3), (3, 2), (2, 4), (1, 4)):
        checkin = services.checkin_save(actor=person, mood=mood, tags="walk" if mood == 4 else "")
        MoodCheckIn.objects.filter(pk=checkin.pk).update(created_at=timezone.now() - timedelta(days=days_ago))
    for dark in (False, True):
        context = browser.new_context(color_scheme="dark" if dark else "light")
        page = context.new_page()
        log_in(page, live_url, "sage_checks", audit)
        if not dark:
            page.get_by_role("button", name="Fairly good").click()
            expect(page.get_by_text("Thank you for checking in. It's in your mood chart.")).to_be_visible()
        page.goto(f"{live_url}/journal/moods/?days=7")
        chart = page.get_by_role("img", name="Your mood over the last 7 days")
        expect(chart).to_be_visible()
        expect(page.get_by_role("table")).to_contain_text("Fairly good")
        audit(page)
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"mood-chart-{'dark' if dark else 'light'}.png"), full_page=True)
        context.close()


def test_phq9_question_9_opens_the_crisis_panel_at_once(browser: Browser, live_url: str, audit: Any) -> None:
    from alongside.safety.models import RiskEvent

    make_person("rowan_asks")
    context = browser.new_context()
    page = context.new_page()
    log_in(page, live_url, "rowan_asks", audit)
    page.goto(f"{live_url}/journal/measures/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Check-up questionnaires")
    audit(page)
    page.get_by_role("link", name="Take the PHQ-9").click()
    expect(page.get_by_text("our safety team will be told", exact=False)).to_be_visible()  # before they start
    audit(page)
    for index in range(8):
        page.locator(f"#q{index}-1").check()
    panel = page.locator("#crisis-now")
    expect(panel).to_be_hidden()
    page.locator("#q8-0").check()
    expect(panel).to_be_hidden()
    page.locator("#q8-1").check()  # "Several days": the panel opens at once, before anything is sent
    expect(panel).to_be_visible()
    audit(page)
    page.get_by_role("button", name="See my score").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your PHQ-9 result")
    expect(page.get_by_text("Our safety team has been told", exact=False)).to_be_visible()
    audit(page)
    assert RiskEvent.objects.filter(subject__username="rowan_asks", source="questionnaire").count() == 1
    page.get_by_role("link", name="Check-up questionnaires").click()
    with page.expect_download() as download:  # their results, for a doctor they choose (FHIR R4)
        page.get_by_role("link", name="download your results as a FHIR file").click()
    bundle = json.loads(Path(download.value.path()).read_text())
    kinds = [entry["resource"]["resourceType"] for entry in bundle["entry"]]
    assert kinds == ["Patient", "QuestionnaireResponse", "Observation"]
    assert bundle["entry"][1]["resource"]["item"][8]["answer"][0]["valueCoding"]["display"] == "Several days"
    audit(page)
    context.close()


def test_a_member_sets_a_goal_ticks_a_step_and_shares_a_milestone(browser: Browser, live_url: str, audit: Any) -> None:
    from alongside.communities.models import Visibility
    from alongside.communities.tests.conftest import quick_community

    person = make_person("briar_goals")
    quick_community("Small wins", Visibility.PUBLIC, members=(person,))
    context = browser.new_context()
    page = context.new_page()
    log_in(page, live_url, "briar_goals", audit)
    page.goto(f"{live_url}/journal/goals/")
    audit(page)
    page.get_by_role("link", name="Set a goal").click()
    page.get_by_role("button", name="Save").click()  # no goal written: the form says so
    expect(page.get_by_role("link", name="Please fill in “Your goal”.")).to_be_visible()
    audit(page)
    page.get_by_label("Your goal").fill("Cook one proper meal")
    page.get_by_label("Small steps (optional), one a line").fill("Choose a recipe\nBuy the food\nCook it")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("0 of 3 steps done")).to_be_visible()
    page.get_by_role("button", name="Choose a recipe").click()
    expect(page.get_by_text("1 of 3 steps done")).to_be_visible()
    page.get_by_role("button", name="I worked on it today").click()
    expect(page.get_by_text("You've worked on it 1 day in this run.")).to_be_visible()
    audit(page)
    page.get_by_role("link", name="Share as a milestone").click()
    audit(page)
    page.get_by_label("What you'd like to say").fill("I cooked for the first time in months.")
    page.get_by_role("button", name="Share it").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Milestone: Cook one proper meal")
    context.close()


def test_an_administrator_reads_the_outcomes_dashboard(browser: Browser, live_url: str, audit: Any) -> None:
    from alongside.accounts.enums import Role
    from tests.browser.test_communities import log_in_staff

    make_person("ada_outcomes", Role.ADMIN)
    context = browser.new_context()
    page = context.new_page()
    log_in_staff(page, live_url, audit, "ada_outcomes")
    page.goto(f"{live_url}/outcomes/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Program outcomes")
    expect(page.get_by_role("table").first).to_contain_text("<10")
    audit(page)
    context.close()
