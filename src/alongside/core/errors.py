"""The error vocabulary every app speaks: something is not found, an action is not allowed (with a
reason a person can read), or input is invalid (with messages per field).

Access functions and services raise these where the rule lives. One handler turns them into pages
(`core.middleware.DomainErrorMiddleware`) and one into JSON API answers (`alongside.api`), so views
never catch and re-word them case by case. Each error has a stable machine-readable `error_code`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import ClassVar

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import BaseForm
from django.http import HttpRequest
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """Base of the errors a person can be shown. Never an OSError (unlike PermissionError)."""

    error_code: ClassVar[str] = "error"
    status: ClassVar[int] = 400

    def __init__(self, message: str | Promise = "") -> None:
        self.message = message or self.default_message()
        super().__init__(str(self.message))

    @classmethod
    def default_message(cls) -> str | Promise:
        return _("Something went wrong.")


class NotFound(DomainError):
    """Missing, or not for this viewer: the same answer either way, so nothing leaks."""

    error_code = "not_found"
    status = 404

    @classmethod
    def default_message(cls) -> str | Promise:
        return _("Not found.")


class NotAllowed(DomainError):
    """The viewer may see the thing but may not do this to it; `message` says why, kindly."""

    error_code = "not_allowed"
    status = 403

    @classmethod
    def default_message(cls) -> str | Promise:
        return _("You don't have permission to do that here. Nothing has changed.")


class RateLimited(DomainError):
    """Too many of one thing in a short time; `message` says when to try again."""

    error_code = "rate_limited"
    status = 429

    @classmethod
    def default_message(cls) -> str | Promise:
        return _("That's a lot in a short time. Please wait a little and try again.")


class Invalid(ValidationError):
    """Input a service refuses, with messages per field (or for the whole input).

    A ValidationError, so forms and allauth take it as they are; `error_code` is the same for
    every invalid input ("invalid"), the field messages say what to change.
    """

    error_code: ClassVar[str] = "invalid"
    status: ClassVar[int] = 422


def require(allowed: bool, reason: str | Promise = "") -> None:
    """Raise NotAllowed(reason) unless `allowed`: how services and views enforce an access rule."""
    if not allowed:
        raise NotAllowed(reason)


def field_errors(error: ValidationError) -> dict[str, list[str]]:
    """A ValidationError's messages by field; messages for the whole input are under "__all__"."""
    if hasattr(error, "error_dict"):
        return {field: [str(m) for m in messages] for field, messages in error.message_dict.items()}
    return {"__all__": [str(m) for m in error.messages]}


def add_to_form(form: BaseForm, error: ValidationError) -> None:
    """Put each message on the visible field it is about, the rest at the top of the form."""
    for name, problems in field_errors(error).items():
        visible = name in form.fields and not form.fields[name].widget.is_hidden
        form.add_error(name if visible else None, problems)


@contextmanager
def errors_into(form: BaseForm) -> Iterator[None]:
    """`with errors_into(form): service(...)`: invalid input goes back into the form to be shown
    again; not-found and not-allowed pass on to the page handler."""
    try:
        yield
    except ValidationError as error:
        add_to_form(form, error)


@contextmanager
def errors_as_messages(request: HttpRequest) -> Iterator[None]:
    """`with errors_as_messages(request): service(...)`: for a button with no form to show again
    (say, "Leave"), invalid input becomes a message on the page the person returns to."""
    try:
        yield
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)


def as_invalid(error: ValidationError) -> Invalid:
    """A ValidationError from Django (e.g. `full_clean`) as our Invalid, keeping its fields."""
    if isinstance(error, Invalid):
        return error
    if hasattr(error, "error_dict"):
        return Invalid(error.error_dict)
    return Invalid(error.error_list)


__all__ = [
    "DomainError",
    "Invalid",
    "NotAllowed",
    "NotFound",
    "add_to_form",
    "as_invalid",
    "errors_as_messages",
    "errors_into",
    "field_errors",
    "require",
]
