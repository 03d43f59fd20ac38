"""API tokens: how long they live, what ends them, the staff two-factor rule, and the person's own
list of tokens (the page /accounts/tokens/ and the API under /api/v1/auth/tokens).

A token ends at `expires_at`, when it is revoked, when the person's role changes, and when their
password changes by any path: the allauth pages, the reset link, or `set_password` (what
`manage.py changepassword` does).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from alongside.accounts import services
from alongside.accounts.models import ApiToken, Role, User
from alongside.core.models import AuditEntry
from tests.fixtures import PASSWORD, ApiClient, api_for, client_for, make_person, run_tasks, totp_code
from tests.support import assert_matches_schema, login_fully, response_schema

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "quiet rivers run deep"
TWO_FACTOR_MESSAGE = "Your role needs two-factor authentication"


def assert_error(response: Any, status: int, code: str) -> str:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"detail", "code"}, body
    assert body["code"] == code, body
    return str(body["detail"])


def token_of(api: ApiClient) -> ApiToken:
    return ApiToken.objects.get(prefix=api.token[4:12])


def works(api: ApiClient) -> bool:
    """Whether the token still authenticates; a refused one must be a JSON 401."""
    response = api.call("GET", "/me")
    if response.status_code == 200:
        return True
    assert_error(response, 401, "not_authenticated")
    return False


# --- Lifetime -------------------------------------------------------------------------------------


def test_a_token_lasts_the_configured_number_of_days(settings, api, member):
    settings.API_TOKEN_LIFETIME_DAYS = 3

    response = api.call("POST", "/auth/tokens", {"pseudonym": member.username, "password": PASSWORD})

    token = ApiToken.objects.get(user=member)
    assert token.expires_at - token.created_at == timedelta(days=3)
    answered = datetime.fromisoformat(response.json()["expires_at"].replace("Z", "+00:00"))
    assert answered == token.expires_at.replace(microsecond=token.expires_at.microsecond // 1000 * 1000)


def test_the_default_lifetime_is_thirty_days(member):
    token, _raw = services.api_token_create(user=member)

    assert token.expires_at - token.created_at == timedelta(days=30)


def test_an_expired_token_is_refused_and_deleted(member):
    api = api_for(member)
    assert works(api)
    ApiToken.objects.filter(pk=token_of(api).pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    assert not works(api)
    assert not ApiToken.objects.filter(user=member).exists()


def test_a_token_from_a_shorter_lifetime_setting_ends_when_it_says(settings, member):
    settings.API_TOKEN_LIFETIME_DAYS = 1
    api = api_for(member)
    token = token_of(api)
    # A day later, as the clock would have it.
    ApiToken.objects.filter(pk=token.pk).update(
        created_at=token.created_at - timedelta(days=1), expires_at=token.expires_at - timedelta(days=1)
    )

    assert not works(api)


# --- What ends a token ------------------------------------------------------------------------


def test_changing_the_password_on_the_allauth_page_ends_tokens(member):
    api = api_for(member)
    client = client_for(member)

    response = client.post(
        "/accounts/password/change/", {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )

    assert response.status_code == 302
    assert not works(api)
    # A token issued under the new password works.
    assert works(api_for(User.objects.get(pk=member.pk)))


def test_a_refused_password_change_leaves_tokens_alone(member):
    api = api_for(member)

    client_for(member).post(
        "/accounts/password/change/",
        {"oldpassword": "not the password", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert works(api)


# Real commits: the task worker (run_tasks) ends the connection's transaction as it would in
# production, which a test transaction cannot survive on PostgreSQL.
@pytest.mark.django_db(transaction=True)
def test_resetting_the_password_through_the_mailed_link_ends_tokens(member):
    run_tasks()  # the mail the persona's recovery address queued at sign-up
    mail.outbox.clear()
    api = api_for(member)
    visitor = Client()
    visitor.post("/accounts/password/reset/", {"email": "river@example.org"})
    run_tasks()
    (link,) = re.findall(r"https?://\S+/password/reset/key/\S+", str(mail.outbox[0].body))
    path = re.sub(r"^https?://[^/]+", "", link)
    form_page = visitor.get(path, follow=True)
    action = form_page.redirect_chain[-1][0] if form_page.redirect_chain else path

    response = visitor.post(action, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert response.status_code == 302
    assert User.objects.get(pk=member.pk).check_password(NEW_PASSWORD)
    assert not works(api)


def test_set_password_and_save_ends_tokens(member):
    """What `manage.py changepassword` and any script do: set_password, then save."""
    api = api_for(member)
    user = User.objects.get(pk=member.pk)

    user.set_password(NEW_PASSWORD)
    user.save()

    assert not works(api)
    assert not ApiToken.objects.filter(user=member).exists()


def test_setting_the_same_password_again_still_ends_tokens(member):
    api = api_for(member)
    user = User.objects.get(pk=member.pk)

    user.set_password(PASSWORD)  # a new salt, so a new hash: "I changed my password" means it
    user.save()

    assert not works(api)


def test_logging_in_and_editing_the_profile_leave_tokens_alone(member):
    api = api_for(member)

    login_fully(Client(), member.username)
    services.profile_update(actor=member, user=member, values={"display_name": "River"})

    assert works(api)


def test_a_role_change_revokes_every_token(admin_user, member):
    phone, laptop = api_for(member), api_for(member)

    services.user_role_set(actor=admin_user, user=member, role=Role.LISTENER, reason="completed training")

    assert not works(phone)
    assert not works(laptop)
    assert not ApiToken.objects.filter(user=member).exists()


def test_setting_the_same_role_again_keeps_tokens(admin_user, member):
    api = api_for(member)

    services.user_role_set(actor=admin_user, user=member, role=Role.MEMBER, reason="no change")

    assert works(api)


def test_a_members_token_stops_working_once_they_become_staff(admin_user, member):
    api = api_for(member)
    assert token_of(api).second_factor is False

    services.user_role_set(actor=admin_user, user=member, role=Role.MODERATOR, reason="trained")

    assert not works(api)


def test_a_role_change_behind_the_services_back_still_cannot_use_a_token_without_two_factor(member):
    """Should a member's token outlive a promotion (a role written straight to the database), the
    token still cannot act for the staff role."""
    api = api_for(member)
    User.objects.filter(pk=member.pk).update(role=Role.ADMIN)

    assert TWO_FACTOR_MESSAGE in assert_error(api.call("GET", "/me"), 403, "two_factor_required")


def test_a_refused_role_change_keeps_tokens(member, other_member):
    api = api_for(member)

    with pytest.raises(Exception, match="Only administrators"):
        services.user_role_set(actor=other_member, user=member, role=Role.LISTENER, reason="nope")

    assert works(api)


def test_deleting_the_account_deletes_its_tokens(member):
    api = api_for(member)

    services.user_delete(actor=member, user=member)

    assert not works(api)
    assert not ApiToken.objects.exists()


# --- Staff tokens need a second factor --------------------------------------------------------


def _every_authenticated_operation(spec: dict[str, Any]) -> list[tuple[str, str]]:
    operations = []
    for template, methods in spec["paths"].items():
        for method, operation in methods.items():
            if operation.get("security"):
                path = re.sub(r"\{[^}]+\}", "1", template.removeprefix("/api/v1"))
                operations.append((method.upper(), path))
    return operations


@pytest.mark.parametrize("persona", ["moderator", "admin_user"])
def test_a_staff_token_without_second_factor_is_refused_on_every_api_call(request, openapi_spec, persona):
    user = request.getfixturevalue(persona)
    api = api_for(user, second_factor=False)
    operations = _every_authenticated_operation(openapi_spec)
    assert len(operations) > 20

    for method, path in operations:
        response = api.call(method, path, {} if method in {"POST", "PUT", "PATCH"} else None)
        detail = assert_error(response, 403, "two_factor_required")
        assert TWO_FACTOR_MESSAGE in detail, (method, path)
    assert ApiToken.objects.filter(user=user).count() == 1  # not even "log out" went through


@pytest.mark.parametrize("persona", ["moderator", "facilitator", "clinician", "admin_user"])
def test_a_staff_token_issued_with_a_code_works(request, api, persona):
    user = request.getfixturevalue(persona)
    response = api.call(
        "POST", "/auth/tokens", {"pseudonym": user.username, "password": PASSWORD, "otp_code": totp_code()}
    )

    staff_api = ApiClient(response.json()["token"])

    assert staff_api.call("GET", "/me").json()["role"] == user.role
    assert staff_api.call("GET", "/auth/tokens").status_code == 200


def test_a_staff_member_without_two_factor_gets_no_token_at_all(api):
    user = make_person("new_keeper", Role.MODERATOR, two_factor=False)

    response = api.call(
        "POST", "/auth/tokens", {"pseudonym": user.username, "password": PASSWORD, "otp_code": "123456"}
    )

    assert_error(response, 403, "not_allowed")
    assert not ApiToken.objects.exists()


# --- Listing and revoking: the API --------------------------------------------------------------


def test_the_api_lists_only_ones_own_live_tokens_and_flags_the_current_one(openapi_spec, member, other_member):
    phone = api_for(member)
    laptop = api_for(member)
    expired = api_for(member)
    ApiToken.objects.filter(pk=token_of(expired).pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    api_for(other_member)

    response = phone.call("GET", "/auth/tokens")

    assert response.status_code == 200
    body = response.json()
    assert_matches_schema(body, response_schema(openapi_spec, "GET", "/api/v1/auth/tokens", 200), openapi_spec)
    assert set(body) == {"items", "page", "pages", "count"}
    assert (body["page"], body["pages"], body["count"]) == (1, 1, 2)
    by_id = {item["id"]: item for item in body["items"]}
    assert set(by_id) == {token_of(phone).pk, token_of(laptop).pk}
    assert by_id[token_of(phone).pk]["current"] is True
    assert by_id[token_of(laptop).pk]["current"] is False
    assert by_id[token_of(phone).pk]["prefix"] == phone.token[4:12]
    assert all(phone.token not in str(item) and laptop.token not in str(item) for item in body["items"])


def test_tokens_issued_under_an_earlier_password_are_not_listed(member):
    old = api_for(member)
    user = User.objects.get(pk=member.pk)
    user.set_password(NEW_PASSWORD)
    user.save()
    current = api_for(user)

    items = current.call("GET", "/auth/tokens").json()["items"]

    assert [item["id"] for item in items] == [token_of(current).pk]
    assert not works(old)


def test_a_session_sees_its_tokens_none_of_them_current(member):
    api_for(member)

    items = client_for(member).get("/api/v1/auth/tokens").json()["items"]

    assert len(items) == 1
    assert items[0]["current"] is False


def test_revoking_one_of_ones_tokens_by_id(member):
    phone, laptop = api_for(member), api_for(member)

    response = phone.call("DELETE", f"/auth/tokens/{token_of(laptop).pk}")

    assert response.status_code == 204
    assert not works(laptop)
    assert works(phone)


def test_revoking_someone_elses_token_is_not_found_and_changes_nothing(openapi_spec, member, other_member):
    mine = api_for(member)
    theirs = api_for(other_member)

    response = mine.call("DELETE", f"/auth/tokens/{token_of(theirs).pk}")
    missing = mine.call("DELETE", "/auth/tokens/987654")

    assert assert_error(response, 404, "not_found") == assert_error(missing, 404, "not_found")
    assert response.json() == missing.json()
    schema = response_schema(openapi_spec, "DELETE", "/api/v1/auth/tokens/{token_id}", 404)
    assert_matches_schema(response.json(), schema, openapi_spec)
    assert works(theirs)


@pytest.mark.parametrize("token_id", ["0", "-1", "abc", str(2**63)])
def test_revoking_a_token_id_that_cannot_exist_is_refused(member, token_id):
    api = api_for(member)

    response = api.call("DELETE", f"/auth/tokens/{token_id}")

    assert response.status_code in (404, 422), response.content
    assert works(api)


def test_revoking_the_current_token_by_its_own_id_logs_that_client_out(member):
    api = api_for(member)

    assert api.call("DELETE", f"/auth/tokens/{token_of(api).pk}").status_code == 204

    assert not works(api)


# --- Listing and revoking: the page -------------------------------------------------------------


def test_the_tokens_page_lists_ones_own_tokens_only(member, other_member):
    services.api_token_create(user=member, name="my phone")
    services.api_token_create(user=other_member, name="their laptop")

    response = client_for(member).get("/accounts/tokens/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "my phone" in page
    assert "their laptop" not in page
    assert "no-store" in response["Cache-Control"]


def test_the_tokens_page_says_when_there_are_none(member):
    response = client_for(member).get("/accounts/tokens/")

    assert "No app is logged in with a token right now." in response.content.decode()


def test_revoking_a_token_on_the_page(member):
    api = api_for(member)
    client = client_for(member)

    response = client.post(f"/accounts/tokens/{token_of(api).pk}/revoke/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/tokens/"
    assert not works(api)
    assert "That token no longer works." in client.get("/accounts/tokens/").content.decode()


def test_revoking_someone_elses_token_on_the_page_is_not_found(member, other_member):
    theirs = api_for(other_member)

    response = client_for(member).post(f"/accounts/tokens/{token_of(theirs).pk}/revoke/")
    missing = client_for(member).post("/accounts/tokens/987654/revoke/")

    assert response.status_code == missing.status_code == 404
    assert works(theirs)


def test_revoking_on_the_page_needs_a_post(member):
    api = api_for(member)

    response = client_for(member).get(f"/accounts/tokens/{token_of(api).pk}/revoke/")

    assert response.status_code == 405
    assert works(api)


def test_revoking_on_the_page_needs_the_csrf_token(member):
    api = api_for(member)
    client = Client(enforce_csrf_checks=True)
    client.force_login(member, backend="allauth.account.auth_backends.AuthenticationBackend")

    response = client.post(f"/accounts/tokens/{token_of(api).pk}/revoke/")

    assert response.status_code == 403
    assert works(api)


@pytest.mark.parametrize("path", ["/accounts/tokens/", "/accounts/tokens/1/revoke/"])
def test_the_tokens_pages_send_a_stranger_to_log_in(stranger, path):
    response = stranger.post(path) if path.endswith("revoke/") else stranger.get(path)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_role_change_in_the_django_admin_revokes_tokens_and_is_audited_as_a_change(admin_user, member):
    api = api_for(member)

    admin = client_for(admin_user)
    url = f"/admin/accounts/user/{member.pk}/change/"
    page = admin.get(url)
    # What the browser would send back: every field on the page (the profile inline's too), role changed.
    data = {name: value for formset in page.context["inline_admin_formsets"] for name, value in _management(formset)}
    data.update(role=Role.LISTENER, is_active="on")

    response = admin.post(url, data)

    assert response.status_code == 302, response.content.decode()[:3000]
    assert User.objects.get(pk=member.pk).role == Role.LISTENER
    assert not works(api)
    entry = AuditEntry.objects.get(action="accounts.role.changed", target_id=str(member.pk), actor_id=admin_user.pk)
    assert entry.data == {"from": "member", "to": "listener"}


def _management(inline_admin_formset: Any) -> list[tuple[str, Any]]:
    """The inline's management form and hidden fields, as the page holds them."""
    formset = inline_admin_formset.formset
    forms = [formset.management_form, *formset.forms]
    return [(form.add_prefix(name), form[name].value()) for form in forms for name in form.fields if form[name].value()]
