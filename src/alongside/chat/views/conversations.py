"""Chat pages: asking for a listener, the conversation, the listener's desk, queue health.

The conversation page works without JavaScript (it shows the history; a message is a form post and
the page comes back), live with it (WebSocket), and over plain HTTP when WebSockets are blocked
(`send` answers JSON, `poll` long-polls): the same sequence numbers everywhere."""

from __future__ import annotations

import asyncio
import contextlib
import math
from typing import TYPE_CHECKING, Any, cast

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from alongside.accounts.enums import Role
from alongside.chat import live, selectors
from alongside.chat.access.conversations import (
    ChatViewer,
    access_conversation,
    approved_listener,
    check_block_or_report_permission,
    check_end_permission,
    check_listener_action_permission,
    check_rate_permission,
    check_request_support_permission,
    check_send_permission,
)
from alongside.chat.consumers import HELD_DETAIL
from alongside.chat.forms import MessageForm, NoteForm, RatingForm, ReportForm, SupportRequestForm
from alongside.chat.frames import refusal
from alongside.chat.services import conversations as services
from alongside.core.errors import (
    DomainError,
    Invalid,
    NotAllowed,
    add_to_form,
    errors_as_messages,
    errors_into,
    require,
)
from alongside.safety.services.support import remember_support

if TYPE_CHECKING:
    from alongside.accounts.models import User


def me(request: HttpRequest) -> User:
    return cast("User", request.user)


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _chat_url(conversation_id: int) -> str:
    return reverse("chat:conversation", args=[conversation_id])


@login_required
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest) -> HttpResponse:
    """ "Talk to someone": ask for a listener, or go back to the chat already waiting or open."""
    user = me(request)
    form = SupportRequestForm(
        request.POST or None,
        previous_listeners=selectors.listeners_talked_with(user),
        initial={"language": (getattr(getattr(user, "profile", None), "languages", None) or ["en"])[0]},
    )
    if request.method == "POST" and form.is_valid():
        with errors_into(form):
            request_ = services.support_request(
                actor=user,
                language=form.cleaned_data["language"],
                topic=form.cleaned_data["topic"],
                first_message=form.cleaned_data["first_message"],
                preferred_listener=form.previous.get(form.cleaned_data.get("listener")),
            )
            return redirect(_chat_url(request_.conversation_id))
    context = {
        "form": form,
        "may_request": check_request_support_permission(user),
        "chats": selectors.conversations_of(user),
    }
    return render(request, "chat/start.html", context)


@login_required
@require_GET
def conversation(request: HttpRequest, conversation_id: int) -> HttpResponse:
    viewer = access_conversation(request.user, conversation_id)
    return render(request, "chat/conversation.html", conversation_context(request, viewer, MessageForm()))


def conversation_context(request: HttpRequest, viewer: ChatViewer, form: MessageForm) -> dict[str, Any]:
    state = selectors.conversation_state(viewer)
    history = selectors.messages_after(viewer, after=max(0, state["last_seq"] - selectors.HISTORY_PAGE))
    return {
        "last_seq": history[-1]["seq"] if history else 0,
        "wait_minutes": math.ceil(state.get("estimated_wait_seconds", 0) / 60),
        "viewer": viewer,
        "conversation": viewer.conversation,
        "history": history,
        "held": selectors.held_messages_of(viewer),
        "state": state,
        "other": selectors.other_side(viewer),
        "form": form,
        "send_refused": check_send_permission(viewer),
        "may_end": check_end_permission(viewer),
        "may_rate": check_rate_permission(viewer),
        "rating_form": RatingForm(),
        "may_block": check_block_or_report_permission(viewer),
        "listener_tools": check_listener_action_permission(viewer),
        "note_form": NoteForm(),
        "long_poll_seconds": settings.CHAT_LONG_POLL_SECONDS,
    }


@login_required
@require_POST
def send(request: HttpRequest, conversation_id: int) -> HttpResponse:
    """Send one message: a form post (the page comes back) or, for the HTTP fallback, JSON."""
    viewer = access_conversation(request.user, conversation_id)
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            result = services.message_send(
                actor=me(request),
                viewer=viewer,
                body=form.cleaned_data["body"],
                client_id=form.cleaned_data["client_id"],
            )
        except ValidationError as exc:
            add_to_form(form, exc)
        except DomainError as exc:
            if _wants_json(request):
                return _json_error(exc)
            raise
        else:
            if _wants_json(request):
                answer: dict[str, Any] = (
                    {"type": "held", "client_id": result.message.client_id, "detail": HELD_DETAIL}
                    if result.held
                    else {"type": "ack", "client_id": result.message.client_id, "seq": result.message.seq}
                )
                return JsonResponse({**answer, "support": result.support})
            if result.support:
                remember_support(request)
            if result.held:
                messages.info(request, HELD_DETAIL)
            return redirect(_chat_url(viewer.conversation.pk) + "#latest")
    if _wants_json(request):
        return _json_error(ValidationError({name: list(problems) for name, problems in form.errors.items()}))
    return render(request, "chat/conversation.html", conversation_context(request, viewer, form), status=422)


def _json_error(exc: Exception) -> JsonResponse:
    status = exc.status if isinstance(exc, DomainError) else Invalid.status
    return JsonResponse(refusal(exc), status=status)


async def poll(request: HttpRequest, conversation_id: int) -> HttpResponse:
    """Long-poll (the fallback when WebSockets are blocked): messages after `after`, waiting up to
    CHAT_LONG_POLL_SECONDS for one to arrive, plus the conversation's state. Served by the ASGI
    handler (asgi.py), so a waiting poll holds no thread."""
    user = await request.auser()
    try:
        viewer = await database_sync_to_async(access_conversation)(user, conversation_id)
    except DomainError as exc:
        return _json_error(exc)
    raw = request.GET.get("after", "0")
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        return JsonResponse(
            {"detail": _("“after” is the last sequence number you saw (0 for none)."), "code": "invalid"}, status=422
        )
    after = int(raw)
    read = database_sync_to_async(selectors.messages_after)
    frames = await read(viewer, after=after)
    layer = get_channel_layer()
    if not frames and layer is not None:
        channel = await layer.new_channel()
        group = live.conversation_group(viewer.conversation.pk)
        await layer.group_add(group, channel)
        try:
            frames = await read(viewer, after=after)  # again, now that a push cannot be missed
            if not frames:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(layer.receive(channel), timeout=settings.CHAT_LONG_POLL_SECONDS)
                frames = await read(viewer, after=after)
        finally:
            await layer.group_discard(group, channel)
    state = await database_sync_to_async(selectors.conversation_state)(viewer)
    return JsonResponse({"messages": frames, "state": state})


@login_required
@require_POST
def read(request: HttpRequest, conversation_id: int) -> HttpResponse:
    viewer = access_conversation(request.user, conversation_id)
    raw = request.POST.get("seq", "")
    try:
        seq = services.conversation_read(viewer=viewer, seq=int(raw) if raw.isascii() and raw.isdigit() else raw)
    except ValidationError as exc:
        return _json_error(exc)
    return JsonResponse({"seq": seq})


@login_required
@require_POST
def end(request: HttpRequest, conversation_id: int) -> HttpResponse:
    viewer = access_conversation(request.user, conversation_id)
    services.conversation_end(actor=me(request), viewer=viewer)
    messages.success(request, _("The chat has ended. Thank you for reaching out."))
    return redirect(_chat_url(viewer.conversation.pk))


@login_required
@require_POST
def rate(request: HttpRequest, conversation_id: int) -> HttpResponse:
    viewer = access_conversation(request.user, conversation_id)
    form = RatingForm(request.POST)
    if form.is_valid():
        with errors_into(form):
            services.conversation_rate(
                actor=me(request),
                viewer=viewer,
                stars=form.cleaned_data["stars"],
                feedback=form.cleaned_data["feedback"],
            )
            messages.success(request, _("Thank you. Your feedback helps listeners learn."))
            return redirect(_chat_url(viewer.conversation.pk))
    context = {**conversation_context(request, viewer, MessageForm()), "rating_form": form}
    return render(request, "chat/conversation.html", context, status=422)


@login_required
@require_POST
def block(request: HttpRequest, conversation_id: int) -> HttpResponse:
    viewer = access_conversation(request.user, conversation_id)
    services.person_block(actor=me(request), viewer=viewer)
    messages.success(request, _("Blocked. You won't hear from them again, and they won't be matched with you."))
    return redirect(_chat_url(viewer.conversation.pk))


@login_required
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, conversation_id: int) -> HttpResponse:
    viewer = access_conversation(request.user, conversation_id)
    require(check_block_or_report_permission(viewer))
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with errors_into(form):
            services.person_report(actor=me(request), viewer=viewer, reason=form.cleaned_data["reason"])
            messages.success(request, _("Thank you for telling us. An administrator will look at it."))
            return redirect(_chat_url(viewer.conversation.pk))
    return render(request, "chat/report.html", {"form": form, "conversation": viewer.conversation})


@login_required
@require_POST
def hand_over(request: HttpRequest, conversation_id: int) -> HttpResponse:
    viewer = access_conversation(request.user, conversation_id)
    with errors_as_messages(request):
        services.conversation_hand_over(actor=me(request), viewer=viewer, note=request.POST.get("note", ""))
        messages.success(request, _("We're finding another listener. Please stay until they join."))
    return redirect(_chat_url(viewer.conversation.pk))


@login_required
@require_POST
def escalate(request: HttpRequest, conversation_id: int) -> HttpResponse:
    viewer = access_conversation(request.user, conversation_id)
    with errors_as_messages(request):
        services.conversation_escalate(actor=me(request), viewer=viewer, note=request.POST.get("note", ""))
        messages.success(request, _("Responders have been asked to help. Please stay with them in the chat."))
    return redirect(_chat_url(viewer.conversation.pk))


# --- Listeners ------------------------------------------------------------------------------


@login_required
@require_GET
def desk(request: HttpRequest) -> HttpResponse:
    profile = approved_listener(request.user)
    require(profile is not None, _("The listener desk is for approved listeners."))
    assert profile is not None
    context = {
        "profile": profile,
        "queue": selectors.queue_for_listener(profile),
        "chats": selectors.open_chats_of_listener(request.user),
        "ratings": selectors.rating_summary(request.user),
    }
    return render(request, "chat/desk.html", context)


@login_required
@require_POST
def desk_online(request: HttpRequest) -> HttpResponse:
    online = request.POST.get("online") == "on"
    services.listener_online_set(actor=me(request), online=online)
    messages.success(
        request,
        _("You're online. New chats will come to you.") if online else _("You're offline. Thank you for listening."),
    )
    return redirect("chat:desk")


@login_required
@require_POST
def pick(request: HttpRequest, request_id: int) -> HttpResponse:
    picked = services.request_pick(actor=me(request), request_id=request_id)
    return redirect(_chat_url(picked.conversation_id))


@login_required
@require_GET
def health(request: HttpRequest) -> HttpResponse:
    if getattr(request.user, "role", None) != Role.ADMIN:
        raise NotAllowed(_("Queue health is for administrators."))
    return render(request, "chat/health.html", {"health": selectors.queue_health()})
