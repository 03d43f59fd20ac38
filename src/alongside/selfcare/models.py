"""A member's private journal and mood check-ins. Every word is encrypted at rest (`core.crypto`,
rotatable keys): an entry's title, body and tags, a check-in's feelings, note and tags. They are
their owner's alone; nobody else, staff included, has a way to read them (they are not in the
Django admin)."""

from __future__ import annotations

import re

from django.conf import settings
from django.db import models
from django.utils import timezone

from alongside.core.crypto import EncryptedTextField
from alongside.selfcare.enums import Mood


class JournalEntry(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="journal_entries")
    title = EncryptedTextField(blank=True)
    body = EncryptedTextField()  # Markdown
    mood = models.CharField(max_length=1, choices=Mood.choices, blank=True)
    tags = EncryptedTextField(blank=True)  # comma-separated, as the owner wrote them
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["owner", "created_at"])]
        verbose_name_plural = "journal entries"

    def __str__(self) -> str:
        return f"journal entry {self.pk}"  # never the words: this shows up in logs

    @property
    def excerpt(self) -> str:
        """The first words, without Markdown's marks, for lists."""
        words = re.sub(r"[*_#>`~\[\]]+", "", self.body).split()
        return " ".join(words[:30]) + (" …" if len(words) > 30 else "")

    @property
    def tag_list(self) -> list[str]:
        return [tag.strip() for tag in self.tags.split(",") if tag.strip()]


class JournalSettings(models.Model):
    """The owner's choices for their journal. `screen_for_crisis`: off unless they turn it on; when
    on, an entry that reads as a crisis shows *them* the crisis resources and a way to talk to
    someone, and tells nobody else."""

    owner = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="journal_settings")
    screen_for_crisis = models.BooleanField(default=False)
    # No reminders between these hours (the site's time; start > end spans midnight).
    quiet_start = models.PositiveSmallIntegerField(default=22)
    quiet_end = models.PositiveSmallIntegerField(default=8)

    def __str__(self) -> str:
        return f"journal settings {self.pk}"


class MoodCheckIn(models.Model):
    """How someone felt at a moment: a mood from 1 to 5 (with words, `Mood`), and optionally the
    feelings that went with it, a note, and tags for what they did (a walk, a call)."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mood_check_ins")
    mood = models.PositiveSmallIntegerField()
    feelings = EncryptedTextField(blank=True)  # comma-separated
    note = EncryptedTextField(blank=True)
    tags = EncryptedTextField(blank=True)  # comma-separated
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["owner", "created_at"])]

    def __str__(self) -> str:
        return f"check-in {self.pk}"

    @property
    def mood_word(self) -> str:
        return str(Mood(str(self.mood)).label)

    @property
    def tag_list(self) -> list[str]:
        return [tag.strip() for tag in self.tags.split(",") if tag.strip()]

    @property
    def feeling_list(self) -> list[str]:
        return [feeling.strip() for feeling in self.feelings.split(",") if feeling.strip()]


class MeasureResult(models.Model):
    """One completed questionnaire (selfcare.measures): the answers encrypted, the score (for the
    member's chart and, later, anonymous totals) plain."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="measure_results")
    measure = models.CharField(max_length=8)
    answers = EncryptedTextField()  # JSON list of the answers' values, in question order
    score = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["owner", "measure", "created_at"])]

    def __str__(self) -> str:
        return f"{self.measure} result {self.pk}"


class MeasureSchedule(models.Model):
    """How often the member wants a questionnaire offered (every 2 or 4 weeks); none: only when they
    choose. Never required."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    measure = models.CharField(max_length=8)
    every_weeks = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    reminded_at = models.DateTimeField(null=True, blank=True)  # the last "it's due" notification

    class Meta:
        constraints = [models.UniqueConstraint(fields=["owner", "measure"], name="selfcare_one_schedule_per_measure")]

    def __str__(self) -> str:
        return f"{self.measure} every {self.every_weeks} weeks"


class Goal(models.Model):
    """Something the member wants to work towards, in small steps. The words are encrypted. With
    `remind` on, the task worker sends one gentle reminder a day at `remind_hour` (the site's time),
    never in the member's quiet hours (`JournalSettings`)."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="goals")
    title = EncryptedTextField()
    why = EncryptedTextField(blank=True)
    due_date = models.DateField(null=True, blank=True)
    remind = models.BooleanField(default=False)
    remind_hour = models.PositiveSmallIntegerField(default=19)
    # Bumped whenever the reminder changes: a queued reminder of an older version does nothing.
    remind_version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = [models.F("completed_at").asc(nulls_first=True), "-created_at", "-pk"]

    def __str__(self) -> str:
        return f"goal {self.pk}"


class GoalStep(models.Model):
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="steps")
    text = EncryptedTextField()
    position = models.PositiveSmallIntegerField(default=0)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"step {self.pk} of goal {self.goal_id}"


class GoalDay(models.Model):
    """A day the member said they worked on a goal (for the streak)."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="days")
    day = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["goal", "day"], name="selfcare_one_goal_day")]

    def __str__(self) -> str:
        return f"{self.goal_id} on {self.day}"


class JournalShare(models.Model):
    """One journal entry shared with the listener of one of the member's support chats: a copy of
    its words at that moment (encrypted), readable by that listener while the chat is open and they
    are its listener, until the member stops sharing. Each reading is counted (and audited), and the
    member sees how many times it was read."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    entry = models.ForeignKey(JournalEntry, on_delete=models.SET_NULL, null=True, related_name="shares")
    title = EncryptedTextField(blank=True)
    body = EncryptedTextField()
    conversation_id = models.PositiveBigIntegerField()
    listener = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reads = models.PositiveIntegerField(default=0)
    shared_at = models.DateTimeField(default=timezone.now)
    stopped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["conversation_id", "stopped_at"])]

    def __str__(self) -> str:
        return f"journal share {self.pk}"
