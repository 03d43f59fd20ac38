"""A community's live room: the chat page for many, its opening and closing, and moderation."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from alongside.chat import selectors
from alongside.chat.access.conversations import (
    access_conversation,
    access_room,
    check_room_moderate_permission,
    check_room_toggle_permission,
)
from alongside.chat.forms import MessageForm
from alongside.chat.services import rooms as services
from alongside.chat.services.rooms import MUTE_MINUTES
from alongside.chat.views.conversations import conversation_context, me
from alongside.core.errors import NotFound, errors_into, require
from alongside.core.forms import PlainErrors


class RemoveForm(PlainErrors, forms.Form):
    reason = forms.CharField(label=gettext_lazy("Why is it removed? (for the moderation log)"), max_length=1000)


class MuteForm(PlainErrors, forms.Form):
    minutes = forms.TypedChoiceField(
        label=gettext_lazy("Pause them for"),
        coerce=int,
        choices=[(10, gettext_lazy("10 minutes")), (60, gettext_lazy("an hour")), (60 * 24, gettext_lazy("a day"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=gettext_lazy("Why? (for the moderation log)"), max_length=1000)


def _room_url(slug: str) -> str:
    return reverse("chat:room", args=[slug])


@login_required
@require_GET
def room(request: HttpRequest, slug: str) -> HttpResponse:
    community_viewer, conversation = access_room(request.user, slug)
    context = {
        "community": community_viewer.community,
        "may_toggle": check_room_toggle_permission(community_viewer),
        "room_slug": slug,
    }
    if conversation is None or conversation.ended:
        return render(request, "chat/room.html", {**context, "closed": True})
    viewer = services.room_enter(viewer=access_conversation(request.user, conversation.pk))
    context.update(conversation_context(request, viewer, MessageForm()))
    context["moderates"] = check_room_moderate_permission(viewer)
    return render(request, "chat/room.html", context)


@login_required
@require_POST
def room_toggle(request: HttpRequest, slug: str) -> HttpResponse:
    community_viewer, _room = access_room(request.user, slug)
    on = request.POST.get("open") == "1"
    services.room_open_set(actor=me(request), community_viewer=community_viewer, on=on)
    messages.success(
        request, _("The live room is open.") if on else _("The live room is closed. What was said is kept.")
    )
    return redirect(_room_url(slug))


@login_required
@require_http_methods(["GET", "POST"])
def room_moderate(request: HttpRequest, slug: str, seq: int) -> HttpResponse:
    _community_viewer, conversation = access_room(request.user, slug)
    if conversation is None:
        raise NotFound()
    viewer = access_conversation(request.user, conversation.pk)
    require(check_room_moderate_permission(viewer))
    message = selectors.room_message(viewer, seq=seq)
    action = request.POST.get("action")
    remove_form = RemoveForm(request.POST if action == "remove" else None, prefix="remove")
    mute_form = MuteForm(request.POST if action == "mute" else None, prefix="mute")
    if action == "remove" and remove_form.is_valid():
        with errors_into(remove_form):
            services.room_message_remove(
                actor=me(request), viewer=viewer, seq=seq, reason=remove_form.cleaned_data["reason"]
            )
            messages.success(request, _("The message is removed."))
            return redirect(_room_url(slug))
    if action == "mute" and mute_form.is_valid() and message.sender is not None:
        with errors_into(mute_form):
            services.room_mute(
                actor=me(request),
                viewer=viewer,
                user=message.sender,
                minutes=mute_form.cleaned_data["minutes"],
                reason=mute_form.cleaned_data["reason"],
            )
            messages.success(request, _("They are paused in the room for now."))
            return redirect(_room_url(slug))
    context = {
        "community": conversation.community,
        "message": message,
        "sender": selectors.room_sender_name(message),
        "remove_form": remove_form,
        "mute_form": mute_form,
        "mute_choices": MUTE_MINUTES,
    }
    return render(request, "chat/room_moderate.html", context)
