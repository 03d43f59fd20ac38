"""Pseudonymous people, their roles and their profile."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from alongside.accounts.validators import PSEUDONYM_MAX_LENGTH, PSEUDONYM_VALIDATORS


class Role(models.TextChoices):
    MEMBER = "member", _("Member")
    LISTENER = "listener", _("Peer listener")
    MODERATOR = "moderator", _("Moderator")
    FACILITATOR = "facilitator", _("Facilitator")
    CLINICIAN = "clinician", _("Clinician")
    ADMIN = "admin", _("Administrator")


class Topic(models.TextChoices):
    """Life experiences people come here with; used for interests now, communities later."""

    ANXIETY = "anxiety", _("Anxiety")
    DEPRESSION = "depression", _("Low mood and depression")
    ADDICTION = "addiction", _("Addiction and recovery")
    GRIEF = "grief", _("Grief and loss")
    PARENTING = "parenting", _("Parenting")
    CAREGIVING = "caregiving", _("Caring for someone")
    CHRONIC_ILLNESS = "chronic_illness", _("Living with illness")
    LGBTQ = "lgbtq", _("LGBTQ+ life")
    STUDENTS = "students", _("Student life")
    RELATIONSHIPS = "relationships", _("Relationships")
    LONELINESS = "loneliness", _("Loneliness")
    TRAUMA = "trauma", _("Trauma")
    WORK = "work", _("Work and money stress")
    SELF_ESTEEM = "self_esteem", _("Self-esteem")


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(username__iexact=username)

    def create_user(self, username: str, password: str | None = None, **extra: Any) -> User:
        user = self.model(username=username, **extra)
        user.set_password(password)
        user.save(using=self._db)
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
    email = models.EmailField(_("e-mail"), blank=True, help_text=_("Optional, only for resetting your password."))
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    is_active = models.BooleanField(_("active"), default=True)
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
    """A bearer token for the JSON API. Only a SHA-256 digest of the token is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=60, blank=True)
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user_id})"
