"""The responders' queue: risk events, most severe and oldest first, and the actions on one.

Every page and action is for on-duty responders alone; everyone else gets not-found (`access.risk`).
A staff member's session reaches these views only after its two-factor step (accounts middleware).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from alongside.core.audit import audit_record
from alongside.core.errors import NotFound, errors_as_messages
from alongside.core.forms import PlainErrors
from alongside.safety import selectors
from alongside.safety.access.risk import access_risk_event, check_responder
from alongside.safety.services import risk as services

if TYPE_CHECKING:
    from alongside.accounts.models import User


class NoteForm(PlainErrors, forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Note for the other responders"),
        max_length=services.NOTE_MAX_CHARS,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def _me(request: HttpRequest) -> User:
    return cast("User", request.user)


def _event_url(event_id: int) -> str:
    return reverse("responders:event", args=[event_id])


@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    if not check_responder(request.user):
        raise NotFound()
    closed = request.GET.get("show") == "closed"
    events = selectors.risk_queue(viewer=request.user, closed=closed)
    return render(request, "safety/responders/queue.html", {"events": events, "closed": closed})


@require_GET
def event(request: HttpRequest, event_id: int) -> HttpResponse:
    risk_event = access_risk_event(request.user, event_id)
    # Reading the words someone wrote in a hard moment is audited, like every look at private content.
    audit_record(actor=request.user, action="safety.risk.viewed", target=risk_event)
    context = {
        "event": risk_event,
        "history": selectors.risk_history(risk_event),
        "actions": selectors.risk_actions(risk_event),
        "reporter": selectors.reporter_record(risk_event),
        "form": NoteForm(),
    }
    return render(request, "safety/responders/event.html", context)


@require_POST
def acknowledge(request: HttpRequest, event_id: int) -> HttpResponse:
    risk_event = access_risk_event(request.user, event_id)
    with errors_as_messages(request):
        services.risk_acknowledge(actor=_me(request), event=risk_event)
        messages.success(request, _("You've picked this up. The others can see you're on it."))
    return redirect(_event_url(risk_event.pk))


@require_POST
def reach_out(request: HttpRequest, event_id: int) -> HttpResponse:
    risk_event = access_risk_event(request.user, event_id)
    conversation_id = services.risk_reach_out(actor=_me(request), event=risk_event)
    return redirect(reverse("chat:conversation", args=[conversation_id]))


@require_POST
def join_chat(request: HttpRequest, event_id: int) -> HttpResponse:
    risk_event = access_risk_event(request.user, event_id)
    conversation_id = services.risk_join_chat(actor=_me(request), event=risk_event)
    return redirect(reverse("chat:conversation", args=[conversation_id]))


@require_POST
def escalate(request: HttpRequest, event_id: int) -> HttpResponse:
    risk_event = access_risk_event(request.user, event_id)
    with errors_as_messages(request):
        services.risk_escalate(actor=_me(request), event=risk_event, note=request.POST.get("note", ""))
        messages.success(request, _("Escalated: it is back at the top of every responder's queue."))
    return redirect(_event_url(risk_event.pk))


@require_POST
def close(request: HttpRequest, event_id: int) -> HttpResponse:
    risk_event = access_risk_event(request.user, event_id)
    false_alarm = request.POST.get("verdict") == "false_alarm"
    with errors_as_messages(request):
        services.risk_close(
            actor=_me(request), event=risk_event, note=request.POST.get("note", ""), false_alarm=false_alarm
        )
        messages.success(request, _("Marked as a false alarm.") if false_alarm else _("Marked handled. Thank you."))
        return redirect(reverse("responders:queue"))
    return redirect(_event_url(risk_event.pk))
