"""The brand's cart as the pages and the API show it: lines grouped by currency with the fee preview."""

from collections import OrderedDict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from influmojo.errors import PermissionDenied
from influmojo.permissions import Actor
from payments.fees import fee_rate, platform_fee

from ..models import ZERO, CartItem, CustomOffer


@dataclass
class CartLine:
    item: CartItem
    creator: User
    title: str
    unit_price: Decimal
    quantity: int
    line_total: Decimal
    currency: str
    duration_days: int | None
    revisions: int
    available: bool  # the package is still on sale / the offer still valid
    problem: str = ""


@dataclass
class CurrencyTotal:
    """What one checkout in this currency would be: the brand pays `subtotal`; the platform's fee
    (computed per creator's order, as checkout does) comes out of the creators' share."""

    currency: str
    subtotal: Decimal = ZERO
    platform_fee: Decimal = ZERO
    creator_amount: Decimal = ZERO
    lines: int = 0
    creators: int = 0


@dataclass
class Cart:
    lines: list[CartLine]
    totals: list[CurrencyTotal]
    fee_rate: Decimal
    can_checkout: bool  # something orderable, all in one currency
    problems: list[str] = field(default_factory=list)


def _creator_available(creator: User) -> bool:
    return (creator.user_type == User.UserType.CREATOR and creator.status == User.Status.ACTIVE
            and creator.profile_public)


def _line(item: CartItem, now) -> CartLine:
    if item.package_id:
        package = item.package
        available = package.is_active and _creator_available(package.creator)
        return CartLine(item=item, creator=package.creator, title=package.title, unit_price=package.price,
                        quantity=item.quantity, line_total=package.price * item.quantity, currency=package.currency,
                        duration_days=package.duration_days, revisions=package.revisions, available=available,
                        problem="" if available else "This package is no longer offered.")
    offer = item.offer
    available = offer.status == CustomOffer.Status.ACCEPTED and offer.expires_at > now and \
        offer.creator.status == User.Status.ACTIVE
    return CartLine(item=item, creator=offer.creator, title=offer.title, unit_price=offer.price, quantity=1,
                    line_total=offer.price, currency=offer.currency, duration_days=offer.duration_days,
                    revisions=offer.revisions, available=available,
                    problem="" if available else "This custom offer has expired.")


def cart_get(*, actor: Actor) -> Cart:
    """The brand's cart (two queries whatever its size)."""
    if actor.role != "brand":
        raise PermissionDenied("Only brands have a cart.")
    items = (
        CartItem.objects.filter(brand=actor.user)
        .select_related("package__creator__creator_profile", "offer__creator__creator_profile")
        .order_by("created_at", "id")
    )
    now = timezone.now()
    lines = [_line(item, now) for item in items]
    rate = fee_rate()
    totals: OrderedDict[str, CurrencyTotal] = OrderedDict()
    per_creator: dict[tuple[str, int], Decimal] = {}
    for line in lines:
        if not line.available:
            continue
        total = totals.setdefault(line.currency, CurrencyTotal(currency=line.currency))
        total.subtotal += line.line_total
        total.lines += 1
        key = (line.currency, line.creator.pk)
        per_creator[key] = per_creator.get(key, ZERO) + line.line_total
    for (currency, _), subtotal in per_creator.items():
        totals[currency].platform_fee += platform_fee(subtotal, rate)
        totals[currency].creators += 1
    for total in totals.values():
        total.creator_amount = total.subtotal - total.platform_fee
    problems = [line.problem for line in lines if line.problem]
    if len(totals) > 1:
        problems.append("Your cart holds several currencies: check out one currency at a time.")
    return Cart(lines=lines, totals=list(totals.values()), fee_rate=rate, can_checkout=len(totals) == 1,
                problems=problems)
