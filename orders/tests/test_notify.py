"""orders.notify: who is told of each change (through chat's notify(): in the app, live, by e-mail and push), after
the transaction commits (never for a rollback)."""

import pytest
from django.db import transaction
from django.urls import reverse

from accounts.tests.factories import AgentFactory, CreatorUserFactory
from chat.models import Notification
from influmojo.permissions import Actor
from orders.models import Order
from orders import tasks
from orders.services import disputes, offers, orders
from orders.tests.conftest import order_in
from orders.tests.factories import CustomOfferFactory

pytestmark = pytest.mark.django_db
S = Order.Status


@pytest.fixture
def sent(mailoutbox, django_capture_on_commit_callbacks):
    """`with sent() as mails:` runs the block, commits, and gives [(recipient, subject), …]."""

    class Capture:
        def __enter__(self):
            self.callbacks = django_capture_on_commit_callbacks(execute=True)
            self.callbacks.__enter__()
            self.before = len(mailoutbox)
            self.mails = []
            return self.mails

        def __exit__(self, *exc):
            self.callbacks.__exit__(*exc)
            self.mails.extend((mail.to[0], mail.subject) for mail in mailoutbox[self.before:])
            return False

    return Capture


def brand_of(order):
    return Actor.of(order.brand)


def creator_of(order):
    return Actor.of(order.creator)


@pytest.mark.parametrize("status,act,side,subject", [
    (S.PAID, lambda o: orders.order_accept(order_id=o.pk, actor=creator_of(o)), "brand", "was accepted"),
    (S.PAID, lambda o: orders.order_decline(order_id=o.pk, actor=creator_of(o)), "brand", "was declined"),
    (S.PAID, lambda o: orders.order_extend_acceptance(order_id=o.pk, actor=creator_of(o)), "brand", "More time"),
    (S.IN_PROGRESS, lambda o: orders.order_deliver(order_id=o.pk, actor=creator_of(o), links=["https://x.test/1"]),
     "brand", "was delivered"),
    (S.DELIVERED, lambda o: orders.order_request_revision(order_id=o.pk, actor=brand_of(o), feedback="Redo"),
     "creator", "revision was requested"),
    (S.DELIVERED, lambda o: orders.order_approve(order_id=o.pk, actor=brand_of(o)), "creator", "is completed"),
    (S.PAID, lambda o: orders.order_cancel(order_id=o.pk, actor=brand_of(o)), "creator", "was cancelled"),
    (S.IN_PROGRESS, lambda o: orders.order_cancel(order_id=o.pk, actor=creator_of(o)), "brand",
     "Cancellation requested"),
    (S.IN_PROGRESS, lambda o: disputes.order_dispute(order_id=o.pk, actor=creator_of(o), reason="other",
                                                     description="Brief changed"), "brand", "dispute was opened"),
])
def test_the_other_side_is_told(sent, status, act, side, subject):
    order = order_in(status)

    with sent() as mails:
        act(order)

    assert len(mails) == 1
    recipient, text = mails[0]
    assert recipient == getattr(order, side).email and subject in text and order.number in text


def test_a_paid_order_is_announced_to_the_creator(sent):
    order = order_in(S.PENDING_PAYMENT)
    Order.objects.filter(pk=order.pk).update(payment_id=None)

    with sent() as mails:
        orders.order_transition(order_id=order.pk, to=S.PAID, actor=Actor.system())

    assert mails == [(order.creator.email, f"[Influmojo] New order {order.number}: please accept or decline")]


def test_the_timers_and_agents_tell_both_sides(sent):
    order = order_in(S.DELIVERED)
    dispute = disputes.order_dispute(order_id=order.pk, actor=brand_of(order), reason="quality", description="Blurry")

    with sent() as mails:
        disputes.dispute_resolve(dispute_id=dispute.pk, actor=Actor.of(AgentFactory()), resolution="split",
                                 refund_amount="100.00", note="Half the pieces were fine")

    assert sorted(recipient for recipient, _ in mails) == sorted([order.brand.email, order.creator.email])
    assert all("was resolved" in subject for _, subject in mails)


def test_an_unpaid_order_cancelled_by_its_brand_tells_nobody(sent):
    order = order_in(S.PENDING_PAYMENT)

    with sent() as mails:
        orders.order_cancel(order_id=order.pk, actor=brand_of(order))

    assert mails == []


def test_offers_are_announced_and_answered(sent):
    offer = CustomOfferFactory()

    with sent() as mails:
        offers.offer_accept(offer_id=offer.pk, actor=Actor.of(offer.brand))

    assert mails == [(offer.creator.email, f"[Influmojo] Your offer \u201c{offer.title}\u201d was accepted")]


def test_nothing_is_sent_for_a_change_that_rolled_back(sent):
    order = order_in(S.PAID)

    with sent() as mails:
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                orders.order_accept(order_id=order.pk, actor=creator_of(order))
                raise RuntimeError("later step failed")

    assert mails == []
    assert Order.objects.get(pk=order.pk).status == S.PAID


def test_an_email_has_a_text_and_an_html_body(mailoutbox, django_capture_on_commit_callbacks):
    order = order_in(S.IN_PROGRESS)

    with django_capture_on_commit_callbacks(execute=True):
        orders.order_deliver(order_id=order.pk, actor=creator_of(order), links=["https://x.test/1"])

    mail = mailoutbox[0]
    html = mail.alternatives[0][0]
    assert f"Hi {order.brand.display_name}" in mail.body and "/orders/" in mail.body
    assert "approve it, or ask for a revision (2 left)" in mail.body and "<a href=" in html


def test_each_email_is_a_notification_in_the_app_too(sent):
    order = order_in(S.IN_PROGRESS)

    with sent() as mails:
        orders.order_deliver(order_id=order.pk, actor=creator_of(order), links=["https://x.test/1"])

    (notification,) = Notification.objects.all()
    assert (notification.user, notification.type, notification.event) == (order.brand, "orders", "order.delivered")
    assert mails == [(order.brand.email, f"[Influmojo] {notification.title}")]
    assert notification.url == reverse("order_detail", kwargs={"order_id": order.pk})
    assert "approve it, or ask for a revision (2 left)" in notification.body
    assert notification.data == {"order_id": order.pk, "number": order.number, "status": "delivered",
                                 "subtotal": str(order.subtotal), "currency": order.currency,
                                 "brand": order.brand.display_name, "creator": order.creator.display_name}


def test_the_email_shows_the_order_line(mailoutbox, django_capture_on_commit_callbacks):
    order = order_in(S.PAID)

    with django_capture_on_commit_callbacks(execute=True):
        orders.order_accept(order_id=order.pk, actor=creator_of(order))

    (mail,) = mailoutbox
    assert (f"Order {order.number} · {order.subtotal} {order.currency} · {order.brand.display_name} ↔ "
            f"{order.creator.display_name}") in mail.body


def test_a_retried_task_tells_nobody_twice(sent):
    order = order_in(S.PAID)
    with sent() as mails:
        orders.order_accept(order_id=order.pk, actor=creator_of(order))
    event = order.events.latest("id")

    with sent() as again:
        tasks.notify_order_event.delay(event="order_accepted", recipient_id=order.brand_id, order_id=order.pk,
                                       event_id=event.pk)

    assert len(mails) == 1 and again == [] and Notification.objects.count() == 1


def test_names_are_plain_text_in_the_notification(sent):
    order = order_in(S.PAID, creator=CreatorUserFactory(name="Tom & Jerry's Studio"))

    with sent():
        orders.order_accept(order_id=order.pk, actor=creator_of(order))

    assert Notification.objects.get().body.startswith("Tom & Jerry's Studio accepted your order")


def test_a_brand_that_turned_order_emails_off_is_still_told_in_the_app(sent):
    order = order_in(S.PAID)
    order.brand.notification_preferences = {"orders": {"email": False}}
    order.brand.save(update_fields=["notification_preferences"])

    with sent() as mails:
        orders.order_accept(order_id=order.pk, actor=creator_of(order))

    assert mails == [] and Notification.objects.get().user == order.brand
