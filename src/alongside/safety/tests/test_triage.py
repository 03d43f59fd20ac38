"""The triage guide, "What brings you here today?": routing with the real embedding model and with
the keyword fallback, the crisis panel first, what the guide says about itself, that the words are
never stored (not even in the session), and CSRF on every post."""

from __future__ import annotations

import html
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from alongside.accounts.models import Role
from alongside.communities import services as community_services
from alongside.communities.models import Community, Visibility
from alongside.safety.classifier import embeddings
from alongside.safety.triage import communities as triage_communities
from alongside.safety.triage import guide, routing
from alongside.safety.triage.destinations import Destination
from tests.fixtures import client_for, make_person

pytestmark = pytest.mark.django_db

# None of these is in routing_set.csv.
SENTENCES = {
    "I lie awake every night and my thoughts will not stop racing": Destination.BREATHING,
    "I would really like to talk to somebody tonight, I feel so alone": Destination.LISTENER,
    "Are there other people here whose mum has dementia?": Destination.COMMUNITY,
    "Everything feels far away and unreal, like I am in a dream": Destination.GROUNDING,
    "I keep telling myself I am a useless failure": Destination.THOUGHT_RECORD,
}
SLEEP_EXPLAINED = (
    "You mentioned trouble sleeping and racing thoughts; people often find a slow breathing exercise helps with that."
)
CRISIS = "I want to kill myself tonight, I have the pills ready"


@pytest.fixture
def without_model(settings):
    """The embedding model switched off, as when its file is missing or fails its hash check."""
    settings.SAFETY_MODEL_ENABLED = False
    embeddings.reset()
    yield
    settings.SAFETY_MODEL_ENABLED = True
    embeddings.reset()


def _communities() -> dict[str, Community]:
    admin = make_person("harbour_keeper", Role.ADMIN)
    made = {
        "grief": community_services.community_create(
            actor=admin, name="Grief and loss", description="For anyone grieving a parent, partner, friend or pet."
        ),
        "parents": community_services.community_create(
            actor=admin,
            name="New parents",
            description="Sleepless nights, feeding, and feeling out of your depth with a baby.",
        ),
        "carers": community_services.community_create(
            actor=admin, name="Carers", description="Looking after someone with dementia or a disability."
        ),
        "hidden": community_services.community_create(
            actor=admin,
            name="Bereaved by suicide",
            description="A closed circle for people grieving someone who died by suicide.",
            visibility=Visibility.HIDDEN,
        ),
    }
    return made


def _answer(client: Client, words: str) -> str:
    response = client.post("/help/guide/", {"words": words})
    assert response.status_code == 302, response.content.decode()[:500]
    return html.unescape(client.get(response["Location"].split("#")[0]).content.decode())


# --- Routing ---------------------------------------------------------------------------------------


def test_the_model_routes_sentences_it_never_saw():
    assert routing.model_available(), embeddings.load_error()
    for sentence, expected in SENTENCES.items():
        route = routing.triage(sentence)
        assert (route.method, route.destination) == ("embeddings", expected), sentence


def test_the_keyword_fallback_routes_the_same_sentences(without_model):
    assert not routing.model_available()
    for sentence, expected in SENTENCES.items():
        route = routing.triage(sentence)
        assert (route.method, route.destination) == ("keywords", expected), sentence


def test_stray_words_leave_the_router_unsure_rather_than_anywhere_in_particular():
    for words in ("banana", "asdf", "not sure"):
        assert routing.triage(words).destination is None, words


def test_the_routing_set_is_ours_split_once_by_hash_and_good_enough_on_the_held_out_part():
    examples = routing.routing_set()
    assert len(examples) >= 100
    assert {e.destination for e in examples} == set(Destination.values)
    held_out = routing.held_out_examples()
    assert 0.2 < len(held_out) / len(examples) < 0.4
    assert {e.destination for e in held_out} == set(Destination.values)
    # The split depends on nothing but the id.
    assert [e.id for e in held_out] == [e.id for e in examples if routing.is_held_out(e.id)]
    right = sum(routing.triage(e.text).destination == e.destination for e in held_out)
    assert right / len(held_out) >= 0.8
    # Recall first: every crisis message in the set reaches the support panel.
    assert all(routing.triage(e.text).shows_support for e in examples if e.destination == Destination.CRISIS)


# --- The conversation ------------------------------------------------------------------------------


def test_the_guide_says_it_is_automated_and_that_words_are_not_saved(stranger):
    page = html.unescape(stranger.get("/help/guide/").content.decode())
    assert "I'm an automated guide, not a person." in page
    assert "not therapy and not an emergency service" in page
    assert "it isn't saved anywhere" in page


def test_a_suggestion_explains_itself_in_the_guides_own_words(stranger):
    page = _answer(stranger, "I can't sleep and my thoughts are racing")
    assert SLEEP_EXPLAINED in page
    assert 'href="/help/exercises/breathing/"' in page
    # Never the person's words back.
    assert "can't sleep" not in page


def test_a_listener_suggestion_leads_to_the_chat_start_page(stranger):
    page = _answer(stranger, "I would really like to talk to somebody tonight, I feel so alone")
    assert 'href="/chat/"' in page
    assert "You'll be asked to log in" in page  # a signed-out visitor is told before they go


def test_communities_are_ranked_by_what_was_written_and_never_hidden_ones(stranger):
    made = _communities()
    page = _answer(stranger, "My dad died last month and I'd like to hear from others who are grieving")
    assert "A place to start: Communities" in page
    cards = re.findall(r'<h4><a href="/c/([^/]+)/">', page)
    assert cards
    assert cards[0] == made["grief"].slug
    assert made["hidden"].slug not in page


def test_word_overlap_ranks_communities_without_the_model(without_model):
    made = _communities()
    ranked = triage_communities.rank_communities(
        "my mum has dementia and I look after her", [made["grief"], made["parents"], made["carers"]]
    )
    assert ranked[0][0] == made["carers"]


def test_choosing_instead_of_writing(stranger):
    response = stranger.post("/help/guide/choose/", {"destination": "grounding"})
    assert response.status_code == 302
    page = html.unescape(stranger.get("/help/guide/").content.decode())
    assert "You said you feel overwhelmed or far away." in page
    assert 'href="/help/exercises/grounding/"' in page


def test_when_unsure_the_guide_asks_which_option_is_closest(stranger):
    page = _answer(stranger, "banana")
    assert "I'm not sure I understood" in page
    assert 'name="destination" value="listener"' in page


def test_an_empty_answer_says_what_to_do(stranger):
    response = stranger.post("/help/guide/", {"words": "   "})
    assert response.status_code == 400
    assert "Write a few words, or choose one of the options below." in response.content.decode()


def test_start_again_forgets_the_suggestion(stranger):
    _answer(stranger, "I can't sleep and my thoughts are racing")
    assert guide.SESSION_KEY in stranger.session
    stranger.post("/help/guide/restart/")
    assert guide.SESSION_KEY not in stranger.session
    assert "Tell me a little about how things are" in stranger.get("/help/guide/").content.decode()


def test_a_tampered_session_state_starts_over():
    assert guide.GuideState.from_session({"step": "suggest", "destination": "nowhere"}) == guide.GuideState()
    assert guide.GuideState.from_session({"step": "suggest", "communities": ["x"]}) == guide.GuideState()
    assert guide.GuideState.from_session("nonsense") == guide.GuideState()  # type: ignore[arg-type]


# --- Crisis first ----------------------------------------------------------------------------------


@pytest.mark.parametrize("signed_in", [False, True])
def test_crisis_words_show_the_support_panel_before_anything_else(signed_in):
    client = client_for(make_person("guide_writer")) if signed_in else Client()
    _communities()
    response = client.post("/help/guide/", {"words": CRISIS})
    assert response["Location"].endswith("#support-panel")
    page = client.get("/help/guide/").content.decode()
    panel = page.index('id="support-panel"')
    assert panel < page.index('id="guide-note"') < page.index('id="guide-answer"')
    assert "Talk to a listener now" in page
    assert "community-card" not in page  # no list of communities at a time like this


def test_crisis_words_reach_the_panel_without_the_model_too(without_model, stranger):
    page = _answer(stranger, CRISIS)
    assert 'id="support-panel"' in page


# --- Privacy and security --------------------------------------------------------------------------


@pytest.mark.parametrize("signed_in", [False, True])
def test_the_words_are_never_stored_not_even_in_the_session(signed_in):
    client = client_for(make_person("guide_private")) if signed_in else Client()
    words = "Tangerine lighthouse: I can't sleep and my thoughts are racing"
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/help/guide/", {"words": words})
    assert response.status_code == 302
    assert not any("Tangerine" in query["sql"] for query in queries.captured_queries)
    stored = repr(dict(client.session.items()))
    assert "Tangerine" not in stored
    assert "thoughts are racing" not in stored
    assert client.session[guide.SESSION_KEY]["destination"] in Destination.values
    assert "Tangerine" not in client.get("/help/guide/").content.decode()


def test_the_guides_pages_are_never_cached(stranger):
    assert "no-store" in stranger.get("/help/guide/")["Cache-Control"]


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/help/guide/", {"words": "I can't sleep"}),
        ("/help/guide/choose/", {"destination": "breathing"}),
        ("/help/guide/restart/", {}),
    ],
)
def test_every_post_needs_the_csrf_token(path, data):
    client = Client(enforce_csrf_checks=True)
    assert client.post(path, data).status_code == 403
    client.get("/help/guide/")
    token = client.cookies["csrftoken"].value
    assert client.post(path, {**data, "csrfmiddlewaretoken": token}).status_code == 302


def test_a_made_up_choice_is_refused(stranger):
    assert stranger.post("/help/guide/choose/", {"destination": "crisis"}).status_code == 400
    assert stranger.post("/help/guide/choose/", {"destination": "elsewhere"}).status_code == 400
