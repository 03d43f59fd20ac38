"""Sharing one journal entry with a listener (issue 11.1), in the way a safety plan is shared.

Rules in words:
- The member shares one of their entries with the listener of one of their open support chats (a
  listener must be in it). What is shared is a copy of the entry's words at that moment; changing
  or deleting the entry later does not change the copy, and stopping the share removes access.
- The listener reads the copy, never changes it, while the share is active, the chat is open and
  they are still its listener. Each reading is audited and counted, and the member sees the count.
  For anyone else a share does not exist (not-found).
- The member stops sharing at any time, also after the chat ended.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from alongside.chat import selectors as chat_selectors
from alongside.chat.access.conversations import access_conversation
from alongside.core.audit import audit_record
from alongside.core.errors import Invalid, NotFound
from alongside.selfcare.access import access_entry, check_own_journal
from alongside.selfcare.models import JournalShare


@transaction.atomic
def entry_share(*, actor: Any, entry_id: Any, conversation_id: Any) -> JournalShare:
    entry = access_entry(actor, entry_id)
    chat = next(
        (c for c in chat_selectors.open_chats_with_a_listener(actor) if str(c.pk) == str(conversation_id)), None
    )
    if chat is None or chat.listener_id is None:
        raise Invalid({"conversation": [_("Please choose one of your open chats with a listener.")]})
    share = JournalShare.objects.create(
        owner=actor,
        entry=entry,
        title=entry.title,
        body=entry.body,
        conversation_id=chat.pk,
        listener_id=chat.listener_id,
    )
    audit_record(actor=actor, action="selfcare.journal_share.shared", target=share, data={"chat": chat.pk})
    return share


@transaction.atomic
def share_stop(*, actor: Any, share_id: Any) -> JournalShare:
    if not check_own_journal(actor):
        raise NotFound()
    share = (
        JournalShare.objects.filter(pk=share_id, owner=actor, stopped_at=None).first()
        if str(share_id).isdigit()
        else None
    )
    if share is None:
        raise NotFound()
    share.stopped_at = timezone.now()
    share.save(update_fields=["stopped_at"])
    audit_record(actor=actor, action="selfcare.journal_share.stopped", target=share)
    return share


def _readable_by(user: Any, share: JournalShare) -> bool:
    viewer = access_conversation(user, share.conversation_id)
    conversation = viewer.conversation
    return bool(
        not conversation.is_room
        and viewer.is_listener
        and viewer.is_current
        and conversation.status == "active"
        and conversation.listener_id == user.pk == share.listener_id
    )


@transaction.atomic
def shared_entry_read(*, user: Any, share_id: Any) -> JournalShare:
    """The listener reads a shared copy: audited and counted. NotFound for anyone else, and once
    stopped, the chat ended or the listener changed."""
    if not check_own_journal(user) or not str(share_id).isdigit():
        raise NotFound()
    share = JournalShare.objects.select_for_update().filter(pk=int(share_id), stopped_at=None).first()
    if share is None or share.listener_id != user.pk or not _readable_by(user, share):
        raise NotFound()
    JournalShare.objects.filter(pk=share.pk).update(reads=F("reads") + 1)
    audit_record(actor=user, action="selfcare.journal_share.read", target=share)
    return share


def shares_of_entry(*, user: Any, entry_id: Any) -> list[JournalShare]:
    """The shares of one of the person's own entries, newest first, with the listener."""
    entry = access_entry(user, entry_id)
    return list(JournalShare.objects.filter(entry=entry).select_related("listener__profile").order_by("-shared_at"))


def shares_in_chat(*, user: Any, conversation_id: int) -> list[JournalShare]:
    """Entries shared with this person as the listener of this chat (for the chat page)."""
    shares = JournalShare.objects.filter(conversation_id=conversation_id, listener=user, stopped_at=None)
    return [share for share in shares.order_by("-shared_at") if _readable_by(user, share)]
