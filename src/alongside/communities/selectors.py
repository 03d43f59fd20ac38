"""Reads for communities, with authorization applied. Page selectors run a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from alongside.accounts import selectors as account_selectors
from alongside.accounts.enums import SITE_MODERATOR_ROLES, STAFF_ROLES
from alongside.communities.access import CommunityViewer, check_read_community_permission
from alongside.communities.authorship import authored_by, authored_by_any, sealed_author_id
from alongside.communities.models import (
    Community,
    ContentWarning,
    FollowLevel,
    MemberRole,
    Membership,
    MembershipStatus,
    Post,
    PostRevision,
    PostStatus,
    Reaction,
    ReactionKind,
    ReadingPreference,
    Thread,
    ThreadState,
    Visibility,
)
from alongside.core.errors import NotFound

THREADS_PER_PAGE = 20
POSTS_PER_PAGE = 50
COMMUNITIES_FOUND = 10  # a search shows at most this many communities, above the posts
# What notifications about communities point at (Notification.target_type).
POST_TARGET = Post._meta.label_lower
THREAD_TARGET = Thread._meta.label_lower
_REACTION_KINDS = tuple(ReactionKind.values)
# What a page of posts shows: nothing else is read (no encrypted column is decrypted for nothing).
_SHOWN = (
    "id", "thread_id", "author_id", "author_ref", "is_opening", "body", "body_html", "is_anonymous",
    "content_warnings", "quoted_post_id", "status", "created_at", "edited_at",
    "author__id", "author__username", "author__role", "author__profile__id", "author__profile__user_id",
    "author__profile__display_name", "experience_noted_at", "experience_resource",
)  # fmt: skip


def _active_community_ids(user: Any) -> QuerySet[Membership, Any]:
    """The communities this person is an active member of, as a subquery."""
    return Membership.objects.filter(user=user, status=MembershipStatus.ACTIVE).values("community_id")


def readable_communities(*, user: Any) -> QuerySet[Community]:
    """Every community whose threads this person may read."""
    if user is None or not user.is_authenticated:
        return Community.objects.none()
    if user.role in SITE_MODERATOR_ROLES:
        return Community.objects.all()
    member_of = _active_community_ids(user)
    return Community.objects.filter(Q(visibility=Visibility.PUBLIC) | Q(pk__in=member_of))


def people_seen_by(*, user: Any, among: QuerySet[Any]) -> QuerySet[Any]:
    """Of `among` (accounts), the people this reader may look up (a person's page, a mention's
    link): themselves, staff, and anyone with a post under their own name, visible, in a visible
    thread of a community the reader may read. Not someone who only reads or only posts
    anonymously: looking them up would tell who belongs where."""
    if user is None or not user.is_authenticated:
        return among.none()
    named = Post.objects.filter(
        status=PostStatus.VISIBLE,
        thread__status=PostStatus.VISIBLE,
        author__isnull=False,
        thread__community__in=readable_communities(user=user),
    ).values("author_id")
    return among.filter(Q(pk__in=named) | Q(role__in=STAFF_ROLES) | Q(pk=user.pk))


def community_directory(*, user: Any) -> QuerySet[Community]:
    """Communities listed to this person: public and private ones, and hidden ones they belong to."""
    listed = Q(visibility__in=[Visibility.PUBLIC, Visibility.PRIVATE])
    if user is not None and user.is_authenticated:
        if user.role in SITE_MODERATOR_ROLES:
            listed = Q()
        else:
            mine = Membership.objects.filter(
                user=user, status__in=[MembershipStatus.ACTIVE, MembershipStatus.INVITED]
            ).values("community_id")
            listed |= Q(pk__in=mine)
    queryset = Community.objects.filter(listed).annotate(
        member_count=Count("memberships", filter=Q(memberships__status=MembershipStatus.ACTIVE), distinct=True)
    )
    if user is not None and user.is_authenticated:
        queryset = queryset.annotate(
            my_status=Membership.objects.filter(community=OuterRef("pk"), user=user).values("status")[:1]
        )
    return queryset.order_by("name")


MENTION_SUGGESTIONS = 8


def mentionable_people(*, viewer: CommunityViewer, prefix: str) -> QuerySet[Any]:
    """Whom a member writing in this community is offered to @mention: people who have posted under
    their own name here (visible posts in visible threads), whose pseudonym or display name starts
    with `prefix`. Never the writers of anonymous posts, and never someone who only reads: the
    suggestions must not tell anyone who belongs to a community."""
    prefix = prefix.strip().lstrip("@")
    if not prefix or "\x00" in prefix:
        return Post.objects.none()
    named_here = Post.objects.filter(
        thread__community=viewer.community,
        thread__status=PostStatus.VISIBLE,
        status=PostStatus.VISIBLE,
        author__isnull=False,
    ).values("author_id")
    return (
        account_selectors.people_named_like(prefix=prefix, among=named_here)
        .exclude(pk=viewer.user.pk)
        .order_by("username")
    )


SUGGESTIONS = 4
_NOT_SUGGESTED = {MembershipStatus.ACTIVE, MembershipStatus.PENDING, MembershipStatus.BANNED}


def community_suggestions(*, user: Any, topics: list[str], limit: int = SUGGESTIONS) -> list[Community]:
    """Communities to suggest to someone: listed to them (community_directory), not joined, asked
    for or banned from; those sharing the most of their profile's topics first, then the busiest.
    With no topics chosen, simply the busiest. Ranked here, not in SQL: there are few communities,
    and a JSON list overlap reads differently on each database."""
    chosen = set(topics)
    candidates = [
        community
        for community in community_directory(user=user)
        if getattr(community, "my_status", None) not in _NOT_SUGGESTED
    ]
    for community in candidates:
        community.shared_topics = [topic for topic in community.topics if topic in chosen]  # type: ignore[attr-defined]
    if chosen:
        candidates = [community for community in candidates if community.shared_topics]  # type: ignore[attr-defined]
    candidates.sort(key=lambda c: (-len(c.shared_topics), -c.member_count, c.name))  # type: ignore[attr-defined]
    return candidates[:limit]


def _opening_posts() -> Prefetch[str, QuerySet[Post], str]:
    return Prefetch(
        "posts",
        queryset=_with_community_roles(Post.objects.filter(is_opening=True).select_related("author__profile")),
        to_attr="opening_posts",
    )


def blocked_authors(user: Any) -> Q | None:
    """Posts by the people this person blocked (named or anonymous), as a filter; None when they
    blocked nobody. One query."""
    blocked = account_selectors.blocked_user_ids(user)
    return authored_by_any(blocked) if blocked else None


def _without_blocked_threads(queryset: QuerySet[Thread], user: Any) -> QuerySet[Thread]:
    """Threads whose opening post is by someone this person blocked are left out of their lists."""
    blocked = blocked_authors(user)
    if blocked is None:
        return queryset
    return queryset.exclude(Exists(Post.objects.filter(blocked, thread=OuterRef("pk"), is_opening=True)))


def _with_community_roles(queryset: QuerySet[Post]) -> QuerySet[Post]:
    """`author_community_role` on each post: its named author's role in the post's community (host,
    moderator, member), for their badge. Part of the query that loads the posts."""
    role = Membership.objects.filter(
        community_id=OuterRef("thread__community_id"), user_id=OuterRef("author_id"), status=MembershipStatus.ACTIVE
    ).values("role")[:1]
    return queryset.annotate(author_community_role=Subquery(role))


def _mark_blocked(queryset: QuerySet[Post], user: Any) -> QuerySet[Post]:
    """`blocked_author` on each post: written by someone the viewer blocked (the page hides it)."""
    blocked = blocked_authors(user)
    if blocked is None:
        return queryset.annotate(blocked_author=Value(False, output_field=BooleanField()))
    return queryset.annotate(blocked_author=Case(When(blocked, then=True), default=False, output_field=BooleanField()))


def _threads_seen_by(*, user: Any, moderates: bool) -> Q:
    """Visible threads, plus held ones the viewer wrote (moderators see held ones in review)."""
    shown = Q(status=PostStatus.VISIBLE)
    if user is not None and user.is_authenticated and not moderates:
        own_held = Post.objects.filter(authored_by(user), thread=OuterRef("pk"), is_opening=True)
        shown |= Q(status=PostStatus.HELD) & Q(Exists(own_held))
    elif moderates:
        shown |= Q(status=PostStatus.HELD)
    return shown


def community_threads(*, viewer: CommunityViewer, page: int | str = 1) -> Page[Thread]:
    """A community's threads: pinned first, then latest activity. Two queries plus one count."""
    if not check_read_community_permission(viewer):
        return Paginator(Thread.objects.none(), THREADS_PER_PAGE).get_page(1)
    queryset = (
        Thread.objects.filter(community=viewer.community)
        .filter(_threads_seen_by(user=viewer.user, moderates=viewer.moderates))
        .prefetch_related(_opening_posts())
        .order_by("-is_pinned", "-last_activity_at", "-pk")
    )
    return Paginator(_without_blocked_threads(queryset, viewer.user), THREADS_PER_PAGE).get_page(page)


def waiting_threads(*, user: Any, community: Community | None = None, limit: int | None = None) -> QuerySet[Thread]:
    """Threads nobody has answered yet, oldest first, in communities the person belongs to."""
    if user is None or not user.is_authenticated:
        return Thread.objects.none()
    member_of = _active_community_ids(user)
    queryset = (
        # Locked threads are left out: members cannot answer them.
        Thread.objects.filter(status=PostStatus.VISIBLE, reply_count=0, is_locked=False, community__in=member_of)
        .select_related("community")
        .prefetch_related(_opening_posts())
        .order_by("created_at", "pk")
    )
    muted = ThreadState.objects.filter(thread=OuterRef("pk"), user=user, level=FollowLevel.MUTED)
    queryset = _without_blocked_threads(queryset.exclude(Exists(muted)), user)  # muted: they asked to hear no more
    if community is not None:
        queryset = queryset.filter(community=community)
    return queryset[:limit] if limit else queryset


def feed_threads(*, user: Any, page: int | str = 1) -> Page[Thread]:
    """My feed: latest activity across the communities I belong to."""
    if user is None or not user.is_authenticated:
        return Paginator(Thread.objects.none(), THREADS_PER_PAGE).get_page(1)
    member_of = _active_community_ids(user)
    queryset = (
        Thread.objects.filter(community__in=member_of, status=PostStatus.VISIBLE)
        .select_related("community")
        .prefetch_related(_opening_posts())
        .order_by("-last_activity_at", "-pk")
    )
    return Paginator(_without_blocked_threads(queryset, user), THREADS_PER_PAGE).get_page(page)


def _posts_shown_to(viewer: CommunityViewer) -> Q:
    """Visible and removed posts (a removed one keeps its place, shown as "removed" with nothing of it);
    held ones to their author and moderators."""
    shown = Q(status__in=[PostStatus.VISIBLE, PostStatus.REMOVED])
    if viewer.moderates:
        shown |= Q(status=PostStatus.HELD)
    elif viewer.signed_in:
        shown |= Q(status=PostStatus.HELD) & authored_by(viewer.user)
    return shown


def thread_posts(*, viewer: CommunityViewer, thread: Thread, page: int | str = 1) -> Page[Post]:
    """The posts of a thread as this viewer may see them, each with its reaction counts, the viewer's
    own reactions and the post it quotes: the same few queries whatever the number of posts.
    Each post's `thread` is the given thread, so permission checks on a post never query."""
    if not check_read_community_permission(viewer):
        return Paginator(Post.objects.none(), POSTS_PER_PAGE).get_page(1)
    queryset = _mark_blocked(
        Post.objects.filter(_posts_shown_to(viewer), thread=thread)
        .select_related("author__profile")
        .only(*_SHOWN)
        .order_by("-is_opening", "created_at", "pk"),
        viewer.user,
    )
    queryset = _with_community_roles(queryset)
    result = Paginator(queryset, POSTS_PER_PAGE).get_page(page)
    result.object_list = _with_reactions_and_quotes(viewer, list(result.object_list))
    for post in result.object_list:
        post.thread = thread
    return result


def _with_reactions_and_quotes(viewer: CommunityViewer, posts: list[Post]) -> list[Post]:
    """Set `<kind>_count` and `mine_<kind>` on each post and load the posts they quote. Two small
    queries (three with quotes), instead of grouping the page query by every column it joins."""
    ids = [post.pk for post in posts]
    counts: dict[tuple[int, str], int] = {
        (post_id, kind): number
        for post_id, kind, number in Reaction.objects.filter(post_id__in=ids)
        .values_list("post_id", "kind")
        .annotate(number=Count("pk"))
        .order_by()
    }
    mine: set[tuple[int, str]] = set()
    if viewer.signed_in:
        mine = set(Reaction.objects.filter(post_id__in=ids, user=viewer.user).values_list("post_id", "kind"))
    quoted_ids = {post.quoted_post_id for post in posts if post.quoted_post_id is not None}
    quoted = (
        {
            quote.pk: quote
            for quote in Post.objects.filter(pk__in=quoted_ids).select_related("author__profile").only(*_SHOWN)
        }
        if quoted_ids
        else {}
    )
    for post in posts:
        for kind in _REACTION_KINDS:
            setattr(post, f"{kind}_count", counts.get((post.pk, kind), 0))
            setattr(post, f"mine_{kind}", (post.pk, kind) in mine)
        if post.quoted_post_id is not None:
            post.quoted_post = quoted.get(post.quoted_post_id)
    return posts


def post_annotated(*, viewer: CommunityViewer, post: Post) -> Post:
    """One post (already checked with access_post) with the same extras as thread_posts."""
    shown = _mark_blocked(Post.objects.select_related("author__profile").only(*_SHOWN), viewer.user)
    fresh = _with_community_roles(shown).get(pk=post.pk)
    fresh.thread = post.thread
    return _with_reactions_and_quotes(viewer, [fresh])[0]


def post_page_number(*, viewer: CommunityViewer, post: Post) -> int:
    """Which page of thread_posts shows this post, in one query."""
    if post.is_opening:
        return 1
    earlier = Q(is_opening=True) | Q(created_at__lt=post.created_at) | Q(created_at=post.created_at, pk__lt=post.pk)
    before = Post.objects.filter(thread_id=post.thread_id).filter(_posts_shown_to(viewer)).filter(earlier).count()
    return before // POSTS_PER_PAGE + 1


def has_posted_in(*, user: Any, community: Community) -> bool:
    """Whether this person has written anything in the community (the rules are shown before a first post)."""
    return bool(Post.objects.filter(authored_by(user), thread__community=community).exists())


def held_posts(*, viewer: CommunityViewer) -> QuerySet[Post]:
    """Posts screening held back, and posts the community's rules took down (they may be put back),
    for the community's moderators to review."""
    if not viewer.moderates:
        return Post.objects.none()
    by_rule = Q(status=PostStatus.REMOVED, removed_by_rule__isnull=False)
    return (
        Post.objects.filter(Q(status=PostStatus.HELD) | by_rule, thread__community=viewer.community)
        .select_related("thread", "author__profile", "quoted_post__author__profile")
        .order_by("created_at", "pk")
    )


def held_posts_for(*, user: Any, limit: int = 200) -> list[Post]:
    """`held_posts` of every community this person moderates (all of them for site staff), oldest
    first: the review queue's "held for review"."""
    scope = moderated_community_ids(user=user)
    if scope is not None and not scope:
        return []
    by_rule = Q(status=PostStatus.REMOVED, removed_by_rule__isnull=False)
    posts = Post.objects.filter(Q(status=PostStatus.HELD) | by_rule)
    if scope is not None:
        posts = posts.filter(thread__community_id__in=scope)
    return list(
        posts.select_related("thread__community", "author__profile", "quoted_post__author__profile").order_by(
            "created_at", "pk"
        )[:limit]
    )


def pending_memberships(*, viewer: CommunityViewer) -> QuerySet[Membership]:
    if not viewer.moderates:
        return Membership.objects.none()
    return Membership.objects.filter(community=viewer.community, status=MembershipStatus.PENDING).select_related("user")


def post_revisions(*, viewer: CommunityViewer, post: Post) -> list[PostRevision]:
    """Edit history, for moderators only (an anonymous author's own edits name nobody: see presenters)."""
    if not viewer.moderates:
        return []
    return list(post.revisions.select_related("edited_by__profile"))


def collapsed_warnings_for(*, user: Any) -> set[str]:
    """Content warnings this reader wants collapsed. Everything, unless they chose otherwise."""
    if user is None or not user.is_authenticated:
        return set(ContentWarning.values)
    preference = ReadingPreference.objects.filter(user=user).first()
    return set(ContentWarning.values) if preference is None else set(preference.collapsed_warnings)


def post_search(*, user: Any, query: str, limit: int = 50) -> list[Post]:
    """Full-text search over what this person may read: visible posts in visible threads of
    readable communities. PostgreSQL full-text search there, SQLite FTS5 on the embedded default."""
    from alongside.communities import search

    query = query.strip()
    if not query or user is None or not user.is_authenticated:
        return []
    readable = readable_communities(user=user).values("pk")
    candidates = Post.objects.filter(
        status=PostStatus.VISIBLE, thread__status=PostStatus.VISIBLE, thread__community__in=readable
    )
    blocked = blocked_authors(user)
    if blocked is not None:
        candidates = candidates.exclude(blocked)
    found = search.matching(candidates, query).select_related("thread__community", "author__profile")
    return list(_with_community_roles(found)[:limit])


def community_search(*, user: Any, query: str, limit: int = COMMUNITIES_FOUND) -> list[Community]:
    """Communities listed to this person (`community_directory`: hidden ones only for their members,
    invitees and staff) whose name, topics or description match, best first, with the directory's
    member count and the person's status. Two queries."""
    from alongside.communities import search

    query = query.strip()
    if not query or user is None or not user.is_authenticated:
        return []
    listed = community_directory(user=user)
    candidates = Community.objects.filter(pk__in=listed.order_by().values("pk"))
    ranked = list(search.matching_communities(candidates, query).values_list("pk", flat=True)[:limit])
    found = {community.pk: community for community in listed.filter(pk__in=ranked)}
    return [found[pk] for pk in ranked if pk in found]


@dataclass(frozen=True)
class SearchResults:
    """What a search finds for one reader: communities, then posts, and perhaps a better spelling."""

    typed: str  # what the person searched for
    query: str  # what the results are for: `typed`, or a spelling of it when `typed` found nothing
    communities: list[Community]
    posts: list[Post]
    suggestion: str | None  # a spelling that finds something, offered as a link ("Did you mean ...?")

    @property
    def corrected(self) -> bool:
        return self.query != self.typed


def _better_spelling(*, user: Any, query: str, limit: int) -> tuple[str, list[Community], list[Post]] | None:
    """The spelling of `query` from the shipped vocabulary (`search.spelling_suggestion`) and what
    it finds for this same reader, when it finds something."""
    from alongside.communities import search

    if user is None or not user.is_authenticated:
        return None
    spelled = search.spelling_suggestion(query)
    if spelled is None or spelled.lower() == search.clean_query(query).lower():
        return None
    communities = community_search(user=user, query=spelled)
    posts = post_search(user=user, query=spelled, limit=limit)
    if not communities and not posts:
        return None
    return spelled, communities, posts


def search_suggestion(*, user: Any, query: str) -> str | None:
    """A spelling of `query` that finds something this person may read, or None. Made of the typed
    words and dictionary words only (never of anything people wrote), and offered or not according
    to what this reader may read, so it reveals nothing else."""
    better = _better_spelling(user=user, query=query.strip(), limit=1)
    return better[0] if better else None


def search_results(*, user: Any, query: str, limit: int = 50) -> SearchResults:
    """Communities and posts this person may read that match `query`. When a word looks misspelt
    and its spelling finds something (see `search_suggestion`), that spelling's results are shown
    if `query` found nothing; else it is offered as a suggestion."""
    query = query.strip()
    communities = community_search(user=user, query=query)
    posts = post_search(user=user, query=query, limit=limit)
    better = _better_spelling(user=user, query=query, limit=limit)
    if better is None:
        return SearchResults(query, query, communities, posts, None)
    spelled, spelled_communities, spelled_posts = better
    if not communities and not posts:
        return SearchResults(query, spelled, spelled_communities, spelled_posts, None)
    return SearchResults(query, query, communities, posts, spelled)


def community_member_count(*, community: Community) -> int:
    return Membership.objects.filter(community=community, status=MembershipStatus.ACTIVE).count()


def any_community_exists() -> bool:
    return bool(Community.objects.exists())


def opening_post(*, thread: Thread) -> Post:
    return Post.objects.get(thread=thread, is_opening=True)


# --- Following, reading positions, and what is new ------------------------------------------


def thread_state(*, viewer: CommunityViewer, thread: Thread) -> ThreadState | None:
    """The viewer's state in this thread (following or muted, how far they have read), if any."""
    if not viewer.signed_in:
        return None
    return ThreadState.objects.filter(user=viewer.user, thread=thread).first()


def thread_followers(*, thread: Thread, exclude: Iterable[int] = ()) -> list[int]:
    """The ids of the people following this thread who may still follow it, in one query: the rule of
    access.check_follow_thread_permission, for everyone at once (active accounts, not banned from
    the community; for a private or hidden community its active members and site staff)."""
    if thread.status != PostStatus.VISIBLE:
        return []
    community = thread.community
    states = ThreadState.objects.filter(thread=thread, level=FollowLevel.FOLLOWING, user__is_active=True)
    banned = Membership.objects.filter(community=community, user=OuterRef("user_id"), status=MembershipStatus.BANNED)
    states = states.exclude(Exists(banned))
    if community.visibility != Visibility.PUBLIC:
        active = Membership.objects.filter(
            community=community, user=OuterRef("user_id"), status=MembershipStatus.ACTIVE
        )
        states = states.filter(Q(Exists(active)) | Q(user__role__in=SITE_MODERATOR_ROLES))
    excluded = list(exclude)
    if excluded:
        states = states.exclude(user_id__in=excluded)
    return list(states.values_list("user_id", flat=True))


def thread_muted_by(*, thread: Thread, user_ids: Iterable[int]) -> set[int]:
    """Which of these people muted the thread (they hear nothing from it, mentions included)."""
    ids = list(user_ids)
    if not ids:
        return set()
    muted = ThreadState.objects.filter(thread=thread, user_id__in=ids, level=FollowLevel.MUTED)
    return set(muted.values_list("user_id", flat=True))


@dataclass(frozen=True)
class ResumeAt:
    """Where a returning reader picks a thread up again: a page, and the place on it."""

    page: int
    anchor: str  # "unread" (the first post new to them) or "newest"


def thread_resume_at(*, viewer: CommunityViewer, thread: Thread, state: ThreadState | None) -> ResumeAt | None:
    """The first post that is new to the viewer, or with nothing new the newest post of a thread longer
    than a page. None on a first visit, and for a one-page thread they have read: it opens at its start."""
    if state is None or state.last_read_post_id is None or not check_read_community_permission(viewer):
        return None
    shown = Post.objects.filter(_posts_shown_to(viewer), thread=thread)
    first_new = (
        shown.filter(status=PostStatus.VISIBLE, pk__gt=state.last_read_post_id)
        .order_by("-is_opening", "created_at", "pk")
        .only("pk", "thread_id", "is_opening", "created_at")
        .first()
    )
    if first_new is not None:
        return ResumeAt(post_page_number(viewer=viewer, post=first_new), "unread")
    pages = max(shown.count() - 1, 0) // POSTS_PER_PAGE + 1
    return ResumeAt(pages, "newest") if pages > 1 else None


def readable_posts(*, user: Any) -> QuerySet[Post]:
    """Visible posts of visible threads in communities this person may read (for notifications:
    what may be shown to them of a post, and whether it may be shown at all)."""
    return Post.objects.filter(
        status=PostStatus.VISIBLE,
        thread__status=PostStatus.VISIBLE,
        thread__community__in=readable_communities(user=user).values("pk"),
    )


def readable_threads(*, user: Any) -> QuerySet[Thread]:
    """Visible threads in communities this person may read."""
    return Thread.objects.filter(status=PostStatus.VISIBLE, community__in=readable_communities(user=user).values("pk"))


def new_replies(*, user: Any, excluding: Any = None) -> QuerySet[Post]:
    """Replies this person has not read: visible replies in visible threads they may read, after their
    reading position in each thread (all of them where they have none). Their own replies are never
    new to them: writing one moves their position past it. `excluding`: post ids (a list or a
    subquery) to leave out, e.g. those they were already told of as mentions."""
    position = ThreadState.objects.filter(user=user, thread_id=OuterRef("thread_id")).values("last_read_post_id")[:1]
    queryset = readable_posts(user=user).filter(is_opening=False).filter(pk__gt=Coalesce(Subquery(position), Value(0)))
    if excluding is not None:
        queryset = queryset.exclude(pk__in=excluding)
    return queryset


def still_new_to(*, thread: Thread, recipient_field: str, excluding: Any) -> Exists:
    """For a query over people's rows (e.g. notifications; `recipient_field` names their person):
    whether `thread` still has a reply new to that person, leaving out `excluding` (a subquery
    written for that nesting)."""
    position = ThreadState.objects.filter(thread=thread, user_id=OuterRef(OuterRef(recipient_field))).values(
        "last_read_post_id"
    )[:1]
    replies = (
        Post.objects.filter(thread=thread, status=PostStatus.VISIBLE, is_opening=False)
        .filter(pk__gt=Coalesce(Subquery(position), Value(0)))
        .exclude(pk__in=excluding)
    )
    return Exists(replies)


def new_reply_counts(*, user: Any, thread_ids: Iterable[int], excluding: Any = None) -> dict[int, tuple[int, int]]:
    """For each of these threads with replies new to this person: (how many, the newest one's id). One query."""
    ids = list(thread_ids)
    if not ids:
        return {}
    rows = (
        new_replies(user=user, excluding=excluding)
        .filter(thread_id__in=ids)
        .values("thread_id")
        .annotate(count=Count("pk"), newest=Max("pk"))
        .order_by()
    )
    return {row["thread_id"]: (row["count"], row["newest"]) for row in rows}


def readable_thread_titles(*, user: Any, thread_ids: Iterable[int]) -> dict[int, str]:
    """The titles of those of these threads this person may read. One query (none for no ids)."""
    ids = list(thread_ids)
    if not ids:
        return {}
    return dict(readable_threads(user=user).filter(pk__in=ids).values_list("pk", "title"))


def readable_posts_by_id(*, user: Any, post_ids: Iterable[int]) -> dict[int, Post]:
    """These posts, each with its thread, for those this person may read. One query."""
    ids = list(post_ids)
    if not ids:
        return {}
    posts = readable_posts(user=user).filter(pk__in=ids).select_related("thread", "author__profile").only(*_SNIPPET)
    return {post.pk: post for post in posts}


_SNIPPET = (
    "id", "thread_id", "author_id", "is_anonymous", "body_html", "status", "created_at",
    "thread__id", "thread__title", "thread__community_id", "thread__status",
    "author__id", "author__username", "author__role", "author__profile__id", "author__profile__user_id",
    "author__profile__display_name", "experience_noted_at", "experience_resource",
)  # fmt: skip


def followed_threads_with_news(*, user: Any, limit: int = 8) -> list[Thread]:
    """Threads this person follows with replies new to them (`new_count`), latest activity first.
    Two queries (the threads, and their opening posts)."""
    if user is None or not user.is_authenticated:
        return []
    new = (
        Post.objects.filter(
            thread=OuterRef("thread_id"),
            status=PostStatus.VISIBLE,
            is_opening=False,
            pk__gt=Coalesce(OuterRef("last_read_post_id"), Value(0)),
        )
        .order_by()
        .values("thread_id")
        .annotate(number=Count("pk"))
        .values("number")
    )
    states = (
        ThreadState.objects.filter(
            user=user,
            level=FollowLevel.FOLLOWING,
            thread__status=PostStatus.VISIBLE,
            thread__community__in=readable_communities(user=user).values("pk"),
        )
        .annotate(new_count=Coalesce(Subquery(new), Value(0)))
        .filter(new_count__gt=0)
        .select_related("thread__community")
        .order_by("-thread__last_activity_at", "-thread_id")[:limit]
    )
    threads = []
    for state in states:
        state.thread.new_count = state.new_count  # type: ignore[attr-defined]
        threads.append(state.thread)
    openings = Post.objects.filter(thread__in=threads, is_opening=True).select_related("author__profile")
    by_thread = {post.thread_id: post for post in openings} if threads else {}
    for thread in threads:
        thread.opening_posts = [by_thread[thread.pk]] if thread.pk in by_thread else []  # type: ignore[attr-defined]
    return threads


def my_communities(*, user: Any) -> QuerySet[Community]:
    """The communities this person is an active member of, by name, each with how many of its threads
    wait for a first reply (`waiting_count`)."""
    if user is None or not user.is_authenticated:
        return Community.objects.none()
    waiting = (
        Thread.objects.filter(community=OuterRef("pk"), status=PostStatus.VISIBLE, reply_count=0, is_locked=False)
        .order_by()
        .values("community")
        .annotate(number=Count("pk"))
        .values("number")
    )
    return (
        Community.objects.filter(pk__in=_active_community_ids(user))
        .annotate(waiting_count=Coalesce(Subquery(waiting), Value(0)))
        .order_by("name")
    )


def post_for_worry(*, user: Any, post_id: Any) -> tuple[Post, int | None]:
    """A visible post this person may read, and its writer's id, for "I'm worried about this person"
    (also for an anonymous post: the worry goes to responders, and the reporter learns nothing).
    NotFound for a post they may not read."""
    try:
        post = readable_posts(user=user).select_related("thread").get(pk=int(post_id), status=PostStatus.VISIBLE)
    except (TypeError, ValueError, Post.DoesNotExist):
        raise NotFound() from None
    return post, sealed_author_id(post)


def moderated_community_ids(*, user: Any) -> list[int] | None:
    """The communities this person moderates or hosts; None for site moderators and admins (every
    one); [] for everyone else and for signed-out visitors."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    if user.role in SITE_MODERATOR_ROLES:
        return None
    if user.suspended:
        return []  # a paused moderator moderates nothing (access.CommunityViewer.moderates)
    return list(
        Membership.objects.filter(
            Q(muted_until__isnull=True) | Q(muted_until__lte=timezone.now()),
            user=user,
            status=MembershipStatus.ACTIVE,
            role__in=(MemberRole.MODERATOR, MemberRole.HOST),
            warning_pending=False,
        ).values_list("community_id", flat=True)
    )


def post_for_sanction(*, user: Any, post_id: Any) -> tuple[Post, int | None]:
    """A post (in any state: a removed one too) in a community this person moderates, and its
    writer's id, for a warning, mute or ban of whoever wrote it: the moderator learns nothing of an
    anonymous writer. NotFound for any other post."""
    scope = moderated_community_ids(user=user)
    posts = Post.objects.select_related("thread__community")
    if scope is not None:
        posts = posts.filter(thread__community_id__in=scope)
    try:
        post = posts.get(pk=int(post_id))
    except (TypeError, ValueError, Post.DoesNotExist):
        raise NotFound() from None
    return post, sealed_author_id(post)


def membership_of(*, community: Community, user: Any) -> Membership | None:
    return Membership.objects.filter(community=community, user=user).first()


def audit_target_refs(*, community_id: int) -> tuple[QuerySet[Post, Any], QuerySet[Thread, Any]]:
    """The community's posts' and threads' ids as text, as audit entries name their targets (for the
    moderation log)."""
    posts = Post.objects.filter(thread__community_id=community_id).annotate(ref=Cast("pk", CharField()))
    threads = Thread.objects.filter(community_id=community_id).annotate(ref=Cast("pk", CharField()))
    return posts.values("ref"), threads.values("ref")


def sealed_writer_id(*, post: Post) -> int | None:
    """Who wrote a post, for a check that never shows it (an anonymous writer stays anonymous)."""
    return sealed_author_id(post)


def post_before(*, post: Post) -> Post | None:
    """The visible post just before a reply in its thread (the review queue's context for a reply)."""
    if post.is_opening:
        return None
    return (
        Post.objects.filter(thread_id=post.thread_id, status=PostStatus.VISIBLE, created_at__lte=post.created_at)
        .exclude(pk=post.pk)
        .order_by("-created_at", "-pk")
        .first()
    )


def holds_new_first_posts(*, community_id: int) -> bool:
    return Community.objects.filter(pk=community_id, hold_new_first_posts=True).exists()


def has_visible_post_in(*, user: Any, community_id: int) -> bool:
    return Post.objects.filter(authored_by(user), thread__community_id=community_id, status=PostStatus.VISIBLE).exists()


def community_moderator_ids(*, community_id: int) -> list[int]:
    """The active moderators and hosts of a community."""
    return list(
        Membership.objects.filter(
            community_id=community_id,
            status=MembershipStatus.ACTIVE,
            role__in=(MemberRole.MODERATOR, MemberRole.HOST),
            user__is_active=True,
        ).values_list("user_id", flat=True)
    )


# --- For the moderation rules (moderation.screening) ------------------------------------------


def posts_written_by(*, user: Any) -> QuerySet[Post]:
    """Every post and reply this person wrote, named or anonymous, whatever its state."""
    return Post.objects.filter(authored_by(user))


def author_history(*, user: Any, community_id: int, removal_windows: Iterable[int] = ()) -> dict[str, Any]:
    """What the moderation rules may ask of a writer: their visible posts and replies in this community
    and everywhere, and how many of theirs were removed among those written in each of the last
    N days. One query."""
    now = timezone.now()
    here = Q(thread__community_id=community_id)
    visible = Q(status=PostStatus.VISIBLE)
    counts = {
        "posts_in_community": Count("pk", filter=visible & here & Q(is_opening=True)),
        "replies_in_community": Count("pk", filter=visible & here & Q(is_opening=False)),
        "posts_total": Count("pk", filter=visible & Q(is_opening=True)),
        "replies_total": Count("pk", filter=visible & Q(is_opening=False)),
    }
    for days in removal_windows:
        since = now - timedelta(days=days)
        counts[f"removed_{days}"] = Count("pk", filter=Q(status=PostStatus.REMOVED, created_at__gte=since))
    found = Post.objects.filter(authored_by(user)).aggregate(**counts)
    return {
        **{key: found[key] for key in ("posts_in_community", "replies_in_community", "posts_total", "replies_total")},
        "removals_recent": {days: found[f"removed_{days}"] for days in removal_windows},
    }


def recent_posts(*, community_id: int | None, limit: int = 500) -> list[tuple[Post, int | None, int | None]]:
    """A community's (None: every community's) latest posts and replies (any state), newest first,
    each with its writer's id and its thread's opener's id (sealed authors for anonymous posts): what
    a dry run of new rules looks at. Two queries. Only for callers that checked the viewer hosts the
    community (or, for the whole site, is an administrator)."""
    found = Post.objects.all() if community_id is None else Post.objects.filter(thread__community_id=community_id)
    posts = list(found.select_related("thread").order_by("-created_at", "-pk")[:limit])
    openers = {
        post.thread_id: sealed_author_id(post)
        for post in Post.objects.filter(thread_id__in={post.thread_id for post in posts}, is_opening=True)
    }
    return [(post, sealed_author_id(post), openers.get(post.thread_id)) for post in posts]


def visible_post_for_scan(*, post_id: int) -> Post | None:
    """A post still visible, for a background scan (the toxicity signal); None once it is not."""
    return Post.objects.select_related("thread").filter(pk=post_id, status=PostStatus.VISIBLE).first()


def posts_by_month(*, since: Any) -> dict[str, tuple[int, int]]:
    """Per month: posts and replies written, and by how many named writers (anonymous totals; the
    writers of anonymous posts are not counted as people, so small groups are hidden sooner)."""
    from alongside.core.aggregates import count_by_month

    return count_by_month(Post.objects.filter(created_at__gte=since), person="author_id")
