"""Payouts: the creator's share of one settled order, transferred to their connected account.

A payout is written with the release (escrow_settle), `blocked` until the creator can receive payouts, else
`pending` with the transfer task queued on commit. payout_transfer is idempotent: it locks the payout, calls
the gateway only from `pending`, with the payout's own idempotency key, and books the transfer in the same
transaction as `paid`. A crash after the gateway answered and before the commit leaves the payout pending; the
retry sends the same key, and the gateway answers with the transfer it already made.
"""

import logging
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from influmojo.errors import NotFound
from influmojo.permissions import Actor
from payments import notify
from payments.gateways import GatewayError, get_gateway, to_minor
from payments.models import ConnectedAccount, Payment, Payout

from . import ledger
from .common import SYSTEM, apply_transition, new_key, queue_on_commit

logger = logging.getLogger(__name__)


def payout_transition(*, payout: Payout, to: str, actor: Actor, **changes) -> Payout:
    """The only door of Payout.status (Payout.TRANSITIONS); the caller holds the payout row locked."""
    return apply_transition(payout, to=to, actor=actor, what=f"payout {payout.pk}", **changes)


def _queue_transfer(payout_id: int) -> None:
    from payments import tasks

    queue_on_commit(tasks.transfer_payout, payout_id)


def payout_create(*, order, payment: Payment, amount: Decimal) -> Payout:
    """The creator's share of `order` (inside escrow_settle's transaction)."""
    account = ConnectedAccount.objects.filter(user_id=order.creator_id).first()
    ready = account is not None and account.can_receive_payouts
    payout = Payout.objects.create(
        creator_id=order.creator_id, order=order, payment=payment, amount=amount, currency=payment.currency,
        status=Payout.Status.PENDING if ready else Payout.Status.BLOCKED, idempotency_key=new_key("payout"),
    )
    if ready:
        _queue_transfer(payout.pk)
    return payout


def payout_transfer(*, payout_id: int) -> Payout:
    """The transfer task's work (see the module's note). Transient gateway errors raise for the task to retry."""
    with transaction.atomic():
        payout = Payout.objects.select_for_update().get(pk=payout_id)
        if payout.status != Payout.Status.PENDING:
            return payout
        payment = Payment.objects.get(pk=payout.payment_id)
        account = ConnectedAccount.objects.filter(user_id=payout.creator_id).first()
        if account is None:
            payout_transition(payout=payout, to=Payout.Status.FAILED, actor=SYSTEM,
                              failure_message="The creator has no payout account.")
            return payout
        try:
            result = get_gateway(payment.gateway).create_transfer(
                amount_minor=to_minor(payout.amount, payout.currency), currency=payout.currency,
                destination=account.provider_account_id, source_transaction=payment.transaction_id,
                transfer_group=f"payment-{payment.pk}",
                metadata={"payout_id": payout.pk, "order_id": payout.order_id, "payment_id": payment.pk},
                idempotency_key=payout.idempotency_key,
            )
        except GatewayError as exc:
            if exc.transient:
                raise
            logger.warning("payout %s refused by the gateway: %s", payout.pk, exc.message)
            payout_transition(payout=payout, to=Payout.Status.FAILED, actor=SYSTEM, failure_message=exc.message[:500])
            return payout
        payout_transition(payout=payout, to=Payout.Status.PAID, actor=SYSTEM, provider_transfer_id=result.id,
                          paid_at=timezone.now(), failure_message="")
        ledger.post_transfer(payout=payout)
        notify.payout_sent(payout=payout)
        return payout


@transaction.atomic
def payouts_unblock(*, user_id: int) -> list[int]:
    """The creator can receive payouts now: their blocked payouts move to pending and are queued."""
    ids = []
    for payout in Payout.objects.select_for_update().filter(creator_id=user_id, status=Payout.Status.BLOCKED) \
            .order_by("pk"):
        payout_transition(payout=payout, to=Payout.Status.PENDING, actor=SYSTEM)
        _queue_transfer(payout.pk)
        ids.append(payout.pk)
    return ids


@transaction.atomic
def payout_retry(*, payout_id: int, actor: Actor) -> Payout:
    """A failed payout goes back to pending (an agent, or the system once the cause is fixed) with a new
    idempotency key: the gateway remembers the refusal under the old one, and nothing was transferred."""
    payout = Payout.objects.select_for_update().filter(pk=payout_id).first()
    if payout is None:
        raise NotFound("Payout not found.")
    payout_transition(payout=payout, to=Payout.Status.PENDING, actor=actor, idempotency_key=new_key("payout"),
                      failure_message="")
    _queue_transfer(payout.pk)
    return payout


def payout_reversed(*, payout: Payout) -> str:
    """The provider reversed a transfer (the payout row locked by the caller): the creator is owed it again."""
    if payout.status != Payout.Status.PAID:
        return f"ignored: payout {payout.pk} is {payout.status}"
    payout_transition(payout=payout, to=Payout.Status.REVERSED, actor=SYSTEM)
    ledger.post_transfer_reversal(payout=payout)
    return f"payout {payout.pk} reversed"
