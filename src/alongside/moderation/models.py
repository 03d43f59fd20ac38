"""Reports of posts and replies, anonymous feedback, community rules, and sanctions with their appeals.
Notes, feedback and appeals are private words and are stored encrypted; the reporter of a report is
never shown to the person reported."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alongside.core.crypto import EncryptedTextField
from alongside.moderation.enums import (
    AppealStatus,
    FeedbackAbout,
    FeedbackStatus,
    ReportReason,
    ReportStatus,
    SanctionEnd,
    SanctionKind,
)


class Report(models.Model):
    # No reporter: filed by one of the community's rules (`rule` names it).
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="reports_filed"
    )
    rule = models.CharField(max_length=200, blank=True)
    post = models.ForeignKey("communities.Post", on_delete=models.CASCADE, related_name="reports")
    community = models.ForeignKey("communities.Community", on_delete=models.CASCADE, related_name="reports")
    reason = models.CharField(max_length=16, choices=ReportReason.choices)
    note = EncryptedTextField(blank=True)
    status = models.CharField(max_length=8, choices=ReportStatus.choices, default=ReportStatus.OPEN)
    outcome_reason = EncryptedTextField(blank=True)  # what the moderator told the reporter
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # A moderator working on it (every open report of the post carries the same claim), and how many
    # times the task worker re-alerted moderators about it.
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    alerts_sent = models.PositiveSmallIntegerField(default=0)
    # What moderators did short of deciding (every open report of the post carries the same): a note
    # for the other moderators, sent up to the site moderators, handed to the safety responders.
    moderator_note = EncryptedTextField(blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    handed_to_responders_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["status", "community", "created_at"]), models.Index(fields=["post", "status"])]
        constraints = [
            # One open report per reporter and post: reporting again adds nothing.
            models.UniqueConstraint(
                fields=["reporter", "post"], condition=models.Q(status="open"), name="one_open_report_per_reporter"
            )
        ]

    def __str__(self) -> str:
        return f"report {self.pk} ({self.status})"

    @property
    def claim_is_fresh(self) -> bool:
        """Someone claimed it less than MODERATION_CLAIM_MINUTES ago."""
        fresh_since = timezone.now() - timedelta(minutes=settings.MODERATION_CLAIM_MINUTES)
        return bool(self.claimed_by_id and self.claimed_at and self.claimed_at > fresh_since)


class MessageReport(models.Model):
    """A member reporting a message in a community's live room, for that community's moderators. The
    words are copied (encrypted) so the moderator reads what was reported even if it changes."""

    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    community = models.ForeignKey("communities.Community", on_delete=models.CASCADE, related_name="+")
    conversation_id = models.PositiveBigIntegerField()
    seq = models.PositiveIntegerField()
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    words = EncryptedTextField()
    reason = models.CharField(max_length=16, choices=ReportReason.choices)
    note = EncryptedTextField(blank=True)
    status = models.CharField(max_length=8, choices=ReportStatus.choices, default=ReportStatus.OPEN)
    outcome_reason = EncryptedTextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["status", "community", "created_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["reporter", "conversation_id", "seq"],
                condition=models.Q(status="open"),
                name="one_open_message_report_per_reporter",
            )
        ]

    def __str__(self) -> str:
        return f"message report {self.pk} ({self.status})"


class Feedback(models.Model):
    """Sent through /feedback/, with or without an account; nothing links it to who sent it."""

    about = models.CharField(max_length=10, choices=FeedbackAbout.choices)
    community = models.ForeignKey(
        "communities.Community", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    link = models.CharField(max_length=300, blank=True)
    message = EncryptedTextField()
    reply_to = EncryptedTextField(blank=True)
    status = models.CharField(max_length=8, choices=FeedbackStatus.choices, default=FeedbackStatus.OPEN)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    closed_note = EncryptedTextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"feedback {self.pk} ({self.status})"


class RuleSet(models.Model):
    """A community's moderation rules in AutoModerator's YAML (moderation.automod), as its hosts wrote
    them, or (no community) the site's rules, written by administrators, which apply in every
    community before its own. Saved only when they parse; applied to new and edited posts while
    `enabled`."""

    community = models.OneToOneField(
        "communities.Community", on_delete=models.CASCADE, null=True, blank=True, related_name="rule_set"
    )
    source = models.TextField(blank=True)
    enabled = models.BooleanField(default=False)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            # One rule set per community, and one for the site (the row with no community).
            models.UniqueConstraint(Coalesce("community", Value(0)), name="moderation_one_rule_set_per_place")
        ]

    def __str__(self) -> str:
        return f"rules of community {self.community_id}" if self.community_id else "the site's rules"


class Sanction(models.Model):
    """What a moderator did about a person: a warning to acknowledge, a mute (reads, writes nothing)
    or a ban in one community, or a suspension from the whole site (`community` empty, administrators
    only). What it does is applied to the membership or the account (moderation.sanctions) and undone
    when it ends: on time (`ends_at`, by the task worker), lifted, or overturned on appeal."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sanctions")
    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, null=True, blank=True, related_name="sanctions"
    )
    kind = models.CharField(max_length=8, choices=SanctionKind.choices)
    reason = EncryptedTextField()  # shown to the person, in the moderator's words
    # The post it was about; from an anonymous post, the writer's name is never shown to moderators
    # (remembered here, so it holds even if the post goes).
    post = models.ForeignKey("communities.Post", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    from_anonymous = models.BooleanField(default=False)
    acted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    ends_at = models.DateTimeField(null=True, blank=True)  # empty: until lifted (never for a mute)
    acknowledged_at = models.DateTimeField(null=True, blank=True)  # warnings
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_how = models.CharField(max_length=8, choices=SanctionEnd.choices, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "ended_at"]), models.Index(fields=["community", "created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} of {self.user_id} in {self.community_id or 'the site'}"

    @property
    def in_force(self) -> bool:
        return self.ended_at is None

    @property
    def writer_named(self) -> bool:
        """Whether moderators may see who this is: not when it came from an anonymous post."""
        return not self.from_anonymous


class Appeal(models.Model):
    """A person asks, once per sanction and in their own words, for it to be looked at again, by a
    different moderator than the one who acted wherever there is one (`reviewer`)."""

    sanction = models.OneToOneField(Sanction, on_delete=models.CASCADE, related_name="appeal")
    text = EncryptedTextField()
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    status = models.CharField(max_length=10, choices=AppealStatus.choices, default=AppealStatus.OPEN)
    response = EncryptedTextField(blank=True)  # what the reviewer told the person
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["reviewer", "status"])]

    def __str__(self) -> str:
        return f"appeal of sanction {self.sanction_id} ({self.status})"


class ModeratorAway(models.Model):
    """A moderator who set themselves away: not re-alerted about waiting items, and given appeals only
    when nobody else can take them. They can still open the queue."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="moderator_away")
    since = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.user_id} away since {self.since:%Y-%m-%d}"


class NewAccountLimits(models.Model):
    """What new accounts may not do yet (moderation.trust), one row, changed by administrators in
    the Django admin."""

    enabled = models.BooleanField(_("limit new accounts"), default=True)
    days = models.PositiveSmallIntegerField(_("new for this many days"), default=3)
    posts = models.PositiveSmallIntegerField(_("and until this many posts stayed up"), default=3)
    links = models.BooleanField(_("new accounts may share links to other sites"), default=False)
    max_mentions = models.PositiveSmallIntegerField(_("people a new account may mention in one post"), default=2)

    class Meta:
        verbose_name = verbose_name_plural = _("new-account limits")

    def __str__(self) -> str:
        return str(_("New-account limits"))
