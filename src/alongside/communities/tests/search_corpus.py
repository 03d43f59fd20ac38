"""The shared search corpus: a fixed set of communities and posts, and queries with the exact hits
each must give. `test_search_corpus.py` runs every query on the database the test run uses; the
suite runs once on SQLite (FTS5) and once on PostgreSQL in CI, so both backends must give these
same results.

Readers: `outsider` belongs to no private or hidden community (public ones are read by anyone
signed in); `insider` is an active member of the hidden and the private community; `writer` wrote
everything, the held post included. Keys name posts and communities; `Case.query_used` is what
the results are for when a misspelt query found nothing, `Case.suggestion` the "Did you mean"
offered when the typed query found something and a better spelling finds something too.
"""

from __future__ import annotations

from dataclasses import dataclass

from alongside.communities.models import Visibility


@dataclass(frozen=True)
class CommunitySeed:
    name: str
    description: str
    topics: tuple[str, ...] = ()
    visibility: str = Visibility.PUBLIC


@dataclass(frozen=True)
class PostSeed:
    community: str
    body: str
    title: str = ""  # a thread's opening post; empty for a reply to `reply_to`
    reply_to: str = ""
    anonymous: bool = False
    held: bool = False  # written with the held term below: screening holds it for review
    removed: bool = False  # deleted by its author


@dataclass(frozen=True)
class Case:
    query: str
    posts: frozenset[str] = frozenset()
    communities: frozenset[str] = frozenset()
    reader: str = "outsider"
    query_used: str | None = None  # None: the typed query
    suggestion: str | None = None

    @property
    def label(self) -> str:
        return f"{self.reader}:{self.query}"


HELD_TERM = "quackery"  # a blocked term with the `hold` action during the corpus tests

COMMUNITIES: dict[str, CommunitySeed] = {
    "sleep": CommunitySeed("Sleep and rest", "Insomnia, nightmares, naps and the long hours before dawn."),
    "panic": CommunitySeed("Panic and worry", "Racing hearts, tight chests and what helps.", ("anxiety",)),
    "grief": CommunitySeed("After a loss", "Missing someone, whoever they were.", ("grief",)),
    "campus": CommunitySeed("Campus life", "Deadlines, exams and being far from home.", ("students", "loneliness")),
    "carers": CommunitySeed(
        "Looking after someone", "Caring for a partner, parent or child.", ("caregiving", "chronic_illness")
    ),
    "hidden": CommunitySeed(
        "Lighthouse keepers", "A quiet room for listeners after long shifts.", ("work",), Visibility.HIDDEN
    ),
    "private": CommunitySeed("Sober mornings", "Staying sober, one day at a time.", ("addiction",), Visibility.PRIVATE),
}

POSTS: dict[str, PostSeed] = {
    # Sleep and rest
    "slept": PostSeed("sleep", "I slept two hours last night and woke before the birds.", title="Two hours again"),
    "sleeping": PostSeed(
        "sleep", "Has anyone tried sleeping tablets? My doctor mentioned them for insomnia.", title="Tablets"
    ),
    "routine": PostSeed(
        "sleep", "A warm bath, no phone, and the same bedtime every night helps me sleep.", title="A routine that helps"
    ),
    "nightmare": PostSeed("sleep", "Nightmares wake me most nights, then my mind races.", reply_to="slept"),
    "held": PostSeed("sleep", f"Melatonin gummies from this shop, pure {HELD_TERM}.", reply_to="slept", held=True),
    "removed": PostSeed("sleep", "Valerian tea smells awful but it works.", reply_to="routine", removed=True),
    # Panic and worry
    "attacks": PostSeed(
        "panic", "My panic attacks started with the new job. Breathing exercises help a little.", title="At work"
    ),
    "bus": PostSeed("panic", "Had my first panic attack on the bus today and felt so embarrassed.", title="On the bus"),
    "heart": PostSeed("panic", "My heart races at night and I feel like I can't get enough air.", title="Racing heart"),
    "shops": PostSeed("panic", "My anxiety is worst in crowded shops. I leave the trolley and go.", title="Shops"),
    "anonymous": PostSeed(
        "panic", "I have never told anyone about my anxiety, not even my sister.", title="Nobody knows", anonymous=True
    ),
    "typo": PostSeed("panic", "Worying about everything today, sorry for the typos.", reply_to="shops"),
    "worry": PostSeed("panic", "I worry less when I write the worries down.", reply_to="heart"),
    # After a loss
    "lost": PostSeed("grief", "I lost my dad in spring and I still set the table for him.", title="My dad"),
    "losing": PostSeed("grief", "Losing her is like losing a part of me.", title="A friend"),
    "thought": PostSeed("grief", "I thought I was fine until her birthday came round again.", title="Birthdays"),
    "cried": PostSeed("grief", "I cried in the meeting and my boss handed me a tissue.", title="At the office"),
    # Campus life
    "exams": PostSeed("campus", "Revising all week and I haven't eaten properly in days.", title="Exam stress"),
    "ate": PostSeed("campus", "Ate dinner alone in my room again. The halls are so quiet.", title="Dinner"),
    "lonely": PostSeed("campus", "Sunday evenings on campus are the hardest.", title="So lonely"),
    "depression": PostSeed("campus", "Depression makes every lecture twice as long.", title="Low mood"),
    # Looking after someone
    "behaviour": PostSeed(
        "carers", "Her behaviour has changed since the diagnosis and I am exhausted.", title="Changes"
    ),
    "organized": PostSeed("carers", "I finally organized her medication into a weekly box.", title="Pill box"),
    "children": PostSeed(
        "carers", "The children help where they can, but they are small.", title="Children and caring"
    ),
    # Lighthouse keepers (hidden) and Sober mornings (private)
    "hidden": PostSeed("hidden", "A quiet harbour after a long shift; a kestrel over the glimmerfen.", title="Debrief"),
    "private": PostSeed("private", "Thirty days today. I drank coffee instead of wine.", title="Day thirty"),
}

_SLEEP = frozenset({"slept", "sleeping", "routine"})
_FEEL = frozenset({"bus", "heart"})
_ANXIETY = frozenset({"shops", "anonymous"})


def _(*keys: str) -> frozenset[str]:
    return frozenset(keys)


CASES: list[Case] = [
    # Word forms: regular (the stemmers) and irregular (search_words), both ways.
    Case("sleep", _SLEEP, _("sleep")),
    Case("slept", _SLEEP, _("sleep")),
    Case("sleeping", _SLEEP, _("sleep")),
    Case("SLEPT!!!", _SLEEP, _("sleep")),
    Case("feel", _FEEL),
    Case("felt", _FEEL),
    Case("lost", _("lost", "losing")),
    Case("losing", _("lost", "losing")),
    Case("thinking", _("thought")),
    # "ate" itself is not searched: SQLite's Porter stemmer makes it "at", a stop word.
    Case("ate", _("exams")),
    Case("eating", _("exams")),
    Case("dinner alone", _("ate")),
    Case("crying", _("cried")),
    Case("child", _("children"), _("carers")),
    Case("behavior", _("behaviour")),
    Case("organised", _("organized")),
    # The examples: plurals, with and without quotes.
    Case("panic attack", _("attacks", "bus")),
    Case('"panic attack"', _("attacks", "bus")),
    Case("panic attacks", _("attacks", "bus")),
    # Every word must match, in the title or the body; phrases; or; exclusion; stop words.
    Case("routine bedtime", _("routine")),
    Case('"warm bath"', _("routine")),
    Case('"bath warm"'),
    Case("nightmares or insomnia", _("nightmare", "sleeping"), _("sleep")),
    Case("sleep -bath", _("slept", "sleeping"), _("sleep")),
    Case("nightmares or tablets doctor", _("sleeping")),  # (nightmares or tablets) and doctor
    Case("-sleep"),
    Case("the and of"),
    Case("my heart is racing", _("heart"), _("panic")),
    Case("racing hearts", _("heart"), _("panic")),
    # Near misses: the typed query finds nothing, so its spelling from the vocabulary is searched.
    Case("anxeity", _ANXIETY, _("panic"), query_used="anxiety"),
    Case("depresion", _("depression"), query_used="depression"),
    Case("insomina", _("sleeping"), _("sleep"), query_used="insomnia"),
    Case("panick atack", _("attacks", "bus"), query_used="panic attack"),
    Case("lonley", _("lonely"), query_used="lonely"),
    # ... or it finds something, and a better spelling that finds something is offered.
    Case("worying", _("typo"), suggestion="worrying"),
    # Communities by their topics, labels and codes alike.
    Case("grief", communities=_("grief")),
    Case("illness", communities=_("carers")),
    Case("student", communities=_("campus")),
    Case("caring", _("children"), _("carers")),
    Case("loneliness", communities=_("campus")),
    # Authorization: hidden and private communities, held and removed posts.
    Case("lighthouse"),
    Case("lighthouse", communities=_("hidden"), reader="insider"),
    Case("money"),
    Case("money", communities=_("hidden"), reader="insider"),
    Case("harbour"),
    Case("harbour", _("hidden"), reader="insider"),
    Case("sober", communities=_("private")),  # a private community is listed to everyone; its posts are not
    Case("sober drank", reader="insider"),
    Case("drink", _("private"), reader="insider"),
    Case("drink"),
    Case("melatonin"),
    Case("melatonin", reader="insider"),
    Case("melatonin", reader="writer"),  # not even its author finds a held post in search
    Case("valerian", reader="writer"),
    # A suggestion never comes from what the reader may not read.
    Case("kestrl"),  # "kestrel" is in the vocabulary, but only in a hidden post
    Case("kestrl", _("hidden"), reader="insider", query_used="kestrel"),
    Case("glimmerfem", reader="insider"),  # not a dictionary word: never suggested, to anyone
    Case("melatonn", reader="writer"),
]
