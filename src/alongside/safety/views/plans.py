"""Safety plan pages: the plan, building it, a printable copy, deleting it, sharing it in a support
chat (and stopping), and the listener's read-only view of a plan shared with them. Thin: access and
services hold the rules. Every page works without JavaScript."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from alongside.core.errors import errors_as_messages, errors_into
from alongside.safety import selectors
from alongside.safety.access.plans import access_chat, access_shared_plan
from alongside.safety.models import PLAN_SECTIONS
from alongside.safety.services import plans as services

if TYPE_CHECKING:
    from alongside.accounts.models import User

ONE_PER_LINE = gettext_lazy("One thing per line.")


def me(request: HttpRequest) -> User:
    return cast("User", request.user)


class SafetyPlanForm(forms.Form):
    """A text box per section, one item per line (the service cleans and checks them)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, heading, prompt in PLAN_SECTIONS:
            self.fields[key] = forms.CharField(
                label=heading,
                help_text=f"{prompt} {ONE_PER_LINE}",
                required=False,
                max_length=services.MAX_ITEMS * (services.MAX_ITEM_CHARS + 2),
                strip=False,
                widget=forms.Textarea(attrs={"rows": 4}),
            )


def _chat_url(conversation_id: int) -> str:
    return reverse("chat:conversation", args=[conversation_id])


@never_cache
@require_GET
def plan_page(request: HttpRequest) -> HttpResponse:
    """The person's plan; signed out or before making one, what a plan is and how to start."""
    plan = selectors.safety_plan_of(owner=request.user)
    return render(
        request,
        "safety/plan.html",
        {"plan": plan, "sections": selectors.safety_plan_sections(plan) if plan is not None else []},
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest) -> HttpResponse:
    plan = selectors.safety_plan_of(owner=request.user)
    initial = {section.key: section.text for section in selectors.safety_plan_sections(plan)}
    form = SafetyPlanForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        with errors_into(form):
            services.safety_plan_save(actor=me(request), sections=form.cleaned_data)
            messages.success(request, _("Your safety plan is saved. It's here whenever you need it."))
            return redirect("safety:plan")
    return render(request, "safety/plan_edit.html", {"form": form, "plan": plan})


@never_cache
@require_GET
def plan_print(request: HttpRequest) -> HttpResponse:
    """A copy to print: the plan, or a blank one to fill in by hand (also for people signed out)."""
    plan = selectors.safety_plan_of(owner=request.user)
    return render(
        request,
        "safety/plan_print.html",
        {"plan": plan, "sections": selectors.safety_plan_sections(plan), "blank_lines": range(3)},
    )


@login_required
@require_POST
def plan_delete(request: HttpRequest) -> HttpResponse:
    if services.safety_plan_delete(actor=me(request)):
        messages.success(request, _("Your safety plan is deleted. You can make a new one at any time."))
    return redirect("safety:plan")


@login_required
@require_POST
def plan_share(request: HttpRequest, conversation_id: int) -> HttpResponse:
    viewer = access_chat(request.user, conversation_id)
    with errors_as_messages(request):
        services.safety_plan_share_start(actor=me(request), viewer=viewer)
        messages.success(request, _("Your listener can now read your safety plan. You can stop sharing at any time."))
    return redirect(_chat_url(viewer.conversation.pk))


@login_required
@require_POST
def plan_share_stop(request: HttpRequest, conversation_id: int) -> HttpResponse:
    viewer = access_chat(request.user, conversation_id)
    if services.safety_plan_share_stop(actor=me(request), viewer=viewer):
        messages.success(request, _("You've stopped sharing your safety plan. Your listener can no longer see it."))
    return redirect(_chat_url(viewer.conversation.pk))


@never_cache
@login_required
@require_GET
def plan_shared(request: HttpRequest, share_id: int) -> HttpResponse:
    """The listener's read-only view of a plan shared in their chat; every opening is audited."""
    share, plan = access_shared_plan(request.user, share_id)
    services.safety_plan_view_record(actor=me(request), share=share)
    return render(
        request,
        "safety/plan_shared.html",
        {
            "plan": plan,
            "sections": selectors.safety_plan_sections(plan),
            "chat_url": _chat_url(share.conversation_id),
        },
    )
