"""Audience quality and reliability: the one definition both the single-card and the bulk paths use.

Audience quality is a score 0–100 with a confidence, computed from the numbers we hold about a creator.
It is a signal, not an audit of individual followers. Four factors, each scored 0–100:

1. Engagement percentile (weight 40): where the creator's engagement rate falls among listed creators
   of the same primary platform and size band (EngagementBenchmark cut points; `percentile_for`). The
   sub-score is the percentile itself.
2. Comments per like (weight 25), summed over the creator's accounts that report likes. Organic posts
   get roughly 1–10 comments per 100 likes (HEALTHY_COMMENT_RATIO). Below the band suggests bought
   likes: the sub-score falls linearly from 100 at 0.01 to 20 at 0. Above it suggests comment pods
   or giveaways: it falls linearly from 100 at 0.10 to 20 at 0.30 and stays 20 beyond.
3. Growth spikes (weight 20), from daily MetricsSnapshot rows of the last 90 days (GROWTH_WINDOW_DAYS).
   Between consecutive snapshots of an account that had at least 1,000 followers, follower growth per
   day above 10% (SPIKE_DAILY_GROWTH) is a spike. Sub-score 100 − 35 per spike day, at least 0. Needs
   at least one pair of snapshots.
4. Views per follower (weight 15), video platforms only (YouTube, TikTok), primary account: average
   views ÷ followers. 0.20 or more scores 100; from 0.20 down to 0.02 it falls linearly to 10; below
   0.02 it is 10.

The score is the weighted mean of the factors we have (weights re-normalised over them), rounded.
With none of them the score is unknown (None).

Confidence: numbers typed in by the creator (primary account not connected by OAuth) are "low"
whatever else we have. For a connected primary account: three or more factors "high", two "medium",
one "low".

Reliability 0–100 (orders will feed it later) = 70% rating part + 30% experience part:
- rating part: the published-review average pulled toward 3.5 stars as if by 3 extra reviews
  (a Bayesian average, so one 5-star review is not a perfect record), mapped 1★→0 … 5★→100;
- experience part: total collaborations on a log scale, 20 or more → 100.
A creator with no reviews and no collaborations scores 44.
"""

import bisect
import math
from dataclasses import dataclass
from decimal import Decimal

from creators.models import Platform

WEIGHTS = {"engagement_percentile": 40, "comments_per_like": 25, "growth_spikes": 20, "views_per_follower": 15}
HEALTHY_COMMENT_RATIO = (0.01, 0.10)
POD_COMMENT_RATIO = 0.30  # at and above this many comments per like the factor bottoms out
FLOOR_COMMENT_SCORE = 20
GROWTH_WINDOW_DAYS = 90
SPIKE_DAILY_GROWTH = 0.10
SPIKE_MIN_FOLLOWERS = 1000
SPIKE_PENALTY = 35
VIDEO_PLATFORMS = (Platform.YOUTUBE, Platform.TIKTOK)
VIEWS_RATIO_FULL = 0.20
VIEWS_RATIO_LOW = 0.02
VIEWS_FLOOR_SCORE = 10

RELIABILITY_PRIOR_RATING = 3.5
RELIABILITY_PRIOR_REVIEWS = 3
RELIABILITY_FULL_COLLABORATIONS = 20
RELIABILITY_RATING_SHARE = 0.7

FACTOR_PHRASES = {
    "engagement_percentile": "engagement percentile among {platform} {band} creators",
    "comments_per_like": "comments-to-likes ratio",
    "growth_spikes": "follower growth between daily snapshots (sudden jumps)",
    "views_per_follower": "views per follower",
}
DISCLAIMER = "Not an audit of individual followers."


@dataclass(frozen=True)
class AudienceInputs:
    """What we know about one creator, as gathered by brands.services.cards (one SQL for one or all)."""

    platform: str = ""
    size_band: str = ""
    engagement_rate: Decimal = Decimal("0")
    percentile: int | None = None
    likes: int = 0  # summed average likes of accounts that report likes
    comments: int = 0
    snapshot_pairs: int = 0  # consecutive snapshot pairs in the window
    spike_days: int = 0
    max_daily_growth: float | None = None
    followers: int = 0  # primary account
    avg_views: int = 0  # primary account
    verified: bool = False  # primary account connected by OAuth: the platform measured the numbers


@dataclass(frozen=True)
class AudienceQuality:
    score: int | None
    confidence: str  # "" when the score is unknown
    basis: dict


def percentile_for(engagement_rate, cut_points: list[float] | None) -> int | None:
    """0–99: how many of the band's 99 cut points (percentiles 1..99) are at or below this rate.

    None without a benchmark or without a measured rate (0 means "not known" on a card).
    """
    if not cut_points or not engagement_rate:
        return None
    return bisect.bisect_right(cut_points, float(engagement_rate))


def comment_ratio_score(ratio: float) -> int:
    low, high = HEALTHY_COMMENT_RATIO
    if ratio < low:
        return round(FLOOR_COMMENT_SCORE + (100 - FLOOR_COMMENT_SCORE) * ratio / low)
    if ratio <= high:
        return 100
    if ratio >= POD_COMMENT_RATIO:
        return FLOOR_COMMENT_SCORE
    return round(100 - (100 - FLOOR_COMMENT_SCORE) * (ratio - high) / (POD_COMMENT_RATIO - high))


def growth_score(spike_days: int) -> int:
    return max(0, 100 - SPIKE_PENALTY * spike_days)


def views_score(ratio: float) -> int:
    if ratio >= VIEWS_RATIO_FULL:
        return 100
    if ratio <= VIEWS_RATIO_LOW:
        return VIEWS_FLOOR_SCORE
    span = (ratio - VIEWS_RATIO_LOW) / (VIEWS_RATIO_FULL - VIEWS_RATIO_LOW)
    return round(VIEWS_FLOOR_SCORE + (100 - VIEWS_FLOOR_SCORE) * span)


def _factors(inputs: AudienceInputs) -> dict[str, dict]:
    factors = {}
    if inputs.percentile is not None:
        factors["engagement_percentile"] = {"value": inputs.percentile, "score": inputs.percentile}
    if inputs.likes > 0:
        ratio = inputs.comments / inputs.likes
        factors["comments_per_like"] = {"value": round(ratio, 4), "score": comment_ratio_score(ratio)}
    if inputs.snapshot_pairs > 0:
        factors["growth_spikes"] = {
            "value": inputs.spike_days,
            "pairs": inputs.snapshot_pairs,
            "max_daily_growth": round(inputs.max_daily_growth or 0.0, 4),
            "score": growth_score(inputs.spike_days),
        }
    if inputs.platform in VIDEO_PLATFORMS and inputs.followers > 0 and inputs.avg_views > 0:
        ratio = inputs.avg_views / inputs.followers
        factors["views_per_follower"] = {"value": round(ratio, 4), "score": views_score(ratio)}
    for name, factor in factors.items():
        factor["weight"] = WEIGHTS[name]
    return factors


def confidence_for(factor_count: int, verified: bool) -> str:
    if factor_count == 0:
        return ""
    if not verified or factor_count == 1:
        return "low"
    return "high" if factor_count >= 3 else "medium"


def audience_quality(inputs: AudienceInputs) -> AudienceQuality:
    factors = _factors(inputs)
    basis = {"platform": inputs.platform, "size_band": inputs.size_band, "verified": inputs.verified, **factors}
    if not factors:
        return AudienceQuality(score=None, confidence="", basis=basis)
    total_weight = sum(factor["weight"] for factor in factors.values())
    score = round(sum(factor["score"] * factor["weight"] for factor in factors.values()) / total_weight)
    return AudienceQuality(score=score, confidence=confidence_for(len(factors), inputs.verified), basis=basis)


def reliability(*, rating, review_count: int, total_collaborations: int) -> int:
    bayesian = (float(rating or 0) * review_count + RELIABILITY_PRIOR_RATING * RELIABILITY_PRIOR_REVIEWS) / (
        review_count + RELIABILITY_PRIOR_REVIEWS
    )
    rating_part = (bayesian - 1) / 4 * 100
    experience = min(1.0, math.log1p(total_collaborations) / math.log1p(RELIABILITY_FULL_COLLABORATIONS)) * 100
    return round(RELIABILITY_RATING_SHARE * rating_part + (1 - RELIABILITY_RATING_SHARE) * experience)


def explain(basis: dict) -> str:
    """A plain sentence of what a score was computed from, for profiles and the console."""
    from brands.models import SizeBand

    platform = Platform(basis["platform"]).label if basis.get("platform") in Platform.values else "same-platform"
    band = basis.get("size_band", "")
    band = band if band in SizeBand.values else "similar-size"
    phrases = [
        FACTOR_PHRASES[name].format(platform=platform, band=band) for name in WEIGHTS if name in basis
    ]
    if not phrases:
        return f"Not enough data yet. {DISCLAIMER}"
    listed = phrases[0] if len(phrases) == 1 else ", ".join(phrases[:-1]) + " and " + phrases[-1]
    source = "" if basis.get("verified") else " Numbers are self-reported by the creator."
    return f"From {listed}.{source} {DISCLAIMER}"
