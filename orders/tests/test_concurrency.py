"""Races on PostgreSQL (row locks are real there): two approvals of one order at once complete it once and settle
its money once; two timer runs overlapping move each order once."""

import datetime
import threading

import pytest
from django.db import connection
from django.utils import timezone

from influmojo.errors import InvalidTransition
from influmojo.permissions import Actor
from orders.models import Order, OrderEvent
from orders.services import orders, timers
from orders.tests.conftest import order_in

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


def test_two_concurrent_approvals_complete_once_and_settle_once(payments):
    order = order_in(S.DELIVERED)
    brand = Actor.of(order.brand)

    results = race(lambda: orders.order_approve(order_id=order.pk, actor=brand),
                   lambda: orders.order_approve(order_id=order.pk, actor=brand))

    assert sum(isinstance(result, Order) for result in results) == 1
    assert sum(isinstance(result, InvalidTransition) for result in results) == 1
    assert Order.objects.get(pk=order.pk).status == S.COMPLETED
    assert order.events.filter(kind=OrderEvent.Kind.STATUS, new_status=S.COMPLETED).count() == 1
    assert len(payments.settled) == 1


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
