"""Reads about people. Only what the viewer may see."""

from __future__ import annotations

from typing import Any

from allauth.mfa.models import Authenticator

from alongside.accounts.models import Profile, User


def user_display_name(user: Any) -> str:
    """How a person is shown to others: display name if set, else pseudonym. (ACCOUNT_USER_DISPLAY)"""
    profile = getattr(user, "profile", None)
    if profile is not None and profile.display_name:
        return str(profile.display_name)
    return str(user.username)


def profile_get(*, viewer: User) -> Profile:
    """The viewer's own profile."""
    return Profile.objects.select_related("user").get(user=viewer)


def totp_authenticator_get(*, user: User) -> Authenticator | None:
    """The person's authenticator-app (TOTP) device, if they set one up."""
    return Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).first()


def user_has_totp(*, user: User) -> bool:
    return totp_authenticator_get(user=user) is not None
