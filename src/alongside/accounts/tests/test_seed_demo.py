"""The seed_demo management command: one working log-in per role, never in production."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.test import Client

from alongside.accounts.models import Profile, Role, User
from alongside.accounts.tests.support import login_fully
from tests.fixtures import make_person, totp_code

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
        if row["role"] in settings.STAFF_ROLES_REQUIRING_MFA:
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


def test_seed_demo_is_refused_in_production(settings):
    settings.PRODUCTION = True

    with pytest.raises(CommandError):
        seed()

    assert not User.objects.exists()
