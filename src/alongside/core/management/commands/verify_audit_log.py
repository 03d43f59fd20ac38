"""Check the audit log's hash chain; exit 1 and name the first bad entry if anything was altered."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from alongside.core.audit import audit_chain_verify


class Command(BaseCommand):
    help = "Verify that no audit entry was changed, removed or re-ordered since it was written."

    def handle(self, *args: Any, **options: Any) -> None:
        report = audit_chain_verify()
        if not report.ok:
            raise CommandError(
                f"Audit log tampered: first bad entry is #{report.first_bad_sequence} ({report.problem}). "
                f"{report.checked} entries before it are intact."
            )
        self.stdout.write(self.style.SUCCESS(f"Audit log intact: {report.checked} entries verified."))
