"""Pseudonymous people, their roles and their profile."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from alongside.accounts.enums import Role, Topic
from alongside.accounts.validators import PSEUDONYM_MAX_LENGTH, PSEUDONYM_VALIDATORS
from alongside.core.crypto import EncryptedTextField

__all__ = ["ApiToken", "Block", "NameKey", "Profile", "Role", "Topic", "User"]


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(username__iexact=username)

    def create_user(self, username: str, password: str | None = None, **extra: Any) -> User:
        """Also `createsuperuser`'s way in: the account gets what every account gets (a profile)."""
        from alongside.accounts.services import user_account_setup

        user = self.model(username=username, **extra)
        user.set_password(password)
        user.save(using=self._db)
        user_account_setup(user=user)
        return user

    def create_superuser(self, username: str, password: str | None = None, **extra: Any) -> User:
        extra["role"] = Role.ADMIN
        return self.create_user(username, password, **extra)


class User(AbstractBaseUser):
    """A person, known by a pseudonym. E-mail is optional and only used for account recovery."""

    username = models.CharField(
        _("pseudonym"),
        max_length=PSEUDONYM_MAX_LENGTH,
        unique=True,
        validators=PSEUDONYM_VALIDATORS,
        help_text=_("3 to 30 letters, numbers, _ or -. Others see this name, so avoid your real name."),
    )
    # Optional, only for password resets: stored encrypted, found by its keyed digest. A new address
    # waits in `pending_email` until its owner confirms it from the link mailed to it.
    email = EncryptedTextField(_("e-mail"), blank=True)
    email_digest = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    pending_email = EncryptedTextField(blank=True, editable=False)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    is_active = models.BooleanField(_("active"), default=True)
    # For shared devices: tab titles and history show only settings.DISCREET_TITLE, no unread counts.
    discreet = models.BooleanField(_("discreet mode"), default=False)
    # Suspended from the site by an administrator (moderation.sanctions): may sign in, read, see why
    # and appeal, but writes nothing anywhere until the suspension ends.
    suspended = models.BooleanField(_("suspended"), default=False)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "username"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        constraints = [models.UniqueConstraint(Lower("username"), name="accounts_user_pseudonym_ci_unique")]

    def __str__(self) -> str:
        return self.username

    # Django admin and permissions: administrators may do everything, nobody else uses the admin.
    @property
    def is_staff(self) -> bool:
        return self.is_active and self.role == Role.ADMIN

    @property
    def is_superuser(self) -> bool:
        return self.is_staff

    def has_perm(self, perm: str, obj: object = None) -> bool:
        return self.is_staff

    def has_perms(self, perm_list: Any, obj: object = None) -> bool:
        return self.is_staff

    def has_module_perms(self, app_label: str) -> bool:
        return self.is_staff


class Profile(models.Model):
    """What a person chooses to share about themselves. Every field is optional."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile")
    display_name = models.CharField(_("display name"), max_length=50, blank=True)
    pronouns = models.CharField(_("pronouns"), max_length=30, blank=True)
    languages = models.JSONField(_("languages you speak"), default=list, blank=True)
    country = CountryField(_("country"), blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)
    topics = models.JSONField(_("topics you are interested in"), default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Profile of {self.user_id}"


class ApiToken(models.Model):
    """A bearer token for the JSON API. Only a SHA-256 digest of the token is stored.

    A token ends at `expires_at`, when it is revoked, and when the password it was issued under
    changes (`password_marker`), whichever way the password was changed.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=60, blank=True)
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    # Whether it was issued after a two-factor code: staff roles may only use such tokens.
    second_factor = models.BooleanField(default=False)
    password_marker = models.CharField(max_length=16)

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user_id})"


class NameKey(models.Model):
    """The look-alike keys of a person's pseudonym and display name (see core.confusables).

    Two people's names look alike when they share a key; a new name is refused when one of its
    keys belongs to someone else.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="name_keys")
    key = models.CharField(max_length=200, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="accounts_one_name_key_each")]

    def __str__(self) -> str:
        return f"name key of {self.user_id}"


class Block(models.Model):
    """`blocker` never hears from `blocked` again, anywhere: their posts are hidden from the blocker,
    they cannot reply to the blocker's threads, mention them or chat with them, and they are never
    matched. `from_anonymous`: blocked from an anonymous post, so the blocker's list never names them."""

    blocker = models.ForeignKey(User, on_delete=models.CASCADE, related_name="blocks")
    blocked = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    from_anonymous = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["blocker", "blocked"], name="one_block_per_pair")]

    def __str__(self) -> str:
        return f"{self.blocker_id} blocked {self.blocked_id}"
