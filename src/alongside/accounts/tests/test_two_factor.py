"""Two-factor authentication: staff must have it, cannot switch it off, and log in with a code."""

from __future__ import annotations

import re

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.test import Client
from django.urls import reverse

from alongside.accounts import services
from alongside.accounts.access import check_staff_needs_two_factor
from alongside.accounts.models import Role, User
from tests.fixtures import TOTP_SECRET, client_for, make_person, totp_code
from tests.support import login_fully, login_with_password, reauthenticate, session_user_id

pytestmark = pytest.mark.django_db

STAFF_ROLES = [Role.MODERATOR, Role.FACILITATOR, Role.CLINICIAN, Role.ADMIN]
NON_STAFF_ROLES = [Role.MEMBER, Role.LISTENER]
STAFF_PERSONAS = ["moderator", "facilitator", "clinician", "admin_user"]


# Pseudonyms may not contain staff words, so new staff get plain ones.
NEW_STAFF_NAMES = {Role.MODERATOR: "new_keeper", Role.FACILITATOR: "new_guide", Role.CLINICIAN: "new_nurse"}


def staff_without_totp(role: Role) -> User:
    user = make_person(NEW_STAFF_NAMES.get(role, "new_lead"), role, two_factor=False)
    assert not Authenticator.objects.filter(user=user).exists()
    return user


def test_the_rule_names_exactly_the_staff_roles():
    for role in STAFF_ROLES:
        assert check_staff_needs_two_factor(User(username="x", role=role))
    for role in NON_STAFF_ROLES:
        assert not check_staff_needs_two_factor(User(username="x", role=role))


# --- Staff without an authenticator -----------------------------------------------------------


@pytest.mark.parametrize("role", STAFF_ROLES)
@pytest.mark.parametrize("path", ["/", "/accounts/profile/", "/accounts/delete/", "/accounts/password/change/"])
def test_staff_without_totp_are_sent_to_set_it_up(role, path):
    client = client_for(staff_without_totp(role))

    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_staff_without_totp_can_still_reach_help_and_setup(role):
    client = client_for(staff_without_totp(role))

    assert client.get("/help/").status_code == 200
    response = client.get(reverse("mfa_activate_totp"))
    # allauth first asks for the password again; that page must not be blocked either.
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/reauthenticate/")
    assert client.get(response["Location"]).status_code == 200
    reauthenticate(client)
    assert client.get(reverse("mfa_activate_totp")).status_code == 200


def test_staff_without_totp_are_told_why(moderator):
    client = client_for(staff_without_totp(Role.MODERATOR))

    response = client.get("/accounts/profile/", follow=True)

    assert "Your role needs two-factor authentication" in response.content.decode()


def test_staff_without_totp_get_json_403_from_the_api_with_a_session():
    client = client_for(staff_without_totp(Role.MODERATOR))

    response = client.get("/api/v1/me")

    assert response.status_code == 403
    assert response.json()["code"] == "two_factor_required"
    assert "two-factor" in response.json()["detail"]


@pytest.mark.parametrize("role", [Role.MODERATOR, Role.ADMIN])
def test_staff_without_totp_get_403_on_every_api_call_with_a_session(openapi_spec, role):
    client = client_for(staff_without_totp(role))

    for template, methods in openapi_spec["paths"].items():
        path = re.sub(r"\{[^}]+\}", "1", template)
        for method in methods:
            body = {} if method == "get" else {"data": "{}", "content_type": "application/json"}
            response = getattr(client, method)(path, **body)
            assert response.status_code == 403, (method, path)
            assert response.json()["code"] == "two_factor_required", (method, path)


@pytest.mark.django_db(transaction=True)  # allauth announces the new authenticator once it is committed
def test_staff_without_totp_can_set_it_up_and_then_use_the_site():
    user = staff_without_totp(Role.MODERATOR)
    client = login_fully(Client(), user.username)
    reauthenticate(client)
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    secret = client.session["mfa.totp.secret"]

    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})

    assert response.status_code == 302
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    assert client.get("/accounts/profile/").status_code == 200


def test_a_member_promoted_to_staff_is_asked_for_two_factor_on_the_next_request(member, admin_user):
    client = client_for(member)
    assert client.get("/accounts/profile/").status_code == 200

    services.user_role_set(actor=admin_user, user=member, role=Role.MODERATOR, reason="trained")

    response = client.get("/accounts/profile/")
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_a_password_only_session_from_before_a_promotion_never_gets_staff_access(member, admin_user):
    old_session = login_fully(Client(), member.username)  # a member: the password alone
    services.user_role_set(actor=admin_user, user=member, role=Role.MODERATOR, reason="trained")
    assert old_session.get("/accounts/profile/").status_code == 302

    TOTP.activate(member, TOTP_SECRET)  # set up on their other device

    response = old_session.get("/accounts/profile/")
    assert response.status_code == 302, "a session that never gave a code acts as a moderator"


# --- Staff with an authenticator --------------------------------------------------------------


@pytest.mark.parametrize("persona", STAFF_PERSONAS)
def test_staff_with_totp_reach_pages(request, persona):
    client = client_for(request.getfixturevalue(persona))

    assert client.get("/").status_code == 200
    assert client.get("/accounts/profile/").status_code == 200


@pytest.mark.parametrize("persona", ["member", "other_member", "listener"])
def test_members_and_listeners_are_never_forced(request, persona):
    user = request.getfixturevalue(persona)
    assert not Authenticator.objects.filter(user=user).exists()
    client = client_for(user)

    assert client.get("/").status_code == 200
    assert client.get("/accounts/profile/").status_code == 200
    assert client.get("/api/v1/me").status_code == 200


@pytest.mark.parametrize("persona", STAFF_PERSONAS)
def test_staff_cannot_switch_two_factor_off(request, persona):
    user = request.getfixturevalue(persona)
    client = login_fully(Client(), user.username)
    reauthenticate(client)  # so that allauth lets us reach the deactivation form at all

    page = client.get(reverse("mfa_deactivate_totp"))
    response = client.post(reverse("mfa_deactivate_totp"))

    assert "You cannot deactivate two-factor authentication." in page.content.decode()
    assert response.status_code == 200
    assert "You cannot deactivate two-factor authentication." in response.content.decode()
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def test_a_member_can_switch_their_own_two_factor_off(member):
    TOTP.activate(member, TOTP_SECRET)
    client = login_fully(Client(), member.username)
    reauthenticate(client)

    response = client.post(reverse("mfa_deactivate_totp"))

    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=member, type=Authenticator.Type.TOTP).exists()


def test_totp_secret_is_stored_encrypted(moderator):
    authenticator = Authenticator.objects.get(user=moderator, type=Authenticator.Type.TOTP)

    assert TOTP_SECRET not in str(authenticator.data)
    assert TOTP(authenticator).validate_code(totp_code())


# --- Logging in with a code -------------------------------------------------------------------


@pytest.mark.parametrize("persona", STAFF_PERSONAS)
def test_staff_login_asks_for_the_code_then_succeeds(request, persona):
    user = request.getfixturevalue(persona)
    client = Client()

    response = login_with_password(client, user.username)

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert session_user_id(client) is None  # not logged in on the password alone
    assert client.get("/accounts/profile/").status_code == 302

    response = client.post(reverse("mfa_authenticate"), {"code": totp_code()})

    assert response.status_code == 302
    assert session_user_id(client) == str(user.pk)
    assert client.get("/accounts/profile/").status_code == 200


def test_staff_login_with_a_wrong_code_is_refused(moderator):
    client = Client()
    login_with_password(client, moderator.username)

    response = client.post(reverse("mfa_authenticate"), {"code": "000000" if totp_code() != "000000" else "111111"})

    assert response.status_code == 200
    assert "Incorrect code." in response.content.decode()
    assert session_user_id(client) is None


def test_staff_login_code_cannot_be_used_twice(moderator):
    code = totp_code()
    login_fully(Client(), moderator.username, code=code)
    client = Client()
    login_with_password(client, moderator.username)

    response = client.post(reverse("mfa_authenticate"), {"code": code})

    assert response.status_code == 200
    assert session_user_id(client) is None


def test_staff_login_locks_after_five_wrong_codes(moderator):
    client = Client()
    login_with_password(client, moderator.username)
    wrong = "000000" if totp_code() != "000000" else "111111"
    for _attempt in range(5):
        client.post(reverse("mfa_authenticate"), {"code": wrong})

    response = client.post(reverse("mfa_authenticate"), {"code": totp_code()})

    assert "Too many failed login attempts" in response.content.decode()
    assert session_user_id(client) is None


def test_member_login_does_not_ask_for_a_code(member):
    response = login_with_password(Client(), member.username)

    assert response.status_code == 302
    assert response["Location"] != reverse("mfa_authenticate")
