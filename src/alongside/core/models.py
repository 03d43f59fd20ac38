"""Shared records: the append-only audit log and the blocked-terms list used by screening."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alongside.core.crypto import EncryptedTextField


class AppendOnlyError(RuntimeError):
    """Raised on any attempt to change or remove an audit entry."""


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("Audit entries cannot be changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Audit entries cannot be deleted.")


class AuditEntry(models.Model):
    """Who did what to which target, when and why. Hash-chained: each entry seals the one before.

    Actors and targets are stored as plain identifiers (not foreign keys) so that deleting a
    user never rewrites history. Database triggers refuse DELETE (PostgreSQL) and any UPDATE
    except re-encrypting `reason` under a new key (the chain still covers its plain text).
    """

    sequence = models.PositiveBigIntegerField(unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    actor_id = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    actor_label = models.CharField(max_length=64, blank=True, editable=False)
    action = models.CharField(max_length=80, editable=False)
    target_type = models.CharField(max_length=80, blank=True, editable=False)
    target_id = models.CharField(max_length=64, blank=True, editable=False)
    # Why: often about a person (a ban, a reveal). Encrypted; the hash chain covers the plain text.
    reason = EncryptedTextField(blank=True, editable=False)
    data = models.JSONField(default=dict, blank=True, editable=False)
    prev_hash = models.CharField(max_length=64, editable=False)
    entry_hash = models.CharField(max_length=64, unique=True, editable=False)

    objects: ClassVar[models.Manager[AuditEntry]] = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["sequence"]
        verbose_name_plural = "audit entries"
        indexes = [models.Index(fields=["target_type", "target_id"]), models.Index(fields=["actor_id"])]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.action} by {self.actor_label or 'system'}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Audit entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Audit entries cannot be deleted.")


class AuditChainHead(models.Model):
    """One row: the newest sequence number and hash. Locked while an entry is appended."""

    last_sequence = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"audit chain head at #{self.last_sequence}"


class ScreeningAction(models.TextChoices):
    ALLOW = "allow", _("Allow")
    FLAG = "flag", _("Publish, and flag for review")
    HOLD = "hold", _("Hold for review before anyone sees it")


class BlockedTerm(models.Model):
    """A word or phrase that content screening acts on. Edited by administrators."""

    term = models.CharField(max_length=100, unique=True)
    action = models.CharField(
        max_length=8,
        choices=[
            (ScreeningAction.FLAG, ScreeningAction.FLAG.label),
            (ScreeningAction.HOLD, ScreeningAction.HOLD.label),
        ],
        default=ScreeningAction.HOLD,
    )
    whole_word = models.BooleanField(default=True, help_text=_("Match only the whole word, not inside other words."))
    note = models.CharField(max_length=200, blank=True, help_text=_("Why this term is here, for other moderators."))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["term"]

    def __str__(self) -> str:
        return self.term
