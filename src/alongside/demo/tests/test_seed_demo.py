"""The seed_demo management command: one working log-in per role, with friendly names.

The demo app is installed only outside production, so in production the command does not exist
at all (core/tests/test_settings.py starts a production process to check); the demo people refuse
to be created there even if called some other way."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import Client

from alongside.accounts import services as account_services
from alongside.accounts.enums import STAFF_ROLES
from alongside.accounts.models import Profile, Role, User
from alongside.accounts.selectors import user_display_name
from alongside.demo.people import DISPLAY_NAMES, demo_users_create
from tests.fixtures import make_person, totp_code
from tests.support import login_fully

pytestmark = pytest.mark.django_db

LINE = re.compile(
    r"^\s+(?P<pseudonym>\S+)\s+password: (?P<password>\S+)\s+role: (?P<role>\S+)"
    r"(?:\s+two-factor secret: (?P<secret>\S+))?\s*$"
)


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def printed_logins(output: str) -> list[dict[str, str]]:
    return [match.groupdict() for line in output.splitlines() if (match := LINE.match(line))]


def test_seed_demo_creates_one_working_login_per_role():
    logins = printed_logins(seed())

    assert sorted(row["role"] for row in logins) == sorted(role.value for role in Role)
    assert User.objects.count() == len(Role)
    for row in logins:
        user = authenticate(username=row["pseudonym"], password=row["password"])
        assert user is not None, row
        assert user.role == row["role"]
        assert Profile.objects.filter(user=user).exists()
        assert authenticate(username=row["pseudonym"], password=row["password"] + "x") is None


def test_seed_demo_staff_have_two_factor_with_the_printed_secret():
    logins = printed_logins(seed())

    for row in logins:
        user = User.objects.get(username=row["pseudonym"])
        totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
        if row["role"] in STAFF_ROLES:
            assert row["secret"], row
            assert totp is not None, row
            assert TOTP(totp).validate_code(totp_code(row["secret"]))
        else:
            assert row["secret"] is None, row
            assert totp is None, row


def test_seed_demo_staff_can_log_in_through_the_pages():
    row = next(row for row in printed_logins(seed()) if row["role"] == Role.MODERATOR)

    client = login_fully(Client(), row["pseudonym"], password=row["password"], code=totp_code(row["secret"]))

    assert client.get("/accounts/profile/").status_code == 200


def test_seed_demo_twice_creates_nothing_new():
    seed()
    authenticators = Authenticator.objects.count()

    logins = printed_logins(seed())

    assert len(logins) == len(Role)
    assert User.objects.count() == len(Role)
    assert Authenticator.objects.count() == authenticators


def test_seed_demo_if_empty_does_nothing_when_accounts_exist():
    make_person("river_member")

    output = seed("--if-empty")

    assert "Accounts exist already" in output
    assert printed_logins(output) == []
    assert list(User.objects.values_list("username", flat=True)) == ["river_member"]


def test_seed_demo_if_empty_seeds_an_empty_database():
    logins = printed_logins(seed("--if-empty"))

    assert len(logins) == len(Role)
    assert User.objects.count() == len(Role)


def test_seed_demo_people_have_friendly_names_that_pass_the_name_rules():
    seed()

    for user in User.objects.select_related("profile"):
        assert user_display_name(user) == DISPLAY_NAMES[Role(user.role)]
        for name in (user.username, user.profile.display_name):
            lowered = name.lower()
            assert not any(word in lowered for word in ("admin", "mod", "staff", user.role)), name
        # Each name passes the checks a person's own would (their own names aside).
        account_services.pseudonym_validate(user.username, user=user)
        account_services.display_name_validate(user.profile.display_name, user=user)


def test_seed_demo_creates_demo_communities_hosted_by_the_administrator():
    output = seed()

    assert "Demo communities:" in output
    assert "Anxiety support" in output


def test_demo_people_are_refused_in_production(settings):
    settings.PRODUCTION = True

    with pytest.raises(RuntimeError, match="never created in production"):
        demo_users_create()

    assert not User.objects.exists()


def test_seed_demo_moderator_and_clinician_answer_the_risk_queue():
    output = seed()
    logins = {row["role"]: row for row in printed_logins(output)}
    assert "Demo responders:" in output

    for role in (Role.MODERATOR, Role.CLINICIAN):
        row = logins[role]
        client = login_fully(Client(), row["pseudonym"], password=row["password"], code=totp_code(row["secret"]))
        assert client.get("/responders/").status_code == 200, role
    member = logins[Role.MEMBER]
    client = Client()
    client.login(username=member["pseudonym"], password=member["password"])
    assert client.get("/responders/").status_code == 404
