"""Pieces the communities API modules share: who is calling, reaching a community, and building
answers from the presenters (the same ones the web pages use)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.http import HttpRequest
from django.utils.translation import gettext as _

from alongside.accounts import selectors as account_selectors
from alongside.communities import access, selectors
from alongside.communities.access import CommunityViewer
from alongside.communities.api.schemas import CommunityOut, FollowOut, PostOut, ThreadOut, ThreadSummary
from alongside.communities.models import Post, Thread
from alongside.communities.presenters import PostPresenter, present_follow, present_thread
from alongside.core.errors import Invalid, NotFound

if TYPE_CHECKING:
    from alongside.accounts.models import User


def me(request: HttpRequest) -> User:
    return cast("User", request.auth)  # type: ignore[attr-defined]


# How the OpenAPI document marks those endpoints: credentials, or none where the site allows it.
OPEN_READ: dict[str, Any] = {"security": [{}]}  # ninja adds the credential schemes; {} is "or none"


def reader(request: HttpRequest) -> Any:
    """Who reads, on endpoints open to visitors (API_AUTH_OR_OPEN_READER): a person, or an
    anonymous visitor that the access rules treat as such."""
    return request.user


def community_for(user: User | None, slug: str) -> CommunityViewer:
    return access.access_community(user, slug)


def readable_community(user: User, slug: str) -> CommunityViewer:
    """A community whose threads the caller may read; otherwise, as for a missing one, 404."""
    viewer = community_for(user, slug)
    if not viewer.can_read:
        raise NotFound
    return viewer


def person_named(pseudonym: str) -> User:
    person = account_selectors.user_by_pseudonym(pseudonym)
    if person is None:
        raise Invalid({"pseudonym": _("No one has that pseudonym.")})
    return person


def community_out(viewer: CommunityViewer) -> CommunityOut:
    return CommunityOut.of(viewer, selectors.community_member_count(community=viewer.community))


def post_out(viewer: CommunityViewer, post: Post) -> PostOut:
    """One post (already reached with access_post) as the caller sees it, reactions counted."""
    annotated = selectors.post_annotated(viewer=viewer, post=post)
    return PostOut.of(PostPresenter(viewer, post.thread).present(annotated))


def thread_out(viewer: CommunityViewer, thread: Thread) -> ThreadOut:
    """The thread with its opening post as this viewer sees it (posts come opening post first)."""
    posts = list(selectors.thread_posts(viewer=viewer, thread=thread, page=1).object_list[:1])
    opening = posts[0] if posts and posts[0].is_opening else None
    presenter = PostPresenter(viewer, thread)
    return ThreadOut(
        **ThreadSummary.fields_of(present_thread(thread, opening)),
        opening_post=PostOut.of(presenter.present(opening)) if opening is not None else None,
        can_reply=presenter.can_reply,
        can_moderate=access.check_moderate_community_permission(viewer),
        follow=follow_out(viewer, thread),
    )


def follow_out(viewer: CommunityViewer, thread: Thread) -> FollowOut:
    return FollowOut.of(present_follow(viewer, thread, selectors.thread_state(viewer=viewer, thread=thread)))
