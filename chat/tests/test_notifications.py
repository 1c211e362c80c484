"""chat.services.notifications.notify: on commit only, to every channel the user's preferences allow, once."""

import asyncio
import smtplib
from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.utils import timezone

from accounts import preferences as prefs
from accounts.models import User
from accounts.tests.factories import BrandUserFactory, CreatorUserFactory
from chat import tasks
from chat.models import Delivery, Device, Notification
from chat.services import notifications as services
from chat.services.devices import device_register

pytestmark = pytest.mark.django_db
EVERY_TYPE = list(prefs.NOTIFICATION_TYPES)


@pytest.fixture
def layer(settings):
    """A fresh in-memory channel layer (the Redis one is exercised by the consumer tests)."""
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    return get_channel_layer()


@pytest.fixture
def frames(layer):
    """`listen(user)` joins the user's group; `frames(user)` drains what it received."""

    class Frames:
        def __init__(self):
            self.channels = {}

        def listen(self, user):
            channel = async_to_sync(layer.new_channel)()
            async_to_sync(layer.group_add)(services.group_name(user.pk), channel)
            self.channels[user.pk] = channel

        def __call__(self, user):
            async def drain():
                received = []
                while True:
                    try:
                        received.append(await asyncio.wait_for(layer.receive(self.channels[user.pk]), 0.05))
                    except asyncio.TimeoutError:
                        return received

            return async_to_sync(drain)()

    return Frames()


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """`with commit():` runs the block as a transaction that commits (its on-commit callbacks run)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def tell(user, **overrides):
    fields = {"user_id": user.pk, "type": "orders", "event": "order.paid", "title": "New order IM-1",
              "body": "Asha ordered 2 reels.", "url": "/orders/1/", "data": {"order_id": 1}}
    services.notify(**{**fields, **overrides})


def with_device(user, token="fcm-token-1"):
    return device_register(user=user, token=token, platform="android")


def deliveries(notification):
    return {d.channel: (d.status, d.detail) for d in notification.deliveries.all()}


# --- Fan-out ------------------------------------------------------------------------------------------------------
def test_a_notification_reaches_every_channel_after_commit(commit, frames, mailoutbox, caplog):
    creator = CreatorUserFactory()
    with_device(creator)
    frames.listen(creator)
    caplog.set_level("INFO", logger="chat.push")

    with commit():
        tell(creator)

    notification = Notification.objects.get(user=creator)
    assert (notification.type, notification.event, notification.title, notification.in_app) == (
        "orders", "order.paid", "New order IM-1", True)
    (frame,) = frames(creator)
    assert frame["type"] == "notification.new" and frame["unread_count"] == 1
    assert frame["notification"]["id"] == notification.pk and frame["notification"]["read"] is False
    (mail,) = mailoutbox
    assert mail.to == [creator.email] and mail.subject == "[Influmojo] New order IM-1"
    assert "Asha ordered 2 reels." in mail.body and "http://127.0.0.1:8000/orders/1/" in mail.body
    assert "Order" not in mail.body.split("Asha ordered 2 reels.")[0]  # no order line without its data
    assert '<a href="http://127.0.0.1:8000/orders/1/"' in mail.alternatives[0][0]
    assert deliveries(notification) == {"email": ("sent", ""), "push": ("sent", "log: logged (not sent) for 1")}
    assert "New order IM-1" in caplog.text and "logged, not sent" in caplog.text


@pytest.mark.parametrize("kind", EVERY_TYPE)
@pytest.mark.parametrize("channel", list(prefs.NOTIFICATION_CHANNELS))
def test_a_channel_turned_off_for_a_type_is_skipped_and_the_others_still_go(commit, frames, mailoutbox, kind,
                                                                           channel):
    user = CreatorUserFactory(notification_preferences={kind: {"email": True, "push": True, "in_app": True,
                                                               channel: False}})
    with_device(user)
    frames.listen(user)

    with commit():
        tell(user, type=kind, event="something.happened")

    notification = Notification.objects.get(user=user)
    assert notification.in_app is (channel != "in_app")
    assert bool(frames(user)) is (channel != "in_app")
    assert len(mailoutbox) == (0 if channel == "email" else 1)
    state = deliveries(notification)
    assert state["email"][0] == ("skipped" if channel == "email" else "sent")
    assert state["push"][0] == ("skipped" if channel == "push" else "sent")


def test_every_channel_off_stores_nothing(commit, mailoutbox):
    user = CreatorUserFactory(notification_preferences={"reviews": {"email": False, "push": False,
                                                                    "in_app": False}})

    with commit():
        tell(user, type="reviews", event="review.received")

    assert not Notification.objects.exists() and mailoutbox == []


def test_marketing_needs_an_opt_in_for_email_and_push(commit, mailoutbox):
    user = CreatorUserFactory()
    with_device(user)

    with commit():
        tell(user, type="marketing", event="news.tip")

    notification = Notification.objects.get(user=user)
    assert notification.in_app and mailoutbox == []
    assert deliveries(notification) == {"email": ("skipped", "e-mail off for this type"),
                                        "push": ("skipped", "push off for this type")}


def test_without_a_device_no_push_is_queued(commit, monkeypatch):
    queued = []
    monkeypatch.setattr(tasks.send_notification_push, "delay", lambda *args: queued.append(args))
    user = CreatorUserFactory()

    with commit():
        tell(user)

    assert queued == []
    assert deliveries(Notification.objects.get(user=user))["push"] == ("skipped", "no active device")


@pytest.mark.parametrize("status", [User.Status.SUSPENDED, User.Status.BANNED])
def test_an_inactive_user_is_told_nothing(commit, frames, mailoutbox, status):
    user = CreatorUserFactory(status=status)
    frames.listen(user)

    with commit():
        tell(user)

    assert not Notification.objects.exists() and mailoutbox == [] and frames(user) == []


# --- On commit only -----------------------------------------------------------------------------------------------
def test_nothing_is_sent_when_the_transaction_rolls_back(commit, frames, mailoutbox):
    user = CreatorUserFactory()
    with_device(user)
    frames.listen(user)

    with commit():
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                tell(user)
                raise RuntimeError("a later step failed")

    assert not Notification.objects.exists() and not Delivery.objects.exists()
    assert mailoutbox == [] and frames(user) == []


@pytest.mark.django_db(transaction=True)
def test_inside_a_real_transaction_nothing_happens_before_the_commit(frames, mailoutbox):
    user = CreatorUserFactory()
    frames.listen(user)

    with transaction.atomic():
        tell(user)
        assert not Notification.objects.exists() and frames(user) == [] and mailoutbox == []

    assert Notification.objects.filter(user=user).count() == 1
    assert [frame["type"] for frame in frames(user)] == ["notification.new"] and len(mailoutbox) == 1


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_it_is_sent_at_once(frames, mailoutbox):
    user = CreatorUserFactory()
    frames.listen(user)

    tell(user)

    assert Notification.objects.filter(user=user).count() == 1 and len(mailoutbox) == 1 and frames(user)


def test_an_unknown_type_or_a_badly_formed_event_is_refused_at_the_call():
    with pytest.raises(ValueError, match="unknown notification type"):
        services.notify(user_id=1, type="horoscope", event="star.moved", title="x")
    with pytest.raises(ValueError, match="badly formed"):
        services.notify(user_id=1, type="orders", event="../../etc/passwd", title="x")


def test_data_keeps_decimals_and_dates_as_strings(commit):
    from decimal import Decimal

    from django.core.serializers.json import DjangoJSONEncoder

    user = CreatorUserFactory()
    moment = timezone.now()

    with commit():
        tell(user, data={"amount": Decimal("12.50"), "at": moment})

    assert Notification.objects.get(user=user).data == {"amount": "12.50", "at": DjangoJSONEncoder().default(moment)}


def test_a_failure_after_the_commit_is_logged_not_raised(commit, monkeypatch, caplog):
    user = CreatorUserFactory()
    monkeypatch.setattr(services.Notification.objects, "create", lambda **kw: (_ for _ in ()).throw(OSError("x")))

    with commit():
        tell(user)

    assert "Error calling" in caplog.text and not Notification.objects.exists()


# --- Dedupe -------------------------------------------------------------------------------------------------------
def test_a_dedupe_key_tells_a_user_once(commit, mailoutbox):
    creator, brand = CreatorUserFactory(), BrandUserFactory()

    with commit():
        tell(creator, dedupe_key="order:1:paid")
        tell(creator, dedupe_key="order:1:paid", title="Again")
        tell(brand, dedupe_key="order:1:paid")  # unique per user, not across users
    with commit():
        tell(creator, dedupe_key="order:1:paid")

    assert Notification.objects.filter(user=creator).count() == 1
    assert Notification.objects.get(user=creator).title == "New order IM-1"
    assert Notification.objects.filter(user=brand).count() == 1
    assert sorted(mail.to[0] for mail in mailoutbox) == sorted([creator.email, brand.email])


# --- E-mail once --------------------------------------------------------------------------------------------------
@pytest.fixture
def queued_emails(monkeypatch):
    """The e-mail tasks notify() queues, held back as a worker would hold them for their countdown."""
    queued = []
    monkeypatch.setattr(tasks.send_notification_email, "apply_async",
                        lambda args, countdown: queued.append((args[0], countdown)))
    return queued


def test_the_email_task_run_twice_sends_once(commit, mailoutbox):
    user = CreatorUserFactory()
    with commit():
        tell(user)
    notification = Notification.objects.get(user=user)

    again = tasks.send_notification_email.apply(args=[notification.pk]).get()

    assert len(mailoutbox) == 1 and again == "e-mail already sent"
    assert notification.deliveries.get(channel="email").sent_at is not None


def test_a_retried_email_task_sends_once(commit, mailoutbox, monkeypatch, queued_emails):
    from django.core.mail import EmailMultiAlternatives

    user, attempts = CreatorUserFactory(), []
    real_send = EmailMultiAlternatives.send

    def flaky_send(message, *args, **kwargs):
        attempts.append(message.subject)
        if len(attempts) == 1:
            raise smtplib.SMTPServerDisconnected("the relay went away")
        return real_send(message, *args, **kwargs)

    monkeypatch.setattr(EmailMultiAlternatives, "send", flaky_send)
    with commit():
        tell(user)
    (notification_id, _), = queued_emails

    # As a worker runs it: the SMTP error retries the task (inline here, with throw=False as a worker would).
    result = tasks.send_notification_email.apply(args=[notification_id], throw=False).get()
    again = tasks.send_notification_email.apply(args=[notification_id]).get()

    assert result == "e-mail sent (1 notification)" and again == "e-mail already sent"
    assert len(attempts) == 2 and len(mailoutbox) == 1
    assert Notification.objects.get(user=user).deliveries.get(channel="email").status == "sent"


def test_email_turned_off_after_queueing_is_not_sent(commit, mailoutbox, queued_emails):
    user = CreatorUserFactory()
    with commit():
        tell(user)
    User.objects.filter(pk=user.pk).update(notification_preferences={"orders": {"email": False}})

    result = tasks.send_notification_email.apply(args=[queued_emails[0][0]]).get()

    assert result == "e-mail skipped: e-mail off for this type" and mailoutbox == []


def test_an_event_template_is_used_when_there_is_one_and_orders_show_their_order(commit, mailoutbox):
    user = CreatorUserFactory()

    with commit():
        tell(user, type="messages", event="message.received", title="Asha wrote to you", body="Can we talk?")
        tell(user, type="orders", event="order.delivered", title="Order IM-7 was delivered",
             data={"number": "IM-7", "subtotal": "100.00", "currency": "USD", "brand": "Acme", "creator": "Asha"})

    messages, orders = mailoutbox
    assert "“Can we talk?”" in messages.body and "Reply on Influmojo" in messages.body
    assert "Order IM-7 · 100.00 USD · Acme ↔ Asha" in orders.body


# --- Digest -------------------------------------------------------------------------------------------------------
def test_unread_messages_are_emailed_as_one_digest(commit, mailoutbox, queued_emails):
    user = CreatorUserFactory()
    with commit():
        for number, name in enumerate(["Acme", "Globex", "Initech"], start=1):
            tell(user, type="messages", event="message.received", title=f"{name} wrote to you",
                 body=f"Message {number}", url=f"/messages/{number}/", dedupe_key=f"conversation:{number}")
        tell(user, type="orders")  # another type: its own e-mail, not part of the digest
    first, second, third, orders = (Notification.objects.get(pk=pk) for pk, _ in queued_emails)
    services.notification_mark_read(user=user, notification_id=second.pk)  # seen in the app meanwhile

    results = [tasks.send_notification_email.apply(args=[pk]).get() for pk, _ in queued_emails]

    assert [countdown for _, countdown in queued_emails] == [300, 300, 300, None]
    assert results == ["e-mail sent (2 notifications)", "e-mail skipped: read in the app before the e-mail went out",
                       "e-mail already sent", "e-mail sent (1 notification)"]
    digest, order_mail = mailoutbox
    assert digest.subject == "[Influmojo] 2 new messages on Influmojo"
    assert "Acme wrote to you" in digest.body and "Initech wrote to you" in digest.body
    assert "Globex" not in digest.body and "http://127.0.0.1:8000/messages/3/" in digest.body
    assert digest.body.index("Acme") < digest.body.index("Initech")
    assert order_mail.subject == "[Influmojo] New order IM-1"
    assert first.deliveries.get(channel="email").detail == "digest of 2"
    assert third.deliveries.get(channel="email").status == "sent"


def test_a_digest_of_one_is_the_plain_email(commit, mailoutbox):
    user = CreatorUserFactory()

    with commit():
        tell(user, type="messages", event="message.received", title="Acme wrote to you", body="Hello")

    (mail,) = mailoutbox
    assert mail.subject == "[Influmojo] Acme wrote to you" and "“Hello”" in mail.body


# --- The list -----------------------------------------------------------------------------------------------------
def stored(user, **fields):
    return Notification.objects.create(user=user, type=fields.pop("type", "orders"), event="order.paid",
                                       title=fields.pop("title", "Hi"), **fields)


def test_marking_read_and_deleting_tell_the_other_tabs(commit, frames):
    user = CreatorUserFactory()
    one, two, three = stored(user), stored(user), stored(user)
    frames.listen(user)

    with commit():
        services.notification_mark_read(user=user, notification_id=one.pk)
        services.notification_mark_read(user=user, notification_id=one.pk)  # again: nothing new to say
        services.notification_delete(user=user, notification_id=two.pk)
        services.notifications_mark_all_read(user=user)

    assert frames(user) == [
        {"type": "notification.read", "ids": [one.pk], "unread_count": 2},
        {"type": "notification.deleted", "id": two.pk, "unread_count": 1},
        {"type": "notification.read", "all": True, "ids": [], "unread_count": 0},
    ]
    assert not Notification.objects.filter(pk=two.pk).exists()
    assert Notification.objects.get(pk=three.pk).read_at is not None


def test_someone_elses_notification_is_not_found():
    from influmojo.errors import NotFound

    mine, theirs = CreatorUserFactory(), CreatorUserFactory()
    notification = stored(theirs)

    with pytest.raises(NotFound):
        services.notification_mark_read(user=mine, notification_id=notification.pk)
    with pytest.raises(NotFound):
        services.notification_delete(user=mine, notification_id=notification.pk)
    assert Notification.objects.get(pk=notification.pk).read_at is None


def test_preferences_are_the_accounts_matrix(commit):
    from influmojo.errors import ApplicationError

    user = CreatorUserFactory()

    matrix = services.preferences_update(user=user, preferences={"orders": {"email": False}})

    user.refresh_from_db()
    assert matrix == prefs.notification_preferences(user) == services.preferences_get(user=user)
    assert matrix["orders"] == {"email": False, "push": True, "in_app": True}
    with pytest.raises(ApplicationError) as refused:
        services.preferences_update(user=user, preferences={"horoscope": {"email": True}})
    assert "horoscope" in refused.value.details


# --- Cleanup ------------------------------------------------------------------------------------------------------
def test_the_beat_job_deletes_read_notifications_older_than_the_retention(settings):
    settings.NOTIFICATIONS_KEEP_READ_DAYS = 90
    user, now = CreatorUserFactory(), timezone.now()
    old_read = stored(user, read_at=now - timedelta(days=91))
    recent_read = stored(user, read_at=now - timedelta(days=89))
    old_unread = stored(user)
    old_hidden = stored(user, in_app=False)
    Notification.objects.filter(pk__in=[old_unread.pk, old_hidden.pk]).update(created_at=now - timedelta(days=120))
    Delivery.objects.create(notification=old_read, channel="email", status="sent")

    deleted = tasks.delete_old_read_notifications.apply().get()

    assert deleted == 2
    assert set(Notification.objects.values_list("pk", flat=True)) == {recent_read.pk, old_unread.pk}
    assert not Delivery.objects.exists()


def test_the_beat_job_is_scheduled(settings):
    from influmojo.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["chat.delete_old_read_notifications"]
    assert entry["task"] in app.tasks and entry["schedule"] <= 24 * 60 * 60


def test_a_device_that_went_inactive_is_not_pushed_to(commit, monkeypatch):
    user = CreatorUserFactory()
    device = with_device(user)
    Device.objects.filter(pk=device.pk).update(active=False)

    with commit():
        tell(user)

    assert deliveries(Notification.objects.get(user=user))["push"] == ("skipped", "no active device")


def test_deliveries_whose_task_was_lost_are_queued_again(commit, mailoutbox, monkeypatch):
    user = CreatorUserFactory()
    with_device(user)

    def broker_down(*args, **kwargs):
        raise ConnectionError("broker unreachable")

    with monkeypatch.context() as patched:
        patched.setattr(tasks.send_notification_email, "apply_async", broker_down)
        patched.setattr(tasks.send_notification_push, "delay", broker_down)
        with commit():
            tell(user)
    notification = Notification.objects.get(user=user)
    assert deliveries(notification) == {"email": ("pending", ""), "push": ("pending", "")} and mailoutbox == []
    retrying = stored(user)
    Delivery.objects.create(notification=retrying, channel="push", detail="fcm: sent to 1, 1 to retry")
    now = timezone.now()

    assert services.deliveries_requeue_stuck(now=now) == 0  # still within its wait
    queued = services.deliveries_requeue_stuck(now=now + timedelta(minutes=25))

    assert queued == 2 and len(mailoutbox) == 1
    assert deliveries(notification) == {"email": ("sent", ""), "push": ("sent", "log: logged (not sent) for 1")}
    assert Delivery.objects.get(notification=retrying).status == "pending"  # its own retries carry on
    assert services.deliveries_requeue_stuck(now=now + timedelta(minutes=25)) == 0
    assert services.deliveries_requeue_stuck(now=now + timedelta(days=3)) == 0  # too old to send now


def test_the_requeue_job_is_scheduled(settings):
    from influmojo.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["chat.requeue_stuck_deliveries"]
    assert entry["task"] in app.tasks and entry["schedule"] <= 15 * 60
