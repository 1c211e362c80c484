"""Recommended creators for a brand, and creators similar to a given one. Both rank in SQL over CreatorCard.

Recommendations (`creator_recommendations`)
    Listed creators the brand has not shortlisted yet — and, when the brand's target or shortlists name any
    content categories, only those posting about at least one of them — ranked by
        rank = match score for the brand's target (brands.matching; an empty target when the brand stated
               nothing, which then ranks on engagement, audience quality and reliability alone)
             + SHORTLIST_BOOST points for each of the brand's top SHORTLIST_TOP_CATEGORIES shortlist
               categories the creator posts about (the categories most frequent among the creators on the
               brand's lists, from the latest SHORTLIST_SAMPLE saves)
    then most followers, then newest creator id. `match_percentage` is the match score alone (null without
    a stated target). Campaigns will add their criteria to the target once they exist. The list is the top
    MAX_RECOMMENDATIONS: `total` counts at most that many.

Similar creators (`similar_creators`)
    Listed creators other than the given one that share at least one content category with it (or, when
    it has none, its primary platform), ranked by
        similarity = 55 × shared categories ÷ its categories + 20 same primary platform + 15 same size band
                   + 10 same country    (integer 0–100)
    then most followers, then creator id. The list is the top MAX_SIMILAR: `total` counts at most that many.

Queries: recommendations 4 (brand profile, shortlist categories, capped count, page); similar 3 (the
creator's card, count, page) plus one for a brand viewer's target. None of them depend on the page size.
"""

from collections import Counter
from dataclasses import dataclass

from django.db.models import Case, ExpressionWrapper, F, IntegerField, Q, QuerySet, Value, When

from brands.matching import JSONArrayHas, Target, match_score_expression, match_status, target_for_brand
from brands.models import CreatorCard, ShortlistItem
from influmojo.errors import NotFound

MAX_RECOMMENDATIONS = 200
MAX_SIMILAR = 200
SHORTLIST_SAMPLE = 200
SHORTLIST_TOP_CATEGORIES = 3
SHORTLIST_BOOST = 5
SIMILAR_WEIGHTS = {"categories": 55, "primary_platform": 20, "size_band": 15, "country": 10}


@dataclass(frozen=True)
class CardPage:
    cards: list[CreatorCard]  # each with match_percentage / match_status (None without a target)
    total: int


def _int(value: int) -> Value:
    return Value(value, output_field=IntegerField())


def _listed() -> QuerySet[CreatorCard]:
    return CreatorCard.objects.filter(listed=True)


def _has_count(field: str, values) -> ExpressionWrapper:
    """How many of `values` the JSON list column holds (0 when values is empty)."""
    total = _int(0)
    for value in values:
        total = total + Case(When(JSONArrayHas(field, value), then=_int(1)), default=_int(0),
                             output_field=IntegerField())
    return ExpressionWrapper(total, output_field=IntegerField())


def _any_category(codes) -> Q:
    condition = Q()
    for code in codes:
        condition |= Q(JSONArrayHas("categories", code))
    return condition


def _with_match_fields(cards: list[CreatorCard], has_target: bool) -> list[CreatorCard]:
    for card in cards:
        if not has_target:
            card.match_percentage = None
        card.match_status = match_status(card.match_percentage)
    return cards


def shortlist_categories(*, brand) -> list[str]:
    """The brand's most shortlisted content categories, most frequent first (one query)."""
    saved = (
        ShortlistItem.objects.filter(shortlist__brand=brand)
        .order_by("-added_at", "-id")
        .values("creator_id")[:SHORTLIST_SAMPLE]
    )
    counts = Counter()
    for categories in CreatorCard.objects.filter(creator_id__in=saved).values_list("categories", flat=True):
        counts.update(set(categories or []))
    return [code for code, _ in sorted(counts.items(), key=lambda item: (-item[1], item[0]))][
        :SHORTLIST_TOP_CATEGORIES
    ]


def creator_recommendations(*, brand, limit: int = 20, offset: int = 0) -> CardPage:
    """Creators to suggest to `brand`, best first (see the module docstring for the ranking)."""
    target = target_for_brand(brand)
    boost_categories = shortlist_categories(brand=brand)
    shortlisted = ShortlistItem.objects.filter(shortlist__brand=brand).values("creator_id")
    # Candidates post about a wanted or shortlisted category when there are any (jsonb GIN on PostgreSQL),
    # so a million creators are not all scored; otherwise every listed creator is a candidate.
    wanted = list(dict.fromkeys([*(target.categories if target else ()), *boost_categories]))
    candidates = _listed().filter(_any_category(wanted)) if wanted else _listed()
    queryset = (
        candidates
        .exclude(creator_id__in=shortlisted)
        .annotate(match_percentage=match_score_expression(target or Target()))
        .annotate(
            recommendation_rank=ExpressionWrapper(
                F("match_percentage") + _has_count("categories", boost_categories) * _int(SHORTLIST_BOOST),
                output_field=IntegerField(),
            )
        )
        .order_by("-recommendation_rank", "-followers", "-creator_id")
    )
    total = queryset.order_by()[:MAX_RECOMMENDATIONS].count()
    end = min(offset + limit, MAX_RECOMMENDATIONS)
    cards = list(queryset[offset:end]) if offset < end else []
    return CardPage(cards=_with_match_fields(cards, target is not None), total=total)


def similarity_expression(source: CreatorCard) -> ExpressionWrapper:
    """0–100: how much a card resembles `source` (weights in SIMILAR_WEIGHTS; see the module docstring)."""
    categories = list(dict.fromkeys(source.categories or []))
    weight = SIMILAR_WEIGHTS["categories"]
    if categories:
        shared = _has_count("categories", categories)
        category_points = ExpressionWrapper(
            (shared * _int(2 * weight) + _int(len(categories))) / _int(2 * len(categories)),
            output_field=IntegerField(),
        )
    else:
        category_points = _int(0)

    def same(field: str, value) -> Case:
        if not value:
            return _int(0)
        return Case(When(**{field: value}, then=_int(SIMILAR_WEIGHTS[field])), default=_int(0),
                    output_field=IntegerField())

    return ExpressionWrapper(
        category_points
        + same("primary_platform", source.primary_platform)
        + same("size_band", source.size_band)
        + same("country", source.country),
        output_field=IntegerField(),
    )


def _similar_condition(source: CreatorCard) -> Q:
    categories = list(dict.fromkeys(source.categories or []))
    if categories:
        return _any_category(categories)
    if source.primary_platform:
        return Q(primary_platform=source.primary_platform)
    return Q(pk__in=[])


def similar_creators(*, creator_id: int, viewer, limit: int = 20, offset: int = 0) -> CardPage:
    """Listed creators like `creator_id`, most similar first; NotFound for an unknown or unlisted creator.

    A brand viewer with a stated target also gets each card's match for that target.
    """
    source = _listed().filter(creator_id=creator_id).first()
    if source is None:
        raise NotFound("No listed creator with this id.")
    target = target_for_brand(viewer)
    queryset = (
        _listed()
        .filter(_similar_condition(source))
        .exclude(creator_id=source.creator_id)
        .annotate(similarity=similarity_expression(source))
    )
    if target is not None:
        queryset = queryset.annotate(match_percentage=match_score_expression(target))
    else:
        queryset = queryset.annotate(match_percentage=Value(None, output_field=IntegerField()))
    total = queryset.order_by()[:MAX_SIMILAR].count()
    end = min(offset + limit, MAX_SIMILAR)
    ordered = queryset.order_by("-similarity", "-followers", "-creator_id")
    cards = list(ordered[offset:end]) if offset < end else []
    return CardPage(cards=_with_match_fields(cards, target is not None), total=total)
