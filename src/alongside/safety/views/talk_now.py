""" "Talk to a listener now" from the support panel: a chat request at the front of the listener
queue (or the member's open chat, moved to the front if it is still waiting), straight into it."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import get_language
from django.views.decorators.http import require_POST

from alongside.chat.services import conversations as chat_services


@login_required
@require_POST
def talk_now(request: HttpRequest) -> HttpResponse:
    language = (get_language() or "en").split("-")[0]
    conversation = chat_services.support_request_now(actor=request.user, language=language)  # type: ignore[arg-type]
    return redirect("chat:conversation", conversation_id=conversation.pk)
