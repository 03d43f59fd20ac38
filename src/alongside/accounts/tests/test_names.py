"""Names people show each other: pseudonyms and display names may not pass as someone else's name,
as the product's own labels ("Anonymous member", "Deleted member") or as staff ("Mod Sam"), and
display names may not hide characters (bidi controls, zero-width characters).

Through the public ways in: the sign-up page, `POST /api/v1/auth/register`, the profile page and
`PATCH /api/v1/me/profile`. The look-alike keys themselves are tested in core/tests/test_confusables.py.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from alongside.accounts import services
from alongside.accounts.models import NameKey, Profile, Role, User
from tests.fixtures import PASSWORD, ApiClient, api_for, client_for, make_person

pytestmark = pytest.mark.django_db

STAFF_MESSAGE = "doesn't sound like a staff role"
RESERVED_MESSAGE = "That name is reserved"
TAKEN_MESSAGE = "Someone is already using that name, or one that looks just like it"


def register(pseudonym: str) -> Any:
    return ApiClient().call("POST", "/auth/register", {"pseudonym": pseudonym, "password": PASSWORD})


def signup_page(pseudonym: str) -> Any:
    return Client().post("/accounts/signup/", {"username": pseudonym, "password1": PASSWORD, "password2": PASSWORD})


def refused_messages(response: Any) -> str:
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "invalid"
    return " ".join(item["msg"] for item in response.json()["detail"])


def set_display_name(user: User, name: str) -> Any:
    return api_for(user).call("PATCH", "/me/profile", {"display_name": name})


def display_name_of(user: User) -> str:
    return str(Profile.objects.get(user=user).display_name)


# --- Pseudonyms -----------------------------------------------------------------------------------


@pytest.mark.parametrize("look_alike", ["sec_aIice", "SEC_ALICE", "sec_alice", "Sec_AIice"])
def test_a_pseudonym_that_looks_like_anothers_is_refused(look_alike):
    make_person("sec_alice")

    response = register(look_alike)

    assert TAKEN_MESSAGE in refused_messages(response)
    assert User.objects.count() == 1


def test_a_look_alike_pseudonym_is_refused_on_the_sign_up_page_too():
    make_person("sec_alice")

    response = signup_page("sec_aIice")

    assert response.status_code == 200
    assert TAKEN_MESSAGE in str(response.context["form"].errors["username"])
    assert User.objects.count() == 1


def test_a_pseudonym_that_looks_like_someones_display_name_is_refused():
    make_person("quiet_fox", display_name="Willow")

    assert TAKEN_MESSAGE in refused_messages(register("WiIlow"))


def test_different_pseudonyms_are_accepted():
    make_person("sec_alice")

    assert register("sec_alina").status_code == 201


@pytest.mark.parametrize(
    ("pseudonym", "message"),
    [
        ("admin", RESERVED_MESSAGE),
        ("Anonymous-member", RESERVED_MESSAGE),
        ("deleted_member", RESERVED_MESSAGE),
        ("Anonymous__Member", RESERVED_MESSAGE),
        ("DeletedMember", RESERVED_MESSAGE),
        ("Mod_Sam", STAFF_MESSAGE),
        ("sam_admin", STAFF_MESSAGE),
        ("the-moderator", STAFF_MESSAGE),
        ("staff_sam", STAFF_MESSAGE),
        ("SamAdmin", STAFF_MESSAGE),
        ("ModSam", STAFF_MESSAGE),
        ("admin1", STAFF_MESSAGE),
        ("2mod", STAFF_MESSAGE),
    ],
)
def test_reserved_and_staff_sounding_pseudonyms_are_refused(pseudonym, message):
    assert message in refused_messages(register(pseudonym))
    assert message in signup_page(pseudonym).content.decode().replace("&#x27;", "'")
    assert not User.objects.exists()


@pytest.mark.parametrize("pseudonym", ["modest_river", "badminton_fan", "Modena", "Samadi", "model3"])
def test_names_that_merely_contain_staff_letters_are_fine(pseudonym):
    assert register(pseudonym).status_code == 201


def test_a_pseudonym_is_free_again_once_its_account_is_deleted():
    gone = make_person("sec_alice")
    services.user_delete(actor=gone, user=gone)

    assert register("sec_aIice").status_code == 201


# --- Display names ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("Anonymous member", RESERVED_MESSAGE),
        ("\u0410nonymous member", RESERVED_MESSAGE),  # Cyrillic capital A
        ("Deleted  Member", RESERVED_MESSAGE),
        ("deleted member", RESERVED_MESSAGE),
        ("Anonymous member 2", RESERVED_MESSAGE),  # the label, then anything
        ("Deleted member (really)", RESERVED_MESSAGE),
        ("Mod Sam", STAFF_MESSAGE),
        ("Sam (admin)", STAFF_MESSAGE),
        ("M\u043ed Sam", STAFF_MESSAGE),  # Cyrillic small o
        ("Alongside Team", STAFF_MESSAGE),
    ],
)
def test_display_names_that_pass_as_labels_or_staff_are_refused(member, name, message):
    response = set_display_name(member, name)

    assert message in refused_messages(response)
    assert display_name_of(member) == ""


@pytest.mark.parametrize("name", ["Anonymous member", "Mod Sam"])
def test_the_profile_page_refuses_them_too(member, name):
    response = client_for(member).post("/accounts/profile/", {"display_name": name})

    assert response.status_code == 200
    assert "display_name" in response.context["form"].errors
    assert display_name_of(member) == ""


@pytest.mark.parametrize(
    ("name", "named"),
    [
        ("River\u202eevir", "U+202E RIGHT-TO-LEFT OVERRIDE"),
        ("Ri\u200bver", "U+200B ZERO WIDTH SPACE"),
        ("River\u2066x\u2069", "U+2066 LEFT-TO-RIGHT ISOLATE"),
    ],
)
def test_display_names_with_hidden_characters_are_refused_naming_them(member, name, named):
    api_message = refused_messages(set_display_name(member, name))
    page = client_for(member).post("/accounts/profile/", {"display_name": name})

    assert named in api_message
    assert named in str(page.context["form"].errors["display_name"])
    assert display_name_of(member) == ""


@pytest.mark.parametrize(
    "name", ["maple_member", "MAPLE_MEMBER", "Maple_Member", "rnaple_member", "maple-member", "Maple Member"]
)
def test_a_display_name_equal_to_someone_elses_pseudonym_is_refused(member, other_member, name):
    assert TAKEN_MESSAGE in refused_messages(set_display_name(member, name))
    assert display_name_of(member) == ""


def test_a_display_name_like_someone_elses_display_name_is_refused(member, other_member):
    services.profile_update(actor=other_member, user=other_member, values={"display_name": "Willow"})

    assert TAKEN_MESSAGE in refused_messages(set_display_name(member, "WILLOW"))


@pytest.mark.parametrize("name", ["river_member", "River_Member", "RIVER-MEMBER"])
def test_ones_own_pseudonym_is_allowed_as_display_name(member, name):
    response = set_display_name(member, name)

    assert response.status_code == 200, response.content
    assert display_name_of(member) == name


def test_a_display_name_is_free_again_once_changed(member, other_member):
    services.profile_update(actor=other_member, user=other_member, values={"display_name": "Willow"})
    services.profile_update(actor=other_member, user=other_member, values={"display_name": "Aspen"})

    assert set_display_name(member, "Willow").status_code == 200
    assert TAKEN_MESSAGE in refused_messages(
        api_for(make_person("quiet_fox")).call("PATCH", "/me/profile", {"display_name": "aspen"})
    )


def test_display_name_spaces_are_tidied(member):
    response = set_display_name(member, "  River   Stone ")

    assert response.json()["display_name"] == "River Stone"
    assert display_name_of(member) == "River Stone"


def test_staff_keep_a_plain_display_name_and_their_role_shows_as_a_badge(admin_user):
    """Staff are told apart by a badge beside the name, so they too may not put a role in their name."""
    response = set_display_name(admin_user, "Admin Alex")

    assert STAFF_MESSAGE in refused_messages(response)
    assert set_display_name(admin_user, "Alex").status_code == 200


def test_name_keys_follow_the_account(member):
    services.profile_update(actor=member, user=member, values={"display_name": "Willow"})
    member_id = member.pk

    services.user_delete(actor=member, user=member)

    assert not NameKey.objects.filter(user_id=member_id).exists()
    assert make_person("quiet_fox", display_name="Willow")


def test_role_changes_do_not_touch_names(admin_user, member):
    services.user_role_set(actor=admin_user, user=member, role=Role.LISTENER, reason="trained")

    assert register("river_member").status_code == 422
