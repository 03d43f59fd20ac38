"""Moderation pages: one page that lists what is waiting, and one address per action (approve or
reject a held post, let someone in or decline, invite, ban, appoint), plus locking and pinning."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from alongside.communities import access, selectors, services
from alongside.communities.access import CommunityViewer
from alongside.communities.forms import BanForm, InviteForm, ReviewForm, RoleForm, ThreadFlagForm
from alongside.communities.models import MemberRole, Membership
from alongside.communities.presenters import thread_url
from alongside.communities.views.common import me, membership_context
from alongside.core.errors import NotFound, errors_as_messages, errors_into, require
from alongside.moderation import sanctions
from alongside.moderation.enums import SanctionKind


def _here(viewer: CommunityViewer) -> str:
    return reverse("communities:moderate", args=[viewer.community.slug])


def _page(request: HttpRequest, viewer: CommunityViewer, **forms: Form) -> HttpResponse:
    context: dict[str, Any] = {
        **membership_context(viewer),
        "held": selectors.held_posts(viewer=viewer),
        "pending": selectors.pending_memberships(viewer=viewer),
        "invite_form": forms.get("invite_form") or InviteForm(),
        "ban_form": forms.get("ban_form") or BanForm(),
        "role_form": forms.get("role_form") or RoleForm(),
    }
    return render(request, "communities/moderate.html", context)


@login_required
@require_GET
def moderate(request: HttpRequest, slug: str) -> HttpResponse:
    return _page(request, access.access_moderated_community(request.user, slug))


def _review(request: HttpRequest, slug: str, post_id: int, *, approve: bool) -> HttpResponse:
    viewer = access.access_moderated_community(request.user, slug)
    held = selectors.held_posts(viewer=viewer).filter(pk=post_id).first()
    if held is None:
        raise NotFound
    form = ReviewForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    with errors_as_messages(request):
        services.post_review(actor=me(request), post=held, approve=approve, reason=reason)
        messages.success(request, _("The post is now visible.") if approve else _("The post was removed."))
    if request.POST.get("back") == "queue":  # decided from the moderation app's review queue
        return redirect("moderation:queue")
    return redirect(_here(viewer))


@login_required
@require_POST
def post_approve(request: HttpRequest, slug: str, post_id: int) -> HttpResponse:
    return _review(request, slug, post_id, approve=True)


@login_required
@require_POST
def post_reject(request: HttpRequest, slug: str, post_id: int) -> HttpResponse:
    return _review(request, slug, post_id, approve=False)


def _decide(request: HttpRequest, slug: str, membership_id: int, *, approve: bool) -> HttpResponse:
    viewer = access.access_moderated_community(request.user, slug)
    membership: Membership | None = selectors.pending_memberships(viewer=viewer).filter(pk=membership_id).first()
    if membership is None:
        raise NotFound
    with errors_as_messages(request):
        services.membership_decide(actor=me(request), membership=membership, approve=approve)
        messages.success(request, _("They are now a member.") if approve else _("The request was declined."))
    return redirect(_here(viewer))


@login_required
@require_POST
def request_approve(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    return _decide(request, slug, membership_id, approve=True)


@login_required
@require_POST
def request_deny(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    return _decide(request, slug, membership_id, approve=False)


@login_required
@require_POST
def invite(request: HttpRequest, slug: str) -> HttpResponse:
    viewer = access.access_moderated_community(request.user, slug)
    form = InviteForm(request.POST)
    if form.is_valid():
        with errors_into(form):
            invitee = form.cleaned_data["pseudonym"]
            services.community_invite(actor=me(request), community=viewer.community, invitee=invitee)
            messages.success(request, _("%(name)s is invited.") % {"name": invitee.username})
            return redirect(_here(viewer))
    return _page(request, viewer, invite_form=form)


@login_required
@require_POST
def ban(request: HttpRequest, slug: str) -> HttpResponse:
    viewer = access.access_moderated_community(request.user, slug)
    form = BanForm(request.POST)
    if form.is_valid():
        with errors_into(form):
            person = form.cleaned_data["pseudonym"]
            sanctions.sanction_impose(  # a sanction: they are told why, and may appeal
                actor=me(request),
                community=viewer.community,
                user_id=person.pk,
                kind=SanctionKind.BAN,
                reason=form.cleaned_data["reason"],
            )
            messages.success(request, _("%(name)s can no longer take part here.") % {"name": person.username})
            return redirect(_here(viewer))
    return _page(request, viewer, ban_form=form)


@login_required
@require_POST
def role(request: HttpRequest, slug: str) -> HttpResponse:
    viewer = access.access_community(request.user, slug)
    require(access.check_edit_community_permission(viewer), access.REASON_HOSTS)
    form = RoleForm(request.POST)
    if form.is_valid():
        with errors_into(form):
            person, new_role = form.cleaned_data["pseudonym"], form.cleaned_data["role"]
            services.member_role_set(actor=me(request), community=viewer.community, user=person, role=new_role)
            label = dict(MemberRole.choices)[new_role]
            messages.success(request, _("%(name)s is now: %(role)s.") % {"name": person.username, "role": label})
            return redirect(_here(viewer))
    return _page(request, viewer, role_form=form)


def _thread_flag(request: HttpRequest, thread_id: int, *, field: str) -> HttpResponse:
    _viewer, thread = access.access_thread(request.user, thread_id)
    form = ThreadFlagForm(request.POST)
    value = bool(form.is_valid() and form.cleaned_data["value"])
    if field == "lock":
        services.thread_lock(actor=me(request), thread=thread, locked=value)
        text = (
            _("The thread is locked. Only moderators can reply now.")
            if value
            else _("The thread is open for replies again.")
        )
    else:
        services.thread_pin(actor=me(request), thread=thread, pinned=value)
        text = _("The thread is pinned to the top.") if value else _("The thread is no longer pinned.")
    messages.success(request, text)
    if request.POST.get("back") == "queue":  # from the moderation app's review queue
        return redirect("moderation:queue")
    return redirect(thread_url(thread))


@login_required
@require_POST
def thread_lock(request: HttpRequest, thread_id: int) -> HttpResponse:
    return _thread_flag(request, thread_id, field="lock")


@login_required
@require_POST
def thread_pin(request: HttpRequest, thread_id: int) -> HttpResponse:
    return _thread_flag(request, thread_id, field="pin")
