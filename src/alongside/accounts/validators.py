"""Pseudonym rules: 3-30 characters, letters, digits, underscore and hyphen."""

from collections.abc import Callable
from typing import Any

from django.core.validators import MaxLengthValidator, MinLengthValidator, RegexValidator
from django.utils.translation import gettext_lazy as _

PSEUDONYM_MIN_LENGTH = 3
PSEUDONYM_MAX_LENGTH = 30

pseudonym_characters = RegexValidator(
    regex=r"\A[A-Za-z0-9_-]+\Z",
    message=_("Use only letters, numbers, underscores (_) and hyphens (-), with no spaces."),
    code="invalid_pseudonym",
)

PSEUDONYM_VALIDATORS: list[Callable[[Any], None]] = [
    pseudonym_characters,
    MinLengthValidator(PSEUDONYM_MIN_LENGTH),
    MaxLengthValidator(PSEUDONYM_MAX_LENGTH),
]
