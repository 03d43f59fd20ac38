"""Communities: the directory, one community, joining and leaving, and starting threads."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status
from ninja.params import P, QueryEx

from alongside.accounts.api_auth import API_AUTH_OR_OPEN_READER, API_AUTH_OR_VISITOR
from alongside.communities import access, selectors, services
from alongside.communities.api.common import (
    OPEN_READ,
    community_for,
    community_out,
    me,
    readable_community,
    reader,
    thread_out,
)
from alongside.communities.api.schemas import (
    READ,
    WRITE,
    AuthorOut,
    CommunityIn,
    CommunityOut,
    CommunityPatch,
    CommunitySummary,
    MembershipOut,
    ThreadIn,
    ThreadOut,
    ThreadSummary,
)
from alongside.communities.models import Thread
from alongside.communities.presenters import listed_thread, person
from alongside.core.api import ListOut, PageNumber, page_fields, page_of, responses
from alongside.core.errors import require
from alongside.safety.services.support import support_suggested

router = Router(tags=["communities"])
COMMUNITIES_PER_PAGE = 50


@router.get(
    "/communities",
    response=responses({200: ListOut[CommunitySummary]}, 401, 403),
    auth=API_AUTH_OR_VISITOR,
    openapi_extra={"security": [{}]},  # OpenAPI's way to say "or no credentials at all"
    summary="The community directory",
    description="Public and private communities, and hidden ones you belong to or are invited to. "
    "Works signed out too (then `my_status` is always null).",
)
def community_directory(request: HttpRequest, page: PageNumber = 1) -> dict[str, Any]:
    communities = selectors.community_directory(user=request.user)
    return page_of(communities, page, COMMUNITIES_PER_PAGE, CommunitySummary.of)


@router.post(
    "/communities", response=responses({201: CommunityOut}, *WRITE), summary="Create a community (administrators)"
)
def community_create(request: HttpRequest, payload: CommunityIn) -> Status[CommunityOut]:
    user = me(request)
    community = services.community_create(
        actor=user,
        name=payload.name,
        slug=payload.slug,
        description=payload.description,
        rules=payload.rules,
        topics=payload.topics,
        visibility=payload.visibility,
    )
    return Status(201, community_out(community_for(user, community.slug)))


@router.get(
    "/communities/{slug}",
    response=responses({200: CommunityOut}, *READ, invalid=False),
    auth=API_AUTH_OR_OPEN_READER,
    openapi_extra=OPEN_READ,
    summary="A community: about, rules, your membership and what you may do",
)
def community_read(request: HttpRequest, slug: str) -> CommunityOut:
    return community_out(community_for(reader(request), slug))


@router.patch(
    "/communities/{slug}", response=responses({200: CommunityOut}, *WRITE), summary="Change a community (hosts)"
)
def community_update(request: HttpRequest, slug: str, payload: CommunityPatch) -> CommunityOut:
    user = me(request)
    viewer = community_for(user, slug)
    values = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    services.community_update(actor=user, community=viewer.community, values=values)
    return community_out(community_for(user, slug))


@router.post(
    "/communities/{slug}/join",
    response=responses({200: MembershipOut}, *READ, invalid=False),
    summary="Join, ask to join (private) or accept an invitation (hidden)",
    description="The answer's `status` is `active` when you are in, `pending` when the moderators decide.",
)
def community_join(request: HttpRequest, slug: str) -> MembershipOut:
    user = me(request)
    return MembershipOut.of(services.community_join(actor=user, community=community_for(user, slug).community))


@router.post(
    "/communities/{slug}/leave",
    response=responses({204: None}, *READ),
    summary="Leave a community (or withdraw a request to join)",
)
def community_leave(request: HttpRequest, slug: str) -> Status[None]:
    user = me(request)
    services.community_leave(actor=user, community=community_for(user, slug).community)
    return Status(204, None)


@router.get(
    "/communities/{slug}/threads",
    response=responses({200: ListOut[ThreadSummary]}, *READ),
    auth=API_AUTH_OR_OPEN_READER,
    openapi_extra=OPEN_READ,
    summary="A community's threads: pinned first, then latest activity",
)
def community_threads(request: HttpRequest, slug: str, page: PageNumber = 1) -> dict[str, Any]:
    viewer = readable_community(reader(request), slug)

    def build(thread: Thread) -> ThreadSummary:
        thread.community = viewer.community  # the list selector did not join it: avoid one query per thread
        return ThreadSummary.of(listed_thread(thread))

    return page_fields(selectors.community_threads(viewer=viewer, page=page), build)


@router.get(
    "/communities/{slug}/waiting",
    response=responses({200: ListOut[ThreadSummary]}, *READ),
    summary="Threads in this community nobody has answered yet, oldest first (members)",
)
def community_waiting(request: HttpRequest, slug: str, page: PageNumber = 1) -> dict[str, Any]:
    user = me(request)
    viewer = readable_community(user, slug)
    threads = selectors.waiting_threads(user=user, community=viewer.community)
    return page_of(threads, page, selectors.THREADS_PER_PAGE, lambda t: ThreadSummary.of(listed_thread(t)))


@router.post(
    "/communities/{slug}/threads",
    response=responses({201: ThreadOut}, *WRITE),
    summary="Start a thread (members)",
    description="Check `status` in the answer: `held` means screening kept it back for a moderator to review; "
    "until then only you and the moderators can see it.",
)
def thread_create(request: HttpRequest, slug: str, payload: ThreadIn) -> Status[ThreadOut]:
    user = me(request)
    viewer = readable_community(user, slug)
    thread = services.thread_create(
        actor=user,
        community=viewer.community,
        title=payload.title,
        body=payload.body,
        is_anonymous=payload.is_anonymous,
        content_warnings=[str(w) for w in payload.content_warnings],
    )
    answer = thread_out(viewer, thread)
    if answer.opening_post is not None:
        answer.opening_post.offer_support = support_suggested(selectors.opening_post(thread=thread).screening_reasons)
    return Status(201, answer)


@router.get(
    "/communities/{slug}/mentionable",
    response=responses({200: ListOut[AuthorOut]}, *READ),
    summary="People you can @mention while writing here (members)",
    description="People who have posted under their own name in this community, whose pseudonym or display "
    "name starts with `prefix`, 8 to a page, never yourself. Writers of anonymous posts and people who only "
    "read are never offered. For suggesting names while someone types.",
)
def community_mentionable(
    request: HttpRequest, slug: str, prefix: QueryEx[str, P(max_length=30)] = "", page: PageNumber = 1
) -> dict[str, Any]:
    viewer = readable_community(me(request), slug)
    require(
        access.check_post_thread_permission(viewer) or access.check_moderate_community_permission(viewer),
        access.REASON_JOIN_FIRST,
    )
    people = selectors.mentionable_people(viewer=viewer, prefix=prefix)
    return page_of(people, page, selectors.MENTION_SUGGESTIONS, lambda user: AuthorOut.of(person(user)))
