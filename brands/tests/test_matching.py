"""The match score: each factor on known inputs, neutral cases, SQL == Python, ranking in the database."""

import itertools
from decimal import Decimal
from types import SimpleNamespace

import pytest

from accounts.tests.factories import BrandUserFactory, CreatorUserFactory
from brands.matching import (
    INDUSTRY_CATEGORIES,
    WEIGHTS,
    Target,
    match_for,
    match_score_expression,
    match_status,
    target_for_brand,
)
from brands.models import CreatorCard
from brands.tests.factories import CreatorCardFactory


def card(**fields):
    """An unsaved card-like object with neutral-ish defaults (match_for only reads attributes)."""
    values = dict(
        categories=[], niches=[], country="", languages=[], platforms=[], primary_platform="instagram",
        size_band="micro", engagement_percentile=None, min_price=None, currency="USD", audience_quality=None,
        audience_quality_confidence="", reliability=50,
    )
    values.update(fields)
    return SimpleNamespace(**values)


def impact(result, factor: str) -> int:
    return next(reason.impact for reason in result.reasons if reason.factor == factor)


def reason_text(result, factor: str) -> str:
    return next(reason.description for reason in result.reasons if reason.factor == factor)


# --- Factors on known inputs -----------------------------------------------------------------------
def test_weights_sum_to_one_hundred_and_reasons_add_up():
    result = match_for(card(categories=["fitness"]), Target(categories=("fitness",)))

    assert sum(WEIGHTS.values()) == 100
    assert [reason.factor for reason in result.reasons] == list(WEIGHTS)
    assert sum(reason.impact for reason in result.reasons) == result.percentage
    assert all(0 <= reason.impact <= reason.weight for reason in result.reasons)


@pytest.mark.parametrize(
    "categories, niches, expected",
    [
        (["fitness", "health"], [], 20),  # 2 of 3 → 30 × 2/3
        (["fitness"], [], 10),
        (["fitness", "health", "food"], [], 30),
        (["gaming"], [], 0),
        (["fitness"], ["yoga"], 10),  # niches are matched against the target's niches only
    ],
)
def test_niche_alignment_is_the_share_of_target_categories(categories, niches, expected):
    target = Target(categories=("fitness", "health", "food"))

    result = match_for(card(categories=categories, niches=niches), target)

    assert impact(result, "niche") == expected


def test_niche_reason_names_the_topics_in_plain_words():
    result = match_for(card(categories=["fitness", "health"]), Target(categories=("fitness", "health", "food")))

    assert reason_text(result, "niche") == "Posts about fitness and health & wellness, 2 of your 3 categories."


def test_niches_count_with_categories():
    target = Target(categories=("fitness",), niches=("yoga", "pilates"))

    result = match_for(card(categories=["fitness"], niches=["yoga"]), target)

    assert impact(result, "niche") == 20  # 2 of 3
    assert "2 of your 3 categories and niches" in reason_text(result, "niche")


def test_audience_country_and_language():
    target = Target(countries=("US", "GB"), languages=("en", "es"))

    inside = match_for(card(country="GB", languages=["fr", "es"]), target)
    outside = match_for(card(country="BR", languages=["pt"]), target)

    assert impact(inside, "audience_country") == 10 and impact(inside, "audience_language") == 6
    assert "Britain (UK)" in reason_text(inside, "audience_country")
    assert impact(outside, "audience_country") == 0 and impact(outside, "audience_language") == 0


def test_platform_fit_needs_an_account_on_a_wanted_platform():
    target = Target(platforms=("youtube", "tiktok"))

    assert impact(match_for(card(platforms=["instagram", "tiktok"]), target), "platform") == 10
    assert impact(match_for(card(platforms=["instagram"]), target), "platform") == 0
    assert impact(match_for(card(platforms=[]), target), "platform") == 0


@pytest.mark.parametrize("percentile, expected", [(0, 0), (25, 4), (50, 7), (75, 11), (90, 13), (100, 14)])
def test_engagement_scores_more_above_the_band_median(percentile, expected):
    result = match_for(card(engagement_percentile=percentile), Target(categories=("fitness",)))

    assert impact(result, "engagement") == expected


def test_engagement_reason_compares_with_the_same_platform_and_band():
    result = match_for(card(engagement_percentile=82, primary_platform="tiktok", size_band="mid"), Target(platforms=("tiktok",)))

    assert reason_text(result, "engagement") == "Engagement higher than 82% of TikTok mid creators (above the median)."


@pytest.mark.parametrize(
    "price, expected",
    [
        ("300", 14),  # under budget
        ("500", 14),  # exactly the budget
        ("500.01", 7),  # just over
        ("625", 7),  # 25% over: still partial
        ("625.01", 0),  # beyond 25% over
        ("2000", 0),
    ],
)
def test_budget_bands(price, expected):
    target = Target(budget_per_creator=Decimal("500"))

    result = match_for(card(min_price=Decimal(price)), target)

    assert impact(result, "budget") == expected


def test_budget_in_another_currency_or_unknown_is_neutral():
    target = Target(budget_per_creator=Decimal("500"), currency="USD")

    assert impact(match_for(card(min_price=Decimal("100"), currency="EUR"), target), "budget") == 7
    assert impact(match_for(card(min_price=None), target), "budget") == 7


@pytest.mark.parametrize("score, expected", [(None, 5), (0, 0), (60, 6), (85, 9), (100, 10)])
def test_audience_quality(score, expected):
    assert impact(match_for(card(audience_quality=score), Target(platforms=("instagram",))), "audience_quality") == expected


@pytest.mark.parametrize("score, expected", [(0, 0), (50, 3), (92, 6), (100, 6)])
def test_reliability(score, expected):
    assert impact(match_for(card(reliability=score), Target(platforms=("instagram",))), "reliability") == expected


def test_factors_the_target_does_not_set_get_half_credit():
    result = match_for(card(categories=["fitness"], country="US", languages=["en"], platforms=["instagram"],
                            min_price=Decimal("10")), Target(categories=("fitness",)))

    assert impact(result, "niche") == 30
    for factor in ("audience_country", "audience_language", "platform", "budget"):
        assert impact(result, factor) == WEIGHTS[factor] // 2


def test_unknown_creator_data_gets_half_credit():
    target = Target(countries=("US",), languages=("en",))

    result = match_for(card(country="", languages=[]), target)

    assert impact(result, "audience_country") == 5 and impact(result, "audience_language") == 3


def test_a_perfect_fit_scores_100_and_a_misfit_scores_low():
    target = Target(categories=("beauty",), countries=("IN",), languages=("hi",), platforms=("youtube",),
                    budget_per_creator=Decimal("1000"))
    perfect = card(categories=["beauty"], country="IN", languages=["hi"], platforms=["youtube"],
                   engagement_percentile=100, min_price=Decimal("800"), audience_quality=100, reliability=100)
    misfit = card(categories=["gaming"], country="US", languages=["en"], platforms=["twitch"],
                  engagement_percentile=10, min_price=Decimal("5000"), audience_quality=20, reliability=10)

    assert match_for(perfect, target).percentage == 100 and match_for(perfect, target).status == "high"
    assert match_for(misfit, target).percentage == 4 and match_for(misfit, target).status == "low"


@pytest.mark.parametrize("percentage, status", [(100, "high"), (75, "high"), (74, "medium"), (50, "medium"),
                                                (49, "low"), (0, "low"), (None, None)])
def test_match_status_bands(percentage, status):
    assert match_status(percentage) == status


# --- SQL == Python ---------------------------------------------------------------------------------
TARGETS = [
    Target(categories=("fitness", "health", "food"), niches=("yoga",), countries=("US", "GB"), languages=("en", "es"),
           platforms=("instagram", "tiktok"), budget_per_creator=Decimal("400")),
    Target(categories=("beauty",)),
    Target(countries=("IN",), budget_per_creator=Decimal("1000.50"), currency="INR"),
    Target(niches=('say "hi"', "vegan"), languages=("hi",), platforms=("youtube",)),
]


def varied_cards():
    shapes = itertools.product(
        [["fitness", "health"], ["beauty", "food"], []],
        [["yoga"], ['say "hi"', "vegan"], []],
        [("US", ["en"]), ("IN", ["hi", "en"]), ("", [])],
        [["instagram"], ["youtube", "tiktok"], []],
        [None, 0, 49, 50, 83, 100],
        [(None, "USD"), (Decimal("300"), "USD"), (Decimal("450.00"), "USD"), (Decimal("500.01"), "USD"),
         (Decimal("900"), "INR"), (Decimal("1250.62"), "INR")],
    )
    for index, (categories, niches, (country, languages), platforms, percentile, (price, currency)) in enumerate(shapes):
        if index % 7:  # a spread of 1 in 7 combinations keeps the test fast
            continue
        CreatorCardFactory(
            categories=categories, niches=niches, country=country, languages=languages, platforms=platforms,
            engagement_percentile=percentile, min_price=price, currency=currency,
            audience_quality=None if index % 3 == 0 else index % 101, reliability=(index * 13) % 101,
        )


@pytest.mark.django_db
@pytest.mark.parametrize("target", TARGETS, ids=["full", "category", "country-budget-inr", "niches-quoted"])
def test_sql_and_python_agree_on_every_card(target):
    varied_cards()

    cards = list(CreatorCard.objects.annotate(match=match_score_expression(target)))

    assert len(cards) > 50
    assert len({row.match for row in cards}) > 5  # the set really varies
    for row in cards:
        assert row.match == match_for(row, target).percentage, row.__dict__


@pytest.mark.django_db
def test_ranking_by_match_happens_in_the_database(django_assert_num_queries):
    target = Target(categories=("fitness",), countries=("US",), budget_per_creator=Decimal("500"))
    best = CreatorCardFactory(categories=["fitness"], country="US", min_price=Decimal("100"), engagement_percentile=90)
    middle = CreatorCardFactory(categories=["fitness"], country="BR", min_price=Decimal("100"))
    worst = CreatorCardFactory(categories=["gaming"], country="BR", min_price=Decimal("5000"))

    with django_assert_num_queries(1):
        ranked = list(
            CreatorCard.objects.annotate(match=match_score_expression(target))
            .order_by("-match", "-creator_id")
            .values_list("creator_id", "match")[:2]
        )

    assert [creator_id for creator_id, _ in ranked] == [best.pk, middle.pk]
    assert worst.pk not in dict(ranked)
    assert ranked[0][1] > ranked[1][1]


@pytest.mark.django_db
def test_match_can_filter_in_sql():
    target = Target(categories=("fitness",))
    CreatorCardFactory(categories=["fitness"])
    CreatorCardFactory(categories=["gaming"])

    high = CreatorCard.objects.annotate(match=match_score_expression(target)).filter(match__gte=60)

    assert [row.categories for row in high] == [["fitness"]]


# --- The brand's target -----------------------------------------------------------------------------
@pytest.mark.django_db
def test_target_for_brand_maps_industries_audience_platforms_and_budget():
    brand = BrandUserFactory()
    profile = brand.brand_profile
    profile.industries = ["health_wellness", "fitness", "consumer_electronics", "technology", "nonprofit"]
    profile.target_audience = {"countries": ["US", "gb", "XX"], "languages": ["en", "klingon"], "age_min": 18}
    profile.preferences = {"platforms": ["youtube", "myspace"], "content_types": []}
    profile.budget_min, profile.budget_max, profile.currency = Decimal("100"), Decimal("750"), "EUR"
    profile.save()

    target = target_for_brand(brand)

    assert target == Target(
        categories=("health", "fitness", "technology"), countries=("US", "GB"), languages=("en",),
        platforms=("youtube",), budget_per_creator=Decimal("750"), currency="EUR",
    )


@pytest.mark.django_db
def test_budget_falls_back_to_the_minimum():
    brand = BrandUserFactory()
    brand.brand_profile.budget_min, brand.brand_profile.budget_max = Decimal("200"), None
    brand.brand_profile.save()

    assert target_for_brand(brand).budget_per_creator == Decimal("200")


@pytest.mark.django_db
def test_no_target_for_creators_anonymous_or_a_brand_that_said_nothing():
    from django.contrib.auth.models import AnonymousUser

    brand = BrandUserFactory()
    brand.brand_profile.industries = ["other"]
    brand.brand_profile.save()

    assert target_for_brand(CreatorUserFactory()) is None
    assert target_for_brand(AnonymousUser()) is None
    assert target_for_brand(None) is None
    assert target_for_brand(brand) is None


def test_every_industry_is_mapped_to_real_categories():
    from accounts import onboarding

    assert set(INDUSTRY_CATEGORIES) == set(onboarding.INDUSTRIES)
    assert INDUSTRY_CATEGORIES["food_beverage"] == ("food",)
    assert INDUSTRY_CATEGORIES["consumer_electronics"] == ("technology",)
