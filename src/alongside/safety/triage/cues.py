"""The plain phrases the triage guide recognises in what someone writes.

Each cue has a short gist in our own words ("trouble sleeping"), which the guide uses to explain a
suggestion ("You mentioned trouble sleeping and racing thoughts; ..."), so the explanation never
repeats the person's words back. The same cues, weighted per destination, are the keyword fallback
when the embedding model is unavailable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from alongside.safety.triage.destinations import Destination

L, C, B, G, T, X = (
    Destination.LISTENER,
    Destination.COMMUNITY,
    Destination.BREATHING,
    Destination.GROUNDING,
    Destination.THOUGHT_RECORD,
    Destination.CRISIS,
)


@dataclass(frozen=True)
class Cue:
    key: str
    pattern: re.Pattern[str]
    gist: Promise | None  # None: never quoted back (crisis cues)
    weights: dict[str, float]


def _cue(key: str, pattern: str, gist: Promise | None, **weights: float) -> Cue:
    return Cue(key, re.compile(pattern, re.IGNORECASE), gist, {Destination(name): w for name, w in weights.items()})


# Order matters only for the explanation: earlier cues are named first.
CUES: tuple[Cue, ...] = (
    _cue(
        "harm",
        r"\b(kill(ing)? (my|him|her|them)sel(f|ves)|suicid\w*|end(ing)? (it|it all|my life)|take my (own )?life"
        r"|(don'?t|do not) want to (be alive|live|be here|wake up)|not (to )?wake up|better off without me"
        r"|hurt(ing)? (my|him|her)self|self[- ]?harm\w*|cut(ting)? (my|him|her)self|overdose|too many (of my )?"
        r"(pills|tablets)|ways to die|want to die|goodbye letters?|not safe|keep myself safe|give up for good"
        r"|no (point|reason) (in )?(going on|living)|(want|wish) (it|everything|it all) to (end|stop)"
        r"|pain to stop|(wasn'?t|weren'?t|was not) here|if i (was|were) gone|hit me"
        # Means, a plan, goodbyes and a time: what the model would catch, for when it cannot load.
        r"|wants? to die|(pills|tablets) (saved|stockpiled)|(saved|stockpiled|hoarded) (up )?(pills|tablets)"
        r"|take (them|it) all|taking them all|all my (sleeping )?(pills|tablets)|(the|a) (rope|noose|gun)\b"
        r"|(have|got|holding|looking at) (a|the) knife|standing on (the|a) (bridge|edge|ledge|roof)"
        r"|jump(ing)? (off|in front of)|do something to myself|(not|isn'?t) worth living|end (things|everything)"
        r"|given (my|all my) (things|stuff) away|said my goodbyes|(don'?t think|not sure|doubt) i'?ll (still )?be "
        r"(here|around)|be safe tonight)",
        None,
        crisis=4.0,
    ),
    _cue(
        "sleep",
        r"\b(sleep\w*|insomnia|awake|bedtime|3 ?am|drift off|up all night)\b",
        _("trouble sleeping"),
        breathing=2,
    ),
    _cue(
        "racing_thoughts",
        r"\b(thoughts?\b.{0,25}\bracing|racing (thoughts|mind)|mind (won'?t|will not|can'?t) (switch off|stop|settle))",
        _("racing thoughts"),
        breathing=1.5,
        grounding=0.5,
    ),
    _cue("panic", r"\bpanic\w*", _("panic"), breathing=2.5),
    _cue(
        "body",
        r"\b(heart (is |keeps )?(racing|pounding|fluttering)|racing (heart|pulse)|chest (feels |is )?tight"
        r"|tight (chest|throat)"
        r"|(can'?t|cannot) breathe|short of breath|breathing (is )?fast|hyperventilat\w*|shaking|shaky|sweaty|dizzy"
        r"|knot in my stomach)",
        _("your body feeling tense or your heart racing"),
        breathing=2.5,
    ),
    _cue(
        "tense",
        r"\b(tense|on edge|wound up|keyed up|jittery|nervous|nerves|restless|stress(ed|ful)?|anxious|anxiety"
        r"|freaking out"
        r"|calm (down|my)|relax|unwind|settle)\b",
        _("feeling tense or on edge"),
        breathing=1.5,
    ),
    _cue(
        "unreal",
        r"\b(unreal|not real|not really here|far away|detached|disconnected|numb|spac(ed|ey)|dissociat\w*|behind glass"
        r"|floating|foggy|daze|zone out|outside (of )?myself)",
        _("feeling far away or not quite real"),
        grounding=2.5,
    ),
    _cue(
        "memories",
        r"\b(flashbacks?|memor(y|ies)|reliv\w*|nightmare|trigger(ed)?|keeps? jumping back|back in that moment)",
        _("memories that come flooding back"),
        grounding=2.5,
    ),
    _cue(
        "overwhelmed",
        r"\b(overwhelm\w*|too much|sensory overload|spiral\w*|all over the place|scattered|can'?t think straight"
        r"|frozen?"
        r"|here and now|present moment|back to the present|bearings)",
        _("feeling overwhelmed"),
        grounding=2,
    ),
    _cue(
        "self_critical",
        r"\b(failure|useless|stupid|worthless|not good enough|hate myself|idiot|disappointment|fraud|burden"
        r"|criticis\w* myself|harsh|my fault|mess (things|everything) up|should be coping)",
        _("being hard on yourself"),
        thought_record=2.5,
    ),
    _cue(
        "worst",
        r"\b(what if|worst|catastroph\w*|sure i'?ll|convinced|never be able|ruined|terrified i'?ll|going to go wrong)",
        _("expecting the worst"),
        thought_record=2,
    ),
    _cue(
        "overthinking",
        r"\b(overthink\w*|can'?t stop (thinking|going over)|replay\w*|going over|over and over|ruminat\w*|let it go)",
        _("going over things again and again"),
        thought_record=2,
        grounding=0.5,
    ),
    _cue(
        "others_think",
        r"\b((everyone|they|people)( all)? (hates?|judge|are talking|laugh)|hates? me|angry with me|behind my back"
        r"|out of pity|in trouble|compare myself)",
        _("worrying about what others think of you"),
        thought_record=2,
    ),
    _cue(
        "alone",
        r"\b(lonely|loneliness|alone|no one|nobody|isolated|invisible|no friends)\b",
        _("feeling alone"),
        listener=2,
        community=1,
    ),
    _cue(
        "talk",
        r"\b(talk\w*|chat|vent|listen\w*|hear me out|get (this|it) off my chest|offload|someone to|a real person"
        r"|a human"
        r"|conversation|company)\b",
        _("wanting someone to talk to"),
        listener=2.5,
    ),
    _cue(
        "loss",
        r"\b(grie(f|ving|ve)|bereave\w*|passed away|died|death|loss|lost (my|a|someone)|miscarriage)",
        _("a loss"),
        community=2,
    ),
    _cue(
        "family",
        r"\b(parents?|parenting|dads?|mums?|moms?|my (son|daughter|kids?|baby|toddler|child|children|teenagers?)"
        r"|preemies?|carers?|caring for|caregiver|infertility)\b",
        _("family or caring for someone"),
        community=1.5,
    ),
    _cue(
        "recovery",
        r"\b(drink\w*|alcohol|sober|sobriety|relapse|clean|addict\w*|gambl\w*|recovery|eating disorder|using again)",
        _("recovery"),
        community=2,
    ),
    _cue(
        "condition",
        r"\b(diagnos\w*|chronic|illness|pain|cancer|dementia|depression|veterans?|lgbtq?\w*|homesick|divorce)\b",
        _("living with something many others live with too"),
        community=1.5,
    ),
    _cue(
        "similar",
        r"\b((others?|people|anyone|parents|dads|peers|carers)( else)?"
        r" (who|here|like me|my age|in recovery|going through)"
        r"|been through|been there|going through the same|not the only one|same (thing|way)|anyone else|groups?"
        r"|communit(y|ies)|join|meet|connect|stories|peers)\b",
        _("wanting to hear from people who've been there"),
        community=3,
    ),
)


def cues_in(text: str) -> list[Cue]:
    """The cues found in `text`, in CUES order."""
    return [cue for cue in CUES if cue.pattern.search(text)]


def keyword_scores(text: str) -> dict[str, float]:
    """Each destination's summed cue weight for `text` (0 where nothing matched)."""
    scores = dict.fromkeys(Destination.values, 0.0)
    for cue in cues_in(text):
        for destination, weight in cue.weights.items():
            scores[destination] += weight
    return scores


def cue_named(key: str) -> Cue | None:
    return next((cue for cue in CUES if cue.key == key), None)
