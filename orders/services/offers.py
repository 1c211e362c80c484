"""Custom offers: a creator makes a package for one brand (from an order page or a chat); the brand accepts
it into its cart (and checks it out like any package), or declines; the creator may withdraw it until it
is ordered; it expires at expires_at (the order timers run offer_expire_due).
"""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from creators.services.packages import PRICE_RANGE, content_type_error
from influmojo.errors import ApplicationError, InvalidTransition, NotFound, PermissionDenied
from influmojo.permissions import Actor

from .. import notify
from ..models import CartItem, CustomOffer, Order

EXPIRY_DAYS_RANGE = (1, 30)
DEFAULT_EXPIRY_DAYS = 7
QUANTITY_RANGE = (1, 100)
REVISIONS_RANGE = (0, 20)
DURATION_DAYS_RANGE = (1, 365)
FIELDS = ("title", "description", "platform", "content_type", "quantity", "revisions", "duration_days", "price",
          "currency")


def offer_transition(*, offer: CustomOffer, to: str, actor: Actor) -> CustomOffer:
    """The one door over CustomOffer.TRANSITIONS (the caller holds the row lock)."""
    allowed = CustomOffer.TRANSITIONS.get((offer.status, to))
    if allowed is None or actor.role not in allowed:
        raise InvalidTransition(f"cannot move offer from {offer.status} to {to} as {actor.role}",
                                details={"status": offer.status, "to": to})
    offer.status = to
    offer.save(update_fields=["status", "updated_at"])
    return offer


def _locked_offer(*, offer_id: int, actor: Actor) -> CustomOffer:
    offer = CustomOffer.objects.select_for_update().filter(pk=offer_id).first()
    user_id = getattr(actor.user, "pk", None)
    visible = offer is not None and (
        actor.role == "system"
        or (actor.role == "brand" and offer.brand_id == user_id)
        or (actor.role == "creator" and offer.creator_id == user_id)
    )
    if not visible:
        raise NotFound("Offer not found.")
    return offer


def _invalid(field: str, message: str) -> ApplicationError:
    return ApplicationError(message, code="invalid_offer", details={field: [message]})


def _check_range(data: dict, field: str, bounds, message: str) -> None:
    value = data.get(field)
    if value is not None and not bounds[0] <= value <= bounds[1]:
        raise _invalid(field, message)


@transaction.atomic
def offer_create(*, actor: Actor, brand_id: int, data: dict, in_reply_to_order_id: int | None = None,
                 expires_in_days: int = DEFAULT_EXPIRY_DAYS) -> CustomOffer:
    """A creator's offer to one brand; `data` comes validated from the API serializer (checked again here)."""
    if actor.role != "creator" or actor.user is None:
        raise PermissionDenied("Only creators make offers.")
    brand = User.objects.filter(pk=brand_id, user_type=User.UserType.BRAND, status=User.Status.ACTIVE).first()
    if brand is None:
        raise NotFound("Brand not found.")
    in_reply_to = None
    if in_reply_to_order_id is not None:
        in_reply_to = Order.objects.filter(pk=in_reply_to_order_id, creator=actor.user, brand=brand,
                                           paid_at__isnull=False).first()
        if in_reply_to is None:
            raise NotFound("Order not found.")
    values = {name: data[name] for name in FIELDS if name in data}
    title = " ".join(str(values.get("title", "")).split())
    if not title:
        raise _invalid("title", "Give the offer a title.")
    values["title"] = title
    message = content_type_error(values.get("platform"), values.get("content_type"))
    if message:
        raise _invalid("content_type", message)
    price = Decimal(str(values.get("price", "0")))
    if not PRICE_RANGE[0] <= price <= PRICE_RANGE[1]:
        raise _invalid("price", f"A price from {PRICE_RANGE[0]} to {PRICE_RANGE[1]}.")
    _check_range(values, "quantity", QUANTITY_RANGE, "From 1 to 100 pieces.")
    _check_range(values, "revisions", REVISIONS_RANGE, "From 0 to 20 revisions.")
    _check_range(values, "duration_days", DURATION_DAYS_RANGE, "From 1 to 365 days.")
    if not EXPIRY_DAYS_RANGE[0] <= expires_in_days <= EXPIRY_DAYS_RANGE[1]:
        raise _invalid("expires_in_days", f"From {EXPIRY_DAYS_RANGE[0]} to {EXPIRY_DAYS_RANGE[1]} days.")
    offer = CustomOffer.objects.create(
        creator=actor.user, brand=brand, in_reply_to=in_reply_to,
        expires_at=timezone.now() + datetime.timedelta(days=expires_in_days), **values,
    )
    notify.offer_received(offer=offer)
    return offer


@transaction.atomic
def offer_accept(*, offer_id: int, actor: Actor) -> CartItem:
    """The brand takes the offer: it goes into the cart as one line, to be checked out like a package."""
    offer = _locked_offer(offer_id=offer_id, actor=actor)
    if offer.status == CustomOffer.Status.PENDING and offer.expires_at <= timezone.now():
        raise InvalidTransition("This offer has expired; ask the creator for a new one.", code="offer_expired")
    creator_active = User.objects.filter(pk=offer.creator_id, status=User.Status.ACTIVE).exists()
    if not creator_active:
        raise InvalidTransition("The creator cannot take orders at the moment.", code="creator_unavailable")
    offer_transition(offer=offer, to=CustomOffer.Status.ACCEPTED, actor=actor)
    item = CartItem.objects.create(brand=offer.brand, offer=offer, quantity=1)
    notify.offer_answered(offer=offer)
    return item


@transaction.atomic
def offer_decline(*, offer_id: int, actor: Actor) -> CustomOffer:
    offer = _locked_offer(offer_id=offer_id, actor=actor)
    offer_transition(offer=offer, to=CustomOffer.Status.DECLINED, actor=actor)
    notify.offer_answered(offer=offer)
    return offer


@transaction.atomic
def offer_withdraw(*, offer_id: int, actor: Actor) -> CustomOffer:
    """The creator takes the offer back (also out of the brand's cart) until it is ordered."""
    offer = _locked_offer(offer_id=offer_id, actor=actor)
    offer_transition(offer=offer, to=CustomOffer.Status.WITHDRAWN, actor=actor)
    CartItem.objects.filter(offer=offer).delete()
    return offer


@transaction.atomic
def offer_expire(*, offer_id: int, now=None) -> bool:
    """Timer: an offer past expires_at that is pending or in a cart expires (leaving the cart); True if it did."""
    now = now or timezone.now()
    offer = CustomOffer.objects.select_for_update().filter(pk=offer_id).first()
    if offer is None or offer.expires_at > now or offer.status not in (CustomOffer.Status.PENDING,
                                                                       CustomOffer.Status.ACCEPTED):
        return False
    offer_transition(offer=offer, to=CustomOffer.Status.EXPIRED, actor=Actor.system())
    CartItem.objects.filter(offer=offer).delete()
    return True
