"""Escrow: the money of one payment held for one order, from the moment it arrives until the order settles.

escrow_settle is what orders calls when a paid order finishes (completed, declined, cancelled, refunded, or a
dispute resolved): the refund part goes back to the brand's card, the rest is released (platform fee at the
order's fee rate, the creator's share into a Payout).
"""

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from influmojo.errors import ApplicationError, InvalidTransition
from influmojo.permissions import Actor
from orders.models import Order
from payments.fees import platform_fee
from payments.gateways.money import cents
from payments.models import Escrow, Payment, Refund

from . import ledger
from .common import SYSTEM, apply_transition

ZERO = Decimal("0.00")


def escrow_transition(*, escrow: Escrow, to: str, actor: Actor, **changes) -> Escrow:
    """The only door of Escrow.status (Escrow.TRANSITIONS); the caller holds the payment and escrow rows locked."""
    return apply_transition(escrow, to=to, actor=actor, what=f"the escrow of order {escrow.order_id}", **changes)


def held_remaining(escrow: Escrow) -> Decimal:
    """What is still held for the order and not yet promised elsewhere: charged, less refunds that are under way
    or done, less what was released. (A failed refund gives its amount back to the hold.)"""
    if escrow.status == Escrow.Status.AWAITING_PAYMENT:
        return ZERO
    refunded = cents(Refund.objects.filter(payment_id=escrow.payment_id, order_id=escrow.order_id)
                     .exclude(status=Refund.Status.FAILED).aggregate(total=Sum("amount"))["total"])
    return escrow.amount - refunded - (escrow.released_amount or ZERO)


def escrow_receive(*, escrow: Escrow, payment: Payment) -> str:
    """The payment's money for this order arrived (payment_succeeded, in its transaction): book the charge, then
    ask orders to mark the order paid; if it no longer waits for payment, give this share back at once."""
    from orders import services as order_services

    from .refunds import refund_create

    ledger.post_charge(escrow=escrow, brand_id=payment.payer_id)
    if order_services.order_mark_paid(order_id=escrow.order_id, payment_id=payment.pk):
        escrow_transition(escrow=escrow, to=Escrow.Status.HELD, actor=SYSTEM)
        return Escrow.Status.HELD
    escrow_transition(escrow=escrow, to=Escrow.Status.RETURNED, actor=SYSTEM)
    number = Order.objects.filter(pk=escrow.order_id).values_list("number", flat=True).first()
    refund_create(payment=payment, escrow=escrow, amount=escrow.amount, actor=SYSTEM,
                  reason=f"Order {number} was no longer waiting for this payment.")
    return Escrow.Status.RETURNED


def _decimal(value, *, field: str) -> Decimal:
    if isinstance(value, float):  # a float has already lost the exact cents
        raise TypeError(f"{field} must be a Decimal, not a float")
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise ApplicationError(f"{field} is not an amount: {value!r}.", code="invalid_amount") from None
    if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
        raise ApplicationError(f"{field} must be an amount in cents, not {value}.", code="invalid_amount")
    return amount


@transaction.atomic
def escrow_settle(*, order_id: int, refund_amount, reason: str, actor: Actor) -> Escrow | None:
    """Inside the caller's transaction: refund `refund_amount` (0 ≤ refund ≤ held) of what is held for the
    order and release the rest. An order never paid: nothing to do (None). A second settle: InvalidTransition."""
    refund_amount = _decimal(refund_amount, field="refund_amount")
    found = (Escrow.objects.filter(order_id=order_id, status__in=[Escrow.Status.HELD, Escrow.Status.SETTLED])
             .values_list("pk", "payment_id").first())
    if found is None:
        return None
    escrow_id, payment_id = found
    payment = Payment.objects.select_for_update().get(pk=payment_id)  # serialises every refund of this payment
    escrow = Escrow.objects.select_for_update().get(pk=escrow_id)
    order = Order.objects.get(pk=order_id)
    if escrow.status != Escrow.Status.HELD:
        raise InvalidTransition(f"The money for order {order.number} has already been settled.",
                                code="already_settled")
    held = held_remaining(escrow)
    if refund_amount < 0 or refund_amount > held:
        raise ApplicationError(
            f"A refund of {refund_amount} {escrow.currency} is not possible for order {order.number}: "
            f"{held} {escrow.currency} is held for it.", code="refund_exceeds_held",
            details={"refund_amount": str(refund_amount), "held": str(held)})
    released = held - refund_amount
    # The fee both sides were shown when nothing is refunded; otherwise the fee on the part released.
    fee = order.platform_fee if released == order.subtotal else platform_fee(released, order.fee_rate)
    creator_amount = released - fee
    escrow_transition(
        escrow=escrow, to=Escrow.Status.SETTLED, actor=actor, refund_amount=refund_amount, released_amount=released,
        fee=fee, creator_amount=creator_amount, settle_reason=reason[:500], settled_by=actor.user,
        settled_by_role=actor.role, settled_at=timezone.now(),
    )
    if refund_amount:
        from .refunds import refund_create

        refund_create(payment=payment, escrow=escrow, amount=refund_amount, reason=reason, actor=actor)
    if released:
        ledger.post_release(escrow=escrow, released=released, fee=fee, creator_amount=creator_amount,
                            creator_id=order.creator_id)
    if creator_amount:
        from .payouts import payout_create

        payout_create(order=order, payment=payment, amount=creator_amount)
    return escrow
