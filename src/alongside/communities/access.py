"""Who may see and do what in communities. One named rule per function; each has its own tests.

Rules in words:
- Anyone (even signed out) sees that public and private communities exist; hidden ones exist only
  for their members, invitees and site staff. Everything else needs a sign-in.
- Public communities are read by any signed-in person; private and hidden ones by their active
  members and site staff (site moderators and administrators).
- Writing (threads, replies, reactions) needs active membership. Banned and pending members
  cannot write. Locked threads take replies only from the community's moderators.
- Authors edit and delete their own posts; community moderators, hosts and site staff may also
  edit (to redact, with the history kept) and remove others' posts, lock, pin, approve members,
  review held posts and reveal an anonymous author (audited every time).
- Hosts and administrators edit the community itself.
A forbidden object is reported exactly like a missing one (NotFound), so nothing leaks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import Http404

from alongside.accounts.models import Role
from alongside.communities.models import (
    Community,
    MemberRole,
    Membership,
    MembershipStatus,
    Post,
    PostStatus,
    Thread,
    Visibility,
)

SITE_STAFF_ROLES = (Role.MODERATOR, Role.ADMIN)


class NotFound(Http404):
    """Missing, or not for this viewer: the same answer either way."""


@dataclass(frozen=True)
class CommunityViewer:
    """A person (or a signed-out visitor) looking at one community, with their membership."""

    user: Any
    community: Community
    membership: Membership | None

    @property
    def signed_in(self) -> bool:
        return bool(self.user is not None and self.user.is_authenticated)

    @property
    def is_site_staff(self) -> bool:
        return self.signed_in and self.user.role in SITE_STAFF_ROLES

    @property
    def status(self) -> str | None:
        return self.membership.status if self.membership else None

    @property
    def is_active_member(self) -> bool:
        return self.status == MembershipStatus.ACTIVE

    @property
    def moderates(self) -> bool:
        return self.is_site_staff or bool(self.membership and self.membership.moderates)

    @property
    def hosts(self) -> bool:
        return (self.signed_in and self.user.role == Role.ADMIN) or bool(
            self.membership and self.membership.is_active and self.membership.role == MemberRole.HOST
        )

    # The rules, as properties for templates.
    @property
    def can_see(self) -> bool:
        return check_see_community_permission(self)

    @property
    def can_read(self) -> bool:
        return check_read_community_permission(self)

    @property
    def can_post(self) -> bool:
        return check_post_thread_permission(self)

    @property
    def can_join(self) -> bool:
        return check_join_community_permission(self)


def community_viewer(user: Any, community: Community) -> CommunityViewer:
    membership = None
    if user is not None and user.is_authenticated:
        membership = Membership.objects.filter(community=community, user=user).first()
    return CommunityViewer(user=user, community=community, membership=membership)


def check_see_community_permission(viewer: CommunityViewer) -> bool:
    if viewer.community.visibility != Visibility.HIDDEN:
        return True
    return viewer.is_site_staff or viewer.status in (MembershipStatus.ACTIVE, MembershipStatus.INVITED)


def check_read_community_permission(viewer: CommunityViewer) -> bool:
    if not viewer.signed_in:
        return False
    if viewer.community.visibility == Visibility.PUBLIC:
        return True
    return viewer.is_site_staff or viewer.is_active_member


def check_join_community_permission(viewer: CommunityViewer) -> bool:
    """Join (public), ask to join (private) or accept an invitation (hidden)."""
    if not viewer.signed_in or viewer.status in (
        MembershipStatus.ACTIVE,
        MembershipStatus.PENDING,
        MembershipStatus.BANNED,
    ):
        return False
    if viewer.community.visibility == Visibility.HIDDEN:
        return viewer.status == MembershipStatus.INVITED
    return True


def check_post_thread_permission(viewer: CommunityViewer) -> bool:
    return viewer.is_active_member


def check_reply_permission(viewer: CommunityViewer, thread: Thread) -> bool:
    if not viewer.is_active_member or thread.status != PostStatus.VISIBLE:
        return False
    return not thread.is_locked or viewer.moderates


def check_react_permission(viewer: CommunityViewer, post: Post) -> bool:
    return viewer.is_active_member and post.status == PostStatus.VISIBLE


def _is_author(viewer: CommunityViewer, post: Post) -> bool:
    return viewer.signed_in and post.author_id is not None and post.author_id == viewer.user.pk


def check_edit_post_permission(viewer: CommunityViewer, post: Post) -> bool:
    if post.status == PostStatus.REMOVED:
        return False
    if viewer.moderates:
        return True
    return _is_author(viewer, post) and viewer.is_active_member and not post.thread.is_locked


def check_delete_post_permission(viewer: CommunityViewer, post: Post) -> bool:
    if post.status == PostStatus.REMOVED:
        return False
    return viewer.moderates or (_is_author(viewer, post) and viewer.status != MembershipStatus.BANNED)


def check_moderate_community_permission(viewer: CommunityViewer) -> bool:
    """Lock, pin, approve or deny members, invite, ban, review held posts."""
    return viewer.moderates


def check_reveal_anonymous_author_permission(viewer: CommunityViewer) -> bool:
    return viewer.moderates


def check_edit_community_permission(viewer: CommunityViewer) -> bool:
    return viewer.hosts


def check_see_post_permission(viewer: CommunityViewer, post: Post) -> bool:
    """A held post is seen by its author and the moderators; a removed one shows as "removed"."""
    if not check_read_community_permission(viewer):
        return False
    if post.status == PostStatus.HELD:
        return viewer.moderates or _is_author(viewer, post)
    return True


def access_community(viewer_user: Any, slug: str) -> CommunityViewer:
    if "\x00" in slug:  # PostgreSQL cannot even compare such text; no community has it
        raise NotFound
    community = Community.objects.filter(slug=slug).first()
    if community is None:
        raise NotFound
    viewer = community_viewer(viewer_user, community)
    if not check_see_community_permission(viewer):
        raise NotFound
    return viewer


def access_thread(viewer_user: Any, thread_id: int) -> tuple[CommunityViewer, Thread]:
    """A thread the viewer may read: its opening post visible to them, or they moderate it."""
    thread = Thread.objects.select_related("community").filter(pk=thread_id).first()
    if thread is None:
        raise NotFound
    viewer = community_viewer(viewer_user, thread.community)
    if not check_read_community_permission(viewer):
        raise NotFound
    if thread.status == PostStatus.HELD and not viewer.moderates:
        opening = Post.objects.filter(thread=thread, is_opening=True).only("author_id").first()
        if opening is None or not _is_author(viewer, opening):
            raise NotFound
    return viewer, thread


def access_post(viewer_user: Any, post_id: int) -> tuple[CommunityViewer, Post]:
    post = Post.objects.select_related("thread__community", "author").filter(pk=post_id).first()
    if post is None:
        raise NotFound
    viewer = community_viewer(viewer_user, post.thread.community)
    if not check_see_post_permission(viewer, post):
        raise NotFound
    return viewer, post
