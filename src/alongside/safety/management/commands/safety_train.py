"""`python manage.py safety_train`: train the crisis head and pin it (classifier/train.py)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Train the crisis classifier's head on the labelled posts; print every attempt on the validation split."

    def handle(self, *args: Any, **options: Any) -> None:
        from alongside.safety.classifier import train

        train.main(self.stdout.write)
