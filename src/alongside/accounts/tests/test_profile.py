"""The profile page and account deletion."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator

from alongside.accounts import services
from alongside.accounts.models import ApiToken, NameKey, Profile, User
from alongside.core.audit import audit_chain_verify
from alongside.core.models import AuditEntry
from tests.fixtures import PASSWORD, api_for, client_for, make_person
from tests.support import profile_values, session_user_id

pytestmark = pytest.mark.django_db

PROFILE_URL = "/accounts/profile/"
DELETE_URL = "/accounts/delete/"

VALID = {
    "display_name": "River",
    "pronouns": "they/them",
    "languages": ["en", "fr"],
    "country": "GB",
    "time_zone": "Europe/London",
    "topics": ["anxiety", "grief"],
}


EMPTY = {"display_name": "", "pronouns": "", "languages": [], "country": "", "time_zone": "", "topics": []}


# --- Profile page -----------------------------------------------------------------------------


def test_profile_page_shows_the_form_and_pseudonym(member):
    response = client_for(member).get(PROFILE_URL)

    assert response.status_code == 200
    page = response.content.decode()
    assert "river_member" in page
    for name in VALID:
        assert f'name="{name}"' in page
    assert 'value="anxiety"' in page
    assert 'value="Europe/London"' in page


def test_profile_page_is_not_cached(member):
    response = client_for(member).get(PROFILE_URL)

    assert "no-store" in response.get("Cache-Control", "")


def test_profile_save_with_valid_values(member):
    client = client_for(member)

    response = client.post(PROFILE_URL, VALID)

    assert response.status_code == 302
    assert response["Location"] == PROFILE_URL
    assert profile_values(member) == VALID
    assert "Your profile is saved." in client.get(PROFILE_URL).content.decode()


def test_profile_save_can_clear_fields(member):
    services.profile_update(actor=member, user=member, values=VALID)

    response = client_for(member).post(
        PROFILE_URL, {"display_name": "", "pronouns": "", "country": "", "time_zone": ""}
    )

    assert response.status_code == 302
    assert profile_values(member) == EMPTY


def test_display_name_is_shown_instead_of_pseudonym_after_saving(member):
    client = client_for(member)
    client.post(PROFILE_URL, VALID)

    response = client.get("/")

    assert "River" in response.content.decode()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("country", "ZZ"),
        ("time_zone", "Mars/Base"),
        ("time_zone", "UTC+99"),
        ("topics", ["anxiety", "nope"]),
        ("languages", ["en", "klingon"]),
        ("display_name", "x" * 51),
        ("pronouns", "x" * 31),
    ],
)
def test_profile_refuses_invalid_values_and_saves_nothing(member, field, value):
    client = client_for(member)

    response = client.post(PROFILE_URL, {**VALID, field: value})

    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == [field]
    assert 'class="errorlist' in response.content.decode()
    assert profile_values(member) == EMPTY


def test_profile_display_name_of_exactly_50_characters_is_accepted(member):
    response = client_for(member).post(PROFILE_URL, {**VALID, "display_name": "x" * 50})

    assert response.status_code == 302
    assert profile_values(member)["display_name"] == "x" * 50


def test_profile_page_sends_a_stranger_to_log_in(stranger):
    for method in (stranger.get, stranger.post):
        response = method(PROFILE_URL)
        assert response.status_code == 302
        assert response["Location"] == f"/accounts/login/?next={PROFILE_URL}"


def test_profile_save_changes_only_the_person_themselves(member, other_member):
    client_for(member).post(PROFILE_URL, VALID)

    assert profile_values(other_member) == EMPTY


# --- Deleting an account ----------------------------------------------------------------------


def test_delete_page_asks_for_password(member):
    response = client_for(member).get(DELETE_URL)

    assert response.status_code == 200
    assert 'name="password"' in response.content.decode()
    assert 'name="confirm"' in response.content.decode()


def test_delete_with_wrong_password_keeps_the_account(member):
    client = client_for(member)

    response = client.post(DELETE_URL, {"password": "not the password", "confirm": "on"})

    assert response.status_code == 200
    assert "That password is not right" in response.content.decode()
    assert User.objects.filter(pk=member.pk).exists()
    assert session_user_id(client) == str(member.pk)
    assert not AuditEntry.objects.filter(action="accounts.user.deleted").exists()


def test_delete_without_confirmation_keeps_the_account(member):
    response = client_for(member).post(DELETE_URL, {"password": PASSWORD})

    assert response.status_code == 200
    assert "confirm" in response.context["form"].errors
    assert User.objects.filter(pk=member.pk).exists()


def test_delete_with_password_and_confirmation_removes_everything_and_logs_out(member, other_member):
    client = client_for(member)
    api_for(member)
    member_id = member.pk

    response = client.post(DELETE_URL, {"password": PASSWORD, "confirm": "on"})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert not User.objects.filter(pk=member_id).exists()
    assert not Profile.objects.filter(user_id=member_id).exists()
    assert not ApiToken.objects.filter(user_id=member_id).exists()
    assert not NameKey.objects.filter(user_id=member_id).exists()
    assert not Authenticator.objects.filter(user_id=member_id).exists()
    assert session_user_id(client) is None
    assert client.get(PROFILE_URL).status_code == 302
    entry = AuditEntry.objects.get(action="accounts.user.deleted")
    assert entry.target_type == "accounts.user"
    assert entry.target_id == str(member_id)
    assert entry.actor_id is None  # the person themselves: no actor kept
    assert audit_chain_verify().ok
    assert User.objects.filter(pk=other_member.pk).exists()
    # The pseudonym and the recovery address are free for someone else.
    newcomer = make_person("River_Member", email="river@example.org")
    assert User.objects.get(pk=newcomer.pk).email == "river@example.org"


def test_delete_page_sends_a_stranger_to_log_in(stranger):
    response = stranger.post(DELETE_URL, {"password": PASSWORD, "confirm": "on"})

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
