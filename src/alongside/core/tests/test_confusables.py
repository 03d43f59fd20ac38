"""Tests for alongside.core.confusables: UTS #39 skeletons, name keys and unsafe characters.

Look-alike characters are written as \\N{...} escapes so that a reader (and ruff) can see which
character each test is about.
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest

from alongside.core import confusables
from alongside.core.confusables import (
    KEY_MAX_LENGTH,
    KEY_SCHEME,
    UNICODE_VERSION,
    looks_like,
    name_keys,
    parse_confusables_txt,
    skeleton,
    unsafe_characters,
)

ARABIC_MUHAMMAD = "\u0645\u062d\u0645\u062f"  # Muhammad
DEVANAGARI_KUMAR = "\u0915\u0941\u092e\u093e\u0930"  # Kumar: KA, vowel sign U, MA, vowel sign AA, RA
GREEK_ELENI = "\u0395\u03bb\u03b5\u03bd\u03b7"  # Eleni, without the tonos
CYRILLIC_OLGA = "\u041e\u043b\u044c\u0433\u0430"  # Olga

# --- the data -----------------------------------------------------------------------------------


def test_data_is_unicode_confusables_18():
    prototypes = confusables._prototypes()
    assert UNICODE_VERSION == "18.0.0"
    assert len(prototypes) == 6712
    data_file = Path(confusables.__file__).with_name("data") / "confusables.json"
    document = json.loads(data_file.read_text(encoding="utf-8"))
    assert document["unicode_version"] == "18.0.0"
    assert document["source_sha256"] == "6ed3ee967c9dfdf6677d563c9985182fbc50a2efb7d6059cd57b2e2ce18f5b92"


@pytest.mark.parametrize(
    ("source", "prototype"),
    [
        ("I", "l"),
        ("1", "l"),
        ("|", "l"),
        ("0", "O"),
        ("m", "rn"),
        ("\N{CYRILLIC SMALL LETTER A}", "a"),
        ("\N{GREEK CAPITAL LETTER OMICRON}", "O"),
        ("\N{FULLWIDTH LATIN CAPITAL LETTER A}", "A"),
        ("\N{MATHEMATICAL BOLD SMALL A}", "a"),
        ("\N{LATIN SMALL LETTER DOTLESS I}", "i"),
    ],
)
def test_mapping_goes_from_source_to_prototype(source, prototype):
    assert confusables._prototypes()[ord(source)] == prototype
    assert skeleton(source) == prototype


@pytest.mark.parametrize("prototype", ["l", "O", "a", "A", "i", "r", "n"])
def test_prototypes_are_not_remapped(prototype):
    # A symmetric table (as in confusable-homoglyphs) would map these too.
    assert ord(prototype) not in confusables._prototypes()


def test_every_prototype_is_its_own_skeleton():
    # The table is closed: a prototype never maps further (the skeleton only drops ignorables from it).
    for target in confusables._prototypes().values():
        visible = "".join(c for c in target if not confusables._is_default_ignorable(ord(c)))
        assert skeleton(target) == unicodedata.normalize("NFD", visible)


def test_parse_confusables_txt_keeps_direction_and_header():
    raw = (
        "\ufeff# confusables.txt\n# Date: 2026-01-01\n# Version: 99.0.0\n"
        "0049 ;\t006C ;\tMA\t# ( I \u2192 l )\n\n006D ;\t0072 006E ;\tMA\t# ( m \u2192 rn )\n# total: 2\n"
    ).encode()
    document = parse_confusables_txt(raw)
    assert document["unicode_version"] == "99.0.0"
    assert document["entries"] == 2
    assert document["prototypes"] == {"0049": "006C", "006D": "0072 006E"}


def test_parse_confusables_txt_refuses_a_truncated_file():
    raw = b"# Version: 1\n0049 ;\t006C ;\tMA\t#\n# total: 5\n"
    with pytest.raises(ValueError, match="declares 5"):
        parse_confusables_txt(raw)


def test_build_data_command_writes_loadable_json(tmp_path):
    source = tmp_path / "confusables.txt"
    source.write_bytes(b"# Version: 18.0.0\n0030 ;\t004F ;\tMA\t#\n# total: 1\n")
    out = tmp_path / "out.json"
    assert confusables.main(["build-data", str(source), str(out)]) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["prototypes"] == {"0030": "004F"}
    assert confusables.main(["nonsense"]) == 2


# --- skeleton -----------------------------------------------------------------------------------


def test_skeleton_examples():
    assert skeleton("paypaI") == "paypal"
    assert skeleton("\N{CYRILLIC SMALL LETTER A}dmin") == skeleton("admin") == "adrnin"
    assert skeleton("rn") == skeleton("m")
    assert skeleton("Jos\N{LATIN SMALL LETTER E WITH ACUTE}") == skeleton("Jose\N{COMBINING ACUTE ACCENT}")
    # Default-ignorable characters are removed after the first NFD.
    assert skeleton("ad\N{ZERO WIDTH SPACE}mi\N{SOFT HYPHEN}n") == skeleton("admin")
    # The plain skeleton is case-sensitive; name_keys adds case-insensitivity.
    assert skeleton("A") != skeleton("a")


@pytest.mark.parametrize("text", ["SEC_aIice", "Anonymous member", "\N{LATIN SMALL LETTER L WITH STROKE}ukasz", "b0b"])
def test_skeleton_is_idempotent(text):
    assert skeleton(skeleton(text)) == skeleton(text)


# --- name keys ----------------------------------------------------------------------------------

LOOKALIKE_PAIRS = [
    ("SEC_ALICE", "sec_alice"),  # case
    ("sec_aIice", "sec_alice"),  # capital I beside small l
    ("SEC_ALICE", "sec_aIice"),  # case and I/l together: meet through different keys
    ("sec_a1ice", "sec_alice"),  # digit one
    ("bob", "b0b"),  # digit zero
    ("Al", "AI"),
    ("Anonymous  member", "anonymous member"),  # spacing and case
    ("  Anonymous member  ", "Anonymous member"),  # trimmed
    ("Anonymous\N{NO-BREAK SPACE}member", "Anonymous member"),
    ("Anonymous\N{IDEOGRAPHIC SPACE}member", "Anonymous member"),
    ("Deleted member", "DELETED MEMBER"),
    ("Deleted member", "D\N{CYRILLIC SMALL LETTER IE}leted member"),
    ("Deleted member", "Deleted rnember"),  # rn / m
    ("modern", "rnodern"),
    ("wendy", "vvendy"),  # vv / w (added on top of UTS #39)
    ("alice", "\N{CYRILLIC SMALL LETTER A}lice"),
    ("paypal", "\N{CYRILLIC SMALL LETTER ER}aypal"),
    ("staff", "\N{CYRILLIC SMALL LETTER DZE}taff"),
    ("Moderator", "Moderat\N{CYRILLIC SMALL LETTER O}r"),
    ("Kate", "\N{CYRILLIC CAPITAL LETTER KA}ate"),  # only via skeleton-then-casefold
    ("Olga", "\N{GREEK CAPITAL LETTER OMICRON}lga"),
    ("sec_alice", "sec_a\N{GREEK CAPITAL LETTER IOTA}ice"),
    ("kate", "\N{KELVIN SIGN}ate"),
    ("alice", "\N{FULLWIDTH LATIN SMALL LETTER A}\N{FULLWIDTH LATIN SMALL LETTER L}ice"),
    ("Staff", "\N{FULLWIDTH LATIN CAPITAL LETTER S}taff"),
    ("Alice", "\N{MATHEMATICAL BOLD CAPITAL A}\N{MATHEMATICAL BOLD SMALL L}ice"),
    ("alice", "\N{MATHEMATICAL BOLD SMALL A}lice"),
    ("alice", "al\N{LATIN SMALL LETTER DOTLESS I}ce"),
    ("Zo\N{LATIN SMALL LETTER E WITH DIAERESIS}", "Zoe\N{COMBINING DIAERESIS}"),  # precomposed / decomposed
    ("Zo\N{LATIN SMALL LETTER E WITH DIAERESIS}", "Zoe"),  # accents on Latin letters are ignored
    ("Jos\N{LATIN SMALL LETTER E WITH ACUTE}", "Jose\N{COMBINING ACUTE ACCENT}\N{COMBINING ACUTE ACCENT}"),
    ("alice", "ali\N{COMBINING DOT BELOW}ce"),
    ("alice", "ali\N{DEVANAGARI SIGN NUKTA}ce"),  # a foreign mark on a Latin letter
    ("alice", "ali\N{COMBINING GRAPHEME JOINER}ce"),
    ("alice", "ali\N{ZERO WIDTH SPACE}ce"),
    ("alice", "ali\N{ZERO WIDTH JOINER}ce"),
    ("\N{LATIN CAPITAL LETTER L WITH STROKE}ukasz", "Lukasz"),
    ("Sam", "Sam\N{BRAILLE PATTERN BLANK}"),
    ("Sam Lee", "Sam\N{HANGUL FILLER}Lee"),
    ("Anonymous member", "Anonymous member\N{RIGHT-TO-LEFT MARK}"),
    ("Anonymous member", "\N{RIGHT-TO-LEFT OVERRIDE}Anonymous member\N{POP DIRECTIONAL FORMATTING}"),
    ("sec-alice", "sec\N{HYPHEN}alice"),
    (GREEK_ELENI, GREEK_ELENI.replace("\N{GREEK SMALL LETTER EPSILON}", "\N{GREEK SMALL LETTER EPSILON WITH TONOS}")),
    (ARABIC_MUHAMMAD, ARABIC_MUHAMMAD[0] + "\N{ARABIC DAMMA}" + ARABIC_MUHAMMAD[1:]),  # optional vowel mark
    ("sam", "sam"),
]


@pytest.mark.parametrize(("name", "other"), LOOKALIKE_PAIRS)
def test_lookalike_pairs_collide_both_ways(name, other):
    assert looks_like(name, other)
    assert looks_like(other, name)
    assert name_keys(name) & name_keys(other)


DISTINCT_PAIRS = [
    ("sam", "pam"),
    ("alice", "alicia"),
    ("river", "rivers"),
    ("Bob", "Rob"),
    ("kim", "kin"),
    ("Ann", "Anna"),
    ("Ali", "All"),
    ("Sam", "Sam2"),
    ("Zo\N{LATIN SMALL LETTER E WITH DIAERESIS}", "Zoey"),
    ("Deleted member", "Deleted membre"),
    ("Anonymous member", "Anonymous members"),
    (
        "\N{CJK UNIFIED IDEOGRAPH-674E}\N{CJK UNIFIED IDEOGRAPH-96F7}",
        "\N{CJK UNIFIED IDEOGRAPH-674E}\N{CJK UNIFIED IDEOGRAPH-96EA}",
    ),
    (ARABIC_MUHAMMAD, "\N{ARABIC LETTER ALEF}" + ARABIC_MUHAMMAD[1:]),  # Ahmad is not Muhammad
    (DEVANAGARI_KUMAR, DEVANAGARI_KUMAR[0] + DEVANAGARI_KUMAR[2:]),  # vowel signs of abugidas are kept
    # "d" -> "cl" is deliberately not applied: with case-insensitive keys it would join real names.
    ("Dara", "Clara"),
    ("Dive", "Clive"),
    # Whitespace is collapsed, not removed.
    ("Anonymous member", "Anonymousmember"),
]


@pytest.mark.parametrize(("name", "other"), DISTINCT_PAIRS)
def test_distinct_pairs_do_not_collide_either_way(name, other):
    assert not looks_like(name, other)
    assert not looks_like(other, name)


def test_both_fold_orders_are_needed():
    # casefold first: "I" becomes "i"; skeleton first: "I" becomes "l". Each alone misses a pair.
    def casefold_first(text: str) -> str:
        return skeleton(text.casefold())

    def skeleton_first(text: str) -> str:
        return skeleton(text).casefold()

    assert casefold_first("SEC_ALICE") == casefold_first("sec_alice")
    assert skeleton_first("sec_aIice") == skeleton_first("sec_alice")
    assert casefold_first("sec_aIice") != casefold_first("sec_alice")
    assert skeleton_first("SEC_ALICE") != skeleton_first("sec_alice")
    kate = "\N{CYRILLIC CAPITAL LETTER KA}ate"
    assert casefold_first(kate) != casefold_first("Kate")
    assert looks_like(kate, "Kate")
    assert looks_like("SEC_ALICE", "sec_aIice")


@pytest.mark.parametrize(
    "name",
    ["sec_alice", "Anonymous member", "Zo\N{LATIN SMALL LETTER E WITH DIAERESIS}", "\N{GRINNING FACE} Sam", "x" * 50],
)
def test_at_most_three_keys_each_short(name):
    keys = name_keys(name)
    assert 1 <= len(keys) <= 3
    assert all(len(key) <= KEY_MAX_LENGTH for key in keys)
    assert looks_like(name, name)


def test_pseudonym_keys_are_at_most_twice_as_long():
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
    for char in alphabet:
        assert all(len(key) <= 60 for key in name_keys(char * 30)), char
    for code_point in range(0x20, 0x7F):
        assert all(len(key) <= 3 for key in name_keys(chr(code_point))), hex(code_point)


def test_expanding_names_get_a_hashed_key():
    name = "\N{ARABIC LIGATURE SALLALLAHOU ALAYHE WASALLAM}" * 50  # NFKC: 18 code points each
    keys = name_keys(name)
    assert all(key.startswith("SHA256:") and len(key) == 71 for key in keys)
    assert looks_like(name, unicodedata.normalize("NFKC", name))  # same natural key, same hash
    assert not looks_like(name, name[:-1])


def test_natural_keys_cannot_look_like_hashed_keys():
    # Natural keys end with str.casefold, whose output never contains a capital ASCII letter, and
    # NFC cannot make one either (KELVIN SIGN, its only source, is itself case-folded to "k").
    capitals = set("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    for code_point in range(0x110000):
        if 0xD800 <= code_point <= 0xDFFF:
            continue
        assert not capitals.intersection(chr(code_point).casefold()), hex(code_point)
    assert not any(key.startswith("SHA256:") for key in name_keys("SHA256:" + "0" * 64))


@pytest.mark.parametrize("blank", ["", "   ", "\N{ZERO WIDTH SPACE}", "\N{HANGUL FILLER}", "\t\n"])
def test_blank_names_get_the_empty_key(blank):
    assert name_keys(blank) == frozenset({""})


def test_key_scheme_names_the_versions():
    assert "confusables=18.0.0" in KEY_SCHEME
    assert "ucd=18.0.0" in KEY_SCHEME
    assert f"casefold={unicodedata.unidata_version}" in KEY_SCHEME


# --- unsafe characters --------------------------------------------------------------------------

NAMED_UNSAFE = [
    ("\u202e", "U+202E RIGHT-TO-LEFT OVERRIDE"),
    ("\u061c", "U+061C ARABIC LETTER MARK"),
    ("\u200e", "U+200E LEFT-TO-RIGHT MARK"),
    ("\u200f", "U+200F RIGHT-TO-LEFT MARK"),
    ("\u2066", "U+2066 LEFT-TO-RIGHT ISOLATE"),
    ("\u2069", "U+2069 POP DIRECTIONAL ISOLATE"),
    ("\u200b", "U+200B ZERO WIDTH SPACE"),
    ("\u200c", "U+200C ZERO WIDTH NON-JOINER"),
    ("\u200d", "U+200D ZERO WIDTH JOINER"),
    ("\u2060", "U+2060 WORD JOINER"),
    ("\u2064", "U+2064 INVISIBLE PLUS"),
    ("\ufeff", "U+FEFF ZERO WIDTH NO-BREAK SPACE"),
    ("\u180e", "U+180E MONGOLIAN VOWEL SEPARATOR"),
    ("\u034f", "U+034F COMBINING GRAPHEME JOINER"),
    ("\u115f", "U+115F HANGUL CHOSEONG FILLER"),
    ("\u1160", "U+1160 HANGUL JUNGSEONG FILLER"),
    ("\u3164", "U+3164 HANGUL FILLER"),
    ("\uffa0", "U+FFA0 HALFWIDTH HANGUL FILLER"),
    ("\ufe0f", "U+FE0F VARIATION SELECTOR-16"),
    ("\U000e0100", "U+E0100 VARIATION SELECTOR-17"),
    ("\U000e0001", "U+E0001 LANGUAGE TAG"),
    ("\U000e0041", "U+E0041 TAG LATIN CAPITAL LETTER A"),
    ("\u00ad", "U+00AD SOFT HYPHEN"),
    ("\u2800", "U+2800 BRAILLE PATTERN BLANK"),
    ("\u0600", "U+0600 ARABIC NUMBER SIGN"),  # other format characters
    ("\x00", "U+0000 NULL"),
    ("\t", "U+0009 CHARACTER TABULATION"),
    ("\n", "U+000A LINE FEED"),
    ("\x1b", "U+001B ESCAPE"),
    ("\x7f", "U+007F DELETE"),
    ("\x85", "U+0085 NEXT LINE"),
    ("\x90", "U+0090 CONTROL CHARACTER"),
    ("\u2028", "U+2028 LINE SEPARATOR"),
    ("\u2029", "U+2029 PARAGRAPH SEPARATOR"),
    ("\ue000", "U+E000 PRIVATE USE CHARACTER"),
    ("\U000f0000", "U+F0000 PRIVATE USE CHARACTER"),
    ("\ud800", "U+D800 SURROGATE"),
    ("\uffff", "U+FFFF NONCHARACTER"),
    ("\ufdd0", "U+FDD0 NONCHARACTER"),
    ("\u0378", "U+0378 UNASSIGNED CODE POINT"),
    ("\U000e0000", "U+E0000 UNASSIGNED CODE POINT"),
]


@pytest.mark.parametrize(("char", "description"), NAMED_UNSAFE)
def test_unsafe_character_is_reported_by_name(char, description):
    assert unsafe_characters(f"Sam{char}Lee") == [description]


@pytest.mark.parametrize(
    ("first", "last"),
    [(0x202A, 0x202E), (0x2066, 0x2069), (0x200B, 0x200F), (0x2060, 0x2064), (0xFE00, 0xFE0F), (0xE0000, 0xE007F)],
)
def test_whole_ranges_are_rejected_between_letters(first, last):
    for code_point in range(first, last + 1):
        assert len(unsafe_characters(f"a{chr(code_point)}b")) == 1, hex(code_point)


@pytest.mark.parametrize(
    "name",
    [
        "Zo\N{LATIN SMALL LETTER E WITH DIAERESIS}",
        "\N{LATIN CAPITAL LETTER L WITH STROKE}ukasz",
        ARABIC_MUHAMMAD,
        "\N{CJK UNIFIED IDEOGRAPH-674E}\N{CJK UNIFIED IDEOGRAPH-96F7}",
        "\N{SMILING FACE WITH SMILING EYES} Sam",
        "Zoe\N{COMBINING DIAERESIS}",
        "Nguy\N{LATIN SMALL LETTER E WITH CIRCUMFLEX AND TILDE}n",
        CYRILLIC_OLGA,
        DEVANAGARI_KUMAR,
        "\u0939\u093f\u0928\u094d\u0926\u0940",  # Hindi, with a virama
        "Sam O'Neil-Smith",
        "sec_alice",
        "Anonymous member",
        "\U0001fa77 Robin",  # PINK HEART, Unicode 15.0: newer than Python 3.11's unicodedata
    ],
)
def test_ordinary_names_pass(name):
    assert unsafe_characters(name) == []


@pytest.mark.parametrize(
    "name",
    [
        "\N{HEAVY BLACK HEART}\N{VARIATION SELECTOR-16}",
        "\N{WAVING WHITE FLAG}\N{VARIATION SELECTOR-16}\N{ZERO WIDTH JOINER}\N{RAINBOW}",
        "\N{WAVING WHITE FLAG}\N{VARIATION SELECTOR-16}\N{ZERO WIDTH JOINER}"
        "\N{MALE WITH STROKE AND MALE AND FEMALE SIGN}\N{VARIATION SELECTOR-16}",
        "\N{WOMAN}\N{EMOJI MODIFIER FITZPATRICK TYPE-4}\N{ZERO WIDTH JOINER}\N{PERSONAL COMPUTER}",
        "\N{HEAVY BLACK HEART}\N{VARIATION SELECTOR-16}\N{ZERO WIDTH JOINER}\N{FIRE}",
        "1\N{VARIATION SELECTOR-16}\N{COMBINING ENCLOSING KEYCAP}",
        "#\N{VARIATION SELECTOR-16}\N{COMBINING ENCLOSING KEYCAP}",
        "Sam \N{ADULT}\N{ZERO WIDTH JOINER}\N{HANDSHAKE}\N{ZERO WIDTH JOINER}\N{ADULT}",
    ],
)
def test_emoji_sequences_pass(name):
    assert unsafe_characters(name) == []
    assert unsafe_characters(name, allow_emoji_sequences=False) != []


@pytest.mark.parametrize(
    "name",
    [
        "Sam\N{ZERO WIDTH JOINER}antha",
        "a\N{VARIATION SELECTOR-16}",
        "\N{ZERO WIDTH JOINER}\N{GRINNING FACE}",
        "\N{GRINNING FACE}\N{ZERO WIDTH JOINER}",
        "\N{GRINNING FACE}\N{ZERO WIDTH JOINER}a",
        "\N{VARIATION SELECTOR-16}Sam",
        # Persian writes some compounds with ZWNJ; the rule here is that it is never allowed.
        "\u0639\u0644\u06cc\N{ZERO WIDTH NON-JOINER}\u0631\u0636\u0627",
        # Subdivision flags are tag sequences: tag characters are never allowed.
        "\N{WAVING BLACK FLAG}\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",
    ],
)
def test_joiners_outside_emoji_are_rejected(name):
    assert unsafe_characters(name) != []


def test_each_unsafe_character_is_listed_once_in_order():
    text = "\N{RIGHT-TO-LEFT OVERRIDE}a\N{ZERO WIDTH SPACE}b\N{RIGHT-TO-LEFT OVERRIDE}c\N{ZERO WIDTH SPACE}"
    assert unsafe_characters(text) == ["U+202E RIGHT-TO-LEFT OVERRIDE", "U+200B ZERO WIDTH SPACE"]
