"""Checkout: the brand's selected cart lines become one order per creator, and one payment covers them.

Inside one transaction: every line is read again and locked (the package must still be orderable, the
offer still accepted and not expired), prices are copied into OrderItems at that moment (a later price
edit does not change a placed order), the platform fee rate is frozen on each order, each order gets its
Deliverable thread and the brief's attachments, payments.payment_start creates the pending Payment and the
lines leave the cart. Then, outside the transaction (it calls the gateway), payment_prepare gives the
client secret / confirmation URL; a gateway failure there leaves the orders placed and payable again
(`orders_pay`), and is answered beside them.

Rules decided here:
- One currency per checkout: a cart in several currencies is refused (400 `mixed_currencies`, the
  currencies listed) — select the lines of one currency (item_ids).
- The deadline must be in the future and at least the longest delivery time (duration_days) of the
  selected lines away, at least one day (400 `deadline_too_soon` with the earliest date); refusing rather
  than warning keeps every order possible to deliver on time. At most DEADLINE_MAX_DAYS ahead.
- Attachments: at most ORDER_ATTACHMENTS_MAX files of at most ORDER_ATTACHMENT_MAX_BYTES each, accepted by
  their sniffed content (orders.services.files); stored once in the default storage, shared by the orders.
"""

import datetime
import secrets
from collections import OrderedDict
from dataclasses import dataclass, field

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from creators.selectors.packages import package_get_orderable
from influmojo.errors import ApplicationError, Conflict, InvalidTransition, NotFound
from influmojo.permissions import Actor
from payments.fees import fee_rate, platform_fee
from payments.models import Payment

from ..models import ZERO, CartItem, CustomOffer, Order, OrderAttachment, OrderEvent, OrderItem, UsageRights
from . import money
from .cart import require_brand
from .common import clean_text, lock_unpaid_with_payment
from .deliverables import deliverable_create
from .files import CheckedFile, check_uploads
from .offers import offer_transition

DEADLINE_MAX_DAYS = 365
NUMBER_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read over the phone
NUMBER_LENGTH = 8
REQUIREMENTS_MAX_LENGTH = Order._meta.get_field("requirements").max_length
USAGE_NOTES_MAX_LENGTH = Order._meta.get_field("usage_notes").max_length
PAYABLE = (Payment.Status.PENDING, Payment.Status.FAILED)


@dataclass
class PaymentOutcome:
    """Orders waiting for one payment, and what the client needs to pay it (or why it cannot yet)."""

    orders: list[Order]
    payment: Payment
    intent: object | None = None  # payments' PaymentIntentInfo: client_secret, publishable_key, confirm_url
    error: ApplicationError | None = field(default=None)


@dataclass
class _Line:
    creator: User
    values: dict  # OrderItem fields
    offer: CustomOffer | None = None


def new_order_number() -> str:
    while True:
        number = "IM-" + "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(NUMBER_LENGTH))
        if not Order.objects.filter(number=number).exists():
            return number


def _unavailable(item: CartItem, exc: ApplicationError) -> Conflict:
    return Conflict(f"A line of your cart can no longer be ordered: {exc.message} Remove it and try again.",
                    code="cart_item_unavailable", details={"item_id": item.pk, "reason": exc.code})


def _package_line(item: CartItem) -> _Line:
    try:
        package = package_get_orderable(package_id=item.package_id, lock=True)
    except (NotFound, Conflict) as exc:
        raise _unavailable(item, exc) from None
    return _Line(creator=package.creator, values={
        "package": package, "title": package.title, "description": package.description,
        "platform": package.platform, "content_type": package.content_type, "quantity": item.quantity,
        "pieces": package.quantity, "revisions": package.revisions, "duration_days": package.duration_days,
        "unit_price": package.price, "line_total": package.price * item.quantity, "currency": package.currency,
    })


def _offer_line(item: CartItem, now) -> _Line:
    offer = CustomOffer.objects.select_for_update(of=("self",)).select_related("creator").get(pk=item.offer_id)
    if offer.status != CustomOffer.Status.ACCEPTED or offer.expires_at <= now:
        raise _unavailable(item, InvalidTransition("The custom offer has expired or was withdrawn.",
                                                   code="offer_expired"))
    if offer.creator.status != User.Status.ACTIVE:
        raise _unavailable(item, InvalidTransition("The creator cannot take orders at the moment.",
                                                   code="creator_unavailable"))
    return _Line(creator=offer.creator, offer=offer, values={
        "offer": offer, "title": offer.title, "description": offer.description, "platform": offer.platform,
        "content_type": offer.content_type, "quantity": 1, "pieces": offer.quantity, "revisions": offer.revisions,
        "duration_days": offer.duration_days, "unit_price": offer.price, "line_total": offer.price,
        "currency": offer.currency,
    })


def _check_one_currency(currencies: set[str]) -> str:
    if len(currencies) > 1:
        listed = sorted(currencies)
        raise ApplicationError(
            f"Your selection mixes {' and '.join(listed)}; one payment is in one currency. "
            "Check out the lines of one currency at a time.",
            code="mixed_currencies", details={"currencies": listed},
        )
    return currencies.pop()


def _check_deadline(deadline: datetime.datetime, lines: list[_Line], now) -> None:
    if deadline is None or timezone.is_naive(deadline):
        raise ApplicationError("Give the deadline with a time zone.", code="invalid_deadline",
                               details={"deadline": ["A date and time with a time zone."]})
    days = max([line.values["duration_days"] or 1 for line in lines] + [1])
    earliest = now + datetime.timedelta(days=days)
    if deadline < earliest:
        message = (f"The deadline must leave at least {days} day{'s' if days != 1 else ''} for delivery "
                   f"(the longest delivery time of what you selected): {earliest:%Y-%m-%d %H:%M} UTC or later.")
        raise ApplicationError(message, code="deadline_too_soon",
                               details={"deadline": [message], "earliest": earliest.isoformat()})
    if deadline > now + datetime.timedelta(days=DEADLINE_MAX_DAYS):
        message = f"The deadline can be at most {DEADLINE_MAX_DAYS} days away."
        raise ApplicationError(message, code="invalid_deadline", details={"deadline": [message]})


def _store(files: list[CheckedFile]) -> list[tuple[str, CheckedFile]]:
    field = OrderAttachment._meta.get_field("file")
    return [(default_storage.save(field.generate_filename(None, upload.content.name), upload.content), upload)
            for upload in files]


def _place(*, actor: Actor, item_ids, requirements: str, deadline, usage_rights: str, usage_notes: str,
           stored: list[tuple[str, CheckedFile]]) -> tuple[list[Order], Payment]:
    brand = actor.user
    items = CartItem.objects.select_for_update().filter(brand=brand).order_by("created_at", "id")
    if item_ids is not None:
        wanted = set(item_ids)
        items = items.filter(pk__in=wanted)
    items = list(items)
    if item_ids is not None and len(items) != len(wanted):
        missing = sorted(wanted - {item.pk for item in items})
        raise NotFound("Some of the selected lines are not in your cart.", details={"item_ids": missing})
    if not items:
        raise ApplicationError("Your cart is empty.", code="cart_empty")
    now = timezone.now()
    lines = [_package_line(item) if item.package_id else _offer_line(item, now) for item in items]
    currency = _check_one_currency({line.values["currency"] for line in lines})
    _check_deadline(deadline, lines, now)

    by_creator: OrderedDict[int, list[_Line]] = OrderedDict()
    for line in lines:
        if line.creator.pk == brand.pk:
            raise Conflict("You cannot buy your own package.", code="own_package")
        by_creator.setdefault(line.creator.pk, []).append(line)
    rate = fee_rate()
    orders = []
    for creator_lines in by_creator.values():
        creator = creator_lines[0].creator
        subtotal = sum((line.values["line_total"] for line in creator_lines), ZERO)
        order = Order.objects.create(
            number=new_order_number(), brand=brand, creator=creator, currency=currency, subtotal=subtotal,
            fee_rate=rate, platform_fee=platform_fee(subtotal, rate), requirements=requirements, deadline=deadline,
            usage_rights=usage_rights, usage_notes=usage_notes,
            revisions_allowed=max(line.values["revisions"] for line in creator_lines),
            deliverable=deliverable_create(creator=creator, reviewer=brand),
        )
        OrderItem.objects.bulk_create(
            OrderItem(order=order, **{k: v for k, v in line.values.items() if k != "currency"})
            for line in creator_lines
        )
        for line in creator_lines:
            if line.offer is not None:
                offer_transition(offer=line.offer, to=CustomOffer.Status.ORDERED, actor=Actor.system())
        OrderAttachment.objects.bulk_create(
            OrderAttachment(order=order, file=name, name=upload.name, size=upload.size,
                            content_type=upload.content_type, uploaded_by=brand)
            for name, upload in stored
        )
        OrderEvent.objects.create(order=order, kind=OrderEvent.Kind.STATUS, new_status=order.status, actor=brand,
                                  actor_role=actor.role, note="Order placed.")
        orders.append(order)
    payment = money.payment_start(payer=brand, orders=orders, actor=actor)
    Order.objects.filter(pk__in=[order.pk for order in orders]).update(payment=payment)
    for order in orders:
        order.payment = payment
    CartItem.objects.filter(pk__in=[item.pk for item in items]).delete()
    return orders, payment


def _prepare(outcome: PaymentOutcome, actor: Actor) -> PaymentOutcome:
    try:
        outcome.intent = money.payment_prepare(payment_id=outcome.payment.pk, actor=actor)
    except ApplicationError as exc:  # the orders stay placed and payable; the client is told why
        outcome.error = exc
    return outcome


def checkout(*, actor: Actor, requirements: str, deadline: datetime.datetime,
             usage_rights: str = UsageRights.ORGANIC, usage_notes: str = "", item_ids=None,
             attachments=()) -> PaymentOutcome:
    """Places the selected cart lines (all when item_ids is None) as one order per creator and starts
    their payment; see the module's rules."""
    require_brand(actor)
    requirements = clean_text(requirements, field="requirements", max_length=REQUIREMENTS_MAX_LENGTH,
                              required=True, message="Describe what you need (the brief).")
    usage_notes = clean_text(usage_notes, field="usage_notes", max_length=USAGE_NOTES_MAX_LENGTH)
    if usage_rights not in UsageRights.values:
        raise ApplicationError("Choose the usage rights.", code="invalid_usage_rights",
                               details={"usage_rights": [f"One of: {', '.join(UsageRights.values)}."]})
    stored = _store(check_uploads(attachments, field="attachments"))
    try:
        with transaction.atomic():
            orders, payment = _place(actor=actor, item_ids=item_ids, requirements=requirements, deadline=deadline,
                                     usage_rights=usage_rights, usage_notes=usage_notes, stored=stored)
    except BaseException:
        for name, _ in stored:
            default_storage.delete(name)
        raise
    return _prepare(PaymentOutcome(orders=orders, payment=payment), actor)


def orders_pay(*, actor: Actor, order_ids) -> PaymentOutcome:
    """Pays again orders of the brand that wait for payment (their payment was abandoned or failed).

    The same set under a pending or failed payment reuses that payment (and its PaymentIntent); any other
    set abandons the payments it breaks up (their other orders become payable on their own) and starts one
    new payment. A payment being processed is left alone (409 `payment_processing`).
    """
    require_brand(actor)
    wanted = sorted(set(order_ids or []))
    if not wanted:
        raise ApplicationError("Choose the orders to pay.", code="no_orders", details={"order_ids": ["Required."]})
    with transaction.atomic():
        lock_unpaid_with_payment(order_ids=wanted)
        orders = list(Order.objects.select_for_update().filter(pk__in=wanted, brand=actor.user).order_by("pk"))
        if len(orders) != len(wanted):
            raise NotFound("Order not found.")
        for order in orders:
            if order.status != Order.Status.PENDING_PAYMENT:
                raise InvalidTransition(f"Order {order.number} is not waiting for payment.", code="order_not_payable",
                                        details={"order_id": order.pk, "status": order.status})
        _check_one_currency({order.currency for order in orders})
        payment = _reusable_payment(orders)
        if payment is None:
            _abandon_payments(orders, actor)
            payment = money.payment_start(payer=actor.user, orders=orders, actor=actor)
            Order.objects.filter(pk__in=wanted).update(payment=payment)
            for order in orders:
                order.payment = payment
    return _prepare(PaymentOutcome(orders=orders, payment=payment), actor)


def _reusable_payment(orders: list[Order]) -> Payment | None:
    payment_ids = {order.payment_id for order in orders}
    if len(payment_ids) != 1 or None in payment_ids:
        return None
    payment = Payment.objects.select_for_update().get(pk=payment_ids.pop())
    covered = set(Order.objects.filter(payment=payment).values_list("pk", flat=True))
    if payment.status in PAYABLE and covered == {order.pk for order in orders}:
        return payment
    return None


def _abandon_payments(orders: list[Order], actor: Actor) -> None:
    for payment_id in sorted({order.payment_id for order in orders if order.payment_id}):
        payment = Payment.objects.get(pk=payment_id)
        if payment.status == Payment.Status.PROCESSING:
            raise Conflict("A payment for these orders is being processed; try again in a few minutes.",
                           code="payment_processing")
        if payment.status in PAYABLE:
            money.payment_cancel(payment_id=payment.pk, actor=actor)
        Order.objects.filter(payment_id=payment.pk, status=Order.Status.PENDING_PAYMENT).update(payment=None)


def order_pay(*, order_id: int, actor: Actor) -> PaymentOutcome:
    """"Pay again" from an order's page: the orders still waiting under this order's payment are paid together
    (the same payment and PaymentIntent when it is still payable); an order with no payment is paid alone."""
    require_brand(actor)
    order = Order.objects.filter(pk=order_id, brand=actor.user).only("id", "payment_id").first()
    if order is None:
        raise NotFound("Order not found.")
    order_ids = [order.pk]
    if order.payment_id is not None:
        order_ids = list(Order.objects.filter(payment_id=order.payment_id, brand=actor.user,
                                              status=Order.Status.PENDING_PAYMENT).values_list("pk", flat=True))
        order_ids = order_ids or [order.pk]
    return orders_pay(actor=actor, order_ids=order_ids)
