"""Full-text search over posts: which candidate posts match what someone typed, best first.

One entry point, `matching(candidates, query)`, with two backends chosen by the connection:

- PostgreSQL: `websearch_to_tsquery('english', ...)` against the post body and, for an opening
  post, its thread's title (weighted higher). GIN expression indexes on `to_tsvector('english',
  body)` and `to_tsvector('english', title)` (migration 0002) find the hits; each hit is then
  checked and ranked against title and body together, so a query whose words are split between
  the title and the body still matches.
- SQLite (the embedded default): an FTS5 table `communities_post_fts(title, body)` with the
  Porter stemmer, kept in step with posts and thread titles by triggers (migration 0002). What
  people type is translated into a safe FTS5 expression with the same small grammar as
  PostgreSQL's web search: words must all appear, `"a phrase"`, `this or that`, `-not_this`;
  common English stop words are dropped, as PostgreSQL does.

Authorization is the caller's business: `candidates` is already only what the reader may see.
No input raises: text is normalised, capped, and every word is quoted before it reaches FTS5.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchQueryField, SearchRank, SearchVectorField
from django.db import connections
from django.db.models import BooleanField, Case, Expression, F, FloatField, Func, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from alongside.communities.models import Post, Thread

QUERY_MAX_CHARS = 200  # longer input is cut: nobody searches with a paragraph
TERMS_MAX = 16  # bounds the size of the FTS5 expression
CONFIG = "english"  # also spelled out in the SQL below and in migration 0002
FTS_TABLE = "communities_post_fts"
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


def has_words(text: str) -> bool:
    return _WORD.search(text) is not None


def matching(candidates: QuerySet[Post], query: str) -> QuerySet[Post]:
    """The candidate posts that match `query`, best first (then newest). Empty when the query
    has nothing to search for."""
    text = clean_query(query)
    if not has_words(text) or not _parse(text).groups:
        return candidates.none()  # nothing to look for: only stop words, or only words to exclude
    vendor = connections[candidates.db].vendor
    if vendor == "postgresql":
        return _postgresql_matching(candidates, text)
    if vendor == "sqlite":
        return _sqlite_matching(candidates, text)
    return _fallback_matching(candidates, text)


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


def _setweight(vector: Expression, weight: str) -> Func:
    template = f"%(function)s(%(expressions)s, '{weight}')"
    return Func(vector, function="setweight", template=template, output_field=SearchVectorField())


_ANY_WORD_SQL = (
    "(SELECT string_agg(quote_literal(lexeme), ' | ') "
    "FROM unnest(tsvector_to_array(to_tsvector('english'::regconfig, %s))) AS lexeme)::tsquery"
)


class _AnyWordQuery(Expression):
    """A tsquery matching any of the query's words (stemmed, stop words dropped), OR-ed. Used only
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


def _postgresql_matching(candidates: QuerySet[Post], text: str) -> QuerySet[Post]:
    query = SearchQuery(text, config=CONFIG, search_type="websearch")
    body_hits = Post.objects.filter(_Matches(_to_tsvector(F("body")), query)).order_by().values("pk")
    titled = Thread.objects.filter(_Matches(_to_tsvector(F("title")), _AnyWordQuery(text))).order_by().values("pk")
    title_hits = Post.objects.filter(is_opening=True, thread__in=titled).order_by().values("pk")
    title = Case(When(is_opening=True, then=F("thread__title")), default=Value(""))
    document = Func(
        _setweight(_to_tsvector(title), "A"),
        _setweight(_to_tsvector(F("body")), "B"),
        template="(%(expressions)s)",
        arg_joiner=" || ",
        output_field=SearchVectorField(),
    )
    return (
        candidates.filter(pk__in=body_hits.union(title_hits))
        .filter(_Matches(document, query))
        .annotate(search_rank=SearchRank(document, query, weights=PG_WEIGHTS))
        .order_by("-search_rank", "-created_at", "-pk")
    )


# --- SQLite FTS5 -------------------------------------------------------------------------------


def _fts_phrase(words: list[str]) -> str:
    phrase = " ".join(words)
    return '"' + phrase.replace('"', '""') + '"'


@dataclass
class _Parsed:
    groups: list[list[list[str]]] = field(default_factory=list)  # AND of ORs of phrases (word lists)
    excluded: list[list[str]] = field(default_factory=list)


def _parse(text: str) -> _Parsed:
    """The web-search grammar: words, "phrases", `or`, `-word`. Never fails."""
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
        words = _WORD.findall(raw)
        if not words:
            continue
        terms += 1
        if not quoted:
            kept = [w for w in words if w.lower() not in STOP_WORDS]
            if not kept:  # a stop word on its own: ignored, as PostgreSQL does
                continue
            if len(words) == 1:
                words = kept
        if negated:
            parsed.excluded.append(words)
        elif pending_or:
            parsed.groups[-1].append(words)
        else:
            parsed.groups.append([words])
        pending_or = False
    return parsed


def fts5_expression(text: str) -> str:
    """A safe FTS5 MATCH expression for what someone typed; "" when there is nothing to find.
    Every term is a quoted string, so FTS5 syntax in the input (AND, NEAR, *, :, ^, brackets)
    is just text."""
    parsed = _parse(text)
    if not parsed.groups:
        return ""
    expression = " AND ".join("(" + " OR ".join(_fts_phrase(p) for p in group) + ")" for group in parsed.groups)
    if parsed.excluded:
        expression = f"({expression}) NOT (" + " OR ".join(_fts_phrase(p) for p in parsed.excluded) + ")"
    return expression


# bm25 column weights (title, body): a word in the thread title counts four times as much.
_FTS_RANK_SQL = (
    "(SELECT bm25(communities_post_fts, 4.0, 1.0) FROM communities_post_fts "
    "WHERE communities_post_fts MATCH %s AND communities_post_fts.rowid = {pk})"
)
_FTS_HITS_SQL = "SELECT rowid FROM communities_post_fts WHERE communities_post_fts MATCH %s"


class _Fts5Rank(Expression):
    """bm25 of one post against the FTS5 expression (lower is better): a rowid lookup in FTS5."""

    output_field = FloatField()

    def __init__(self, expression: str, pk: Any) -> None:
        super().__init__()
        self.expression = expression
        self.pk = pk

    def get_source_expressions(self) -> list[Any]:
        return [self.pk]

    def set_source_expressions(self, exprs: Sequence[Any]) -> None:
        (self.pk,) = exprs

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        pk_sql, pk_params = compiler.compile(self.pk)
        return _FTS_RANK_SQL.replace("{pk}", pk_sql), [self.expression, *pk_params]


def _sqlite_matching(candidates: QuerySet[Post], text: str) -> QuerySet[Post]:
    expression = fts5_expression(text)
    if not expression:
        return candidates.none()
    hits = RawSQL(_FTS_HITS_SQL, (expression,))  # noqa: S611 - fixed SQL; what people typed is a parameter
    return (
        candidates.filter(pk__in=hits)
        .annotate(search_rank=Coalesce(_Fts5Rank(expression, F("pk")), Value(0.0)))
        .order_by("search_rank", "-created_at", "-pk")
    )


# --- Any other database ------------------------------------------------------------------------


def _fallback_matching(candidates: QuerySet[Post], text: str) -> QuerySet[Post]:
    """No full-text engine: every word must appear somewhere in the body (case-insensitive)."""
    groups = _parse(text).groups
    if not groups:
        return candidates.none()
    for words in (group[0] for group in groups):
        candidates = candidates.filter(body__icontains=" ".join(words))
    return candidates.order_by("-created_at", "-pk")
