"""Audit reasons are encrypted at rest. The database triggers now let exactly one kind of UPDATE
through: re-encrypting `reason` (key rotation, and this migration). Every other column stays
untouchable, and the hash chain still covers the reason's plain text, so changing what it says is
caught by `verify_audit_log`."""

from typing import Any

from django.db import migrations

import alongside.core.crypto

PG_FORWARD = """
CREATE OR REPLACE FUNCTION core_auditentry_reencrypt_only() RETURNS trigger AS $$
BEGIN
    IF (to_jsonb(NEW) - 'reason') IS DISTINCT FROM (to_jsonb(OLD) - 'reason') THEN
        RAISE EXCEPTION 'audit entries are append-only';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS core_auditentry_no_update ON core_auditentry;
CREATE TRIGGER core_auditentry_no_update BEFORE UPDATE ON core_auditentry
    FOR EACH ROW EXECUTE FUNCTION core_auditentry_reencrypt_only();
"""
PG_REVERSE = """
DROP TRIGGER IF EXISTS core_auditentry_no_update ON core_auditentry;
DROP FUNCTION IF EXISTS core_auditentry_reencrypt_only();
CREATE TRIGGER core_auditentry_no_update BEFORE UPDATE ON core_auditentry
    FOR EACH ROW EXECUTE FUNCTION core_auditentry_append_only();
"""
_OTHER_COLUMNS = (
    "id", "sequence", "created_at", "actor_id", "actor_label", "action", "target_type", "target_id", "data",
    "prev_hash", "entry_hash",
)  # fmt: skip
SQLITE_FORWARD = [
    "DROP TRIGGER IF EXISTS core_auditentry_no_update",
    "CREATE TRIGGER core_auditentry_no_update BEFORE UPDATE ON core_auditentry WHEN "
    + " OR ".join(f"NEW.{column} IS NOT OLD.{column}" for column in _OTHER_COLUMNS)
    + " BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS core_auditentry_no_update",
    "CREATE TRIGGER core_auditentry_no_update BEFORE UPDATE ON core_auditentry "
    "BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END",
]


def triggers_forward(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FORWARD)
    elif vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement)


def triggers_reverse(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_REVERSE)
    elif vendor == "sqlite":
        for statement in SQLITE_REVERSE:
            schema_editor.execute(statement)


def encrypt_reasons(apps: Any, schema_editor: Any) -> None:
    """Raw SQL: the model refuses updates of audit entries (the trigger now allows this one)."""
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, reason FROM core_auditentry WHERE reason <> '' AND reason NOT LIKE %s",
            [alongside.core.crypto.PREFIX + "%"],
        )
        for pk, reason in cursor.fetchall():
            cursor.execute(
                "UPDATE core_auditentry SET reason = %s WHERE id = %s", [alongside.core.crypto.encrypt_text(reason), pk]
            )


class Migration(migrations.Migration):
    dependencies = [("core", "0002_audit_append_only_triggers")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="auditentry",
                    name="reason",
                    field=alongside.core.crypto.EncryptedTextField(blank=True, editable=False),
                ),
            ],
        ),
        migrations.RunPython(triggers_forward, triggers_reverse),
        migrations.RunPython(encrypt_reasons, migrations.RunPython.noop),
    ]
