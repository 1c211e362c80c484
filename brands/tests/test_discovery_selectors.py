"""brands.selectors.discovery on whichever database runs the suite (SQLite by default, PostgreSQL in CI)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db.models import F, IntegerField
from django.db.models.functions import Cast
from django.utils import timezone

from brands import matching
from brands.matching import Target
from brands.models import CreatorCard, FacetSummary, search_vector_expression
from brands.query import ORDERINGS, CreatorQuery
from brands.selectors import discovery
from brands.services.cards import name_words_add
from brands.services.facets import facet_summary_refresh
from brands.tasks import refresh_facet_summary
from brands.tests.factories import CreatorCardFactory
from influmojo.errors import ApplicationError

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Facet answers are cached across calls; every test starts and ends without them."""
    cache.clear()
    yield
    cache.clear()


def ids(cards):
    return [card.creator_id for card in cards]


def search(**kwargs):
    page_args = {key: kwargs.pop(key) for key in ("target", "limit", "offset", "cursor") if key in kwargs}
    return discovery.creator_search(query=CreatorQuery(**kwargs), viewer=None, **page_args)


@pytest.fixture
def fake_match(monkeypatch):
    """A stand-in match score (the audience quality) so ordering by match is tested apart from the formula."""
    monkeypatch.setattr(matching, "match_score_expression",
                        lambda target: Cast(F("audience_quality"), IntegerField()), raising=False)
    monkeypatch.setattr(matching, "match_status", lambda pct: "high" if pct >= 70 else "low", raising=False)


# --- Filters ------------------------------------------------------------------------------------------------
FILTER_CASES = [
    # (query, attributes of a matching card, attributes of a card that must not match)
    ({"platforms": ("youtube", "tiktok")}, {"platforms": ["instagram", "tiktok"]}, {"platforms": ["instagram"]}),
    ({"niches": ("fitness",)}, {"categories": ["fitness"]}, {"categories": ["food"], "niches": ["fitness tips"]}),
    ({"niches": ("Vegan Baking",)}, {"categories": ["food"], "niches": ["vegan baking"]}, {"niches": ["baking"]}),
    ({"min_followers": 10_000}, {"followers": 10_000}, {"followers": 9_999}),
    ({"max_followers": 10_000}, {"followers": 10_000}, {"followers": 10_001}),
    ({"min_engagement": Decimal("4.5")}, {"engagement_rate": Decimal("4.5")}, {"engagement_rate": Decimal("4.49")}),
    ({"countries": ("GB", "IN")}, {"country": "IN"}, {"country": "US"}),
    ({"city": "new york"}, {"city": "New York"}, {"city": "York"}),
    ({"languages": ("hi",)}, {"languages": ["en", "hi"]}, {"languages": ["en"]}),
    ({"min_price": Decimal(100)}, {"min_price": Decimal(100)}, {"min_price": Decimal("99.99")}),
    ({"max_price": Decimal(500)}, {"min_price": Decimal(500), "max_price": Decimal(2000)},
     {"min_price": Decimal("500.01")}),
    ({"min_price": Decimal(0)}, {"min_price": Decimal(10)}, {"min_price": None, "max_price": None}),
    ({"available": True}, {"availability": "available"}, {"availability": "busy"}),
    ({"available": False}, {"availability": "unavailable"}, {"availability": "available"}),
    ({"verified": True}, {"verified": True}, {"verified": False}),
    ({"verified": False}, {"verified": False}, {"verified": True}),
    ({"min_audience_quality": 70}, {"audience_quality": 70}, {"audience_quality": None}),
    ({"size_bands": ("mid", "mega")}, {"followers": 150_000}, {"followers": 50_000}),
    ({"search": "skateboarding"}, {"bio": "Skateboarding every day"}, {"bio": "Surfing every day"}),
    ({"search": "marisol"}, {"display_name": "Marisol Vega", "name_text": "marisol vega mvega"},
     {"display_name": "Ana Ruiz", "name_text": "ana ruiz aruiz"}),
    ({"search": "woodworking"}, {"niches": ["woodworking"]}, {"niches": ["pottery"]}),
]


@pytest.mark.parametrize(("query", "matching_attrs", "other_attrs"), FILTER_CASES)
def test_each_filter_keeps_matching_cards_only(query, matching_attrs, other_attrs):
    wanted = CreatorCardFactory(**matching_attrs)
    CreatorCardFactory(**other_attrs)

    page = search(**query)

    assert ids(page.cards) == [wanted.creator_id]
    assert (page.total, page.total_is_exact) == (1, True)


def test_filters_combine_with_and_between_parameters():
    wanted = CreatorCardFactory(platforms=["youtube"], country="GB", followers=200_000, verified=True,
                                categories=["technology"], min_price=Decimal(800))
    CreatorCardFactory(platforms=["youtube"], country="GB", followers=200_000, verified=False,
                       categories=["technology"], min_price=Decimal(800))
    CreatorCardFactory(platforms=["instagram"], country="GB", followers=200_000, verified=True,
                       categories=["technology"], min_price=Decimal(800))
    CreatorCardFactory(platforms=["youtube"], country="GB", followers=200_000, verified=True,
                       categories=["technology"], min_price=Decimal(2000))

    page = search(platforms=("youtube",), countries=("GB",), min_followers=100_000, verified=True,
                  niches=("technology",), max_price=Decimal(1000))

    assert ids(page.cards) == [wanted.creator_id]


def test_unlisted_cards_never_appear():
    listed = CreatorCardFactory(display_name="Visible Rowe", name_text="visible rowe")
    CreatorCardFactory(listed=False, display_name="Hidden Rowe", name_text="hidden rowe", followers=10**7)

    assert ids(search().cards) == [listed.creator_id]
    assert ids(search(search="rowe").cards) == [listed.creator_id]
    facets = discovery.creator_facets(query=CreatorQuery(), viewer=None)
    assert facets["total"] == 1
    assert sum(option["count"] for option in facets["facets"]["size"]) == 1


def test_exclude_ids_leaves_those_creators_out():
    kept, dropped = CreatorCardFactory(), CreatorCardFactory()

    assert ids(search(exclude_ids=(dropped.creator_id,)).cards) == [kept.creator_id]


# --- Ordering -----------------------------------------------------------------------------------------------
def _ordering_cards():
    return [
        CreatorCardFactory(followers=5_000, engagement_rate=Decimal("2.0"), min_price=Decimal(300),
                           rating=Decimal("4.9")),
        CreatorCardFactory(followers=900_000, engagement_rate=Decimal("1.0"), min_price=Decimal(50),
                           rating=Decimal("3.0")),
        CreatorCardFactory(followers=60_000, engagement_rate=Decimal("7.5"), min_price=None, max_price=None,
                           rating=Decimal("4.0")),
        CreatorCardFactory(followers=60_000, engagement_rate=Decimal("3.0"), min_price=Decimal(2000),
                           rating=Decimal("4.0")),
    ]


@pytest.mark.parametrize(("ordering", "expected"), [
    ("-followers", [1, 3, 2, 0]),  # equal followers: higher creator id first
    ("followers", [0, 2, 3, 1]),
    ("-engagement", [2, 3, 0, 1]),
    ("engagement", [1, 0, 3, 2]),
    ("price", [1, 0, 3, 2]),  # no price last
    ("-price", [3, 0, 1, 2]),  # no price last here too
    ("-rating", [0, 3, 2, 1]),
])
def test_column_orderings_with_creator_id_tiebreak(ordering, expected):
    cards = _ordering_cards()

    page = search(ordering=ordering)

    assert ids(page.cards) == [cards[index].creator_id for index in expected]


def test_every_declared_ordering_is_tested():
    tested = {"-followers", "followers", "-engagement", "engagement", "price", "-price", "-rating", "relevance",
              "match"}
    assert tested == set(ORDERINGS)


def test_relevance_puts_name_matches_before_bio_matches():
    bio_only = CreatorCardFactory(display_name="Ana Ruiz", name_text="ana ruiz aruiz", followers=10**6,
                                  bio="Learning guitar with Lopez every week")
    named = CreatorCardFactory(display_name="Carmen Lopez", name_text="carmen lopez clopez", followers=100)

    page = search(search="lopez")

    assert ids(page.cards) == [named.creator_id, bio_only.creator_id]
    assert ids(search(search="lopez", ordering="-followers").cards) == [bio_only.creator_id, named.creator_id]


def test_default_without_text_or_target_is_most_followers():
    small, big = CreatorCardFactory(followers=10), CreatorCardFactory(followers=10_000)

    assert ids(search().cards) == [big.creator_id, small.creator_id]
    assert ids(search(ordering="relevance").cards) == [big.creator_id, small.creator_id]
    assert ids(search(ordering="match").cards) == [big.creator_id, small.creator_id]


def test_match_ordering_and_fields_with_a_target(fake_match):
    low = CreatorCardFactory(audience_quality=40, followers=10**6)
    high = CreatorCardFactory(audience_quality=90, followers=10)
    target = Target(platforms=("instagram",))

    page = search(target=target, ordering="match")
    default = search(target=target)

    assert ids(page.cards) == [high.creator_id, low.creator_id]
    assert [(card.match_percentage, card.match_status) for card in page.cards] == [(90, "high"), (40, "low")]
    assert ids(default.cards) == [high.creator_id, low.creator_id]
    by_followers = search(target=target, ordering="-followers")
    assert ids(by_followers.cards) == [low.creator_id, high.creator_id]
    assert by_followers.cards[0].match_percentage == 40


def test_no_target_means_no_match_fields():
    CreatorCardFactory()

    (card,) = search(ordering="match").cards

    assert (card.match_percentage, card.match_status) == (None, None)


# --- Totals and pages ---------------------------------------------------------------------------------------
def test_total_is_exact_up_to_the_cap(monkeypatch):
    monkeypatch.setattr(discovery, "TOTAL_CAP", 5)
    CreatorCardFactory.create_batch(5)

    page = search(limit=2)

    assert (page.total, page.total_is_exact, len(page.cards)) == (5, True, 2)


@pytest.mark.postgres
def test_total_beyond_the_cap_is_the_planner_estimate(monkeypatch):
    monkeypatch.setattr(discovery, "TOTAL_CAP", 3)
    CreatorCardFactory.create_batch(5)
    estimated = []

    def planner_rows(queryset):
        estimated.append(queryset.count())  # the filtered query is what gets estimated
        return 123_456.0

    monkeypatch.setattr(discovery, "_planner_rows", planner_rows)

    page = search(limit=2)

    assert (page.total, page.total_is_exact, estimated) == (120_000, False, [5])


@pytest.mark.postgres
def test_an_estimate_is_never_below_the_cap(monkeypatch):
    monkeypatch.setattr(discovery, "TOTAL_CAP", 3)
    CreatorCardFactory.create_batch(5)

    assert discovery._planner_rows(discovery.listed_cards()) > 0  # a real EXPLAIN answers a row estimate
    monkeypatch.setattr(discovery, "_planner_rows", lambda queryset: 1.0)
    assert (search().total, search().total_is_exact) == (3, False)


def test_without_postgresql_the_total_beyond_the_cap_is_counted_exactly(monkeypatch):
    monkeypatch.setattr(discovery, "TOTAL_CAP", 3)
    monkeypatch.setattr(discovery, "_is_postgres", lambda: False)
    CreatorCardFactory.create_batch(5)

    assert discovery.search_total(discovery.listed_cards()) == (5, True)


def test_offset_pages_and_bound(monkeypatch):
    cards = [CreatorCardFactory(followers=1000 - n) for n in range(5)]

    page = search(limit=2, offset=2)

    assert ids(page.cards) == [card.creator_id for card in cards[2:4]]
    monkeypatch.setattr(discovery, "MAX_OFFSET", 3)
    with pytest.raises(ApplicationError) as error:
        search(offset=4)
    assert error.value.code == "offset_too_large"


@pytest.mark.parametrize("ordering", ["-followers", "followers", "-engagement", "engagement", "price", "-price",
                                      "-rating", "relevance", "match"])
def test_cursor_walks_every_row_once(ordering, fake_match):
    for n in range(9):  # ties on every sort key, some without a price
        CreatorCardFactory(followers=1000 * (n % 3), engagement_rate=Decimal(n % 2), rating=Decimal(n % 3),
                           min_price=None if n % 4 == 0 else Decimal(100 * (n % 2)), audience_quality=n % 2 * 50,
                           bio="Cooking daily" if n % 2 else "Cooking and travel daily")
    text = "cooking" if ordering == "relevance" else ""
    target = Target(platforms=("instagram",)) if ordering == "match" else None
    expected = ids(search(search=text, ordering=ordering, target=target, limit=100).cards)

    seen, cursor, pages = [], None, 0
    while True:
        page = search(search=text, ordering=ordering, target=target, limit=2, cursor=cursor)
        seen += ids(page.cards)
        pages += 1
        cursor = page.next_cursor
        if cursor is None:
            break

    assert seen == expected
    assert len(expected) == 9 and pages == 5


def test_tampered_or_foreign_cursor_is_refused():
    CreatorCardFactory.create_batch(3)
    cursor = search(limit=1).next_cursor

    with pytest.raises(discovery.InvalidCursor):
        search(limit=1, cursor=cursor[:-2] + ("A" if cursor[-2] != "A" else "B") + cursor[-1])
    with pytest.raises(discovery.InvalidCursor):
        search(limit=1, cursor="not-a-cursor")
    with pytest.raises(discovery.InvalidCursor):
        search(limit=1, cursor=cursor, ordering="price")
    forged = discovery.encode_cursor("-followers", keys=["many", 1])
    with pytest.raises(discovery.InvalidCursor):
        search(limit=1, cursor=forged)


def test_last_page_has_no_cursor():
    CreatorCardFactory.create_batch(2)

    assert search(limit=2).next_cursor is None
    assert search(limit=1).next_cursor is not None


def test_same_queries_for_one_and_many_rows(django_assert_num_queries, fake_match):
    target = Target(platforms=("instagram",))
    CreatorCardFactory()
    with django_assert_num_queries(2):
        assert len(search(target=target, search="lifestyle").cards) == 1
    CreatorCardFactory.create_batch(24)
    with django_assert_num_queries(2):
        assert len(search(target=target, search="lifestyle", limit=25).cards) == 25


# --- Facets -------------------------------------------------------------------------------------------------
def _facet(facets, name):
    return {option["value"]: option["count"] for option in facets["facets"][name]}


@pytest.fixture
def facet_cards():
    return [
        CreatorCardFactory(platforms=["instagram", "youtube"], categories=["fitness"], country="US",
                           languages=["en"], followers=5_000, availability="available", verified=True,
                           min_price=Decimal(50)),
        CreatorCardFactory(platforms=["youtube"], categories=["fitness", "food"], country="GB",
                           languages=["en", "hi"], followers=200_000, availability="busy", verified=False,
                           min_price=Decimal(700)),
        CreatorCardFactory(platforms=["tiktok"], categories=["food"], country="IN", languages=["hi"],
                           followers=2_000_000, availability="available", verified=False, min_price=None),
        CreatorCardFactory(listed=False, platforms=["youtube"], categories=["food"], country="FR"),
    ]


def test_facet_counts_on_known_data(facet_cards):
    facets = discovery.creator_facets(query=CreatorQuery(), viewer=None)

    assert (facets["total"], facets["total_is_exact"], facets["exact"]) == (3, True, True)
    assert _facet(facets, "platform") == {"instagram": 1, "youtube": 2, "tiktok": 1, "facebook": 0, "twitter": 0}
    assert _facet(facets, "category")["fitness"] == 2 and _facet(facets, "category")["food"] == 2
    assert facets["facets"]["category"][0]["count"] == 2  # most common first
    assert _facet(facets, "country") == {"US": 1, "GB": 1, "IN": 1}
    assert _facet(facets, "language") == {"en": 2, "hi": 2}
    assert _facet(facets, "size") == {"nano": 1, "micro": 0, "mid": 1, "macro": 0, "mega": 1}
    assert _facet(facets, "availability") == {"available": 2, "busy": 1, "unavailable": 0}
    assert _facet(facets, "verified") == {"true": 1, "false": 2}
    assert _facet(facets, "price") == {"0-100": 1, "100-500": 0, "500-1000": 1, "1000-5000": 0, "5000-": 0}
    assert {"value": "GB", "label": "Britain (UK)", "count": 1} in facets["facets"]["country"]


def test_a_facet_leaves_out_its_own_selection_but_not_the_others(facet_cards):
    query = CreatorQuery(platforms=("youtube",), countries=("US",))

    facets = discovery.creator_facets(query=query, viewer=None)

    assert facets["total"] == 1
    # platform counts use the country filter only; country counts use the platform filter only
    assert _facet(facets, "platform") == {"instagram": 1, "youtube": 1, "tiktok": 0, "facebook": 0, "twitter": 0}
    assert _facet(facets, "country") == {"US": 1, "GB": 1}
    assert _facet(facets, "verified") == {"true": 1, "false": 0}


def test_facets_respect_text_and_range_filters(facet_cards):
    facets = discovery.creator_facets(query=CreatorQuery(min_followers=100_000), viewer=None)

    assert facets["total"] == 2
    assert _facet(facets, "platform")["instagram"] == 0


def test_selected_languages_and_countries_stay_listed(monkeypatch, facet_cards):
    monkeypatch.setattr(discovery, "TOP_VALUES", 1)

    facets = discovery.creator_facets(query=CreatorQuery(countries=("IN", "FR"), languages=("hi", "fr")),
                                      viewer=None)

    assert _facet(facets, "country") == {"GB": 1, "IN": 1, "FR": 0}
    assert _facet(facets, "language") == {"hi": 1, "fr": 0}


def test_facets_are_a_handful_of_statements(django_assert_max_num_queries, facet_cards):
    with django_assert_max_num_queries(3):
        discovery.creator_facets(query=CreatorQuery(platforms=("youtube",), search="fitness"), viewer=None)


@pytest.mark.parametrize(("count", "shown"), [(0.4, 0), (7, 7), (87.4, 87), (1234, 1200), (45_678, 46_000)])
def test_estimates_keep_two_significant_figures(count, shown):
    assert discovery._round(count) == shown


@pytest.mark.postgres
def test_big_match_sets_count_facets_from_a_sample(monkeypatch, facet_cards, django_assert_max_num_queries):
    monkeypatch.setattr(discovery, "FACET_EXACT_LIMIT", 2)
    monkeypatch.setattr(discovery, "TOTAL_CAP", 2)
    monkeypatch.setattr(discovery, "FACET_SAMPLE_ROWS", 10**9)  # sample 100%: the estimate equals the truth

    # at most: the facet summary's lookup (there is none), EXPLAIN + capped count of the base set (the count
    # only when the planner, whose estimate for this tiny table depends on whether it was ANALYZEd yet, does not
    # already put it far beyond the limit), table size, the one sampled statement, the list's capped count + the
    # EXPLAIN that estimates it
    with django_assert_max_num_queries(7) as captured:
        facets = discovery.creator_facets(query=CreatorQuery(), viewer=None)

    assert (facets["exact"], facets["total_is_exact"]) == (False, False) and facets["total"] >= 2
    assert _facet(facets, "platform") == {"instagram": 1, "youtube": 2, "tiktok": 1, "facebook": 0, "twitter": 0}
    assert _facet(facets, "country") == {"US": 1, "GB": 1, "IN": 1}
    sampled = [q["sql"] for q in captured.captured_queries if "TABLESAMPLE SYSTEM" in q["sql"]]
    assert len(sampled) == 1 and "REPEATABLE" in sampled[0]  # every facet from one read of the sample


@pytest.mark.postgres
def test_a_sample_with_text_counts_what_the_exact_path_counts(monkeypatch, facet_cards):
    for card, name in zip(facet_cards, ["Sarah Johnson", "Sarah Jonsson", "Mike Brown", "Sarah Johnson"], strict=True):
        card.display_name, card.name_text = name, name.lower()
        card.save()
    CreatorCard.objects.update(search_vector=search_vector_expression())  # what the card services write
    name_words_add()
    query = CreatorQuery(search="Sarah Jonson")
    exact = discovery.creator_facets(query=query, viewer=None)
    cache.clear()
    monkeypatch.setattr(discovery, "FACET_EXACT_LIMIT", 0)
    monkeypatch.setattr(discovery, "FACET_SAMPLE_ROWS", 10**9)  # sample 100%: the estimate equals the truth

    sampled = discovery.creator_facets(query=query, viewer=None)

    assert exact["exact"] is True and sampled["exact"] is False
    assert sampled["facets"] == exact["facets"] and _facet(sampled, "platform")["youtube"] == 2


@pytest.mark.postgres
def test_a_sample_far_beyond_the_cap_skips_the_capped_count(monkeypatch, facet_cards, django_assert_max_num_queries):
    monkeypatch.setattr(discovery, "FACET_EXACT_LIMIT", 2)
    monkeypatch.setattr(discovery, "TOTAL_CAP", 0)
    monkeypatch.setattr(discovery, "FACET_SAMPLE_ROWS", 10**9)

    with django_assert_max_num_queries(6) as captured:  # the facet summary's lookup (there is none) included
        facets = discovery.creator_facets(query=CreatorQuery(), viewer=None)

    assert (facets["exact"], facets["total_is_exact"]) == (False, False)
    assert not [q for q in captured.captured_queries if q["sql"].startswith("SELECT COUNT(*)") and "LIMIT 1)" in q["sql"]]


@pytest.mark.postgres
def test_sampled_counts_are_scaled_by_the_sample_share(monkeypatch, facet_cards):
    monkeypatch.setattr(discovery, "FACET_EXACT_LIMIT", 2)
    monkeypatch.setattr(discovery, "_table_rows", lambda: 200.0)
    monkeypatch.setattr(discovery, "_sample_percent", lambda rows: 4.0)

    def sampled_counts(query, percent):  # what a 4% sample saw: 8 of the table's 200 rows (scale 25)
        assert percent == 4.0
        return {"platform": {"youtube": 1}, "category": {}, "language": {}, "size": {}, "availability": {},
                "verified": {}, "price": {}, "country": {"US": 3}}, 4, 8

    monkeypatch.setattr(discovery, "_counts_postgres", sampled_counts)

    facets = discovery.creator_facets(query=CreatorQuery(), viewer=None)

    assert facets["exact"] is False
    assert _facet(facets, "country") == {"US": 75}
    assert _facet(facets, "platform")["youtube"] == 25


def test_facets_are_cached_under_the_normalized_query(facet_cards, django_assert_num_queries):
    query = CreatorQuery(platforms=("youtube", "instagram"), countries=("us",), search="Fitness ")
    first = discovery.creator_facets(query=query, viewer=None)
    CreatorCardFactory(platforms=["youtube"], categories=["fitness"], country="US", bio="fitness")

    with django_assert_num_queries(0):  # the same counts, from the cache (they may lag by FACET_CACHE_SECONDS)
        again = discovery.creator_facets(
            query=CreatorQuery(platforms=("instagram", "youtube"), countries=("US",), search="fitness",
                               ordering="-followers"), viewer=None)

    assert again == first
    assert discovery.creator_facets(query=CreatorQuery(platforms=("youtube",)), viewer=None)["total"] == 3


def test_unfiltered_facets_are_read_from_the_summary(facet_cards, django_assert_num_queries):
    counted_per_request = discovery.creator_facets(query=CreatorQuery(), viewer=None)
    cache.clear()
    assert refresh_facet_summary.delay().get() == 3  # the beat job: every listed card counted
    CreatorCardFactory(platforms=["tiktok"], country="US")  # not in the summary until it is counted again

    with django_assert_num_queries(1):  # the summary row
        from_summary = discovery.creator_facets(query=CreatorQuery(ordering="-followers"), viewer=None)

    assert from_summary == counted_per_request and from_summary["exact"] is True
    cache.clear()
    facet_summary_refresh()
    recounted = discovery.creator_facets(query=CreatorQuery(), viewer=None)
    assert recounted["total"] == 4 and _facet(recounted, "platform")["tiktok"] == 2


@pytest.mark.parametrize("query", [CreatorQuery(platforms=("youtube",)), CreatorQuery(min_followers=100_000),
                                   CreatorQuery(search="fitness")])
def test_a_filtered_query_never_reads_the_summary(facet_cards, query):
    facet_summary_refresh()
    FacetSummary.objects.update(counts={}, total=99)  # what a wrong read would show

    assert discovery.creator_facets(query=query, viewer=None)["total"] in (1, 2)


def test_a_summary_three_periods_old_is_not_used(facet_cards, settings):
    facet_summary_refresh()
    FacetSummary.objects.update(counts={}, total=99)
    FacetSummary.objects.update(computed_at=timezone.now() - timedelta(seconds=3 * settings.DISCOVERY_FACET_SUMMARY_SECONDS + 1))

    facets = discovery.creator_facets(query=CreatorQuery(), viewer=None)

    assert facets["total"] == 3 and _facet(facets, "platform")["youtube"] == 2


def test_real_match_score_is_sorted_in_sql_and_agrees_with_python():
    target = Target(categories=("fitness",), countries=("US",), platforms=("youtube",), budget_per_creator=Decimal(500))
    CreatorCardFactory(categories=["fitness"], platforms=["youtube"], country="US", min_price=Decimal(400))
    CreatorCardFactory(categories=["food", "fitness"], platforms=["tiktok"], country="IN", min_price=Decimal(5000))
    CreatorCardFactory(categories=["fitness"], platforms=["instagram"], country="GB", min_price=None)

    cards = search(target=target, ordering="match").cards

    percentages = [card.match_percentage for card in cards]
    assert percentages == sorted(percentages, reverse=True) and len(set(percentages)) == 3
    for card in cards:
        expected = matching.match_for(card, target)
        assert (card.match_percentage, card.match_status) == (expected.percentage, expected.status)


def test_relevance_ranks_only_the_most_followed_matches(monkeypatch):
    monkeypatch.setattr(discovery, "RELEVANCE_CANDIDATES", 2)
    best_text = CreatorCardFactory(display_name="Cooking Carla", name_text="cooking carla", bio="Cooking cooking",
                                   followers=10)
    big = [CreatorCardFactory(bio=f"Cooking and {word}", followers=1000 * n)
           for n, word in enumerate(["travel", "music", "art"], start=1)]

    page = search(search="cooking", limit=10)

    assert set(ids(page.cards)) == {big[2].creator_id, big[1].creator_id}  # the two most followed matches
    assert best_text.creator_id not in ids(page.cards)
    assert (page.total, page.total_is_exact) == (4, True)
    assert page.next_cursor is None


def test_relevance_candidates_are_the_most_followed_matches_in_order(monkeypatch):
    monkeypatch.setattr(discovery, "TOTAL_CAP", 2)
    monkeypatch.setattr(discovery, "RELEVANCE_CANDIDATES", 1)
    cards = [CreatorCardFactory(bio="Cooking daily", followers=n) for n in (5, 50, 500, 5000)]
    CreatorCardFactory(bio="Gardening", followers=10**6)

    assert discovery.relevance_candidates(CreatorQuery(search="cooking")) == [  # up to the cap + 1
        cards[3].creator_id, cards[2].creator_id, cards[1].creator_id]


def test_match_ranks_the_most_followed_cards_sharing_a_category(monkeypatch, fake_match):
    monkeypatch.setattr(discovery, "MATCH_CANDIDATES", 2)
    target = Target(categories=("fitness",), niches=("yoga",), platforms=("instagram",))
    unrelated = CreatorCardFactory(categories=["food"], niches=[], audience_quality=99, followers=10**7)
    small = CreatorCardFactory(categories=["fitness"], audience_quality=95, followers=10)
    by_niche = CreatorCardFactory(categories=["food"], niches=["yoga"], audience_quality=20, followers=5000)
    big = CreatorCardFactory(categories=["fitness"], audience_quality=60, followers=9000)

    page = search(target=target, ordering="match")

    assert ids(page.cards) == [big.creator_id, by_niche.creator_id]  # the 2 most followed sharing, by match
    assert unrelated.creator_id not in ids(page.cards) and small.creator_id not in ids(page.cards)
    assert (page.total, page.total_is_exact) == (4, True)  # the total still counts every filtered card


def test_match_candidates_fall_back_to_the_platforms_then_to_every_card(fake_match):
    tiktok = CreatorCardFactory(platforms=["tiktok"], audience_quality=10)
    youtube = CreatorCardFactory(platforms=["youtube"], audience_quality=90)

    assert ids(search(target=Target(platforms=("tiktok",)), ordering="match").cards) == [tiktok.creator_id]
    everyone = search(target=Target(countries=("US",)), ordering="match").cards
    assert ids(everyone) == [youtube.creator_id, tiktok.creator_id]
