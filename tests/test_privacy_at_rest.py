"""Private content is encrypted at rest: a dump of the whole database (the SQLite file, or `pg_dump`)
holds none of the private canaries written through the product, and does not link an anonymous
post to its writer. Public text is stored readable (it is shown to members and searched), which
the dump is also checked for, so the check cannot pass by dumping nothing.

What is encrypted and why: docs/architecture.md, "Data at rest".
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from alongside.accounts.enums import Role
from alongside.chat.access.conversations import access_conversation
from alongside.chat.models import ListenerProfile, ListenerStatus
from alongside.chat.services import conversations as chat_services
from alongside.communities import services
from alongside.communities.models import Visibility
from alongside.core.audit import audit_record
from alongside.moderation import sanctions
from alongside.moderation.services import feedback_submit, report_file
from alongside.selfcare import services as journal
from tests.personas import TOTP_SECRET, make_person

pytestmark = pytest.mark.django_db(transaction=True)

EMAIL = "canary.mail.5521@example.org"
REASON = "canary reason 5521 about a person"
ANONYMOUS_BODY = "canary anonymous words 5521"
PUBLIC_BODY = "canary public words 5521"
CHAT_WORDS = "canary chat words 5521"
CHAT_FEEDBACK = "canary feedback 5521"
CHAT_NOTE = "canary escalation note 5521"
MODERATION_WORDS = "canary moderation words 5521"  # a report's note, a sanction's reason, an appeal, feedback
JOURNAL_WORDS = "canary journal words 5521"  # a journal entry's title, words and tags
PRIVATE = [EMAIL, REASON, TOTP_SECRET, CHAT_WORDS, CHAT_FEEDBACK, CHAT_NOTE, MODERATION_WORDS, JOURNAL_WORDS]


def _write_canaries() -> dict[str, Any]:
    writer = make_person("canary_writer", email=EMAIL)
    keeper = make_person("canary_keeper", Role.MODERATOR)  # two-factor secret TOTP_SECRET, encrypted
    lead = make_person("canary_lead", Role.ADMIN)
    community = services.community_create(actor=lead, name="Canary room", visibility=Visibility.PUBLIC)
    services.community_join(actor=writer, community=community)
    thread = services.thread_create(actor=writer, community=community, title="Canary thread", body=PUBLIC_BODY)
    anonymous = services.post_reply(actor=writer, thread=thread, body=ANONYMOUS_BODY, is_anonymous=True)
    services.anonymous_author_reveal(actor=keeper, post=anonymous, reason=REASON)
    audit_record(actor=lead, action="test.canary", target=writer, reason=REASON)
    _chat_canaries(writer)
    _moderation_canaries(writer, keeper, community, anonymous)
    journal.entry_save(
        actor=writer, title=JOURNAL_WORDS + " title", body=JOURNAL_WORDS, tags=JOURNAL_WORDS.replace(" ", "-")
    )
    return {"writer": writer, "anonymous": anonymous}


def _moderation_canaries(writer: Any, keeper: Any, community: Any, post: Any) -> None:
    reporter = make_person("canary_reporter")
    services.community_join(actor=reporter, community=community)
    report_file(actor=reporter, post=post, writer_id=writer.pk, reason="other", note=MODERATION_WORDS + " (report)")
    feedback_submit(about="service", message=MODERATION_WORDS + " (feedback)")
    warning = sanctions.sanction_impose(
        actor=keeper, community=community, user_id=writer.pk, kind="warn", reason=MODERATION_WORDS, post=post
    )
    sanctions.appeal_file(actor=writer, sanction_id=warning.pk, text=MODERATION_WORDS + " (appeal)")


def _chat_canaries(member: Any) -> None:
    """A 1:1 chat: messages, the listener's escalation note, a report and the member's feedback."""
    listener = make_person("canary_listener", Role.LISTENER)
    ListenerProfile.objects.create(user=listener, status=ListenerStatus.APPROVED, languages=["en"], is_online=True)
    request = chat_services.support_request(actor=member, language="en", first_message=CHAT_WORDS)
    chat_services.queue_match()
    as_listener = access_conversation(listener, request.conversation_id)
    chat_services.message_send(actor=listener, viewer=as_listener, body=CHAT_WORDS + " (reply)")
    chat_services.conversation_escalate(actor=listener, viewer=as_listener, note=CHAT_NOTE)
    chat_services.person_report(actor=listener, viewer=as_listener, reason=CHAT_NOTE)
    chat_services.conversation_end(actor=member, viewer=access_conversation(member, request.conversation_id))
    chat_services.conversation_rate(
        actor=member, viewer=access_conversation(member, request.conversation_id), stars=4, feedback=CHAT_FEEDBACK
    )


def _dump() -> bytes:
    """Every byte the database holds, as a backup would have it."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        path = Path(settings["NAME"]) if "memory" not in str(settings["NAME"]) else None
        target = Path(os.environ.get("TMPDIR", "/tmp")) / f"alongside-dump-{os.getpid()}.sqlite3"  # noqa: S108
        target.unlink(missing_ok=True)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM INTO %s", [str(target)])
        data = target.read_bytes()
        if path is not None:  # a file database: its write-ahead log too
            wal = path.with_name(path.name + "-wal")
            data += wal.read_bytes() if wal.exists() else b""
        target.unlink()
        return data
    env = {**os.environ, "PGPASSWORD": settings.get("PASSWORD") or ""}
    command = ["pg_dump", "--no-owner", "-h", settings["HOST"] or "127.0.0.1", "-p", str(settings["PORT"] or 5432)]
    command += ["-U", settings["USER"] or "postgres", settings["NAME"]]
    return subprocess.run(command, capture_output=True, check=True, env=env, timeout=120).stdout


def _anonymous_row(dump: bytes, post_id: int) -> dict[str, str | None]:
    """The anonymous post's row as the dump stores it."""
    if connection.vendor == "sqlite":
        target = Path("/tmp") / f"alongside-row-{os.getpid()}.sqlite3"  # noqa: S108
        target.write_bytes(dump)
        try:
            with sqlite3.connect(target) as db:
                db.row_factory = sqlite3.Row
                row = db.execute("SELECT * FROM communities_post WHERE id = ?", [post_id]).fetchone()
                return {key: None if row[key] is None else str(row[key]) for key in row.keys()}  # noqa: SIM118
        finally:
            target.unlink()
    lines = dump.decode().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("COPY public.communities_post "))
    columns = [c.strip() for c in lines[start].split("(", 1)[1].split(")", 1)[0].split(",")]
    for line in lines[start + 1 :]:
        if line == "\\.":
            break
        values = line.split("\t")
        if values[0] == str(post_id):
            return {column: None if value == "\\N" else value for column, value in zip(columns, values, strict=True)}
    raise AssertionError("the anonymous post is not in the dump")


def test_a_database_dump_holds_no_private_canary_and_names_no_anonymous_writer() -> None:
    canaries = _write_canaries()
    dump = _dump()

    assert PUBLIC_BODY.encode() in dump  # the dump is real: public posts are stored readable
    for private in PRIVATE:
        assert private.encode() not in dump, private
        assert private.lower().encode() not in dump.lower(), private
    # The only column of a post that names a person is author_id: empty for an anonymous post.
    row = _anonymous_row(dump, canaries["anonymous"].pk)
    assert [column for column in row if column.startswith("author")] == ["author_id", "author_ref", "author_sealed"]
    assert row["author_id"] is None
    assert row["author_ref"] != str(canaries["writer"].pk)
    assert len(row["author_ref"] or "") == 64  # a keyed digest, useless without ENCRYPTION_KEYS
    assert (row["author_sealed"] or "").startswith("fernet:")
