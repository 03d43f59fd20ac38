"""Re-encrypt every encrypted value with the newest key in ENCRYPTION_KEYS."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import models, transaction

from alongside.core.crypto import EncryptedTextField, rotation_hooks

BATCH = 500


class Command(BaseCommand):
    help = (
        "Re-encrypt all encrypted fields with the newest key. Put the new key first in ENCRYPTION_KEYS, "
        "run this, then remove the old key."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        total = 0
        for model in apps.get_models():
            names = [f.attname for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
            if not names:
                continue
            manager = model._default_manager
            pks = list(manager.order_by("pk").values_list("pk", flat=True))
            for start in range(0, len(pks), BATCH):
                with transaction.atomic():
                    batch = manager.filter(pk__in=pks[start : start + BATCH]).select_for_update()
                    # Reading decrypts with whichever key fits; writing encrypts with the newest key.
                    # The plain QuerySet.update: the audit log refuses updates through its own
                    # manager, and its database trigger lets through a change of `reason` only.
                    for pk, *values in batch.values_list("pk", *names):
                        models.QuerySet.update(manager.filter(pk=pk), **dict(zip(names, values, strict=True)))
            self.stdout.write(f"{model._meta.label}: {len(pks)} rows re-encrypted")
            total += len(pks)
        for name, hook in rotation_hooks().items():
            with transaction.atomic():
                count = hook()
            self.stdout.write(f"{name}: {count} values re-encrypted")
            total += count
        self.stdout.write(self.style.SUCCESS(f"Done: {total} re-encrypted with the newest key."))
