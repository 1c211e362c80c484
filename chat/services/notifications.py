"""The one notification service: every domain tells a user something through `notify()`.

notify() runs inside or outside the caller's transaction and does nothing until it commits (nothing at all if it
rolls back). Then, following the user's preferences for the notification's type (accounts.preferences, the
matrix the settings page and `PATCH /api/v1/profile/settings` edit):

- in_app: the Notification row in the user's list, and a `notification.new` frame on their group
  `notifications.<user_id>` (the /ws/notifications/ socket) with the new unread count;
- email: a Delivery row and chat.tasks.send_notification_email, which sends it once (the row is locked and
  marked sent in one transaction: a retried or duplicated task finds it sent);
- push: a Delivery row and chat.tasks.send_notification_push to every active device of the user (chat.push).

A user who turned in_app off still gets the e-mail or push: the row is kept (in_app=False, never listed) to carry
them. Inactive (suspended, banned) users are told nothing. A `dedupe_key` makes a notification once per user:
a second notify() with the same key is dropped.

Digests: the e-mail of a type in DIGEST_DELAYS waits that long, then one e-mail tells of every notification of
that type still unread and not yet e-mailed (at most DIGEST_MAX_ITEMS, oldest first); the tasks of the others
find their deliveries sent and do nothing, and a notification read in the app meanwhile is not e-mailed. Chat
messages are digested: chat-core notifies at most once per conversation per CHAT_UNREAD_EMAIL_MINUTES, and a
person writing in three conversations gets one e-mail listing them.
"""

import json
import logging
import re
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string, select_template
from django.urls import reverse
from django.utils import timezone

from accounts import preferences as prefs
from accounts.models import User
from influmojo.errors import ApplicationError

from ..models import Delivery, Device, Notification
from ..push import PushMessage, PushResult, get_push_sender
from ..selectors.notifications import notification_data, notification_get, notification_unread_count
from .devices import device_deactivate
from .live import push

logger = logging.getLogger(__name__)

EVENT_PATTERN = re.compile(r"[a-z][a-z0-9_]*(\.[a-z0-9_]+)*")
# Types whose e-mail waits to gather others of the same type into one digest, and how long.
DIGEST_DELAYS: dict[str, timedelta] = {"messages": timedelta(minutes=5)}
DIGEST_MAX_ITEMS = 20
DIGEST_SUBJECTS = {"messages": "{count} new messages on Influmojo"}
PUSH_BODY_MAX_LENGTH = 240
STUCK_AFTER, STUCK_LOOKBACK, REQUEUE_BATCH = timedelta(minutes=15), timedelta(days=2), 1000
_LIMITS = {name: Notification._meta.get_field(name).max_length
           for name in ("event", "title", "body", "url", "dedupe_key")}
EMAIL, PUSH = Delivery.Channel.EMAIL, Delivery.Channel.PUSH
PENDING, SENT, FAILED, SKIPPED = (Delivery.Status.PENDING, Delivery.Status.SENT, Delivery.Status.FAILED,
                                  Delivery.Status.SKIPPED)


def group_name(user_id: int) -> str:
    """The channel-layer group of a user's notification sockets (chat also sends `unread.changed` there)."""
    return f"notifications.{user_id}"


# --- Telling someone ----------------------------------------------------------------------------------------------
def notify(*, user_id: int, type: str, event: str, title: str, body: str = "", url: str = "",  # noqa: A002
           data: dict | None = None, dedupe_key: str = "") -> None:
    """Tells `user_id` about `event` once the caller's transaction commits (see the module's note).

    type: a key of accounts.preferences.NOTIFICATION_TYPES (whose preferences apply); event: what happened, dotted
    lower-case ("order.paid"), which also picks the e-mail template; url: a path on the site ("/orders/12/") or
    a full URL; data: JSON for the app (dates and decimals become strings). Refuses an unknown type or a badly
    formed event at once (a programming error); anything going wrong after the commit is logged, never raised.
    """
    if type not in prefs.NOTIFICATION_TYPES:
        raise ValueError(f"unknown notification type {type!r} (accounts.preferences.NOTIFICATION_TYPES)")
    if not EVENT_PATTERN.fullmatch(event or "") or len(event) > _LIMITS["event"]:
        raise ValueError(f"badly formed notification event {event!r}")
    fields = {
        "user_id": user_id, "type": type, "event": event,
        "title": " ".join((title or "").split())[: _LIMITS["title"]],
        "body": (body or "").strip()[: _LIMITS["body"]],
        "url": (url or "")[: _LIMITS["url"]],
        "data": json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder)),
        "dedupe_key": (dedupe_key or "")[: _LIMITS["dedupe_key"]],
    }
    # robust: the caller's change is committed by now; a failure to tell must not turn it into an error.
    transaction.on_commit(lambda: _send(**fields), robust=True)


def _send(*, user_id: int, type: str, dedupe_key: str, **fields) -> Notification | None:  # noqa: A002
    """notify()'s work after the commit: the row, its deliveries, the live frame and the tasks."""
    from .. import tasks

    user = User.objects.filter(pk=user_id, is_active=True).only("id", "email", "notification_preferences").first()
    if user is None:
        return None
    wants = prefs.notification_preferences(user)[type]
    if not any(wants.values()):
        return None
    push_to = wants["push"] and Device.objects.filter(user_id=user_id, active=True).exists()
    try:
        with transaction.atomic():
            notification = Notification.objects.create(user_id=user_id, type=type, dedupe_key=dedupe_key,
                                                       in_app=wants["in_app"], **fields)
            Delivery.objects.bulk_create([
                _delivery(notification, EMAIL, wants["email"] and bool(user.email),
                          "e-mail off for this type" if not wants["email"] else "no e-mail address"),
                _delivery(notification, PUSH, push_to,
                          "push off for this type" if not wants["push"] else "no active device"),
            ])
    except IntegrityError:
        if dedupe_key and Notification.objects.filter(user_id=user_id, dedupe_key=dedupe_key).exists():
            return None  # told already
        raise
    if notification.in_app:
        _publish(user_id, {"type": "notification.new", "notification": notification_data(notification),
                           "unread_count": notification_unread_count(user_id=user_id)})
    if wants["email"] and user.email:
        delay = DIGEST_DELAYS.get(type)
        _queue(tasks.send_notification_email.apply_async, args=[notification.pk],
               countdown=int(delay.total_seconds()) if delay else None)
    if push_to:
        _queue(tasks.send_notification_push.delay, notification.pk)
    return notification


def _queue(send, *args, **kwargs) -> None:
    """One channel's task; a broker that refuses (or, run inline, a task that fails) leaves its delivery pending
    for deliveries_requeue_stuck, and the other channel still goes."""
    try:
        send(*args, **kwargs)
    except Exception:
        logger.warning("notification task not queued or failed inline; the requeue job retries it", exc_info=True)


def _delivery(notification: Notification, channel: str, send: bool, reason: str) -> Delivery:
    if send:
        return Delivery(notification=notification, channel=channel, status=PENDING)
    return Delivery(notification=notification, channel=channel, status=SKIPPED, detail=reason)


def _publish(user_id: int, message: dict) -> None:
    """One message to the user's notification sockets; a channel layer that is down loses only the live copy
    (the row is stored: the socket's client reads the list again when it reconnects)."""
    push(group_name(user_id), message)


def _publish_on_commit(user_id: int, message: dict) -> None:
    transaction.on_commit(lambda: _publish(user_id, message), robust=True)


# --- The in-app list --------------------------------------------------------------------------------------------
@transaction.atomic
def notification_mark_read(*, user, notification_id: int) -> Notification:
    """Marks one of the user's notifications read (again is fine); someone else's is not found."""
    notification = notification_get(user=user, notification_id=notification_id)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
        _publish_on_commit(user.pk, {"type": "notification.read", "ids": [notification.pk],
                                     "unread_count": notification_unread_count(user_id=user.pk)})
    return notification


@transaction.atomic
def notifications_mark_all_read(*, user) -> int:
    """Marks every unread notification of the user read; how many were."""
    marked = Notification.objects.filter(user=user, in_app=True, read_at__isnull=True).update(read_at=timezone.now())
    if marked:
        _publish_on_commit(user.pk, {"type": "notification.read", "all": True, "ids": [], "unread_count": 0})
    return marked


@transaction.atomic
def notification_delete(*, user, notification_id: int) -> None:
    """Deletes one of the user's notifications; someone else's is not found."""
    notification = notification_get(user=user, notification_id=notification_id)
    notification.delete()
    _publish_on_commit(user.pk, {"type": "notification.deleted", "id": notification_id,
                                 "unread_count": notification_unread_count(user_id=user.pk)})


def notifications_delete_old(*, now=None) -> int:
    """The beat job: read notifications older than NOTIFICATIONS_KEEP_READ_DAYS go (with their deliveries), and so
    do rows kept only for an e-mail or push (in_app off) once that old. Deleted in batches; how many."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.NOTIFICATIONS_KEEP_READ_DAYS)
    old = (Notification.objects.filter(read_at__lt=cutoff)
           | Notification.objects.filter(in_app=False, created_at__lt=cutoff))
    deleted = 0
    while ids := list(old.order_by("pk").values_list("pk", flat=True)[:1000]):
        deleted += Notification.objects.filter(pk__in=ids).delete()[1].get(Notification._meta.label, 0)
    return deleted


def deliveries_requeue_stuck(*, now=None) -> int:
    """The beat job's net under a lost task: e-mails and never-tried pushes still pending STUCK_AFTER past their
    notification (and its digest wait) are queued again, up to two days back; each task sends at most once.
    A push being retried (its detail says so) is left to its own retries. How many were queued."""
    from .. import tasks

    now = now or timezone.now()
    wait = max(DIGEST_DELAYS.values(), default=timedelta(0)) + STUCK_AFTER
    stuck = (Delivery.objects.filter(status=PENDING, notification__created_at__lt=now - wait,
                                     notification__created_at__gte=now - STUCK_LOOKBACK)
             .exclude(channel=PUSH, detail__gt="").order_by("pk").values_list("notification_id", "channel"))
    queued = 0
    for notification_id, channel in stuck[:REQUEUE_BATCH]:
        task = tasks.send_notification_email if channel == EMAIL else tasks.send_notification_push
        task.delay(notification_id)
        queued += 1
    return queued


# --- Preferences ------------------------------------------------------------------------------------------------
def preferences_get(*, user) -> dict[str, dict[str, bool]]:
    return prefs.notification_preferences(user)


def preferences_update(*, user, preferences: dict) -> dict[str, dict[str, bool]]:
    """Changes the {type: {channel: bool}} pairs given (the others keep their value) through accounts' own
    settings service, the one place they are written; the whole matrix after."""
    from accounts.services import settings_update

    if not isinstance(preferences, dict):
        raise ApplicationError("Send {type: {channel: true|false}}.", code="invalid_preferences")
    problems = {}
    for kind, channels in preferences.items():
        if kind not in prefs.NOTIFICATION_TYPES:
            problems[kind] = ["Unknown notification type."]
        elif not isinstance(channels, dict) or not all(
                channel in prefs.NOTIFICATION_CHANNELS and isinstance(value, bool)
                for channel, value in channels.items()):
            problems[kind] = [f"{{channel: true|false}} with channels {', '.join(prefs.NOTIFICATION_CHANNELS)}."]
    if problems:
        raise ApplicationError("Those are not notification preferences.", code="invalid_preferences",
                               details=problems)
    user = settings_update(user=user, data={"notification_preferences": preferences})
    return prefs.notification_preferences(user)


# --- E-mail (chat.tasks.send_notification_email) ----------------------------------------------------------------
def notification_email_send(*, notification_id: int) -> str:
    """Sends the notification's e-mail once, or the digest it belongs to; what happened. The delivery rows stay
    locked while the message goes out and are marked sent in the same transaction, so a retried task (or a
    second copy of it) finds them sent; a send that raises leaves them pending for the task's retry."""
    with transaction.atomic():
        delivery = (Delivery.objects.select_for_update(of=("self",)).select_related("notification__user")
                    .filter(notification_id=notification_id, channel=EMAIL).first())
        if delivery is None:
            return "no e-mail to send (the notification is gone)"
        if delivery.status != PENDING:
            return f"e-mail already {delivery.status}"
        notification, user = delivery.notification, delivery.notification.user
        reason = _email_refused(user, notification)
        if reason:
            _mark([delivery], SKIPPED, reason)
            return f"e-mail skipped: {reason}"
        batch = [delivery]
        if notification.type in DIGEST_DELAYS:
            # The others of the digest; a copy of this task working on one of them keeps it (skip_locked), so two
            # digests never wait on each other.
            others = (Delivery.objects.select_for_update(of=("self",), skip_locked=True)
                      .select_related("notification")
                      .filter(channel=EMAIL, status=PENDING, notification__user_id=user.pk,
                              notification__type=notification.type, notification__read_at__isnull=True)
                      .exclude(pk=delivery.pk).order_by("notification__created_at", "notification_id"))
            batch += list(others[: DIGEST_MAX_ITEMS - 1])
            batch.sort(key=lambda item: (item.notification.created_at, item.notification_id))
        _email_message(user, [item.notification for item in batch]).send()
        _mark(batch, SENT, f"digest of {len(batch)}" if len(batch) > 1 else "")
        return f"e-mail sent ({len(batch)} notification{'s' if len(batch) > 1 else ''})"


def _email_refused(user: User, notification: Notification) -> str:
    if not user.is_active:
        return "the account is not active"
    if not user.email:
        return "no e-mail address"
    if not prefs.notification_preferences(user)[notification.type]["email"]:
        return "e-mail off for this type"
    if notification.type in DIGEST_DELAYS and notification.read_at is not None:
        return "read in the app before the e-mail went out"
    return ""


def _mark(deliveries: list[Delivery], status: str, detail: str) -> None:
    Delivery.objects.filter(pk__in=[item.pk for item in deliveries]).update(
        status=status, detail=detail[:500], sent_at=timezone.now() if status == SENT else None)


def _link(url: str) -> str:
    if not url or url.startswith(("http://", "https://")):
        return url
    return f"{settings.SITE_URL}{url if url.startswith('/') else '/' + url}"


def _email_message(user: User, notifications: list[Notification]) -> EmailMultiAlternatives:
    """One notification: templates/chat/email/<type>/<event>.txt, else <type>.txt, else notification.txt; several
    (a digest): digest/<type>.txt, else digest.txt; inside the message.txt / message.html layout."""
    first = notifications[0]
    context = {"recipient": user, "site_url": settings.SITE_URL,
               "settings_link": f"{settings.SITE_URL}{reverse('profile_settings')}"}
    if len(notifications) == 1:
        names = [f"chat/email/{first.type}/{first.event}.txt", f"chat/email/{first.type}.txt",
                 "chat/email/notification.txt"]
        context.update(notification=first, title=first.title, body=first.body, data=first.data,
                       link=_link(first.url))
        subject = first.title
    else:
        names = [f"chat/email/digest/{first.type}.txt", "chat/email/digest.txt"]
        label = prefs.NOTIFICATION_TYPES[first.type]
        items = [{"notification": item, "link": _link(item.url)} for item in notifications]
        context.update(items=items, count=len(items), label=label, link="")
        subject = DIGEST_SUBJECTS.get(first.type, "{count} notifications: {label}").format(count=len(items),
                                                                                            label=label)
    context["content"] = select_template(names).render(context).strip()
    message = EmailMultiAlternatives(f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}",
                                     render_to_string("chat/email/message.txt", context), to=[user.email])
    message.attach_alternative(render_to_string("chat/email/message.html", context), "text/html")
    return message


# --- Push (chat.tasks.send_notification_push) -------------------------------------------------------------------
@dataclass
class PushOutcome:
    summary: str
    sent: int = 0
    retry_device_ids: list[int] = field(default_factory=list)
    retry_after: int | None = None


def notification_push_send(*, notification_id: int, device_ids: list[int] | None = None, sent_before: int = 0,
                           last_try: bool = False) -> PushOutcome:
    """Pushes the notification to every active device of its user (or, on a retry, to `device_ids`, those the
    service asked to try again), once: the delivery row is locked during the sends and marked when every device
    has answered. A dead token deactivates its device. The outcome lists the devices to retry (never on the
    last try, which marks them failed)."""
    with transaction.atomic():
        delivery = (Delivery.objects.select_for_update(of=("self",)).select_related("notification__user")
                    .filter(notification_id=notification_id, channel=PUSH).first())
        if delivery is None or delivery.status != PENDING:
            return PushOutcome(f"push already {delivery.status}" if delivery else "no push to send")
        notification, user = delivery.notification, delivery.notification.user
        if not user.is_active or not prefs.notification_preferences(user)[notification.type]["push"]:
            _mark([delivery], SKIPPED, "the account is not active" if not user.is_active else "push off for this type")
            return PushOutcome("push skipped")
        devices = Device.objects.filter(user=user, active=True).order_by("pk")
        if device_ids is not None:
            devices = devices.filter(pk__in=device_ids)
        devices = list(devices)
        if not devices and not sent_before:
            _mark([delivery], SKIPPED, "no active device")
            return PushOutcome("push skipped: no active device")
        sender, message = get_push_sender(), _push_message(notification)
        sent, dead, failed, retry, retry_after = sent_before, 0, 0, [], None
        for device in devices:
            result = sender.send(token=device.token, message=message)
            if result.status == PushResult.SENT:
                sent += 1
            elif result.status == PushResult.UNREGISTERED:
                device_deactivate(device_id=device.pk, reason=result.detail)
                dead += 1
            elif result.status == PushResult.RETRY and not last_try:
                retry.append(device.pk)
                retry_after = max(retry_after or 0, result.retry_after or 0) or None
            else:
                failed += 1
                logger.warning("push of notification %s to device %s failed: %s", notification.pk, device.pk,
                               result.detail)
        summary = f"{sender.name}: {sender.sent_label} {sent}" + (f", {dead} unregistered" if dead else "") + (
            f", {failed} failed" if failed else "") + (f", {len(retry)} to retry" if retry else "")
        if retry:
            delivery.detail = summary[:500]
            delivery.save(update_fields=["detail"])
            return PushOutcome(summary, sent=sent, retry_device_ids=retry, retry_after=retry_after)
        _mark([delivery], SENT if sent else FAILED, summary)
        return PushOutcome(summary, sent=sent)


def _push_message(notification: Notification) -> PushMessage:
    body = notification.body
    if len(body) > PUSH_BODY_MAX_LENGTH:
        body = body[: PUSH_BODY_MAX_LENGTH - 1].rstrip() + "…"
    return PushMessage(title=notification.title, body=body, data={
        "notification_id": str(notification.pk), "type": notification.type, "event": notification.event,
        "url": notification.url,
    })
