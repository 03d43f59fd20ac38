"""Who may see and do what in communities. One named rule per function; each has its own tests.

Rules in words:
- Anyone (even signed out) sees that public and private communities exist; hidden ones exist only
  for their members, invitees and site staff. Everything else needs a sign-in.
- Public ("open") communities are read by any signed-in person, and by visitors who are not
  signed in only where the operator allows it (OPEN_COMMUNITIES_READABLE_SIGNED_OUT, off by
  default); private and hidden ones by their active members and site staff (site moderators and
  administrators).
- A thread is seen while it is visible; a held thread (awaiting review) only by its author and the
  moderators; a removed thread by nobody: neither its title nor its replies are served again.
  The same for a single post: a removed post keeps its place in its thread as "removed", with
  nothing of it shown, and cannot be opened, quoted or reacted to.
- Writing (threads, replies, reactions, editing one's own posts) needs active membership. Banned
  and pending members cannot write, nor can members paused by a sanction (moderation app): muted
  here, with a warning not yet acknowledged, or suspended from the site; they still read.
  Locked threads take replies only from the community's moderators.
- Authors edit and delete their own posts; community moderators, hosts and site staff may also
  edit (to redact, with the history kept) and remove others' posts, lock, pin, approve members,
  review held posts and reveal an anonymous author (audited every time).
- Hosts and administrators edit the community and appoint its moderators and hosts.
- Anyone who may read a visible thread may follow it (hear of its new replies), except members
  banned from its community; anyone who may read it may mute it (hear nothing from it, mentions
  included) or stop following or muting it: hearing less is never refused. Signed-out visitors,
  and people who left a private community, cannot read it, so they can do neither.
A forbidden object is reported exactly like a missing one (NotFound), so nothing leaks; an action
on something the viewer can see is refused with NotAllowed and one of the reasons below.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from alongside.accounts.enums import SITE_MODERATOR_ROLES, Role
from alongside.communities.authorship import author_refs, is_author
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
from alongside.core.errors import NotFound, require

_SLUG = re.compile(r"[-a-zA-Z0-9_]{1,80}")  # what a community address can be

# Why an action is refused, for the person who tried it.
REASON_JOIN_FIRST = _("Join this community first, then you can start a thread.")
REASON_CANNOT_JOIN = _("You can't join this community right now.")
REASON_REPLIES_CLOSED = _("Replies are closed for you in this thread.")
REASON_REACT = _("Join this community to respond to posts.")
REASON_EDIT = _("This post can't be edited now.")
REASON_DELETE = _("This post can't be removed by you.")
REASON_MODERATORS = _("Only the community's moderators can do this.")
REASON_HOSTS = _("Only the community's hosts can do this.")
REASON_ADMINS = _("Only administrators can create communities.")
REASON_QUOTE = _("You can only quote a visible post in this thread.")
REASON_REVEAL = _("Only the community's moderators can ask who wrote a post, and only when it is anonymous.")
REASON_FOLLOW = _("You can't follow this thread right now.")
REASON_MUTE = _("You can't change how you hear about this thread right now.")
REASON_PAUSED = _(
    "You can read here, but you can't write for now. Your account standing page says why and until when. "
    "If you need someone to talk to, you can still ask for a listener."
)
REASON_REMOVE_WITH_REASON = _("To remove someone else's post, use “remove” and give a reason for the log.")


@dataclass(frozen=True)
class CommunityViewer:
    """A person (or a signed-out visitor) looking at one community, with their membership.

    Made for one request; what it derives from them is worked out once (a page asks for each post)."""

    user: Any
    community: Community
    membership: Membership | None

    @cached_property
    def signed_in(self) -> bool:
        return bool(self.user is not None and self.user.is_authenticated)

    @cached_property
    def is_site_staff(self) -> bool:
        return self.signed_in and self.user.role in SITE_MODERATOR_ROLES

    @cached_property
    def status(self) -> str | None:
        return self.membership.status if self.membership else None

    @cached_property
    def is_active_member(self) -> bool:
        return self.status == MembershipStatus.ACTIVE

    @cached_property
    def paused(self) -> bool:
        """An active member who reads but writes nothing here for now (moderation sanctions): muted,
        a warning not yet acknowledged, or suspended from the site."""
        membership = self.membership
        return bool(
            membership is not None
            and self.is_active_member
            and (self.user.suspended or membership.is_muted or membership.warning_pending)
        )

    @cached_property
    def may_write(self) -> bool:
        return self.is_active_member and not self.paused

    @cached_property
    def moderates(self) -> bool:
        """Site staff, and the community's moderators and hosts unless paused by a sanction (a
        paused moderator moderates nothing until it ends)."""
        return self.is_site_staff or bool(self.membership and self.membership.moderates and not self.paused)

    @cached_property
    def hosts(self) -> bool:
        return (self.signed_in and self.user.role == Role.ADMIN) or bool(
            self.membership
            and self.membership.is_active
            and self.membership.role == MemberRole.HOST
            and not self.paused
        )

    @cached_property
    def author_refs(self) -> list[str]:
        """What the viewer's anonymous posts carry instead of their name (computed once per viewer)."""
        return author_refs(self.user) if self.signed_in else []

    def wrote(self, post: Post) -> bool:
        return self.signed_in and is_author(self.user, post, self.author_refs)

    # The rules, as properties for templates.
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


# --- Communities ------------------------------------------------------------------------------


def check_see_community_permission(viewer: CommunityViewer) -> bool:
    if viewer.community.visibility != Visibility.HIDDEN:
        return True
    return viewer.is_site_staff or viewer.status in (MembershipStatus.ACTIVE, MembershipStatus.INVITED)


def check_read_community_permission(viewer: CommunityViewer) -> bool:
    if viewer.community.visibility == Visibility.PUBLIC:
        return viewer.signed_in or settings.OPEN_COMMUNITIES_READABLE_SIGNED_OUT
    if not viewer.signed_in:
        return False
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


def check_create_community_permission(user: Any) -> bool:
    """Only administrators create communities (they become its first host)."""
    return bool(user is not None and user.is_authenticated and user.role == Role.ADMIN)


def check_edit_community_permission(viewer: CommunityViewer) -> bool:
    """Change the community's details, and appoint its moderators and hosts."""
    return viewer.hosts


def check_moderate_community_permission(viewer: CommunityViewer) -> bool:
    """Lock, pin, approve or deny members, invite, ban, review held posts."""
    return viewer.moderates


def check_ban_member_permission(viewer: CommunityViewer, membership: Membership | None) -> bool:
    """Moderators ban members; only hosts (and administrators) ban a host."""
    if not viewer.moderates:
        return False
    return membership is None or membership.role != MemberRole.HOST or viewer.hosts


# --- Threads and posts ------------------------------------------------------------------------


def check_see_thread_permission(viewer: CommunityViewer, thread: Thread, *, opening: Post | None) -> bool:
    """`opening` is needed only for a held thread (its author may see it)."""
    if not check_read_community_permission(viewer):
        return False
    if thread.status == PostStatus.VISIBLE:
        return True
    if thread.status == PostStatus.HELD:
        return viewer.moderates or (opening is not None and viewer.wrote(opening))
    return False  # removed: never served again


def check_see_post_permission(viewer: CommunityViewer, post: Post) -> bool:
    """A post of a thread the viewer may see: visible ones, and held ones to their author and the
    moderators. A removed post is never opened again."""
    if not check_read_community_permission(viewer):
        return False
    if post.status == PostStatus.VISIBLE:
        return True
    if post.status == PostStatus.HELD:
        return viewer.moderates or viewer.wrote(post)
    return False


def reason_for(viewer: CommunityViewer, reason: Any) -> Any:
    """What to tell someone refused a write: that they are paused here, if that is why, else `reason`."""
    return REASON_PAUSED if viewer.paused else reason


def unpaused(viewer: CommunityViewer) -> CommunityViewer:
    """The same person as if no sanction paused them: asked only so that a paused member's words of
    high risk are held for the moderators rather than turned away (communities.services)."""
    twin = CommunityViewer(viewer.user, viewer.community, viewer.membership)
    twin.__dict__["paused"] = False  # the cached property, decided
    return twin


def check_post_thread_permission(viewer: CommunityViewer) -> bool:
    return viewer.may_write


def check_reply_permission(viewer: CommunityViewer, thread: Thread) -> bool:
    if not viewer.may_write or thread.status != PostStatus.VISIBLE:
        return False
    return not thread.is_locked or viewer.moderates


def check_quote_post_permission(viewer: CommunityViewer, thread: Thread, post: Post) -> bool:
    """Quote a visible post of the thread one is replying to."""
    return post.thread_id == thread.pk and post.status == PostStatus.VISIBLE and check_reply_permission(viewer, thread)


def check_react_permission(viewer: CommunityViewer, post: Post) -> bool:
    return viewer.may_write and post.status == PostStatus.VISIBLE


def check_edit_post_permission(viewer: CommunityViewer, post: Post) -> bool:
    if post.status == PostStatus.REMOVED:
        return False
    if viewer.moderates:
        return True
    return viewer.wrote(post) and viewer.may_write and not post.thread.is_locked


def check_delete_post_permission(viewer: CommunityViewer, post: Post) -> bool:
    if post.status == PostStatus.REMOVED:
        return False
    return viewer.moderates or (viewer.wrote(post) and viewer.status != MembershipStatus.BANNED)


def check_reveal_anonymous_author_permission(viewer: CommunityViewer, post: Post) -> bool:
    """Moderators may ask who wrote an anonymous post (audited every time)."""
    return viewer.moderates and post.is_anonymous and post.status != PostStatus.REMOVED


def check_see_post_history_permission(viewer: CommunityViewer, post: Post) -> bool:
    """Moderators see a post's earlier versions."""
    return viewer.moderates and post.status != PostStatus.REMOVED


def check_follow_thread_permission(viewer: CommunityViewer, thread: Thread) -> bool:
    """Follow a visible thread one may read, unless banned from its community (and never as a visitor
    who is not logged in, even where visitors may read)."""
    return (
        viewer.signed_in
        and thread.status == PostStatus.VISIBLE
        and viewer.status != MembershipStatus.BANNED
        and check_read_community_permission(viewer)
    )


def check_mute_thread_permission(viewer: CommunityViewer, thread: Thread) -> bool:
    """Mute a visible thread one may read, or stop following or muting it (hearing less is never
    refused, not even to a banned member who can still read it)."""
    return viewer.signed_in and thread.status == PostStatus.VISIBLE and check_read_community_permission(viewer)


# --- Reaching objects -------------------------------------------------------------------------


def access_community(viewer_user: Any, slug: str) -> CommunityViewer:
    """The community at this address if the viewer may see it, else NotFound (also for any text
    that cannot be an address: NUL, for one, PostgreSQL cannot even compare)."""
    if not _SLUG.fullmatch(slug):
        raise NotFound
    community = Community.objects.filter(slug=slug).first()
    if community is None:
        raise NotFound
    viewer = community_viewer(viewer_user, community)
    if not check_see_community_permission(viewer):
        raise NotFound
    return viewer


def access_moderated_community(viewer_user: Any, slug: str) -> CommunityViewer:
    """A community the viewer moderates; NotAllowed for one they only see."""
    viewer = access_community(viewer_user, slug)
    require(check_moderate_community_permission(viewer), REASON_MODERATORS)
    return viewer


def _opening_if_needed(thread: Thread, post: Post | None = None) -> Post | None:
    """The opening post, loaded only when the thread rule needs it (a held thread)."""
    if thread.status != PostStatus.HELD:
        return None
    if post is not None and post.is_opening:
        return post
    return Post.objects.filter(thread=thread, is_opening=True).only("author_id", "author_ref", "is_opening").first()


def access_thread(viewer_user: Any, thread_id: int) -> tuple[CommunityViewer, Thread]:
    """A thread the viewer may see (see check_see_thread_permission), else NotFound."""
    thread = Thread.objects.select_related("community").filter(pk=thread_id).first()
    if thread is None:
        raise NotFound
    viewer = community_viewer(viewer_user, thread.community)
    if not check_see_thread_permission(viewer, thread, opening=_opening_if_needed(thread)):
        raise NotFound
    return viewer, thread


def access_post(viewer_user: Any, post_id: int) -> tuple[CommunityViewer, Post]:
    """A post the viewer may see, in a thread they may see, else NotFound."""
    post = Post.objects.select_related("thread__community", "author__profile").filter(pk=post_id).first()
    if post is None:
        raise NotFound
    viewer = community_viewer(viewer_user, post.thread.community)
    opening = _opening_if_needed(post.thread, post)
    if not check_see_thread_permission(viewer, post.thread, opening=opening) or not check_see_post_permission(
        viewer, post
    ):
        raise NotFound
    return viewer, post
