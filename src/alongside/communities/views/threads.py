"""A thread's page, replying, and what can be done to one post."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from alongside.accounts import selectors as account_selectors
from alongside.communities import access, presenters, selectors, services
from alongside.communities.access import CommunityViewer
from alongside.communities.forms import (
    ExperienceForm,
    PostDeleteForm,
    PostEditForm,
    ReactionForm,
    ReplyForm,
    RevealForm,
    ThreadNotifyForm,
)
from alongside.communities.models import Post, PostStatus, Thread
from alongside.communities.presenters import PostPresenter, PostView, present_follow, thread_url
from alongside.communities.views.common import (
    HELD_MESSAGE,
    me,
    membership_context,
    post_location,
    preview_of,
    readable_by_visitors,
)
from alongside.core.errors import errors_as_messages, errors_into, require
from alongside.notifications import selectors as notification_selectors
from alongside.safety.services.support import offer_support

LAST_PAGE = 2**31  # `?page=last`: a page past the end is the last page


@readable_by_visitors
@require_GET
def thread(request: HttpRequest, slug: str, thread_id: int) -> HttpResponse:
    """A page of a thread. Without `?page=`, a returning reader is sent to where they left off (the
    first post new to them, marked "New since your last visit"), which needs no script to scroll to.
    Reading a page moves their reading position and marks its notifications read."""
    viewer, thread = access.access_thread(request.user, thread_id)
    if thread.community.slug != slug:
        return redirect(thread_url(thread))
    if not request.user.is_authenticated:
        return _thread_for_visitor(request, viewer, thread)
    state = selectors.thread_state(viewer=viewer, thread=thread)
    number = request.GET.get("page")
    if number is None:
        resume = selectors.thread_resume_at(viewer=viewer, thread=thread, state=state)
        if resume is not None:
            return redirect(f"{thread_url(thread)}?page={resume.page}#{resume.anchor}")
    page = selectors.thread_posts(viewer=viewer, thread=thread, page=LAST_PAGE if number == "last" else (number or 1))
    presenter = PostPresenter(viewer, thread, collapsed=selectors.collapsed_warnings_for(user=request.user))
    items = _with_mention_links(request, [presenter.present(post) for post in page.object_list])
    position = state.last_read_post_id if state is not None else None
    unread_from = next(
        (item.post.pk for item in items if position is not None and item.post.pk > position and not item.is_removed),
        None,
    )
    # The header's unread count is needed anyway: counted first, it says whether there is anything
    # to mark read at all (most page views: nothing), and it is then given to the page as it is
    # after marking, instead of the header counting again.
    unread = notification_selectors.notification_unread_count(viewer=request.user)
    unread -= services.thread_read(
        actor=me(request),
        thread=thread,
        state=state,
        post_ids=[item.post.pk for item in items],
        saw_newest=not page.has_next(),
        has_unread=unread > 0,
    )
    reply_url = reverse("communities:reply", args=[thread.community.slug, thread.pk])
    posts = _posts_html(
        request,
        viewer,
        items,
        reply_url=reply_url,
        unread_from=unread_from,
        newest_id=items[-1].post.pk if items and not page.has_next() else None,
    )
    context = {
        **membership_context(viewer),
        "thread": thread,
        "page": page,
        "posts_html": posts,
        "has_warnings": any(item.warnings for item in items),
        "can_reply": presenter.can_reply,
        "reply_fields_html": _empty_reply_fields(get_language()) if presenter.can_reply else "",
        "reply_url": reply_url,
        "follow": present_follow(viewer, thread, state),
        "unread_notifications": unread,  # the header's count (notifications.context_processors), already known
        "unread_here": unread_from is not None,
    }
    return render(request, "communities/thread.html", context)


def _thread_for_visitor(request: HttpRequest, viewer: CommunityViewer, thread: Thread) -> HttpResponse:
    """A page of an open community's thread for a visitor who is not logged in (where the site
    allows it): the posts, nothing to do to them, no reading position."""
    number = request.GET.get("page")
    page = selectors.thread_posts(viewer=viewer, thread=thread, page=LAST_PAGE if number == "last" else (number or 1))
    # Folded as for anyone who has not chosen otherwise: every warning.
    presenter = PostPresenter(viewer, thread, collapsed=selectors.collapsed_warnings_for(user=request.user))
    items = _with_mention_links(request, [presenter.present(post) for post in page.object_list])
    reply_url = reverse("communities:reply", args=[thread.community.slug, thread.pk])
    newest_id = items[-1].post.pk if items and not page.has_next() else None
    context = {
        **membership_context(viewer),
        "thread": thread,
        "page": page,
        "posts_html": _posts_html(request, viewer, items, reply_url=reply_url, newest_id=newest_id),
        "has_warnings": False,
        "can_reply": False,
        "reply_url": reply_url,
        "follow": present_follow(viewer, thread, None),
        "unread_here": False,
    }
    return render(request, "communities/thread.html", context)


def _with_mention_links(request: HttpRequest, items: list[PostView]) -> list[PostView]:
    """Mentions of people the reader may look up become links: one look-up per page, none when
    nobody is mentioned."""
    names = presenters.mentions_in(items)
    if not names:
        return items
    among = account_selectors.users_by_pseudonyms(names).only("username", "role")
    return presenters.with_mention_links(items, selectors.people_seen_by(user=request.user, among=among))


@lru_cache(maxsize=16)
def _empty_reply_fields(language: str) -> str:
    """The reply box's fields, empty, as every thread page shows them: rendered once per language
    (Django renders a form through a template per widget, a tenth of a thread page's time)."""
    return render_to_string("communities/_reply_form_fields.html", {"form": ReplyForm()})


def _posts_html(
    request: HttpRequest,
    viewer: CommunityViewer,
    items: list[PostView],
    *,
    reply_url: str,
    unread_from: int | None = None,
    newest_id: int | None = None,
) -> str:
    """The posts of a page, rendered by Jinja2: this markup repeats for every post (docs/architecture.md, Templates).
    `unread_from`: the post the "New since your last visit" marker goes before; `newest_id`: the
    thread's newest post, when this page shows it (the target of "Jump to the newest reply")."""
    moderates = access.check_moderate_community_permission(viewer)
    context = {
        "items": items,
        "unread_from": unread_from,
        "newest_id": newest_id,
        "text": presenters.page_text(),
        "csrf": get_token(request),  # one masked token for the page's forms, not one per form
        "reply_url": reply_url,
        "review_url": reverse("communities:moderate", args=[viewer.community.slug]) if moderates else "",
    }
    # Jinja2 escaped every value itself (autoescape is on); the Django page must not escape it again.
    return mark_safe(render_to_string("communities/_posts.html", context, request=request, using="jinja2"))  # noqa: S308


@login_required
@require_http_methods(["GET", "POST"])
def reply(request: HttpRequest, slug: str, thread_id: int) -> HttpResponse:
    viewer, thread = access.access_thread(request.user, thread_id)
    # A paused member's words sent from a form still open are the service's to read: refused, or
    # held if they read as high risk (communities.services._require_write).
    require(
        access.check_reply_permission(viewer, thread) or (request.method == "POST" and viewer.paused),
        access.reason_for(viewer, access.REASON_REPLIES_CLOSED),
    )
    form = ReplyForm(request.POST or None, initial={"quote": request.GET.get("quote")})
    quote_id = request.POST.get("quote") or request.GET.get("quote")
    quote: Post | None = None
    if quote_id and quote_id.isascii() and quote_id.isdigit():
        _viewer, quote = access.access_post(request.user, int(quote_id))
        require(access.check_quote_post_permission(viewer, thread, quote), access.REASON_QUOTE)
    preview = preview_of(request, form)
    if request.method == "POST" and preview is None and form.is_valid():
        with errors_into(form):
            post = services.post_reply(
                actor=me(request),
                thread=thread,
                body=form.cleaned_data["body"],
                is_anonymous=form.cleaned_data["is_anonymous"],
                content_warnings=form.cleaned_data["content_warnings"],
                quote=quote,
            )
            offer_support(request, post.screening_reasons)
            if post.status == PostStatus.HELD:
                messages.info(request, HELD_MESSAGE)
            else:
                messages.success(request, _("Your reply is posted."))
            return redirect(post_location(viewer, post))
    context = {
        **membership_context(viewer),
        "thread": thread,
        "form": form,
        "quote": quote,
        "quote_author": presenters.author_label(quote) if quote else "",
        "preview": preview,
    }
    return render(request, "communities/reply.html", context)


@readable_by_visitors
@require_GET
def post(request: HttpRequest, post_id: int) -> HttpResponse:
    viewer, post = access.access_post(request.user, post_id)
    return redirect(post_location(viewer, post))


@login_required
@require_POST
def react(request: HttpRequest, post_id: int) -> HttpResponse:
    """A plain form post that comes back to the post. With htmx, the answer is only this post's
    reaction bar, which htmx swaps in place (no thread page is rendered for one reaction).
    The button says which state it wants, so sending it twice never undoes it."""
    viewer, post = access.access_post(request.user, post_id)
    form = ReactionForm(request.POST)
    if form.is_valid():
        kind, on = form.cleaned_data["set"]
        with errors_as_messages(request):
            services.reaction_set(actor=me(request), post=post, kind=kind, on=on)
    if request.headers.get("HX-Request") == "true":
        item = PostPresenter(viewer, post.thread).present(selectors.post_annotated(viewer=viewer, post=post))
        context = {"item": item, "text": presenters.page_text(), "csrf": get_token(request)}
        return HttpResponse(render_to_string("communities/_reactions.html", context, request, using="jinja2"))
    return redirect(post_location(viewer, post))


@login_required
@require_http_methods(["GET", "POST"])
def post_edit(request: HttpRequest, post_id: int) -> HttpResponse:
    viewer, post = access.access_post(request.user, post_id)
    thread = post.thread
    # As for replies: a paused author's edit sent from a form still open goes to the service to read.
    require(
        access.check_edit_post_permission(viewer, post)
        or (request.method == "POST" and viewer.paused and viewer.wrote(post)),
        access.reason_for(viewer, access.REASON_EDIT),
    )
    initial = {"title": thread.title, "body": post.body, "content_warnings": post.content_warnings}
    form = PostEditForm(request.POST or None, initial=initial, with_title=post.is_opening)
    preview = preview_of(request, form)
    if request.method == "POST" and preview is None and form.is_valid():
        with errors_into(form):
            edited = services.post_edit(
                actor=me(request),
                post=post,
                body=form.cleaned_data["body"],
                title=form.cleaned_data.get("title"),
                content_warnings=form.cleaned_data["content_warnings"],
            )
            if viewer.wrote(edited):
                offer_support(request, edited.screening_reasons)
            if edited.status == PostStatus.HELD:
                messages.info(request, HELD_MESSAGE)
            else:
                messages.success(request, _("Your changes are saved."))
            return redirect(post_location(viewer, edited))
    context = {**membership_context(viewer), "thread": thread, "post": post, "form": form, "preview": preview}
    return render(request, "communities/post_edit.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def post_delete(request: HttpRequest, post_id: int) -> HttpResponse:
    viewer, post = access.access_post(request.user, post_id)
    thread = post.thread
    require(access.check_delete_post_permission(viewer, post), access.REASON_DELETE)
    by_someone_else = not viewer.wrote(post)
    form = PostDeleteForm(request.POST if request.method == "POST" else None, with_reason=by_someone_else)
    if request.method == "POST" and form.is_valid():
        with errors_into(form):
            services.post_delete(actor=me(request), post=post, reason=form.cleaned_data.get("reason", ""))
            if post.is_opening:
                messages.success(request, _("The thread was removed."))
                return redirect("communities:community", slug=thread.community.slug)
            messages.success(request, _("The post was removed."))
            return redirect(thread_url(thread))
    context = {
        **membership_context(viewer),
        "thread": thread,
        "post": post,
        "form": form,
        "by_someone_else": by_someone_else,
    }
    return render(request, "communities/post_delete.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def post_reveal(request: HttpRequest, post_id: int) -> HttpResponse:
    viewer, post = access.access_post(request.user, post_id)
    require(access.check_reveal_anonymous_author_permission(viewer, post), access.REASON_REVEAL)
    form = RevealForm(request.POST or None)
    context: dict[str, Any] = {**membership_context(viewer), "thread": post.thread, "post": post, "form": form}
    if request.method == "POST" and form.is_valid():
        with errors_into(form):
            author = services.anonymous_author_reveal(actor=me(request), post=post, reason=form.cleaned_data["reason"])
            # Shown once, not redirected to: every look is a new audit entry.
            return render(request, "communities/post_revealed.html", {**context, "author": author})
    return render(request, "communities/post_reveal.html", context)


@login_required
@require_GET
def post_history(request: HttpRequest, post_id: int) -> HttpResponse:
    viewer, post = access.access_post(request.user, post_id)
    require(access.check_see_post_history_permission(viewer, post), access.REASON_MODERATORS)
    revisions = [
        (revision, presenters.revision_editor(post, revision))
        for revision in selectors.post_revisions(viewer=viewer, post=post)
    ]
    context = {**membership_context(viewer), "thread": post.thread, "post": post, "revisions": revisions}
    return render(request, "communities/post_history.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def post_experience(request: HttpRequest, post_id: int) -> HttpResponse:
    """A moderator marks a post as shared experience, not professional advice (or takes it off)."""
    viewer, post = access.access_post(request.user, post_id)
    require(access.check_moderate_community_permission(viewer), access.REASON_MODERATORS)
    form = ExperienceForm(request.POST or None, initial={"resource": post.experience_resource or ""})
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            marked = "unmark" not in request.POST
            with errors_into(form):
                services.post_mark_experience(
                    actor=me(request), post=post, marked=marked, resource=form.cleaned_data["resource"]
                )
                messages.success(request, _("The note is on the post.") if marked else _("The note is off the post."))
                return redirect(services.post_url(post))
    context = {**membership_context(viewer), "thread": post.thread, "post": post, "form": form}
    return render(request, "communities/post_experience.html", context, status=status)


def _notify_setting(request: HttpRequest, thread_id: int, *, setting: str) -> HttpResponse:
    """Follow or mute from the thread page (plain forms, no script needed); back to the same page."""
    _viewer, thread = access.access_thread(request.user, thread_id)
    form = ThreadNotifyForm(request.POST)
    form.is_valid()  # each field on its own: a page number that makes no sense must not turn "follow" into "stop"
    on = bool(form.cleaned_data.get("value"))
    if setting == "follow":
        services.thread_follow_set(actor=me(request), thread=thread, on=on)
        text = (
            _("You're following this thread. We'll let you know about new replies.")
            if on
            else _("You've stopped following this thread.")
        )
    else:
        services.thread_mute_set(actor=me(request), thread=thread, on=on)
        text = (
            _("This thread is muted. You won't hear about anything here.")
            if on
            else _("This thread is no longer muted.")
        )
    messages.success(request, text)
    number = form.cleaned_data.get("page")
    # Back to the top of the same page, where the message saying what changed is seen (and the choices are).
    return redirect(f"{thread_url(thread)}?page={number or 1}")


@login_required
@require_POST
def thread_follow(request: HttpRequest, thread_id: int) -> HttpResponse:
    return _notify_setting(request, thread_id, setting="follow")


@login_required
@require_POST
def thread_mute(request: HttpRequest, thread_id: int) -> HttpResponse:
    return _notify_setting(request, thread_id, setting="mute")
