"""The Django admin has no log-in of its own: /admin/login/ (wrapped with allauth's
`secure_admin_login`) sends everyone to the site's log-in, with its rate limits, lock-out and
two-factor step, and never logs anyone in by itself. Signed-in people who are not administrators
get 403 from the admin.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse

from alongside.accounts.models import Role
from tests.fixtures import PASSWORD, client_for, make_person, totp_code
from tests.support import login_fully, session_user_id

pytestmark = pytest.mark.django_db

SITE_LOGIN_FOR_ADMIN = f"/accounts/login/?next={quote('/admin/', safe='')}"


def admin_form(username: str, password: str = PASSWORD) -> dict[str, str]:
    """What Django's own admin log-in form would post."""
    return {"username": username, "password": password, "next": "/admin/"}


def test_the_admin_sends_a_stranger_to_the_sites_log_in(stranger):
    response = stranger.get("/admin/", follow=True)

    assert [url for url, _status in response.redirect_chain] == ["/admin/login/?next=/admin/", SITE_LOGIN_FOR_ADMIN]
    assert response.status_code == 200
    assert 'name="login"' in response.content.decode()  # the site's form, not the admin's
    assert 'name="username"' not in response.content.decode()


def test_get_admin_login_never_shows_a_password_form_of_its_own(stranger):
    response = stranger.get("/admin/login/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize("persona", ["admin_user", "member"])
def test_posting_a_password_to_admin_login_logs_nobody_in(request, stranger, persona):
    user = request.getfixturevalue(persona)

    response = stranger.post("/admin/login/?next=/admin/", admin_form(user.username))

    assert response.status_code == 302
    assert response["Location"] == SITE_LOGIN_FOR_ADMIN
    assert session_user_id(stranger) is None
    assert stranger.get("/admin/").status_code == 302


def test_an_administrator_reaches_the_admin_through_the_site_log_in_and_two_factor(stranger, admin_user):
    response = stranger.post(SITE_LOGIN_FOR_ADMIN, {"login": admin_user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    # Not in yet: the password alone opens nothing.
    assert session_user_id(stranger) is None
    assert stranger.get("/admin/").status_code == 302

    response = stranger.post(reverse("mfa_authenticate"), {"code": totp_code()})

    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert session_user_id(stranger) == str(admin_user.pk)
    page = stranger.get("/admin/")
    assert page.status_code == 200
    assert "Alongside administration" in page.content.decode()
    # Once logged in, the admin's log-in page just lets them through.
    assert stranger.get("/admin/login/?next=/admin/").status_code == 302


def test_a_wrong_code_keeps_the_administrator_out(stranger, admin_user):
    stranger.post(SITE_LOGIN_FOR_ADMIN, {"login": admin_user.username, "password": PASSWORD})

    stranger.post(reverse("mfa_authenticate"), {"code": "000000" if totp_code() != "000000" else "111111"})

    assert session_user_id(stranger) is None
    assert stranger.get("/admin/").status_code == 302


def test_the_lock_out_applies_to_administrators(stranger, admin_user):
    for _attempt in range(5):
        stranger.post(SITE_LOGIN_FOR_ADMIN, {"login": admin_user.username, "password": "not the password"})

    site = Client().post(SITE_LOGIN_FOR_ADMIN, {"login": admin_user.username, "password": PASSWORD})
    admin = Client().post("/admin/login/?next=/admin/", admin_form(admin_user.username))

    assert site.status_code == 200
    assert "Too many failed login attempts" in site.content.decode()
    assert admin.status_code == 302
    assert admin["Location"] == SITE_LOGIN_FOR_ADMIN
    assert session_user_id(stranger) is None


def test_guesses_at_admin_login_do_not_help_an_attacker_past_the_lock_out(stranger, admin_user):
    """Passwords posted to /admin/login/ are never checked, so they can neither log in nor be used
    to guess around the site's limits."""
    for _attempt in range(10):
        response = stranger.post("/admin/login/?next=/admin/", admin_form(admin_user.username, "guess"))
        assert response.status_code == 302

    assert session_user_id(stranger) is None
    # The real log-in is not locked by them either: they were never password attempts.
    login_fully(Client(), admin_user.username)


@pytest.mark.parametrize("persona", ["member", "listener", "moderator", "facilitator", "clinician"])
def test_signed_in_people_who_are_not_administrators_get_403_from_the_admin(request, persona):
    client = login_fully(Client(), request.getfixturevalue(persona).username)

    assert client.get("/admin/login/?next=/admin/").status_code == 403
    assert client.get("/admin/", follow=True).status_code == 403


def test_an_administrator_without_two_factor_is_sent_to_set_it_up_first():
    user = make_person("new_lead", Role.ADMIN, two_factor=False)

    response = client_for(user).get("/admin/")

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
