"""Sharing one journal entry with a listener (issue 11.1): a copy, readable by the chat's listener
while the chat is open and the share stands, each reading audited and counted for the member."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from alongside.accounts.enums import Role
from alongside.chat.access.conversations import access_conversation
from alongside.chat.services import conversations as chat_services
from alongside.chat.tests.conftest import ask, on_duty
from alongside.core.errors import Invalid, NotFound
from alongside.core.models import AuditEntry
from alongside.selfcare import services, sharing
from alongside.selfcare.models import JournalShare
from tests.fixtures import client_for
from tests.personas import make_person

pytestmark = pytest.mark.django_db
WORDS = "I haven't told anyone about the panic attacks at work."


def _chat() -> dict[str, Any]:
    member, listener = make_person("nell_s"), on_duty(make_person("lin_s", Role.LISTENER))
    request = ask(member)
    chat_services.queue_match()
    entry = services.entry_save(actor=member, title="Work", body=WORDS).entry
    return {"member": member, "listener": listener, "conversation_id": request.conversation_id, "entry": entry}


def test_the_listener_reads_a_copy_while_shared_and_each_reading_is_counted():
    chat = _chat()
    member, listener = chat["member"], chat["listener"]
    response = client_for(member).post(
        reverse("selfcare:entry_share", args=[chat["entry"].pk]), {"conversation": chat["conversation_id"]}
    )
    assert response.status_code == 302
    share = JournalShare.objects.get()
    chat_page = client_for(listener).get(reverse("chat:conversation", args=[chat["conversation_id"]])).content.decode()
    assert reverse("selfcare:shared_entry", args=[share.pk]) in chat_page
    read = client_for(listener).get(reverse("selfcare:shared_entry", args=[share.pk]))
    assert read.status_code == 200
    assert "panic attacks" in read.content.decode()
    assert AuditEntry.objects.filter(action="selfcare.journal_share.read").count() == 1
    services.entry_save(actor=member, entry_id=chat["entry"].pk, body="Changed my mind about the words.")
    again = client_for(listener).get(reverse("selfcare:shared_entry", args=[share.pk])).content.decode()
    assert "panic attacks" in again  # a copy: what was shared, not what the entry says now
    entry_page = client_for(member).get(reverse("selfcare:entry", args=[chat["entry"].pk])).content.decode()
    assert "read 2 times" in entry_page

    stranger = make_person("sid_s")
    assert client_for(stranger).get(reverse("selfcare:shared_entry", args=[share.pk])).status_code == 404
    client_for(member).post(reverse("selfcare:share_stop", args=[share.pk]))
    assert client_for(listener).get(reverse("selfcare:shared_entry", args=[share.pk])).status_code == 404


def test_no_reading_once_the_chat_ends_and_only_in_one_s_own_open_chats():
    chat = _chat()
    share = sharing.entry_share(
        actor=chat["member"], entry_id=chat["entry"].pk, conversation_id=chat["conversation_id"]
    )
    chat_services.conversation_end(
        actor=chat["member"], viewer=access_conversation(chat["member"], chat["conversation_id"])
    )
    assert client_for(chat["listener"]).get(reverse("selfcare:shared_entry", args=[share.pk])).status_code == 404
    with pytest.raises(Invalid):  # ended: not a chat to share in any more
        sharing.entry_share(actor=chat["member"], entry_id=chat["entry"].pk, conversation_id=chat["conversation_id"])
    other = make_person("oda_s")
    with pytest.raises(NotFound):  # someone else's entry
        sharing.entry_share(actor=other, entry_id=chat["entry"].pk, conversation_id=chat["conversation_id"])


def test_deleting_the_entry_or_erasing_the_journal_takes_the_shared_copy_with_it():
    from alongside.selfcare import export

    chat = _chat()
    member, conversation_id = chat["member"], chat["conversation_id"]
    share = sharing.entry_share(actor=member, entry_id=chat["entry"].pk, conversation_id=conversation_id)
    services.entry_delete(actor=member, entry_id=chat["entry"].pk)
    assert not JournalShare.objects.exists()
    assert client_for(chat["listener"]).get(reverse("selfcare:shared_entry", args=[share.pk])).status_code == 404
    second = services.entry_save(actor=member, body="Another one").entry
    sharing.entry_share(actor=member, entry_id=second.pk, conversation_id=conversation_id)
    export.erase_all(actor=member)
    assert not JournalShare.objects.exists()
