"""Reads of custom offers: a brand sees the offers made to it, a creator the offers it made, agents all."""

from django.db.models import QuerySet

from influmojo.errors import NotFound
from influmojo.permissions import Actor

from ..models import CustomOffer


def offer_scope(*, actor: Actor) -> QuerySet[CustomOffer]:
    if actor.role in ("agent", "admin"):
        return CustomOffer.objects.all()
    if actor.role == "brand":
        return CustomOffer.objects.filter(brand=actor.user)
    if actor.role == "creator":
        return CustomOffer.objects.filter(creator=actor.user)
    return CustomOffer.objects.none()


def offer_list(*, actor: Actor, status: str | None = None) -> QuerySet[CustomOffer]:
    """Newest first, with both parties."""
    offers = offer_scope(actor=actor).select_related("creator__creator_profile", "brand__brand_profile")
    if status:
        offers = offers.filter(status=status)
    return offers.order_by("-created_at", "-id")


def offer_get(*, offer_id: int, actor: Actor) -> CustomOffer:
    offer = (offer_scope(actor=actor).select_related("creator__creator_profile", "brand__brand_profile")
             .filter(pk=offer_id).first())
    if offer is None:
        raise NotFound("Offer not found.")
    return offer
