"""Across communities: my feed, threads waiting for a reply, search, and reading preferences."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router
from ninja.params import P, QueryEx

from alongside.communities import selectors, services
from alongside.communities.api.common import me
from alongside.communities.api.schemas import (
    LIST,
    AuthorOut,
    CommunityRef,
    CommunitySummary,
    ReadingPreferenceIO,
    SearchHit,
    SpellingOut,
    ThreadSummary,
)
from alongside.communities.forms import SearchForm
from alongside.communities.models import ContentWarning, Post
from alongside.communities.presenters import author_of, listed_thread
from alongside.communities.search import clean_query
from alongside.core.api import ListOut, PageNumber, page_fields, page_of, responses
from alongside.core.errors import Invalid

router = Router(tags=["communities"])
SEARCH_PER_PAGE = 50


def _summary(thread: Any) -> ThreadSummary:
    return ThreadSummary.of(listed_thread(thread))


@router.get(
    "/feed",
    response=responses({200: ListOut[ThreadSummary]}, *LIST),
    summary="Latest activity in the communities you belong to",
)
def feed(request: HttpRequest, page: PageNumber = 1) -> dict[str, Any]:
    return page_fields(selectors.feed_threads(user=me(request), page=page), _summary)


@router.get(
    "/waiting",
    response=responses({200: ListOut[ThreadSummary]}, *LIST),
    summary="Threads nobody has answered yet in your communities, oldest first",
)
def waiting(request: HttpRequest, page: PageNumber = 1) -> dict[str, Any]:
    return page_of(selectors.waiting_threads(user=me(request)), page, selectors.THREADS_PER_PAGE, _summary)


def _hit(post: Post) -> SearchHit:
    return SearchHit(
        post_id=post.pk,
        thread_id=post.thread_id,
        thread_title=post.thread.title,
        community=CommunityRef(slug=post.thread.community.slug, name=post.thread.community.name),
        author=AuthorOut.of(author_of(post)),
        body=post.body,
        body_html=post.body_html,
        content_warnings=list(post.content_warnings),
        created_at=post.created_at,
    )


SearchText = QueryEx[str, P(max_length=200, description='Words, "a phrase", this or that, -not_this.')]


def _search_text(q: str) -> str:
    form = SearchForm(data={"q": q})
    if not form.is_valid():
        raise Invalid({field: [str(e) for e in errors] for field, errors in form.errors.items()})
    return str(form.cleaned_data["q"])


@router.get(
    "/search",
    response=responses({200: ListOut[SearchHit]}, *LIST),
    summary="Search the posts you may read",
    description="Up to 50 matching visible posts, best first. An empty query finds nothing. Other forms "
    'of a word count ("sleep" finds "slept" and "sleeping"). For a misspelt word, ask /search/spelling.',
)
def search(request: HttpRequest, q: SearchText = "", page: PageNumber = 1) -> dict[str, Any]:
    hits = selectors.post_search(user=me(request), query=_search_text(q))
    return page_of(hits, page, SEARCH_PER_PAGE, _hit)


@router.get(
    "/search/communities",
    response=responses({200: ListOut[CommunitySummary]}, *LIST),
    summary="Search the communities you can see, by name, topics and description",
    description="Up to 10 communities, best first: public and private ones, and hidden ones you belong "
    "to or are invited to (as in the directory). An empty query finds nothing.",
)
def search_communities(request: HttpRequest, q: SearchText = "", page: PageNumber = 1) -> dict[str, Any]:
    found = selectors.community_search(user=me(request), query=_search_text(q))
    return page_of(found, page, selectors.COMMUNITIES_FOUND, CommunitySummary.of)


@router.get(
    "/search/spelling",
    response=responses({200: SpellingOut}, *LIST),
    summary="A better spelling of a search, when it finds something",
    description='For "anxeity": "anxiety", if that finds communities or posts you may read. Words the '
    "dictionary knows are left as they are.",
)
def search_spelling(request: HttpRequest, q: SearchText = "") -> SpellingOut:
    text = _search_text(q)
    return SpellingOut(query=clean_query(text), suggestion=selectors.search_suggestion(user=me(request), query=text))


@router.get(
    "/me/reading-preferences",
    response=responses({200: ReadingPreferenceIO}, *LIST, invalid=False),
    summary="Which content warnings you want folded away",
    description="Until you choose, every content warning is folded.",
)
def reading_preferences_read(request: HttpRequest) -> ReadingPreferenceIO:
    collapsed = selectors.collapsed_warnings_for(user=me(request))
    return ReadingPreferenceIO(collapsed_warnings=[ContentWarning(w) for w in ContentWarning.values if w in collapsed])


@router.put(
    "/me/reading-preferences",
    response=responses({200: ReadingPreferenceIO}, 400, 401, 403),
    summary="Choose which content warnings to fold away",
)
def reading_preferences_update(request: HttpRequest, payload: ReadingPreferenceIO) -> ReadingPreferenceIO:
    preference = services.reading_preference_update(
        actor=me(request), collapsed_warnings=[str(w) for w in payload.collapsed_warnings]
    )
    return ReadingPreferenceIO(collapsed_warnings=[ContentWarning(w) for w in preference.collapsed_warnings])
