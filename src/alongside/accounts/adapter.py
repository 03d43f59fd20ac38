"""allauth hooks: our pseudonym rules, account set-up (with the encrypted recovery e-mail), and
encrypted two-factor secrets."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.forms import Form
from django.http import HttpRequest

from alongside.accounts import access, services
from alongside.core.crypto import decrypt_text, encrypt_text


class AccountAdapter(DefaultAccountAdapter):
    def clean_username(self, username: str, shallow: bool = False) -> str:
        return services.pseudonym_validate(username, check_taken=not shallow)

    def save_user(self, request: HttpRequest, user: Any, form: Form, commit: bool = True) -> Any:
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            services.user_account_setup(user=user)
            if form.cleaned_data.get("discreet") == "yes":
                services.user_discreet_set(actor=user, user=user, on=True)
            email = form.cleaned_data.get("recovery_email", "")
            if email:
                services.user_email_set(actor=user, user=user, email=email, password=form.cleaned_data["password1"])
        return user


class MFAAdapter(DefaultMFAAdapter):
    """Two-factor secrets are encrypted with ENCRYPTION_KEYS, and staff cannot switch 2FA off."""

    def encrypt(self, text: str) -> str:
        return encrypt_text(text)

    def decrypt(self, encrypted_text: str) -> str:
        return decrypt_text(encrypted_text)

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        if authenticator.type == Authenticator.Type.TOTP and access.check_staff_needs_two_factor(authenticator.user):
            return False
        return bool(super().can_delete_authenticator(authenticator))


def record_second_factor_on_activation(*, request: HttpRequest, authenticator: Authenticator, **_kwargs: Any) -> None:
    """Setting up an authenticator means typing a valid code from it: that is this session's
    two-factor step (StaffTwoFactorMiddleware asks every staff session for one)."""
    if authenticator.type == Authenticator.Type.TOTP:
        record_authentication(request, authenticator.user, "mfa", id=authenticator.pk, type=authenticator.type)
