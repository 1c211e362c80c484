"""The order timers, run by Celery beat (orders.tasks.run_order_timers every ORDER_TIMERS_PERIOD_SECONDS).

Nobody's money is locked by silence:
- a paid order the creator has not accepted by accept_by is cancelled and the brand refunded;
- a delivery the brand has not answered by review_by completes by itself and the creator's share is released;
- an order still unpaid ORDER_UNPAID_CANCEL_HOURS after checkout is cancelled (its payment abandoned; one
  being processed is left alone until the gateway answers);
- reminders go out ORDER_REMINDER_HOURS before accept_by (to the creator), the deadline (creator) and
  review_by (brand), and once a deadline is missed the brand is told it may cancel for a full refund;
- custom offers past expires_at expire.
Each order is handled in its own transaction with its row locked and its state checked again there, so a run
that overlaps another, or runs twice, changes nothing more; OrderReminder rows are unique, so a reminder goes
out once per deadline (an extended deadline gets its own). One order's failure is logged and counted and
the others go on. Disputed orders are never selected: their clock is stopped.
"""

import datetime
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from influmojo.permissions import Actor
from payments.models import Payment

from .. import notify
from ..models import CustomOffer, Order, OrderEvent, OrderReminder
from . import offers, rules
from .common import lock_unpaid_with_payment
from .orders import abandon_payment, cancel_paid_order, order_approve, order_event_add, order_transition

logger = logging.getLogger(__name__)
S = Order.Status
SYSTEM = Actor.system()
R = OrderReminder.Kind
REMINDER_DEADLINE = {R.ACCEPT: "accept_by", R.DELIVERY: "deadline", R.REVIEW: "review_by", R.MISSED: "deadline"}
REMINDER_STATUSES = {R.ACCEPT: (S.PAID,), R.DELIVERY: rules.REVISABLE, R.REVIEW: (S.DELIVERED,),
                     R.MISSED: rules.REVISABLE}


def _lock(order_id: int) -> Order | None:
    return Order.objects.select_for_update().filter(pk=order_id).first()


# --- What each timer does to one order (True if it acted) --------------------------------------------------------
@transaction.atomic
def order_expire_acceptance(*, order_id: int, now=None) -> bool:
    now = now or timezone.now()
    order = _lock(order_id)
    if order is None or order.status != S.PAID or order.accept_by is None or order.accept_by >= now:
        return False
    cancel_paid_order(order, actor=SYSTEM, note="Cancelled: the creator did not accept in time. The brand is refunded.",
            settle_actor=SYSTEM)
    return True


@transaction.atomic
def order_complete_unreviewed(*, order_id: int, now=None) -> bool:
    now = now or timezone.now()
    order = _lock(order_id)
    if order is None or order.status != S.DELIVERED or order.review_by is None or order.review_by >= now:
        return False
    order_approve(order_id=order.pk, actor=SYSTEM)
    return True


@transaction.atomic
def order_cancel_unpaid(*, order_id: int, now=None) -> bool:
    now = now or timezone.now()
    lock_unpaid_with_payment(order_ids=[order_id])
    order = _lock(order_id)
    cutoff = now - datetime.timedelta(hours=settings.ORDER_UNPAID_CANCEL_HOURS)
    if order is None or order.status != S.PENDING_PAYMENT or order.created_at >= cutoff:
        return False
    # A payment being processed may still bring the money: the gateway's answer decides, not the clock.
    if order.payment_id and order.payment.status == Payment.Status.PROCESSING:
        return False
    abandon_payment(order, SYSTEM)
    order_transition(order_id=order.pk, to=S.CANCELLED, actor=SYSTEM,
                     note=f"Cancelled: not paid within {settings.ORDER_UNPAID_CANCEL_HOURS} hours.")
    return True


@transaction.atomic
def order_remind(*, order_id: int, kind: str, now=None) -> bool:
    """Sends the `kind` reminder for the order's current deadline once (True if this call sent it)."""
    now = now or timezone.now()
    order = _lock(order_id)
    if order is None or order.status not in REMINDER_STATUSES[kind]:
        return False
    due_at = getattr(order, REMINDER_DEADLINE[kind])
    if due_at is None:
        return False
    if kind == R.MISSED:
        if due_at >= now:
            return False
    elif not now < due_at <= now + datetime.timedelta(hours=settings.ORDER_REMINDER_HOURS):
        return False
    try:
        with transaction.atomic():
            OrderReminder.objects.create(order=order, kind=kind, due_at=due_at)
    except IntegrityError:  # sent already (by an earlier or an overlapping run)
        return False
    event = order_event_add(order=order, kind=OrderEvent.Kind.REMINDER, actor=SYSTEM,
                            note=f"Reminder sent: {R(kind).label} ({due_at:%Y-%m-%d %H:%M} UTC).")
    notify.order_reminder(order=order, kind=kind, event=event)
    return True


# --- Which orders are due ------------------------------------------------------------------------------------------
def _ids(queryset) -> list[int]:
    return list(queryset.order_by("pk").values_list("pk", flat=True))


def _reminder_due(kind: str, now) -> list[int]:
    field = REMINDER_DEADLINE[kind]
    sent = OrderReminder.objects.filter(order=OuterRef("pk"), kind=kind, due_at=OuterRef(field))
    orders = Order.objects.filter(status__in=REMINDER_STATUSES[kind])
    if kind == R.MISSED:
        orders = orders.filter(**{f"{field}__lt": now})
    else:
        orders = orders.filter(**{f"{field}__gt": now,
                                  f"{field}__lte": now + datetime.timedelta(hours=settings.ORDER_REMINDER_HOURS)})
    return _ids(orders.filter(~Exists(sent)).exclude(**{field: None}))


def _run(name: str, ids: list[int], act, results: dict) -> None:
    done = failed = 0
    for object_id in ids:
        try:
            done += bool(act(object_id))
        except Exception:
            logger.exception("order timer %s failed for %s", name, object_id)
            failed += 1
    results[name] = done
    if failed:
        results[f"{name}_failed"] = failed


def run_order_timers(*, now=None) -> dict[str, int]:
    """One pass of every timer; returns how many orders each moved (and failures, if any)."""
    now = now or timezone.now()
    results: dict[str, int] = {}
    _run("acceptance_expired", _ids(Order.objects.filter(status=S.PAID, accept_by__lt=now)),
         lambda pk: order_expire_acceptance(order_id=pk, now=now), results)
    _run("auto_completed", _ids(Order.objects.filter(status=S.DELIVERED, review_by__lt=now)),
         lambda pk: order_complete_unreviewed(order_id=pk, now=now), results)
    cutoff = now - datetime.timedelta(hours=settings.ORDER_UNPAID_CANCEL_HOURS)
    _run("unpaid_cancelled", _ids(Order.objects.filter(status=S.PENDING_PAYMENT, created_at__lt=cutoff)),
         lambda pk: order_cancel_unpaid(order_id=pk, now=now), results)
    for kind in R.values:
        _run(f"reminder_{kind}", _reminder_due(kind, now), lambda pk, kind=kind: order_remind(
            order_id=pk, kind=kind, now=now), results)
    expiring = CustomOffer.objects.filter(
        status__in=(CustomOffer.Status.PENDING, CustomOffer.Status.ACCEPTED), expires_at__lte=now)
    _run("offers_expired", _ids(expiring), lambda pk: offers.offer_expire(offer_id=pk, now=now), results)
    return results
