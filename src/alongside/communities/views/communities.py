"""The directory, a community's page, joining, leaving, editing, starting a thread."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from alongside.accounts import selectors as account_selectors
from alongside.chat import selectors as chat_selectors
from alongside.communities import access, selectors, services
from alongside.communities.forms import CommunityEditForm, ThreadForm
from alongside.communities.models import Community, MembershipStatus, PostStatus, Visibility
from alongside.communities.views.common import HELD_MESSAGE, me, membership_context, preview_of
from alongside.core.errors import errors_as_messages, errors_into, require
from alongside.safety.services.support import offer_support


@require_GET
def directory(request: HttpRequest) -> HttpResponse:
    communities = selectors.community_directory(user=request.user)
    suggestions: list[Community] = []
    if request.user.is_authenticated:
        topics = account_selectors.profile_get(viewer=me(request)).topics
        suggestions = selectors.community_suggestions(user=request.user, topics=topics) if topics else []
    context = {
        "communities": communities,
        "suggestions": suggestions,
        "open_to_visitors": settings.OPEN_COMMUNITIES_READABLE_SIGNED_OUT,
    }
    return render(request, "communities/directory.html", context)


@require_GET
def community(request: HttpRequest, slug: str) -> HttpResponse:
    viewer = access.access_community(request.user, slug)
    context = membership_context(viewer)
    if viewer.can_read:
        context["waiting"] = selectors.waiting_threads(user=request.user, community=viewer.community, limit=5)
        context["threads"] = selectors.community_threads(viewer=viewer, page=request.GET.get("page", 1))
        context["room_open"] = chat_selectors.room_is_open(viewer.community)
    return render(request, "communities/community.html", context)


@login_required
@require_POST
def join(request: HttpRequest, slug: str) -> HttpResponse:
    community = access.access_community(request.user, slug).community
    membership = services.community_join(actor=me(request), community=community)
    if membership.status == MembershipStatus.PENDING:
        messages.success(request, _("Thanks for asking to join. A moderator will look at your request soon."))
    else:
        messages.success(request, _("Welcome to %(name)s. We're glad you're here.") % {"name": community.name})
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(back)  # joined from a list of suggestions: stay there
    return redirect("communities:community", slug=community.slug)


@login_required
@require_POST
def leave(request: HttpRequest, slug: str) -> HttpResponse:
    community = access.access_community(request.user, slug).community
    with errors_as_messages(request):
        services.community_leave(actor=me(request), community=community)
        messages.success(request, _("You have left %(name)s. You're welcome back any time.") % {"name": community.name})
        if community.visibility == Visibility.HIDDEN:
            return redirect("communities:directory")  # a hidden community is no longer there for them
    return redirect("communities:community", slug=community.slug)


@login_required
@require_http_methods(["GET", "POST"])
def community_edit(request: HttpRequest, slug: str) -> HttpResponse:
    viewer = access.access_community(request.user, slug)
    community = viewer.community
    require(access.check_edit_community_permission(viewer), access.REASON_HOSTS)
    initial = {
        "name": community.name,
        "description": community.description,
        "rules": "\n".join(community.rules),
        "visibility": community.visibility,
        "hold_risky_posts": community.hold_risky_posts,
        "hold_new_first_posts": bool(community.hold_new_first_posts),
    }
    form = CommunityEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = {
            name: form.cleaned_data[name]
            for name in ("name", "description", "rules", "visibility", "hold_risky_posts", "hold_new_first_posts")
        }
        with errors_into(form):
            services.community_update(actor=me(request), community=community, values=values)
            messages.success(request, _("The community's details are saved."))
            return redirect(reverse("communities:community", args=[community.slug]))
        community.refresh_from_db()  # the page header shows the saved name, not the rejected one
    return render(request, "communities/community_edit.html", {**membership_context(viewer), "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def thread_new(request: HttpRequest, slug: str) -> HttpResponse:
    viewer = access.access_community(request.user, slug)
    community = viewer.community
    # As for replies: a paused member's words from a form still open go to the service to read.
    require(
        access.check_post_thread_permission(viewer) or (request.method == "POST" and viewer.paused),
        access.reason_for(viewer, access.REASON_JOIN_FIRST),
    )
    form = ThreadForm(request.POST or None)
    preview = preview_of(request, form)
    if request.method == "POST" and preview is None and form.is_valid():
        with errors_into(form):
            thread = services.thread_create(
                actor=me(request),
                community=community,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                is_anonymous=form.cleaned_data["is_anonymous"],
                content_warnings=form.cleaned_data["content_warnings"],
            )
            offer_support(request, thread.posts.get(is_opening=True).screening_reasons)
            if thread.status == PostStatus.HELD:
                messages.info(request, HELD_MESSAGE)
            else:
                messages.success(request, _("Your thread is posted. Thank you for sharing."))
            return redirect("communities:thread", slug=community.slug, thread_id=thread.pk)
    first_post = not selectors.has_posted_in(user=request.user, community=community)
    context = {**membership_context(viewer), "form": form, "first_post": first_post, "preview": preview}
    return render(request, "communities/thread_new.html", context)
