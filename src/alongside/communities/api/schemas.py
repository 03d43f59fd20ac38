"""Shapes of the communities API, and how each is built from a presenter's view of an object, so the
API shows exactly what the web pages show to the same person."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from ninja import Field, Schema

from alongside.communities import access, presenters
from alongside.communities.access import CommunityViewer
from alongside.communities.models import (
    Community,
    ContentWarning,
    Membership,
    Post,
    PostRevision,
    ReactionKind,
    Visibility,
)
from alongside.communities.presenters import AuthorView, FollowView, PostView, ThreadView
from alongside.core.api import Flag, Id, Input, Text

# Error statuses: reads of one thing, and writes (which also take a JSON body that may not parse).
READ = (401, 403, 404)
WRITE = (400, 401, 403, 404)
LIST = (401, 403)

Tag = Annotated[Text, Field(max_length=200)]
Reason = Annotated[Text, Field(max_length=500, description="For the moderation log.")]


class CommunityRef(Schema):
    slug: str
    name: str


class MembershipOut(Schema):
    status: str = Field(..., description="active, pending (asked to join), invited or banned.")
    role: str = Field(..., description="member, moderator or host.")

    @staticmethod
    def of(membership: Membership) -> MembershipOut:
        return MembershipOut(status=membership.status, role=membership.role)


class CommunitySummary(Schema):
    slug: str
    name: str
    description: str
    topics: list[str]
    visibility: str
    member_count: int
    my_status: str | None = Field(..., description="The caller's membership status, or null.")

    @staticmethod
    def of(community: Community) -> CommunitySummary:
        """A community from selectors.community_directory (member count and my status annotated)."""
        return CommunitySummary(
            slug=community.slug,
            name=community.name,
            description=community.description,
            topics=list(community.topics),
            visibility=community.visibility,
            member_count=getattr(community, "member_count", 0),
            my_status=getattr(community, "my_status", None),
        )


class CommunityOut(Schema):
    slug: str
    name: str
    description: str
    rules: list[str]
    topics: list[str]
    visibility: str
    created_at: datetime
    member_count: int
    membership: MembershipOut | None
    can_read: bool
    can_post: bool
    can_join: bool = Field(..., description="Join (public), ask to join (private) or accept an invitation (hidden).")
    can_moderate: bool
    can_edit: bool

    @staticmethod
    def of(viewer: CommunityViewer, member_count: int) -> CommunityOut:
        community = viewer.community
        return CommunityOut(
            slug=community.slug,
            name=community.name,
            description=community.description,
            rules=list(community.rules),
            topics=list(community.topics),
            visibility=community.visibility,
            created_at=community.created_at,
            member_count=member_count,
            membership=MembershipOut.of(viewer.membership) if viewer.membership else None,
            can_read=viewer.can_read,
            can_post=viewer.can_post,
            can_join=viewer.can_join,
            can_moderate=access.check_moderate_community_permission(viewer),
            can_edit=access.check_edit_community_permission(viewer),
        )


class CommunityIn(Input):
    name: Text = Field(..., max_length=80)
    slug: Text = Field("", max_length=80, description="The address; made from the name when left out.")
    description: Text = Field("", max_length=2000)
    rules: list[Tag] = Field(default_factory=list, max_length=50)
    topics: list[Tag] = Field(default_factory=list, max_length=50)
    visibility: Visibility = Visibility.PUBLIC


class CommunityPatch(Input):
    name: Text | None = Field(None, max_length=80)
    description: Text | None = Field(None, max_length=2000)
    rules: list[Tag] | None = Field(None, max_length=50)
    topics: list[Tag] | None = Field(None, max_length=50)
    visibility: Visibility | None = None
    hold_risky_posts: bool | None = None
    hold_new_first_posts: bool | None = Field(None, description="Hold a new account's first post for a moderator.")


class MemberOut(Schema):
    user_id: int
    pseudonym: str
    status: str
    role: str

    @staticmethod
    def of(membership: Membership) -> MemberOut:
        return MemberOut(
            user_id=membership.user_id,
            pseudonym=membership.user.username,
            status=membership.status,
            role=membership.role,
        )


class JoinRequestOut(Schema):
    user_id: int
    pseudonym: str
    requested_at: datetime

    @staticmethod
    def of(membership: Membership) -> JoinRequestOut:
        return JoinRequestOut(
            user_id=membership.user_id, pseudonym=membership.user.username, requested_at=membership.created_at
        )


class DecisionOut(Schema):
    user_id: int
    status: str | None = Field(..., description="`active` when approved, null when the request was denied.")


class PseudonymIn(Input):
    pseudonym: Text = Field(..., min_length=1, max_length=31, description="A leading @ is ignored.")


class RoleIn(PseudonymIn):
    role: Text = Field(..., max_length=20, description="member, moderator or host")


class BanIn(PseudonymIn):
    reason: Reason


class AuthorOut(Schema):
    label: str = Field(..., description="What to show: a display name, 'Anonymous member' or 'Deleted member'.")
    pseudonym: str | None = Field(..., description="Null for anonymous posts (to everyone) and deleted accounts.")
    badge: str | None = Field(
        ...,
        description="A staff role ('Moderator'), 'Peer listener', or the author's role in the community "
        "('Host', 'Community moderator'); never on anonymous posts. Meanings: /badges/.",
    )

    @staticmethod
    def of(author: AuthorView) -> AuthorOut:
        return AuthorOut(label=author.label, pseudonym=author.pseudonym, badge=author.badge)


class ReactionCounts(Schema):
    relate: int
    support: int
    helped: int


class QuoteOut(Schema):
    post_id: int
    author: str
    excerpt: str


class PostOut(Schema):
    id: int
    thread_id: int
    is_opening: bool
    author: AuthorOut | None = Field(..., description="Null when the post was removed.")
    body: str = Field(..., description="Markdown source; empty when the post was removed.")
    body_html: str = Field(..., description="Sanitised HTML rendering of the body; empty when removed.")
    content_warnings: list[str]
    status: str = Field(
        ..., description="visible, held (awaiting review: only its author and moderators see it) or removed."
    )
    quote: QuoteOut | None = Field(..., description="The post this one quotes, while that post is visible.")
    created_at: datetime
    edited_at: datetime | None
    reactions: ReactionCounts
    my_reactions: list[str]
    is_mine: bool = Field(..., description="Whether you wrote it (also for your own anonymous posts).")
    can_react: bool
    can_edit: bool
    can_delete: bool
    can_reveal: bool = Field(..., description="Whether you may ask who wrote this anonymous post.")
    blocked: bool = Field(
        False, description="Written by someone you blocked: like a removed post, nothing of it is shown."
    )
    not_professional_advice: bool = Field(
        False, description="A moderator's note: one person's own experience, not professional advice."
    )
    better_resource: str | None = Field(None, description="With that note: a resource a moderator suggests.")
    offer_support: bool = Field(
        False,
        description="In the answer to your own words only: they read as high risk. Show what the site's "
        "`/help/support/` page offers (crisis lines for the person's country, a grounding exercise, talking to a "
        "listener now). Nobody else is told.",
    )

    @staticmethod
    def of(view: PostView) -> PostOut:
        post = view.post
        counts = {reaction.kind: reaction.count for reaction in view.reactions}
        shown = not view.is_removed and not view.blocked  # nothing of a removed or hidden post
        return PostOut(
            id=post.pk,
            thread_id=post.thread_id,
            is_opening=post.is_opening,
            author=AuthorOut.of(view.author) if view.author else None,
            body=view.body,
            body_html=view.body_html,
            content_warnings=view.warnings,
            status=post.status,
            quote=QuoteOut(post_id=view.quote.post_id, author=view.quote.author, excerpt=view.quote.excerpt)
            if view.quote
            else None,
            created_at=post.created_at,
            edited_at=post.edited_at,
            reactions=ReactionCounts(**{kind: counts.get(kind, 0) for kind in ReactionKind.values}),
            my_reactions=[reaction.kind for reaction in view.reactions if reaction.mine],
            is_mine=view.is_mine,
            can_react=view.can_react,
            can_edit=view.can_edit,
            can_delete=view.can_delete,
            can_reveal=view.can_reveal,
            blocked=view.blocked,
            not_professional_advice=shown and view.post.experience_noted_at is not None,
            better_resource=view.post.experience_resource if shown else None,
            offer_support=False,  # set only in the answer to the writer's own new post
        )


class ThreadSummary(Schema):
    id: int
    community: CommunityRef
    title: str
    status: str
    author: AuthorOut
    content_warnings: list[str]
    is_locked: bool
    is_pinned: bool
    reply_count: int
    created_at: datetime
    last_activity_at: datetime

    @staticmethod
    def fields_of(view: ThreadView) -> dict[str, Any]:
        thread = view.thread
        return {
            "id": thread.pk,
            "community": CommunityRef(slug=thread.community.slug, name=thread.community.name),
            "title": view.title,
            "status": thread.status,
            "author": AuthorOut.of(view.author),
            "content_warnings": view.warnings,
            "is_locked": thread.is_locked,
            "is_pinned": thread.is_pinned,
            "reply_count": thread.reply_count,
            "created_at": thread.created_at,
            "last_activity_at": thread.last_activity_at,
        }

    @staticmethod
    def of(view: ThreadView) -> ThreadSummary:
        return ThreadSummary(**ThreadSummary.fields_of(view))


class FollowOut(Schema):
    following: bool = Field(..., description="Whether you hear of new replies (one notification per thread).")
    muted: bool = Field(..., description="Whether you muted it: you hear nothing from it, not even mentions.")
    can_follow: bool = Field(..., description="Members banned from the community cannot follow its threads.")
    can_mute: bool = Field(..., description="Whether you may mute it, or stop following or muting it.")

    @staticmethod
    def of(view: FollowView) -> FollowOut:
        return FollowOut(following=view.following, muted=view.muted, can_follow=view.can_follow, can_mute=view.can_mute)


class ThreadOut(ThreadSummary):
    opening_post: PostOut | None
    can_reply: bool
    can_moderate: bool
    follow: FollowOut


class ThreadIn(Input):
    # Lengths are checked by the service too, with kinder messages; these bounds stop giant bodies early.
    title: Text = Field(..., max_length=1000)
    body: Text = Field(..., max_length=100_000)
    is_anonymous: Flag = False
    content_warnings: list[ContentWarning] = Field(default_factory=list, max_length=20)


class ReplyIn(Input):
    body: Text = Field(..., max_length=100_000)
    is_anonymous: Flag = False
    content_warnings: list[ContentWarning] = Field(default_factory=list, max_length=20)
    quote_post_id: Id | None = Field(None, description="A visible post in this thread to quote.")


class PostPatch(Input):
    body: Text | None = Field(None, max_length=100_000)
    title: Text | None = Field(None, max_length=1000, description="Only for the opening post; ignored otherwise.")
    content_warnings: list[ContentWarning] | None = Field(None, max_length=20)


class ReasonIn(Input):
    reason: Text = Field("", max_length=500, description="For the moderation log.")


class ExperienceIn(Input):
    marked: bool = Field(True, description="False takes the note off.")
    resource: Text = Field("", max_length=300, description="https://… or an address on this site (/help/).")


class RequiredReasonIn(Input):
    reason: Text = Field(..., max_length=500, description="Kept in the audit log, with your name.")


class ReactionOut(Schema):
    on: bool = Field(..., description="Whether the caller's reaction of this kind is now on.")
    counts: ReactionCounts


class RevealOut(Schema):
    pseudonym: str | None = Field(..., description="Null if the author has deleted their account.")


class RevisionOut(Schema):
    body: str
    title: str
    edited_by: AuthorOut
    created_at: datetime

    @staticmethod
    def of(post: Post, revision: PostRevision) -> RevisionOut:
        editor = presenters.revision_editor(post, revision)
        return RevisionOut(
            body=revision.body, title=revision.title, edited_by=AuthorOut.of(editor), created_at=revision.created_at
        )


class SearchHit(Schema):
    post_id: int
    thread_id: int
    thread_title: str
    community: CommunityRef
    author: AuthorOut
    body: str
    body_html: str
    content_warnings: list[str]
    created_at: datetime


class SpellingOut(Schema):
    query: str = Field(..., description="What was asked, as searched: spaces and control characters tidied.")
    suggestion: str | None = Field(
        ...,
        description="A spelling of the query that finds communities or posts you may read "
        '("Did you mean ...?"), or null. Made from the typed words and a dictionary shipped with the '
        "site, never from what people wrote.",
    )


class ReadingPreferenceIO(Input):
    collapsed_warnings: list[ContentWarning] = Field(
        ..., max_length=20, description="Posts with these warnings stay folded until the reader opens them."
    )
