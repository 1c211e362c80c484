"""Discovery benchmark: p50/p95/p99 per representative query, at the SQL level and through the API.

Run by `make bench-discovery` (scripts/bench.sh) against a PostgreSQL seeded with `seed_creators`; runs on
any DATABASE_URL that holds seeded creators and discovery cards:

    DATABASE_URL=postgres://... .venv/bin/python bench/discovery.py [--iterations 60] [--warmup 5]

SQL level: the SQL that brands.selectors.discovery.creator_search / creator_facets send (with the bench
brand's target, as the API passes it, so an unordered query is ranked by match) is captured once per
query, then re-executed on the connection (execute + fetchall) and timed; a row's time is the sum over
that call's statements. API level: a brand (force_authenticate, so no JWT cost) calls
GET /api/v1/creators, GET /api/v1/creators/filters and POST /api/v1/creators/search through DRF's
APIClient in this process; the time is the whole request (routing, serializers, JSON), without a socket,
on a persistent database connection (DATABASE_CONN_MAX_AGE=60 unless set, the production setting).
Targets (issue 4): API p95 <= 50 ms, SQL p95 <= 20 ms, a deep page (cursor) no slower than 1.2x the first.
"""

import argparse
import json
import os
import sys
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "influmojo.settings")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")
os.environ.setdefault("THROTTLE_USER", "1000000/min")  # the bench repeats the same request on purpose
os.environ.setdefault("THROTTLE_AI_SEARCH", "1000000/hour")
# Persistent connections, as .env.example advises for production (60 s): with 0, every API request would open
# a new PostgreSQL connection (a new backend process with cold catalog caches: 10-25 ms on this machine).
os.environ.setdefault("DATABASE_CONN_MAX_AGE", "60")

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402

from accounts.models import BrandProfile, User  # noqa: E402
from brands.models import CreatorCard  # noqa: E402
from brands.query import CreatorQuery  # noqa: E402

SQL_TARGET_MS = 20.0
API_TARGET_MS = 50.0
DEEP_RATIO = 1.2
MIN_RUNS = 20
DEEP_PAGES = 250  # the deep page is page 251 of 20 (rows 5,001-5,020), reached by following cursors
BRAND_EMAIL = "bench-brand@influmojo.test"
AI_SENTENCE = "tech YouTubers over 100K who review gadgets, budget 500-2000"


def log(message):
    print(message, flush=True)


def percentile(sorted_values, fraction):
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(fraction * (len(sorted_values) - 1))))
    return sorted_values[index]


def bench_brand():
    """A brand with stated preferences, so match ordering has a target (created once, reused)."""
    user, created = User.objects.get_or_create(
        email=BRAND_EMAIL,
        defaults={"user_type": "brand", "status": "active", "name": "Bench Brand", "onboarding_completed": True},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    BrandProfile.objects.update_or_create(user=user, defaults={
        "company_name": "Bench Beauty Co", "industries": ["beauty", "fashion"], "country": "US",
        "budget_min": Decimal("500"), "budget_max": Decimal("2000"), "currency": "USD",
        "target_audience": {"countries": ["US", "GB"], "languages": ["en"]},
        "preferences": {"platforms": ["instagram", "tiktok"]},
    })
    return User.objects.select_related("brand_profile").get(pk=user.pk)


class Case:
    """One representative query: how to call the selector, and the API request that asks the same."""

    def __init__(self, name, *, query=None, facets=False, api=None, ai=None, deep=False, cached=False,
                 summary=True):
        self.name, self.query, self.facets, self.api, self.ai, self.deep = name, query, facets, api, ai, deep
        self.cached = cached  # facets: time the cached answer (the API level); otherwise every run is cold
        self.summary = summary  # False: the facet summary counts as stale (the path taken when the beat job is down)


CASES = [
    Case("text 'fitness'", query=CreatorQuery(search="fitness"), api={"search": "fitness"}),
    Case("typo name 'Sarah Jonson'", query=CreatorQuery(search="Sarah Jonson"), api={"search": "Sarah Jonson"}),
    Case("filters: instagram, 10K-100K, US",
         query=CreatorQuery(platforms=("instagram",), min_followers=10_000, max_followers=100_000, countries=("US",),
                            ordering="-followers"),
         api={"platform": "instagram", "min_followers": 10_000, "max_followers": 100_000, "country": "US",
              "ordering": "-followers"}),
    Case("filters + text: 'yoga' tiktok IN >5K",
         query=CreatorQuery(search="yoga", platforms=("tiktok",), countries=("IN",), min_followers=5_000),
         api={"search": "yoga", "platform": "tiktok", "country": "IN", "min_followers": 5_000}),
    Case("match-ranked for brand target", query=CreatorQuery(ordering="match"), api={"ordering": "match"}),
    Case("match (default order) + instagram US", query=CreatorQuery(platforms=("instagram",), countries=("US",)),
         api={"platform": "instagram", "country": "US"}),
    Case("price 200-1000 + engagement >=3%",
         query=CreatorQuery(min_price=Decimal(200), max_price=Decimal(1000), min_engagement=Decimal(3),
                            ordering="price"),
         api={"min_price": 200, "max_price": 1000, "min_engagement": 3, "ordering": "price"}),
    Case("language hi + verified", query=CreatorQuery(languages=("hi",), verified=True, ordering="-followers"),
         api={"language": "hi", "verified": "true", "ordering": "-followers"}),
    Case("niche 'skincare' by engagement", query=CreatorQuery(niches=("skincare",), ordering="-engagement"),
         api={"niche": "skincare", "ordering": "-engagement"}),
    Case("first page -followers", query=CreatorQuery(ordering="-followers"), api={"ordering": "-followers"}),
    Case(f"deep page -followers (p{DEEP_PAGES + 1}, cursor)", query=CreatorQuery(ordering="-followers"),
         api={"ordering": "-followers"}, deep=True),
    Case("facets unfiltered (summary)", query=CreatorQuery(), facets=True, api={}),
    Case("facets unfiltered, stale summary", query=CreatorQuery(), facets=True, api={}, summary=False),
    Case("facets filtered: tiktok BR", query=CreatorQuery(platforms=("tiktok",), countries=("BR",)), facets=True,
         api={"platform": "tiktok", "country": "BR"}),
    Case("facets + text 'travel'", query=CreatorQuery(search="travel"), facets=True, api={"search": "travel"}),
    Case("facets filtered, cached", query=CreatorQuery(platforms=("tiktok",), countries=("BR",)), facets=True,
         api={"platform": "tiktok", "country": "BR"}, cached=True),
    Case("AI search (parser path)", ai=AI_SENTENCE),
]


class Bench:
    def __init__(self, iterations, warmup, only, budget):
        from rest_framework.test import APIClient

        self.iterations, self.warmup, self.only, self.budget = iterations, warmup, only, budget
        self.brand = bench_brand()
        self.client = APIClient()
        self.client.force_authenticate(self.brand)
        self.rows = []
        self.explains = []
        self.first_page = {}
        self.first_page_alongside = {}  # level -> first page p50 timed alternately with the deep page
        try:
            from brands.selectors import discovery
        except ImportError as exc:
            log(f"! brands.selectors.discovery is missing ({exc}): SQL rows skipped")
            discovery = None
        self.discovery = discovery
        try:
            from brands.matching import target_for_brand
            self.target = target_for_brand(self.brand)
        except ImportError:
            self.target = None

    # --- the selector calls, each returning whatever it returns (the SQL is what we capture) -------------
    def _call(self, case, cursor=None):
        if case.ai:
            from brands import ai_search

            interpretation = ai_search.interpret(case.ai)
            return self.discovery.creator_search(query=interpretation.query, viewer=self.brand,
                                                 target=self.target, limit=20)
        if case.facets:
            return self.discovery.creator_facets(query=case.query, viewer=self.brand)
        # the brand's target as the API passes it: match percentages on every page, match order by default
        return self.discovery.creator_search(query=case.query, viewer=self.brand, target=self.target, limit=20,
                                             cursor=cursor)

    def _deep_cursor(self, case):
        cursor = None
        for _ in range(DEEP_PAGES):
            cursor = self._call(case, cursor).next_cursor
        return cursor

    def _api_deep_cursor(self, params):
        cursor = None
        for _ in range(DEEP_PAGES):
            response = self.client.get("/api/v1/creators?" + urlencode({**params, **({"cursor": cursor} if cursor else {})}))
            cursor = response.json().get("next_cursor")
        return cursor

    def sql(self, case):
        if self.discovery is None:
            return None, "selector missing"
        if case.cached:
            return None, "cached: no SQL sent"
        cursor = self._deep_cursor(case) if case.deep else None
        statements = self._statements(case, cursor)
        if not statements:
            return None, "no SQL"

        def executing(statements):
            def run():
                with connection.cursor() as db:
                    for statement in statements:
                        db.execute(statement)
                        db.fetchall()
            return run
        if case.deep:
            deep, first = self._time_alternately(executing(statements), executing(self._statements(case, None)))
            self.first_page_alongside["SQL"] = percentile(first, 0.5)
            return deep, statements
        return self._time(executing(statements)), statements

    def _statements(self, case, cursor):
        cache.clear()  # facet answers are cached: capture the statements of a cold call
        with CaptureQueriesContext(connection) as captured:
            self._call(case, cursor)
        return [query["sql"] for query in captured.captured_queries
                if not query["sql"].startswith(("SAVEPOINT", "RELEASE", "ROLLBACK"))]

    def api(self, case):
        if case.ai:
            def run():
                response = self.client.post("/api/v1/creators/search", {"query": case.ai, "limit": 20}, format="json")
                assert response.status_code == 200, (response.status_code, response.content[:300])
            return self._checked(run)
        path = "/api/v1/creators/filters" if case.facets else "/api/v1/creators"
        params = dict(case.api)

        def getting(params):
            url = path + ("?" + urlencode(params) if params else "")

            def run():
                if case.facets and not case.cached:
                    cache.clear()  # time the cold answer, not the cached one
                response = self.client.get(url)
                assert response.status_code == 200, (response.status_code, response.content[:300])
            return run
        if case.deep:
            cursor = self._api_deep_cursor(params)
            if not cursor:
                return None, "no next_cursor in the API answer"
            deep, first = self._time_alternately(getting({**params, "cursor": cursor}), getting(params))
            self.first_page_alongside["API"] = percentile(first, 0.5)
            return deep, None
        return self._checked(getting(params))

    def _checked(self, run):
        try:
            run()
        except AssertionError as exc:
            return None, f"HTTP {exc.args[0][0]}"
        return self._time(run), None

    def _time_alternately(self, run, other):
        """`run` and `other` timed in turn (run, other, run, ...), so a change of the machine's speed during the row
        (this VM's varies by tens of percent from minute to minute) affects both alike: for the deep page against
        the first. The samples of each, sorted."""
        both = []

        def pair():
            for function in (run, other):
                start = time.perf_counter()
                function()
                both.append((time.perf_counter() - start) * 1000)
        self._time(pair)
        timed = both[2 * self.warmup:]
        return sorted(timed[0::2]), sorted(timed[1::2])

    def _time(self, run):
        """--iterations timed runs after the warm-up, stopping early (never under MIN_RUNS) once a row has
        used --budget seconds, so a 2-second query does not hold the whole benchmark for minutes."""
        for _ in range(self.warmup):
            run()
        samples = []
        deadline = time.perf_counter() + self.budget
        for _ in range(self.iterations):
            start = time.perf_counter()
            run()
            samples.append((time.perf_counter() - start) * 1000)
            if len(samples) >= MIN_RUNS and start > deadline:
                break
        return sorted(samples)

    def explain(self, case, statements):
        """EXPLAIN (ANALYZE, BUFFERS) of each statement of the call: time, buffers, plan scans and indexes."""
        for number, statement in enumerate(statements, start=1):
            if statement.lstrip().upper().startswith("EXPLAIN"):
                continue  # the selector's own planner estimate: timed above, nothing to explain
            with connection.cursor() as db:
                db.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + statement)
                plan = db.fetchone()[0]
            root = (plan if isinstance(plan, list) else json.loads(plan))[0]
            indexes, scans = [], []

            def walk(node):
                if node.get("Index Name") and node["Index Name"] not in indexes:
                    indexes.append(node["Index Name"])
                if "Scan" in node["Node Type"] and node.get("Relation Name"):
                    scans.append(f'{node["Node Type"]} on {node["Relation Name"]}')
                for child in node.get("Plans", []):
                    walk(child)
            walk(root["Plan"])
            kind = "count" if statement.lstrip().upper().startswith("SELECT COUNT") else "rows"
            self.explains.append((f"{case.name} [{number}/{len(statements)} {kind}]", root["Execution Time"],
                                  root["Plan"].get("Shared Hit Blocks", 0), root["Plan"].get("Shared Read Blocks", 0),
                                  indexes, sorted(set(scans))))

    def run(self):
        cards = CreatorCard.objects.filter(listed=True).count()
        log(f"Listed creator cards: {cards:,}; brand target: {self.target}")
        self._facet_summary_fresh()
        log(f"Up to {self.iterations} timed runs per row after {self.warmup} warm-up runs "
            f"(stopping after {self.budget:.0f}s once {MIN_RUNS} are in)\n")
        cases = [case for case in CASES if not self.only or any(word in case.name for word in self.only)]
        for number, case in enumerate(cases, start=1):
            log(f"[{number}/{len(cases)}] {case.name}")
            # A stale summary: not counted within the last three periods, as after the beat job missed two runs.
            with override_settings(**({} if case.summary else {"DISCOVERY_FACET_SUMMARY_SECONDS": 0})):
                samples, statements = self._guarded(self.sql, case)
                self._row(case, "SQL", samples, statements if isinstance(statements, str) else None)
                if isinstance(statements, list) and connection.vendor == "postgresql" and (
                        case.name.startswith(("text", "typo", "filters", "match", "facets", "deep", "price"))):
                    self._guarded(self.explain, case, statements)
                samples, problem = self._guarded(self.api, case)
                self._row(case, "API", samples, problem)

    def _facet_summary_fresh(self):
        """The facet summary as production's beat job keeps it: counted now unless a fresh one is there."""
        try:
            from brands.services.facets import facet_summary_refresh
        except ImportError:
            return
        if self.discovery._fresh_summary(CreatorQuery()) is not None:
            log("Facet summary: fresh")
            return
        start = time.perf_counter()
        total = facet_summary_refresh().total
        log(f"Facet summary: {total:,} listed creators counted in {time.perf_counter() - start:.1f}s "
            "(the beat job's work every DISCOVERY_FACET_SUMMARY_SECONDS; not part of any request)")

    def _guarded(self, function, *args):
        try:
            return function(*args)
        except Exception as exc:  # one broken row must not hide the others' numbers
            log(f"    ! {type(exc).__name__}: {str(exc)[:200]}")
            connection.close()
            return None, f"error: {type(exc).__name__}"

    def _row(self, case, level, samples, problem):
        target = SQL_TARGET_MS if level == "SQL" else API_TARGET_MS
        if not samples:
            self.rows.append((case.name, level, 0, None, None, None, f"p95<={target:.0f}", f"n/a ({problem})"))
            log(f"    {level}: n/a ({problem})")
            return
        p50, p95, p99 = (percentile(samples, f) for f in (0.5, 0.95, 0.99))
        verdict, limit = ("PASS" if p95 <= target else "FAIL"), f"p95<={target:.0f}"
        if case.name.startswith("first page"):
            self.first_page[level] = p50
        first = self.first_page_alongside.get(level, self.first_page.get(level))
        if case.deep and first:
            # the deep-vs-first comparison uses medians (p95 of a few-ms query is mostly scheduler noise) of the
            # two timed alternately in this row
            ratio = p50 / first
            limit = f"p95<={target:.0f}, p50<=1.2x first ({ratio:.2f}x)"
            verdict = "PASS" if p95 <= target and ratio <= DEEP_RATIO else "FAIL"
        self.rows.append((case.name, level, len(samples), p50, p95, p99, limit, verdict))
        log(f"    {level}: n={len(samples)} p50 {p50:.1f} ms  p95 {p95:.1f} ms  p99 {p99:.1f} ms  {verdict}")

    def report(self):
        width = max(len(row[0]) for row in self.rows)
        header = f"{'query':<{width}}  level {'n':>4} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}  {'target':<36} result"
        log("\n" + header)
        log("-" * len(header))
        for name, level, runs, p50, p95, p99, limit, verdict in self.rows:
            numbers = "".join(f"{value:>8.1f}" if value is not None else f"{'-':>8}" for value in (p50, p95, p99))
            log(f"{name:<{width}}  {level:<5}{runs:>4}{numbers}  {limit:<36} {verdict}")
        measured = [row for row in self.rows if not row[7].startswith("n/a (cached")]
        passed = sum(1 for row in measured if row[7] == "PASS")
        log(f"\n{passed}/{len(measured)} rows pass")
        if self.explains:
            log("\nEXPLAIN (ANALYZE, BUFFERS) of the main statement per query:")
            for name, ms, hit, read, indexes, scans in self.explains:
                log(f"- {name}: {ms:.1f} ms, buffers hit {hit} read {read}")
                log(f"    indexes: {', '.join(indexes) or 'none'}")
                log(f"    scans:   {'; '.join(scans)}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=60)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--budget", type=float, default=20.0,
                        help=f"seconds per row after which timing stops early (at least {MIN_RUNS} runs)")
    parser.add_argument("--only", nargs="*", help="run only the rows whose name contains one of these words")
    options = parser.parse_args()
    with connection.cursor() as db:
        if connection.vendor == "postgresql":
            db.execute("SELECT version()")
            log(db.fetchone()[0])
            for setting in ("shared_buffers", "work_mem", "effective_cache_size", "jit",
                            "max_parallel_workers_per_gather", "random_page_cost"):
                db.execute(f"SHOW {setting}")
                log(f"  {setting} = {db.fetchone()[0]}")
        else:
            log(f"Database: {connection.vendor} (not representative; the targets are for PostgreSQL)")
    log(f"DATABASE_CONN_MAX_AGE = {connection.settings_dict['CONN_MAX_AGE']} (API requests reuse the connection "
        "unless 0)")
    log(f"CPU cores: {os.cpu_count()}; load average: {' '.join(f'{value:.2f}' for value in os.getloadavg())}")
    bench = Bench(options.iterations, options.warmup, options.only, options.budget)
    started = time.monotonic()
    bench.run()
    bench.report()
    log(f"\nBenchmark took {time.monotonic() - started:.0f}s; "
        f"load average now {' '.join(f'{value:.2f}' for value in os.getloadavg())}")


if __name__ == "__main__":
    main()
