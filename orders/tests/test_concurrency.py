"""Races on PostgreSQL (row locks are real there): two approvals of one order at once complete it once and settle
its money once; two timer runs overlapping move each order once."""

import datetime
import threading

import pytest
from django.db import connection
from django.utils import timezone

from accounts.tests.factories import BrandUserFactory
from creators.tests.factories import PackageFactory
from influmojo.errors import InvalidTransition
from influmojo.permissions import Actor
from orders.models import Order, OrderEvent
from orders.services import cart, checkout, orders, timers
from orders.tests.conftest import future, order_in, pay_in_sandbox
from payments.models import ConnectedAccount, JournalEntry, Payout
from payments.selectors import ledger_check

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
S = Order.Status


def race(*calls):
    """Runs the calls in threads released together; returns each one's result or exception."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as exc:  # the loser's refusal is the point of the test
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def delivered_order() -> Order:
    """A delivered order paid through payments (sandbox), its creator able to receive payouts, so that the race
    is also about the release, the payout and its transfer."""
    package = PackageFactory()
    brand = BrandUserFactory()
    ConnectedAccount.objects.create(user=package.creator, gateway="sandbox", details_submitted=True,
                                    payouts_enabled=True, charges_enabled=True,
                                    provider_account_id=f"acct_sandbox_{package.creator_id}")
    cart.cart_add_package(actor=Actor.of(brand), package_id=package.pk)
    outcome = checkout.checkout(actor=Actor.of(brand), requirements="Brief", deadline=future(days=14))
    pay_in_sandbox(outcome.payment)
    order = outcome.orders[0]
    orders.order_accept(order_id=order.pk, actor=Actor.of(package.creator))
    orders.order_deliver(order_id=order.pk, actor=Actor.of(package.creator), links=["https://x.test/1"])
    return Order.objects.get(pk=order.pk)


def test_two_concurrent_approvals_complete_once_and_settle_once(payments):
    order = delivered_order()
    brand = Actor.of(order.brand)

    results = race(lambda: orders.order_approve(order_id=order.pk, actor=brand),
                   lambda: orders.order_approve(order_id=order.pk, actor=brand))

    assert sum(isinstance(result, Order) for result in results) == 1
    assert sum(isinstance(result, InvalidTransition) for result in results) == 1
    assert Order.objects.get(pk=order.pk).status == S.COMPLETED
    assert order.events.filter(kind=OrderEvent.Kind.STATUS, new_status=S.COMPLETED).count() == 1
    assert len(payments.settled) == 1
    assert list(Payout.objects.filter(order=order).values_list("status", flat=True)) == ["paid"]
    assert JournalEntry.objects.filter(order=order, kind="release").count() == 1
    assert JournalEntry.objects.filter(order=order, kind="transfer").count() == 1  # one transfer
    assert ledger_check().ok


def test_an_approval_racing_the_auto_completion_settles_once(payments):
    order = order_in(S.DELIVERED, review_by=timezone.now())

    results = race(lambda: orders.order_approve(order_id=order.pk, actor=Actor.of(order.brand)),
                   lambda: timers.order_complete_unreviewed(order_id=order.pk))

    assert Order.objects.get(pk=order.pk).status == S.COMPLETED and len(payments.settled) == 1
    winners = [result for result in results if isinstance(result, Order) or result is True]
    assert len(winners) == 1  # the other found it completed (a refusal, or False from the timer)


def test_overlapping_timer_runs_move_each_order_once(payments):
    late = [order_in(S.PAID, accept_by=timezone.now() - datetime.timedelta(minutes=1)) for _ in range(5)]

    race(timers.run_order_timers, timers.run_order_timers)

    assert {Order.objects.get(pk=order.pk).status for order in late} == {S.CANCELLED}
    assert sorted(order_id for order_id, *_ in payments.settled) == sorted(order.pk for order in late)
