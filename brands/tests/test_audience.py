from decimal import Decimal

import pytest

from brands import audience
from brands.audience import AudienceInputs


def test_percentile_counts_cut_points_at_or_below_the_rate():
    cuts = [float(i) for i in range(1, 100)]  # percentile p sits at engagement p
    assert audience.percentile_for(Decimal("0.5"), cuts) == 0
    assert audience.percentile_for(Decimal("1"), cuts) == 1
    assert audience.percentile_for(Decimal("42.7"), cuts) == 42
    assert audience.percentile_for(Decimal("250"), cuts) == 99
    assert audience.percentile_for(Decimal("0"), cuts) is None  # not measured
    assert audience.percentile_for(Decimal("3"), None) is None  # no benchmark for the band
    assert audience.percentile_for(Decimal("3"), []) is None


@pytest.mark.parametrize(
    ("ratio", "score"),
    [(0.0, 20), (0.005, 60), (0.01, 100), (0.05, 100), (0.10, 100), (0.20, 60), (0.30, 20), (0.9, 20)],
)
def test_comment_ratio_has_a_healthy_band(ratio, score):
    assert audience.comment_ratio_score(ratio) == score


@pytest.mark.parametrize(("spikes", "score"), [(0, 100), (1, 65), (2, 30), (3, 0), (10, 0)])
def test_each_growth_spike_costs_35_points(spikes, score):
    assert audience.growth_score(spikes) == score


@pytest.mark.parametrize(("ratio", "score"), [(0.0, 10), (0.02, 10), (0.11, 55), (0.20, 100), (1.5, 100)])
def test_views_per_follower(ratio, score):
    assert audience.views_score(ratio) == score


def test_every_factor_weighted_with_high_confidence_on_connected_video_accounts():
    inputs = AudienceInputs(
        platform="youtube", size_band="mid", engagement_rate=Decimal("4"), percentile=80, likes=1000, comments=5,
        snapshot_pairs=30, spike_days=1, max_daily_growth=0.25, followers=200_000, avg_views=22_000, verified=True,
    )

    result = audience.audience_quality(inputs)

    # engagement 80 (w40), comments 0.005 → 60 (w25), growth 1 spike → 65 (w20), views 0.11 → 55 (w15)
    assert result.score == round((80 * 40 + 60 * 25 + 65 * 20 + 55 * 15) / 100)
    assert result.confidence == "high"
    assert result.basis == {
        "platform": "youtube",
        "size_band": "mid",
        "verified": True,
        "engagement_percentile": {"value": 80, "score": 80, "weight": 40},
        "comments_per_like": {"value": 0.005, "score": 60, "weight": 25},
        "growth_spikes": {"value": 1, "pairs": 30, "max_daily_growth": 0.25, "score": 65, "weight": 20},
        "views_per_follower": {"value": 0.11, "score": 55, "weight": 15},
    }


def test_views_count_only_on_video_platforms():
    inputs = AudienceInputs(platform="instagram", percentile=50, followers=10_000, avg_views=5_000, verified=True)
    basis = audience.audience_quality(inputs).basis
    assert "views_per_follower" not in basis


def test_weights_are_renormalised_over_the_factors_we_have():
    two = AudienceInputs(platform="instagram", percentile=40, likes=100, comments=3, verified=True)
    result = audience.audience_quality(two)
    assert result.score == round((40 * 40 + 100 * 25) / 65)
    assert result.confidence == "medium"

    one = AudienceInputs(platform="instagram", percentile=40, verified=True)
    assert audience.audience_quality(one).score == 40
    assert audience.audience_quality(one).confidence == "low"


def test_self_reported_numbers_are_low_confidence_however_many_factors():
    inputs = AudienceInputs(platform="tiktok", percentile=90, likes=100, comments=3, snapshot_pairs=4,
                            followers=1000, avg_views=500, verified=False)
    result = audience.audience_quality(inputs)
    assert result.score is not None and result.confidence == "low"


def test_no_inputs_means_no_score():
    result = audience.audience_quality(AudienceInputs(platform="instagram", size_band="nano"))
    assert (result.score, result.confidence) == (None, "")
    assert audience.explain(result.basis).startswith("Not enough data yet.")


@pytest.mark.parametrize(
    ("rating", "reviews", "collaborations", "expected"),
    [
        (0, 0, 0, 44),  # the prior: 3.5 stars, no experience
        (5, 1, 0, 50),  # one 5-star review: 3.875 stars after the prior, no experience
        (5, 20, 20, 97),  # 4.80 stars → 95.1 × 0.7 + 100 × 0.3
        (1, 10, 0, 10),
        (4.5, 8, 3, 70),  # 4.23 stars → 80.7 × 0.7 + ln 4 / ln 21 × 100 × 0.3
    ],
)
def test_reliability(rating, reviews, collaborations, expected):
    assert audience.reliability(rating=rating, review_count=reviews, total_collaborations=collaborations) == expected


def test_explain_says_what_the_score_is_computed_from():
    basis = audience.audience_quality(
        AudienceInputs(platform="instagram", size_band="micro", percentile=60, likes=10, comments=1,
                       snapshot_pairs=3, verified=True)
    ).basis

    assert audience.explain(basis) == (
        "From engagement percentile among Instagram micro creators, comments-to-likes ratio and follower growth "
        "between daily snapshots (sudden jumps). Not an audit of individual followers."
    )
    basis["verified"] = False
    assert "self-reported" in audience.explain(basis)
