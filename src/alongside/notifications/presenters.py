"""How a notification reads: the sentence is made here when it is shown, in the reader's language,
from what the reader may see now (loaded by selectors.notification_details). A post's author and
words are shown the way communities shows them (communities.presenters), so an anonymous writer is
"Anonymous member" here too and staff carry their badge. An item about something the reader can no
longer read says nothing of it, not even its title."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from alongside.communities import presenters as community_presenters
from alongside.notifications.enums import NotificationKind
from alongside.notifications.models import Notification
from alongside.notifications.selectors import Details

if TYPE_CHECKING:
    from alongside.communities.models import Post

SNIPPET_CHARS = 140


@dataclass(frozen=True, slots=True)
class NotificationView:
    notification: Notification
    text: str
    snippet: str  # the words of the post it is about (the newest new reply), shortened; "" if none
    detail: str  # the snippet as a line to show under the sentence; "" if none
    count: int | None  # for an unread item about new replies: how many it stands for
    actor_label: str  # who wrote that post, as shown to the reader; "" if none

    @property
    def unread(self) -> bool:
        return self.notification.read_at is None


def _view(
    notification: Notification, text: str, *, count: int | None = None, post: Post | None = None
) -> NotificationView:
    who = community_presenters.author_label(post) if post is not None else ""
    snippet = community_presenters.excerpt(post.body_html, SNIPPET_CHARS) if post is not None else ""
    if not snippet:
        detail = ""
    elif notification.kind == NotificationKind.REPLIES:
        detail = _("Newest, from %(who)s: “%(words)s”") % {"who": who, "words": snippet}
    else:
        detail = _("“%(words)s”") % {"words": snippet}
    return NotificationView(notification, text, snippet, detail, count, who)


def present_notification(notification: Notification, details: Details) -> NotificationView:
    if notification.kind == NotificationKind.NOTE:
        return _view(notification, notification.subject)
    if notification.kind == NotificationKind.REPLIES:
        title = details.titles.get(notification.target_id)
        if title is None:
            return _view(notification, _("A conversation you followed is no longer available."))
        found = details.counts.get(notification.target_id) if notification.read_at is None else None
        if found is None:
            return _view(notification, _("Replies in “%(title)s”") % {"title": title})
        count, newest_id = found
        text = ngettext("%(count)d new reply in “%(title)s”", "%(count)d new replies in “%(title)s”", count) % {
            "count": count,
            "title": title,
        }
        return _view(notification, text, count=count, post=details.posts.get(newest_id))
    post = details.posts.get(notification.target_id)
    if post is None:
        return _view(notification, _("A post that mentioned you is no longer available."))
    values = {"who": community_presenters.author_label(post), "title": post.thread.title}
    return _view(notification, _("%(who)s mentioned you in “%(title)s”") % values, post=post)


def present_notifications(notifications: list[Notification], details: Details) -> list[NotificationView]:
    return [present_notification(notification, details) for notification in notifications]
