"""HTML forms for accounts. Validation rules live in services; forms only shape input."""

from __future__ import annotations

import zoneinfo
from typing import Any

from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_countries.fields import LazyTypedChoiceField  # type: ignore[attr-defined]

from alongside.accounts.enums import SPOKEN_LANGUAGES
from alongside.accounts.models import Profile, Topic
from alongside.core.forms import PlainErrors

LANGUAGE_CHOICES = SPOKEN_LANGUAGES
TIME_ZONE_CHOICES = [("", _("Not set"))] + [
    (tz, tz.replace("_", " ")) for tz in sorted(zoneinfo.available_timezones()) if "/" in tz
]


def _without_placeholders(form: forms.Form) -> None:
    """Placeholders vanish as you type and repeat the label; help text does the job better."""
    for field in form.fields.values():
        field.widget.attrs.pop("placeholder", None)


class LoginForm(PlainErrors, AllauthLoginForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _without_placeholders(self)
        self.fields["login"].label = _("Pseudonym")
        self.fields["password"].help_text = ""
        if "remember" in self.fields:
            self.fields["remember"].label = _("Keep me logged in on this device")


RECOVERY_EMAIL_HELP = _(
    "Only used if you forget your password. Without it we cannot help you get back into your account. "
    "It is stored encrypted."
)


DISCREET_HELP = _(
    "Then every page's title in tabs and history is just “%(title)s”, and unread counts are left out of it. "
    "You can change this any time on your profile."
)


def discreet_help() -> str:
    return DISCREET_HELP % {"title": settings.DISCREET_TITLE}


class SignupForm(PlainErrors, AllauthSignupForm):
    # Not allauth's "email" field: allauth would keep that address unencrypted and say whether it is in use.
    recovery_email = forms.EmailField(label=_("E-mail (optional)"), required=False, help_text=RECOVERY_EMAIL_HELP)
    # Asked once, here; unanswered means no.
    discreet = forms.ChoiceField(
        label=_("Might someone else see this device?"),
        choices=[
            ("yes", _("Yes, or they might: keep my visits discreet")),
            ("no", _("No, it's only mine")),
        ],
        required=False,
        widget=forms.RadioSelect,
    )
    field_order = ["username", "recovery_email", "password1", "password2", "discreet"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _without_placeholders(self)
        self.fields["username"].label = _("Pseudonym")
        self.fields["username"].help_text = _(
            "3 to 30 letters, numbers, _ or -. This is the name others see, so please don't use your real name."
        )
        self.fields["username"].error_messages.update(
            required=_("Please choose a pseudonym."),
            min_length=_("Your pseudonym needs at least %(limit_value)d characters."),
        )
        self.fields["password1"].help_text = _("At least 10 characters. A few unrelated words work well.")
        self.fields["discreet"].help_text = discreet_help()
        self.order_fields(self.field_order)


class ResetPasswordForm(PlainErrors, forms.Form):
    """Asks for a reset mail. Looking the address up and sending happen in the task worker, so the
    page answers the same, as fast, whether or not the address belongs to an account."""

    email = forms.EmailField(label=_("Your recovery e-mail"), max_length=254)

    def save(self, request: Any, **kwargs: Any) -> str:
        from alongside.accounts import services

        email: str = self.cleaned_data["email"]
        services.password_reset_request(email=email)
        return email


class RecoveryEmailForm(PlainErrors, forms.Form):
    email = forms.EmailField(
        label=_("Recovery e-mail"),
        required=False,
        max_length=254,
        help_text=_("Leave it empty to remove your recovery e-mail. It is stored encrypted."),
    )
    password = forms.CharField(
        label=_("Your password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("So we know it is really you."),
    )


class ProfileForm(PlainErrors, forms.ModelForm):  # type: ignore[type-arg]
    languages = forms.MultipleChoiceField(
        label=_("Languages you speak"),
        choices=LANGUAGE_CHOICES,
        required=False,
        help_text=_("Choose as many as you like (hold Ctrl or Cmd to pick more than one)."),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    country = LazyTypedChoiceField(label=_("Country"), choices=[("", _("Not set")), *countries], required=False)
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=TIME_ZONE_CHOICES, required=False)
    topics = forms.MultipleChoiceField(
        label=_("What you are going through, or interested in"),
        choices=Topic.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Used to suggest communities for you (on your welcome page and in the communities list). "
            "Nobody else sees this list."
        ),
    )

    class Meta:
        model = Profile
        fields = ["display_name", "pronouns", "languages", "country", "time_zone", "topics"]
        help_texts = {
            "display_name": _("Optional. Shown instead of your pseudonym."),
            "pronouns": _("Optional, for example she/her, he/him, they/them."),
        }


class DiscreetForm(PlainErrors, forms.Form):
    discreet = forms.BooleanField(label=_("Discreet mode"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["discreet"].help_text = discreet_help()


class AccountDeleteForm(PlainErrors, forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("So we know it is really you."),
    )
    confirm = forms.BooleanField(label=_("I understand this cannot be undone."), required=True)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("That password is not right. Please try again."))
        return password
