"""Background jobs of the chat app: notification e-mails and pushes, the cleanup of old notifications, the sweep
of websocket connections whose process died, and the unread-message reminder at the end of a member's window.

Tasks take ids, call one service and are safe to run twice (each delivery row is sent once).
"""

import random
import smtplib

from celery import shared_task
from django.db import DatabaseError

from .services import messages, notifications, presence

PUSH_MAX_RETRIES = 5
PUSH_MAX_COUNTDOWN = 60 * 60


@shared_task(
    name="chat.tasks.send_notification_email",
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError, DatabaseError),
    max_retries=5,
    retry_backoff=60,
    retry_backoff_max=60 * 60,
    retry_jitter=True,
)
def send_notification_email(notification_id: int) -> str:
    return notifications.notification_email_send(notification_id=notification_id)


def push_backoff(retries: int, retry_after: int | None = None) -> int:
    """30 s, 1, 2, 4… minutes plus jitter, at least what the push service asked for, at most an hour."""
    return min(PUSH_MAX_COUNTDOWN, max(retry_after or 0, 30 * 2**retries + random.randint(0, 15)))


@shared_task(bind=True, name="chat.tasks.send_notification_push", max_retries=PUSH_MAX_RETRIES,
             autoretry_for=(DatabaseError,), retry_backoff=30)
def send_notification_push(self, notification_id: int, device_ids: list[int] | None = None,
                           sent_before: int = 0) -> str:
    """Pushes to every device; the devices the service answered 429/5xx for are retried alone, with backoff."""
    outcome = notifications.notification_push_send(
        notification_id=notification_id, device_ids=device_ids, sent_before=sent_before,
        last_try=self.request.retries >= self.max_retries,
    )
    if outcome.retry_device_ids:
        raise self.retry(
            kwargs={"notification_id": notification_id, "device_ids": outcome.retry_device_ids,
                    "sent_before": outcome.sent},
            countdown=push_backoff(self.request.retries, outcome.retry_after),
        )
    return outcome.summary


@shared_task(name="chat.tasks.requeue_stuck_deliveries")
def requeue_stuck_deliveries() -> int:
    """Beat job: notification e-mails and pushes whose task was lost are queued again."""
    return notifications.deliveries_requeue_stuck()


@shared_task(name="chat.tasks.delete_old_read_notifications")
def delete_old_read_notifications() -> int:
    """Beat job: read notifications older than NOTIFICATIONS_KEEP_READ_DAYS."""
    return notifications.notifications_delete_old()


@shared_task(name="chat.tasks.sweep_connections")
def sweep_connections() -> int:
    """Beat job: connections silent for CHAT_CONNECTION_TTL_SECONDS are gone; their users may be offline now."""
    return len(presence.presence_sweep())


@shared_task(name="chat.tasks.remind_unread", autoretry_for=(DatabaseError,), max_retries=3, retry_backoff=30)
def remind_unread(participant_id: int) -> bool:
    """At the end of a member's notification window: still unread and away, one notification of how many."""
    return messages.message_remind_unread(participant_id=participant_id)
