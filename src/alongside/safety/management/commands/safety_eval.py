"""`python manage.py safety_eval` (`make eval-safety`): the crisis classifier on the held-out split and
the hand-made cases, how responders closed live events, and the triage guide's routing."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Measure the crisis classifier (held-out split, hand-made cases) and the triage guide's routing."

    def handle(self, *args: Any, **options: Any) -> None:
        from alongside.safety.classifier import evaluate
        from alongside.safety.triage import evaluate as triage_evaluate

        evaluate.main(self.stdout.write)
        self.stdout.write("")
        evaluate.responder_verdicts(self.stdout.write)
        self.stdout.write("")
        self.stdout.flush()
        triage_evaluate.main([])  # its own command line's options are not this command's
