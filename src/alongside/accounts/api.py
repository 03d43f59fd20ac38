"""JSON API for accounts: registration, log-in tokens, the current person and their profile."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from allauth.account.adapter import get_adapter
from allauth.core import ratelimit
from allauth.mfa.base.internal.flows import check_rate_limit
from allauth.mfa.totp.internal.auth import TOTP
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import AuthenticationError, HttpError
from ninja.params import P, PathEx

from alongside.accounts import access, selectors, services
from alongside.accounts.forms import ProfileForm
from alongside.accounts.models import ApiToken, Profile, User
from alongside.accounts.validators import PSEUDONYM_MAX_LENGTH, PSEUDONYM_MIN_LENGTH
from alongside.core.api import MAX_ID, Input, ListOut, PageNumber, Text, page_of, responses
from alongside.core.errors import Invalid, NotAllowed, NotFound

router = Router(tags=["accounts"])
TOKENS_PER_PAGE = 50

Pseudonym = Annotated[
    Text,
    Field(
        description="3 to 30 letters, numbers, `_` or `-`.",
        json_schema_extra={"minLength": PSEUDONYM_MIN_LENGTH, "maxLength": PSEUDONYM_MAX_LENGTH},
    ),
]
Password = Annotated[Text, Field(min_length=1, max_length=4096)]
# Not core.api's strict `Id`: a path segment is always a string, so a strict int would refuse every id.
TokenId = PathEx[int, P(ge=1, le=MAX_ID, description="The token's `id` from the list.")]


class UserOut(Schema):
    id: int
    pseudonym: str
    display_name: str
    role: str
    date_joined: datetime

    @staticmethod
    def of(user: User) -> UserOut:
        return UserOut(
            id=user.pk,
            pseudonym=user.username,
            display_name=selectors.user_display_name(user),
            role=user.role,
            date_joined=user.date_joined,
        )


class RegisterIn(Input):
    pseudonym: Pseudonym
    password: Password
    email: Text = Field(
        "",
        max_length=254,
        description="Optional; only used for password resets. The answer is the same whether or not the "
        "address is in use: its owner is told by e-mail.",
    )


class TokenIn(Input):
    pseudonym: Annotated[Text, Field(min_length=1, max_length=200)]
    password: Password
    otp_code: Text = Field("", max_length=12, description="Required when the account has two-factor authentication.")
    name: Text = Field("", max_length=60, description="A label to recognise the token by, e.g. 'my phone'.")


class TokenOut(Schema):
    token: str = Field(..., description="Send as `Authorization: Bearer <token>`. Shown only once.")
    expires_at: datetime
    user: UserOut


class TokenInfo(Schema):
    id: int
    name: str
    prefix: str = Field(..., description="The first characters after `als_`, to recognise it by.")
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None
    current: bool = Field(..., description="Whether this request was made with it.")

    @staticmethod
    def of(token: ApiToken, request: HttpRequest) -> TokenInfo:
        current = getattr(request, "api_token", None)
        return TokenInfo(
            id=token.pk,
            name=token.name,
            prefix=token.prefix,
            created_at=token.created_at,
            expires_at=token.expires_at,
            last_used_at=token.last_used_at,
            current=current is not None and current.pk == token.pk,
        )


class ProfileOut(Schema):
    display_name: str
    pronouns: str
    languages: list[str]
    country: str
    time_zone: str
    topics: list[str]

    @staticmethod
    def of(profile: Profile) -> ProfileOut:
        return ProfileOut(
            display_name=profile.display_name,
            pronouns=profile.pronouns,
            languages=list(profile.languages),
            country=str(profile.country.code or ""),
            time_zone=profile.time_zone,
            topics=list(profile.topics),
        )


class ProfilePatch(Input):
    display_name: Text | None = Field(None, max_length=50)
    pronouns: Text | None = Field(None, max_length=30)
    languages: list[Annotated[Text, Field(max_length=10)]] | None = Field(None, max_length=50)
    country: Text | None = Field(None, max_length=2)
    time_zone: Text | None = Field(None, max_length=64)
    topics: list[Annotated[Text, Field(max_length=40)]] | None = Field(None, max_length=50)


class EmailIn(Input):
    email: Text = Field(..., max_length=254, description="The recovery address, or an empty string to remove it.")
    password: Password = Field(..., description="Your current password: so we know it is really you.")


def _me(request: HttpRequest) -> User:
    user: User = request.auth  # type: ignore[attr-defined]
    return user


def _throttled(request: HttpRequest, action: str, key: str | None = None) -> None:
    if not ratelimit.consume(request, action=action, key=key):
        raise HttpError(429, _("Too many tries from here. Please wait a minute and try again."))


@router.post("/auth/register", response=responses({201: TokenOut}, 400, 429), auth=None, summary="Create an account")
def register(request: HttpRequest, payload: RegisterIn) -> Status[TokenOut]:
    _throttled(request, "signup")
    user = services.user_register(pseudonym=payload.pseudonym, password=payload.password, email=payload.email)
    token, raw = services.api_token_create(user=user, name="registration")
    return Status(201, TokenOut(token=raw, expires_at=token.expires_at, user=UserOut.of(user)))


@router.post(
    "/auth/tokens",
    response=responses({201: TokenOut}, 400, 401, 403, 429),
    auth=None,
    summary="Log in: exchange pseudonym and password (and a two-factor code) for a bearer token",
    description="Tokens last `API_TOKEN_LIFETIME_DAYS` days, and end at once when the password changes or "
    "the person's role does. Staff roles need two-factor authentication to get one.",
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
    authenticator = selectors.totp_authenticator_get(user=user)
    if authenticator is not None:
        if not payload.otp_code:
            raise AuthenticationError(401, _("Enter the current code from your authenticator app."))
        # The same per-person limit on code guesses as the web's two-factor step, and shared with it.
        try:
            clear_code_attempts = check_rate_limit(user)
        except ValidationError as error:
            raise HttpError(429, " ".join(error.messages)) from None
        if not TOTP(authenticator).validate_code(payload.otp_code.strip()):
            raise AuthenticationError(401, _("Enter the current code from your authenticator app."))
        clear_code_attempts()
    elif access.check_staff_needs_two_factor(user):
        raise NotAllowed(_("Your role needs two-factor authentication. Turn it on in your account first."))
    token, raw = services.api_token_create(user=user, name=payload.name, second_factor=authenticator is not None)
    return Status(201, TokenOut(token=raw, expires_at=token.expires_at, user=UserOut.of(user)))


@router.get(
    "/auth/tokens",
    response=responses({200: ListOut[TokenInfo]}, 401, 403),
    summary="Your live tokens, newest first",
)
def token_list(request: HttpRequest, page: PageNumber = 1) -> dict[str, Any]:
    tokens = selectors.api_tokens_list(viewer=_me(request))
    return page_of(tokens, page, TOKENS_PER_PAGE, lambda token: TokenInfo.of(token, request))


@router.delete(
    "/auth/tokens/current",
    response=responses({204: None}, 401, 403, invalid=False),
    summary="Log out: revoke the token this request was made with",
)
def token_revoke_current(request: HttpRequest) -> Status[None]:
    token = getattr(request, "api_token", None)
    if token is not None:
        services.api_token_revoke(actor=_me(request), token=token)
    return Status(204, None)


@router.delete(
    "/auth/tokens/{token_id}",
    response=responses({204: None}, 401, 403, 404),
    summary="Revoke one of your tokens (say, on a lost phone)",
)
def token_revoke(request: HttpRequest, token_id: TokenId) -> Status[None]:
    me = _me(request)
    token = selectors.api_token_get(viewer=me, token_id=token_id)
    if token is None:
        raise NotFound
    services.api_token_revoke(actor=me, token=token)
    return Status(204, None)


@router.get("/me", response=responses({200: UserOut}, 401, 403, invalid=False), summary="The signed-in person")
def me(request: HttpRequest) -> UserOut:
    return UserOut.of(_me(request))


@router.get("/me/profile", response=responses({200: ProfileOut}, 401, 403, invalid=False), summary="Your profile")
def profile_read(request: HttpRequest) -> ProfileOut:
    return ProfileOut.of(selectors.profile_get(viewer=_me(request)))


@router.patch("/me/profile", response=responses({200: ProfileOut}, 400, 401, 403), summary="Change your profile")
def profile_change(request: HttpRequest, payload: ProfilePatch) -> ProfileOut:
    user = _me(request)
    profile = selectors.profile_get(viewer=user)
    changes = payload.dict(exclude_unset=True)
    # The HTML form holds the field rules (known languages, countries, time zones, topics): use it here too.
    current = ProfileOut.of(profile).dict()
    form = ProfileForm(data={**current, **{k: ("" if v is None else v) for k, v in changes.items()}}, instance=profile)
    if not form.is_valid():
        raise Invalid({field: [str(e) for e in errors] for field, errors in form.errors.items()})
    profile = services.profile_update(actor=user, user=user, values={k: form.cleaned_data[k] for k in changes})
    return ProfileOut.of(profile)


@router.put(
    "/me/email",
    response=responses({204: None}, 400, 401, 403, 429),
    summary="Set or remove your recovery e-mail",
    description="A new address is used once its owner opens the link mailed to it. The answer is the same "
    "whether or not another account uses the address; one mail goes to the address either way.",
)
def email_set(request: HttpRequest, payload: EmailIn) -> Status[None]:
    user = _me(request)
    _throttled(request, "manage_email")
    services.user_email_set(actor=user, user=user, email=payload.email, password=payload.password)
    return Status(204, None)
