"""Every write to accounts: registration, names, recovery e-mail, profile, roles, deletion, API tokens.

Mail is never sent inside a request: services enqueue a task after the transaction commits, so
how long a request takes says nothing about which addresses or accounts exist.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta
from typing import Any

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alongside.accounts.access import check_change_role_permission, check_manage_account_permission
from alongside.accounts.enums import Role
from alongside.accounts.models import ApiToken, Block, NameKey, Profile, User
from alongside.accounts.names import person_name_keys
from alongside.accounts.selectors import password_marker
from alongside.accounts.validators import PSEUDONYM_VALIDATORS
from alongside.core.audit import audit_record
from alongside.core.confusables import unsafe_characters
from alongside.core.crypto import encrypt_text, lookup_digest, lookup_digests, reencrypt_text
from alongside.core.errors import Invalid, as_invalid, require
from alongside.core.screening import screen_content

EMAIL_PURPOSE = "accounts.email"
EMAIL_CONFIRM_DAYS = 3
_CONFIRM_SALT = "alongside.accounts.email.confirm"
_LINK_NOT_VALID = gettext_lazy(
    "This link is not valid any more. Please ask for a new one on your recovery e-mail page."
)

# Whole names that would let someone pass as the service, its staff or its own labels.
RESERVED_NAMES = (
    "admin", "administrator", "alongside", "anonymous", "anonymous member", "anonymous-member", "deleted",
    "deleted member", "deleted-member", "help", "listener", "moderator", "mod", "root", "staff", "support",
    "system", "team", "crisis team", "safety team", "official", "you",
)  # fmt: skip
# Words that make any name sound like staff ("Mod Sam", "sam_admin"): staff names carry a badge instead.
STAFF_WORDS = ("admin", "administrator", "moderator", "mod", "staff", "official", "sysop", "alongside")

PROFILE_FIELDS = ("display_name", "pronouns", "languages", "country", "time_zone", "topics")
_SCREENED_PROFILE_FIELDS = ("display_name", "pronouns")
_WORD_SPLIT = re.compile(r"[\W_]+")


def _keys_of(names: tuple[str, ...]) -> frozenset[str]:
    return frozenset(key for name in names for key in person_name_keys(name))


_RESERVED_KEYS = _keys_of(RESERVED_NAMES)
# The product's own labels may not begin a name either ("Anonymous member 2").
_RESERVED_PREFIX_KEYS = _keys_of(("anonymous member", "deleted member"))
_STAFF_WORD_KEYS = _keys_of(STAFF_WORDS)


# --- Names: pseudonyms and display names ---------------------------------------------------


def _words(name: str) -> list[str]:
    """The words of a name. Besides spaces, punctuation and underscores, a word ends where letters
    and digits meet and before a capital that follows a small letter: "admin1" and "SamAdmin" hold
    a staff word as much as "sam_admin" does."""
    words = [""]
    for char in name:
        previous = words[-1][-1:]
        if not char.isalnum():
            words.append("")
            continue
        if previous and (previous.isdigit() != char.isdigit() or (previous.islower() and char.isupper())):
            words.append("")
        words[-1] += char
    return [word for word in words if word]


def _name_problem(name: str, *, user: User | None) -> str:
    """Why a name may not be used ("" when it may): reserved, staff-sounding, or like someone else's."""
    keys = person_name_keys(name)
    words = _words(name)
    # "deleted_member" and "DeletedMember" are the label "Deleted member" as much as "deleted-member" is.
    all_keys = keys | person_name_keys(" ".join(words))
    if all_keys & _RESERVED_KEYS or any(key.startswith(prefix) for key in all_keys for prefix in _RESERVED_PREFIX_KEYS):
        return _("That name is reserved. Please choose another.")
    word_keys = {word for key in keys for word in _WORD_SPLIT.split(key) if word}
    word_keys |= {key for word in words for key in person_name_keys(word)}
    if word_keys & _STAFF_WORD_KEYS:
        return _("Please choose a name that doesn't sound like a staff role. Staff are shown with a badge.")
    others = NameKey.objects.filter(key__in=keys)
    if user is not None and user.pk is not None:
        others = others.exclude(user=user)
    if others.exists():
        return _("Someone is already using that name, or one that looks just like it. Please choose another.")
    return ""


def pseudonym_validate(pseudonym: str, *, user: User | None = None, check_taken: bool = True) -> str:
    """Return the pseudonym if it may be used, else raise Invalid with a kind message."""
    for validator in PSEUDONYM_VALIDATORS:
        validator(pseudonym)
    if not screen_content(text=pseudonym, kind="pseudonym").allowed:
        raise Invalid(_("Please choose a different name."), code="screened")
    if check_taken and (problem := _name_problem(pseudonym, user=user)):
        raise Invalid(problem, code="taken")
    return pseudonym


def display_name_validate(name: str, *, user: User) -> str:
    """A display name: no hidden or direction-changing characters, nothing reserved or staff-sounding,
    nothing that looks like another person's name. Returns it with its spaces tidied."""
    name = " ".join(name.split())
    if not name:
        return ""
    unsafe = unsafe_characters(name)
    if unsafe:
        raise Invalid(
            _("Please remove the hidden or direction-changing characters from your name (%(chars)s).")
            % {"chars": ", ".join(unsafe)}
        )
    if problem := _name_problem(name, user=user):
        raise Invalid(problem)
    return name


def _name_keys_store(user: User, display_name: str) -> None:
    """Keep the person's look-alike keys in step with their pseudonym and display name."""
    keys = person_name_keys(user.username) | (person_name_keys(display_name) if display_name else frozenset())
    NameKey.objects.filter(user=user).exclude(key__in=keys).delete()
    existing = set(NameKey.objects.filter(user=user).values_list("key", flat=True))
    NameKey.objects.bulk_create([NameKey(user=user, key=key) for key in sorted(keys - existing)])


# --- Registration and account set-up ------------------------------------------------------


@transaction.atomic
def user_register(*, pseudonym: str, password: str, email: str = "") -> User:
    """Create a member account with its profile. E-mail is optional (for password resets).

    The answer is the same whether or not the e-mail address is already linked to an account: the
    address's owner is told by e-mail instead (see user_email_set)."""
    try:
        pseudonym = pseudonym_validate(pseudonym.strip())
    except ValidationError as error:
        raise Invalid({"pseudonym": error.messages}) from None
    email = email_normalise(email)
    user = User(username=pseudonym)
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise Invalid({"password": error.messages}) from None
    user.set_password(password)
    user.save()
    user_account_setup(user=user)
    if email:
        user_email_set(actor=user, user=user, email=email, password=password)
    return user


def email_normalise(email: str) -> str:
    """Trimmed and lower-cased, or Invalid if it is not an e-mail address. Empty stays empty."""
    email = email.strip().lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise Invalid({"email": _("Please enter a valid e-mail address, or leave it empty.")}) from None
    return email


@transaction.atomic
def user_account_setup(*, user: User) -> Profile:
    """What every new account gets, whichever way it was created (web sign-up, API, seed)."""
    profile, _created = Profile.objects.get_or_create(user=user)
    _name_keys_store(user, profile.display_name)
    return profile


def user_discreet_set(*, actor: User, user: User, on: bool) -> User:
    """Discreet mode on or off (for shared devices: see settings.DISCREET_TITLE)."""
    require(check_manage_account_permission(actor, user), _("Only the person may change this."))
    User.objects.filter(pk=user.pk).update(discreet=on)
    user.discreet = on
    return user


@transaction.atomic
def user_email_set(*, actor: User, user: User, email: str, password: str | None = None) -> None:
    """Ask to make `email` the person's recovery address (or, with "", remove it). Stored encrypted.

    A new address waits (`pending_email`) until its owner follows the link we mail to it, so nobody
    can claim someone else's address. The caller sees the same result whether or not another
    account already uses the address, and exactly one mail goes to it either way: "confirm this
    address", or "someone tried to use your address; nothing changed". So nobody learns who has an
    account here. People changing their own address give their password (a stolen session alone
    must not be enough to take over the account through a password reset).
    """
    require(check_manage_account_permission(actor, user))
    if actor.pk == user.pk and not user.check_password(password or ""):
        raise Invalid({"password": _("That password is not right. Please try again.")})
    email = email_normalise(email)
    if actor.pk != user.pk:
        # Whoever controls the recovery address can reset the password: staff doing it is audited
        # (without the address itself).
        audit_record(actor=actor, action="accounts.email.changed_by_staff", target=user)
    if not email:
        if user.email:
            _notify(user.email, "address_removed")
        User.objects.filter(pk=user.pk).update(email="", email_digest=None, pending_email="")
        user.email, user.email_digest, user.pending_email = "", None, ""
        return
    user.pending_email = email
    user.save(update_fields=["pending_email"])
    if _used_by_another(email, user):
        _notify(email, "address_in_use")
    else:
        _notify(email, "confirm", token=email_confirmation_token(user=user))


def email_confirmation_token(*, user: User) -> str:
    """The token of the link that confirms the person's pending address (signed, with a time stamp)."""
    digest = lookup_digest(user.pending_email or "", purpose=EMAIL_PURPOSE)
    return signing.dumps({"u": user.pk, "d": digest}, salt=_CONFIRM_SALT)


def _used_by_another(email: str, user: User) -> bool:
    digests = lookup_digests(email, purpose=EMAIL_PURPOSE)
    return bool(User.objects.filter(email_digest__in=digests).exclude(pk=user.pk).exists())


def _notify(email: str, notice: str, token: str = "") -> None:
    """Mail a recovery-address notice from the task worker, once this transaction commits. The
    address travels encrypted through the task queue."""
    _enqueue_after_commit(
        "alongside.accounts.tasks.email_notice_send", sealed_email=encrypt_text(email), notice=notice, token=token
    )


@transaction.atomic
def user_email_confirm(*, token: str) -> User:
    """Follow the link mailed to a new recovery address: it becomes the person's recovery address,
    and the address it replaces is told. Links last EMAIL_CONFIRM_DAYS days."""
    try:
        data = signing.loads(token, salt=_CONFIRM_SALT, max_age=timedelta(days=EMAIL_CONFIRM_DAYS))
        user = User.objects.select_for_update().get(pk=int(data["u"]), is_active=True)
    except (signing.BadSignature, User.DoesNotExist, KeyError, TypeError, ValueError):
        raise Invalid(_LINK_NOT_VALID) from None
    pending = user.pending_email or ""
    if not pending or data["d"] not in lookup_digests(pending, purpose=EMAIL_PURPOSE):
        raise Invalid(_LINK_NOT_VALID)
    if _used_by_another(pending, user):
        raise Invalid(_("That address is now used by another account, so it can't be used here."))
    previous = user.email
    user.email, user.email_digest, user.pending_email = pending, lookup_digest(pending, purpose=EMAIL_PURPOSE), ""
    user.save(update_fields=["email", "email_digest", "pending_email"])
    if previous and previous != pending:
        _notify(previous, "address_replaced")
    return user


def _enqueue_after_commit(task_path: str, **kwargs: Any) -> None:
    from django.utils.module_loading import import_string

    task = import_string(task_path)
    transaction.on_commit(lambda: task.enqueue(**kwargs))


def users_with_email(email: str) -> list[User]:
    """Active accounts whose recovery address this is (a look-up by digest; used by the task worker)."""
    digests = lookup_digests(email_normalise(email), purpose=EMAIL_PURPOSE)
    return list(User.objects.filter(email_digest__in=digests, is_active=True))


def password_reset_request(*, email: str) -> None:
    """Ask for a password-reset mail. The look-up and the mail happen in the task worker, so the
    answer takes the same time whether or not the address is known."""
    email = email_normalise(email)
    if email:
        _enqueue_after_commit("alongside.accounts.tasks.password_reset_mail_send", sealed_email=encrypt_text(email))


def email_digests_recompute() -> int:
    """After a key rotation: digest every recovery address under the newest key."""
    count = 0
    for user in User.objects.filter(email_digest__isnull=False).select_for_update().only("pk", "email"):
        User.objects.filter(pk=user.pk).update(email_digest=lookup_digest(user.email, purpose=EMAIL_PURPOSE))
        count += 1
    return count


# --- Profile, roles, deletion --------------------------------------------------------------


def _profile_screen(values: dict[str, Any]) -> None:
    errors = {}
    for name in _SCREENED_PROFILE_FIELDS:
        text = values.get(name)
        if text and not screen_content(text=text, kind="profile").allowed:
            errors[name] = _("Please choose different wording here.")
    if errors:
        raise Invalid(errors)


@transaction.atomic
def profile_update(*, actor: User, user: User, values: dict[str, Any]) -> Profile:
    """Update the given profile fields. Unknown fields are refused."""
    unknown = set(values) - set(PROFILE_FIELDS)
    if unknown:
        raise Invalid(_("Unknown profile fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    require(
        check_manage_account_permission(actor, user), _("Only the person or an administrator may change a profile.")
    )
    if "display_name" in values:
        try:
            values["display_name"] = display_name_validate(values["display_name"] or "", user=user)
        except ValidationError as error:
            raise Invalid({"display_name": error.messages}) from None
    _profile_screen(values)
    profile = Profile.objects.select_for_update().get(user=user)
    for name, value in values.items():
        setattr(profile, name, value)
    try:
        profile.full_clean(exclude=["user"])
    except ValidationError as error:
        raise as_invalid(error) from None
    profile.save(update_fields=[*values, "updated_at"])
    user.profile = profile  # the caller's user object shows the new name at once
    if "display_name" in values:
        _name_keys_store(user, profile.display_name)
    if actor.pk != user.pk:
        audit_record(
            actor=actor, action="accounts.profile.updated_by_staff", target=user, data={"fields": sorted(values)}
        )
    return profile


@transaction.atomic
def user_role_set(*, actor: User | None, user: User, role: Role, reason: str) -> User:
    """Change a person's role. Their API tokens are revoked: a token issued for one role never
    carries the powers of another (a new staff role also needs two-factor authentication)."""
    require(actor is None or check_change_role_permission(actor), _("Only administrators may change roles."))
    previous = user.role
    user.role = role
    user.save(update_fields=["role"])
    if previous != role:
        ApiToken.objects.filter(user=user).delete()
    audit_record(
        actor=actor, action="accounts.role.changed", target=user, reason=reason, data={"from": previous, "to": role}
    )
    return user


@transaction.atomic
def user_active_set(*, actor: User, user: User, active: bool, reason: str) -> User:
    """Deactivate an account (it can no longer log in, and its tokens stop working) or reactivate it."""
    require(check_change_role_permission(actor), _("Only administrators may deactivate accounts."))
    user.is_active = active
    user.save(update_fields=["is_active"])
    action = "accounts.user.reactivated" if active else "accounts.user.deactivated"
    audit_record(actor=actor, action=action, target=user, reason=reason)
    return user


def user_suspended_set(*, user_id: int, suspended: bool) -> None:
    """Suspend a person from the site or end it (see User.suspended). Called by moderation's
    sanctions, which decide who may (administrators) and keep the log."""
    User.objects.filter(pk=user_id).update(suspended=suspended)


@transaction.atomic
def user_delete(*, actor: User, user: User) -> None:
    """Delete an account and everything attached to it. The audit log keeps that it happened."""
    require(
        check_manage_account_permission(actor, user), _("Only the person or an administrator may delete an account.")
    )
    audit_record(
        actor=actor if actor.pk != user.pk else None,
        action="accounts.user.deleted",
        target_type="accounts.user",
        target_id=str(user.pk),
        reason="deleted by the account holder" if actor.pk == user.pk else "deleted by an administrator",
    )
    user.delete()


# --- API tokens -----------------------------------------------------------------------------


# --- Blocking ----------------------------------------------------------------------------------

REASON_BLOCK_SELF = gettext_lazy("You can't block yourself.")


@transaction.atomic
def person_block(*, actor: User, person: User, from_anonymous: bool = False) -> tuple[Block, bool]:
    """`actor` never hears from `person` again (see Block). Blocking twice changes nothing; a block
    made from a named post later keeps its name. Returns the block and whether it is new."""
    require(person.pk != actor.pk, REASON_BLOCK_SELF)
    block, created = Block.objects.get_or_create(
        blocker=actor, blocked=person, defaults={"from_anonymous": from_anonymous}
    )
    if not created and block.from_anonymous and not from_anonymous:
        block.from_anonymous = False
        block.save(update_fields=["from_anonymous"])
    return block, created


@transaction.atomic
def person_unblock(*, actor: User, block: Block) -> None:
    require(block.blocker_id == actor.pk, REASON_BLOCK_SELF)
    block.delete()


def _token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user: User, name: str = "", second_factor: bool = False) -> tuple[ApiToken, str]:
    """Create a bearer token; the raw value is returned once and never stored."""
    raw = "als_" + secrets.token_urlsafe(32)
    now = timezone.now()
    token = ApiToken.objects.create(
        user=user,
        name=name.strip()[:60],
        digest=_token_digest(raw),
        prefix=raw[4:12],
        created_at=now,
        expires_at=now + timedelta(days=settings.API_TOKEN_LIFETIME_DAYS),
        second_factor=second_factor,
        password_marker=password_marker(user),
    )
    return token, raw


def token_is_live(token: ApiToken) -> bool:
    return (
        token.user.is_active
        and token.expires_at > timezone.now()
        and secrets.compare_digest(token.password_marker, password_marker(token.user))
    )


def api_token_authenticate(raw: str) -> ApiToken | None:
    """The live token a raw value belongs to, or None. A dead one (expired, or issued under an
    old password) is deleted on sight. Records when it was last used."""
    token = ApiToken.objects.select_related("user").filter(digest=_token_digest(raw)).first()
    if token is None:
        return None
    if not token_is_live(token):
        ApiToken.objects.filter(pk=token.pk).delete()
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


@transaction.atomic
def api_token_revoke(*, actor: User, token: ApiToken) -> None:
    """Revoke one of the actor's own tokens (the selector only ever hands out their own)."""
    require(token.user_id == actor.pk)
    token.delete()


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


# --- Mail (run by the task worker, never in a request) ------------------------------------


def _send(email: str, template: str, context: dict[str, Any]) -> None:
    from django.core.mail import send_mail
    from django.template.loader import render_to_string

    context = {"SITE_NAME": settings.SITE_NAME, "SITE_URL": settings.SITE_URL, **context}
    subject = " ".join(render_to_string(f"accounts/email/{template}_subject.txt", context).split())
    body = render_to_string(f"accounts/email/{template}_message.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [email])


EMAIL_NOTICES = ("confirm", "address_in_use", "address_removed", "address_replaced")


def email_notice_send(*, email: str, notice: str, token: str = "") -> None:
    """The mail a recovery-address change sends to an address (see user_email_set, user_email_confirm)."""
    if notice not in EMAIL_NOTICES:
        raise Invalid({"notice": _("Unknown notice.")})
    context = {
        "reset_url": settings.SITE_URL + reverse("account_reset_password"),
        "confirm_url": settings.SITE_URL + reverse("accounts:email_confirm", args=[token]) if token else "",
        "days": EMAIL_CONFIRM_DAYS,
    }
    _send(email, f"email_{notice}", context)


def password_reset_mail_send(*, email: str) -> int:
    """A reset link to every active account with this recovery address; nothing to other addresses
    (a mail to an address without an account could tell its reader that someone looked for help)."""
    from allauth.account.forms import default_token_generator
    from allauth.account.utils import user_pk_to_url_str

    users = users_with_email(email)
    for user in users:
        path = reverse(
            "account_reset_password_from_key",
            kwargs={"uidb36": user_pk_to_url_str(user), "key": default_token_generator.make_token(user)},
        )
        _send(email, "password_reset", {"user": user, "reset_url": settings.SITE_URL + path})
    return len(users)
