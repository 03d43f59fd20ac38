"""Who may do what with accounts: every persona through every account action that exists now.

Personas are the fixtures in tests/fixtures.py. Actions on someone else go through the services
(there is no page or endpoint for them yet); actions on oneself go through the public pages and API.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError

from alongside.accounts import services
from alongside.accounts.access import (
    check_change_role_permission,
    check_manage_account_permission,
    check_staff_needs_two_factor,
)
from alongside.accounts.enums import STAFF_ROLES
from alongside.accounts.models import Profile, Role, User
from alongside.core.audit import audit_chain_verify
from alongside.core.errors import NotAllowed
from alongside.core.models import AuditEntry, BlockedTerm
from tests.fixtures import api_for, client_for, make_person

pytestmark = pytest.mark.django_db

PERSONAS = ["member", "other_member", "listener", "moderator", "facilitator", "clinician", "admin_user"]
ADMIN_ONLY = {"admin_user"}


# --- Actions ----------------------------------------------------------------------------------
# Each takes the acting person and a target person, and returns True when it was allowed.
# A refusal must leave no trace; that is checked in the test.


def view_own_profile_page(actor: User, target: User) -> bool:
    response = client_for(actor).get("/accounts/profile/")
    assert response.status_code in (200, 302)
    return response.status_code == 200 and actor.username in response.content.decode()


def view_own_profile_api(actor: User, target: User) -> bool:
    response = api_for(actor).call("GET", "/me/profile")
    return response.status_code == 200


def edit_own_profile_page(actor: User, target: User) -> bool:
    response = client_for(actor).post("/accounts/profile/", {"pronouns": "they/them"})
    return response.status_code == 302 and Profile.objects.get(user=actor).pronouns == "they/them"


def edit_own_profile_api(actor: User, target: User) -> bool:
    response = api_for(actor).call("PATCH", "/me/profile", {"pronouns": "they/them"})
    return response.status_code == 200 and Profile.objects.get(user=actor).pronouns == "they/them"


def edit_someone_elses_profile(actor: User, target: User) -> bool:
    try:
        services.profile_update(actor=actor, user=target, values={"display_name": "Changed"})
    except NotAllowed:
        return False
    return True


def delete_someone_elses_account(actor: User, target: User) -> bool:
    try:
        services.user_delete(actor=actor, user=target)
    except NotAllowed:
        return False
    return True


def change_someone_elses_role(actor: User, target: User) -> bool:
    try:
        services.user_role_set(actor=actor, user=target, role=Role.LISTENER, reason="matrix")
    except NotAllowed:
        return False
    return True


def change_own_role(actor: User, target: User) -> bool:
    try:
        services.user_role_set(actor=actor, user=actor, role=Role.ADMIN, reason="matrix")
    except NotAllowed:
        return False
    return True


ACTIONS: dict[str, tuple[Callable[[User, User], bool], set[str] | None]] = {
    # name: (action, personas allowed; None = everyone signed in)
    "view own profile page": (view_own_profile_page, None),
    "view own profile (API)": (view_own_profile_api, None),
    "edit own profile page": (edit_own_profile_page, None),
    "edit own profile (API)": (edit_own_profile_api, None),
    "edit someone else's profile": (edit_someone_elses_profile, ADMIN_ONLY),
    "delete someone else's account": (delete_someone_elses_account, ADMIN_ONLY),
    "change someone else's role": (change_someone_elses_role, ADMIN_ONLY),
    "change own role": (change_own_role, ADMIN_ONLY),
}


def state_of(target: User) -> dict[str, Any]:
    user = User.objects.filter(pk=target.pk).values("role", "is_active").first()
    profile = Profile.objects.filter(user_id=target.pk).values("display_name", "pronouns").first()
    return {"user": user, "profile": profile}


@pytest.mark.parametrize("action_name", list(ACTIONS))
@pytest.mark.parametrize("persona", PERSONAS)
def test_authorization_matrix(request, persona, action_name):
    actor: User = request.getfixturevalue(persona)
    target = make_person("matrix_target")
    action, allowed = ACTIONS[action_name]
    expected = allowed is None or persona in allowed
    target_before = state_of(target)
    actor_role_before = actor.role
    audit_before = AuditEntry.objects.count()

    result = action(actor, target)

    assert result is expected, f"{persona} / {action_name}: expected {'allowed' if expected else 'refused'}"
    if not expected:
        assert state_of(target) == target_before
        assert User.objects.get(pk=actor.pk).role == actor_role_before
        assert AuditEntry.objects.count() == audit_before
    assert audit_chain_verify().ok


def test_stranger_cannot_reach_any_own_account_page_or_endpoint(stranger, api):
    for path in (
        "/accounts/profile/",
        "/accounts/email/",
        "/accounts/tokens/",
        "/accounts/delete/",
        "/accounts/password/change/",
        "/accounts/2fa/",
    ):
        response = stranger.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/accounts/login/"), path
    for method, path in (
        ("GET", "/me"),
        ("GET", "/me/profile"),
        ("PATCH", "/me/profile"),
        ("PUT", "/me/email"),
        ("GET", "/auth/tokens"),
        ("DELETE", "/auth/tokens/current"),
        ("DELETE", "/auth/tokens/1"),
    ):
        response = api.call(method, path, {} if method in ("PATCH", "PUT") else None)
        assert response.status_code == 401, path
        assert response.json()["code"] == "not_authenticated", path


# --- The rules in detail ----------------------------------------------------------------------


def test_admin_editing_a_profile_is_audited(admin_user, member):
    services.profile_update(actor=admin_user, user=member, values={"display_name": "Tidied", "pronouns": ""})

    assert Profile.objects.get(user=member).display_name == "Tidied"
    entry = AuditEntry.objects.get(action="accounts.profile.updated_by_staff")
    assert entry.actor_id == admin_user.pk
    assert entry.actor_label == "site_lead"
    assert entry.target_type == "accounts.user"
    assert entry.target_id == str(member.pk)
    assert entry.data == {"fields": ["display_name", "pronouns"]}


def test_editing_ones_own_profile_is_not_audited(member):
    services.profile_update(actor=member, user=member, values={"display_name": "River"})

    assert not AuditEntry.objects.filter(action="accounts.profile.updated_by_staff").exists()


def test_profile_update_refuses_unknown_fields(member):
    with pytest.raises(ValidationError):
        services.profile_update(actor=member, user=member, values={"display_name": "River", "user_id": 1})

    assert Profile.objects.get(user=member).display_name == ""


def test_profile_update_refuses_invalid_values_atomically(member):
    with pytest.raises(ValidationError):
        services.profile_update(actor=member, user=member, values={"display_name": "River", "country": "ZZ"})

    assert Profile.objects.get(user=member).display_name == ""


def test_profile_wording_is_screened(member):
    BlockedTerm.objects.create(term="nastyword")

    with pytest.raises(ValidationError) as error:
        services.profile_update(actor=member, user=member, values={"display_name": "the NastyWord one"})

    assert "display_name" in error.value.message_dict
    assert Profile.objects.get(user=member).display_name == ""
    response = client_for(member).post("/accounts/profile/", {"pronouns": "nastyword"})
    assert response.status_code == 200
    assert "pronouns" in response.context["form"].errors
    assert Profile.objects.get(user=member).pronouns == ""


def test_pseudonyms_are_screened(stranger):
    BlockedTerm.objects.create(term="nastyword")

    with pytest.raises(ValidationError):
        services.user_register(pseudonym="nastyword-fox", password="a calm harbour at dawn")
    response = stranger.post(
        "/accounts/signup/",
        {"username": "nastyword", "password1": "a calm harbour at dawn", "password2": "a calm harbour at dawn"},
    )

    assert response.status_code == 200
    assert "username" in response.context["form"].errors
    assert not User.objects.exists()


def test_admin_deleting_an_account_is_audited_with_the_admin(admin_user, member):
    member_id = member.pk

    services.user_delete(actor=admin_user, user=member)

    assert not User.objects.filter(pk=member_id).exists()
    entry = AuditEntry.objects.get(action="accounts.user.deleted")
    assert entry.actor_id == admin_user.pk
    assert entry.target_id == str(member_id)
    assert entry.reason == "deleted by an administrator"


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p not in ADMIN_ONLY])
def test_non_admin_cannot_delete_another_account(request, persona, member, other_member):
    actor = request.getfixturevalue(persona)
    target = other_member if actor.pk == member.pk else member

    with pytest.raises(NotAllowed):
        services.user_delete(actor=actor, user=target)

    assert User.objects.filter(pk=target.pk).exists()
    assert not AuditEntry.objects.filter(action="accounts.user.deleted").exists()


def test_role_change_by_admin_is_audited(admin_user, member):
    services.user_role_set(actor=admin_user, user=member, role=Role.LISTENER, reason="completed training")

    member.refresh_from_db()
    assert member.role == Role.LISTENER
    entry = AuditEntry.objects.filter(action="accounts.role.changed", target_id=str(member.pk)).get()
    assert entry.actor_id == admin_user.pk
    assert entry.target_type == "accounts.user"
    assert entry.reason == "completed training"
    assert entry.data == {"from": "member", "to": "listener"}
    assert audit_chain_verify().ok


def test_role_change_by_the_system_is_audited_without_actor(member):
    services.user_role_set(actor=None, user=member, role=Role.MODERATOR, reason="bootstrap")

    entry = AuditEntry.objects.filter(action="accounts.role.changed", target_id=str(member.pk)).get()
    assert entry.actor_id is None
    assert entry.actor_label == ""


@pytest.mark.parametrize("persona", ["member", "listener", "moderator", "facilitator", "clinician"])
def test_role_change_by_non_admin_raises_and_changes_nothing(request, persona, other_member):
    actor = request.getfixturevalue(persona)
    entries_before = AuditEntry.objects.count()

    with pytest.raises(NotAllowed):
        services.user_role_set(actor=actor, user=other_member, role=Role.ADMIN, reason="nope")

    other_member.refresh_from_db()
    assert other_member.role == Role.MEMBER
    assert AuditEntry.objects.count() == entries_before


def test_only_admins_are_django_staff(member, listener, moderator, facilitator, clinician, admin_user):
    for person in (member, listener, moderator, facilitator, clinician):
        assert not person.is_staff
        assert not person.is_superuser
        assert not person.has_perm("accounts.change_user")
    assert admin_user.is_staff
    assert admin_user.has_perm("accounts.change_user")
    User.objects.filter(pk=admin_user.pk).update(is_active=False)
    admin_user.refresh_from_db()
    assert not admin_user.is_staff


@pytest.mark.parametrize("persona", ["member", "listener", "moderator", "clinician"])
def test_django_admin_is_for_admins_only(request, persona, admin_user):
    client = client_for(request.getfixturevalue(persona))

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert client.get(response["Location"]).status_code == 403
    assert client.get("/admin/accounts/user/").status_code == 302
    assert client_for(admin_user).get("/admin/").status_code == 200


# --- The rules themselves (accounts/access.py), one test each -----------------------------------


def person(role: Role, *, pk: int = 1, active: bool = True) -> User:
    """An unsaved person: the rules read only the role, the id and whether the account is active."""
    return User(pk=pk, username=f"someone_{pk}", role=role, is_active=active)


def test_check_staff_needs_two_factor():
    for role in Role:
        assert check_staff_needs_two_factor(person(role)) is (role in STAFF_ROLES), role
    assert {Role.MODERATOR, Role.FACILITATOR, Role.CLINICIAN, Role.ADMIN} == set(STAFF_ROLES)
    assert check_staff_needs_two_factor(AnonymousUser()) is False
    assert check_staff_needs_two_factor(None) is False


def test_check_manage_account_permission():
    for role in Role:
        actor = person(role, pk=1)
        # Everyone manages their own account ...
        assert check_manage_account_permission(actor, person(Role.MEMBER, pk=1)) is True, role
        # ... and only administrators anyone else's, staff or not.
        for target_role in (Role.MEMBER, Role.MODERATOR, Role.ADMIN):
            expected = role == Role.ADMIN
            assert check_manage_account_permission(actor, person(target_role, pk=2)) is expected, (role, target_role)
    assert check_manage_account_permission(AnonymousUser(), person(Role.MEMBER, pk=2)) is False
    # A deactivated administrator manages nobody's account.
    assert check_manage_account_permission(person(Role.ADMIN, pk=1, active=False), person(Role.MEMBER, pk=2)) is False


def test_check_change_role_permission():
    for role in Role:
        assert check_change_role_permission(person(role)) is (role == Role.ADMIN), role
    assert check_change_role_permission(person(Role.ADMIN, active=False)) is False
    assert check_change_role_permission(AnonymousUser()) is False


def test_deactivating_an_account_in_the_admin_is_audited_and_ends_its_tokens(admin_user, member):
    from alongside.core.models import AuditEntry
    from tests.fixtures import api_for

    api = api_for(member)
    assert api.call("GET", "/me").status_code == 200
    client = client_for(admin_user)
    page = client.get(f"/admin/accounts/user/{member.pk}/change/")
    assert page.status_code == 200
    response = client.post(
        f"/admin/accounts/user/{member.pk}/change/",
        {
            "role": "member",
            "profile-TOTAL_FORMS": "1",
            "profile-INITIAL_FORMS": "1",
            "profile-MIN_NUM_FORMS": "0",
            "profile-MAX_NUM_FORMS": "1",
            "profile-0-id": member.profile.pk,
            "profile-0-user": member.pk,
        },
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    assert User.objects.get(pk=member.pk).is_active is False
    entry = AuditEntry.objects.get(action="accounts.user.deactivated")
    assert (entry.actor_id, entry.target_id) == (admin_user.pk, str(member.pk))
    assert api.call("GET", "/me").status_code == 401
