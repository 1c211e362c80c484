"""Every write to reviews, and the creator numbers derived from them.

A brand reviews a creator. Left after an order (`order_id`), the review is verified and there is at
most one per order (unique in the database). Without an order it is unverified (off-platform work),
and a brand leaves at most one unverified review per creator. Reviews are published when written;
agents and admins hide and unhide them.

Derived, never typed in, recomputed in the same transaction as every change:
- `CreatorProfile.rating`: the average of the creator's published reviews, 2 decimals (0 when none).
- `CreatorProfile.total_collaborations`: the number of verified reviews, i.e. of completed orders a
  brand reviewed. Hidden ones count too: hiding moderates the words, the collaboration still happened.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.urls import reverse
from django.db.models import Avg, Count, Q

from accounts.models import CreatorProfile, User
from accounts.services import creator_stats_set
from brands.services.cards import card_refresh_later
from chat.services.notifications import notify
from influmojo.errors import ApplicationError, Conflict, InvalidTransition, NotFound, PermissionDenied
from influmojo.permissions import Actor

from ..models import Review
from ..selectors.packages import creator_get_public

MODERATOR_ROLES = {User.UserType.AGENT, User.UserType.ADMIN}
HIDDEN_REASON_MAX_LENGTH = Review._meta.get_field("hidden_reason").max_length
RATINGS = range(1, 6)
REVIEW_FIELDS = ("rating", "text", "project_type", "client_name", "client_email")


def _locked_profile(*, creator_id: int) -> CreatorProfile:
    """The creator's profile, locked: every review change of one creator queues here."""
    profile = CreatorProfile.objects.select_for_update().filter(user_id=creator_id).first()
    if profile is None:
        raise NotFound("Creator not found.")
    return profile


def _refresh_creator_numbers(profile: CreatorProfile) -> None:
    numbers = Review.objects.filter(creator_id=profile.user_id).aggregate(
        average=Avg("rating", filter=Q(is_published=True)),
        verified=Count("id", filter=Q(is_verified=True)),
    )
    average = numbers["average"]
    rating = Decimal("0.00") if average is None else Decimal(str(average)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    creator_stats_set(profile=profile, rating=rating, total_collaborations=numbers["verified"])
    card_refresh_later(profile.user_id)


def _client_defaults(author: User) -> dict:
    brand_profile = getattr(author, "brand_profile", None)
    company = brand_profile.company_name if brand_profile else ""
    return {"client_name": company or author.display_name, "client_email": author.email}


@transaction.atomic
def review_create(*, creator_id: int, author: User, data: dict, order_id: int | None = None) -> Review:
    """A brand's review of a creator; `data` comes validated from ReviewCreateSerializer.

    With `order_id` (the orders code, once an order is completed) the review is verified, and the
    creator only has to exist. Without it, the creator must be public (as on their public pages).
    client_name / client_email default to the brand's company name and e-mail.
    """
    if author.user_type != User.UserType.BRAND:
        raise PermissionDenied("Only brands review creators.")
    if data.get("rating") not in RATINGS:  # the database would refuse it too, as an IntegrityError
        raise ApplicationError("Rate from 1 to 5 stars.", code="invalid_rating", details={"rating": ["1 to 5."]})
    if order_id is None:
        creator_get_public(creator_id=creator_id)
    elif not User.objects.filter(pk=creator_id, user_type=User.UserType.CREATOR).exists():
        raise NotFound("Creator not found.")
    profile = _locked_profile(creator_id=creator_id)

    if order_id is not None and Review.objects.filter(order_id=order_id).exists():
        raise Conflict("This order has already been reviewed.", code="order_already_reviewed")
    if order_id is None and Review.objects.filter(creator_id=creator_id, author=author, order_id__isnull=True).exists():
        raise Conflict(
            "You have already reviewed this creator. Reviews after an order are added as verified reviews.",
            code="review_exists",
        )

    values = {**_client_defaults(author), **{name: data[name] for name in REVIEW_FIELDS if data.get(name)}}
    review = Review.objects.create(
        creator_id=creator_id, author=author, order_id=order_id, is_verified=order_id is not None, **values
    )
    _refresh_creator_numbers(profile)
    _tell_creator(review, profile)
    return review


def _tell_creator(review: Review, profile: CreatorProfile) -> None:
    """The creator hears of a new review (in the app, by e-mail and push, per their 'reviews' preferences) once the
    transaction commits."""
    stars = f"{review.rating}-star"
    notify(
        user_id=review.creator_id, type="reviews", event="review.received",
        title=f"{review.client_name} left you a {stars} review" + (" (verified order)" if review.is_verified else ""),
        body=review.text, url=f"{reverse('creator_portfolio', kwargs={'slug': profile.slug})}#reviews-title",
        data={"review_id": review.pk, "rating": review.rating, "order_id": review.order_id},
        dedupe_key=f"review:{review.pk}",
    )


def _require_moderator(actor: Actor) -> None:
    if actor.role not in MODERATOR_ROLES:
        raise PermissionDenied("Only agents and admins moderate reviews.")


def _locked_review(*, review_id: int) -> tuple[Review, CreatorProfile]:
    """The review and its creator's profile, both locked, profile first (the order review_create uses)."""
    creator_id = Review.objects.filter(pk=review_id).values_list("creator_id", flat=True).first()
    if creator_id is None:
        raise NotFound("Review not found.")
    profile = _locked_profile(creator_id=creator_id)
    return Review.objects.select_for_update().get(pk=review_id), profile


@transaction.atomic
def review_hide(*, review_id: int, actor: Actor, reason: str) -> Review:
    """Unpublishes a review (it no longer counts in the rating); the reason is kept for the console."""
    _require_moderator(actor)
    reason = " ".join((reason or "").split())
    if not reason:
        raise ApplicationError("Say why the review is hidden.", code="reason_required")
    if len(reason) > HIDDEN_REASON_MAX_LENGTH:
        raise ApplicationError(f"Keep the reason under {HIDDEN_REASON_MAX_LENGTH} characters.", code="reason_too_long")
    review, profile = _locked_review(review_id=review_id)
    if not review.is_published:
        raise InvalidTransition("The review is already hidden.")
    review.is_published = False
    review.hidden_by = actor.user
    review.hidden_reason = reason
    review.save(update_fields=["is_published", "hidden_by", "hidden_reason", "updated_at"])
    _refresh_creator_numbers(profile)
    return review


@transaction.atomic
def review_unhide(*, review_id: int, actor: Actor) -> Review:
    """Publishes a hidden review again."""
    _require_moderator(actor)
    review, profile = _locked_review(review_id=review_id)
    if review.is_published:
        raise InvalidTransition("The review is already published.")
    review.is_published = True
    review.hidden_by = None
    review.hidden_reason = ""
    review.save(update_fields=["is_published", "hidden_by", "hidden_reason", "updated_at"])
    _refresh_creator_numbers(profile)
    return review
