"""Refunds and transfers with Stripe faked at the HTTP boundary: the calls carry the row's idempotency key, a
retried task (also after a crash between Stripe's answer and our commit) makes one refund or one transfer,
and Stripe's later word (refund and transfer events) is applied by state."""

import json
from decimal import Decimal
from unittest import mock

import pytest
from celery.exceptions import Retry
from django.utils import timezone
from responses import matchers

from influmojo.errors import InvalidTransition
from influmojo.permissions import Actor
from payments import services, tasks
from payments.gateways.stripe import StripeGateway
from payments.models import Account, JournalEntry, LedgerLine, Payment, Payout, Refund
from payments.selectors import creator_earnings, ledger_check
from payments.tests.conftest import STRIPE, form, recorded, signed
from payments.tests.factories import ConnectedAccountFactory

pytestmark = pytest.mark.django_db
PI, CHARGE, ACCOUNT = "pi_3QxKp2LkdIwHu7ix0Zt8aB1c", "ch_3QxKp2LkdIwHu7ix0mN6oP7q", "acct_1QxJz3PqRs7TuVwX"


def stripe_event(name, **object_changes):
    payload = recorded(name)
    payload["data"]["object"].update(object_changes)
    body = json.dumps(payload).encode()
    return StripeGateway().parse_webhook(body, signed(body))


@pytest.fixture
def order(money, brand, creator, stripe_api):
    """A $500 order paid through Stripe (the recorded payment_intent.succeeded), its creator onboarded."""
    money.gateway = "stripe"
    ConnectedAccountFactory(user=creator, gateway="stripe", provider_account_id=ACCOUNT)
    order = money.order(brand=brand, creator=creator, subtotal="500.00")
    payment = money.start(brand, order)
    Payment.objects.filter(pk=payment.pk).update(provider_payment_id=PI)
    money.deliver(stripe_event("event_payment_intent_succeeded.json"))
    order.refresh_from_db()
    assert order.status == "paid" and Payment.objects.get().transaction_id == CHARGE
    return order


def test_the_creators_share_is_transferred_from_the_charge_with_the_payouts_key(order, money, stripe_api, books):
    stripe_api.post(f"{STRIPE}/v1/transfers", json=recorded("transfer.json"))

    money.settle(order)

    payout = Payout.objects.get()
    call = stripe_api.calls[-1]
    assert call.request.headers["Idempotency-Key"] == payout.idempotency_key
    assert form(call) == {"amount": "47500", "currency": "usd", "destination": ACCOUNT, "source_transaction": CHARGE,
                          "transfer_group": f"payment-{payout.payment_id}", "metadata[payout_id]": str(payout.pk),
                          "metadata[order_id]": str(order.pk), "metadata[payment_id]": str(payout.payment_id)}
    assert (payout.status, payout.provider_transfer_id) == ("paid", "tr_1QxKq8LkdIwHu7ixTr4nSf3R")
    books()


def test_a_retried_transfer_task_makes_no_second_call(order, money, stripe_api, books):
    stripe_api.post(f"{STRIPE}/v1/transfers", json=recorded("transfer.json"))
    money.settle(order)
    payout = Payout.objects.get()

    tasks.transfer_payout.delay(payout.pk)
    tasks.transfer_payout.delay(payout.pk)

    assert len([call for call in stripe_api.calls if call.request.url.endswith("/v1/transfers")]) == 1
    assert JournalEntry.objects.filter(kind="transfer").count() == 1
    books()


def test_a_crash_between_stripes_answer_and_our_commit_retries_with_the_same_key(order, money, stripe_api, books):
    ConnectedAccountFactory._meta.model.objects.filter(user=order.creator).update(payouts_enabled=False)
    money.settle(order)  # blocked: no call yet
    payout = Payout.objects.get()
    Payout.objects.filter(pk=payout.pk).update(status="pending")
    # Stripe answers the same transfer to the same key (its idempotency layer replays the first answer).
    stripe_api.post(f"{STRIPE}/v1/transfers", json=recorded("transfer.json"),
                    match=[matchers.header_matcher({"Idempotency-Key": payout.idempotency_key})])
    stripe_api.post(f"{STRIPE}/v1/transfers", json=recorded("transfer.json"),
                    match=[matchers.header_matcher({"Idempotency-Key": payout.idempotency_key})])
    real_post = services.ledger.post_transfer

    with mock.patch("payments.services.payouts.ledger.post_transfer", side_effect=RuntimeError("worker killed")):
        with pytest.raises(RuntimeError):
            services.payout_transfer(payout_id=payout.pk)
    payout.refresh_from_db()
    assert (payout.status, payout.provider_transfer_id) == ("pending", None)  # rolled back with the crash
    assert not JournalEntry.objects.filter(kind="transfer").exists()

    with mock.patch("payments.services.payouts.ledger.post_transfer", side_effect=real_post):
        services.payout_transfer(payout_id=payout.pk)

    payout.refresh_from_db()
    assert (payout.status, payout.provider_transfer_id) == ("paid", "tr_1QxKq8LkdIwHu7ixTr4nSf3R")
    transfers = [call for call in stripe_api.calls if call.request.url.endswith("/v1/transfers")]
    assert [call.request.headers["Idempotency-Key"] for call in transfers] == [payout.idempotency_key] * 2
    assert form(transfers[0]) == form(transfers[1])  # the same request, so Stripe replays, never pays twice
    assert JournalEntry.objects.filter(kind="transfer").count() == 1
    books()


def test_stripe_being_down_is_retried_by_the_task_with_the_same_key(order, money, stripe_api, books):
    stripe_api.post(f"{STRIPE}/v1/transfers", status=500, json=recorded("error_api.json"))
    stripe_api.post(f"{STRIPE}/v1/transfers", status=503, json=recorded("error_api.json"))
    stripe_api.post(f"{STRIPE}/v1/transfers", json=recorded("transfer.json"))
    money.settle(order)  # the first attempt runs on commit and asks to be retried
    payout = Payout.objects.get()
    assert payout.status == "pending"

    with pytest.raises(Retry):  # the worker's first retry: Stripe still down
        tasks.transfer_payout.apply(args=[payout.pk], retries=1)
    tasks.transfer_payout.apply(args=[payout.pk], retries=2)

    payout.refresh_from_db()
    keys = [call.request.headers["Idempotency-Key"] for call in stripe_api.calls if "/v1/transfers" in call.request.url]
    assert keys == [payout.idempotency_key] * 3 and payout.status == "paid"
    books()


def test_a_task_that_gives_up_leaves_the_payout_pending_for_the_sweep(order, money, stripe_api, books):
    stripe_api.post(f"{STRIPE}/v1/transfers", status=500, json=recorded("error_api.json"))
    stripe_api.post(f"{STRIPE}/v1/transfers", status=500, json=recorded("error_api.json"))
    money.settle(order)
    payout = Payout.objects.get()

    tasks.transfer_payout.apply(args=[payout.pk], retries=tasks.MAX_RETRIES)  # the last retry: no raise

    assert Payout.objects.get().status == "pending" and not JournalEntry.objects.filter(kind="transfer").exists()
    books()
    stripe_api.post(f"{STRIPE}/v1/transfers", json=recorded("transfer.json"))
    assert tasks.retry_stuck_money.apply().get() == {"payouts": 0, "refunds": 0}  # not stuck long enough yet
    Payout.objects.filter(pk=payout.pk).update(updated_at=timezone.now() - tasks.STUCK_AFTER)

    assert tasks.retry_stuck_money.apply().get() == {"payouts": 1, "refunds": 0}

    assert Payout.objects.get().status == "paid"
    books()


def test_a_refused_transfer_fails_with_stripes_reason_and_an_agent_retries_with_a_new_key(order, money, stripe_api,
                                                                                        agent, creator, books):
    stripe_api.post(f"{STRIPE}/v1/transfers", status=400, json=recorded("error_transfer_capability.json"))
    money.settle(order)
    payout = Payout.objects.get()
    assert payout.status == "failed" and "capabilities" in payout.failure_message
    first_key = payout.idempotency_key
    books()

    with pytest.raises(InvalidTransition):
        services.payout_retry(payout_id=payout.pk, actor=Actor.of(creator))
    stripe_api.post(f"{STRIPE}/v1/transfers", json=recorded("transfer.json"))
    with money.commit():
        services.payout_retry(payout_id=payout.pk, actor=Actor.of(agent))

    payout.refresh_from_db()
    assert payout.status == "paid" and payout.idempotency_key != first_key
    assert stripe_api.calls[-1].request.headers["Idempotency-Key"] == payout.idempotency_key
    books()


def test_a_reversed_transfer_is_owed_to_the_creator_again(order, money, stripe_api, creator, books):
    stripe_api.post(f"{STRIPE}/v1/transfers", json=recorded("transfer.json"))
    money.settle(order)
    reversal = stripe_event("event_account_updated.json")
    reversal = type(reversal)(id="evt_1QxReV", type="transfer.reversed", payload=reversal.payload,
                              object={**recorded("transfer.json"), "reversed": True, "amount_reversed": 47500})

    money.deliver(reversal)
    money.deliver(reversal)

    assert Payout.objects.get().status == "reversed"
    assert JournalEntry.objects.filter(kind="transfer_reversal").count() == 1
    (row,) = creator_earnings(actor=Actor.of(creator)).rows
    assert (row.total_earned, row.paid_out, row.available) == (Decimal("475.00"), Decimal("0.00"), Decimal("475.00"))
    books()


# --- Refunds ------------------------------------------------------------------------------------------------
def test_a_refund_is_sent_once_with_its_key_and_booked_when_stripe_confirms(order, money, stripe_api, books):
    stripe_api.post(f"{STRIPE}/v1/refunds", json=recorded("refund_succeeded.json"))

    money.settle(order, refund="500.00", reason="declined by the creator")

    refund = Refund.objects.get()
    call = stripe_api.calls[-1]
    assert call.request.headers["Idempotency-Key"] == refund.idempotency_key
    assert form(call) == {"payment_intent": PI, "amount": "50000", "reason": "requested_by_customer",
                          "metadata[refund_id]": str(refund.pk), "metadata[payment_id]": str(refund.payment_id),
                          "metadata[order_id]": str(order.pk)}
    assert (refund.status, refund.provider_refund_id) == ("succeeded", "re_3QxKp2LkdIwHu7ix1aB2cD3e")
    assert Payment.objects.get().status == "refunded"
    books()


def test_a_pending_refund_is_booked_by_its_event_once(order, money, stripe_api, books):
    stripe_api.post(f"{STRIPE}/v1/refunds", json=recorded("refund_pending.json"))
    money.settle(order, refund="200.00")
    refund = Refund.objects.get()
    assert (refund.status, refund.provider_refund_id) == ("pending", "re_3QxKp2LkdIwHu7ix9pEnD1nG")
    assert not JournalEntry.objects.filter(kind="refund").exists()
    books()  # a refund under way is accounted for

    for _ in range(3):
        money.deliver(stripe_event("event_refund_updated.json", amount=20000))

    refund.refresh_from_db()
    assert refund.status == "succeeded"
    assert sorted(LedgerLine.objects.filter(entry__kind="refund").values_list("account", "amount")) == [
        (Account.CASH, Decimal("-200.00")), (Account.ESCROW, Decimal("200.00"))]
    assert Payment.objects.get().amount_refunded == Decimal("200.00")
    books()


def test_a_refund_event_for_a_refund_we_do_not_know_is_ignored(order, money):
    record, _ = money.deliver(stripe_event("event_refund_updated.json", metadata={}))

    assert record.outcome == "ignored: unknown refund re_3QxKp2LkdIwHu7ix9pEnD1nG"
    assert not JournalEntry.objects.filter(kind="refund").exists()


def test_a_refund_whose_answer_was_lost_is_found_by_our_id(order, money, stripe_api, books):
    stripe_api.post(f"{STRIPE}/v1/refunds", status=500, json=recorded("error_api.json"))
    money.settle(order, refund="500.00")
    refund = Refund.objects.get()
    assert (refund.status, refund.provider_refund_id) == ("pending", None)

    money.deliver(stripe_event("event_refund_updated.json", amount=50000, metadata={"refund_id": str(refund.pk)}))

    refund.refresh_from_db()
    assert (refund.status, refund.provider_refund_id) == ("succeeded", "re_3QxKp2LkdIwHu7ix9pEnD1nG")
    tasks.send_refund.apply(args=[refund.pk], retries=1)  # the task's retry finds it done: no second refund
    assert len([call for call in stripe_api.calls if "/v1/refunds" in call.request.url]) == 1
    books()


def test_a_failed_refund_keeps_the_money_held_until_an_agent_retries(order, money, stripe_api, agent, books):
    stripe_api.post(f"{STRIPE}/v1/refunds", json=recorded("refund_pending.json"))
    money.settle(order, refund="500.00")
    money.deliver(stripe_event("event_refund_updated.json", amount=50000, status="failed",
                               failure_reason="expired_or_canceled_card"))
    refund = Refund.objects.get()
    assert refund.status == "failed" and "expired_or_canceled_card" in refund.failure_message
    report = ledger_check()
    assert not report.ok and "500.00 in failed refunds, to retry" in str(report)

    stripe_api.post(f"{STRIPE}/v1/refunds", json=recorded("refund_succeeded.json", id="re_3QxKp2LkdIwHu7ixRetry01"))
    with money.commit():
        retry = services.refund_retry(refund_id=refund.pk, actor=Actor.of(agent))

    retry.refresh_from_db()
    assert retry.status == "succeeded" and retry.idempotency_key != refund.idempotency_key
    assert Payment.objects.get().status == "refunded"
    books()
