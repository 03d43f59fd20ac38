"""The audit log is append-only (ORM and database), hash-chained, and tampering is reported."""

from __future__ import annotations

import importlib
import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from alongside.accounts.services import user_delete
from alongside.core.audit import GENESIS_HASH, _entry_digest, audit_chain_verify, audit_record
from alongside.core.crypto import decrypt_text, encrypt_text
from alongside.core.models import AppendOnlyError, AuditChainHead, AuditEntry

pytestmark = pytest.mark.django_db

# The triggers as the migrations leave them (0003 lets only a re-encrypted `reason` through).
_triggers = importlib.import_module("alongside.core.migrations.0003_audit_reason_encrypted")


@contextmanager
def append_only_triggers_off() -> Iterator[None]:
    """What an attacker with database access would do first: switch the append-only triggers off."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditentry DISABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER core_auditentry_no_update")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("ALTER TABLE core_auditentry ENABLE TRIGGER USER")
            else:
                for statement in _triggers.SQLITE_FORWARD:
                    cursor.execute(statement)


def raw_sql(sql: str, params: list[Any]) -> list[Any]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall()) if cursor.description else []


def record_four() -> list[AuditEntry]:
    return [
        audit_record(actor=None, action=f"test.action.{n}", target_type="test.thing", target_id=str(n), reason=f"r{n}")
        for n in range(1, 5)
    ]


def verify_command() -> str:
    out = StringIO()
    call_command("verify_audit_log", stdout=out)
    return out.getvalue()


# --- Writing and verifying ----------------------------------------------------------------------


def test_empty_log_verifies():
    report = audit_chain_verify()

    assert report.ok
    assert report.checked == 0


def test_entries_are_numbered_and_linked_in_order():
    entries = record_four()

    assert [e.sequence for e in entries] == [1, 2, 3, 4]
    assert entries[0].prev_hash == GENESIS_HASH
    for before, after in itertools.pairwise(entries):
        assert after.prev_hash == before.entry_hash
    assert len({e.entry_hash for e in entries}) == 4
    head = AuditChainHead.objects.get(pk=1)
    assert (head.last_sequence, head.last_hash) == (4, entries[-1].entry_hash)


def test_chain_of_several_entries_verifies():
    record_four()

    report = audit_chain_verify()

    assert report.ok
    assert report.checked == 4
    assert report.first_bad_sequence is None
    assert "Audit log intact: 4 entries verified." in verify_command()


def test_entry_records_actor_and_target(member):
    entry = audit_record(actor=member, action="accounts.user.warned", target=member, reason="test")

    stored = AuditEntry.objects.get(pk=entry.pk)
    assert stored.actor_id == member.pk
    assert stored.actor_label == member.username
    assert stored.target_type == "accounts.user"
    assert stored.target_id == str(member.pk)
    assert str(stored) == f"#{stored.sequence} accounts.user.warned by {member.username}"


def test_system_entry_has_no_actor():
    entry = audit_record(actor=None, action="system.cleanup")

    assert entry.actor_id is None
    assert entry.actor_label == ""
    assert str(entry).endswith("by system")


def test_data_survives_the_round_trip_through_the_database():
    audit_record(
        actor=None,
        action="test.data",
        data={"zeta": [1, 2.5, None, True], "alpha": {"nested": "ünïcödé — ✓"}, "tuple": (1, 2), 3: "int key"},  # type: ignore[dict-item]
    )

    assert audit_chain_verify().ok


# --- Append-only in the ORM -----------------------------------------------------------------------


def test_saving_an_existing_entry_is_refused():
    entry = audit_record(actor=None, action="test.action", reason="original")
    entry.reason = "rewritten"

    with pytest.raises(AppendOnlyError):
        entry.save()
    assert AuditEntry.objects.get(pk=entry.pk).reason == "original"


def test_deleting_an_entry_is_refused():
    entry = audit_record(actor=None, action="test.action")

    with pytest.raises(AppendOnlyError):
        entry.delete()
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_queryset_update_is_refused():
    record_four()

    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(sequence=2).update(reason="rewritten")
    assert AuditEntry.objects.get(sequence=2).reason == "r2"


def test_queryset_delete_is_refused():
    record_four()

    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.count() == 4


# --- Append-only in the database ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "value"),
    [("action", "rewritten"), ("actor_label", "someone_else"), ("data", '{"forged": 1}'), ("sequence", 99)],
)
def test_database_refuses_raw_update(column, value):
    record_four()

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        raw_sql(f"UPDATE core_auditentry SET {column} = %s WHERE sequence = %s", [value, 2])  # noqa: S608

    assert audit_chain_verify().ok


def test_only_re_encrypting_the_reason_gets_past_the_database_and_a_changed_reason_breaks_the_chain():
    """Key rotation must re-encrypt reasons, so the trigger lets `reason` change; what it says is
    still sealed by the hash chain."""
    record_four()
    stored = raw_sql("SELECT reason FROM core_auditentry WHERE sequence = %s", [2])[0][0]
    assert stored.startswith("fernet:")
    # Sealed, not readable: the words come back only through the key. (A search for "r2" in the
    # token would fail at random: two letters turn up in base64 now and then.)
    assert decrypt_text(stored) == "r2"

    raw_sql("UPDATE core_auditentry SET reason = %s WHERE sequence = %s", [encrypt_text("r2"), 2])
    assert audit_chain_verify().ok  # same words, new ciphertext: as after a key rotation

    raw_sql("UPDATE core_auditentry SET reason = %s WHERE sequence = %s", [encrypt_text("nothing to see"), 2])
    report = audit_chain_verify()
    assert report.first_bad_sequence == 2
    assert "changed" in report.problem


def test_database_refuses_raw_delete_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("only PostgreSQL has the DELETE trigger (SQLite's would block the test runner's flush)")
    record_four()

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        raw_sql("DELETE FROM core_auditentry WHERE sequence = %s", [3])

    assert AuditEntry.objects.count() == 4


def test_triggers_come_back_after_a_tampering_test():
    record_four()
    with append_only_triggers_off():
        raw_sql("UPDATE core_auditentry SET action = %s WHERE sequence = %s", ["rewritten", 2])

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        raw_sql("UPDATE core_auditentry SET action = %s WHERE sequence = %s", ["again", 3])
    raw_sql("UPDATE core_auditentry SET reason = %s WHERE sequence = %s", [encrypt_text("r3"), 3])  # re-encrypting


# --- Tampering is detected ------------------------------------------------------------------------


def test_changed_reason_is_reported_at_that_entry():
    record_four()
    with append_only_triggers_off():
        raw_sql("UPDATE core_auditentry SET reason = %s WHERE sequence = %s", ["nothing to see here", 2])

    report = audit_chain_verify()

    assert not report.ok
    assert report.first_bad_sequence == 2
    assert report.checked == 1
    assert "changed" in report.problem
    with pytest.raises(CommandError, match="#2"):
        call_command("verify_audit_log", stdout=StringIO())


def test_changed_data_is_reported_at_that_entry():
    for n in range(1, 4):
        audit_record(actor=None, action="test.action", data={"n": n})
    with append_only_triggers_off():
        raw_sql("UPDATE core_auditentry SET data = %s WHERE sequence = %s", ['{"n": 99}', 3])

    report = audit_chain_verify()

    assert report.first_bad_sequence == 3
    assert "changed" in report.problem


def test_resealed_entry_is_reported_at_the_next_entry():
    """Recomputing the changed entry's own hash does not help: the next entry still points at the old one."""
    record_four()
    forged = AuditEntry.objects.get(sequence=2)
    forged.reason = "nothing to see here"
    forged_hash = _entry_digest(prev_hash=forged.prev_hash, entry=forged)
    with append_only_triggers_off():
        raw_sql(
            "UPDATE core_auditentry SET reason = %s, entry_hash = %s WHERE sequence = %s",
            [forged.reason, forged_hash, 2],
        )

    report = audit_chain_verify()

    assert report.first_bad_sequence == 3
    assert report.checked == 2
    assert "does not point" in report.problem


def test_resealing_the_rest_of_the_chain_is_caught_by_the_head():
    record_four()
    with append_only_triggers_off():
        prev_hash = AuditEntry.objects.get(sequence=1).entry_hash
        for sequence in (2, 3, 4):
            forged = AuditEntry.objects.get(sequence=sequence)
            forged.prev_hash = prev_hash
            if sequence == 2:
                forged.reason = "nothing to see here"
            forged.entry_hash = _entry_digest(prev_hash=prev_hash, entry=forged)
            raw_sql(
                "UPDATE core_auditentry SET reason = %s, prev_hash = %s, entry_hash = %s WHERE sequence = %s",
                [forged.reason, forged.prev_hash, forged.entry_hash, sequence],
            )
            prev_hash = forged.entry_hash

    report = audit_chain_verify()

    assert not report.ok
    assert report.checked == 4


def test_broken_link_is_reported():
    record_four()
    with append_only_triggers_off():
        raw_sql("UPDATE core_auditentry SET prev_hash = %s WHERE sequence = %s", [GENESIS_HASH, 3])

    report = audit_chain_verify()

    assert report.first_bad_sequence == 3
    assert "does not point" in report.problem


def test_removed_entry_in_the_middle_is_reported_missing():
    record_four()
    with append_only_triggers_off():
        raw_sql("DELETE FROM core_auditentry WHERE sequence = %s", [3])

    report = audit_chain_verify()

    assert report.first_bad_sequence == 3
    assert report.checked == 2
    assert "#3 is missing" in report.problem
    with pytest.raises(CommandError, match="#3"):
        call_command("verify_audit_log", stdout=StringIO())


def test_removed_last_entry_is_reported_as_removal_at_the_end():
    record_four()
    with append_only_triggers_off():
        raw_sql("DELETE FROM core_auditentry WHERE sequence = %s", [4])

    report = audit_chain_verify()

    assert report.first_bad_sequence == 4
    assert report.checked == 3
    assert "removed" in report.problem
    with pytest.raises(CommandError, match="#4"):
        call_command("verify_audit_log", stdout=StringIO())


def test_emptied_log_is_reported():
    record_four()
    with append_only_triggers_off():
        raw_sql("DELETE FROM core_auditentry WHERE sequence > %s", [0])

    report = audit_chain_verify()

    assert report.first_bad_sequence == 1
    assert "removed" in report.problem


def test_chain_continues_correctly_after_verification():
    record_four()
    assert audit_chain_verify().ok

    fifth = audit_record(actor=None, action="test.action.5")

    assert fifth.sequence == 5
    assert audit_chain_verify().checked == 5


# --- History outlives the people in it ------------------------------------------------------------


def test_deleting_the_actor_does_not_break_the_chain(member):
    member_pk, pseudonym = member.pk, member.username
    entry = audit_record(actor=member, action="test.by_member", reason="before deletion")

    user_delete(actor=member, user=member)

    report = audit_chain_verify()
    assert report.ok
    assert report.checked == AuditEntry.objects.count()
    kept = AuditEntry.objects.get(pk=entry.pk)
    assert (kept.actor_id, kept.actor_label) == (member_pk, pseudonym)
    assert AuditEntry.objects.filter(action="accounts.user.deleted", target_id=str(member_pk)).exists()
