"""How a notification reads: the sentence is made here when it is shown, in the reader's language."""

from __future__ import annotations

from django.utils.translation import gettext as _

from alongside.notifications.enums import NotificationKind
from alongside.notifications.models import Notification


def notification_text(notification: Notification) -> str:
    values = {"who": notification.actor_label, "title": notification.subject}
    if notification.kind == NotificationKind.MENTION:
        return _("%(who)s mentioned you in “%(title)s”") % values
    return _("%(who)s replied to “%(title)s”") % values
