"""Post search (`selectors.post_search` over `communities.search`), on whichever database runs
the tests: PostgreSQL full-text search or SQLite FTS5. Both must find the same things and never
show a reader anything they could not open."""

from __future__ import annotations

import pytest
from django.db import connection

from alongside.accounts.models import User
from alongside.communities import search, selectors, services
from alongside.communities.models import Community, Post, PostStatus, Thread, Visibility
from alongside.core.models import BlockedTerm, ScreeningAction

pytestmark = pytest.mark.django_db


@pytest.fixture
def community(admin_user: User, member: User, other_member: User) -> Community:
    community = services.community_create(actor=admin_user, name="Sleep and rest", description="Nights are hard.")
    services.community_join(actor=member, community=community)
    services.community_join(actor=other_member, community=community)
    return community


def found(user: User, query: str) -> list[int]:
    return [post.pk for post in selectors.post_search(user=user, query=query)]


def opening(thread: Thread) -> Post:
    return Post.objects.get(thread=thread, is_opening=True)


def start(actor: User, community: Community, title: str, body: str, **kwargs) -> Post:
    return opening(services.thread_create(actor=actor, community=community, title=title, body=body, **kwargs))


# --- Finding things ----------------------------------------------------------------------------


def test_finds_a_post_by_a_word_in_its_body(community, member, other_member):
    post = start(member, community, "Evenings", "The kettle and a warm blanket help me unwind.")
    start(member, community, "Mornings", "Coffee first, then a short walk.")

    assert found(other_member, "blanket") == [post.pk]
    assert found(other_member, "BLANKET unwind") == [post.pk]


def test_finds_the_opening_post_by_a_word_in_the_thread_title(community, member, other_member):
    post = start(member, community, "Insomnia again", "Awake since three, reading on the sofa.")
    reply = services.post_reply(actor=other_member, thread=post.thread, body="Same here, the sofa is my friend.")

    assert found(other_member, "insomnia") == [post.pk]
    assert reply.pk not in found(other_member, "insomnia")
    # Words split between the title and the body still match, together.
    assert found(other_member, "insomnia reading") == [post.pk]


def test_stemming_finds_other_forms_of_a_word(community, member, other_member):
    post = start(member, community, "Needed to talk", "I talked with my sister for an hour.")
    services.post_reply(actor=other_member, thread=post.thread, body="Writing it down works for me.")

    assert found(other_member, "talking") == [post.pk]
    assert found(other_member, "talks") == [post.pk]
    assert len(found(other_member, "writes")) == 1


def test_every_word_must_match_and_stop_words_are_ignored(community, member, other_member):
    both = start(member, community, "Tea", "Chamomile tea before bed helps.")
    start(member, community, "Tea again", "Green tea keeps me awake.")

    assert found(other_member, "tea chamomile") == [both.pk]
    assert found(other_member, "what is the chamomile tea for") == [both.pk]
    assert found(other_member, "the and of") == []


def test_phrases_or_and_exclusion(community, member, other_member):
    warm = start(member, community, "Baths", "A warm bath before bed.")
    cold = start(member, community, "Showers", "A cold shower wakes me up.")
    start(member, community, "Rain", "Bath time is warm and calm, rain outside.")

    assert found(other_member, '"warm bath"') == [warm.pk]
    assert set(found(other_member, "shower or bath")) >= {warm.pk, cold.pk}
    assert found(other_member, "bath -rain") == [warm.pk]
    assert found(other_member, "-rain") == []  # nothing to look for, only something to leave out


def test_best_match_first(community, member, other_member):
    passing = start(member, community, "Routines", "Some nights I try breathing exercises, some nights not.")
    focused = start(member, community, "Breathing exercises", "Breathing slowly, counting each breathing cycle.")

    assert found(other_member, "breathing") == [focused.pk, passing.pk]


# --- Never showing what the reader may not see ---------------------------------------------------


def test_private_community_posts_are_found_by_members_only(admin_user, member, other_member, community):
    private = services.community_create(actor=admin_user, name="Night shift", visibility=Visibility.PRIVATE)
    request = services.community_join(actor=member, community=private)
    services.membership_decide(actor=admin_user, membership=request, approve=True)
    secret = start(member, private, "Lanterns", "The lighthouse keeper's lanterns.")

    assert found(member, "lighthouse") == [secret.pk]
    assert found(admin_user, "lighthouse") == [secret.pk]  # site staff read every community
    assert found(other_member, "lighthouse") == []
    services.community_join(actor=other_member, community=private)  # asked, not yet approved
    assert found(other_member, "lighthouse") == []


def test_hidden_community_posts_are_found_by_members_only(admin_user, member, other_member, community):
    hidden = services.community_create(actor=admin_user, name="Listeners", visibility=Visibility.HIDDEN)
    services.community_invite(actor=admin_user, community=hidden, invitee=member)
    services.community_invite(actor=admin_user, community=hidden, invitee=other_member)
    services.community_join(actor=member, community=hidden)
    secret = start(member, hidden, "Debrief", "Quiet harbour after a long shift.")

    assert found(member, "harbour") == [secret.pk]
    assert found(other_member, "harbour") == []  # invited, not yet a member


def test_held_removed_posts_and_removed_threads_are_never_found(community, member, other_member):
    BlockedTerm.objects.create(term="casino", action=ScreeningAction.HOLD)
    thread_post = start(member, community, "Candles", "Lavender candles at night.")
    held = services.post_reply(actor=member, thread=thread_post.thread, body="Lavender casino offer.")
    removed = services.post_reply(actor=member, thread=thread_post.thread, body="Lavender oil on the pillow.")
    services.post_delete(actor=member, post=removed)
    gone = start(member, community, "Lavender fields", "Lavender everywhere in this thread.")
    reply_in_gone = services.post_reply(actor=other_member, thread=gone.thread, body="Lavender is lovely.")
    services.post_delete(actor=member, post=gone)

    assert held.status == PostStatus.HELD
    assert found(other_member, "lavender") == [thread_post.pk]
    assert found(member, "lavender") == [thread_post.pk]  # not even one's own held post
    assert reply_in_gone.pk not in found(member, "lavender")


def test_signed_out_and_empty_queries_find_nothing(community, member):
    from django.contrib.auth.models import AnonymousUser

    start(member, community, "Walks", "Evening walks by the canal.")

    assert selectors.post_search(user=AnonymousUser(), query="canal") == []
    assert selectors.post_search(user=None, query="canal") == []
    assert found(member, "   ") == []


# --- Keeping the index in step -------------------------------------------------------------------


def test_an_edit_replaces_the_old_words(community, member, other_member):
    post = start(member, community, "Notebook", "I keep a paper diary by the bed.")
    reply = services.post_reply(actor=member, thread=post.thread, body="The diary helps on bad nights.")

    services.post_edit(actor=member, post=reply, body="The journal helps on bad nights.")
    services.post_edit(actor=member, post=post, body="I keep a paper journal by the bed.", title="Journal")

    assert found(other_member, "diary") == []
    assert found(other_member, "notebook") == []
    assert set(found(other_member, "journal")) == {post.pk, reply.pk}
    assert found(other_member, "journal paper") == [post.pk]


def test_a_deleted_row_leaves_the_index(community, member, other_member):
    post = start(member, community, "Owls", "Owls hooting outside the window.")

    Thread.objects.filter(pk=post.thread_id).delete()

    assert found(other_member, "owls") == []
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM communities_post_fts WHERE rowid = %s", [post.pk])
            assert cursor.fetchone()[0] == 0


# --- Whatever people type ------------------------------------------------------------------------

WEIRD = [
    '"', '""', '"""', "(", ")", "()", "AND", "OR", "NOT", "and or not", "NEAR(a b)", "NEAR", "*", "a*", "*a",
    ":", "title:", "body:owls", "^owls", "owls^", "{title body}:owls", "-", "--", "- -owls", "-owls", "owls -",
    "or owls", "owls or", "'", "' OR '1'='1", "'; DROP TABLE communities_post; --", "\\", "%", "_", "%_%",
    "[owls]", "😀", "😀 owls", "owls😀", "\x00", "owls\x00", "\ud800owls", "\u200b", "ﬁre", "Ωμέγα", "猫",
    "a" * 10000, "owls " * 3000, '"owls' * 500, "\n\t\r", "NEAR/2", "@owls", "#owls", "$", "&|!", "!owls",
    "owls & night", "owls | night", "owls <-> night", "owls:*", "'owls':A",
]  # fmt: skip


def test_any_input_is_safe(community, member, other_member):
    start(member, community, "Owls", "Owls hooting outside the window at night.")

    for query in WEIRD:
        result = selectors.post_search(user=other_member, query=query)
        assert isinstance(result, list), query
        assert len(result) <= 1, query


def test_punctuation_around_a_word_still_finds_it(community, member, other_member):
    post = start(member, community, "Owls", "Owls hooting outside the window at night.")

    for query in ["(owls)", '"owls', "owls*", "OWLS:", "owls!!!", "owls AND", "the owls", "owls\x00", "😀 owls"]:
        assert found(other_member, query) == [post.pk], query


def test_queries_without_word_characters_find_nothing(community, member, other_member):
    start(member, community, "Dots", "... --- ... ❤️ 😀")

    assert found(other_member, "...") == []
    assert found(other_member, "❤️ 😀") == []


def test_fts5_expression_quotes_every_term():
    assert (
        search.fts5_expression('sleep or rest -work "bad day" AND')
        == '(("sleep" OR "slept" OR "rest") AND ("bad day")) NOT ("work")'
    )
    assert search.fts5_expression('say "hi') == '("say" OR "said") AND ("hi")'
    assert search.fts5_expression("NEAR(a b)") == '("near") AND ("b")'  # "a" is a stop word
    assert search.fts5_expression('"the owls of the night"') == '("owls of the night")'  # ends trimmed
    assert search.fts5_expression('"the and" owls') == '("owls")'  # only stop words: ignored
    assert search.fts5_expression("-only") == ""
    assert search.fts5_expression("😀 ***") == ""
    assert search.clean_query("a\x00b\u200b  c") == "a b c"
    assert len(search.clean_query("x" * 10000)) == search.QUERY_MAX_CHARS


# --- Transactional tests (SQLite flushes tables with DELETE between them) ------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_", [1, 2])
def test_index_survives_the_flush_between_transactional_tests(admin_user, member, round_):
    community = services.community_create(actor=admin_user, name="Flush test")
    services.community_join(actor=member, community=community)
    post = start(member, community, f"Round {round_}", "Foxes at the bottom of the garden.")

    assert found(member, "foxes") == [post.pk]
    assert found(member, "round") == [post.pk]


# --- Demo data -----------------------------------------------------------------------------------


def test_demo_communities_are_created_once_and_searchable(
    admin_user, member, other_member, listener, moderator, facilitator
):
    from alongside.demo.communities import communities_demo_create

    people = [member, other_member, listener, moderator, facilitator]
    created = communities_demo_create(admin=admin_user, members=people)

    assert [c.name for c in created] == [
        "Anxiety support",
        "Grief and loss",
        "Recovery together",
        "Parents and carers",
        "Students",
        "Listeners' lounge",
    ]
    assert communities_demo_create(admin=admin_user, members=[member]) == []
    assert Thread.objects.filter(is_pinned=True).count() == len(created)
    assert [t.title for t in selectors.waiting_threads(user=member)] == ["Can't start my dissertation"]
    assert Post.objects.filter(is_anonymous=True).exists()
    assert Post.objects.exclude(content_warnings=[]).exists()
    assert not Post.objects.exclude(status=PostStatus.VISIBLE).exists()
    assert [p.thread.title for p in selectors.post_search(user=member, query="dissertation")] == [
        "Can't start my dissertation"
    ]
    # The hidden lounge (listeners and staff) is found only by the people in it.
    assert found(member, "supervision") == []
    assert len(found(listener, "supervision")) == 1


# --- The search page: communities above posts, and spelling ---------------------------------------


def test_the_page_shows_matching_communities_above_posts(admin_user, community, member):
    from django.urls import reverse

    from tests.fixtures import client_for

    services.community_update(actor=admin_user, community=community, values={"topics": ["anxiety"]})
    start(member, community, "Worried", "My anxiety keeps me up.")
    hidden = services.community_create(actor=admin_user, name="Anxiety listeners", visibility=Visibility.HIDDEN)

    page = client_for(member).get(reverse("communities:search"), {"q": "anxiety"}).content.decode()

    assert page.index("Sleep and rest") < page.index("Worried")
    assert "1 community" in page
    assert "1 post" in page
    assert "Topics: Anxiety" in page
    assert hidden.name not in page  # hidden, and they are not in it


def test_the_page_shows_what_a_better_spelling_finds_and_offers_it_as_a_link(community, member, other_member):
    from django.urls import reverse

    from tests.fixtures import client_for

    start(member, community, "Worried", "My anxiety keeps me up.")
    reader = client_for(other_member)

    corrected = reader.get(reverse("communities:search"), {"q": "anxeity"}).content.decode()
    assert "Nothing matched “anxeity”. Showing results for “anxiety”." in corrected
    assert "Worried" in corrected

    start(member, community, "Typo", "My anxeity is worse today.")
    offered = reader.get(reverse("communities:search"), {"q": "anxeity"}).content.decode()
    assert 'Did you mean: <a href="/search/?q=anxiety">anxiety</a>?' in offered
    assert "Typo" in offered
    assert "Worried" not in offered


def test_topic_words_follow_the_communitys_topics(admin_user, community, member):
    services.community_update(actor=admin_user, community=community, values={"topics": ["chronic_illness"]})
    assert [c.pk for c in selectors.community_search(user=member, query="illness")] == [community.pk]

    services.community_update(actor=admin_user, community=community, values={"topics": ["grief"]})
    assert selectors.community_search(user=member, query="illness") == []
    assert [c.pk for c in selectors.community_search(user=member, query="loss")] == [community.pk]
    services.community_update(actor=admin_user, community=community, values={"name": "Night owls"})
    assert [c.pk for c in selectors.community_search(user=member, query="owls")] == [community.pk]
    assert selectors.community_search(user=member, query="rest") == []


def test_any_input_is_safe_for_communities_and_spelling(community, member):
    for query in WEIRD:
        results = selectors.search_results(user=member, query=query)
        assert isinstance(results.communities, list), query
        assert results.suggestion is None or isinstance(results.suggestion, str), query


def test_spelling_is_bounded_and_never_guesses_short_or_foreign_words():
    assert search.spelling_suggestion("anxeity and depresion") == "anxiety and depression"
    assert search.spelling_suggestion("anxiety") is None
    assert search.spelling_suggestion("slep") == "sleep"  # the product's words first
    assert search.spelling_suggestion("zzq") is None  # too short to guess
    assert search.spelling_suggestion("Ωμέγα café") is None
    assert search.spelling_suggestion("-anxeity") is None  # only words to find are corrected
    # At most WORDS_CHECKED unknown words are looked at.
    assert (
        search.spelling_suggestion("anxeity anxeity xqa depresion insomina lonley worying")
        == "anxiety anxiety xqa depression insomnia lonely worying"
    )


def test_no_irregular_form_is_a_stop_word_to_porter():
    """SQLite's Porter stemmer must not turn a form search asks for into a stop word ("ate" -> "at"):
    FTS5 would then find nearly every post, and PostgreSQL would not."""
    import sqlite3

    from alongside.communities import search_words

    forms = sorted({form for word in search_words._FAMILY_OF for form in search_words.word_forms(word)})
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize = 'porter unicode61')")
    db.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'instance')")
    db.executemany("INSERT INTO t (rowid, x) VALUES (?, ?)", list(enumerate(forms, start=1)))
    stems = {forms[doc - 1]: term for term, doc in db.execute("SELECT term, doc FROM v")}
    assert {form: stem for form, stem in stems.items() if stem in search.STOP_WORDS} == {}
    assert "ate" not in search_words.word_forms("eat")
    assert search_words.word_forms("ate") == ("eat", "eaten")


def test_distressing_words_are_never_suggested():
    from alongside.communities import search_words

    for typed in ("suicde", "raepd", "rapeing", "kiled", "murdr", "abuze"):
        assert search_words.correction(typed) not in search_words.NEVER_SUGGESTED, typed
    assert search_words.correction("anxeity") == "anxiety"
    assert search.spelling_suggestion("suicde") is None


def test_the_search_page_runs_the_same_queries_however_many_it_finds(community, member, other_member):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from tests.fixtures import client_for

    reader = client_for(other_member)
    start(member, community, "Kettle", "A kettle on the stove.")
    reader.get(reverse("communities:search"), {"q": "kettle"})  # the session and the vocabulary, once
    with CaptureQueriesContext(connection) as one:
        assert "Kettle" in reader.get(reverse("communities:search"), {"q": "kettle"}).content.decode()
    for number in range(6):
        start(member, community, f"Kettle {number}", "Another kettle.", is_anonymous=number % 2 == 0)
    with CaptureQueriesContext(connection) as seven:
        assert "7 posts" in reader.get(reverse("communities:search"), {"q": "kettle"}).content.decode()

    assert len(seven.captured_queries) == len(one.captured_queries)
