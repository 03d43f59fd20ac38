"""The words search knows beyond what the databases' stemmers do, the same on every backend.

- Word forms: PostgreSQL's Snowball stemmer and SQLite's Porter stemmer map "sleeping" to "sleep",
  but not "slept", "felt" or "thought". `word_forms` gives every form of a word's family from a
  small table of irregular English forms chosen for what people write here (sleep, feel, eat,
  think, lose, cry, ...), plus British and American spellings (-ise/-ize, behaviour/behavior).
  Search asks for any of the forms, so "sleep" finds "slept" and "slept" finds "sleeping".
  A form that the Porter stemmer turns into a stop word ("ate": "at") is not searched for at all.
- Spelling: `correction` gives the closest word of a vocabulary shipped with the code, never of
  anything people wrote: SCOWL's English words of sizes 10-50 (`data/english-words.txt`, made by
  tools/build_search_words.py) and the product's own words below, less a few distressing words
  that are never suggested (`NEVER_SUGGESTED`). A suggestion can therefore
  never reveal a word from a community, thread or post that the searcher may not read; whether
  a suggestion is offered is decided by searching for it as that reader (selectors.search_results).

Nothing here touches the database or the network; the vocabulary is read once, on first use.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

VOCABULARY_FILE = Path(__file__).resolve().parent / "data" / "english-words.txt"
SHORTEST_CORRECTED = 4  # shorter words have too many neighbours to guess from
LONGEST_CORRECTED = 24
TWO_EDITS_FROM = 7  # words this long may be two edits away from what was meant
TWO_EDITS_UP_TO = 10  # beyond that, looking two edits away costs too much time (~90 ms at 10 letters)
_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_ASCII_WORD = re.compile(r"[a-z]+")

# Irregular forms, base form first. Only forms that are not stop words (search ignores "was",
# "did", "been"...) and whose stems differ on at least one of the two stemmers.
_IRREGULAR = """
sleep slept | feel felt | eat ate eaten | think thought | lose lost | wake woke woken waking
cry cried cries | die died dying | lie lying lied | leave left | fight fought | drink drank drunk
take took taken | give gave given | tell told | say said | know knew known | begin began begun
break broke broken | buy bought | bring brought | catch caught | choose chose chosen | come came
dream dreamt | drive drove driven | fall fell fallen | find found | forget forgot forgotten
forgive forgave forgiven | get got gotten | grow grew grown | hide hid hidden | hold held
keep kept | meet met | pay paid | run ran | see saw seen | seek sought | sell sold | send sent
shake shook shaken | sit sat | speak spoke spoken | spend spent | stand stood | steal stole stolen
stick stuck | swear swore sworn | teach taught | tear tore torn | throw threw thrown
understand understood | wear wore worn | weep wept | win won | write wrote written | bleed bled
feed fed | fly flew flown | freeze froze frozen | hang hung | hear heard | lead led | lend lent
make made | mean meant | ride rode ridden | shoot shot | sink sank sunk | bite bit bitten
blow blew blown | deal dealt | draw drew drawn | rise rose risen | sting stung | swim swam swum
child children | person people | man men | woman women | tooth teeth | foot feet | wife wives
behaviour behavior | behaviours behaviors | colour color | favourite favorite | neighbour neighbor
honour honor | humour humor | counsellor counselor | counsellors counselors | mum mom | mums moms
"""
_FAMILY_OF: dict[str, tuple[str, ...]] = {
    form: tuple(family.split())
    for line in _IRREGULAR.strip().splitlines()
    for family in line.split("|")
    for form in family.split()
}
# Forms that SQLite's Porter stemmer reduces to a stop word ("ate" -> "at"): FTS5 would match them
# in nearly every post, and PostgreSQL would not, so neither backend searches for them.
PORTER_STOP_WORD_FORMS = frozenset({"ate"})
_BASES = frozenset(family[0] for family in _FAMILY_OF.values())
# Regular endings of a base form (the stemmers already match these to the base itself).
_REGULAR_ENDINGS = (("ing", ""), ("ing", "e"), ("es", ""), ("s", ""), ("ies", "y"))
# -ise/-ize: "traumatised" and "traumatized" stem differently.
_ISE = re.compile(r"^(\w{3,})i([sz])(e|es|ed|ing|ation|ations)$")

# Words of this product that a general dictionary lacks or ranks low, preferred when two
# corrections are equally close ("slep": sleep rather than step).
_PRODUCT_WORDS_TEXT = """
    addiction adhd alcohol alone anger angry anorexia antidepressant antidepressants anxiety anxious
    attack attacks autism autistic bereaved bereavement binge bipolar breathing bulimia burnout
    caregiver caregiving carer carers citalopram counselling counseling counsellor counselor craving
    cravings crisis crying depressed depression diagnosis dissociation eating exams exhausted
    exhaustion fluoxetine gender grief grieving harm illness insomnia journal journaling journalling
    listener listeners lgbtq loneliness lonely loss medication meditation meds mindfulness mood
    nightmare nightmares ocd overthinking overwhelmed panic parenting parents ptsd recovery relapse
    relationship relationships sertraline sleep sleeping sober sobriety stress stressed student
    students support therapist therapy trauma traumatic wellbeing worry worrying bestie gaslighting
    gaslit ghosting instagram lockdown lowkey selfcare tiktok vape vaping whatsapp
"""
PRODUCT_WORDS = frozenset(_PRODUCT_WORDS_TEXT.split())
# Never offered as a correction, however close: a suggestion must not put a distressing word in front
# of someone who typed something else ("rapid" is not "raped"). Typed correctly, they are searched.
_NEVER_SUGGESTED_TEXT = """
    abuse abused abuser abusing kill killed killing kills molest molested murder murdered porn rape
    raped rapes raping rapist suicide suicides suicidal
"""
NEVER_SUGGESTED = frozenset(_NEVER_SUGGESTED_TEXT.split())


def _family(word: str) -> tuple[str, ...]:
    """The irregular family of `word`, or of the base form of `word` with a regular ending
    ("sleeping", "feels", "losing", "running": sleep, feel, lose, run)."""
    if word in _FAMILY_OF:
        return _FAMILY_OF[word]
    for ending, restore in _REGULAR_ENDINGS:
        if word.endswith(ending) and len(word) > len(ending) + 1:
            base = word[: -len(ending)] + restore
            if base in _BASES:
                return _FAMILY_OF[base]
            if ending == "ing" and len(base) > 2 and base[-1] == base[-2] and base[:-1] in _BASES:
                return _FAMILY_OF[base[:-1]]  # running: run
    return ()


def word_forms(word: str) -> tuple[str, ...]:
    """Every form of `word` that search should also look for, `word` (lower-cased) first, except
    the forms FTS5 cannot tell from a stop word ("ate": search looks for eat and eaten instead)."""
    lowered = word.lower()
    forms = [lowered, *(form for form in _family(lowered) if form != lowered)]
    match = _ISE.match(lowered)
    if match:
        stem, letter, ending = match.groups()
        forms.append(f"{stem}i{'z' if letter == 's' else 's'}{ending}")
    kept = [form for form in forms if form not in PORTER_STOP_WORD_FORMS]
    return tuple(kept or forms)


@cache
def vocabulary() -> dict[str, int]:
    """Every known word and how common it is: 0 for the product's words, else its SCOWL size
    (10 is the most common)."""
    known: dict[str, int] = {}
    size = 99
    for line in VOCABULARY_FILE.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            size = int(line[3:])
        elif line and not line.startswith("#"):
            known.setdefault(line, size)
    for form in _FAMILY_OF:
        known.setdefault(form, 10)
    known.update(dict.fromkeys(PRODUCT_WORDS, 0))
    return known


def is_known(word: str) -> bool:
    """Whether `word` needs no correction: a known word, or one we do not try to correct (short,
    long, or not made of the letters a-z)."""
    lowered = word.lower()
    if not (SHORTEST_CORRECTED <= len(lowered) <= LONGEST_CORRECTED) or not _ASCII_WORD.fullmatch(lowered):
        return True
    if lowered in vocabulary():
        return True
    # "traumatised" is known when "traumatized" is.
    return _ISE.match(lowered) is not None and word_forms(lowered)[-1] in vocabulary()


def _one_edit(word: str) -> set[str]:
    """Every string one deletion, swap of neighbours, replacement or insertion away from `word`."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    return (
        {left + right[1:] for left, right in splits if right}
        | {left + right[1] + right[0] + right[2:] for left, right in splits if len(right) > 1}
        | {left + letter + right[1:] for left, right in splits if right for letter in _LETTERS}
        | {left + letter + right for left, right in splits for letter in _LETTERS}
    )


def correction(word: str, *, two_edits: bool = True) -> str | None:
    """The vocabulary word closest to `word` (one edit away, else two for longer words when
    `two_edits`), the most common first; None when `word` is known or nothing is close."""
    lowered = word.lower()
    if is_known(lowered):
        return None
    known = vocabulary()
    nearby = _one_edit(lowered)
    candidates = [candidate for candidate in nearby if candidate in known and candidate not in NEVER_SUGGESTED]
    if not candidates and two_edits and TWO_EDITS_FROM <= len(lowered) <= TWO_EDITS_UP_TO:
        candidates = list(
            {far for near in nearby for far in _one_edit(near) if far in known and far not in NEVER_SUGGESTED}
        )
    if not candidates:
        return None
    return min(candidates, key=lambda candidate: (known[candidate], candidate[0] != lowered[0], candidate))
