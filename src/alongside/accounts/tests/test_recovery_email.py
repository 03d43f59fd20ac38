"""The recovery e-mail: stored encrypted and found by a keyed digest, set at sign-up (page and API),
on the page /accounts/email/ and with `PUT /api/v1/me/email`, and used by the password reset.

A new address waits until its owner opens the link mailed to it (nobody can claim someone else's
address). Nobody may learn from the site whether an address belongs to an account: every way of
setting an address answers the same whether or not it is in use, the page shows the address as
"waiting for you to confirm" either way, and exactly one mail goes to the address either way
("confirm" or "address_in_use"), sent by the task worker after the transaction commits. Changing
one's own address takes one's password. A password-reset request answers the same for any address,
sends nothing during the request, and never writes to an address without an account.
"""

from __future__ import annotations

import json
import re
from io import StringIO
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from cryptography.fernet import Fernet
from django.contrib.messages import get_messages
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import resolve, reverse
from django_tasks_db.models import DBTaskResult

from alongside.accounts import services, views
from alongside.accounts.models import User
from alongside.core.models import AuditEntry
from tests.fixtures import PASSWORD, ApiClient, api_for, client_for, make_person, run_tasks
from tests.support import session_user_id

# Real commits: mail is queued when a transaction commits, and the task worker (run_tasks) ends
# the connection's transaction as it would in production, which a test transaction cannot survive
# on PostgreSQL.
pytestmark = pytest.mark.django_db(transaction=True)

CONFIRM_SUBJECT = "Please confirm your recovery e-mail for Alongside"
REPLACED_SUBJECT = "Your recovery e-mail on Alongside was changed"
REMOVED_SUBJECT = "Your recovery e-mail was removed from Alongside"
IN_USE_SUBJECT = "Someone tried to use your e-mail on Alongside"
RESET_SUBJECT = "Reset your password on Alongside"
EMAIL_PAGE = "/accounts/email/"
RESET_PAGE = "/accounts/password/reset/"


def settle() -> None:
    """Send what is queued so far (say, the mail a persona's sign-up queued), and forget it."""
    run_tasks()
    mail.outbox.clear()


@pytest.fixture
def member(member: User) -> User:
    """The shared persona (recovery address river@example.org), its sign-up mail already sent."""
    settle()
    return member


def raw_email_columns(user: User) -> tuple[str, str | None]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT email, email_digest FROM accounts_user WHERE id = %s", [user.pk])
        row = cursor.fetchone()
    return row[0], row[1]


def assert_removed(user: User) -> None:
    raw_email, digest = raw_email_columns(user)
    assert digest is None
    assert "river" not in raw_email
    assert User.objects.get(pk=user.pk).email == ""


def mails() -> list[tuple[list[str], str]]:
    return [(message.to, str(message.subject)) for message in mail.outbox]


def signup(client: Client, pseudonym: str, email: str) -> Any:
    return client.post(
        "/accounts/signup/",
        {"username": pseudonym, "recovery_email": email, "password1": PASSWORD, "password2": PASSWORD},
    )


def message_texts(response: Any, *names: str) -> list[str]:
    """The messages queued for the next page, with the given pseudonyms blanked out."""
    texts = [str(message) for message in get_messages(response.wsgi_request)]
    for name in names:
        texts = [text.replace(name, "<pseudonym>") for text in texts]
    return texts


def without_csrf(page: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)


def confirm_from_mail(message: Any, client: Client | None = None) -> Any:
    """Open the link in a confirmation mail and press its button, as its reader would."""
    path = re.search(r"https?://[^/\s]+(/accounts/email/confirm/\S+/)", message.body).group(1)
    client = client or Client()
    assert client.get(path).status_code == 200  # opening the link alone changes nothing
    return client.post(path)


# --- Storage --------------------------------------------------------------------------------------


def test_the_address_is_stored_encrypted_with_a_keyed_digest(member):
    raw_email, digest = raw_email_columns(member)

    assert raw_email.startswith("fernet:")
    assert "river" not in raw_email.lower()
    assert "example" not in raw_email.lower()
    assert digest is not None
    assert re.fullmatch(r"[0-9a-f]{64}", digest)
    assert User.objects.get(pk=member.pk).email == "river@example.org"
    # Not in allauth's readable table either.
    assert not EmailAddress.objects.exists()


def test_the_address_travels_encrypted_through_the_task_queue():
    make_person("quiet_fox", email="fox@example.org")

    queued = list(DBTaskResult.objects.values_list("args_kwargs", flat=True))
    assert len(queued) == 1
    assert "fox@example.org" not in json.dumps(queued)
    assert "example" not in json.dumps(queued)


def test_the_encrypted_address_is_found_again_by_the_reset_flow(member):
    Client().post(RESET_PAGE, {"email": " River@Example.ORG "})
    run_tasks()

    assert mails() == [(["river@example.org"], RESET_SUBJECT)]
    assert "river_member" in mail.outbox[0].body
    assert re.search(r"https?://\S+/accounts/password/reset/key/\S+", str(mail.outbox[0].body))


def test_after_a_key_rotation_the_address_is_still_found_under_the_new_key_alone(settings, member):
    old_key, new_key = settings.ENCRYPTION_KEYS[0], Fernet.generate_key().decode()
    settings.ENCRYPTION_KEYS = [new_key, old_key]

    call_command("rotate_encryption_keys", stdout=StringIO())
    settings.ENCRYPTION_KEYS = [new_key]
    Client().post(RESET_PAGE, {"email": "river@example.org"})
    run_tasks()

    assert User.objects.get(pk=member.pk).email == "river@example.org"
    assert mails() == [(["river@example.org"], RESET_SUBJECT)]


# --- Sign-up: the page ------------------------------------------------------------------------


def test_signup_page_answers_the_same_for_a_new_and_an_already_used_address(member):
    fresh_client, taken_client = Client(), Client()

    fresh = signup(fresh_client, "quiet_fox", "fox@example.org")
    fresh_mails = mails()
    mail.outbox.clear()
    taken = signup(taken_client, "calm_otter", "RIVER@example.org")
    taken_mails_before_worker = mails()

    assert fresh.status_code == taken.status_code == 302
    assert fresh["Location"] == taken["Location"]
    assert message_texts(fresh, "quiet_fox") == message_texts(taken, "calm_otter")
    # Both are signed in, as members.
    fox, otter = User.objects.get(username="quiet_fox"), User.objects.get(username="calm_otter")
    assert session_user_id(fresh_client) == str(fox.pk)
    assert session_user_id(taken_client) == str(otter.pk)
    # Nothing was mailed during either request.
    assert fresh_mails == taken_mails_before_worker == []


def test_signup_with_an_address_in_use_tells_its_owner_and_gives_the_new_account_nothing(member):
    signup(Client(), "calm_otter", "RIVER@example.org")
    run_tasks()

    otter = User.objects.get(username="calm_otter")
    assert otter.email == ""
    assert otter.email_digest is None
    assert User.objects.get(pk=member.pk).email == "river@example.org"
    assert mails() == [(["river@example.org"], IN_USE_SUBJECT)]
    assert "calm_otter" not in mail.outbox[0].body


def test_signup_with_a_new_address_mails_it_a_link_that_confirms_it():
    signup(Client(), "quiet_fox", "Fox@Example.org")
    run_tasks()

    fox = User.objects.get(username="quiet_fox")
    assert (fox.email, fox.pending_email) == ("", "fox@example.org")  # not used until confirmed
    assert mails() == [(["fox@example.org"], CONFIRM_SUBJECT)]
    assert User.objects.filter(username="quiet_fox").get().email_digest is None

    response = confirm_from_mail(mail.outbox[0])
    assert response.status_code == 302
    fox = User.objects.get(username="quiet_fox")
    assert (fox.email, fox.pending_email) == ("fox@example.org", "")
    again = confirm_from_mail(mail.outbox[0])  # a second use changes nothing, and says so
    assert "not valid any more" in again.content.decode()
    assert User.objects.get(username="quiet_fox").email == "fox@example.org"


def test_a_forged_or_old_link_confirms_nothing(settings):
    signup(Client(), "quiet_fox", "fox@example.org")
    run_tasks()
    token = re.search(r"/accounts/email/confirm/(\S+)/", str(mail.outbox[0].body)).group(1)

    for bad in (token[:-2] + "xx", "not-a-token"):
        Client().post(f"/accounts/email/confirm/{bad}/")
    assert User.objects.get(username="quiet_fox").email == ""
    with pytest.raises(Exception, match="not valid"):
        services.user_email_confirm(token=token.replace(token[0], "A" if token[0] != "A" else "B", 1))


def test_signup_without_an_address_sends_nothing():
    signup(Client(), "quiet_fox", "")
    run_tasks()

    assert User.objects.get(username="quiet_fox").email == ""
    assert mail.outbox == []


def test_signup_refuses_an_invalid_address_on_the_form(stranger):
    response = signup(stranger, "quiet_fox", "not-an-email")

    assert response.status_code == 200
    assert "recovery_email" in response.context["form"].errors
    assert not User.objects.exists()


# --- Sign-up: the API ---------------------------------------------------------------------------


def _shape(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _shape(item) for key, item in value.items()}
    return type(value).__name__


def test_api_registration_answers_the_same_for_a_new_and_an_already_used_address(api, member):
    fresh = api.call("POST", "/auth/register", {"pseudonym": "quiet_fox", "password": PASSWORD, "email": "f@x.org"})
    taken = ApiClient().call(
        "POST", "/auth/register", {"pseudonym": "calm_otter", "password": PASSWORD, "email": "river@example.org"}
    )
    assert mail.outbox == []
    run_tasks()

    assert fresh.status_code == taken.status_code == 201
    assert _shape(fresh.json()) == _shape(taken.json())
    assert fresh.json()["user"]["role"] == taken.json()["user"]["role"] == "member"
    assert ApiClient(taken.json()["token"]).call("GET", "/me").status_code == 200
    assert User.objects.get(username="calm_otter").email == ""
    assert User.objects.get(username="quiet_fox").pending_email == "f@x.org"
    assert sorted(mails()) == sorted([(["f@x.org"], CONFIRM_SUBJECT), (["river@example.org"], IN_USE_SUBJECT)])


# --- The page /accounts/email/ ------------------------------------------------------------------


def test_the_email_page_is_ours_under_allauths_name(member):
    response = client_for(member).get(reverse("account_email"))

    assert reverse("account_email") == EMAIL_PAGE
    assert resolve(EMAIL_PAGE).func == views.recovery_email
    assert response.status_code == 200
    assert "accounts/email.html" in [template.name for template in response.templates]
    assert 'name="email"' in response.content.decode()
    assert "no-store" in response["Cache-Control"]


def test_setting_a_new_address_on_the_page_takes_the_password_and_a_confirmation(member):
    client = client_for(member)

    wrong = client.post(EMAIL_PAGE, {"email": "new@example.org", "password": "not my password"})
    assert wrong.status_code == 200
    assert "password" in wrong.context["form"].errors
    response = client.post(EMAIL_PAGE, {"email": "New@Example.org", "password": PASSWORD})
    assert mail.outbox == []
    run_tasks()

    assert response.status_code == 302
    assert response["Location"] == EMAIL_PAGE
    assert User.objects.get(pk=member.pk).email == "river@example.org"  # the old one, until confirmed
    assert mails() == [(["new@example.org"], CONFIRM_SUBJECT)]
    confirm_from_mail(mail.outbox[0])
    run_tasks()
    assert User.objects.get(pk=member.pk).email == "new@example.org"
    # The address it replaced is told, in case it was not its owner who changed it.
    assert mails()[-1] == (["river@example.org"], REPLACED_SUBJECT)


def test_the_page_answers_the_same_when_the_address_is_in_use(member, other_member):
    fresh = client_for(make_person("quiet_fox")).post(EMAIL_PAGE, {"email": "fox@example.org", "password": PASSWORD})
    run_tasks()
    mail.outbox.clear()

    taken = client_for(other_member).post(EMAIL_PAGE, {"email": "river@example.org", "password": PASSWORD})
    run_tasks()

    assert fresh.status_code == taken.status_code == 302
    assert fresh["Location"] == taken["Location"]
    thanks = ["Thank you. Please open the link we've sent to that address."]
    assert message_texts(fresh) == message_texts(taken) == thanks
    assert User.objects.get(pk=other_member.pk).email == ""
    assert User.objects.get(pk=member.pk).email == "river@example.org"
    assert mails() == [(["river@example.org"], IN_USE_SUBJECT)]


def test_the_page_after_saving_does_not_reveal_whether_the_address_was_in_use(member, other_member):
    fresh_client = client_for(make_person("quiet_fox"))
    taken_client = client_for(other_member)
    fresh_client.post(EMAIL_PAGE, {"email": "fox@example.org", "password": PASSWORD})
    taken_client.post(EMAIL_PAGE, {"email": "river@example.org", "password": PASSWORD})

    fresh_page = without_csrf(fresh_client.get(EMAIL_PAGE).content.decode()).replace("fox@example.org", "<address>")
    taken_page = without_csrf(taken_client.get(EMAIL_PAGE).content.decode()).replace("river@example.org", "<address>")

    def same_person(page: str, user_id: int, pseudonym: str) -> str:
        return page.replace(pseudonym, "<pseudonym>").replace(f'data-draft-owner="{user_id}"', "<owner>")

    fox = User.objects.get(username="quiet_fox")
    assert same_person(fresh_page, fox.pk, "quiet_fox") == same_person(taken_page, other_member.pk, "maple_member")


def test_trying_an_address_in_use_keeps_ones_own_address(member):
    someone = make_person("quiet_fox", email="fox@example.org")
    settle()

    client_for(someone).post(EMAIL_PAGE, {"email": "river@example.org", "password": PASSWORD})
    run_tasks()

    assert User.objects.get(pk=someone.pk).email == "fox@example.org"
    assert mails() == [(["river@example.org"], IN_USE_SUBJECT)]


def test_clearing_the_field_removes_the_address_and_frees_it(member):
    client = client_for(member)

    response = client.post(EMAIL_PAGE, {"email": "", "password": PASSWORD})
    run_tasks()

    assert response.status_code == 302
    assert_removed(member)
    assert mails() == [(["river@example.org"], REMOVED_SUBJECT)]  # told, in case it was not its owner
    assert "Your recovery e-mail is removed." in client.get(EMAIL_PAGE).content.decode()
    mail.outbox.clear()
    # Someone else may now use it.
    make_person("quiet_fox", email="river@example.org")
    run_tasks()
    assert User.objects.get(username="quiet_fox").email == "river@example.org"
    assert mails() == [(["river@example.org"], CONFIRM_SUBJECT)]


def test_the_page_refuses_an_invalid_address(member):
    response = client_for(member).post(EMAIL_PAGE, {"email": "not-an-email", "password": PASSWORD})

    assert response.status_code == 200
    assert "email" in response.context["form"].errors
    assert User.objects.get(pk=member.pk).email == "river@example.org"


def test_the_page_sends_a_stranger_to_log_in(stranger):
    for method in (stranger.get, stranger.post):
        response = method(EMAIL_PAGE)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


# --- The API: PUT /me/email ------------------------------------------------------------------------


def test_api_sets_answers_the_same_and_mails_once(member, other_member):
    api = api_for(other_member)
    fresh = api.call("PUT", "/me/email", {"email": "Maple@Example.org", "password": PASSWORD})
    taken = api_for(make_person("quiet_fox")).call(
        "PUT", "/me/email", {"email": "river@example.org", "password": PASSWORD}
    )
    assert mail.outbox == []
    run_tasks()

    assert fresh.status_code == taken.status_code == 204
    assert fresh.content == taken.content == b""
    assert User.objects.get(pk=other_member.pk).pending_email == "maple@example.org"
    assert User.objects.get(username="quiet_fox").pending_email == "river@example.org"
    assert User.objects.get(username="quiet_fox").email == ""
    expected = [(["maple@example.org"], CONFIRM_SUBJECT), (["river@example.org"], IN_USE_SUBJECT)]
    assert sorted(mails()) == sorted(expected)
    wrong = api.call("PUT", "/me/email", {"email": "x@example.org", "password": "not my password"})
    assert wrong.status_code == 422
    assert wrong.json()["detail"][0]["loc"] == ["body", "password"]


def test_api_empty_address_removes_it(member):
    response = api_for(member).call("PUT", "/me/email", {"email": "", "password": PASSWORD})
    run_tasks()

    assert response.status_code == 204
    assert_removed(member)
    assert mails() == [(["river@example.org"], REMOVED_SUBJECT)]


@pytest.mark.parametrize(
    "body",
    [
        {"email": "not-an-email", "password": PASSWORD},
        {"email": None, "password": PASSWORD},
        {"email": 5, "password": PASSWORD},
        {},
        {"email": "a@example.org"},
        {"email": "a@example.org", "password": PASSWORD, "user": 1},
        {"email": "a@example.org\x00", "password": PASSWORD},
    ],
)
def test_api_refuses_bad_input_and_changes_nothing(member, body):
    response = api_for(member).call("PUT", "/me/email", body)
    run_tasks()

    assert response.status_code == 422, response.content
    assert response.json()["code"] == "invalid"
    assert User.objects.get(pk=member.pk).email == "river@example.org"
    assert mail.outbox == []


def test_an_administrator_changing_someones_address_is_audited_without_the_address(admin_user, member):
    services.user_email_set(actor=admin_user, user=member, email="new@example.org")

    entry = AuditEntry.objects.get(action="accounts.email.changed_by_staff")
    assert entry.actor_id == admin_user.pk
    assert entry.target_id == str(member.pk)
    assert "new@example.org" not in json.dumps([entry.reason, entry.data])


def test_setting_ones_own_address_is_not_audited(member):
    services.user_email_set(actor=member, user=member, email="new@example.org", password=PASSWORD)

    assert not AuditEntry.objects.filter(action__startswith="accounts.email").exists()


def test_nobody_else_may_set_someones_address(member, other_member):
    with pytest.raises(Exception, match="permission"):
        services.user_email_set(actor=other_member, user=member, email="maple@example.org")

    assert User.objects.get(pk=member.pk).email == "river@example.org"


# --- Password reset requests ------------------------------------------------------------------


def test_the_reset_request_answers_the_same_for_known_and_unknown_addresses(member):
    known = Client().post(RESET_PAGE, {"email": "river@example.org"})
    unknown = Client().post(RESET_PAGE, {"email": "nobody@example.org"})

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == "/accounts/password/reset/done/"
    assert without_csrf(Client().get(known["Location"]).content.decode()) == without_csrf(
        Client().get(unknown["Location"]).content.decode()
    )
    # Nothing is mailed during a request: the look-up happens in the task worker.
    assert mail.outbox == []
    assert DBTaskResult.objects.ready().count() == 2


def test_a_reset_request_mails_a_known_address_once_after_the_worker_runs(member):
    Client().post(RESET_PAGE, {"email": "river@example.org"})
    assert mail.outbox == []

    run_tasks()

    assert mails() == [(["river@example.org"], RESET_SUBJECT)]


def test_a_reset_request_for_an_unknown_address_mails_nothing_at_all(member):
    Client().post(RESET_PAGE, {"email": "nobody@example.org"})
    run_tasks()

    # Someone else reading that inbox must not learn that its owner looked for a peer-support site.
    assert mail.outbox == []


def test_a_reset_request_for_a_deactivated_account_mails_nothing(member):
    User.objects.filter(pk=member.pk).update(is_active=False)

    Client().post(RESET_PAGE, {"email": "river@example.org"})
    run_tasks()

    assert mail.outbox == []


def test_a_reset_request_for_an_address_that_was_removed_mails_nothing(member):
    services.user_email_set(actor=member, user=member, email="", password=PASSWORD)
    run_tasks()
    mail.outbox.clear()

    Client().post(RESET_PAGE, {"email": "river@example.org"})
    run_tasks()

    assert mail.outbox == []


def test_a_reset_link_stops_working_when_the_recovery_address_changes(member):
    visitor = Client()
    visitor.post(RESET_PAGE, {"email": "river@example.org"})
    run_tasks()
    (link,) = re.findall(r"https?://\S+/password/reset/key/\S+", str(mail.outbox[0].body))
    services.user_email_set(actor=member, user=member, email="new@example.org", password=PASSWORD)
    member.refresh_from_db()
    services.user_email_confirm(token=services.email_confirmation_token(user=member))

    page = visitor.get(re.sub(r"^https?://[^/]+", "", link), follow=True)

    assert "Bad Token" in page.content.decode()
    assert User.objects.get(pk=member.pk).check_password(PASSWORD)
