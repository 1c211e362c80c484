"""Discovery reads: search, filters, ordering, pagination and facets over brands.CreatorCard.

Everything here reads the one denormalized card table, so a query over a million creators runs on its indexes:

- Text (PostgreSQL): `search_vector @@ websearch_to_tsquery('english', text)` (GIN on search_vector) OR the
  text names the creator (below), so "Sarah Jonson" still finds "Sarah Johnson". Relevance =
  ts_rank_cd(search_vector) + word_similarity(text, name_text) for a creator the text names, + 0 for one only
  the full text found (a bio match is not lifted by a name that merely shares trigrams: "yoga" ~ "Yolanda").
  Text with filters: card_text_filters (migration 0004) holds the search vector, country, platforms,
  categories, niches and languages in ONE GIN index, so `text AND country AND platform` is intersected inside
  one index scan (the rare key steps through the long posting lists) instead of one bitmap per index ANDed.
  card_text_filters_100k (migration 0005) is the same index over the cards with at least 100K followers
  (SizeBand.MID's floor): a query asking for that reach or more implies its predicate and the planner reads
  its posting lists, a tenth as long (a word in a third of all bios costs ~4 ms to decode in the full index).
  Relevance ranks a bounded candidate set: the RELEVANCE_CANDIDATES (1,000) most-followed matches, ordered by
  text rank; matches beyond them are counted in the total but reached only with another ordering. One
  statement finds the candidates and computes their relevance (ranked_candidates); the page then reads only
  its own rows by primary key.
- Names (PostgreSQL; pg_trgm's recommended spelling correction): the text names a creator when EVERY word of
  it (as the "simple" parser splits it) is close to some word of the creator's display name — trigram
  similarity at least NAME_WORD_SIMILARITY (0.4: "jonson" ~ "johnson", "peterz" ~ "peters"), or the
  word is like a part of the name word (word similarity at least pg_trgm.word_similarity_threshold, 0.6:
  "sar" ~ "sarah", "johns" ~ "johnson") — AND the whole text is word-similar to name_text (lower-cased name and
  handles) by at least NAME_SIMILARITY (0.6), the test the whole name search used to be alone. Close words
  come from brands.NameWord, the distinct words of all display names (thousands, not a million rows:
  trigram index name_word_trgm); the cards holding them come from card_search_vector (name and handle
  lexemes, weight A); word similarity is then computed only for those cards. So a word close to no name word
  ("sarah xqzv") finds no one by name, and a typo inside a handle unlike the display name is not corrected
  (the exact handle is still found by full text).
- Match ordering scores a bounded candidate set (match_candidates): the MATCH_CANDIDATES (1,000) most-followed
  cards matching the filters that share a category or niche with the target (when it names none: a
  platform), ordered by match percentage, then followers. match_percentage is exact for every returned card.
- Text (SQLite, the embedded default): every word of the text must appear (icontains) in the name and handles,
  bio, categories or niches; relevance puts name matches first.
- Price: a creator matches a price range when its cheapest active package (`min_price`, the "price from")
  lies inside it, both ends inclusive; creators without any price never match a price filter. Prices are
  compared in the creator's own currency.
- Totals: counting 400,000 matches exactly is too slow, so the exact count stops at TOTAL_CAP + 1 rows
  (`SELECT count(*) FROM (... LIMIT cap + 1)`). Beyond the cap, PostgreSQL answers the planner's estimate of
  the filtered query (`EXPLAIN (FORMAT JSON)` → Plan Rows, rounded to two significant figures, never below
  the cap) with exact=False; SQLite (the small embedded database) counts exactly.
- Pages: `offset` up to MAX_OFFSET, or an opaque signed `cursor`. For the column orderings and "match" the
  cursor holds the last row's sort key and creator id (keyset: a deep page costs what the first costs); for
  "relevance" it holds the next offset. On PostgreSQL the keyset condition is a row comparison
  `(followers, creator_id) < (x, y)`, an index condition, so page 251 reads what page 1 reads.
- Facets: counts per option over the rows matching all the query's OTHER filters (a facet's own selection is
  left out so its other options stay visible). When more than FACET_EXACT_LIMIT rows match the filters that
  facets never leave out (text, followers, engagement, city, audience quality), PostgreSQL counts over a
  block sample of about FACET_SAMPLE_ROWS (5,000) rows (TABLESAMPLE SYSTEM ... REPEATABLE), scaled up by
  table rows / rows the sample read (a ratio estimate: the number of rows in sampled pages varies) and
  rounded, and answers exact=False: one standard error is about ±4% for an option holding a tenth of the
  matches and ±15% for one holding a hundredth. PostgreSQL reads the rows once and counts every facet in one
  GROUP BY GROUPING SETS pass (list facets group by the whole JSON list, then unnest the groups); in a sample,
  the name match is a `creator_id IN (its index matches)` test rather than computed per sampled row.
  When the sample alone shows more than FACET_SURELY_SAMPLED × TOTAL_CAP matches, `total` is the planner's
  estimate without the capped count first (what the capped count would lead to anyway). Without any filter
  (the discovery page's first view, the same for every brand) the counts are exact instead: they are read from
  brands.FacetSummary, counted in full by a beat job every DISCOVERY_FACET_SUMMARY_SECONDS (a summary three
  periods old is not used, and the sample answers). Answers are cached for FACET_CACHE_SECONDS under the
  normalized query.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import json
import math
import re
from dataclasses import asdict, dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast
from django.utils import timezone

from accounts import onboarding
from accounts.models import CreatorProfile
from brands.models import CreatorCard, FacetSummary, NameWord, SizeBand
from brands.query import ORDERINGS, CreatorQuery
from influmojo.errors import ApplicationError

TOTAL_CAP = 1_000  # totals beyond this are the planner's estimate (PostgreSQL) with total_is_exact=False
MAX_OFFSET = 10_000  # deeper pages need the cursor
FACET_EXACT_LIMIT = 10_000  # above this many base matches, facets come from a block sample (PostgreSQL)
FACET_SURELY_SAMPLED = 5  # estimate above this × the limit: no capped count first (FACET_EXACT_LIMIT, TOTAL_CAP)
FACET_SAMPLE_ROWS = 5_000  # about how many table rows the sample reads (see creator_facets on accuracy)
FACET_CACHE_SECONDS = 300  # facet answers are cached this long under the normalized query
FACET_SAMPLE_SEED = 7  # REPEATABLE: the same query gives the same counts
RELEVANCE_CANDIDATES = 1_000  # relevance ranks this many most-followed text matches
MATCH_CANDIDATES = 1_000  # match ordering ranks this many most-followed cards (see match_candidates)
TOP_VALUES = 20  # countries and languages listed in facets
CURSOR_SALT = "brands.discovery.cursor"

# Fixed price bands over the cheapest package: (value, low inclusive, high exclusive or None, label).
PRICE_BANDS = [
    ("0-100", Decimal(0), Decimal(100), "Under 100"),
    ("100-500", Decimal(100), Decimal(500), "100–500"),
    ("500-1000", Decimal(500), Decimal(1000), "500–1,000"),
    ("1000-5000", Decimal(1000), Decimal(5000), "1,000–5,000"),
    ("5000-", Decimal(5000), None, "5,000 and more"),
]

# Keyset orderings: (card attribute, descending, nullable); creator_id in the same direction breaks ties.
KEYSET_ORDERINGS = {
    "-followers": [("followers", True, False)],
    "followers": [("followers", False, False)],
    "-engagement": [("engagement_rate", True, False)],
    "engagement": [("engagement_rate", False, False)],
    "price": [("min_price", False, True)],
    "-price": [("min_price", True, True)],
    "-rating": [("rating", True, False)],
    "match": [("match_percentage", True, False), ("followers", True, False)],
}
DECIMAL_KEYS = {"engagement_rate", "min_price", "rating"}


@dataclass
class SearchPage:
    cards: list[CreatorCard]
    total: int
    total_is_exact: bool
    next_cursor: str | None


class InvalidCursor(ApplicationError):
    code = "invalid_cursor"


def listed_cards() -> QuerySet[CreatorCard]:
    """Cards of creators who can be discovered (active creator account, public profile)."""
    return CreatorCard.objects.filter(listed=True)


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


NAME_SIMILARITY = 0.6  # word similarity of the whole text with name_text (pg_trgm's default word threshold)
NAME_WORD_SIMILARITY = 0.4  # trigram similarity of a query word with a close name word ("jonson" ~ "johnson")

# The query's words (the "simple" parser: lower-cased, unstemmed), each with its close name words from
# brands.NameWord: trigram similarity >= NAME_WORD_SIMILARITY (typos: "jonson" ~ "johnson" 0.5; "travel" ~
# "tran" 0.33 is not close) or the query word like a part of the name word, word similarity >=
# pg_trgm.word_similarity_threshold (0.6: prefixes, "sar" ~ "sarah"); name_word_trgm serves both (`%` at
# pg_trgm's 0.3, then the stricter test). They make one tsquery over the name and handle lexemes (weight A):
# every query word by any of its close words; NULL (no card) when a query word has none.
_CLOSE_NAME_WORDS = (
    "SELECT to_tsquery('english'::regconfig, string_agg(per_word.alternatives, ' & ')) FROM ("
    r"SELECT '(' || string_agg('''' || replace(replace(n.word, '\', '\\'), '''', '''''') || ''':A', ' | ')"
    " || ')' AS alternatives "
    "FROM (SELECT DISTINCT lexeme AS word FROM unnest(to_tsvector('simple'::regconfig, %s))) q "
    f"JOIN {NameWord._meta.db_table} n ON ((n.word %% q.word AND similarity(n.word, q.word) >= %s) "
    "OR n.word %%> q.word) GROUP BY q.word) per_word "
    "HAVING count(*) = (SELECT count(DISTINCT lexeme) FROM unnest(to_tsvector('simple'::regconfig, %s)))"
)


class _NameMatch(Func):
    """PostgreSQL: the text names the creator (module docstring, "Names"): the search vector holds, for every
    query word, one of its close display-name words among the name and handle lexemes (card_search_vector; the
    close words come from brands.NameWord through name_word_trgm), and the whole text is word-similar to
    name_text (at least NAME_SIMILARITY; computed only for the cards the index found)."""

    output_field = BooleanField()

    def __init__(self, text: str):
        super().__init__(F("search_vector"), F("name_text"))
        self.text = text

    def as_sql(self, compiler, connection, **extra_context):
        vector, vector_params = compiler.compile(self.source_expressions[0])
        name, name_params = compiler.compile(self.source_expressions[1])
        return (f"({vector} @@ ({_CLOSE_NAME_WORDS}) AND word_similarity(%s, {name}) >= %s)",
                [*vector_params, self.text, NAME_WORD_SIMILARITY, self.text, self.text.lower(), *name_params,
                 NAME_SIMILARITY])


def _json_has(field: str, value: str) -> Q:
    """A JSON list column holds `value`: containment on PostgreSQL (jsonb_path_ops GIN), text match on SQLite."""
    if _is_postgres():
        return Q(**{f"{field}__contains": [value]})
    return Q(**{f"{field}__icontains": f'"{value}"'})


def _any(field: str, values) -> Q:
    condition = Q()
    for value in values:
        condition |= _json_has(field, value)
    return condition


def _text_condition(text: str) -> Q:
    if _is_postgres():
        from django.contrib.postgres.search import SearchQuery

        tsquery = SearchQuery(text, search_type="websearch", config="english")
        return Q(search_vector=tsquery) | Q(_NameMatch(text))
    condition = Q()
    for word in text.split():
        condition &= (Q(name_text__icontains=word) | Q(bio__icontains=word) | Q(categories__icontains=word)
                      | Q(niches__icontains=word))
    return condition


def _relevance(text: str):
    if _is_postgres():
        from django.contrib.postgres.search import (
            SearchQuery,
            SearchRank,
            TrigramWordSimilarity,
        )

        tsquery = SearchQuery(text, search_type="websearch", config="english")
        similarity = Case(When(_NameMatch(text), then=Cast(TrigramWordSimilarity(text.lower(), "name_text"),
                                                          FloatField())),
                          default=Value(0.0), output_field=FloatField())
        return SearchRank(F("search_vector"), tsquery, cover_density=True) + similarity
    return Case(When(name_text__icontains=text.strip(), then=Value(2)), default=Value(1), output_field=IntegerField())


def _text_alternatives(text: str) -> list[Q]:
    """The text condition's OR-ed parts (PostgreSQL: full text, the name match; SQLite: the one AND)."""
    if _is_postgres():
        from django.contrib.postgres.search import SearchQuery

        tsquery = SearchQuery(text, search_type="websearch", config="english")
        return [Q(search_vector=tsquery), Q(_NameMatch(text))]
    return [_text_condition(text)]


def relevance_candidates(query: CreatorQuery) -> list[int]:
    """Creator ids of the most-followed cards matching `query`, most followed first (one statement): up to
    max(RELEVANCE_CANDIDATES, TOTAL_CAP) + 1, so their number is also the exact total up to TOTAL_CAP."""
    return [pk for pk, _relevance in ranked_candidates(query)]


def ranked_candidates(query: CreatorQuery) -> list[tuple[int, float]]:
    """(creator id, relevance) of the most-followed cards matching `query`, most followed first, in ONE statement;
    as many as relevance_candidates, each with its relevance (text rank + name similarity, see _relevance).

    Relevance ranks only the first RELEVANCE_CANDIDATES of these: a broad word ("fitness" matches 12% of a
    million cards) would otherwise compute ts_rank_cd and word similarity for every match and sort them all.
    On PostgreSQL each part of the text condition is its own branch of a UNION ALL, so each gets its best plan:
    the full-text branch walks card_followers from the top and stops at the candidates (or reads a rare
    word's few matches from the GIN index), the name branch finds the close name words (name_word_trgm) and
    their cards (card_search_vector) and computes word similarity for those only (see _NameMatch). The
    branches hand up the search vector and name text of the rows they already read, and the relevance is
    computed over the (deduplicated, limited) candidates only, so the page then reads just its own rows.
    """
    order = ("-followers", "-creator_id")
    wanted = max(RELEVANCE_CANDIDATES, TOTAL_CAP) + 1
    text = query.search.strip()
    rest = listed_cards().filter(_base_conditions(query.with_(search="")), _all_of(_facet_conditions(query).values()))
    alternatives = _text_alternatives(text)
    if len(alternatives) == 1:
        branch = rest.filter(alternatives[0]).annotate(relevance=_relevance(text)).order_by(*order)
        return [(pk, relevance) for pk, relevance in branch.values_list("creator_id", "relevance")[:wanted]]
    from django.contrib.postgres.search import TrigramWordSimilarity

    # The name term of the relevance: the word similarity of a card the text names (the name branch, which
    # computed it for its few rows anyway), 0 for a card only the full text found. Every candidate the text
    # names came through the name branch: its 1,001 most-followed matches include any that rank among the
    # union's 1,001 most followed.
    name_similarity = {
        id(alternatives[0]): Cast(Value(0.0), FloatField()),
        id(alternatives[1]): Cast(TrigramWordSimilarity(text.lower(), "name_text"), FloatField()),
    }
    parts, params = [], []
    for alternative in alternatives:
        branch = (rest.filter(alternative).annotate(name_similarity=name_similarity[id(alternative)])
                  .order_by(*order).values_list("creator_id", "followers", "search_vector", "name_similarity")[:wanted])
        sql, branch_params = branch.query.sql_with_params()
        parts.append(f"({sql})")
        params.extend(branch_params)
    # The same expression as _relevance (ts_rank_cd over the websearch query + the name term), over the
    # candidates' own columns; DISTINCT ON keeps one row of a card both branches found (the name branch's).
    statement = (
        "SELECT c.creator_id, ts_rank_cd(c.search_vector, websearch_to_tsquery('english'::regconfig, %s)) "
        "+ c.name_similarity FROM ("
        "SELECT DISTINCT ON (u.creator_id) u.* FROM (" + " UNION ALL ".join(parts) + ") u "
        "ORDER BY u.creator_id, u.name_similarity DESC"
        ") c ORDER BY c.followers DESC, c.creator_id DESC LIMIT %s"
    )
    with connection.cursor() as db:
        db.execute(statement, [text, *params, wanted])
        return [(pk, relevance) for pk, relevance in db.fetchall()]


def _shares_with_target(target) -> Q:
    """Cards sharing something with the target: any of its categories or niches when it names some, else any
    of its platforms when it names some, else every card (jsonb containment, GIN indexes on PostgreSQL)."""
    if target.categories or target.niches:
        return _any("categories", target.categories) | _any("niches", [n.lower() for n in target.niches])
    if target.platforms:
        return _any("platforms", target.platforms)
    return Q()


def match_candidates(query: CreatorQuery, target) -> QuerySet:
    """The cards the "match" ordering ranks (a subquery of creator ids): of the cards matching every filter of
    `query` and sharing a category/niche with the target (or, when it names none, a platform), the
    MATCH_CANDIDATES most followed. Scoring every card (a million) takes a second; PostgreSQL walks
    card_followers (or card_country with a country filter) from the top and stops at the candidates.
    Cards outside this set are counted in the total but never appear in match order."""
    candidates = creator_filter(query).filter(_shares_with_target(target))
    return candidates.order_by("-followers", "-creator_id").values("pk")[:MATCH_CANDIDATES]


def _base_conditions(query: CreatorQuery, *, sampled: bool = False) -> Q:
    """Filters that facets never leave out. `sampled`: the form for rows read by a block sample (PostgreSQL),
    where the name match becomes `creator_id IN (its matches by the indexes)`: the same rows, but word
    similarity is computed once per match instead of once per sampled row."""
    condition = Q()
    if query.has_text and sampled and _is_postgres():
        text = query.search.strip()
        similar = CreatorCard.objects.filter(_NameMatch(text)).values("pk")
        condition &= _text_alternatives(text)[0] | Q(pk__in=similar)
    elif query.has_text:
        condition &= _text_condition(query.search.strip())
    if query.min_followers is not None:
        condition &= Q(followers__gte=query.min_followers)
    if query.max_followers is not None:
        condition &= Q(followers__lte=query.max_followers)
    if query.min_engagement is not None:
        condition &= Q(engagement_rate__gte=query.min_engagement)
    if query.city.strip():
        condition &= Q(city__iexact=query.city.strip())
    if query.min_audience_quality is not None:
        condition &= Q(audience_quality__gte=query.min_audience_quality)
    if query.exclude_ids:
        condition &= ~Q(creator_id__in=query.exclude_ids)
    return condition


def _facet_conditions(query: CreatorQuery) -> dict[str, Q]:
    """Each facet's own selection (empty Q when nothing is selected); facet counts leave their own one out."""
    niches = [niche.strip().lower() for niche in query.niches if niche.strip()]
    price = Q()
    if query.min_price is not None:
        price &= Q(min_price__gte=query.min_price)
    if query.max_price is not None:
        price &= Q(min_price__lte=query.max_price)
    available = Q()
    if query.available is True:
        available = Q(availability=CreatorProfile.Availability.AVAILABLE)
    elif query.available is False:
        available = ~Q(availability=CreatorProfile.Availability.AVAILABLE)
    return {
        "platform": _any("platforms", query.platforms),
        "category": _any("categories", niches) | _any("niches", niches),
        "country": Q(country__in=[c.upper() for c in query.countries]) if query.countries else Q(),
        "language": _any("languages", query.languages),
        "size": Q(size_band__in=query.size_bands) if query.size_bands else Q(),
        "availability": available,
        "verified": Q(verified=query.verified) if query.verified is not None else Q(),
        "price": price,
    }


def _all_of(conditions) -> Q:
    combined = Q()
    for condition in conditions:
        combined &= condition
    return combined


def creator_filter(query: CreatorQuery) -> QuerySet[CreatorCard]:
    """Listed cards matching every filter of `query` (unordered)."""
    return listed_cards().filter(_base_conditions(query), _all_of(_facet_conditions(query).values()))


def capped_count(queryset: QuerySet, cap: int | None = None) -> tuple[int, bool]:
    """(count, exact): counts at most cap + 1 rows, so a huge match set costs what cap rows cost."""
    cap = TOTAL_CAP if cap is None else cap
    found = queryset.order_by().values("pk")[: cap + 1].count()
    return (cap, False) if found > cap else (found, True)


def _planner_rows(queryset: QuerySet) -> float:
    """PostgreSQL's estimate of how many rows `queryset` returns (EXPLAIN, nothing executed)."""
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as db:
        db.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = db.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return float(plan[0]["Plan"]["Plan Rows"])


def search_total(queryset: QuerySet) -> tuple[int, bool]:
    """(total, exact) for a result list: exact up to TOTAL_CAP; beyond it the planner's estimate on PostgreSQL
    (two significant figures, never below the cap), an exact count on SQLite."""
    found, exact = capped_count(queryset, TOTAL_CAP)
    return (found, True) if exact else _total_beyond_cap(queryset)


def _total_beyond_cap(queryset: QuerySet) -> tuple[int, bool]:
    """(total, exact) for a query known to match more than TOTAL_CAP rows."""
    if not _is_postgres():
        return queryset.count(), True
    return max(TOTAL_CAP, _round(_planner_rows(queryset))), False


# --- Ordering and cursors ---------------------------------------------------------------------------------
def effective_ordering(query: CreatorQuery, target) -> str:
    """The ordering actually applied: relevance needs text, match needs a target; else most followers first."""
    ordering = query.ordering
    has_target = target is not None and not target.is_empty
    if ordering in ("", "relevance"):
        if query.has_text:
            return "relevance"
        return "match" if has_target else "-followers"
    if ordering == "match" and not has_target:
        return "-followers"
    return ordering


def _order_by(ordering: str) -> list:
    if ordering == "relevance":
        return [F("relevance").desc(), F("followers").desc(), F("creator_id").desc()]
    keys = KEYSET_ORDERINGS[ordering] + [("creator_id", KEYSET_ORDERINGS[ordering][0][1], False)]
    order = []
    for attr, descending, nullable in keys:
        expression = F(attr)
        # ASC puts NULLs last by default on PostgreSQL; DESC must ask for it (unpriced creators come last).
        order.append(expression.desc(nulls_last=True) if descending and nullable else
                     expression.desc() if descending else expression.asc(nulls_last=True) if nullable
                     else expression.asc())
    return order


def _encode(value):
    return str(value) if isinstance(value, Decimal) else value


def encode_cursor(ordering: str, *, keys=None, offset=None) -> str:
    payload = {"o": ordering, "k": [_encode(v) for v in keys]} if keys is not None else {"o": ordering, "n": offset}
    return signing.dumps(payload, salt=CURSOR_SALT, compress=True)


def decode_cursor(cursor: str) -> dict:
    """The cursor's payload; InvalidCursor (400) when it was not made here or was changed."""
    try:
        payload = signing.loads(cursor, salt=CURSOR_SALT)
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise InvalidCursor("This cursor is not valid; start again from the first page.") from exc
    if not isinstance(payload, dict) or payload.get("o") not in ORDERINGS:
        raise InvalidCursor("This cursor is not valid; start again from the first page.")
    return payload


def _cursor_keys(payload: dict, ordering: str) -> list:
    """The last row's sort key, typed; InvalidCursor when it does not fit the ordering."""
    keys = KEYSET_ORDERINGS[ordering] + [("creator_id", False, False)]
    values = payload.get("k")
    if payload.get("o") != ordering or not isinstance(values, list) or len(values) != len(keys):
        raise InvalidCursor("This cursor belongs to another ordering; start again from the first page.")
    typed = []
    for (attr, _descending, nullable), value in zip(keys, values, strict=True):
        if value is None and nullable:
            typed.append(None)
        elif attr in DECIMAL_KEYS and isinstance(value, str):
            try:
                typed.append(Decimal(value))
            except InvalidOperation as exc:
                raise InvalidCursor("This cursor is not valid; start again from the first page.") from exc
        elif attr not in DECIMAL_KEYS and isinstance(value, int) and not isinstance(value, bool):
            typed.append(value)
        else:
            raise InvalidCursor("This cursor is not valid; start again from the first page.")
    return typed


class _RowAfter(Func):
    """`(a, b, ...) < (x, y, ...)` (or `>`): a row comparison, which PostgreSQL uses as a btree index condition
    on an index over the same columns in the same direction, so a deep page starts where the cursor points."""

    output_field = BooleanField()

    def __init__(self, columns: list, values: list, descending: bool):
        super().__init__(*columns, *[Value(value) for value in values])
        self.width = len(columns)
        self.operator = "<" if descending else ">"

    def as_sql(self, compiler, connection, **extra_context):
        parts, params = [], []
        for expression in self.get_source_expressions():
            sql, expression_params = compiler.compile(expression)
            parts.append(sql)
            params.extend(expression_params)
        left, right = ", ".join(parts[: self.width]), ", ".join(parts[self.width:])
        return f"(({left}) {self.operator} ({right}))", params


def _after(ordering: str, values: list) -> Q:
    """Rows strictly after `values` in the keyset order (NULL prices sort last in both directions).

    PostgreSQL, cursor on a non-NULL key: one row comparison over the whole key (every key of an ordering runs
    in the same direction), an index condition on card_followers / card_engagement / card_rating / card_price*;
    for the price orderings `OR min_price IS NULL` follows (unpriced creators come last). Otherwise (SQLite,
    or a cursor already among the unpriced) the equivalent expanded OR form.
    """
    keys = KEYSET_ORDERINGS[ordering] + [("creator_id", KEYSET_ORDERINGS[ordering][0][1], False)]
    if _is_postgres() and None not in values:
        condition = Q(_RowAfter([F(attr) for attr, _d, _n in keys], values, keys[0][1]))
        first, _descending, nullable = keys[0]
        return condition | Q(**{f"{first}__isnull": True}) if nullable else condition
    alternatives = []
    equal = Q()
    for (attr, descending, nullable), value in zip(keys, values, strict=True):
        if value is None:
            # Past the last priced row: only NULLs remain, ordered by the rest of the key.
            equal &= Q(**{f"{attr}__isnull": True})
            continue
        beyond = Q(**{f"{attr}__lt" if descending else f"{attr}__gt": value})
        if nullable:
            beyond |= Q(**{f"{attr}__isnull": True})
        alternatives.append(equal & beyond)
        equal &= Q(**{attr: value})
    condition = Q()
    for alternative in alternatives:
        condition |= alternative
    return condition


def _match_expression(target):
    """The match score for `target` as the card table's SQL, compiled once per formula and target
    (see _compiled_match): the expression tree is ~100 nodes, and resolving it for every page, then hashing it
    again for ORDER BY, cost ~2 ms of Python per request. Only for a query whose outer table is the card table
    itself (not aliased): the compiled SQL names its columns "brands_creatorcard"."column"."""
    from brands import matching

    sql, params = _compiled_match(matching.match_score_expression, target, connection.vendor)
    return RawSQL(sql, params, output_field=IntegerField())


@functools.lru_cache(maxsize=256)
def _compiled_match(formula, target, vendor: str) -> tuple[str, tuple]:
    query = CreatorCard.objects.all().query
    sql, params = query.get_compiler(connection=connection).compile(formula(target).resolve_expression(query))
    return sql, tuple(params)


def _match_status(percentage):
    from brands import matching

    return matching.match_status(percentage)


# --- Search -----------------------------------------------------------------------------------------------
def creator_search(*, query: CreatorQuery, viewer, target=None, limit: int = 20, offset: int = 0,
                   cursor: str | None = None) -> SearchPage:
    """One page of listed creators matching `query`, with its total. Two SQL statements (capped count, page;
    relevance: the candidate ids, whose number is the total up to TOTAL_CAP, then the page), three on
    PostgreSQL when more than TOTAL_CAP match (the EXPLAIN that estimates the total).

    With a target every card carries `match_percentage` (0–100, computed in SQL) and `match_status`;
    without one both are None. `cursor` (from a previous page's next_cursor) replaces `offset`.
    """
    ordering = effective_ordering(query, target)
    ranked = None
    if ordering == "relevance":
        candidates = ranked_candidates(query)
        if len(candidates) <= TOTAL_CAP:
            total, total_is_exact = len(candidates), True
        else:
            total, total_is_exact = _total_beyond_cap(creator_filter(query))
        # Ranked here, in the order the database would sort them (relevance, followers, id: the candidates are
        # most followed first, and the sort is stable); the page reads only its own rows by primary key.
        # (PostgreSQL sorts a NULL relevance, from a card without a search vector, first when descending.)
        ranked = sorted(candidates[:RELEVANCE_CANDIDATES],
                        key=lambda candidate: (candidate[1] is not None, -(candidate[1] or 0)))
        queryset = listed_cards()
    else:
        queryset = creator_filter(query)
        total, total_is_exact = search_total(queryset)
        if ordering == "match":
            # The candidates already match every filter: the page reads them by primary key and scores them.
            queryset = listed_cards().filter(pk__in=match_candidates(query, target))
    queryset = queryset.defer("search_vector", "audience_quality_basis")
    if target is not None:
        queryset = queryset.annotate(match_percentage=_match_expression(target))

    keyset = ordering in KEYSET_ORDERINGS
    if cursor:
        payload = decode_cursor(cursor)
        if keyset:
            queryset = queryset.filter(_after(ordering, _cursor_keys(payload, ordering)))
            offset = 0
        else:
            offset = payload.get("n")
            if payload.get("o") != ordering or not isinstance(offset, int) or not 0 <= offset <= MAX_OFFSET:
                raise InvalidCursor("This cursor belongs to another ordering; start again from the first page.")
    elif offset > MAX_OFFSET:
        raise ApplicationError(f"Pages start at most {MAX_OFFSET} rows in; use the cursor to go deeper.",
                               code="offset_too_large", details={"offset": [f"At most {MAX_OFFSET}."]})

    if ranked is not None:
        window = ranked[offset: offset + limit + 1]
        by_pk = {card.pk: card for card in queryset.filter(pk__in=[pk for pk, _relevance in window])}
        rows = []
        for pk, relevance in window:
            if pk in by_pk:  # (a card unlisted since the candidates were read is left out)
                by_pk[pk].relevance = relevance
                rows.append(by_pk[pk])
    else:
        rows = list(queryset.order_by(*_order_by(ordering))[offset: offset + limit + 1])
    cards = rows[:limit]
    for card in cards:
        if target is None:
            card.match_percentage = None
            card.match_status = None
        else:
            card.match_status = _match_status(card.match_percentage)

    next_cursor = None
    if len(rows) > limit and cards:
        last = cards[-1]
        if keyset:
            attrs = [attr for attr, _d, _n in KEYSET_ORDERINGS[ordering]] + ["creator_id"]
            next_cursor = encode_cursor(ordering, keys=[getattr(last, attr) for attr in attrs])
        elif offset + limit <= MAX_OFFSET:
            next_cursor = encode_cursor(ordering, offset=offset + limit)
    return SearchPage(cards=cards, total=total, total_is_exact=total_is_exact, next_cursor=next_cursor)


# --- Facets -----------------------------------------------------------------------------------------------
def _price_band(low, high) -> Q:
    condition = Q(min_price__gte=low)
    return condition & Q(min_price__lt=high) if high is not None else condition


def _facet_options(query: CreatorQuery) -> dict[str, list[tuple[str, str, Q]]]:
    """(value, label, condition) for every facet with a closed vocabulary (counted in one statement)."""
    return {
        "platform": [(v, label, _json_has("platforms", v)) for v, label in onboarding.SOCIAL_PLATFORMS.items()],
        "category": [(v, label, _json_has("categories", v)) for v, label in onboarding.CONTENT_CATEGORIES.items()],
        "language": [(v, label, _json_has("languages", v)) for v, label in onboarding.CONTENT_LANGUAGES.items()],
        "size": [(v, label, Q(size_band=v)) for v, label in SizeBand.choices],
        "availability": [(v, label, Q(availability=v)) for v, label in CreatorProfile.Availability.choices],
        "verified": [("true", "Verified", Q(verified=True)), ("false", "Not verified", Q(verified=False))],
        "price": [(v, label, _price_band(low, high)) for v, low, high, label in PRICE_BANDS],
    }


def _count(condition: Q) -> Count:
    return Count("pk", filter=condition) if condition else Count("pk")


def _sampled(sql: str, percent: float) -> str:
    """The statement with its outer read of the card table (not a subquery's aliased `... U0`) sampled."""
    table = re.compile(rf'FROM "{CreatorCard._meta.db_table}"(?! U\d)')
    if len(table.findall(sql)) != 1:
        raise RuntimeError("facet query does not read the card table exactly once")
    return table.sub(lambda found: f"{found.group(0)} TABLESAMPLE SYSTEM ({percent:.4f}) "
                                   f"REPEATABLE ({FACET_SAMPLE_SEED})", sql)


def _run(queryset: QuerySet, percent: float | None) -> list[tuple]:
    sql, params = queryset.query.sql_with_params()
    if percent is not None:
        sql = _sampled(sql, percent)
    with connection.cursor() as db:
        db.execute(sql, params)
        return db.fetchall()


# Facets counted per value (PostgreSQL): (facet, column of the rows read, True when the column is a JSON list
# whose elements are the values).
_GROUPED_FACETS = [
    ("platform", "platforms", True),
    ("category", "categories", True),
    ("language", "languages", True),
    ("size", "size_band", False),
    ("availability", "availability", False),
    ("verified", "verified", False),
    ("price", "price_band", False),
    ("country", "country", False),
]


def _counts_postgres(query: CreatorQuery,
                     percent: float | None) -> tuple[dict[str, dict[str, int]], int, int | None]:
    """({facet: {value: count}}, total, rows read) in ONE statement that reads the rows matching the base filters
    (a block sample when `percent` is given; `rows read` then counts every card row in the sampled pages, else
    it is None) once: each row carries one boolean per facet, "passes every OTHER facet's
    selection" (o_<facet>), and one GROUP BY GROUPING SETS counts them all in a single hashing pass. A list
    facet groups by the whole JSON list first (a few thousand distinct lists at most) and unnests only the
    groups."""
    selections = _facet_conditions(query)
    # Only selected facets carry a flag: an unselected one passes every row, so it is left out of the tests below
    # (unfiltered, the keys are the bare columns and no row is tested at all).
    selected = [name for name, condition in selections.items() if condition]
    flags = {f"f_{name}": ExpressionWrapper(selections[name], output_field=BooleanField()) for name in selected}
    band = Case(*[When(_price_band(low, high), then=Value(value)) for value, low, high, _label in PRICE_BANDS],
                default=Value(None), output_field=CharField())
    rows = (listed_cards().filter(_base_conditions(query, sampled=percent is not None)).order_by()
            .annotate(price_band=band, **flags)
            .values("platforms", "categories", "languages", "size_band", "availability", "verified", "country",
                    "price_band", *flags))
    sql, params = rows.query.sql_with_params()
    if percent is not None:
        sql = _sampled(sql, percent)

    def passing(*names):
        return "(" + (" AND ".join(f"q.f_{name}" for name in names if name in selected) or "TRUE") + ")"

    facets = [facet for facet, _column, _list in _GROUPED_FACETS]
    columns = [column for _facet, column, _list in _GROUPED_FACETS]
    others_of = {facet: passing(*(name for name in selections if name != facet)) for facet in facets}
    others = ", ".join(f"{others_of[facet]} AS o_{facet}" for facet in facets)
    # A facet's key is its column where the row passes the facet's others, else NULL (one cheap group, dropped);
    # rows passing no facet's others and not all selections are dropped before grouping. OFFSET 0 keeps the
    # read a subquery, so each selection (a jsonb containment, say) is evaluated once per row.
    keys = [f"r.{column}" if others_of[facet] == "(TRUE)" else f"CASE WHEN r.o_{facet} THEN r.{column} END"
            for facet, column in zip(facets, columns, strict=True)]
    every_row_counts = "(TRUE)" in others_of.values()
    grouped = (
        "SELECT " + ", ".join(f"{key} AS {column}" for key, column in zip(keys, columns, strict=True)) + ", "
        + ", ".join(f"GROUPING({key}) = 0 AS g_{facet}" for key, facet in zip(keys, facets, strict=True))
        + ", r.o_all, count(*) AS n "
        f"FROM (SELECT q.*, {others}, {passing(*selections)} AS o_all FROM ({sql} OFFSET 0) q) r "
        + ("" if every_row_counts else "WHERE r.o_all OR " + " OR ".join(f"r.o_{facet}" for facet in facets) + " ")
        + "GROUP BY GROUPING SETS (" + ", ".join(f"({key})" for key in keys) + ", (r.o_all))"
    )
    parts = []
    for facet, column, is_list in _GROUPED_FACETS:
        if is_list:
            parts.append(
                f"SELECT '{facet}', v.value, sum(g.n)::bigint FROM g CROSS JOIN LATERAL jsonb_array_elements_text("
                f"CASE WHEN jsonb_typeof(g.{column}) = 'array' THEN g.{column} ELSE '[]'::jsonb END) AS v(value) "
                f"WHERE g.g_{facet} AND g.{column} IS NOT NULL GROUP BY v.value")
        else:
            parts.append(f"SELECT '{facet}', g.{column}::text, g.n FROM g WHERE g.g_{facet} AND g.{column} IS NOT NULL")
    any_column = " OR ".join(f"g.g_{facet}" for facet in facets)
    parts.append(f"SELECT 'total', NULL, g.n FROM g WHERE g.o_all AND NOT ({any_column})")
    if percent is not None:
        parts.append(f"SELECT 'read', NULL, (SELECT count(*) FROM \"{CreatorCard._meta.db_table}\" "
                     f"TABLESAMPLE SYSTEM ({percent:.4f}) REPEATABLE ({FACET_SAMPLE_SEED}))")
    statement = f"WITH g AS MATERIALIZED ({grouped}) " + " UNION ALL ".join(parts)
    counts: dict[str, dict[str, int]] = {facet: {} for facet, _column, _list in _GROUPED_FACETS}
    total, read = 0, None
    with connection.cursor() as db:
        db.execute(statement, params)
        for facet, value, count in db.fetchall():
            if facet == "total":
                total = count
            elif facet == "read":
                read = count
            else:
                counts[facet][value] = count
    return counts, total, read


def _counts_sqlite(query: CreatorQuery, base: QuerySet) -> tuple[dict[str, dict[str, int]], int]:
    """({facet: {value: count}}, total) without PostgreSQL's JSON functions: one conditional aggregate per
    closed-vocabulary option (the embedded database holds few rows) and one GROUP BY country."""
    selections = _facet_conditions(query)

    def others(facet):
        return _all_of(condition for name, condition in selections.items() if name != facet)

    options = _facet_options(query)
    aggregates = {"total": _count(_all_of(selections.values()))}
    for facet, choices in options.items():
        rest = others(facet)
        for index, (_value, _label, condition) in enumerate(choices):
            aggregates[f"{facet}_{index}"] = _count(rest & condition)
    aggregate_query = base.order_by().annotate(_one=Value(1)).values("_one").annotate(**aggregates).values(*aggregates)
    (row,) = _run(aggregate_query, None) or [(0,) * len(aggregates)]
    counted = dict(zip(aggregates, row, strict=True))
    counts = {facet: {value: counted[f"{facet}_{index}"] for index, (value, _label, _c) in enumerate(choices)}
              for facet, choices in options.items()}
    country_query = (base.filter(others("country")).exclude(country="").order_by().values("country")
                     .annotate(n=Count("pk")).values_list("country", "n"))
    counts["country"] = dict(_run(country_query, None))
    return counts, counted["total"]


def _table_rows() -> float:
    """PostgreSQL's estimate of the card table's rows, as the planner makes it: rows per page at the last
    VACUUM/ANALYZE (pg_class) times the table's current pages, so growth since then is counted (-1: unknown)."""
    with connection.cursor() as db:
        db.execute("SELECT CASE WHEN relpages > 0 THEN reltuples / relpages * (pg_relation_size(oid) / "
                   "current_setting('block_size')::int) ELSE reltuples END "
                   "FROM pg_class WHERE oid = %s::regclass", [CreatorCard._meta.db_table])
        row = db.fetchone()
    return row[0] if row else -1


def _sample_percent(rows: float) -> float:
    return 100.0 if rows <= 0 else max(0.01, min(100.0, 100.0 * FACET_SAMPLE_ROWS / rows))


def _round(count: float) -> int:
    """Two significant figures: an estimate should not look exact."""
    if count < 1:
        return 0
    digits = math.floor(math.log10(count)) - 1
    return round(count / 10**digits) * 10**digits if digits > 0 else round(count)


def _facet_cache_key(query: CreatorQuery) -> str:
    """The same key for queries that count the same: ordering left out, lists sorted, text normalized."""
    normalized = query.with_(
        search=" ".join(query.search.lower().split()), ordering="", city=query.city.strip().lower(),
        platforms=tuple(sorted(set(query.platforms))), niches=tuple(sorted({n.strip().lower() for n in query.niches})),
        countries=tuple(sorted({c.upper() for c in query.countries})), languages=tuple(sorted(set(query.languages))),
        size_bands=tuple(sorted(set(query.size_bands))), exclude_ids=tuple(sorted(set(query.exclude_ids))),
    )
    digest = hashlib.sha256(json.dumps(asdict(normalized), sort_keys=True, default=str).encode()).hexdigest()
    return f"brands:discovery:facets:v3:{connection.vendor}:{digest}"


def creator_facets(*, query: CreatorQuery, viewer) -> dict:
    """Counts per filter option, each over the rows matching the query's other filters; cached.

    The answer does not depend on the viewer, so it is cached (Django's cache: Redis in production) for
    FACET_CACHE_SECONDS under the normalized query: counts can lag card changes by that long. Without any
    filter a cold call reads the facet summary (one query; exact counts up to three summary periods old) when
    there is a fresh one. Otherwise a cold call on PostgreSQL sends: an EXPLAIN of the base match set (text, followers, engagement, city, audience quality)
    and, unless its estimate is over FACET_SURELY_SAMPLED × FACET_EXACT_LIMIT, a count of it up to
    FACET_EXACT_LIMIT + 1; one statement for every facet and the total (see _counts_postgres); on the sampled
    path also the table size and the list's total: the EXPLAIN that estimates it, after a capped count unless
    the sample already shows more than FACET_SURELY_SAMPLED × TOTAL_CAP matches.
    """
    key = _facet_cache_key(query)
    cached = cache.get(key)
    if cached is not None:
        return cached
    result = _creator_facets(query)
    cache.set(key, result, FACET_CACHE_SECONDS)
    return result


def exact_facet_counts(query: CreatorQuery) -> tuple[dict[str, dict[str, int]], int]:
    """({facet: {value: count}}, total) counted over every card matching the query's base filters (no sample);
    what brands.services.facets stores for the unfiltered query."""
    if _is_postgres():
        counts, total, _read = _counts_postgres(query, None)
        return counts, total
    return _counts_sqlite(query, listed_cards().filter(_base_conditions(query)))


def _fresh_summary(query: CreatorQuery) -> FacetSummary | None:
    """The facet summary (exact counts over all listed cards) when `query` filters nothing and the summary is
    younger than three DISCOVERY_FACET_SUMMARY_SECONDS periods (the beat job missed two runs: estimate instead)."""
    if _base_conditions(query) or _all_of(_facet_conditions(query).values()):
        return None
    oldest = timezone.now() - datetime.timedelta(seconds=3 * settings.DISCOVERY_FACET_SUMMARY_SECONDS)
    return FacetSummary.objects.filter(computed_at__gte=oldest).first()


def _creator_facets(query: CreatorQuery) -> dict:
    summary = _fresh_summary(query)
    if summary is not None:
        return _facets_answer(query, summary.counts, summary.total, exact=True, scale=1.0)
    base = listed_cards().filter(_base_conditions(query))
    if not _is_postgres():
        exact = True
    elif _planner_rows(base) > FACET_SURELY_SAMPLED * FACET_EXACT_LIMIT:
        exact = False  # clearly far too many to count exactly: no need to count them up to the limit first
    else:
        exact = capped_count(base, FACET_EXACT_LIMIT)[1]
    table_rows = None if exact else _table_rows()
    percent = None if exact else _sample_percent(table_rows)

    read = None
    if _is_postgres():
        counts, counted_total, read = _counts_postgres(query, percent)
    else:
        counts, counted_total = _counts_sqlite(query, base)
    # A block sample reads a random number of rows (pages hold different numbers of rows, some none), so its
    # counts are scaled by table rows / rows the sample read (a ratio estimate), not by 100 / percent alone.
    if percent is None or percent >= 100:
        scale = 1.0  # counted, or a "sample" of every page
    else:
        scale = table_rows / read if read and table_rows > 0 else 100.0 / percent
    return _facets_answer(query, counts, counted_total, exact=exact, scale=scale)


def _facets_answer(query: CreatorQuery, counts: dict[str, dict[str, int]], counted_total: int, *, exact: bool,
                   scale: float) -> dict:
    """The facets answer from raw counts: every option labelled, estimates scaled and rounded, lists ordered."""

    def shown(count):
        return count if exact else _round(count * scale)

    options = _facet_options(query)
    facets = {}
    for facet, choices in options.items():
        facets[facet] = [{"value": value, "label": label, "count": shown(counts[facet].get(value, 0))}
                         for value, label, _condition in choices]
    selected_languages = set(query.languages)
    languages = sorted(facets["language"], key=lambda option: (-option["count"], option["label"]))
    facets["language"] = [option for rank, option in enumerate(languages)
                          if (rank < TOP_VALUES and option["count"]) or option["value"] in selected_languages]
    facets["category"].sort(key=lambda option: (-option["count"], option["label"]))
    country_counts = {code: count for code, count in counts["country"].items() if code}
    selected_countries = {c.upper() for c in query.countries}
    for code in selected_countries:
        country_counts.setdefault(code, 0)
    countries = sorted(country_counts.items(), key=lambda item: (-item[1], item[0]))
    facets["country"] = [
        {"value": code, "label": onboarding.COUNTRIES.get(code, code), "count": shown(count)}
        for rank, (code, count) in enumerate(countries) if rank < TOP_VALUES or code in selected_countries
    ]
    facets = {name: facets[name] for name in
              ("platform", "category", "country", "language", "size", "availability", "verified", "price")}

    if exact:
        total, total_is_exact = counted_total, True
    elif counted_total * scale > FACET_SURELY_SAMPLED * TOTAL_CAP:
        # The sample alone shows far more than TOTAL_CAP matches: the list's total is the planner's estimate
        # either way, so the capped count (1,001 rows read, dearest for text) is skipped.
        total, total_is_exact = _total_beyond_cap(creator_filter(query))
    else:
        total, total_is_exact = search_total(creator_filter(query))
    return {"total": total, "total_is_exact": total_is_exact, "exact": exact, "facets": facets}
