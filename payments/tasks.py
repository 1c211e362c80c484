"""Background jobs of the payments app: the gateway calls that follow a committed decision.

Each takes an id, calls one service and is safe to run twice (the service locks its row and acts only from
the state that needs it, with the row's own idempotency key). Transient gateway errors retry with backoff;
after the last retry the row stays pending and the beat sweep (retry_stuck_money) queues it again later.
"""

import datetime
import logging
import random

from celery import shared_task
from django.utils import timezone

from payments.gateways import GatewayUnavailable
from payments.models import Payout, Refund
from payments.services import customers, payouts, refunds
from payments.services import payments as payment_services

logger = logging.getLogger(__name__)

MAX_RETRIES = 6
MAX_RETRY_COUNTDOWN = 60 * 60
STUCK_AFTER = datetime.timedelta(minutes=15)  # a pending row this old lost its task (broker restart, gave up)


def backoff(retries: int) -> int:
    """30 s, 1, 2, 4, 8 … minutes plus up to 15 s of jitter, at most an hour."""
    return min(MAX_RETRY_COUNTDOWN, 30 * 2**retries + random.randint(0, 15))


def _retry(task, exc: GatewayUnavailable, what: str):
    if task.request.retries >= task.max_retries:
        logger.warning("%s: giving up for now (%s); the sweep will queue it again", what, exc.message)
        return None
    raise task.retry(exc=exc, countdown=backoff(task.request.retries))


@shared_task(bind=True, name="payments.tasks.transfer_payout", max_retries=MAX_RETRIES)
def transfer_payout(self, payout_id: int) -> None:
    try:
        payouts.payout_transfer(payout_id=payout_id)
    except GatewayUnavailable as exc:
        _retry(self, exc, f"payout {payout_id}")


@shared_task(bind=True, name="payments.tasks.send_refund", max_retries=MAX_RETRIES)
def send_refund(self, refund_id: int) -> None:
    try:
        refunds.refund_send(refund_id=refund_id)
    except GatewayUnavailable as exc:
        _retry(self, exc, f"refund {refund_id}")


@shared_task(bind=True, name="payments.tasks.cancel_payment_intent", max_retries=MAX_RETRIES)
def cancel_payment_intent(self, payment_id: int) -> None:
    try:
        payment_services.payment_intent_cancel(payment_id=payment_id)
    except GatewayUnavailable as exc:
        _retry(self, exc, f"cancelling payment {payment_id}")


@shared_task(bind=True, name="payments.tasks.sync_payment_methods", max_retries=MAX_RETRIES)
def sync_payment_methods(self, user_id: int) -> None:
    try:
        customers.payment_methods_sync(user_id=user_id)
    except GatewayUnavailable as exc:
        _retry(self, exc, f"card sync of user {user_id}")


@shared_task(name="payments.tasks.retry_stuck_money")
def retry_stuck_money() -> dict:
    """Beat job: queue again every pending payout and unsent refund older than STUCK_AFTER (safe to run twice:
    each task locks its row and acts only if it is still pending)."""
    before = timezone.now() - STUCK_AFTER
    payout_ids = list(Payout.objects.filter(status=Payout.Status.PENDING, updated_at__lt=before)
                      .values_list("pk", flat=True))
    refund_ids = list(Refund.objects.filter(status=Refund.Status.PENDING, provider_refund_id__isnull=True,
                                            updated_at__lt=before).values_list("pk", flat=True))
    for payout_id in payout_ids:
        transfer_payout.delay(payout_id)
    for refund_id in refund_ids:
        send_refund.delay(refund_id)
    return {"payouts": len(payout_ids), "refunds": len(refund_ids)}
