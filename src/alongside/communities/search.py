"""Full-text search: which candidate posts and communities match what someone typed, best first,
and how to spell it better.

Entry points: `matching(posts, query)`, `matching_communities(communities, query)` and
`spelling_suggestion(query)`. Both backends get the same parsed query (`_parse`): words must all
appear, `"a phrase"`, `this or that`, `-not_this`; common English stop words are dropped, as
PostgreSQL does; each unquoted word also asks for its other forms (`search_words.word_forms`:
"sleep" or "slept"), which neither stemmer finds.

- PostgreSQL: the parsed query as one tsquery, each phrase through `phraseto_tsquery('english',
  ...)`, combined with `||`, `&&` and `!!` exactly as FTS5 groups it, against the post body and,
  for an opening post, its thread's title (weighted higher). A GIN index on the stored column
  `communities_post.search_body` (`to_tsvector('english', body)`, migration 0005) and a GIN
  expression index on `to_tsvector('english', title)` (migration 0002) find the hits; each hit
  is then checked and ranked against title and body together, so a query whose words are split
  between the title and the body still matches. Communities: name, topics and
  description, checked row by row (there are few).
- SQLite (the embedded default): FTS5 tables `communities_post_fts(title, body)` and
  `communities_community_fts(name, topics, description)` with the Porter stemmer, kept in step by
  triggers (migrations 0002 and 0005). The parsed query becomes a safe FTS5 expression in which
  every term is a quoted string; the hits are joined to the candidates and ranked by bm25.

A community's topics are searched through `Community.topic_words` (their labels, in English),
which the services keep. Spelling suggestions come from a shipped vocabulary only
(`search_words`), never from what people wrote.

Authorization is the caller's business: candidates are already only what the reader may see.
No input raises: text is normalised, capped, and every word is quoted before it reaches FTS5.
"""

from __future__ import annotations

import operator
import re
import unicodedata
from dataclasses import dataclass, field
from functools import reduce
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchQueryField, SearchRank, SearchVectorField
from django.db import connections
from django.db.models import BooleanField, Case, Expression, F, Func, Q, QuerySet, Value, When
from django.utils import translation

from alongside.accounts.enums import Topic
from alongside.communities import search_words
from alongside.communities.models import Community, Post, Thread

QUERY_MAX_CHARS = 200  # longer input is cut: nobody searches with a paragraph
TERMS_MAX = 16  # bounds the size of the FTS5 expression
CONFIG = "english"  # also spelled out in the SQL below and in migration 0002
FTS_TABLE = "communities_post_fts"
COMMUNITY_FTS_TABLE = "communities_community_fts"
WORDS_CHECKED = 4  # spelling: at most this many unknown words of a query are looked at
TWO_EDIT_LOOKUPS = 1  # and at most this many of them are looked up two edits away (slower)
# ts_rank weights (D, C, B, A): the title is A, the body B.
PG_WEIGHTS = [0.1, 0.2, 0.4, 1.0]

# PostgreSQL's `english` stop-word list (Snowball), so both backends ignore the same words.
_STOP_WORDS_TEXT = (
    "i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her "
    "hers herself it its itself they them their theirs themselves what which who whom this that these "
    "those am is are was were be been being have has had having do does did doing a an the and but if or "
    "because as until while of at by for with about against between into through during before after "
    "above below to from up down in out on off over under again further then once here there when where "
    "why how all any both each few more most other some such no nor not only own same so than too very "
    "s t can will just don should now"
)
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())

_WORD = re.compile(r"\w+")
# A quoted phrase (the closing quote may be missing), or a run of anything but space and quotes.
_TOKEN = re.compile(r'(-?)"([^"]*)"?|(-?)([^\s"]+)')


def clean_query(text: str) -> str:
    """What people typed, made safe for any database driver: composed Unicode, no control
    characters (NUL breaks PostgreSQL), no lone surrogates, spaces collapsed, capped in length."""
    text = unicodedata.normalize("NFKC", text.encode("utf-8", "ignore").decode("utf-8"))
    text = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in text)
    return " ".join(text.split())[:QUERY_MAX_CHARS].strip()


def community_topic_words(topics: list[str]) -> str:
    """What a community's topics are searched by: each one's label in English (the language of the
    search configuration) and its code in words ("chronic_illness": "Living with illness chronic
    illness"). Kept in `Community.topic_words` by the services."""
    labels = dict(Topic.choices)
    with translation.override("en"):
        return " ".join(f"{labels.get(code, code)} {code.replace('_', ' ')}" for code in topics)


def matching(candidates: QuerySet[Post], query: str) -> QuerySet[Post]:
    """The candidate posts that match `query`, best first (then newest). Empty when the query
    has nothing to search for."""
    parsed = _parse(clean_query(query))
    if not parsed.groups:
        return candidates.none()  # nothing to look for: only stop words, or only words to exclude
    vendor = connections[candidates.db].vendor
    if vendor == "postgresql":
        return _postgresql_matching(candidates, parsed)
    if vendor == "sqlite":
        return _sqlite_matching(candidates, parsed)
    return _fallback_matching(candidates, parsed)


def matching_communities(candidates: QuerySet[Community], query: str) -> QuerySet[Community]:
    """The candidate communities whose name, topics or description match `query`, best first
    (then by name). Empty when the query has nothing to search for."""
    parsed = _parse(clean_query(query))
    if not parsed.groups:
        return candidates.none()
    vendor = connections[candidates.db].vendor
    if vendor == "postgresql":
        return _postgresql_communities(candidates, parsed)
    if vendor == "sqlite":
        return _sqlite_communities(candidates, parsed)
    return _fallback_communities(candidates, parsed)


def spelling_suggestion(query: str) -> str | None:
    """`query` with each word that looks misspelt replaced by the closest word of the shipped
    vocabulary ("anxeity" -> "anxiety"), or None when no word needs it. Reads no database: the
    caller decides, by searching as the reader, whether the suggestion is worth offering."""
    text = clean_query(query)
    corrections: dict[str, str] = {}
    checked = 0
    for word in _parse(text).typed:
        lowered = word.lower()
        if lowered in corrections or search_words.is_known(lowered):
            continue
        if checked >= WORDS_CHECKED:
            break
        fixed = search_words.correction(lowered, two_edits=checked < TWO_EDIT_LOOKUPS)
        checked += 1
        if fixed is not None:
            corrections[lowered] = fixed
    if not corrections:
        return None
    return _WORD.sub(lambda match: corrections.get(match.group(0).lower(), match.group(0)), text)


# --- The query, parsed once for every backend ---------------------------------------------------


@dataclass
class _Parsed:
    groups: list[list[list[str]]] = field(default_factory=list)  # AND of ORs of phrases (word lists)
    excluded: list[list[str]] = field(default_factory=list)
    typed: list[str] = field(default_factory=list)  # the words to find, as typed (for spelling)


def _trim_stop_words(words: list[str]) -> list[str]:
    """A phrase without the stop words at its ends (PostgreSQL drops them; FTS5 would ask for them)."""
    start, end = 0, len(words)
    while start < end and words[start].lower() in STOP_WORDS:
        start += 1
    while end > start and words[end - 1].lower() in STOP_WORDS:
        end -= 1
    return words[start:end]


def _parse(text: str) -> _Parsed:
    """The web-search grammar: words, "phrases", `or`, `-word`. An unquoted word stands for all
    its forms ("slept": slept or sleep); a quoted phrase is taken as it is. Never fails."""
    parsed = _Parsed()
    pending_or = False
    terms = 0
    for match in _TOKEN.finditer(text):
        if terms >= TERMS_MAX:
            break
        quoted = match.group(2) is not None
        negated = bool(match.group(1) if quoted else match.group(3))
        raw = match.group(2) if quoted else match.group(4)
        if not quoted and not negated and raw.lower() == "or":
            pending_or = bool(parsed.groups)
            continue
        words = _trim_stop_words(_WORD.findall(raw))
        if not words:
            continue  # only stop words (or no word at all): ignored, as PostgreSQL does
        terms += 1
        alternatives = [words] if quoted or len(words) > 1 else [[form] for form in search_words.word_forms(words[0])]
        if negated:
            parsed.excluded.extend(alternatives)
            continue
        parsed.typed.extend(words)
        if pending_or:
            parsed.groups[-1].extend(alternatives)
        else:
            parsed.groups.append(alternatives)
        pending_or = False
    return parsed


# --- PostgreSQL --------------------------------------------------------------------------------


def _to_tsvector(expression: Any) -> Func:
    """`to_tsvector('english'::regconfig, <expression>)`: spelled exactly like the indexes in
    migration 0002, so PostgreSQL can use them."""
    return Func(
        expression,
        function="to_tsvector",
        template="%(function)s('english'::regconfig, %(expressions)s)",
        output_field=SearchVectorField(),
    )


class _BodyVector(Expression):
    """`communities_post.search_body`: the body's tsvector, stored by PostgreSQL (a generated column
    that migration 0005 adds and the model does not declare), under whatever alias the post table
    has in the query being compiled (a subquery renames it)."""

    output_field = SearchVectorField()

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        alias = compiler.quote_name_unless_alias(compiler.query.get_initial_alias())
        return f"{alias}.search_body", []


def _setweight(vector: Expression, weight: str) -> Func:
    template = f"%(function)s(%(expressions)s, '{weight}')"
    return Func(vector, function="setweight", template=template, output_field=SearchVectorField())


def _joined(*vectors: Expression) -> Func:
    return Func(*vectors, template="(%(expressions)s)", arg_joiner=" || ", output_field=SearchVectorField())


def _phrase_query(words: list[str]) -> SearchQuery:
    return SearchQuery(" ".join(words), config=CONFIG, search_type="phrase")


def _search_query(parsed: _Parsed) -> SearchQuery:
    """The parsed query as one tsquery, grouped exactly as FTS5 reads it: (a | b) & c & !d. Each
    phrase goes through `phraseto_tsquery('english', ...)` on its own, so nothing typed is read as
    an operator."""
    query: SearchQuery | None = None
    for group in parsed.groups:
        either = reduce(operator.or_, (_phrase_query(phrase) for phrase in group))
        query = either if query is None else query & either
    assert query is not None  # callers check that there is something to find
    for phrase in parsed.excluded:
        query = query & ~_phrase_query(phrase)
    return query


_ANY_WORD_SQL = (
    "(SELECT string_agg(quote_literal(lexeme), ' | ') "
    "FROM unnest(tsvector_to_array(to_tsvector('english'::regconfig, %s))) AS lexeme)::tsquery"
)


class _AnyWordQuery(Expression):
    """A tsquery matching any of the given words (stemmed, stop words dropped), OR-ed. Used only
    to find opening posts whose thread title holds at least one of the words; the full query is
    then checked against title and body together."""

    output_field = SearchQueryField()

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        return _ANY_WORD_SQL, [self.text]


class _Matches(Func):
    """`<tsvector> @@ <tsquery>` as a boolean expression usable in filter()."""

    template = "%(expressions)s"
    arg_joiner = " @@ "

    def __init__(self, vector: Any, query: Any) -> None:
        super().__init__(vector, query, output_field=BooleanField())


def _postgresql_matching(candidates: QuerySet[Post], parsed: _Parsed) -> QuerySet[Post]:
    query = _search_query(parsed)
    every_word = " ".join(word for group in parsed.groups for phrase in group for word in phrase)
    body_hits = Post.objects.filter(_Matches(_BodyVector(), query)).order_by().values("pk")
    titled = Thread.objects.filter(_Matches(_to_tsvector(F("title")), _AnyWordQuery(every_word)))
    title_hits = Post.objects.filter(is_opening=True, thread__in=titled.order_by().values("pk")).order_by().values("pk")
    title = Case(When(is_opening=True, then=F("thread__title")), default=Value(""))
    document = _joined(_setweight(_to_tsvector(title), "A"), _setweight(_BodyVector(), "B"))
    return (
        candidates.filter(pk__in=body_hits.union(title_hits))
        .filter(_Matches(document, query))
        .annotate(search_rank=SearchRank(document, query, weights=PG_WEIGHTS))
        .order_by("-search_rank", "-created_at", "-pk")
    )


def _postgresql_communities(candidates: QuerySet[Community], parsed: _Parsed) -> QuerySet[Community]:
    query = _search_query(parsed)
    document = _joined(
        _setweight(_to_tsvector(F("name")), "A"),
        _setweight(_to_tsvector(F("topic_words")), "B"),
        _setweight(_to_tsvector(F("description")), "C"),
    )
    return (
        candidates.filter(_Matches(document, query))
        .annotate(search_rank=SearchRank(document, query, weights=PG_WEIGHTS))
        .order_by("-search_rank", "name", "pk")
    )


# --- SQLite FTS5 -------------------------------------------------------------------------------


def _fts_phrase(words: list[str]) -> str:
    phrase = " ".join(words)
    return '"' + phrase.replace('"', '""') + '"'


def _fts5(parsed: _Parsed) -> str:
    if not parsed.groups:
        return ""
    expression = " AND ".join("(" + " OR ".join(_fts_phrase(p) for p in group) + ")" for group in parsed.groups)
    if parsed.excluded:
        expression = f"({expression}) NOT (" + " OR ".join(_fts_phrase(p) for p in parsed.excluded) + ")"
    return expression


def fts5_expression(text: str) -> str:
    """A safe FTS5 MATCH expression for what someone typed; "" when there is nothing to find.
    Every term is a quoted string, so FTS5 syntax in the input (AND, NEAR, *, :, ^, brackets)
    is just text."""
    return _fts5(_parse(text))


def _fts5_joined(candidates: QuerySet[Any], table: str, weights: str, parsed: _Parsed) -> QuerySet[Any]:
    """The candidates found in FTS5 `table` (whose rowid is their id), with their bm25 rank
    (lower is better) as `search_rank`: one MATCH for the whole query, joined on the rowid."""
    own_table = candidates.model._meta.db_table
    return candidates.extra(  # noqa: S610 - fixed SQL; what people typed is a parameter
        tables=[table],
        where=[f"{table}.rowid = {own_table}.id", f"{table} MATCH %s"],
        params=[_fts5(parsed)],
        select={"search_rank": f"bm25({table}, {weights})"},
    )


def _sqlite_matching(candidates: QuerySet[Post], parsed: _Parsed) -> QuerySet[Post]:
    # bm25 column weights (title, body): a word in the thread title counts four times as much.
    return _fts5_joined(candidates, FTS_TABLE, "4.0, 1.0", parsed).order_by("search_rank", "-created_at", "-pk")


def _sqlite_communities(candidates: QuerySet[Community], parsed: _Parsed) -> QuerySet[Community]:
    # (name, topics, description): the name counts most, then the topics.
    joined = _fts5_joined(candidates, COMMUNITY_FTS_TABLE, "4.0, 2.0, 1.0", parsed)
    return joined.order_by("search_rank", "name", "pk")


# --- Any other database ------------------------------------------------------------------------


def _fallback_matching(candidates: QuerySet[Post], parsed: _Parsed) -> QuerySet[Post]:
    """No full-text engine: every word must appear somewhere in the body (case-insensitive)."""
    for words in (group[0] for group in parsed.groups):
        candidates = candidates.filter(body__icontains=" ".join(words))
    return candidates.order_by("-created_at", "-pk")


def _fallback_communities(candidates: QuerySet[Community], parsed: _Parsed) -> QuerySet[Community]:
    for words in (group[0] for group in parsed.groups):
        phrase = " ".join(words)
        candidates = candidates.filter(
            Q(name__icontains=phrase) | Q(description__icontains=phrase) | Q(topic_words__icontains=phrase)
        )
    return candidates.order_by("name", "pk")
