"""EncryptedTextField stores ciphertext only, and `rotate_encryption_keys` moves every value to the newest key."""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from cryptography.fernet import Fernet, InvalidToken
from django.apps import apps as django_apps
from django.core.management import call_command
from django.db import connection, models
from django.test.utils import isolate_apps

from alongside.core.crypto import EncryptedTextField, decrypt_text, encrypt_text, reencrypt_text
from alongside.core.management.commands import rotate_encryption_keys
from tests.fixtures import TOTP_SECRET, totp_code

PLAIN = "I have not told anyone about the panic attacks yet."


def new_key() -> str:
    return Fernet.generate_key().decode()


@pytest.fixture
def secret_model(transactional_db: Any) -> Iterator[type[models.Model]]:
    """A throwaway model with an encrypted column; its table exists only for the test."""
    with isolate_apps("alongside.core"):

        class Secret(models.Model):
            content = EncryptedTextField(null=True, blank=True)

            class Meta:
                app_label = "core"
                db_table = "core_test_secret"

            def __str__(self) -> str:
                return f"secret {self.pk}"

        with connection.schema_editor() as editor:
            editor.create_model(Secret)
        try:
            yield Secret
        finally:
            with connection.schema_editor() as editor:
                editor.delete_model(Secret)


@pytest.fixture
def rotation_sees(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Let the rotation command find a throwaway model besides the installed ones."""

    def add(model: type[models.Model]) -> None:
        class Registry:
            def get_models(self) -> list[type[models.Model]]:
                return [*django_apps.get_models(), model]

        monkeypatch.setattr(rotate_encryption_keys, "apps", Registry())

    return add


def raw_content(pk: int) -> str | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT content FROM core_test_secret WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def test_plaintext_never_reaches_the_database_column(secret_model):
    row = secret_model.objects.create(content=PLAIN)

    stored = raw_content(row.pk)

    assert stored.startswith("fernet:")
    assert PLAIN not in stored
    assert "panic" not in stored


def test_reading_through_the_orm_returns_the_plaintext(secret_model):
    row = secret_model.objects.create(content=PLAIN)

    assert secret_model.objects.get(pk=row.pk).content == PLAIN
    assert list(secret_model.objects.values_list("content", flat=True)) == [PLAIN]


def test_same_text_encrypts_differently_each_time(secret_model):
    first = secret_model.objects.create(content=PLAIN)
    second = secret_model.objects.create(content=PLAIN)

    assert raw_content(first.pk) != raw_content(second.pk)


def test_empty_text_is_still_encrypted(secret_model):
    row = secret_model.objects.create(content="")

    assert raw_content(row.pk).startswith("fernet:")
    assert secret_model.objects.get(pk=row.pk).content == ""


def test_none_stays_none(secret_model):
    row = secret_model.objects.create(content=None)

    assert raw_content(row.pk) is None
    assert secret_model.objects.get(pk=row.pk).content is None
    assert list(secret_model.objects.filter(content__isnull=True)) == [row]


@pytest.mark.parametrize("lookup", ["content", "content__exact", "content__icontains", "content__startswith"])
def test_filtering_on_encrypted_content_is_refused(secret_model, lookup):
    secret_model.objects.create(content=PLAIN)

    with pytest.raises(TypeError, match="cannot be filtered"):
        secret_model.objects.filter(**{lookup: PLAIN})


def test_legacy_plain_value_reads_back_unchanged(secret_model):
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO core_test_secret (content) VALUES (%s)", ["written before encryption"])

    assert secret_model.objects.get().content == "written before encryption"


def test_rotation_re_encrypts_rows_with_the_newest_key(secret_model, rotation_sees, settings):
    old, new = new_key(), new_key()
    settings.ENCRYPTION_KEYS = [old]
    pks = [secret_model.objects.create(content=f"{PLAIN} ({n})").pk for n in range(3)]
    secret_model.objects.create(content=None)
    before = {pk: raw_content(pk) for pk in pks}

    # Before rotation the rows are readable only with the old key.
    settings.ENCRYPTION_KEYS = [new]
    with pytest.raises(InvalidToken):
        secret_model.objects.get(pk=pks[0])

    settings.ENCRYPTION_KEYS = [new, old]
    rotation_sees(secret_model)
    out = StringIO()
    call_command("rotate_encryption_keys", stdout=out)

    settings.ENCRYPTION_KEYS = [new]
    assert [secret_model.objects.get(pk=pk).content for pk in pks] == [f"{PLAIN} ({n})" for n in range(3)]
    assert secret_model.objects.filter(content__isnull=True).count() == 1
    for pk in pks:
        assert raw_content(pk) != before[pk]
        assert raw_content(pk).startswith("fernet:")
    assert "core.Secret: 4 rows re-encrypted" in out.getvalue()


def test_rotation_encrypts_legacy_plain_rows(secret_model, rotation_sees, settings):
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO core_test_secret (content) VALUES (%s)", ["written before encryption"])
    settings.ENCRYPTION_KEYS = [new_key()]
    rotation_sees(secret_model)

    call_command("rotate_encryption_keys", stdout=StringIO())

    pk = secret_model.objects.get().pk
    assert raw_content(pk).startswith("fernet:")
    assert "written before encryption" not in raw_content(pk)
    assert secret_model.objects.get().content == "written before encryption"


def _totp_secret_stored(user: Any) -> str:
    return Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP).data["secret"]


def test_two_factor_secret_is_stored_encrypted(moderator):
    stored = _totp_secret_stored(moderator)

    assert stored != TOTP_SECRET
    assert TOTP_SECRET not in stored
    assert stored.startswith("fernet:")
    assert decrypt_text(stored) == TOTP_SECRET


def test_rotation_re_encrypts_two_factor_secrets(moderator, settings):
    original = list(settings.ENCRYPTION_KEYS)
    new = new_key()
    before = _totp_secret_stored(moderator)

    settings.ENCRYPTION_KEYS = [new]
    with pytest.raises(InvalidToken):
        decrypt_text(before)

    settings.ENCRYPTION_KEYS = [new, *original]
    out = StringIO()
    call_command("rotate_encryption_keys", stdout=out)

    settings.ENCRYPTION_KEYS = [new]
    after = _totp_secret_stored(moderator)
    assert after != before
    assert TOTP_SECRET not in after
    assert decrypt_text(after) == TOTP_SECRET
    # And allauth itself still accepts a code from the authenticator app.
    authenticator = Authenticator.objects.get(user=moderator, type=Authenticator.Type.TOTP)
    assert TOTP(authenticator).validate_code(totp_code())
    assert "two-factor secrets: 1 values re-encrypted" in out.getvalue()


def test_rotation_re_encrypts_recovery_code_seeds(moderator, settings):
    original = list(settings.ENCRYPTION_KEYS)
    codes = RecoveryCodes.activate(moderator).generate_codes()
    new = new_key()

    settings.ENCRYPTION_KEYS = [new, *original]
    call_command("rotate_encryption_keys", stdout=StringIO())

    settings.ENCRYPTION_KEYS = [new]
    authenticator = Authenticator.objects.get(user=moderator, type=Authenticator.Type.RECOVERY_CODES)
    assert RecoveryCodes(authenticator).generate_codes() == codes


def test_keys_are_cached_per_key_list_so_overrides_take_effect(settings):
    first, second = new_key(), new_key()
    settings.ENCRYPTION_KEYS = [first]
    token = encrypt_text("hello")
    assert Fernet(first.encode()).decrypt(token.removeprefix("fernet:").encode()) == b"hello"

    settings.ENCRYPTION_KEYS = [second]
    assert Fernet(second.encode()).decrypt(encrypt_text("hello").removeprefix("fernet:").encode()) == b"hello"
    with pytest.raises(InvalidToken):
        decrypt_text(token)


def test_encryption_uses_the_newest_key_and_reads_with_any(settings):
    old, new = new_key(), new_key()
    settings.ENCRYPTION_KEYS = [old]
    written_with_old = encrypt_text("hello")

    settings.ENCRYPTION_KEYS = [new, old]
    written_with_new = encrypt_text("hello")
    assert decrypt_text(written_with_old) == "hello"
    assert Fernet(new.encode()).decrypt(written_with_new.removeprefix("fernet:").encode()) == b"hello"
    rotated = reencrypt_text(written_with_old)
    assert Fernet(new.encode()).decrypt(rotated.removeprefix("fernet:").encode()) == b"hello"


def test_reencrypt_encrypts_plain_legacy_values():
    rotated = reencrypt_text("plain words")

    assert rotated.startswith("fernet:")
    assert decrypt_text(rotated) == "plain words"
