"""payments.notify: the brand's receipt, the creator's payout, the brand's refund — told through notify() once the
change commits, once each (a webhook delivered twice tells nobody twice)."""

from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import reverse

from chat.models import Notification
from influmojo.permissions import Actor
from payments.models import Payment, Payout, Refund
from payments.tests.factories import ConnectedAccountFactory

pytestmark = pytest.mark.django_db


def told(user, event):
    return Notification.objects.filter(user=user, type="payments", event=event)


def test_the_brand_gets_a_receipt_when_the_money_arrives(money, brand, creator, mailoutbox):
    first = money.order(brand=brand, creator=creator, subtotal="300.00")
    second = money.order(brand=brand, creator=creator, subtotal="200.00")
    payment = money.start(brand, first, second)

    money.pay(payment)

    (receipt,) = told(brand, "payment.received")
    assert receipt.title == "Payment of 500.00 USD received"
    assert f"It pays for {first.number}, {second.number} and is held safely" in receipt.body
    assert receipt.url == reverse("payment_detail", kwargs={"payment_id": payment.pk})
    assert receipt.data == {"payment_id": payment.pk, "amount": "500.00", "currency": "USD",
                            "order_ids": [first.pk, second.pk]}
    assert not told(creator, "payment.received").exists()  # the creator hears order.paid from orders
    assert "[Influmojo] Payment of 500.00 USD received" in [mail.subject for mail in mailoutbox]


def test_the_same_success_event_twice_sends_one_receipt(money, brand, creator):
    payment = money.start(brand, money.order(brand=brand, creator=creator))
    money.prepare(payment)
    event = money.succeed_event(payment)

    money.deliver(event)
    money.deliver(event)

    assert told(brand, "payment.received").count() == 1


def test_a_payout_tells_the_creator(money, brand, creator):
    ConnectedAccountFactory(user=creator)
    order = money.paid_order(brand=brand, creator=creator)

    money.settle(order, actor=Actor.of(brand))

    (sent,) = told(creator, "payout.sent")
    payout = Payout.objects.get()
    assert sent.title == "Payout of 475.00 USD sent" and order.number in sent.body
    assert sent.url == reverse("creator_earnings")
    assert sent.data == {"payout_id": payout.pk, "order_id": order.pk, "amount": "475.00", "currency": "USD"}


def test_a_blocked_payout_says_nothing_until_it_is_paid(money, brand, creator):
    order = money.paid_order(brand=brand, creator=creator)

    money.settle(order)

    assert Payout.objects.get().status == "blocked" and not told(creator, "payout.sent").exists()


def test_a_refund_tells_the_brand_once_the_issuer_accepted_it(money, brand, creator):
    order = money.paid_order(brand=brand, creator=creator)

    money.settle(order, refund="200.00", actor=Actor.of(creator), reason="partly declined")

    (issued,) = told(brand, "refund.issued")
    refund = Refund.objects.get()
    assert issued.title == "Refund of 200.00 USD issued" and order.number in issued.body
    assert issued.data == {"refund_id": refund.pk, "payment_id": refund.payment_id, "order_id": order.pk,
                           "amount": "200.00", "currency": "USD"}


def test_a_settlement_that_rolls_back_tells_nobody(money, brand, creator, commit):
    ConnectedAccountFactory(user=creator)
    order = money.paid_order(brand=brand, creator=creator)
    from payments import services

    with commit():
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                services.escrow_settle(order_id=order.pk, refund_amount=Decimal("100.00"), reason="split",
                                       actor=Actor.system())
                raise RuntimeError("a later step failed")

    assert not told(brand, "refund.issued").exists() and not told(creator, "payout.sent").exists()
    assert Payment.objects.get().amount_refunded == Decimal("0.00")
