"""Make the audit log append-only in the database itself, not just in the ORM.

PostgreSQL refuses UPDATE and DELETE on audit entries; SQLite refuses UPDATE (a DELETE trigger
would also block the test runner's table flush there). Removal is still caught by the hash chain.
"""

from typing import Any

from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION core_auditentry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit entries are append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_auditentry_no_update BEFORE UPDATE ON core_auditentry
    FOR EACH ROW EXECUTE FUNCTION core_auditentry_append_only();
CREATE TRIGGER core_auditentry_no_delete BEFORE DELETE ON core_auditentry
    FOR EACH ROW EXECUTE FUNCTION core_auditentry_append_only();
"""
PG_REVERSE = """
DROP TRIGGER IF EXISTS core_auditentry_no_update ON core_auditentry;
DROP TRIGGER IF EXISTS core_auditentry_no_delete ON core_auditentry;
DROP FUNCTION IF EXISTS core_auditentry_append_only();
"""
SQLITE_FORWARD = """
CREATE TRIGGER core_auditentry_no_update BEFORE UPDATE ON core_auditentry
BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;
"""
SQLITE_REVERSE = "DROP TRIGGER IF EXISTS core_auditentry_no_update;"


def forward(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FORWARD)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_FORWARD)


def reverse(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_REVERSE)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_REVERSE)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(forward, reverse)]
