"""Match score: how well a creator fits a brand's target, explained factor by factor.

A `Target` is what the brand is looking for. Today it comes from the brand's stated preferences
(`target_for_brand`); campaigns will build one from their criteria. It is a small value object, not a
model, so anything can describe a target.

The formula (integer 0–100; the same in SQL, `match_score_expression`, and in Python, `match_for`)
---------------------------------------------------------------------------------------------------
Eight factors with weights that sum to 100. Each factor earns whole points between 0 and its weight
(fractions round half up, per factor), and the score is the sum:

=================  ======  ===================================================================================
factor             weight  points
=================  ======  ===================================================================================
niche                  30  share of the target's categories and niches the creator posts about:
                           30 × matched ÷ (target categories + target niches); "2 of your 3" → 20
audience_country       10  10 when the creator's country is one of the target countries, else 0
audience_language       6  6 when any of the creator's languages is a target language, else 0
platform               10  10 when the creator has an account on any target platform, else 0
engagement             14  14 × engagement percentile ÷ 100 — the percentile is the creator's engagement
                           rate among creators of the same primary platform and size band, so the median
                           creator of that band earns 7 and above the median earns more
budget                 14  creator's cheapest price (min_price) against the budget per creator: within the
                           budget 14; up to 25% over 7; further over 0
audience_quality       10  10 × audience quality score ÷ 100
reliability             6  6 × reliability score ÷ 100
=================  ======  ===================================================================================

Neutral = half credit. A factor the target says nothing about (no categories/niches, no countries, no
languages, no platforms, no budget) earns half its weight, and so does a factor whose creator data is
unknown (no country, no languages, no engagement percentile, no price or a price in another currency
than the target's — prices are not converted — and no audience quality score yet). Half credit, rather
than redistributing the weight, keeps every score on one scale: an unknown neither lifts a creator above
one who fits nor sinks it below one who does not. All weights are even, so half credit is whole points.
A creator with no account on any platform gets 0 for platform (there is nothing to fit).

Audience country and language use the creator's own country and content languages as a proxy for
their audience until audience demographics are synced from the platforms.

Status: "high" from 75, "medium" from 50, "low" below 50 (`match_status`).

Reasons (`match_for`): one per factor, in the order above, each with `impact` = the points it contributed
(0..weight) and `weight` = the most it could have contributed, so impact ÷ weight reads as how well that
factor fits; the impacts add up to the percentage.
"""

import json
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    BooleanField,
    Case,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    Q,
    Value,
    When,
)

from accounts import onboarding


@dataclass(frozen=True)
class Target:
    categories: tuple[str, ...] = ()  # content categories that fit (from the brand's industries)
    niches: tuple[str, ...] = ()  # free-text niches, lower-cased
    countries: tuple[str, ...] = ()  # audience countries, ISO alpha-2
    languages: tuple[str, ...] = ()
    platforms: tuple[str, ...] = ()
    budget_per_creator: Decimal | None = None
    currency: str = "USD"

    @property
    def is_empty(self) -> bool:
        return not (self.categories or self.niches or self.countries or self.languages or self.platforms
                    or self.budget_per_creator)


# --- The formula as data ----------------------------------------------------------------------------
WEIGHTS = {
    "niche": 30,
    "audience_country": 10,
    "audience_language": 6,
    "platform": 10,
    "engagement": 14,
    "budget": 14,
    "audience_quality": 10,
    "reliability": 6,
}
assert sum(WEIGHTS.values()) == 100 and all(weight % 2 == 0 for weight in WEIGHTS.values())

HIGH_FROM = 75
MEDIUM_FROM = 50
BUDGET_TOLERANCE = Decimal("1.25")  # up to 25% over the budget per creator still earns half

FORMULA_SUMMARY = (
    "Match score (0–100) = niche alignment 30 (share of the target's categories/niches the creator posts "
    "about) + audience country 10 + audience language 6 (the creator's own country and languages stand in "
    "for their audience until audience demographics are synced) + platform 10 (an account on a wanted "
    "platform) + engagement 14 (percentile among creators of the same primary platform and size band; the "
    "median earns 7) + budget 14 (cheapest price within the budget per creator 14, up to 25% over 7, more 0) "
    "+ audience quality 10 + reliability 6 (each × score ÷ 100). A factor the target does not set, or whose "
    "creator data is unknown, gets half its weight. Status: high ≥ 75, medium ≥ 50, low below."
)


def match_status(percentage: int | None) -> str | None:
    """high ≥ 75, medium ≥ 50, low below; None when there is no score."""
    if percentage is None:
        return None
    if percentage >= HIGH_FROM:
        return "high"
    if percentage >= MEDIUM_FROM:
        return "medium"
    return "low"


def _half(factor: str) -> int:
    return WEIGHTS[factor] // 2


def _scaled(factor: str, value: int, scale: int) -> int:
    """weight × value ÷ scale, rounded half up, in integers (the SQL twin is `_scaled_sql`)."""
    weight = WEIGHTS[factor]
    return (2 * weight * value + scale) // (2 * scale)


def _budget_limits(target: Target) -> tuple[Decimal, Decimal]:
    budget = Decimal(target.budget_per_creator)
    return budget, (budget * BUDGET_TOLERANCE).quantize(Decimal("0.01"))


# --- SQL ----------------------------------------------------------------------------------------------
class JSONArrayHas(Func):
    """True when the JSON array column holds `value` as an element.

    PostgreSQL: jsonb containment (`@>`, served by the jsonb_path_ops GIN indexes); SQLite: json_each.
    """

    output_field = BooleanField()

    def __init__(self, field: str, value: str):
        super().__init__(F(field))
        self.value = value

    def as_sql(self, compiler, connection, **extra):
        column, params = compiler.compile(self.source_expressions[0])
        if connection.vendor == "postgresql":
            return f"({column} @> %s::jsonb)", [*params, json.dumps([self.value])]
        return f"EXISTS (SELECT 1 FROM json_each({column}) WHERE json_each.value = %s)", [*params, self.value]


class JSONArrayEmpty(Func):
    """True when the JSON array column is empty (or null)."""

    output_field = BooleanField()

    def __init__(self, field: str):
        super().__init__(F(field))

    def as_sql(self, compiler, connection, **extra):
        column, params = compiler.compile(self.source_expressions[0])
        length = "jsonb_array_length" if connection.vendor == "postgresql" else "json_array_length"
        return f"COALESCE({length}({column}), 0) = 0", params


def _int(value: int) -> Value:
    return Value(value, output_field=IntegerField())


def _any_of(field: str, values) -> Q:
    condition = Q()
    for value in values:
        condition |= Q(JSONArrayHas(field, value))
    return condition


def _scaled_sql(factor: str, expression, scale: int):
    weight = WEIGHTS[factor]
    return ExpressionWrapper(
        (expression * _int(2 * weight) + _int(scale)) / _int(2 * scale), output_field=IntegerField()
    )


def _niche_sql(target: Target):
    terms = len(target.categories) + len(target.niches)
    if not terms:
        return _int(_half("niche"))
    matched = [
        Case(When(JSONArrayHas(field, value), then=_int(1)), default=_int(0), output_field=IntegerField())
        for field, values in (("categories", target.categories), ("niches", target.niches))
        for value in values
    ]
    total = matched[0]
    for part in matched[1:]:
        total = total + part
    return _scaled_sql("niche", ExpressionWrapper(total, output_field=IntegerField()), terms)


def _country_sql(target: Target):
    if not target.countries:
        return _int(_half("audience_country"))
    return Case(
        When(country="", then=_int(_half("audience_country"))),
        When(country__in=list(target.countries), then=_int(WEIGHTS["audience_country"])),
        default=_int(0),
        output_field=IntegerField(),
    )


def _language_sql(target: Target):
    if not target.languages:
        return _int(_half("audience_language"))
    return Case(
        When(JSONArrayEmpty("languages"), then=_int(_half("audience_language"))),
        When(_any_of("languages", target.languages), then=_int(WEIGHTS["audience_language"])),
        default=_int(0),
        output_field=IntegerField(),
    )


def _platform_sql(target: Target):
    if not target.platforms:
        return _int(_half("platform"))
    return Case(
        When(_any_of("platforms", target.platforms), then=_int(WEIGHTS["platform"])),
        default=_int(0),
        output_field=IntegerField(),
    )


def _engagement_sql():
    return Case(
        When(engagement_percentile__isnull=True, then=_int(_half("engagement"))),
        default=_scaled_sql("engagement", F("engagement_percentile"), 100),
        output_field=IntegerField(),
    )


def _budget_sql(target: Target):
    if target.budget_per_creator is None:
        return _int(_half("budget"))
    budget, tolerated = _budget_limits(target)
    return Case(
        When(Q(min_price__isnull=True) | ~Q(currency=target.currency), then=_int(_half("budget"))),
        When(min_price__lte=budget, then=_int(WEIGHTS["budget"])),
        When(min_price__lte=tolerated, then=_int(_half("budget"))),
        default=_int(0),
        output_field=IntegerField(),
    )


def _audience_quality_sql():
    return Case(
        When(audience_quality__isnull=True, then=_int(_half("audience_quality"))),
        default=_scaled_sql("audience_quality", F("audience_quality"), 100),
        output_field=IntegerField(),
    )


def _reliability_sql():
    return _scaled_sql("reliability", F("reliability"), 100)


def match_score_expression(target: Target):
    """The match score of each CreatorCard row for `target` as one SQL expression (integer 0–100).

    Use it in `.annotate(match=...)` and `.order_by("-match")`: ranking by match runs in the database.
    The formula is in this module's docstring; `match_for` computes the same number in Python.
    """
    parts = [
        _niche_sql(target),
        _country_sql(target),
        _language_sql(target),
        _platform_sql(target),
        _engagement_sql(),
        _budget_sql(target),
        _audience_quality_sql(),
        _reliability_sql(),
    ]
    total = parts[0]
    for part in parts[1:]:
        total = total + part
    return ExpressionWrapper(total, output_field=IntegerField())


# --- Python, with reasons -------------------------------------------------------------------------
@dataclass(frozen=True)
class MatchReason:
    factor: str
    description: str
    impact: int  # points this factor contributed to the percentage, 0..weight
    weight: int = 0  # the most this factor can contribute


@dataclass(frozen=True)
class MatchResult:
    percentage: int
    status: str
    reasons: list[MatchReason]


def _words(items) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def _category_label(code: str) -> str:
    return onboarding.CONTENT_CATEGORIES.get(code, code).lower()


def _country_label(code: str) -> str:
    return onboarding.COUNTRIES.get(code, code)


def _language_label(code: str) -> str:
    return onboarding.CONTENT_LANGUAGES.get(code, code)


def _platform_label(code: str) -> str:
    return onboarding.SOCIAL_PLATFORMS.get(code, code)


def _money(amount: Decimal, currency: str) -> str:
    amount = Decimal(amount)
    text = f"{amount:,.0f}" if amount == amount.to_integral_value() else f"{amount:,.2f}"
    return f"{text} {currency}"


def _reason(factor: str, points: int, description: str) -> MatchReason:
    return MatchReason(factor=factor, description=description, impact=points, weight=WEIGHTS[factor])


def _niche_reason(card, target: Target) -> MatchReason:
    terms = len(target.categories) + len(target.niches)
    if not terms:
        return _reason("niche", _half("niche"), "You have not named categories or niches yet, so niche counts half.")
    categories = [code for code in target.categories if code in (card.categories or [])]
    niches = [niche for niche in target.niches if niche in (card.niches or [])]
    matched = len(categories) + len(niches)
    points = _scaled("niche", matched, terms)
    kind = "categories" if not target.niches else "categories and niches"
    if not matched:
        wanted = _words([_category_label(code) for code in target.categories] + list(target.niches))
        return _reason("niche", points, f"Does not post about {wanted}.")
    topics = _words([_category_label(code) for code in categories] + niches)
    return _reason("niche", points, f"Posts about {topics}, {matched} of your {terms} {kind}.")


def _country_reason(card, target: Target) -> MatchReason:
    if not target.countries:
        return _reason("audience_country", _half("audience_country"),
                       "You have not named audience countries, so location counts half.")
    if not card.country:
        return _reason("audience_country", _half("audience_country"), "Country not given, so location counts half.")
    if card.country in target.countries:
        return _reason("audience_country", WEIGHTS["audience_country"],
                       f"Based in {_country_label(card.country)}, one of your audience countries.")
    return _reason("audience_country", 0, f"Based in {_country_label(card.country)}, outside your audience countries.")


def _language_reason(card, target: Target) -> MatchReason:
    if not target.languages:
        return _reason("audience_language", _half("audience_language"),
                       "You have not named audience languages, so language counts half.")
    languages = list(card.languages or [])
    if not languages:
        return _reason("audience_language", _half("audience_language"),
                       "Content languages not given, so language counts half.")
    shared = [code for code in languages if code in target.languages]
    if shared:
        return _reason("audience_language", WEIGHTS["audience_language"],
                       f"Creates content in {_words(map(_language_label, shared))}, which your audience speaks.")
    return _reason("audience_language", 0,
                   f"Creates content in {_words(map(_language_label, languages))}, none of your audience languages.")


def _platform_reason(card, target: Target) -> MatchReason:
    if not target.platforms:
        return _reason("platform", _half("platform"), "You have not named platforms, so platform counts half.")
    platforms = list(card.platforms or [])
    shared = [code for code in platforms if code in target.platforms]
    if shared:
        return _reason("platform", WEIGHTS["platform"], f"On {_words(map(_platform_label, shared))}, which you want.")
    if not platforms:
        return _reason("platform", 0, "Has no social account listed yet.")
    return _reason("platform", 0, f"Only on {_words(map(_platform_label, platforms))}, not your platforms.")


def _engagement_reason(card) -> MatchReason:
    percentile = card.engagement_percentile
    if percentile is None:
        return _reason("engagement", _half("engagement"),
                       "Engagement not measured against similar creators yet, so it counts half.")
    peers = " ".join(part for part in (
        _platform_label(card.primary_platform) if card.primary_platform else "",
        card.size_band or "",
    ) if part)
    peers = f"{peers} creators" if peers else "similar creators"
    points = _scaled("engagement", percentile, 100)
    if percentile > 50:
        text = f"Engagement higher than {percentile}% of {peers} (above the median)."
    elif percentile == 50:
        text = f"Engagement at the median of {peers}."
    else:
        text = f"Engagement higher than only {percentile}% of {peers} (below the median)."
    return _reason("engagement", points, text)


def _budget_reason(card, target: Target) -> MatchReason:
    if target.budget_per_creator is None:
        return _reason("budget", _half("budget"), "You have not set a budget per creator, so budget counts half.")
    if card.min_price is None:
        return _reason("budget", _half("budget"), "No price listed, so budget counts half.")
    price = _money(card.min_price, card.currency)
    if card.currency != target.currency:
        return _reason("budget", _half("budget"),
                       f"Prices in {card.currency}, not your {target.currency}, so budget counts half.")
    budget, tolerated = _budget_limits(target)
    yours = _money(budget, target.currency)
    if card.min_price <= budget:
        return _reason("budget", WEIGHTS["budget"], f"Packages from {price}, within your {yours} budget per creator.")
    if card.min_price <= tolerated:
        return _reason("budget", _half("budget"), f"Packages from {price}, up to 25% over your {yours} budget.")
    return _reason("budget", 0, f"Packages from {price}, well over your {yours} budget per creator.")


def _audience_quality_reason(card) -> MatchReason:
    score = card.audience_quality
    if score is None:
        return _reason("audience_quality", _half("audience_quality"),
                       "Audience quality not scored yet, so it counts half.")
    confidence = f", {card.audience_quality_confidence} confidence" if card.audience_quality_confidence else ""
    return _reason("audience_quality", _scaled("audience_quality", score, 100),
                   f"Audience quality {score}/100{confidence}.")


def _reliability_reason(card) -> MatchReason:
    return _reason("reliability", _scaled("reliability", card.reliability, 100),
                   f"Reliability {card.reliability}/100 from reviews and past collaborations.")


def match_for(card, target: Target) -> MatchResult:
    """The match of one CreatorCard for `target`, with a reason per factor (same value as the SQL)."""
    reasons = [
        _niche_reason(card, target),
        _country_reason(card, target),
        _language_reason(card, target),
        _platform_reason(card, target),
        _engagement_reason(card),
        _budget_reason(card, target),
        _audience_quality_reason(card),
        _reliability_reason(card),
    ]
    percentage = sum(reason.impact for reason in reasons)
    return MatchResult(percentage=percentage, status=match_status(percentage), reasons=reasons)


# --- The brand's target -----------------------------------------------------------------------------
# Brand industry (accounts.onboarding.INDUSTRIES) → the creator content categories
# (accounts.onboarding.CONTENT_CATEGORIES) whose audiences that industry sells to.
INDUSTRY_CATEGORIES: dict[str, tuple[str, ...]] = {
    "fashion": ("fashion",),
    "beauty": ("beauty",),
    "food_beverage": ("food",),
    "technology": ("technology",),
    "consumer_electronics": ("technology",),
    "gaming": ("gaming",),
    "health_wellness": ("health",),
    "fitness": ("fitness",),
    "travel_hospitality": ("travel",),
    "finance": ("finance",),
    "education": ("education",),
    "entertainment_media": ("entertainment",),
    "home_living": ("home",),
    "automotive": ("automotive",),
    "retail_ecommerce": ("lifestyle",),
    "sports": ("sports",),
    "pets": ("pets",),
    "nonprofit": (),  # no content category fits every cause
    "other": (),
}
assert set(INDUSTRY_CATEGORIES) == set(onboarding.INDUSTRIES)
assert all(code in onboarding.CONTENT_CATEGORIES for codes in INDUSTRY_CATEGORIES.values() for code in codes)


def _unique(values) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


def _codes(values, vocabulary, *, upper: bool = False) -> tuple[str, ...]:
    if not isinstance(values, list | tuple):
        return ()
    codes = [(value.upper() if upper else value) for value in values if isinstance(value, str)]
    return _unique(code for code in codes if code in vocabulary)


def target_for_brand(user) -> Target | None:
    """The brand's stated preferences as a Target; None for anyone else or when nothing is stated.

    categories from BrandProfile.industries (via INDUSTRY_CATEGORIES), countries and languages from
    target_audience, platforms from preferences, budget per creator = budget_max (else budget_min) in the
    profile's currency.
    """
    if user is None or not getattr(user, "is_authenticated", False) or user.user_type != "brand":
        return None
    profile = getattr(user, "brand_profile", None)
    if profile is None:
        return None
    industries = profile.industries if isinstance(profile.industries, list) else []
    audience = profile.target_audience if isinstance(profile.target_audience, dict) else {}
    preferences = profile.preferences if isinstance(profile.preferences, dict) else {}
    budget = profile.budget_max if profile.budget_max is not None else profile.budget_min
    target = Target(
        categories=_unique(code for industry in industries for code in INDUSTRY_CATEGORIES.get(industry, ())),
        countries=_codes(audience.get("countries"), onboarding.COUNTRIES, upper=True),
        languages=_codes(audience.get("languages"), onboarding.CONTENT_LANGUAGES),
        platforms=_codes(preferences.get("platforms"), onboarding.SOCIAL_PLATFORMS),
        budget_per_creator=budget if budget else None,
        currency=profile.currency or "USD",
    )
    return None if target.is_empty else target
