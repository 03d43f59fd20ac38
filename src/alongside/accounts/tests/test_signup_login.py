"""Web sign-up, log-in, lock-out, log-out and password pages (allauth with our adapter).

The recovery e-mail at sign-up and the reset request's privacy are in test_recovery_email.py."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.urls import reverse

from alongside.accounts.models import Profile, User
from tests.fixtures import PASSWORD, client_for, make_person, run_tasks
from tests.support import login_with_password, session_user_id

pytestmark = pytest.mark.django_db

SIGNUP_URL = "/accounts/signup/"
LOGIN_URL = "/accounts/login/"
NEW_PASSWORD = "quiet rivers run deep"


def signup(client: Client, username: str, *, password: str = PASSWORD, email: str = "", password2: str | None = None):
    data = {"username": username, "password1": password, "password2": password if password2 is None else password2}
    if email:
        data["recovery_email"] = email
    return client.post(SIGNUP_URL, data)


# --- Sign-up ----------------------------------------------------------------------------------


def test_signup_page_shows_pseudonym_form(stranger):
    response = stranger.get(SIGNUP_URL)

    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="username"' in page
    assert "Pseudonym" in page
    assert "E-mail (optional)" in page
    assert 'name="recovery_email"' in page
    assert 'name="email"' not in page


def test_signup_without_email_creates_member_with_profile_and_logs_in(stranger):
    response = signup(stranger, "Quiet_Fox")

    assert response.status_code == 302
    user = User.objects.get(username="Quiet_Fox")  # casing is preserved
    assert user.email == ""
    assert user.role == "member"
    assert Profile.objects.filter(user=user).exists()
    assert not EmailAddress.objects.filter(user=user).exists()
    assert session_user_id(stranger) == str(user.pk)


def test_signup_with_email_records_it_for_recovery(stranger):
    response = signup(stranger, "quiet_fox", email="fox@example.org")

    assert response.status_code == 302
    user = User.objects.get(username="quiet_fox")
    # Kept, encrypted, until its owner confirms it from the link mailed to it (test_recovery_email.py);
    # never in allauth's readable EmailAddress table.
    assert (user.email, user.pending_email, user.email_digest) == ("", "fox@example.org", None)
    assert not EmailAddress.objects.exists()


def test_signup_hashes_password_with_argon2(stranger, argon2_passwords):
    signup(stranger, "quiet_fox")

    user = User.objects.get(username="quiet_fox")
    assert user.password.startswith("argon2")
    assert PASSWORD not in user.password
    assert user.check_password(PASSWORD)


@pytest.mark.parametrize(
    ("pseudonym", "message"),
    [
        ("ab", "at least 3 characters"),
        ("a" * 31, "at most 30 characters"),
        ("quiet fox", "Use only letters, numbers, underscores"),
        ("quiet.fox", "Use only letters, numbers, underscores"),
        ("fox@home", "Use only letters, numbers, underscores"),
        ("admin", "That name is reserved"),
        ("Moderator", "That name is reserved"),
        ("SUPPORT", "That name is reserved"),
        ("deleted-member", "That name is reserved"),
        ("deleted_member", "That name is reserved"),
        ("Mod-Sam", "sound like a staff role"),
        ("sam_admin", "sound like a staff role"),
    ],
)
def test_signup_refuses_bad_pseudonyms_with_a_form_error(stranger, pseudonym, message):
    response = signup(stranger, pseudonym)

    assert response.status_code == 200
    assert "username" in response.context["form"].errors
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not User.objects.exists()
    assert session_user_id(stranger) is None


@pytest.mark.parametrize("pseudonym", ["abc", "a" * 30, "Quiet-Fox_2"])
def test_signup_accepts_pseudonyms_at_the_limits(stranger, pseudonym):
    response = signup(stranger, pseudonym)

    assert response.status_code == 302
    assert User.objects.filter(username=pseudonym).exists()


@pytest.mark.parametrize("second", ["river", "RIVER", "River"])
def test_signup_pseudonyms_are_unique_ignoring_case(stranger, second):
    make_person("River")

    response = signup(stranger, second)

    assert response.status_code == 200
    assert "Someone is already using that name" in response.content.decode()
    assert User.objects.count() == 1


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short1", "too short"),
        ("password123", "too common"),
        ("1234567890123", "entirely numeric"),
        ("quiet_fox_quiet", "too similar"),
    ],
)
def test_signup_refuses_weak_passwords(stranger, password, message):
    response = signup(stranger, "quiet_fox", password=password)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not User.objects.exists()


def test_signup_refuses_mismatched_passwords(stranger):
    response = signup(stranger, "quiet_fox", password2="a different calm harbour")

    assert response.status_code == 200
    assert not User.objects.exists()


# --- Log-in and log-out ----------------------------------------------------------------------


def test_login_with_right_password_starts_a_session(stranger, member):
    response = login_with_password(stranger, "river_member")

    assert response.status_code == 302
    assert session_user_id(stranger) == str(member.pk)
    assert stranger.get("/accounts/profile/").status_code == 200


def test_login_pseudonym_is_case_insensitive(stranger, member):
    response = login_with_password(stranger, "RIVER_member")

    assert response.status_code == 302
    assert session_user_id(stranger) == str(member.pk)


@pytest.mark.parametrize(("pseudonym", "password"), [("river_member", "not the password"), ("nobody_here", PASSWORD)])
def test_login_with_wrong_credentials_is_refused_with_the_same_message(stranger, member, pseudonym, password):
    response = login_with_password(stranger, pseudonym, password)

    assert response.status_code == 200
    assert "The username and/or password you specified are not correct." in response.content.decode()
    assert session_user_id(stranger) is None


def test_inactive_account_cannot_log_in(stranger, member):
    User.objects.filter(pk=member.pk).update(is_active=False)

    response = login_with_password(stranger, "river_member")

    assert response.status_code == 302
    assert response["Location"] == reverse("account_inactive")
    assert session_user_id(stranger) is None


def test_five_failed_logins_lock_the_pseudonym_even_for_the_right_password(stranger, member, other_member):
    for _attempt in range(5):
        response = login_with_password(stranger, "river_member", "not the password")
        assert response.status_code == 200
        assert "not correct" in response.content.decode()

    response = login_with_password(stranger, "river_member", PASSWORD)

    assert response.status_code == 200
    assert "Too many failed login attempts. Try again later." in response.content.decode()
    assert session_user_id(stranger) is None

    # The lock is per pseudonym, whatever the casing: someone else can still log in from here.
    assert "Too many" in login_with_password(Client(), "RIVER_MEMBER", PASSWORD).content.decode()
    response = login_with_password(stranger, "maple_member", PASSWORD)
    assert response.status_code == 302
    assert session_user_id(stranger) == str(other_member.pk)


def test_four_failed_logins_do_not_lock(stranger, member):
    for _attempt in range(4):
        login_with_password(stranger, "river_member", "not the password")

    response = login_with_password(stranger, "river_member", PASSWORD)

    assert response.status_code == 302
    assert session_user_id(stranger) == str(member.pk)


def test_logout_by_post_ends_the_session(member):
    client = client_for(member)

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert session_user_id(client) is None
    assert client.get("/accounts/profile/").status_code == 302


def test_logout_by_get_only_asks_for_confirmation(member):
    client = client_for(member)

    response = client.get("/accounts/logout/")

    assert response.status_code == 200
    assert session_user_id(client) == str(member.pk)


# --- Password change and reset ---------------------------------------------------------------


def test_password_change_with_the_current_password(argon2_passwords, member):
    client = client_for(member)
    assert client.get("/accounts/password/change/").status_code == 200

    response = client.post(
        "/accounts/password/change/", {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.check_password(NEW_PASSWORD)
    assert member.password.startswith("argon2")
    # Still logged in afterwards.
    assert client.get("/accounts/profile/").status_code == 200


def test_password_change_refuses_a_wrong_current_password(member):
    client = client_for(member)

    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": "not the password", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 200
    assert "oldpassword" in response.context["form"].errors
    member.refresh_from_db()
    assert member.check_password(PASSWORD)


def test_password_change_refuses_a_weak_new_password(member):
    client = client_for(member)

    response = client.post(
        "/accounts/password/change/", {"oldpassword": PASSWORD, "password1": "password123", "password2": "password123"}
    )

    assert response.status_code == 200
    member.refresh_from_db()
    assert member.check_password(PASSWORD)


def test_password_change_needs_a_login(stranger):
    response = stranger.get("/accounts/password/change/")

    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)


def _reset_links(messages: list) -> list[str]:
    return [link for message in messages for link in re.findall(r"https?://\S+/password/reset/key/\S+", message.body)]


def settle() -> None:
    """Send the mail queued while setting up (a persona's recovery address), and forget it."""
    run_tasks()
    mail.outbox.clear()


# Real commits: the task worker (run_tasks) ends the connection's transaction as it would in
# production, which a test transaction cannot survive on PostgreSQL.
@pytest.mark.django_db(transaction=True)
def test_password_reset_mails_a_link_to_the_address_on_file_and_it_works(stranger, member):
    settle()

    response = stranger.post("/accounts/password/reset/", {"email": "river@example.org"})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/done/"
    assert mail.outbox == []  # mail goes out from the task worker, never during the request
    run_tasks()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["river@example.org"]
    links = _reset_links(mail.outbox)
    assert len(links) == 1

    # Following the link lets the person choose a new password (then they log in again).
    path = re.sub(r"^https?://[^/]+", "", links[0])
    form_page = stranger.get(path, follow=True)
    assert form_page.status_code == 200
    action = form_page.redirect_chain[-1][0] if form_page.redirect_chain else path
    response = stranger.post(action, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.check_password(NEW_PASSWORD)
    assert session_user_id(stranger) is None
    assert login_with_password(Client(), "river_member", NEW_PASSWORD).status_code == 302
    # The link works once.
    assert "Bad Token" in stranger.get(path, follow=True).content.decode()


@pytest.mark.django_db(transaction=True)
def test_password_reset_for_an_address_not_on_file_sends_no_link_and_looks_the_same(stranger, member, other_member):
    settle()
    known = stranger.post("/accounts/password/reset/", {"email": "river@example.org"})
    settle()

    unknown = Client().post("/accounts/password/reset/", {"email": "maple@example.org"})
    run_tasks()

    # No account enumeration: the same redirect to the same page either way.
    assert unknown.status_code == known.status_code == 302
    assert unknown["Location"] == known["Location"]
    # An address with no account gets no mail at all: someone else reading that inbox must not
    # learn that its owner looked for a peer-support site.
    assert mail.outbox == []
    other_member.refresh_from_db()
    assert other_member.check_password(PASSWORD)


def test_an_account_made_outside_sign_up_has_a_profile_and_its_pages_work():
    """createsuperuser and the shell make accounts through the manager: they get a profile too."""
    from django.core.management import call_command

    call_command("createsuperuser", username="first_admin", interactive=False, verbosity=0)
    assert Profile.objects.filter(user__username="first_admin").exists()
    member = User.objects.create_user("shell_member", PASSWORD)
    client = client_for(member)
    for url in ("/communities/", "/welcome/", "/accounts/profile/"):
        assert client.get(url).status_code == 200, url
