""" "I'm worried about this person", on a post, a reply or in a chat: it goes to the responders, never
to the person, and the person never learns who was worried."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from alongside.chat.access.conversations import access_conversation
from alongside.chat.selectors import worry_subject
from alongside.communities.selectors import post_for_worry
from alongside.communities.services import post_url
from alongside.core.errors import NotFound, RateLimited, errors_into
from alongside.core.forms import PlainErrors
from alongside.safety.services import risk as services


class WorryForm(PlainErrors, forms.Form):
    note = forms.CharField(
        label=_("What worries you? (optional)"),
        help_text=_("Only our responders read this. The person is never told who shared a worry."),
        max_length=services.NOTE_MAX_CHARS,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


def _about(request: HttpRequest) -> dict[str, Any]:
    """What the worry is about: a post the person may read, or a chat they are in."""
    source = request.GET.get("post") or request.POST.get("post")
    if source:
        post, writer_id = post_for_worry(user=request.user, post_id=source)
        subject = get_user_model().objects.filter(pk=writer_id, is_active=True).first() if writer_id else None
        if subject is None:
            raise NotFound()
        return {
            "kind": "post",
            "id": post.pk,
            "subject": subject,
            "source": "reply" if not post.is_opening else "thread",
            "content": post.body,
            "link": post_url(post),
            "target": post,
            "conversation_id": None,
        }
    chat = request.GET.get("chat") or request.POST.get("chat")
    if chat:
        viewer = access_conversation(request.user, chat)
        subject, words = worry_subject(viewer)
        return {
            "kind": "chat",
            "id": viewer.conversation.pk,
            "subject": subject,
            "source": "chat",
            "content": words,
            "link": reverse("chat:conversation", args=[viewer.conversation.pk]),
            "target": None,
            "conversation_id": viewer.conversation.pk,
        }
    raise NotFound()


@login_required
@require_http_methods(["GET", "POST"])
def worried(request: HttpRequest) -> HttpResponse:
    about = _about(request)
    form = WorryForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        with errors_into(form):
            try:
                services.worry_report(
                    actor=request.user,
                    subject=about["subject"],
                    source=about["source"],
                    content=about["content"],
                    link=about["link"],
                    note=form.cleaned_data["note"],
                    target=about["target"],
                    conversation_id=about["conversation_id"],
                )
            except RateLimited as limited:
                form.add_error(None, str(limited.message))
                status = 429
            else:
                return render(request, "safety/worried_done.html", {"about": about})
    return render(request, "safety/worried.html", {"form": form, "about": about}, status=status)
