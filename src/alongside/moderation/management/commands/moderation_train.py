"""`python manage.py moderation_train` (`make moderation-train`): train the toxicity head and pin it
(moderation/toxicity/train.py)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Train the toxicity head on the labelled tweets; print every attempt on the tuning slice; pin the best."

    def handle(self, *args: Any, **options: Any) -> None:
        from alongside.moderation.toxicity import train

        train.main(self.stdout.write)
