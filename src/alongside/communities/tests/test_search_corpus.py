"""Every query of the shared corpus (`search_corpus.py`) gives exactly its expected communities and
posts, spelling and suggestion, on whichever database runs the tests: PostgreSQL full-text search
or SQLite FTS5. The corpus is written once per module through the services, as people would."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction

from alongside.accounts.enums import Role
from alongside.accounts.models import User
from alongside.communities import selectors, services
from alongside.communities.models import Community, Post, PostStatus, Visibility
from alongside.communities.tests.search_corpus import CASES, COMMUNITIES, HELD_TERM, POSTS, Case
from alongside.core.models import BlockedTerm, ScreeningAction
from tests.personas import make_person

pytestmark = pytest.mark.django_db


@dataclass
class Corpus:
    readers: dict[str, User]
    communities: dict[str, Community]
    posts: dict[str, Post]

    def post_keys(self, posts: list[Post]) -> set[str]:
        names = {post.pk: key for key, post in self.posts.items()}
        return {names.get(post.pk, f"unknown post {post.pk}") for post in posts}

    def community_keys(self, communities: list[Community]) -> set[str]:
        names = {community.pk: key for key, community in self.communities.items()}
        return {names.get(community.pk, f"unknown community {community.pk}") for community in communities}


def _build() -> Corpus:
    admin = make_person("corpus_lead", Role.ADMIN)
    writer = make_person("corpus_writer")
    insider = make_person("corpus_insider")
    outsider = make_person("corpus_outsider")
    BlockedTerm.objects.create(term=HELD_TERM, action=ScreeningAction.HOLD)
    communities: dict[str, Community] = {}
    for key, seed in COMMUNITIES.items():
        community = services.community_create(
            actor=admin,
            name=seed.name,
            description=seed.description,
            topics=list(seed.topics),
            visibility=seed.visibility,
        )
        for person in (writer, insider) if seed.visibility != Visibility.PUBLIC else (writer,):
            if seed.visibility == Visibility.HIDDEN:
                services.community_invite(actor=admin, community=community, invitee=person)
            membership = services.community_join(actor=person, community=community)
            if seed.visibility == Visibility.PRIVATE:
                services.membership_decide(actor=admin, membership=membership, approve=True)
        communities[key] = community
    posts: dict[str, Post] = {}
    for key, item in POSTS.items():
        community = communities[item.community]
        if item.title:
            thread = services.thread_create(
                actor=writer, community=community, title=item.title, body=item.body, is_anonymous=item.anonymous
            )
            post = selectors.opening_post(thread=thread)
        else:
            parent = posts[item.reply_to]
            post = services.post_reply(actor=writer, thread=parent.thread, body=item.body, is_anonymous=item.anonymous)
        if item.removed:
            services.post_delete(actor=writer, post=post)
        post.refresh_from_db()
        expected = PostStatus.HELD if item.held else PostStatus.REMOVED if item.removed else PostStatus.VISIBLE
        assert post.status == expected, f"{key}: {post.status}, screening reasons {post.screening_reasons}"
        posts[key] = post
    return Corpus({"writer": writer, "insider": insider, "outsider": outsider}, communities, posts)


@pytest.fixture(scope="module")
def corpus(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Corpus]:
    """Written once for the module inside a transaction, rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield _build()
        transaction.set_rollback(True)


def test_the_corpus_is_large_and_covers_what_the_issue_asks() -> None:
    queries = [case.query for case in CASES]
    assert len(CASES) >= 40
    assert {"sleep", "panic attack", "anxeity"} <= set(queries)
    assert any(case.reader == "insider" for case in CASES)
    assert any(case.query_used for case in CASES)
    assert any(case.suggestion for case in CASES)
    assert {"held", "removed", "hidden", "private", "anonymous"} <= set(POSTS)
    assert len({case.label for case in CASES}) == len(CASES), "each query and reader once"


@pytest.mark.parametrize("case", CASES, ids=[case.label for case in CASES])
def test_corpus_query(corpus: Corpus, case: Case) -> None:
    results = selectors.search_results(user=corpus.readers[case.reader], query=case.query)

    assert (corpus.community_keys(results.communities), corpus.post_keys(results.posts)) == (
        set(case.communities),
        set(case.posts),
    )
    assert results.query == (case.query_used or case.query)
    assert results.suggestion == case.suggestion


def test_the_corpus_finds_nothing_for_people_signed_out(corpus: Corpus) -> None:
    from django.contrib.auth.models import AnonymousUser

    for case in CASES:
        results = selectors.search_results(user=AnonymousUser(), query=case.query)
        assert (results.communities, results.posts, results.suggestion) == ([], [], None), case.query
