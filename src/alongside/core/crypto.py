"""Encryption at rest for private text, with rotatable keys.

`ENCRYPTION_KEYS` is a list of Fernet keys, newest first. Text is always encrypted with the
newest key and can be read with any key in the list, so a new key can be added at the front,
`manage.py rotate_encryption_keys` run, and the old key removed afterwards.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models

# Stored values start with this marker so that encrypted and (legacy) plain values can be told apart.
PREFIX = "fernet:"


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


def _current() -> MultiFernet:
    return _fernet(tuple(settings.ENCRYPTION_KEYS))


def encrypt_text(plaintext: str) -> str:
    return PREFIX + _current().encrypt(plaintext.encode()).decode()


def decrypt_text(stored: str) -> str:
    """Read a stored value. Raises `InvalidToken` if no configured key can read it."""
    if not stored.startswith(PREFIX):
        return stored
    return _current().decrypt(stored[len(PREFIX) :].encode()).decode()


def reencrypt_text(stored: str) -> str:
    """Return `stored` encrypted with the newest key (plain legacy values get encrypted)."""
    if not stored.startswith(PREFIX):
        return encrypt_text(stored)
    return PREFIX + _current().rotate(stored[len(PREFIX) :].encode()).decode()


@lru_cache(maxsize=16)
def _lookup_key(key: str, purpose: str) -> bytes:
    # A separate key per purpose, derived from an encryption key: a digest made for one purpose
    # (say, e-mail look-up) can never be matched against another's.
    return hashlib.sha256(f"alongside lookup v1\n{purpose}\n{key}".encode()).digest()


def lookup_digest(value: str, *, purpose: str) -> str:
    """A keyed digest (HMAC-SHA256 under the newest key) to find a private value without storing it
    readable: equal values give equal digests, and nobody without the keys can tell what it was."""
    return hmac.new(_lookup_key(settings.ENCRYPTION_KEYS[0], purpose), value.encode(), hashlib.sha256).hexdigest()


def lookup_digests(value: str, *, purpose: str) -> list[str]:
    """The value's digest under every configured key, newest first: what a look-up searches for,
    so rows written before a key rotation are still found until `rotate_encryption_keys` runs."""
    return [
        hmac.new(_lookup_key(key, purpose), value.encode(), hashlib.sha256).hexdigest()
        for key in settings.ENCRYPTION_KEYS
    ]


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    """A text field stored encrypted. It cannot be searched or filtered by its content."""

    description = "Text encrypted at rest"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None:
            return None
        return decrypt_text(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None:
            return None
        return encrypt_text(str(value))

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name not in {"isnull"}:
            raise TypeError(f"Encrypted fields cannot be filtered with '{lookup_name}'.")
        return super().get_lookup(lookup_name)


# Other stores of encrypted text (outside EncryptedTextField columns) register a function that
# re-encrypts them and returns how many values it rewrote; the rotation command calls each.
RotationHook = Callable[[], int]
_rotation_hooks: dict[str, RotationHook] = {}


def register_rotation_hook(name: str, hook: RotationHook) -> None:
    _rotation_hooks[name] = hook


def rotation_hooks() -> dict[str, RotationHook]:
    return dict(_rotation_hooks)


__all__ = [
    "EncryptedTextField",
    "InvalidToken",
    "decrypt_text",
    "encrypt_text",
    "lookup_digest",
    "lookup_digests",
    "reencrypt_text",
    "register_rotation_hook",
    "rotation_hooks",
]
