"""Background jobs of the orders app: they take ids, call one service and are safe to run twice."""

from celery import shared_task
from django.db import DatabaseError

from . import notify
from .services import timers


@shared_task(
    name="orders.tasks.run_order_timers",
    autoretry_for=(DatabaseError,),  # the database went away mid-run: every step re-checks, so a retry is safe
    max_retries=3,
    retry_backoff=30,
    retry_backoff_max=5 * 60,
    retry_jitter=True,
)
def run_order_timers() -> dict:
    """Beat job: acceptance and review deadlines, unpaid orders, reminders, expired offers."""
    return timers.run_order_timers()


@shared_task(
    name="orders.tasks.notify_order_event",
    autoretry_for=(DatabaseError,),
    max_retries=5,
    retry_backoff=60,
    retry_backoff_max=60 * 60,
    retry_jitter=True,
)
def notify_order_event(*, event: str, recipient_id: int, order_id: int | None = None, offer_id: int | None = None,
                       event_id: int | None = None) -> bool:
    """One recipient's notification of an order or offer event (orders.notify.tell; its dedupe key makes a retry
    tell nobody twice)."""
    return notify.tell(event=event, recipient_id=recipient_id, order_id=order_id, offer_id=offer_id,
                       event_id=event_id)
