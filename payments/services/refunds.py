"""Refunds: money from one order's escrow back to the brand's card.

A Refund row is written in the transaction that decides it (with the payment row locked, so two refunds can
never together exceed what is held); the gateway is called by a task once that commits, with the refund's
own idempotency key. The refund journal entry, Payment.amount_refunded and the payment's `refunded` status
follow when the gateway confirms: in its answer, or later in a refund event.
"""

import logging
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from influmojo.errors import ApplicationError, NotFound, PermissionDenied
from influmojo.permissions import Actor
from payments import notify
from payments.gateways import GatewayError, get_gateway, to_minor
from payments.gateways.money import cents
from payments.models import Escrow, Payment, Refund

from . import ledger
from .common import SYSTEM, apply_transition, new_key, queue_on_commit
from .payments import payment_transition

logger = logging.getLogger(__name__)

ZERO = Decimal("0.00")
SUCCEEDED, FAILED_STATUSES = "succeeded", ("failed", "canceled")


def refund_transition(*, refund: Refund, to: str, actor: Actor, **changes) -> Refund:
    """The only door of Refund.status (Refund.TRANSITIONS); the caller holds the refund row locked."""
    return apply_transition(refund, to=to, actor=actor, what=f"refund {refund.pk}", **changes)


def refund_create(*, payment: Payment, escrow: Escrow, amount: Decimal, reason: str, actor: Actor) -> Refund:
    """A pending refund of `amount` from `escrow`, sent once this commits. The payment row is locked (again, if
    the caller already holds it), so two refunds decided at once are capped one after the other."""
    from .escrow import held_remaining

    if amount <= 0:
        raise ApplicationError("A refund must be more than zero.", code="invalid_amount")
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    held = held_remaining(escrow)
    in_flight = cents(payment.refunds.exclude(status=Refund.Status.FAILED).aggregate(total=Sum("amount"))["total"])
    # Never more than this order's hold, and never more than the payment, whatever path asked.
    if amount > held or in_flight + amount > payment.amount:
        raise ApplicationError(f"A refund of {amount} {payment.currency} is more than the {held} {payment.currency} "
                               "held for this order.", code="refund_exceeds_held",
                               details={"amount": str(amount), "held": str(held)})
    refund = Refund.objects.create(payment=payment, order_id=escrow.order_id, amount=amount, currency=payment.currency,
                                   reason=reason[:200] or "Refund", idempotency_key=new_key("refund"),
                                   requested_by=actor.user)
    from payments import tasks

    queue_on_commit(tasks.send_refund, refund.pk)
    return refund


def refund_send(*, refund_id: int) -> Refund:
    """The task's work: ask the gateway for a pending refund, once. The refund row stays locked during the call,
    so a second copy of the task waits and then finds it sent. A transient gateway error rolls back and raises
    (the task retries with the same key); a refusal marks the refund failed with the gateway's reason."""
    with transaction.atomic():
        refund = Refund.objects.select_for_update().get(pk=refund_id)
        if refund.status != Refund.Status.PENDING or refund.provider_refund_id:
            return refund
        payment = Payment.objects.get(pk=refund.payment_id)
        try:
            result = get_gateway(payment.gateway).create_refund(
                intent_id=payment.provider_payment_id, amount_minor=to_minor(refund.amount, refund.currency),
                metadata={"refund_id": refund.pk, "payment_id": payment.pk, "order_id": refund.order_id},
                idempotency_key=refund.idempotency_key,
            )
        except GatewayError as exc:
            if exc.transient:
                raise
            logger.warning("refund %s refused by the gateway: %s", refund.pk, exc.message)
            refund_transition(refund=refund, to=Refund.Status.FAILED, actor=SYSTEM, failure_message=exc.message[:500])
            return refund
        refund.provider_refund_id = result.id
        refund.save(update_fields=["provider_refund_id", "updated_at"])
        refund_apply_status(refund=refund, status=result.status, failure_reason=result.failure_reason)
        return refund


def refund_apply_status(*, refund: Refund, status: str, failure_reason: str = "") -> str:
    """The gateway's word on a refund (its answer or an event), applied by state: only a pending refund moves.
    The caller holds the refund row locked."""
    if status == SUCCEEDED:
        if refund.status != Refund.Status.PENDING:
            return f"ignored: refund {refund.pk} is already {refund.status}"
        payment = Payment.objects.select_for_update().get(pk=refund.payment_id)
        refund_transition(refund=refund, to=Refund.Status.SUCCEEDED, actor=SYSTEM, succeeded_at=timezone.now())
        ledger.post_refund(refund=refund, brand_id=payment.payer_id)
        payment.amount_refunded += refund.amount
        payment.save(update_fields=["amount_refunded", "updated_at"])
        if payment.amount_refunded == payment.amount:
            payment_transition(payment=payment, to=Payment.Status.REFUNDED, actor=SYSTEM)
        notify.refund_issued(refund=refund, payer_id=payment.payer_id)
        return f"refund {refund.pk} succeeded"
    if status in FAILED_STATUSES:
        if refund.status != Refund.Status.PENDING:
            if refund.status == Refund.Status.SUCCEEDED:
                logger.error("refund %s: the provider reports %s after it succeeded", refund.pk, status)
            return f"ignored: refund {refund.pk} is already {refund.status}"
        message = f"The card issuer did not accept the refund ({failure_reason or status})."
        refund_transition(refund=refund, to=Refund.Status.FAILED, actor=SYSTEM, failure_message=message)
        return f"refund {refund.pk} failed: {failure_reason or status}"
    return f"refund {refund.pk} is {status} at the provider"


@transaction.atomic
def refund_retry(*, refund_id: int, actor: Actor) -> Refund:
    """An agent sends a failed refund again, as a new refund of the same amount (the failed one stays)."""
    if actor.role not in ("agent", "admin"):
        raise PermissionDenied("Only support agents can retry a refund.")
    failed = Refund.objects.filter(pk=refund_id).first()
    if failed is None:
        raise NotFound("Refund not found.")
    payment = Payment.objects.select_for_update().get(pk=failed.payment_id)
    failed = Refund.objects.select_for_update().get(pk=refund_id)
    if failed.status != Refund.Status.FAILED:
        raise ApplicationError(f"Refund {failed.pk} is {failed.status}; only a failed refund is retried.",
                               code="refund_not_failed", status=409)
    escrow = Escrow.objects.select_for_update().get(payment_id=failed.payment_id, order_id=failed.order_id)
    return refund_create(payment=payment, escrow=escrow, amount=failed.amount, actor=actor,
                         reason=f"Retry of refund {failed.pk}: {failed.reason}")
