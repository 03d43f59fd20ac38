"""Small pieces the community page modules share."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy

from alongside.communities import access, selectors
from alongside.communities.access import CommunityViewer
from alongside.communities.models import MembershipStatus, Post
from alongside.communities.presenters import thread_url
from alongside.core.errors import NotFound
from alongside.core.markdown import render_markdown

if TYPE_CHECKING:
    from alongside.accounts.models import User

HELD_MESSAGE = gettext_lazy("Thanks — your post is awaiting review by a moderator before others can see it.")


def readable_by_visitors(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """login_required, except where the site lets visitors read open communities
    (OPEN_COMMUNITIES_READABLE_SIGNED_OUT): then a visitor reads what the access rules allow, and
    is asked to log in for anything else (it may be theirs to read once logged in)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if settings.OPEN_COMMUNITIES_READABLE_SIGNED_OUT:
            try:
                response = view(request, *args, **kwargs)
            except NotFound:
                pass
            else:
                add_never_cache_headers(response)  # a shared device's Back button must not bring it back
                return response
        return redirect_to_login(request.get_full_path())

    return wrapped


def me(request: HttpRequest) -> User:
    """The signed-in person (views that call this are behind login_required)."""
    return cast("User", request.user)


def preview_of(request: HttpRequest, form: Form) -> str | None:
    """The Preview button was pressed: the text as it will look, sanitised like a post, and nothing
    saved. None otherwise (also when the form has errors to show instead)."""
    if request.method != "POST" or "preview" not in request.POST or not form.is_valid():
        return None
    return render_markdown(form.cleaned_data["body"])


def post_location(viewer: CommunityViewer, post: Post) -> str:
    """The thread page the post is on, with its anchor."""
    number = selectors.post_page_number(viewer=viewer, post=post)
    query = f"?page={number}" if number > 1 else ""
    return f"{thread_url(post.thread)}{query}#post-{post.pk}"


def membership_context(viewer: CommunityViewer) -> dict[str, Any]:
    status = viewer.status
    return {
        "viewer": viewer,
        "community": viewer.community,
        "is_pending": status == MembershipStatus.PENDING,
        "is_invited": status == MembershipStatus.INVITED,
        "is_banned": status == MembershipStatus.BANNED,
        "can_moderate": access.check_moderate_community_permission(viewer),
        "can_edit_community": access.check_edit_community_permission(viewer),
    }
