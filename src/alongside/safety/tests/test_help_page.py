"""The "Get help now" page: seeded crisis lines, country choice, and admins keeping them current."""

from __future__ import annotations

import pytest
from django.test import Client

from alongside.accounts.models import Profile
from alongside.safety.models import CrisisLine
from tests.fixtures import client_for

pytestmark = pytest.mark.django_db


def test_a_new_installation_has_real_lines_for_at_least_15_countries():
    countries = set(CrisisLine.objects.values_list("country", flat=True))
    assert len(countries) >= 15
    # Every line can be reached: a number to call or a way to text.
    assert not CrisisLine.objects.filter(phone="", sms="").exists()
    # Every country has an emergency number alongside its crisis lines.
    for code in countries:
        assert CrisisLine.objects.filter(country=code, kind=CrisisLine.Kind.EMERGENCY).exists(), code


def test_anyone_can_open_the_page_without_signing_in():
    response = Client().get("/help/")
    assert response.status_code == 200
    assert "988 Suicide &amp; Crisis Lifeline" in response.content.decode()  # DEFAULT_COUNTRY is US


def test_the_visitor_chooses_a_country():
    page = Client().get("/help/?country=gb").content.decode()
    assert "Services in United Kingdom" in page
    assert 'href="tel:116123"' in page


def test_an_unknown_country_falls_back_to_the_default():
    page = Client().get("/help/?country=ZZ").content.decode()
    assert "Services in United States of America" in page


def test_a_country_without_lines_still_points_somewhere(settings):
    page = Client().get("/help/?country=IS").content.decode()
    assert "emergency number" in page
    assert "findahelpline.com" in page


def test_a_member_sees_their_own_countrys_lines_first(member):
    Profile.objects.filter(user=member).update(country="AU")
    page = client_for(member).get("/help/").content.decode()
    assert "Services in Australia" in page
    assert "13 11 14" in page


def test_the_page_only_answers_get():
    assert Client().post("/help/").status_code == 405


def test_an_administrator_adds_a_country_and_it_is_offered_at_once(admin_user):
    Client().get("/help/")  # fills the cached country list
    admin = client_for(admin_user)
    response = admin.post(
        "/admin/safety/crisisline/add/",
        {
            "country": "IS",
            "name": "Hjálparsíminn 1717",
            "kind": "crisis",
            "phone": "1717",
            "position": "10",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    page = Client().get("/help/").content.decode()
    assert '<option value="IS"' in page
    assert "Hjálparsíminn 1717" in Client().get("/help/?country=IS").content.decode()


def test_members_cannot_edit_crisis_lines(member):
    response = client_for(member).post("/admin/safety/crisisline/add/", {"country": "IS", "name": "Fake", "phone": "1"})
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    assert not CrisisLine.objects.filter(name="Fake").exists()
