"""Every write to accounts: registration, profile, roles, deletion and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alongside.accounts.models import ApiToken, Profile, Role, User
from alongside.accounts.selectors import user_has_totp
from alongside.accounts.validators import PSEUDONYM_VALIDATORS
from alongside.core.audit import audit_record
from alongside.core.crypto import reencrypt_text
from alongside.core.screening import screen_content

# Names that would let someone pass as the service or its staff.
RESERVED_PSEUDONYMS = frozenset(
    {
        "admin", "administrator", "alongside", "anonymous", "anonymous-member", "deleted", "deleted-member",
        "help", "listener", "moderator", "mod", "root", "staff", "support", "system", "team",
    }
)  # fmt: skip

PROFILE_FIELDS = ("display_name", "pronouns", "languages", "country", "time_zone", "topics")
_SCREENED_PROFILE_FIELDS = ("display_name", "pronouns")


def pseudonym_validate(pseudonym: str, *, check_taken: bool = True) -> str:
    """Return the pseudonym if it may be used, else raise ValidationError with a kind message."""
    for validator in PSEUDONYM_VALIDATORS:
        validator(pseudonym)
    if pseudonym.lower() in RESERVED_PSEUDONYMS:
        raise ValidationError(_("That name is reserved. Please choose another."), code="reserved")
    if not screen_content(text=pseudonym, kind="pseudonym").allowed:
        raise ValidationError(_("Please choose a different name."), code="screened")
    if check_taken and User.objects.filter(username__iexact=pseudonym).exists():
        raise ValidationError(_("Someone is already using that name. Please choose another."), code="taken")
    return pseudonym


def _profile_screen(values: dict[str, Any]) -> None:
    errors = {}
    for name in _SCREENED_PROFILE_FIELDS:
        text = values.get(name)
        if text and not screen_content(text=text, kind="profile").allowed:
            errors[name] = _("Please choose different wording here.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def user_register(*, pseudonym: str, password: str, email: str = "") -> User:
    """Create a member account with its profile. E-mail is optional (for password resets)."""
    try:
        pseudonym = pseudonym_validate(pseudonym.strip())
    except ValidationError as error:
        raise ValidationError({"pseudonym": error.messages}) from None
    email = email.strip().lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationError({"email": _("Please enter a valid e-mail address, or leave it empty.")}) from None
    if email and EmailAddress.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": _("That e-mail address is already linked to an account.")})
    user = User(username=pseudonym, email=email)
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from None
    user.set_password(password)
    user.save()
    user_account_setup(user=user)
    if email:
        EmailAddress.objects.create(user=user, email=email, primary=True, verified=False)
    return user


@transaction.atomic
def user_account_setup(*, user: User) -> Profile:
    """What every new account gets, whichever way it was created (web sign-up, API, seed)."""
    profile, _created = Profile.objects.get_or_create(user=user)
    return profile


@transaction.atomic
def profile_update(*, actor: User, user: User, values: dict[str, Any]) -> Profile:
    """Update the given profile fields. Unknown fields are refused."""
    unknown = set(values) - set(PROFILE_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown profile fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    if actor.pk != user.pk and actor.role != Role.ADMIN:
        raise PermissionError("Only the person or an administrator may change a profile.")
    _profile_screen(values)
    profile = Profile.objects.select_for_update().get(user=user)
    for name, value in values.items():
        setattr(profile, name, value)
    profile.full_clean(exclude=["user"])
    profile.save(update_fields=[*values, "updated_at"])
    if actor.pk != user.pk:
        audit_record(
            actor=actor, action="accounts.profile.updated_by_staff", target=user, data={"fields": sorted(values)}
        )
    return profile


@transaction.atomic
def user_role_set(*, actor: User | None, user: User, role: Role, reason: str) -> User:
    if actor is not None and actor.role != Role.ADMIN:
        raise PermissionError("Only administrators may change roles.")
    previous = user.role
    user.role = role
    user.save(update_fields=["role"])
    audit_record(
        actor=actor, action="accounts.role.changed", target=user, reason=reason, data={"from": previous, "to": role}
    )
    return user


@transaction.atomic
def user_delete(*, actor: User, user: User) -> None:
    """Delete an account and everything attached to it. The audit log keeps that it happened."""
    if actor.pk != user.pk and actor.role != Role.ADMIN:
        raise PermissionError("Only the person or an administrator may delete an account.")
    audit_record(
        actor=actor if actor.pk != user.pk else None,
        action="accounts.user.deleted",
        target_type="accounts.user",
        target_id=str(user.pk),
        reason="deleted by the account holder" if actor.pk == user.pk else "deleted by an administrator",
    )
    user.delete()


def _token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user: User, name: str = "") -> tuple[ApiToken, str]:
    """Create a bearer token; the raw value is returned once and never stored."""
    raw = "als_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name[:60], digest=_token_digest(raw), prefix=raw[4:12])
    return token, raw


def api_token_authenticate(raw: str) -> User | None:
    """The active user a raw token belongs to, or None. Records when it was last used."""
    token = ApiToken.objects.select_related("user").filter(digest=_token_digest(raw)).first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@transaction.atomic
def api_token_revoke(*, user: User, raw: str) -> bool:
    deleted, _details = ApiToken.objects.filter(user=user, digest=_token_digest(raw)).delete()
    return deleted > 0


def mfa_secrets_reencrypt() -> int:
    """Re-encrypt two-factor secrets (TOTP secrets, recovery-code seeds) with the newest key.

    allauth encrypts these through our MFAAdapter; key rotation calls this.
    """
    count = 0
    for authenticator in Authenticator.objects.select_for_update():
        data = authenticator.data
        if "secret" in data:
            data["secret"] = reencrypt_text(data["secret"])
        if "seed" in data:
            data["seed"] = reencrypt_text(data["seed"])
        if isinstance(data.get("migrated_codes"), list):
            data["migrated_codes"] = [reencrypt_text(code) for code in data["migrated_codes"]]
        authenticator.save(update_fields=["data"])
        count += 1
    return count


DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXP"  # noqa: S105  (demo only: printed by seed_demo so staff demo log-ins work)


@transaction.atomic
def demo_users_create() -> list[tuple[User, str, str]]:
    """One user per role with a known password; staff get a known TOTP secret. Never in production."""
    from allauth.mfa.totp.internal.auth import TOTP
    from django.conf import settings

    if settings.PRODUCTION:
        raise PermissionError("Demo accounts are never created in production.")
    created = []
    for role in Role:
        pseudonym = f"demo_{role.value}"
        password = f"{role.value}-demo-pass"
        user = User.objects.filter(username__iexact=pseudonym).first()
        if user is None:
            user = User(username=pseudonym, role=role)
            user.set_password(password)
            user.save()
            user_account_setup(user=user)
            Profile.objects.filter(user=user).update(display_name=f"Demo {role.label}")
        secret = ""
        if role.value in settings.STAFF_ROLES_REQUIRING_MFA:
            secret = DEMO_TOTP_SECRET
            if not user_has_totp(user=user):
                TOTP.activate(user, secret)
        created.append((user, password, secret))
    return created
