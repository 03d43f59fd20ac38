"""`python manage.py moderation_eval` (`make eval-moderation`): the toxicity signal on the held-out
split (TweetEval's validation split) against alt-profanity-check and plain MiniLM + LR."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Measure the toxicity signal on the held-out split: precision, recall and F1 against the baselines."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--attempts", action="store_true", help="also refit every training attempt and measure it (minutes)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from alongside.moderation.toxicity import evaluate

        evaluate.main(self.stdout.write, attempts=bool(options["attempts"]))
