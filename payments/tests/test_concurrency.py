"""Races on PostgreSQL (skipped on SQLite): several threads, each with its own connection and transaction,
deliver the same events, settle the same order, refund the same payment or run the same transfer at once.
Run with ./scripts/test.sh payments."""

import threading
from decimal import Decimal

import pytest
from django.db import connections, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from influmojo.errors import ApplicationError, InvalidTransition
from influmojo.permissions import Actor
from orders.models import OrderEvent
from orders.services import orders as order_services
from payments import services, tasks
from payments.gateways import RefundResult
from payments.gateways.sandbox import DECLINE_CARD, TEST_CARDS, SandboxGateway
from payments.models import Escrow, JournalEntry, Payment, Payout, Refund, WebhookEvent
from payments.selectors import ledger_check
from payments.services.events import webhook_event_process
from payments.services.refunds import refund_create
from payments.tests.factories import ConnectedAccountFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
SANDBOX = SandboxGateway()


def at_once(count: int, work) -> list:
    """Run work(i) in `count` threads released together; each answer is ("ok", value) or ("error", exception)."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(index):
        try:
            barrier.wait(timeout=10)
            results[index] = ("ok", work(index))
        except Exception as exc:  # noqa: BLE001 (the test asserts on what each thread met)
            results[index] = ("error", exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(result is not None for result in results), "a thread did not finish"
    return results


def books():
    report = ledger_check()
    assert report.ok, report.problems


def paid_order(money, brand, creator, subtotal="500.00"):
    order = money.order(brand=brand, creator=creator, subtotal=subtotal)
    payment = money.start(brand, order)
    money.prepare(payment)
    webhook_event_process(gateway="sandbox", event=money.succeed_event(payment))
    order.refresh_from_db()
    assert order.status == "paid"
    return order


@pytest.fixture
def transfers(monkeypatch):
    """Every transfer the sandbox is asked for, from any thread."""
    calls, lock = [], threading.Lock()
    real = SandboxGateway.create_transfer

    def counted(self, **kwargs):
        with lock:
            calls.append(kwargs["idempotency_key"])
        return real(self, **kwargs)

    monkeypatch.setattr(SandboxGateway, "create_transfer", counted)
    return calls


def test_one_event_from_six_threads_has_one_effect(money, brand, creator):
    order = money.order(brand=brand, creator=creator)
    payment = money.start(brand, order)
    money.prepare(payment)
    event = money.succeed_event(payment)

    results = at_once(6, lambda _: webhook_event_process(gateway="sandbox", event=event)[1])

    assert sorted(value for _, value in results) == [False] * 5 + [True], results
    assert Payment.objects.get().status == "completed"
    assert JournalEntry.objects.filter(kind="charge").count() == 1 and WebhookEvent.objects.count() == 1
    assert OrderEvent.objects.filter(order=order, new_status="paid").count() == 1
    books()


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_events_1_to_5_times_each_from_threads_at_once_have_one_effect(data, money, brand, creator):
    orders = [money.order(brand=brand, creator=creator, subtotal="300.00"),
              money.order(brand=brand, creator=creator, subtotal="0.50")]
    payment = money.start(brand, *orders)
    money.prepare(payment)
    payment.refresh_from_db()
    intent = payment.provider_payment_id
    kinds = [
        money.succeed_event(payment),
        SANDBOX.event(event_id=f"evt_{intent}_failed_1", type="payment_intent.payment_failed",
                      obj=SANDBOX.payment_intent_object(payment=payment, card=TEST_CARDS[DECLINE_CARD],
                                                        status="requires_payment_method")),
        SANDBOX.event(event_id=f"evt_{intent}_processing", type="payment_intent.processing",
                      obj=SANDBOX.payment_intent_object(payment=payment, status="processing")),
    ]
    deliveries = data.draw(st.permutations([item for item in kinds for _ in range(data.draw(st.integers(1, 5)))]))

    results = at_once(len(deliveries), lambda index: webhook_event_process(gateway="sandbox",
                                                                           event=deliveries[index])[1])

    assert all(kind == "ok" for kind, _ in results), results
    assert sum(first for _, first in results) == 3  # each event applied once, whichever thread got there
    payment.refresh_from_db()
    assert payment.status == "completed"
    assert JournalEntry.objects.filter(payment=payment, kind="charge").count() == 2
    for order in orders:
        assert OrderEvent.objects.filter(order=order, new_status="paid").count() == 1
    books()


def test_two_settles_of_one_order_at_once_release_and_transfer_once(money, brand, creator, transfers):
    ConnectedAccountFactory(user=creator)
    order = paid_order(money, brand, creator)

    def settle(_):
        with transaction.atomic():
            return services.escrow_settle(order_id=order.pk, refund_amount=Decimal("0.00"), reason="approved",
                                          actor=Actor.system())

    results = at_once(2, settle)

    assert sorted(kind for kind, _ in results) == ["error", "ok"]
    assert isinstance(next(value for kind, value in results if kind == "error"), InvalidTransition)
    assert JournalEntry.objects.filter(kind="release").count() == 1
    payout = Payout.objects.get()
    assert payout.status == "paid" and transfers == [payout.idempotency_key]
    assert JournalEntry.objects.filter(kind="transfer").count() == 1
    books()


def test_two_approvals_at_once_pay_the_creator_once(money, brand, creator, transfers):
    ConnectedAccountFactory(user=creator)
    order = paid_order(money, brand, creator)
    order_services.order_accept(order_id=order.pk, actor=Actor.of(creator))
    order_services.order_deliver(order_id=order.pk, actor=Actor.of(creator), links=["https://instagram.com/p/x1"])

    results = at_once(2, lambda _: order_services.order_approve(order_id=order.pk, actor=Actor.of(brand)))

    assert sorted(kind for kind, _ in results) == ["error", "ok"]
    assert Payout.objects.get().status == "paid" and len(transfers) == 1
    assert Escrow.objects.get().status == "settled"
    books()


def test_refunds_at_once_never_exceed_what_is_held(money, brand, creator):
    order = paid_order(money, brand, creator)  # $500 held

    payment, escrow = Payment.objects.get(), Escrow.objects.get(order=order)

    def refund(_):
        with transaction.atomic():
            return refund_create(payment=payment, escrow=escrow, amount=Decimal("200.00"), reason="partial",
                                 actor=Actor.system()).pk

    results = at_once(5, refund)

    refused = [value for kind, value in results if kind == "error"]
    assert len(refused) == 3 and all(isinstance(exc, ApplicationError) for exc in refused)
    assert Refund.objects.count() == 2
    payment = Payment.objects.get()
    assert payment.amount_refunded == Decimal("400.00") <= payment.amount
    books()


def test_two_agents_retrying_one_failed_refund_at_once_send_one(money, brand, creator, agent, monkeypatch):
    order = paid_order(money, brand, creator)
    monkeypatch.setattr(SandboxGateway, "create_refund",
                        lambda self, **kwargs: RefundResult(id="re_x", status="failed",
                                                            failure_reason="lost_or_stolen_card"))
    services.escrow_settle(order_id=order.pk, refund_amount=Decimal("500.00"), reason="declined", actor=Actor.system())
    failed = Refund.objects.get()
    assert failed.status == "failed"
    monkeypatch.undo()

    results = at_once(2, lambda _: services.refund_retry(refund_id=failed.pk, actor=Actor.of(agent)).pk)

    assert sorted(kind for kind, _ in results) == ["error", "ok"]
    assert Refund.objects.filter(status="succeeded").count() == 1
    assert Payment.objects.get().amount_refunded == Decimal("500.00")
    books()


def test_a_transfer_task_delivered_to_four_workers_at_once_transfers_once(money, brand, creator, transfers):
    order = paid_order(money, brand, creator)
    services.escrow_settle(order_id=order.pk, refund_amount=Decimal("0.00"), reason="approved", actor=Actor.system())
    payout = Payout.objects.get()
    assert payout.status == "blocked"
    ConnectedAccountFactory(user=creator)
    Payout.objects.filter(pk=payout.pk).update(status="pending")

    results = at_once(4, lambda _: tasks.transfer_payout.apply(args=[payout.pk]).state)

    assert results == [("ok", "SUCCESS")] * 4
    assert transfers == [payout.idempotency_key]
    assert Payout.objects.get().status == "paid" and JournalEntry.objects.filter(kind="transfer").count() == 1
    books()
