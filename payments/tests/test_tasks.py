"""The payments tasks: bounded backoff, retries on transient gateway errors only, and the beat sweep."""

import pytest
from celery.exceptions import Retry
from django.utils import timezone

from influmojo.permissions import Actor
from payments import services, tasks
from payments.models import Payment, Refund
from payments.tests.conftest import STRIPE, recorded

pytestmark = pytest.mark.django_db
PI = "pi_3QxKp2LkdIwHu7ix0Zt8aB1c"


def test_backoff_grows_and_is_capped():
    waits = [tasks.backoff(retries) for retries in range(12)]

    assert 30 <= waits[0] <= 45 and waits[3] >= 240
    assert max(waits) == tasks.MAX_RETRY_COUNTDOWN


def test_the_cancel_task_retries_while_stripe_is_down_and_then_cancels(money, brand, creator, stripe_api):
    payment = money.start(brand, money.order(brand=brand, creator=creator))
    Payment.objects.filter(pk=payment.pk).update(provider_payment_id=PI, status="cancelled")
    stripe_api.post(f"{STRIPE}/v1/payment_intents/{PI}/cancel", status=503, json=recorded("error_api.json"))
    stripe_api.post(f"{STRIPE}/v1/payment_intents/{PI}/cancel", json=recorded("payment_intent_canceled.json"))

    with pytest.raises(Retry):
        tasks.cancel_payment_intent.apply(args=[payment.pk])
    tasks.cancel_payment_intent.apply(args=[payment.pk], retries=1)

    assert len(stripe_api.calls) == 2


def test_a_refusal_is_not_retried(money, brand, creator, stripe_api):
    payment = money.start(brand, money.order(brand=brand, creator=creator))
    Payment.objects.filter(pk=payment.pk).update(provider_payment_id=PI, status="cancelled")
    stripe_api.post(f"{STRIPE}/v1/payment_intents/{PI}/cancel", status=400,
                    json=recorded("error_intent_succeeded.json"))

    assert tasks.cancel_payment_intent.apply(args=[payment.pk]).state == "SUCCESS"
    assert len(stripe_api.calls) == 1


def test_the_sweep_sends_refunds_that_lost_their_task(money, brand, creator, commit, monkeypatch, books):
    order = money.paid_order(brand=brand, creator=creator)
    monkeypatch.setattr(tasks.send_refund, "delay", lambda *args: None)  # the broker lost it
    with commit():
        services.escrow_settle(order_id=order.pk, refund_amount="500.00", reason="declined", actor=Actor.system())
    monkeypatch.undo()
    refund = Refund.objects.get()
    assert refund.status == "pending"
    Refund.objects.filter(pk=refund.pk).update(updated_at=timezone.now() - tasks.STUCK_AFTER)

    assert tasks.retry_stuck_money.apply().get() == {"payouts": 0, "refunds": 1}

    assert Refund.objects.get().status == "succeeded" and Payment.objects.get().status == "refunded"
    books()
