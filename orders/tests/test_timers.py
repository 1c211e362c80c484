"""orders.services.timers via the beat task: each timer moves only the orders it should, twice is once, a
disputed order is left alone, one failing order does not stop the others."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from influmojo.permissions import Actor
from orders import tasks
from orders.models import CartItem, CustomOffer, Order, OrderReminder
from orders.services import orders as order_services
from orders.services import money, timers
from orders.tests.conftest import order_in
from orders.tests.factories import CustomOfferFactory
from payments.models import Payment

pytestmark = pytest.mark.django_db
S = Order.Status


def ago(**delta):
    return timezone.now() - datetime.timedelta(**delta)


def ahead(**delta):
    return timezone.now() + datetime.timedelta(**delta)


def statuses(*orders):
    return [Order.objects.get(pk=order.pk).status for order in orders]


def run():
    return tasks.run_order_timers.delay().get()


def test_unaccepted_paid_orders_are_cancelled_and_refunded(payments):
    late = order_in(S.PAID, accept_by=ago(minutes=1))
    waiting = order_in(S.PAID, accept_by=ahead(hours=5))
    accepted = order_in(S.IN_PROGRESS, accept_by=ago(days=1))
    disputed = order_in(S.DISPUTED, accept_by=ago(days=1))

    result = run()

    assert result["acceptance_expired"] == 1
    assert statuses(late, waiting, accepted, disputed) == [S.CANCELLED, S.PAID, S.IN_PROGRESS, S.DISPUTED]
    assert payments.settled == [(late.pk, Decimal("500.00"), "order cancelled", "system")]


def test_unanswered_deliveries_complete_and_release(payments):
    due = order_in(S.DELIVERED, review_by=ago(seconds=5))
    open_ = order_in(S.DELIVERED, review_by=ahead(days=1))
    disputed = order_in(S.DISPUTED, review_by=ago(days=1))

    assert run()["auto_completed"] == 1

    assert statuses(due, open_, disputed) == [S.COMPLETED, S.DELIVERED, S.DISPUTED]
    assert payments.settled == [(due.pk, Decimal("0.00"), "order completed", "system")]
    assert due.deliverable.submissions.get().decision == "approved"


def test_unpaid_orders_are_cancelled_after_the_grace_period(payments, settings):
    old = order_in(S.PENDING_PAYMENT)
    fresh = order_in(S.PENDING_PAYMENT)
    processing = order_in(S.PENDING_PAYMENT)
    Order.objects.filter(pk__in=[old.pk, processing.pk]).update(
        created_at=ago(hours=settings.ORDER_UNPAID_CANCEL_HOURS + 1))
    pending = Payment.objects.create(payer=old.brand, gateway="sandbox", amount=old.subtotal, currency="USD",
                                     idempotency_key="t1")
    busy = Payment.objects.create(payer=processing.brand, gateway="sandbox", amount=old.subtotal, currency="USD",
                                  idempotency_key="t2", status=Payment.Status.PROCESSING)
    Order.objects.filter(pk=old.pk).update(payment=pending)
    Order.objects.filter(pk=processing.pk).update(payment=busy)

    assert run()["unpaid_cancelled"] == 1

    assert statuses(old, fresh, processing) == [S.CANCELLED, S.PENDING_PAYMENT, S.PENDING_PAYMENT]
    assert payments.cancelled == [pending.pk] and payments.settled == []


def test_reminders_go_out_once_before_each_deadline(settings, mailoutbox, django_capture_on_commit_callbacks):
    hours = settings.ORDER_REMINDER_HOURS
    accept = order_in(S.PAID, accept_by=ahead(hours=hours - 1))
    not_yet = order_in(S.PAID, accept_by=ahead(hours=hours + 1))
    delivery = order_in(S.IN_PROGRESS, deadline=ahead(hours=2))
    review = order_in(S.DELIVERED, review_by=ahead(hours=3))
    missed = order_in(S.REVISION_REQUESTED, deadline=ago(hours=1))

    with django_capture_on_commit_callbacks(execute=True):
        first = run()
    with django_capture_on_commit_callbacks(execute=True):
        second = run()

    assert (first["reminder_accept"], first["reminder_delivery"], first["reminder_review"],
            first["reminder_missed"]) == (1, 1, 1, 1)
    assert all(count == 0 for name, count in second.items())
    assert sorted(OrderReminder.objects.values_list("order_id", "kind")) == sorted(
        [(accept.pk, "accept"), (delivery.pk, "delivery"), (review.pk, "review"), (missed.pk, "missed")])
    assert not not_yet.reminders.exists()
    assert sorted(mail.to[0] for mail in mailoutbox) == sorted(
        [accept.creator.email, delivery.creator.email, review.brand.email, missed.brand.email])


def test_an_extended_deadline_gets_its_own_reminder(settings):
    order = order_in(S.PAID, accept_by=ahead(hours=1))
    run()
    order_services.order_extend_acceptance(order_id=order.pk, actor=Actor.of(order.creator))
    Order.objects.filter(pk=order.pk).update(accept_by=ahead(hours=2))

    run()

    assert order.reminders.count() == 2


def test_running_twice_moves_nothing_more(payments):
    order_in(S.PAID, accept_by=ago(minutes=1))
    order_in(S.DELIVERED, review_by=ago(minutes=1))

    first, second = run(), run()

    assert (first["acceptance_expired"], first["auto_completed"]) == (1, 1)
    assert (second["acceptance_expired"], second["auto_completed"]) == (0, 0)
    assert len(payments.settled) == 2


def test_a_stale_candidate_is_checked_again_under_the_lock(payments):
    order = order_in(S.PAID, accept_by=ago(minutes=1))
    Order.objects.filter(pk=order.pk).update(status=S.IN_PROGRESS)  # accepted after the due list was read

    assert timers.order_expire_acceptance(order_id=order.pk) is False
    assert payments.settled == []


def test_one_failing_order_does_not_stop_the_others(payments, monkeypatch):
    broken = order_in(S.PAID, accept_by=ago(minutes=2))
    fine = order_in(S.PAID, accept_by=ago(minutes=1))
    real = payments.escrow_settle

    def settle(*, order_id, **kwargs):
        if order_id == broken.pk:
            raise RuntimeError("gateway exploded")
        return real(order_id=order_id, **kwargs)

    monkeypatch.setattr(money, "escrow_settle", settle)

    result = run()

    assert result["acceptance_expired"] == 1 and result["acceptance_expired_failed"] == 1
    assert statuses(broken, fine) == [S.PAID, S.CANCELLED]  # the broken one rolled back whole


def test_expired_offers_leave_the_cart():
    in_cart = CustomOfferFactory(status=CustomOffer.Status.ACCEPTED, expires_at=ago(minutes=1))
    CartItem.objects.create(brand=in_cart.brand, offer=in_cart)
    pending = CustomOfferFactory(expires_at=ago(minutes=1))
    valid = CustomOfferFactory(expires_at=ahead(days=1))

    assert run()["offers_expired"] == 2

    assert [CustomOffer.objects.get(pk=o.pk).status for o in (in_cart, pending, valid)] == [
        "expired", "expired", "pending"]
    assert not CartItem.objects.exists()
