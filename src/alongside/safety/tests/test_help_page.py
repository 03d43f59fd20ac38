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
    page = response.content.decode()
    # Nothing says where they are: the page asks, and never pretends they are in the United States.
    assert "Tell us where you are" in page
    assert "988" not in page
    assert "findahelpline.com" in page


def test_the_browsers_language_region_gives_the_country():
    page = Client(headers={"accept-language": "en-GB,en;q=0.8"}).get("/help/").content.decode()
    assert "Services in United Kingdom" in page
    assert "We guessed your country from your browser." in page


def test_the_browsers_time_zone_comes_before_its_language():
    client = Client(headers={"accept-language": "en-US,en;q=0.8"})
    client.cookies["tz"] = "Australia/Sydney"
    page = client.get("/help/").content.decode()
    assert "Services in Australia" in page


def test_phone_and_text_lines_are_tappable():
    page = Client().get("/help/?country=US").content.decode()
    assert 'href="tel:988"' in page
    assert 'href="sms:' in page


def test_one_tap_changes_the_country_for_the_rest_of_the_visit():
    client = Client(headers={"accept-language": "en-US"})
    response = client.post("/help/country/", {"country": "IE", "next": "/help/"})
    assert response.status_code == 302
    assert "Services in Ireland" in client.get("/help/").content.decode()


def test_the_visitor_chooses_a_country():
    page = Client().get("/help/?country=gb").content.decode()
    assert "Services in United Kingdom" in page
    assert 'href="tel:116123"' in page


def test_an_unknown_country_asks_rather_than_guessing():
    page = Client().get("/help/?country=ZZ").content.decode()
    assert "Tell us where you are" in page


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


# --- The person's country, from what their browser tells -------------------------------------


@pytest.mark.parametrize(
    ("header", "country"),
    [
        ("en-GB,en;q=0.9", "United Kingdom"),
        ("fr-CA, fr;q=0.8, en;q=0.5", "Canada"),
        ("de, en-AU;q=0.7", "Australia"),  # the first tag with a region
        ("es-419, es;q=0.9, en-IE;q=0.5", "Ireland"),  # 419 (Latin America) is no country
    ],
)
def test_the_country_comes_from_the_browsers_language_region(header, country):
    page = Client().get("/help/", HTTP_ACCEPT_LANGUAGE=header).content.decode()
    assert f"Services in {country}" in page
    assert "We guessed your country from your browser." in page


def test_the_time_zone_says_more_than_the_language(client):
    client.cookies["tz"] = "Europe/Dublin"
    page = client.get("/help/", HTTP_ACCEPT_LANGUAGE="en-US").content.decode()  # browsers often say en-US
    assert "Services in Ireland" in page
    client.cookies["tz"] = "Asia/Calcutta"  # an old name a browser may still report
    assert "Services in India" in client.get("/help/").content.decode()
    client.cookies["tz"] = "Etc/UTC"  # no country: the language region, then nothing
    assert "Services in United Kingdom" in client.get("/help/", HTTP_ACCEPT_LANGUAGE="en-GB").content.decode()
    assert "Choose your country" in client.get("/help/").content.decode()


def test_a_members_profile_comes_before_their_browser(member):
    Profile.objects.filter(user=member).update(time_zone="Pacific/Auckland")
    client = client_for(member)
    client.cookies["tz"] = "Europe/London"
    assert "Services in New Zealand" in client.get("/help/").content.decode()
    Profile.objects.filter(user=member).update(country="FR")
    page = client.get("/help/").content.decode()
    assert "Services in France" in page
    assert "We guessed" not in page


def test_the_tz_table_is_generated_from_the_tz_database():
    from alongside.safety.selectors import _time_zone_countries

    table = _time_zone_countries()
    assert table["Europe/London"] == "GB"
    assert table["America/New_York"] == "US"
    assert table["Australia/Sydney"] == "AU"
    assert "Etc/UTC" not in table
    assert len(table) > 400


def test_lines_in_the_persons_language_come_first():
    french = Client().get("/help/?country=BE", HTTP_ACCEPT_LANGUAGE="fr-BE,fr;q=0.9").content.decode()
    dutch = Client().get("/help/?country=BE", HTTP_ACCEPT_LANGUAGE="nl-BE,nl;q=0.9").content.decode()
    assert french.index("Centre de Prévention du Suicide") < french.index("Zelfmoordlijn 1813")
    assert dutch.index("Zelfmoordlijn 1813") < dutch.index("Centre de Prévention du Suicide")
    # Emergency numbers (any language) before lines in another language.
    assert french.index("Urgences / Noodnummer") < french.index("Zelfmoordlijn 1813")


def test_numbers_and_text_lines_can_be_tapped():
    us = Client().get("/help/?country=US").content.decode()
    assert 'href="tel:988"' in us
    assert 'href="sms:988"' in us
    assert 'href="sms:741741?body=HOME"' in us
    assert 'href="tel:1-866-488-7386"' not in us
    assert 'href="tel:18664887386"' in us
    au = Client().get("/help/?country=AU").content.decode()
    assert 'href="sms:0477131114"' in au
    line = CrisisLine.objects.filter(country="GB", name="Samaritans").get()
    line.chat_url = "https://www.samaritans.org/chat"
    line.save(update_fields=["chat_url"])
    assert 'href="https://www.samaritans.org/chat"' in Client().get("/help/?country=GB").content.decode()


def test_the_seeded_lines_have_language_codes():
    assert CrisisLine.objects.get(country="BE", name="Zelfmoordlijn 1813").language_code_list == ["nl"]
    assert CrisisLine.objects.get(country="CH", kind="crisis", name__startswith="Die").language_code_list == [
        "de",
        "fr",
        "it",
    ]
    assert (
        CrisisLine.objects.filter(kind="emergency", language_codes="").count()
        == CrisisLine.objects.filter(kind="emergency").count()
    )


def test_one_tap_changes_the_country_for_the_session():
    client = Client()
    response = client.post("/help/country/", {"country": "IE"}, HTTP_ACCEPT_LANGUAGE="en-GB")
    assert response.status_code == 302
    assert response["Location"] == "/help/"
    page = client.get("/help/", HTTP_ACCEPT_LANGUAGE="en-GB").content.decode()
    assert "Services in Ireland" in page
    assert "We guessed" not in page
    assert "Also save this country to my profile" not in page  # signed out: nothing to save to
    # Back to where they were (this site only).
    assert client.post("/help/country/", {"country": "GB", "next": "/help/support/"})["Location"] == "/help/support/"
    assert client.post("/help/country/", {"country": "GB", "next": "https://evil.example/"})["Location"] == "/help/"
    # Nonsense changes nothing.
    client.post("/help/country/", {"country": "ZZ"})
    assert "Services in United Kingdom" in client.get("/help/").content.decode()


def test_a_member_can_save_the_country_to_their_profile(member):
    client = client_for(member)
    assert "Also save this country to my profile" in client.get("/help/").content.decode()
    client.post("/help/country/", {"country": "CA"})
    assert Profile.objects.get(user=member).country == ""  # not without asking
    page = client.post("/help/country/", {"country": "CA", "save": "on"}, follow=True).content.decode()
    assert "Saved to your profile" in page
    assert Profile.objects.get(user=member).country == "CA"


def test_the_page_varies_by_language_and_cookie_and_stays_cheap(django_assert_max_num_queries):
    Client().get("/help/")  # the country list is cached
    with django_assert_max_num_queries(2):
        response = Client().get("/help/?country=GB", HTTP_ACCEPT_LANGUAGE="en-GB")
    assert "Accept-Language" in response["Vary"]
    assert "Cookie" in response["Vary"]


# --- The support panel ---------------------------------------------------------------------


def test_the_support_panel_is_calm_and_has_everything_at_hand():
    page = Client().get("/help/support/", HTTP_ACCEPT_LANGUAGE="en-GB").content.decode()
    assert 'role="region" aria-labelledby="support-panel-heading" tabindex="-1"' in page
    assert '<h1 id="support-panel-heading">It sounds like things are really hard right now</h1>' in page
    assert 'href="tel:116123"' in page
    assert 'href="sms:85258?body=SHOUT"' in page
    assert '<form method="post" action="/help/talk-now/"' in page
    assert "Talk to a listener now" in page
    assert '<details class="grounding">' in page
    assert "5 things you can see" in page
    assert 'href="/help/plan/">Make a safety plan</a>' in page
    assert 'href="/help/">All crisis lines and ways to get help</a>' in page
    for word in ("error", "therapy", "diagnos"):
        assert word not in page.split('id="support-panel"')[1].split("</main>")[0].lower()


def test_the_support_panel_without_a_country_points_to_choosing_one():
    page = Client().get("/help/support/").content.decode()
    assert "Choose your country to see crisis lines" in page
    assert "findahelpline.com" in page
    assert "tel:" not in page


def test_the_support_panel_tag_works_inside_any_page(rf, member):
    from django.template import Context, Template

    request = rf.get("/", HTTP_ACCEPT_LANGUAGE="en-AU")
    request.user = member
    request.session = {}
    html = Template("{% load safety_tags %}{% support_panel %}").render(Context({"request": request}))
    assert '<h2 id="support-panel-heading">' in html
    assert 'href="tel:131114"' in html


def test_talk_now_is_a_post_that_goes_to_the_chat(member):
    client = client_for(member)
    assert client.get("/help/talk-now/").status_code == 405
    assert client.post("/help/talk-now/")["Location"].startswith("/chat/")
