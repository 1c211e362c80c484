"""Keeps brands.CreatorCard true to the creator's data, and computes benchmarks and scores over all cards.

Card semantics (one row per creator with a creator profile; users of other types have none):
- listed: creator account, status active, profile public;
- display_name: profile display name, else the user's name; usernames: handles of their social accounts,
  biggest audience first; name_text: the distinct lower-cased words of the name and handles, in that order
  (trigram search; a handle used on several platforms appears once: word similarity reads every word, and
  repeats never change its result);
- followers: sum over the creator's social accounts; primary_platform: the account with most followers
  (the older account on a tie); avg_views: of that account; platforms: every platform with an account;
- engagement_rate: follower-weighted mean over accounts with a known rate (a self-reported 0 is unknown);
- min_price / max_price / currency: cheapest / dearest ACTIVE package (currency of the cheapest), else the
  profile's rates and currency; categories: profile.content_categories; niches: lower-cased profile niches;
- verified: profile.verified or any account connected by OAuth; rating / review_count: published reviews.

Name words (PostgreSQL): every word of a card's display name is in brands.NameWord (typo search corrects query
words against that short list); both ways in below add the words of the cards they write.

Two ways in, one result: `card_refresh` (one creator, the ORM, called on commit after every write that
changes a creator) and `cards_rebuild_all` (every creator; on PostgreSQL one INSERT ... SELECT ...
ON CONFLICT per id range). Scores (engagement percentile, audience quality, reliability) always come from
`_scores_apply`: one SQL gathers the inputs for a range of cards and brands.audience computes them.
"""

import datetime
import json
import math
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection, transaction
from django.db.models import Count, Sum
from django.utils import timezone

from accounts.models import CreatorProfile, User
from brands import audience
from brands.models import (
    SIZE_BAND_FLOORS,
    CreatorCard,
    EngagementBenchmark,
    NameWord,
    search_vector_expression,
    size_band_for,
)
from creators.models import MetricsSnapshot, Package, Review, SocialAccount

USERNAMES_MAX = CreatorCard._meta.get_field("usernames").max_length
DISPLAY_NAME_MAX = CreatorCard._meta.get_field("display_name").max_length
PERCENTILES = [i / 100 for i in range(1, 100)]
REBUILD_BATCH = 100_000  # creator ids per statement: bounded transactions and progress output
SCORES_BATCH = 50_000
COPY_THRESHOLD = 500  # fewer score rows than this are written with the ORM

SCORE_FIELDS = [
    "engagement_percentile", "audience_quality", "audience_quality_confidence", "audience_quality_basis",
    "reliability",
]

Progress = Callable[[str], None] | None


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _money(value) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"), ROUND_HALF_UP)


# --- One creator ----------------------------------------------------------------------------------------
def _display_name(user: User, profile: CreatorProfile) -> str:
    return (profile.display_name or user.name or f"{user.first_name} {user.last_name}".strip()
            or user.email.split("@")[0])[:DISPLAY_NAME_MAX]


def _engagement(accounts: list[dict]) -> Decimal:
    known = [a for a in accounts if not (a["source"] == SocialAccount.Source.SELF_REPORTED and not a["engagement_rate"])]
    followers = sum(a["followers"] for a in known)
    if not followers:
        return Decimal("0.0000")
    weighted = sum(a["engagement_rate"] * a["followers"] for a in known) / Decimal(followers)
    return weighted.quantize(Decimal("0.0001"), ROUND_HALF_UP)


def name_text_for(display_name: str, usernames: str) -> str:
    """The card's name_text: each whitespace-separated word of the lower-cased name and handles once, in order
    (the rebuild's SQL twin is in _rebuild_sql)."""
    return " ".join(dict.fromkeys(f"{display_name} {usernames}".lower().split()))


def _card_values(user: User, profile: CreatorProfile, accounts: list[dict], prices: list[dict], reviews: dict) -> dict:
    """The card's columns (but the scores) from the creator's rows; accounts come biggest first."""
    display_name = _display_name(user, profile)
    usernames = " ".join(a["username"] for a in accounts)[:USERNAMES_MAX]
    followers = sum(a["followers"] for a in accounts)
    primary = accounts[0] if accounts else None
    if prices:
        min_price, max_price, currency = prices[0]["price"], max(p["price"] for p in prices), prices[0]["currency"]
    else:
        min_price, max_price, currency = profile.min_rate, profile.max_rate, profile.currency
    count = reviews["count"] or 0
    rating = _money(Decimal(reviews["total"]) / count) if count else Decimal("0.00")
    oauth = any(a["source"] == SocialAccount.Source.OAUTH and a["state"] == SocialAccount.State.CONNECTED
                for a in accounts)
    return {
        "listed": user.status == User.Status.ACTIVE and user.profile_public,
        "slug": profile.slug,
        "display_name": display_name,
        "usernames": usernames,
        "name_text": name_text_for(display_name, usernames),
        "bio": profile.bio,
        "avatar": user.avatar.name or "",
        "categories": list(profile.content_categories or []),
        "niches": [str(niche).lower() for niche in profile.niches or []],
        "languages": list(profile.languages or []),
        "platforms": sorted({a["platform"] for a in accounts}),
        "country": profile.country,
        "city": profile.city,
        "followers": followers,
        "primary_platform": primary["platform"] if primary else "",
        "size_band": size_band_for(followers),
        "engagement_rate": _engagement(accounts),
        "avg_views": primary["avg_views"] if primary else 0,
        "min_price": min_price,
        "max_price": max_price,
        "currency": currency,
        "rating": rating,
        "review_count": count,
        "total_collaborations": profile.total_collaborations,
        "availability": profile.availability,
        "verified": profile.verified or oauth,
    }


@transaction.atomic
def card_refresh(*, creator_id: int) -> CreatorCard | None:
    """Rebuilds one creator's card from their rows and scores it against the current benchmarks.

    Not a creator, or no creator profile: the card is removed and None returned.
    """
    user = User.objects.select_related("creator_profile").filter(pk=creator_id).first()
    profile = getattr(user, "creator_profile", None) if user is not None else None
    if user is None or user.user_type != User.UserType.CREATOR or profile is None:
        CreatorCard.objects.filter(creator_id=creator_id).delete()
        return None
    accounts = list(
        SocialAccount.objects.filter(creator_id=creator_id)
        .order_by("-followers", "id")
        .values("platform", "source", "state", "username", "followers", "avg_views", "engagement_rate")
    )
    prices = list(
        Package.objects.filter(creator_id=creator_id, is_active=True).order_by("price", "id").values("price", "currency")
    )
    reviews = Review.objects.filter(creator_id=creator_id, is_published=True).aggregate(
        total=Sum("rating"), count=Count("id")
    )
    values = _card_values(user, profile, accounts, prices, reviews)
    card, _ = CreatorCard.objects.select_for_update().update_or_create(creator_id=creator_id, defaults=values)
    if _is_postgres():
        CreatorCard.objects.filter(pk=creator_id).update(search_vector=search_vector_expression())
        name_words_add(low=creator_id, high=creator_id + 1)
    _scores_apply(low=creator_id, high=creator_id + 1, benchmarks=_benchmarks())
    card.refresh_from_db()
    return card


def name_words_add(*, low: int | None = None, high: int | None = None) -> None:
    """Adds the display-name words of the cards with low <= creator_id < high (without bounds: of every card)
    to brands.NameWord, as the "simple" parser reads them (PostgreSQL only; words already there are kept)."""
    if not _is_postgres():
        return
    bounds, params = "", []
    if low is not None and high is not None:
        bounds, params = "WHERE c.creator_id >= %s AND c.creator_id < %s", [low, high]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {NameWord._meta.db_table} (word) SELECT DISTINCT words.lexeme "
            f"FROM {CreatorCard._meta.db_table} c, unnest(to_tsvector('simple'::regconfig, c.display_name)) AS words "
            f"{bounds} ON CONFLICT DO NOTHING",
            params,
        )


def card_refresh_later(creator_id: int) -> None:
    """Refreshes the card in the background once the caller's transaction commits (a no-op if it rolls back)."""
    from brands.tasks import refresh_card

    transaction.on_commit(lambda: refresh_card.delay(creator_id), robust=True)


# --- Every creator --------------------------------------------------------------------------------------
def _creator_id_bounds() -> tuple[int, int] | None:
    ids = CreatorProfile.objects.filter(user__user_type=User.UserType.CREATOR).values_list("user_id", flat=True)
    low, high = ids.order_by("user_id").first(), ids.order_by("-user_id").first()
    return None if low is None else (low, high)


def _ranges(bounds: tuple[int, int] | None, step: int):
    if bounds is None:
        return
    low, high = bounds
    for start in range(low, high + 1, step):
        yield start, min(start + step, high + 1)


def _delete_orphan_cards() -> int:
    creators = CreatorProfile.objects.filter(user__user_type=User.UserType.CREATOR).values("user_id")
    deleted, _ = CreatorCard.objects.exclude(creator_id__in=creators).delete()
    return deleted


def cards_rebuild_all(*, scores: bool = True, progress: Progress = None, batch_size: int = REBUILD_BATCH) -> int:
    """Rebuilds every creator's card (and, with `scores`, scores them against the current benchmarks).

    PostgreSQL: one INSERT ... SELECT ... ON CONFLICT (creator_id) DO UPDATE per range of creator ids;
    rows whose values did not change are not written. Into an empty table (the first build, a seed) the
    secondary indexes are dropped, the cards written, benchmarks and scores computed (there are no older
    ones to score against), and the indexes rebuilt from their own definitions, all in one transaction:
    building a GIN index once is far cheaper than updating it a million times.
    SQLite: card_refresh per creator. Cards of users who are no longer creators are removed.
    Returns the number of cards.
    """
    bounds = _creator_id_bounds()
    if _is_postgres():
        with transaction.atomic():
            _rebuild_postgres(bounds, scores=scores, progress=progress, batch_size=batch_size)
    else:
        ids = CreatorProfile.objects.filter(user__user_type=User.UserType.CREATOR).values_list("user_id", flat=True)
        for number, creator_id in enumerate(ids.order_by("user_id").iterator(), start=1):
            card_refresh(creator_id=creator_id)
            if progress and number % 1000 == 0:
                progress(f"cards: {number} refreshed")
    deleted = _delete_orphan_cards()
    if progress and deleted:
        progress(f"cards removed (no longer creators): {deleted}")
    return CreatorCard.objects.count()


def _rebuild_postgres(bounds, *, scores: bool, progress: Progress, batch_size: int) -> None:
    statement, vector_params = _rebuild_sql()
    with connection.cursor() as cursor:
        # The usernames are aggregated in the order of a sorted subquery; parallel partial aggregates could mix it.
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
    dropped = _drop_secondary_indexes() if not CreatorCard.objects.exists() else []
    if progress and dropped:
        progress(f"empty table: {len(dropped)} secondary indexes dropped for the build")
    if dropped:
        # A first build follows a bulk load (seed, restore) that autovacuum may not have analyzed yet; without
        # statistics the planner joins the aggregates by nested loop (20,000 fresh creators: minutes, not seconds).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(model._meta.db_table) for model in
                                                  (User, CreatorProfile, SocialAccount, Package, Review)))
    for low, high in _ranges(bounds, batch_size):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [*vector_params, low, high, low, high, low, high, low, high])
            written = cursor.rowcount
        if progress:
            progress(f"cards {low}..{high - 1}: {written} written")
    name_words_add()
    if dropped:
        benchmarks_rebuild()
        _scores_apply_all(benchmarks=_benchmarks(), progress=progress)
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # deferred FK checks must fire before CREATE INDEX
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            for definition in dropped:
                cursor.execute(definition)
            cursor.execute(f"ANALYZE {CreatorCard._meta.db_table}")
        if progress:
            progress(f"indexes rebuilt: {len(dropped)}")
    elif scores:
        _scores_apply_all(benchmarks=_benchmarks(), progress=progress)


def _drop_secondary_indexes() -> list[str]:
    """Drops the card table's non-unique indexes; returns their CREATE INDEX statements."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_get_indexdef(c.oid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE i.indrelid = %s::regclass AND NOT i.indisunique AND NOT i.indisprimary",
            [CreatorCard._meta.db_table],
        )
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    return [definition for _, definition in indexes]


CARD_COLUMNS = [
    "creator_id", "listed", "slug", "display_name", "usernames", "name_text", "bio", "avatar", "categories",
    "niches", "languages", "platforms", "country", "city", "followers", "primary_platform", "size_band",
    "engagement_rate", "avg_views", "min_price", "max_price", "currency", "rating", "review_count",
    "total_collaborations", "availability", "verified",
]


def _search_vector_sql() -> tuple[str, list]:
    """search_vector_expression() compiled once, over the rebuild's row source `src` (one definition)."""
    query = CreatorCard.objects.all().query
    compiler = query.get_compiler(connection=connection)
    sql, params = compiler.compile(search_vector_expression().resolve_expression(query))
    return sql.replace(f'{connection.ops.quote_name(CreatorCard._meta.db_table)}.', "src."), list(params)


def _size_band_sql(column: str) -> str:
    whens = " ".join(f"WHEN {column} >= {floor} THEN '{band.value}'" for band, floor in SIZE_BAND_FLOORS[:-1])
    return f"CASE {whens} ELSE '{SIZE_BAND_FLOORS[-1][0].value}' END"


def _rebuild_sql() -> tuple[str, list]:
    vector_sql, vector_params = _search_vector_sql()
    user, profile = User._meta.db_table, CreatorProfile._meta.db_table
    account, package, review = SocialAccount._meta.db_table, Package._meta.db_table, Review._meta.db_table
    card = CreatorCard._meta.db_table
    columns = ", ".join(CARD_COLUMNS)
    changed = ", ".join(f"{card}.{name}" for name in [*CARD_COLUMNS[1:], "search_vector"])
    incoming = ", ".join(f"EXCLUDED.{name}" for name in [*CARD_COLUMNS[1:], "search_vector"])
    updates = ", ".join(f"{name} = EXCLUDED.{name}" for name in [*CARD_COLUMNS[1:], "search_vector", "refreshed_at"])
    self_reported, oauth, connected = (
        SocialAccount.Source.SELF_REPORTED, SocialAccount.Source.OAUTH, SocialAccount.State.CONNECTED
    )
    statement = f"""
        INSERT INTO {card} ({columns}, search_vector, refreshed_at, engagement_percentile, audience_quality,
                            audience_quality_confidence, audience_quality_basis, reliability)
        SELECT src.*, {vector_sql}, now(), NULL, NULL, '', '{{}}'::jsonb, 50
        FROM (
            SELECT base.creator_id, base.listed, base.slug, base.display_name, base.usernames,
                   COALESCE((SELECT STRING_AGG(w.word, ' ' ORDER BY w.position) FROM (
                       SELECT word, MIN(position) AS position
                       FROM UNNEST(REGEXP_SPLIT_TO_ARRAY(LOWER(base.display_name || ' ' || base.usernames),
                                                         '[[:space:]]+')) WITH ORDINALITY AS t(word, position)
                       WHERE word <> '' GROUP BY word) w), '') AS name_text,  -- name_text_for
                   base.bio, base.avatar, base.categories, base.niches, base.languages, base.platforms,
                   base.country, base.city, base.followers, base.primary_platform,
                   {_size_band_sql("base.followers")} AS size_band,
                   base.engagement_rate, base.avg_views, base.min_price, base.max_price, base.currency,
                   base.rating, base.review_count, base.total_collaborations, base.availability, base.verified
            FROM (
                SELECT u.id AS creator_id,
                       (u.status = 'active' AND u.profile_public) AS listed,
                       p.slug,
                       LEFT(COALESCE(NULLIF(p.display_name, ''), NULLIF(u.name, ''),
                                     NULLIF(BTRIM(u.first_name || ' ' || u.last_name), ''),
                                     SPLIT_PART(u.email, '@', 1)), {DISPLAY_NAME_MAX}) AS display_name,
                       LEFT(COALESCE(acc.usernames, ''), {USERNAMES_MAX}) AS usernames,
                       p.bio, COALESCE(u.avatar, '') AS avatar,
                       COALESCE(p.content_categories, '[]'::jsonb) AS categories,
                       COALESCE(LOWER(p.niches::text)::jsonb, '[]'::jsonb) AS niches,
                       COALESCE(p.languages, '[]'::jsonb) AS languages,
                       COALESCE(acc.platforms, '[]'::jsonb) AS platforms,
                       p.country, p.city,
                       COALESCE(acc.followers, 0) AS followers,
                       COALESCE(acc.primary_platform, '') AS primary_platform,
                       COALESCE(acc.engagement_rate, 0) AS engagement_rate,
                       COALESCE(acc.avg_views, 0) AS avg_views,
                       CASE WHEN pkg.creator_id IS NULL THEN p.min_rate ELSE pkg.min_price END AS min_price,
                       CASE WHEN pkg.creator_id IS NULL THEN p.max_rate ELSE pkg.max_price END AS max_price,
                       COALESCE(pkg.currency, p.currency) AS currency,
                       COALESCE(rev.rating, 0) AS rating,
                       COALESCE(rev.review_count, 0) AS review_count,
                       p.total_collaborations, p.availability,
                       (p.verified OR COALESCE(acc.oauth, FALSE)) AS verified
                FROM {user} u
                JOIN {profile} p ON p.user_id = u.id
                LEFT JOIN (
                    SELECT creator_id,
                           SUM(followers) AS followers,
                           STRING_AGG(username, ' ') AS usernames,
                           (ARRAY_AGG(platform))[1] AS primary_platform,
                           (ARRAY_AGG(avg_views))[1] AS avg_views,
                           JSONB_AGG(DISTINCT platform ORDER BY platform) AS platforms,
                           ROUND(SUM(engagement_rate * followers)
                                     FILTER (WHERE NOT (source = '{self_reported}' AND engagement_rate = 0))
                                 / NULLIF(SUM(followers)
                                     FILTER (WHERE NOT (source = '{self_reported}' AND engagement_rate = 0)), 0),
                                 4) AS engagement_rate,
                           BOOL_OR(source = '{oauth}' AND state = '{connected}') AS oauth
                    FROM (
                        SELECT * FROM {account} WHERE creator_id >= %s AND creator_id < %s
                        ORDER BY creator_id, followers DESC, id  -- biggest account first in every aggregate
                    ) sorted_accounts
                    GROUP BY creator_id
                ) acc ON acc.creator_id = u.id
                LEFT JOIN (
                    SELECT creator_id, MIN(price) AS min_price, MAX(price) AS max_price,
                           (ARRAY_AGG(currency))[1] AS currency
                    FROM (
                        SELECT * FROM {package} WHERE is_active AND creator_id >= %s AND creator_id < %s
                        ORDER BY creator_id, price, id  -- the cheapest package's currency
                    ) sorted_packages
                    GROUP BY creator_id
                ) pkg ON pkg.creator_id = u.id
                LEFT JOIN (
                    SELECT creator_id, COUNT(*) AS review_count, ROUND(AVG(rating)::numeric, 2) AS rating
                    FROM {review}
                    WHERE is_published AND creator_id >= %s AND creator_id < %s
                    GROUP BY creator_id
                ) rev ON rev.creator_id = u.id
                WHERE u.user_type = '{User.UserType.CREATOR}' AND u.id >= %s AND u.id < %s
            ) base
        ) src
        ON CONFLICT (creator_id) DO UPDATE SET {updates}
        WHERE ({changed}) IS DISTINCT FROM ({incoming})
    """
    return statement, vector_params


# --- Benchmarks and scores ------------------------------------------------------------------------------
def _benchmarks() -> dict[tuple[str, str], list[float]]:
    return {
        (row.platform, row.size_band): row.cut_points
        for row in EngagementBenchmark.objects.only("platform", "size_band", "cut_points")
    }


def percentile_cont(values: list[float], fraction: float) -> float:
    """PostgreSQL's percentile_cont over sorted floats, step by step (same arithmetic, same result)."""
    position = fraction * (len(values) - 1)
    first, second = math.floor(position), math.ceil(position)
    if second == first:
        return values[first]
    return values[first] + (values[second] - values[first]) * (position - first)


def _benchmark_rows() -> list[tuple[str, str, int, float, list[float]]]:
    """(platform, band, creators, median, 99 cut points) over listed cards with a measured engagement."""
    listed = CreatorCard.objects.filter(listed=True, engagement_rate__gt=0).exclude(primary_platform="")
    if _is_postgres():
        sql = f"""
            SELECT primary_platform, size_band, COUNT(*),
                   PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY engagement_rate::float8),
                   PERCENTILE_CONT(%s::float8[]) WITHIN GROUP (ORDER BY engagement_rate::float8)
            FROM {CreatorCard._meta.db_table}
            WHERE listed AND engagement_rate > 0 AND primary_platform <> ''
            GROUP BY primary_platform, size_band
        """
        with connection.cursor() as cursor:
            cursor.execute(sql, [PERCENTILES])
            return [(p, b, n, median, list(cuts)) for p, b, n, median, cuts in cursor.fetchall()]
    groups: dict[tuple[str, str], list[float]] = {}
    for platform, band, rate in listed.values_list("primary_platform", "size_band", "engagement_rate").iterator():
        groups.setdefault((platform, band), []).append(float(rate))
    rows = []
    for (platform, band), rates in groups.items():
        rates.sort()
        cuts = [percentile_cont(rates, fraction) for fraction in PERCENTILES]
        rows.append((platform, band, len(rates), percentile_cont(rates, 0.5), cuts))
    return rows


@transaction.atomic
def benchmarks_rebuild() -> int:
    """Replaces every EngagementBenchmark row (one per primary platform × size band); returns their number."""
    kept = []
    for platform, band, creators, median, cuts in _benchmark_rows():
        row, _ = EngagementBenchmark.objects.update_or_create(
            platform=platform,
            size_band=band,
            defaults={
                "creators": creators,
                "median": Decimal(repr(round(median, 4))),
                "cut_points": [round(cut, 4) for cut in cuts],
            },
        )
        kept.append(row.pk)
    EngagementBenchmark.objects.exclude(pk__in=kept).delete()
    return len(kept)


def _inputs_sql() -> str:
    account, snapshot, card = (
        SocialAccount._meta.db_table, MetricsSnapshot._meta.db_table, CreatorCard._meta.db_table
    )
    if _is_postgres():
        days = "(s.date - LAG(s.date) OVER w)"
    else:
        days = "(julianday(s.date) - julianday(LAG(s.date) OVER w))"
    return f"""
        WITH acc AS (
            SELECT id, creator_id, source, followers, avg_views, avg_likes, avg_comments,
                   ROW_NUMBER() OVER (PARTITION BY creator_id ORDER BY followers DESC, id) AS rn
            FROM {account}
            WHERE creator_id >= %s AND creator_id < %s
        ), likes AS (
            SELECT creator_id, SUM(avg_likes) AS likes, SUM(avg_comments) AS comments
            FROM acc WHERE avg_likes > 0 GROUP BY creator_id
        ), steps AS (
            SELECT acc.creator_id, s.followers,
                   LAG(s.followers) OVER w AS previous,
                   {days} AS days
            FROM {snapshot} s JOIN acc ON acc.id = s.account_id
            WHERE s.date >= %s
            WINDOW w AS (PARTITION BY s.account_id ORDER BY s.date)
        ), growth AS (
            SELECT creator_id, COUNT(*) AS pairs,
                   SUM(CASE WHEN previous >= %s AND (followers - previous) > %s * previous * days
                            THEN 1 ELSE 0 END) AS spikes,
                   MAX(CASE WHEN previous > 0 THEN (followers - previous) * 1.0 / previous / days END) AS max_growth
            FROM steps WHERE previous IS NOT NULL AND days > 0 GROUP BY creator_id
        )
        SELECT c.creator_id, c.primary_platform, c.size_band, c.engagement_rate, c.rating, c.review_count,
               c.total_collaborations, COALESCE(l.likes, 0), COALESCE(l.comments, 0), COALESCE(g.pairs, 0),
               COALESCE(g.spikes, 0), g.max_growth, COALESCE(p.followers, 0), COALESCE(p.avg_views, 0), p.source
        FROM {card} c
        LEFT JOIN acc p ON p.creator_id = c.creator_id AND p.rn = 1
        LEFT JOIN likes l ON l.creator_id = c.creator_id
        LEFT JOIN growth g ON g.creator_id = c.creator_id
        WHERE c.creator_id >= %s AND c.creator_id < %s
    """


def _score_rows(low: int, high: int, benchmarks: dict) -> list[tuple]:
    since = timezone.localdate() - datetime.timedelta(days=audience.GROWTH_WINDOW_DAYS)
    params = [low, high, since, audience.SPIKE_MIN_FOLLOWERS, audience.SPIKE_DAILY_GROWTH, low, high]
    with connection.cursor() as cursor:
        cursor.execute(_inputs_sql(), params)
        fetched = cursor.fetchall()
    rows = []
    for (creator_id, platform, band, rate, rating, review_count, collaborations, likes, comments, pairs, spikes,
         max_growth, followers, avg_views, source) in fetched:
        rate = Decimal(rate)
        percentile = audience.percentile_for(rate, benchmarks.get((platform, band)))
        inputs = audience.AudienceInputs(
            platform=platform,
            size_band=band,
            engagement_rate=rate,
            percentile=percentile,
            likes=int(likes),
            comments=int(comments),
            snapshot_pairs=int(pairs),
            spike_days=int(spikes),
            max_daily_growth=None if max_growth is None else float(max_growth),
            followers=int(followers),
            avg_views=int(avg_views),
            verified=source == SocialAccount.Source.OAUTH,
        )
        quality = audience.audience_quality(inputs)
        reliability = audience.reliability(
            rating=rating, review_count=review_count, total_collaborations=collaborations
        )
        rows.append((creator_id, percentile, quality.score, quality.confidence, quality.basis, reliability))
    return rows


def _scores_write(rows: list[tuple]) -> None:
    if _is_postgres() and len(rows) >= COPY_THRESHOLD:
        _scores_copy(rows)
        return
    cards = [
        CreatorCard(
            creator_id=creator_id,
            engagement_percentile=percentile,
            audience_quality=score,
            audience_quality_confidence=confidence,
            audience_quality_basis=basis,
            reliability=reliability,
        )
        for creator_id, percentile, score, confidence, basis, reliability in rows
    ]
    CreatorCard.objects.bulk_update(cards, SCORE_FIELDS, batch_size=500)


def _scores_copy(rows: list[tuple]) -> None:
    """COPY into a temporary table, then one UPDATE ... FROM that skips cards whose scores did not change."""
    card = CreatorCard._meta.db_table
    targets = ", ".join(f"c.{name}" for name in SCORE_FIELDS)
    sources = ", ".join(f"t.{name}" for name in SCORE_FIELDS)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE card_scores (creator_id bigint PRIMARY KEY, engagement_percentile smallint, "
            "audience_quality smallint, audience_quality_confidence varchar(6), audience_quality_basis jsonb, "
            "reliability smallint) ON COMMIT DROP"
        )
        with cursor.cursor.copy(
            "COPY card_scores (creator_id, engagement_percentile, audience_quality, audience_quality_confidence, "
            "audience_quality_basis, reliability) FROM STDIN"
        ) as copy:
            for creator_id, percentile, score, confidence, basis, reliability in rows:
                copy.write_row((creator_id, percentile, score, confidence, json.dumps(basis), reliability))
        cursor.execute(
            f"UPDATE {card} c SET {', '.join(f'{name} = t.{name}' for name in SCORE_FIELDS)} "
            f"FROM card_scores t WHERE c.creator_id = t.creator_id AND ({targets}) IS DISTINCT FROM ({sources})"
        )
        cursor.execute("DROP TABLE card_scores")  # inside a longer transaction ON COMMIT comes too late


def _scores_apply(*, low: int, high: int, benchmarks: dict) -> int:
    rows = _score_rows(low, high, benchmarks)
    _scores_write(rows)
    return len(rows)


def _scores_apply_all(*, benchmarks: dict, progress: Progress = None, batch_size: int = SCORES_BATCH) -> int:
    card_ids = CreatorCard.objects.values_list("creator_id", flat=True)
    low, high = card_ids.order_by("creator_id").first(), card_ids.order_by("-creator_id").first()
    scored = 0
    for start, end in _ranges(None if low is None else (low, high), batch_size):
        with transaction.atomic():
            scored += _scores_apply(low=start, high=end, benchmarks=benchmarks)
        if progress:
            progress(f"scores {start}..{end - 1}: {scored} cards so far")
    return scored


def discovery_scores_rebuild(*, progress: Progress = None) -> dict:
    """Recomputes the engagement benchmarks, then every card's percentile, audience quality and reliability."""
    benchmarks = benchmarks_rebuild()
    if progress:
        progress(f"benchmarks: {benchmarks} platform × size band rows")
    scored = _scores_apply_all(benchmarks=_benchmarks(), progress=progress)
    return {"benchmarks": benchmarks, "cards": scored}
