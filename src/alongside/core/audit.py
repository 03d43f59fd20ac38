"""The audit log: record an action, and verify that nothing has been altered since.

Each entry's hash covers its own fields and the previous entry's hash, so changing, removing or
re-ordering any entry breaks the chain from that point on.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction

from alongside.core.models import AuditChainHead, AuditEntry

GENESIS_HASH = "0" * 64


def _entry_digest(*, prev_hash: str, entry: AuditEntry) -> str:
    payload = {
        "sequence": entry.sequence,
        "created_at": entry.created_at.isoformat(timespec="microseconds"),
        "actor_id": entry.actor_id,
        "actor_label": entry.actor_label,
        "action": entry.action,
        "target_type": entry.target_type,
        "target_id": entry.target_id,
        "reason": entry.reason,
        "data": entry.data,
    }
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{prev_hash}\n{canonical}".encode()).hexdigest()


def audit_record(
    *,
    actor: Any | None,
    action: str,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: str = "",
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append an entry. `actor` is a user or None for the system; `target` a model instance."""
    if target is not None:
        target_type = target._meta.label_lower
        target_id = str(target.pk)
    with transaction.atomic():
        AuditChainHead.objects.get_or_create(pk=1, defaults={"last_sequence": 0, "last_hash": GENESIS_HASH})
        # The head row is the lock that keeps the chain in one line when entries are written concurrently.
        head = AuditChainHead.objects.select_for_update().get(pk=1)
        entry = AuditEntry(
            sequence=head.last_sequence + 1,
            actor_id=getattr(actor, "pk", None),
            actor_label=str(getattr(actor, "username", "")) if actor is not None else "",
            action=action,
            target_type=target_type,
            target_id=target_id,
            reason=reason,
            data=data or {},
            prev_hash=head.last_hash,
        )
        # Hash the data exactly as it will read back from the JSON column.
        entry.data = json.loads(json.dumps(entry.data))
        entry.entry_hash = _entry_digest(prev_hash=head.last_hash, entry=entry)
        entry.save(force_insert=True)
        head.last_sequence = entry.sequence
        head.last_hash = entry.entry_hash
        head.save(update_fields=["last_sequence", "last_hash"])
    return entry


@dataclass(frozen=True)
class ChainReport:
    checked: int
    first_bad_sequence: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.first_bad_sequence is None and not self.problem


def audit_chain_verify() -> ChainReport:
    """Walk the whole chain in order; report the first entry that does not fit."""
    prev_hash = GENESIS_HASH
    expected_sequence = 1
    checked = 0
    for entry in AuditEntry.objects.order_by("sequence").iterator(chunk_size=2000):
        if entry.sequence != expected_sequence:
            return ChainReport(checked, expected_sequence, f"entry #{expected_sequence} is missing")
        if entry.prev_hash != prev_hash:
            return ChainReport(checked, entry.sequence, "it does not point at the entry before it")
        if _entry_digest(prev_hash=prev_hash, entry=entry) != entry.entry_hash:
            return ChainReport(checked, entry.sequence, "its contents were changed after it was written")
        prev_hash = entry.entry_hash
        expected_sequence += 1
        checked += 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and (head.last_sequence != checked or head.last_hash != prev_hash):
        return ChainReport(checked, checked + 1, "entries after it were removed")
    return ChainReport(checked)
