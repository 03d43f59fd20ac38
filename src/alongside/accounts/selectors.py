"""Reads about people. Only what the viewer may see."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from allauth.mfa.models import Authenticator
from django.db.models import Q, QuerySet
from django.utils import timezone

from alongside.accounts.enums import SITE_MODERATOR_ROLES, Role
from alongside.accounts.models import ApiToken, Block, Profile, User


def user_display_name(user: Any) -> str:
    """How a person is shown to others: display name if set, else pseudonym. (ACCOUNT_USER_DISPLAY)"""
    profile = getattr(user, "profile", None)
    if profile is not None and profile.display_name:
        return str(profile.display_name)
    return str(user.username)


def user_by_pseudonym(pseudonym: str) -> User | None:
    """The account with this pseudonym (any case; a leading @ is ignored), active or not."""
    name = pseudonym.strip().lstrip("@")
    if not name or "\x00" in name:
        return None
    return User.objects.filter(username__iexact=name).first()


def people_named_like(*, prefix: str, among: Any) -> QuerySet[User]:
    """Active accounts in `among` (ids, or a values("…id") subquery) whose pseudonym or display
    name starts with `prefix` (any case), with their profiles."""
    return (
        User.objects.filter(pk__in=among, is_active=True)
        .filter(Q(username__istartswith=prefix) | Q(profile__display_name__istartswith=prefix))
        .select_related("profile")
    )


def users_by_pseudonyms(pseudonyms: Iterable[str]) -> QuerySet[User]:
    """Active accounts with any of these pseudonyms (any case), e.g. the people a post mentions."""
    wanted = Q()
    for name in pseudonyms:
        wanted |= Q(username__iexact=name)
    if not wanted:
        return User.objects.none()
    return User.objects.filter(wanted, is_active=True)


def user_exists() -> bool:
    return User.objects.exists()


def profile_get(*, viewer: User) -> Profile:
    """The viewer's own profile."""
    return Profile.objects.select_related("user").get(user=viewer)


def totp_authenticator_get(*, user: User) -> Authenticator | None:
    """The person's authenticator-app (TOTP) device, if they set one up."""
    return Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).first()


def user_has_totp(*, user: User) -> bool:
    return totp_authenticator_get(user=user) is not None


def password_marker(user: User) -> str:
    """Changes whenever the password does (the stored hash is salted anew), however it changed."""
    return hashlib.sha256(user.password.encode()).hexdigest()[:16]


def api_tokens_list(*, viewer: User) -> list[ApiToken]:
    """The viewer's own live tokens, newest first (expired ones and ones issued under an earlier
    password are left out: they no longer work)."""
    marker = password_marker(viewer)
    tokens = ApiToken.objects.filter(user=viewer, expires_at__gt=timezone.now(), password_marker=marker)
    return list(tokens.order_by("-created_at", "-pk"))


def api_token_get(*, viewer: User, token_id: int) -> ApiToken | None:
    """One of the viewer's own live tokens, or None (someone else's is simply not there)."""
    return next((token for token in api_tokens_list(viewer=viewer) if token.pk == token_id), None)


def user_by_id(user_id: int, *, active_only: bool = True) -> User | None:
    """An account by id (e.g. the writer of an anonymous post, for a notification to them)."""
    users = User.objects.filter(pk=user_id).select_related("profile")
    return (users.filter(is_active=True) if active_only else users).first()


def users_by_ids(ids: Iterable[int]) -> QuerySet[User]:
    """Active accounts with these ids, with their profiles (for showing names)."""
    return User.objects.filter(pk__in=list(ids), is_active=True).select_related("profile").order_by("username")


# --- Blocking ----------------------------------------------------------------------------------


def blocked_between(a: Any, b: Any) -> bool:
    """Whether either person blocked the other (either way, neither writes to the other)."""
    if a is None or b is None or not getattr(a, "is_authenticated", True) or not getattr(b, "is_authenticated", True):
        return False
    return Block.objects.filter(Q(blocker=a, blocked=b) | Q(blocker=b, blocked=a)).exists()


def blocked_by(user: Any) -> QuerySet[Block]:
    """The ids (as `blocked_id` values) of the people this person blocked, for hiding their content."""
    if user is None or not user.is_authenticated:
        return Block.objects.none()
    return Block.objects.filter(blocker=user)


def is_blocked_by(person: Any, blocker_id: int | None) -> bool:
    """Whether `blocker_id` blocked `person` (then `person` may not write to them)."""
    return blocker_id is not None and Block.objects.filter(blocker_id=blocker_id, blocked=person).exists()


def blocker_ids(person: Any) -> QuerySet[Block, int]:
    """Who blocked this person, as a subquery of ids (they are not told of what this person writes)."""
    return Block.objects.filter(blocked=person).values_list("blocker_id", flat=True)


def blocked_user_ids(user: Any) -> set[int]:
    return set(blocked_by(user).values_list("blocked_id", flat=True))


def blocks_of(user: Any) -> list[Block]:
    """This person's blocks, newest first, for their list (names shown unless blocked from an anonymous post)."""
    return list(blocked_by(user).select_related("blocked__profile"))


def block_of(user: Any, block_id: Any) -> Block | None:
    try:
        return blocked_by(user).get(pk=int(block_id))
    except (Block.DoesNotExist, TypeError, ValueError):
        return None


def site_moderator_ids(*, admins_only: bool = False) -> list[int]:
    """Active site moderators and administrators (or administrators only)."""
    roles = [Role.ADMIN] if admins_only else list(SITE_MODERATOR_ROLES)
    return list(User.objects.filter(is_active=True, role__in=roles).values_list("pk", flat=True))
