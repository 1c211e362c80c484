"""The deterministic reading of a search sentence, and the sentence and budget picture built from it."""

from decimal import Decimal
from types import SimpleNamespace

import pytest

from brands.ai_search import parse
from brands.ai_search.insights import budget_analysis, describe, filters_applied
from brands.query import CreatorQuery


def read(text: str) -> CreatorQuery:
    return parse(text).query


def test_the_issue_example_reads_into_every_filter_it_states():
    query = read("tech YouTubers over 100K who review gadgets, budget 500–2000")

    assert query == CreatorQuery(search="review", platforms=("youtube",), niches=("technology",),
                                 min_followers=100_000, min_price=Decimal("500"), max_price=Decimal("2000"))


@pytest.mark.parametrize("text,expected", [
    ("creators over 100K", {"min_followers": 100_000}),
    ("creators with 1.5M+ subscribers", {"min_followers": 1_500_000}),
    ("under 50k", {"max_followers": 50_000}),
    ("between 10k and 50k", {"min_followers": 10_000, "max_followers": 50_000}),
    ("10-50k followers", {"min_followers": 10_000, "max_followers": 50_000}),
    ("at least 20 thousand followers", {"min_followers": 20_000}),
    ("more than 2 million", {"min_followers": 2_000_000}),
    ("with 250,000 followers", {"min_followers": 250_000}),
    ("50k to 10k followers", {"min_followers": 10_000, "max_followers": 50_000}),
])
def test_follower_counts(text, expected):
    query = read(text)

    assert {k: getattr(query, k) for k in ("min_followers", "max_followers") if getattr(query, k)} == expected


def test_a_small_number_without_a_scale_or_followers_is_not_an_audience_size():
    query = read("fitness coaches over 5 years")

    assert (query.min_followers, query.max_followers) == (None, None)
    assert query.niches == ("fitness",)


@pytest.mark.parametrize("text,low,high,currency", [
    ("budget 500–2000", "500", "2000", ""),
    ("$500-$2k", "500", "2000", "USD"),
    ("under $1000", None, "1000", "USD"),
    ("budget under 1000", None, "1000", ""),
    ("price between 300 and 800 euros", "300", "800", "EUR"),
    ("rates from ₹5000 to ₹20000", "5000", "20000", "INR"),
    ("over £200", "200", None, "GBP"),
    ("budget of 2k", None, "2000", ""),
    ("$800 budget", None, "800", "USD"),
])
def test_budgets(text, low, high, currency):
    reading = parse(text)

    assert reading.query.min_price == (None if low is None else Decimal(low))
    assert reading.query.max_price == (None if high is None else Decimal(high))
    assert (reading.query.min_followers, reading.query.max_followers) == (None, None)
    assert reading.currency == currency


@pytest.mark.parametrize("text,platforms", [
    ("YouTubers", ("youtube",)), ("IG creators", ("instagram",)), ("insta models", ("instagram",)),
    ("tiktokers", ("tiktok",)), ("creators on X", ("twitter",)), ("twitter and facebook", ("twitter", "facebook")),
    ("Instagram or TikTok", ("instagram", "tiktok")),
])
def test_platforms_and_their_nicknames(text, platforms):
    assert set(read(text).platforms) == set(platforms)


@pytest.mark.parametrize("text,niches", [
    ("tech", ("technology",)), ("gadgets", ("technology",)), ("makeup artists", ("beauty",)),
    ("gym rats", ("fitness",)), ("foodies", ("food",)), ("gamers", ("gaming",)), ("travel vloggers", ("travel",)),
    ("moms", ("parenting",)), ("sustainable fashion", ("sustainability", "fashion")),
])
def test_niches_and_synonyms(text, niches):
    assert set(read(text).niches) == set(niches)


@pytest.mark.parametrize("text,countries", [
    ("Indian creators", ("IN",)), ("creators in India", ("IN",)), ("UK creators", ("GB",)),
    ("US based", ("US",)), ("from the United States", ("US",)), ("Brazilian or Mexican", ("BR", "MX")),
    ("creators in Turkey", ("TR",)),
])
def test_countries_by_name_demonym_and_abbreviation(text, countries):
    assert set(read(text).countries) == set(countries)


def test_lower_case_us_is_a_pronoun_and_turkey_alone_is_food():
    query = read("help us find turkey recipes")

    assert query.countries == ()
    assert query.search == "turkey"
    assert query.niches == ("food",)


@pytest.mark.parametrize("text,languages,countries", [
    ("Spanish-speaking creators", ("es",), ()),
    ("creators who speak Portuguese in Brazil", ("pt",), ("BR",)),
    ("Hindi creators", ("hi",), ()),
    ("French creators posting in German", ("de",), ("FR",)),
])
def test_languages_are_told_apart_from_nationalities(text, languages, countries):
    query = read(text)

    assert (query.languages, query.countries) == (languages, countries)


def test_engagement_verified_available_size_and_ordering():
    query = read("verified micro-influencers available now with engagement above 3.5%, cheapest first")

    assert query.min_engagement == Decimal("3.5")
    assert (query.verified, query.available) == (True, True)
    assert query.size_bands == ("micro",)
    assert query.ordering == "price"
    assert query.search == ""


def test_unverified_is_not_verified():
    assert read("unverified creators").verified is None


def test_leftover_words_become_the_search_without_stop_words_or_numbers():
    query = read("Please find me creators who do unboxing videos and honest reviews over 100k")

    assert query.search == "unboxing honest reviews"


def test_nonsense_and_empty_read_as_no_filters():
    assert read("the and of") == CreatorQuery()
    assert read("?!") == CreatorQuery()


def test_huge_numbers_are_clamped():
    query = read("over 99999999999999 followers, engagement above 400%")

    assert query.min_followers == 10**10
    assert query.min_engagement == Decimal(100)


def test_filters_applied_lists_only_set_fields_as_json_values():
    query = read("tech YouTubers over 100K who review gadgets, budget 500–2000")

    assert filters_applied(query) == {
        "search": "review", "platforms": ["youtube"], "niches": ["technology"], "min_followers": 100000,
        "min_price": "500.00", "max_price": "2000.00",
    }


def test_describe_writes_one_sentence_from_the_filters():
    query = read("verified Indian tech YouTubers over 100K who review gadgets, budget $500–2000, most followers")

    assert describe(query, "USD") == (
        "Verified technology creators on YouTube based in India, with at least 100,000 followers, with a package "
        "priced 500–2,000 USD, matching “review”; most followers first."
    )
    assert describe(CreatorQuery()).startswith("No filters were recognised")


def card(min_price, max_price=None, currency="USD"):
    return SimpleNamespace(min_price=None if min_price is None else Decimal(min_price),
                           max_price=None if max_price is None else Decimal(max_price), currency=currency)


def test_budget_analysis_counts_creators_whose_starting_price_is_inside_the_budget():
    query = CreatorQuery(min_price=Decimal("500"), max_price=Decimal("2000"))
    cards = [card("100", "400"), card("300", "900"), card("1500"), card("2500", "5000"), card(None)]

    analysis = budget_analysis(query, cards, "USD")

    assert analysis == {
        "budget_min": "500", "budget_max": "2000", "budget_currency": "USD", "results_considered": 5,
        "results_with_price": 4, "within_budget": 1, "cheapest_price": "100", "median_price": "900.00",
        "currencies": ["USD"],
        "summary": "1 of the 5 creators on this page start within the budget; starting prices run from 100, "
                   "median 900.",
    }


def test_budget_analysis_without_a_budget_or_results():
    assert budget_analysis(CreatorQuery(), [card("50")])["within_budget"] is None
    assert budget_analysis(CreatorQuery(), [])["summary"] == "No creators matched, so there are no prices to compare."
