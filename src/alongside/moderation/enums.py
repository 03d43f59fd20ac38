"""The moderation app's public vocabulary. Other apps may import these."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportReason(models.TextChoices):
    HARASSMENT = "harassment", _("Harassment or bullying")
    HATE = "hate", _("Hate towards a group of people")
    SPAM = "spam", _("Spam or advertising")
    PERSONAL_DETAILS = "personal", _("Sharing someone's personal details")
    OFF_PLATFORM = "off_platform", _("Pressure to talk somewhere else, off Alongside")
    HARMFUL_ADVICE = "harmful_advice", _("Health advice that could hurt someone")
    CRISIS = "crisis", _("Someone may be in danger or thinking of ending their life")
    OTHER = "other", _("Something else")


class ReportStatus(models.TextChoices):
    OPEN = "open", _("Waiting for a moderator")
    REMOVED = "removed", _("Removed")
    KEPT = "kept", _("Looked at and left up")


class FeedbackAbout(models.TextChoices):
    COMMUNITY = "community", _("A community")
    PERSON = "person", _("A person")
    MODERATOR = "moderator", _("A moderator")
    SERVICE = "service", _("Alongside itself")


class FeedbackStatus(models.TextChoices):
    OPEN = "open", _("Waiting")
    CLOSED = "closed", _("Dealt with")


# The screening check that applies a community's rules (moderation.rules): communities reads its
# reason after saving a post to do what the rules asked.
RULES_CHECK = "rules"
# What a rule's {{permalink}} reads until the post is saved and has an address.
PERMALINK_LATER = "{{permalink}}"


class SanctionKind(models.TextChoices):
    WARN = "warn", _("Warning")
    MUTE = "mute", _("Mute")
    BAN = "ban", _("Ban from the community")
    SUSPEND = "suspend", _("Suspension from the site")


class SanctionEnd(models.TextChoices):
    READ = "read", _("You read it")
    EXPIRED = "expired", _("It ended on time")
    LIFTED = "lifted", _("A moderator lifted it")
    APPEAL = "appeal", _("Lifted after your appeal")


class AppealStatus(models.TextChoices):
    OPEN = "open", _("Waiting for a moderator")
    UPHELD = "upheld", _("Looked at again and kept")
    OVERTURNED = "overturned", _("Looked at again and lifted")
