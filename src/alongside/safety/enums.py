"""The safety app's public vocabulary: risk levels and the contexts text is assessed in. Other apps may import these."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RiskLevel(models.TextChoices):
    """How worried a responder should be, lowest first. `rank` orders them."""

    NONE = "none", _("No sign of risk")
    CONCERN = "concern", _("Worth a look")
    HIGH = "high", _("High")
    CRISIS = "crisis", _("Crisis")

    @property
    def rank(self) -> int:
        return _RANK[self.value]

    @property
    def shows_support(self) -> bool:
        """At `high` and `crisis` the writer sees the support panel and a risk event is raised."""
        return self.rank >= _RANK["high"]


_RANK = {"none": 0, "concern": 1, "high": 2, "crisis": 3}


class AssessContext(models.TextChoices):
    """Where the text was written and by whom: a listener's words to a member in a chat, or a reply
    to someone else's post, are read as support for another person, not as the writer's own crisis."""

    POST = "post", _("A new thread")
    REPLY = "reply", _("A reply to someone")
    CHAT = "chat", _("A member in a chat")
    LISTENER_CHAT = "listener_chat", _("A listener in a chat")
    JOURNAL = "journal", _("A journal entry")
    TRIAGE = "triage", _("The triage guide")
