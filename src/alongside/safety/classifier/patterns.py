"""The pattern layer: curated phrases for suicidal and self-harm language, and whose risk they are.

Text is normalised first (look-alike characters and case via `core.screening.normalise`,
apostrophes dropped, leetspeak inside words, spaced-out letters joined, repeated letters folded),
and the patterns are folded the same way, so "kiiiill myself", "k1ll my self" and "s u i c i d e"
match. Each match of a risk phrase is then framed by the words before it in its sentence:
negated ("I would never…"), past ("I used to want to die"), third person ("my friend said she
wants to die"), quoted or about a film, book or the news, or addressed to someone else ("are you
thinking about killing yourself?"). A framed match is not the writer's own crisis but is still
reported, at `concern`. First-person matches keep their level: active intent or desire →
`crisis`; passive wishes, self-harm → `high`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from alongside.core.screening import normalise as screening_normalise
from alongside.safety.enums import AssessContext, RiskLevel

_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i", "|": "i"}
)
_LOOKALIKE = str.maketrans(
    {
        "а": "a",
        "е": "e",
        "о": "o",
        "р": "p",
        "с": "c",
        "у": "y",
        "х": "x",
        "і": "i",
        "ι": "i",
        "ο": "o",
        "κ": "k",
        "ѕ": "s",
    }
)
_APOSTROPHES = re.compile(r"[’'`´ʼ‘]")
_LEET_WORD = re.compile(r"(?<![\w@$!|])[a-z0-9@$!|]*[a-z][a-z0-9@$!|]*(?![\w@$!|])")
_SPACED = re.compile(r"\b(?:[a-z][ .\-*_]){3,}[a-z]\b")
_REPEATS = re.compile(r"([a-z])\1+")


def normalise(text: str) -> str:
    """Lower-case, look-alikes folded, apostrophes dropped, leetspeak undone, repeated letters folded."""
    folded = screening_normalise(text).translate(_LOOKALIKE)
    folded = _APOSTROPHES.sub("", folded)
    folded = _LEET_WORD.sub(
        lambda m: m.group(0).translate(_LEET) if re.search(r"[0-9@$!|]", m.group(0)) else m.group(0), folded
    )
    folded = _SPACED.sub(lambda m: re.sub(r"[ .\-*_]", "", m.group(0)), folded)
    return _REPEATS.sub(r"\1", folded)


def _fold(pattern: str) -> str:
    """Fold repeated letters in a pattern's literals the way `normalise` folds the text."""
    out: list[str] = []
    escaped = False
    for char in pattern:
        if escaped:
            out.append(char)
            escaped = False
            continue
        if char == "\\":
            escaped = True
            out.append(char)
            continue
        if char.isalpha() and out and out[-1] == char and (len(out) < 2 or out[-2] != "\\"):
            continue
        out.append(char)
    return "".join(out)


def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(_fold(pattern))


_REFL_SELF = r"(?:myself|my self|meself)"
_REFL_OTHER = r"(?:himself|herself|themselves|themself|yourself|your self|urself|yourselves)"
_REFL = rf"(?:{_REFL_SELF}|{_REFL_OTHER})"

# What: phrases about ending a life or self-harm. (name, kind, pattern); kind "death" or "harm".
_CONCEPTS: list[tuple[str, str, str]] = [
    (
        "kill_self",
        "death",
        rf"\b(?:kill|killing|killed|unalive|unaliving|hang|hanging|shoot|shooting|drown|drowning|poison|poisoning) ?{_REFL}\b",
    ),
    ("unalive", "death", r"\bunaliv(?:e|ed|ing)\b"),
    (
        "suicide",
        "death",
        r"\b(?:su[i1]?c[i1]?d(?:e|es|al|ality)|suiside|suisidal|sucide|sucidal|suicde|suicidle|sewer ?slide|self[- ]?delete|self[- ]?deleting)\b",
    ),
    ("slang", "death", r"\b(?:kms|ctb|catch the bus|toaster bath)\b"),
    (
        "end_life",
        "death",
        r"\b(?:end|ending|ended|take|taking|took) (?:it all|my (?:own )?life|(?:his|her|their|your) (?:own )?life|it (?:tonight|today|now|for good|forever|once and for all))\b",
    ),
    (
        "die",
        "death",
        r"\b(?:die|dying|died|be dead|wasnt alive|werent alive|not be here|stop existing|cease to exist|disappear forever|sleep forever|never wake up|not wake up|dont wake up|wont wake up)\b",
    ),
    (
        "method",
        "death",
        r"\b(?:overdos(?:e|ed|ing)|od on|slit (?:my|his|her|their|your) (?:wrists|throat)|jump off|jump in front of|want to jump|step in front of|take (?:all|the rest) (?:of )?(?:my |the |them|these )?(?:pills|meds|tablets)?|(?:do|doing) it (?:tonight|today|now|right now))",
    ),
    (
        "self_harm",
        "harm",
        rf"\b(?:self[- ]?harm(?:ing|ed)?|sh relapse|cut(?:ing|s)? (?:myself|{_REFL_OTHER}|my (?:wrists?|arms?|thighs?|legs?))|burn(?:ing)? (?:myself|{_REFL_OTHER})|hurt(?:ing)? (?:myself|{_REFL_OTHER})|harm(?:ing)? (?:myself|{_REFL_OTHER})|(?:urges? to|relapsed?|been|started|keep) cut(?:ing)?\b(?! (?:back|down|corners|costs|out|of|the|my hair|hair|class|clas|school|ties|people|carbs|sugar)))\b",
    ),
]
_CONCEPT_RE = [(name, kind, _compile(pattern)) for name, kind, pattern in _CONCEPTS]

# Fixed first-person phrases that carry their own subject.
_SELF_PHRASES: list[tuple[str, RiskLevel, str]] = [
    (
        "ideation",
        RiskLevel.HIGH,
        r"\b(?:no|nothing to|no more|dont have (?:a|any)|lost (?:my|the|any)) (?:reason|point|will) (?:to|in|for) (?:live|living|keep living|go on|going on|keep going|be alive|stay alive)\b",
    ),
    (
        "ideation",
        RiskLevel.HIGH,
        r"\b(?:better off (?:without me|if i (?:was|were)nt (?:here|around|alive)|if i (?:was|were) (?:gone|dead))|better off dead|wish(?:ed|ing)? i (?:was|were|wasnt|werent|had never been) (?:dead|alive|born|here))\b",
    ),
    ("ideation", RiskLevel.HIGH, r"\bwishing i (?:was|were|wasnt|werent) (?:dead|alive|here)\b"),
    ("ideation", RiskLevel.HIGH, r"\b(?:cant|cannot|can not) (?:go on|keep going|keep living)\b"),
    (
        "ideation",
        RiskLevel.HIGH,
        r"\b(?:dont|do not|no longer) (?:want|wanna|wish) (?:to )?(?:live|be alive|exist|be here|be on this earth)\b",
    ),
    (
        "hopelessness",
        RiskLevel.CONCERN,
        r"\b(?:(?:such |a |just a )burden|hopeless|worthless|no way out|trapped|whats the point|no point (?:in|to) anything|tired of living|sick of living|tired of (?:being alive|life)|cant see a future|no future for me|nothing to live for|nothing matters anymore|(?:want|wanna) to disappear(?! forever)|wanna disappear(?! forever)|cant do this anymore|cant take (?:it|this) anymore)\b",
    ),
]
_SELF_PHRASE_RE = [(name, level, _compile(pattern)) for name, level, pattern in _SELF_PHRASES]

# Figures of speech that use the same words: "dying to see it", "this exam is killing me".
_IDIOM_RE = _compile(
    r"\b(?:dying to|die (?:of|from) (?:laughter|laughing|embarrassment|boredom|cringe|shame)|died laughing|dying laughing|"
    r"to die for|die (?:hard|down)|died (?:down|out)|(?:battery|phone|laptop|car) (?:died|is dying|dies)|"
    r"kill(?:ing|ed)? (?:it|time)|suicide (?:squad|doors?|run|mission)|take it (?:all )?(?:in|back|with)|end it (?:with|early))\b"
)

# Who and when: read in the words before a match, within its sentence.
_SENTENCE_BREAK = re.compile(r"[.!?;\n]|\bbut\b|\bhowever\b")
_SELF = _compile(r"\b(?:i|im|ive|id|ill|me|my|myself)\b")
_OTHER = _compile(
    r"\b(?:he|she|they|hes|shes|theyre|him|her|them|his|their|someone|somebody|anyone|people|person|who|"
    r"friend|friends|sister|brother|mum|mom|mother|dad|father|son|daughter|kid|child|partner|boyfriend|girlfriend|wife|husband|"
    r"cousin|aunt|uncle|grandma|grandad|classmate|student|client|roommate|flatmate|colleague|coworker|neighbou?r|teacher|patient|"
    r"character|protagonist|singer|actor|actress|author|band|man|woman|guy|girl|teen|celebrity|rapper)\b"
)
_YOU = _compile(r"\b(?:you|youre|u|ur|youve|youd|youll|your|yourself|please dont|please do not)\b")
_NEGATION = _compile(
    r"\b(?:not|never|dont|do not|didnt|did not|wont|wouldnt|would not|no longer|nothing to do with|could never|will never|no desire to)\b"
)
_PAST = _compile(
    r"\b(?:used to|years ago|(?:months|weeks) ago|when i was|back (?:then|in)|in the past|as a (?:kid|child|teen|teenager)|"
    r"in high school|at school|last year|a while ago|long ago|in (?:years|months|ages)|in (?:19|20)\d\d|at my lowest|"
    r"i was suicidal|survived|recovered|recovery|(?:days|weeks|months|years) clean|clean from|better place|doing (?:much )?better now)\b"
)
_MEDIA = _compile(
    r"\b(?:film|movie|show|series|book|novel|episode|article|news|headline|documentary|character|song|lyrics|podcast|story|"
    r"poem|anime|manga|research|statistics|awareness|prevention)\b"
)
_QUOTE_CUE = _compile(r"\b(?:said|says|saying|wrote|posted|told me|texted|messaged|tweeted|the line|quote)\b")
# What makes a first-person match a crisis: intent, a time, means at hand, goodbyes.
_INTENT = _compile(
    r"\b(?:going to|gonna|plan|planning|planned|ready to|about to|decided|made up my mind|will|ill|intend|"
    r"try again|happening|do it)\b"
)
_TIME = _compile(
    r"\b(?:tonight|today|right now|now|this weekend|tomorrow|on (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)|before morning|after (?:this|work))\b"
)
_MEANS = _compile(
    r"\b(?:pills|meds|tablets|rope|noose|gun|knife|blade|razor|bridge|roof|ledge|bottle|note|goodbyes?|last post|everything is ready|tonight is the night)\b"
)
_WISH = _compile(
    r"\b(?:wants?|wanted|wanna|wnat|wish|wishes|wished|hopes?|hoping|needs?|going to|gonna|plans?|planning|ready|about to|thinking (?:about|of)|think (?:about|of)|thoughts (?:of|about)|urge|rather|deserve|is the night i|feel like|feeling like|"
    r"should|could|tried|tries|try|attempted|keep|keeps|just|do it)\b"
)
_DESIRE = _compile(r"\b(?:want|wanna|wnat|need|going to|gonna)\b")
_PASSIVE = _compile(r"\b(?:hope|wish|thinking|think|thoughts|feel|feeling)\b")
_QUOTES = re.compile(r"[\"“”«»]")
_SUPPORT_CONTEXTS = (AssessContext.REPLY, AssessContext.LISTENER_CHAT)

WINDOW = 70

# How a hit reads: the first two are the writer's own risk.
WITH_A_PLAN = "with a plan"
FIRST_PERSON = "first person"
OWN_READINGS = (WITH_A_PLAN, FIRST_PERSON)


@dataclass(frozen=True)
class Hit:
    rule: str  # "intent", "ideation", "self_harm", "hopelessness"
    level: RiskLevel
    reading: str  # "with a plan", "first person", "past", "someone else", "film, book or news", "quoted", "negated", "to the reader", "mood"
    phrase: str  # the normalised words that matched

    @property
    def own(self) -> bool:
        return self.reading in OWN_READINGS


def _clause_before(text: str, start: int) -> str:
    return _SENTENCE_BREAK.split(text[max(0, start - WINDOW) : start])[-1]


def _sentence_of(text: str, start: int, end: int) -> str:
    left = _SENTENCE_BREAK.split(text[max(0, start - 150) : start])[-1]
    right = _SENTENCE_BREAK.split(text[end : end + 80])[0]
    return f"{left} {text[start:end]} {right}"


def _inside_quotes(text: str, start: int) -> bool:
    return len(_QUOTES.findall(text[:start])) % 2 == 1


def _last(regex: re.Pattern[str], text: str) -> int:
    return max((m.end() for m in regex.finditer(text)), default=-1)


def _frame(text: str, start: int, end: int, phrase: str, own_phrase: bool) -> str:
    """Whose and when: FIRST_PERSON, or the reading that makes it not the writer's own (or "" for none)."""
    before = _clause_before(text, start)
    sentence = _sentence_of(text, start, end)
    if _inside_quotes(text, start):
        return "quoted"
    if re.search(_REFL_OTHER, phrase):
        return "to the reader" if re.search(r"your|urself", phrase) else "someone else"
    you, other, me = _last(_YOU, before), _last(_OTHER, before), _last(_SELF, before)
    if not own_phrase or me < 0:
        if you > max(me, other):
            return "to the reader"
        if other > me:
            return "someone else"
    if _QUOTE_CUE.search(before) and me < 0:
        return "quoted"
    if _PAST.search(sentence):
        return "past"
    if _NEGATION.search(before[-28:]):
        return "negated"
    if _MEDIA.search(sentence):
        return "film, book or news"
    return FIRST_PERSON


def _concern_or_none(reading: str, kind: str, context: AssessContext) -> RiskLevel:
    """Language about suicide that is not the writer's own: a look, unless it is support or denial."""
    if reading in ("negated", "to the reader"):
        return RiskLevel.NONE
    if context in _SUPPORT_CONTEXTS and reading != "past":
        return RiskLevel.NONE
    return RiskLevel.CONCERN if kind != "idiom" else RiskLevel.NONE


def find(text: str, context: AssessContext = AssessContext.POST) -> list[Hit]:
    """Every risk phrase in the text, read for whose and when it is. Regular expressions only."""
    norm = normalise(text)
    idioms = [(m.start(), m.end()) for m in _IDIOM_RE.finditer(norm)]
    means = bool(_MEANS.search(norm))
    hits: list[Hit] = []
    taken: list[tuple[int, int]] = list(idioms)

    def overlaps(start: int, end: int) -> bool:
        return any(s < end and start < e for s, e in taken)

    for name, level, regex in _SELF_PHRASE_RE:
        for m in regex.finditer(norm):
            if overlaps(m.start(), m.end()):
                continue
            taken.append((m.start(), m.end()))
            reading = _frame(norm, m.start(), m.end(), m.group(0), own_phrase=True)
            if reading == "negated" and name == "ideation" and m.group(0).startswith(("dont", "do not", "no longer")):
                reading = FIRST_PERSON  # "I don't want to live" carries its own negation
            if reading != FIRST_PERSON:
                hits.append(Hit(name, _concern_or_none(reading, "phrase", context), reading, m.group(0)))
            elif level == RiskLevel.HIGH and means:
                hits.append(Hit("intent", RiskLevel.CRISIS, WITH_A_PLAN, m.group(0)))
            else:
                hits.append(Hit(name, level, FIRST_PERSON if level != RiskLevel.CONCERN else "mood", m.group(0)))
    for name, kind, regex in _CONCEPT_RE:
        for m in regex.finditer(norm):
            start, end = m.start(), m.end()
            if overlaps(start, end):
                continue
            taken.append((start, end))
            phrase = m.group(0)
            own_phrase = bool(re.search(r"\b(?:myself|my self|my|kms)\b", phrase))
            reading = _frame(norm, start, end, phrase, own_phrase)
            before = _clause_before(norm, start)
            if (
                reading not in ("quoted", "film, book or news")
                and name in ("die", "method")
                and not _WISH.search(f"{before}{phrase}")
            ):
                reading = ""  # "the plants are dying": only a wish or intent word makes it the writer's
            if reading == "":
                continue
            rule = "self_harm" if kind == "harm" else "ideation"
            if reading != FIRST_PERSON:
                hits.append(Hit(rule, _concern_or_none(reading, kind, context), reading, phrase))
                continue
            sentence = _sentence_of(norm, start, end)
            intent = _INTENT.search(before) or _INTENT.search(sentence)
            timed = _TIME.search(sentence) and _DESIRE.search(before) and not _PASSIVE.search(before)
            if kind == "death" and (intent or timed or means):
                hits.append(Hit("intent", RiskLevel.CRISIS, WITH_A_PLAN, phrase))
            else:
                hits.append(Hit(rule, RiskLevel.HIGH, FIRST_PERSON, phrase))
    return hits


def level_of(hits: list[Hit]) -> RiskLevel:
    """The highest level among the hits (none without any)."""
    return max((hit.level for hit in hits), key=lambda level: level.rank, default=RiskLevel.NONE)
