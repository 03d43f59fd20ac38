"""The communities app's public vocabulary: visibility, roles, statuses, warnings, reactions.
Other apps may import these."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Visibility(models.TextChoices):
    # What "open" means for visitors who are not logged in follows a setting: presenters word it.
    PUBLIC = "public", _("Open: anyone with an account can read and join")
    PRIVATE = "private", _("Private: members only; joining needs approval")
    HIDDEN = "hidden", _("Hidden: by invitation only, not listed")


class ContentWarning(models.TextChoices):
    SELF_HARM = "self_harm", _("Self-harm")
    SUICIDE = "suicide", _("Suicide")
    SUBSTANCE_USE = "substance_use", _("Substance use")
    ABUSE = "abuse", _("Abuse")
    EATING_DISORDERS = "eating_disorders", _("Eating disorders")
    VIOLENCE = "violence", _("Violence")
    GRIEF = "grief", _("Grief and loss")


class ReactionKind(models.TextChoices):
    RELATE = "relate", _("I relate")
    SUPPORT = "support", _("Sending support")
    HELPED = "helped", _("This helped")


class MemberRole(models.TextChoices):
    MEMBER = "member", _("Member")
    MODERATOR = "moderator", _("Moderator")
    HOST = "host", _("Host")


class MembershipStatus(models.TextChoices):
    ACTIVE = "active", _("Member")
    PENDING = "pending", _("Asked to join")
    INVITED = "invited", _("Invited")
    BANNED = "banned", _("Banned")


class PostStatus(models.TextChoices):
    VISIBLE = "visible", _("Visible")
    HELD = "held", _("Awaiting review")
    REMOVED = "removed", _("Removed")


class FollowLevel(models.TextChoices):
    """What a person hears about one thread. Without a choice of their own (""), they hear only
    personal mentions; writing a thread or a reply makes it "following" unless they chose otherwise."""

    UNSET = "", _("Not chosen")
    FOLLOWING = "following", _("Following")
    NOT_FOLLOWING = "not_following", _("Not following")
    MUTED = "muted", _("Muted")
