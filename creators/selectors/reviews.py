"""Reads of reviews: what anyone may see of a public creator."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet

from ..models import Review
from .packages import creator_get_public


@dataclass(frozen=True)
class CreatorReviews:
    reviews: QuerySet[Review]  # published only, newest first
    average_rating: Decimal  # CreatorProfile.rating: kept equal to the published reviews' average


def review_list_public(*, creator_id: int) -> CreatorReviews:
    """A public creator's published reviews with their average; 404 if the creator is not public."""
    creator = creator_get_public(creator_id=creator_id)
    reviews = Review.objects.filter(creator=creator, is_published=True).order_by("-created_at", "-id")
    return CreatorReviews(reviews=reviews, average_rating=creator.creator_profile.rating)
