"""JSON API for accounts: registration, tokens, the current user and their profile."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from allauth.account.adapter import get_adapter
from allauth.mfa.base.internal.flows import check_rate_limit
from allauth.mfa.totp.internal.auth import TOTP
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import AuthenticationError, HttpError

from alongside.accounts import access, selectors, services
from alongside.accounts.forms import ProfileForm
from alongside.accounts.models import Profile, User
from alongside.core.api_support import AUTH

router = Router(tags=["accounts"])


class Detail(Schema):
    detail: str


class UserOut(Schema):
    id: int
    pseudonym: str
    display_name: str
    role: str
    date_joined: datetime

    @staticmethod
    def from_user(user: User) -> UserOut:
        return UserOut(
            id=user.pk,
            pseudonym=user.username,
            display_name=selectors.user_display_name(user),
            role=user.role,
            date_joined=user.date_joined,
        )


class RegisterIn(Schema):
    pseudonym: str = Field(..., min_length=1, max_length=200)
    password: str = Field(..., min_length=1, max_length=4096)
    email: str = Field("", max_length=254, description="Optional; only used for password resets.")


class TokenIn(Schema):
    pseudonym: str = Field(..., min_length=1, max_length=200)
    password: str = Field(..., min_length=1, max_length=4096)
    otp_code: str = Field("", max_length=12, description="Required when the account has two-factor authentication.")
    name: str = Field("", max_length=60, description="A label to recognise the token by, e.g. 'my phone'.")


class TokenOut(Schema):
    token: str = Field(..., description="Send as `Authorization: Bearer <token>`. Shown only once.")
    user: UserOut


class ProfileOut(Schema):
    display_name: str
    pronouns: str
    languages: list[str]
    country: str
    time_zone: str
    topics: list[str]

    @staticmethod
    def from_profile(profile: Profile) -> ProfileOut:
        return ProfileOut(
            display_name=profile.display_name,
            pronouns=profile.pronouns,
            languages=list(profile.languages),
            country=str(profile.country.code or ""),
            time_zone=profile.time_zone,
            topics=list(profile.topics),
        )


class ProfilePatch(Schema):
    display_name: str | None = Field(None, max_length=200)
    pronouns: str | None = Field(None, max_length=200)
    languages: list[str] | None = Field(None, max_length=50)
    country: str | None = Field(None, max_length=10)
    time_zone: str | None = Field(None, max_length=64)
    topics: list[str] | None = Field(None, max_length=50)


@router.post("/auth/register", response={201: TokenOut, 422: Any, 429: Detail}, auth=None, summary="Create an account")
def register(request: HttpRequest, payload: RegisterIn) -> Status[TokenOut]:
    from allauth.core import ratelimit

    if not ratelimit.consume(request, action="signup"):
        raise HttpError(429, _("Too many sign-ups from here. Please wait a minute and try again."))
    user = services.user_register(pseudonym=payload.pseudonym, password=payload.password, email=payload.email)
    _token, raw = services.api_token_create(user=user, name="registration")
    return Status(201, TokenOut(token=raw, user=UserOut.from_user(user)))


@router.post(
    "/auth/tokens",
    response={201: TokenOut, 401: Detail, 422: Any, 429: Detail},
    auth=None,
    summary="Log in: exchange pseudonym and password for a bearer token",
)
def token_create(request: HttpRequest, payload: TokenIn) -> Status[TokenOut]:
    adapter = get_adapter(request)
    try:
        # allauth's authenticate applies the same failed-login limits and lockout as the web log-in.
        user = adapter.authenticate(request, username=payload.pseudonym, password=payload.password)
    except ValidationError as error:
        raise HttpError(429, " ".join(error.messages)) from None
    # allauth's backend also returns deactivated accounts (so the web can explain); they get no token.
    if user is None or not user.is_active:
        raise AuthenticationError(401, _("That pseudonym and password don't match."))
    has_totp = selectors.totp_authenticator_get(user=user)
    if has_totp is not None:
        if not payload.otp_code:
            raise AuthenticationError(401, _("Enter the current code from your authenticator app."))
        # The same per-person limit on code guesses as the web's two-factor step, and shared with it.
        try:
            clear_code_attempts = check_rate_limit(user)
        except ValidationError as error:
            raise HttpError(429, " ".join(error.messages)) from None
        if not TOTP(has_totp).validate_code(payload.otp_code.strip()):
            raise AuthenticationError(401, _("Enter the current code from your authenticator app."))
        clear_code_attempts()
    elif access.check_staff_needs_two_factor(user):
        raise PermissionError("Your role needs two-factor authentication.")
    _token, raw = services.api_token_create(user=user, name=payload.name)
    return Status(201, TokenOut(token=raw, user=UserOut.from_user(user)))


@router.delete(
    "/auth/tokens/current", response={204: None, 401: Detail}, auth=AUTH, summary="Log out: revoke this token"
)
def token_revoke(request: HttpRequest) -> Status[None]:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        services.api_token_revoke(user=request.auth, raw=header.split(" ", 1)[1].strip())  # type: ignore[attr-defined]
    return Status(204, None)


@router.get("/me", response={200: UserOut, 401: Detail}, auth=AUTH, summary="The signed-in person")
def me(request: HttpRequest) -> UserOut:
    return UserOut.from_user(request.auth)  # type: ignore[attr-defined]


@router.get("/me/profile", response={200: ProfileOut, 401: Detail}, auth=AUTH, summary="Your profile")
def profile_read(request: HttpRequest) -> ProfileOut:
    return ProfileOut.from_profile(selectors.profile_get(viewer=request.auth))  # type: ignore[attr-defined]


@router.patch(
    "/me/profile", response={200: ProfileOut, 401: Detail, 422: Any}, auth=AUTH, summary="Change your profile"
)
def profile_change(request: HttpRequest, payload: ProfilePatch) -> ProfileOut:
    user: User = request.auth  # type: ignore[attr-defined]
    profile = selectors.profile_get(viewer=user)
    changes = payload.dict(exclude_unset=True)
    # The HTML form holds the field rules (known languages, countries, time zones, topics): use it here too.
    current = ProfileOut.from_profile(profile).dict()
    form = ProfileForm(data={**current, **{k: ("" if v is None else v) for k, v in changes.items()}}, instance=profile)
    if not form.is_valid():
        raise ValidationError({field: [str(e) for e in errors] for field, errors in form.errors.items()})
    profile = services.profile_update(actor=user, user=user, values={k: form.cleaned_data[k] for k in changes})
    return ProfileOut.from_profile(profile)
