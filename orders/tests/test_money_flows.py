"""Orders with payments' real services (sandbox gateway, no network): the money each move causes, read back
through payments' selectors and models, and the books balancing after every scenario."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.tests.factories import AgentFactory, CreatorUserFactory
from creators.tests.factories import PackageFactory
from influmojo.permissions import Actor
from orders.models import Order
from orders.services import cart, checkout, disputes, orders, timers
from orders.tests.conftest import future, pay_in_sandbox
from payments.models import Escrow, Payment, Payout, Refund
from payments.selectors import brand_spend, creator_earnings, ledger_check

pytestmark = pytest.mark.django_db
S = Order.Status


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def balanced():
    report = ledger_check()
    assert report.ok, report.problems


def place_and_pay(brand, *packages, commit):
    for package in packages:
        cart.cart_add_package(actor=Actor.of(brand), package_id=package.pk)
    with commit():
        outcome = checkout.checkout(actor=Actor.of(brand), requirements="Brief", deadline=future(days=14))
    with commit():
        pay_in_sandbox(outcome.payment)
    return [Order.objects.get(pk=order.pk) for order in outcome.orders], outcome.payment


def test_one_payment_holds_each_creators_order_in_escrow(brand, commit):
    orders_, payment = place_and_pay(brand, PackageFactory(price=Decimal("300.00")),
                                     PackageFactory(price=Decimal("200.00")), commit=commit)

    payment.refresh_from_db()
    assert payment.status == Payment.Status.COMPLETED and payment.amount == Decimal("500.00")
    assert {order.status for order in orders_} == {S.PAID}
    assert sorted(Escrow.objects.filter(payment=payment, status="held").values_list("amount", flat=True)) == [
        Decimal("200.00"), Decimal("300.00")]
    assert [(row.currency, row.charged) for row in brand_spend(actor=Actor.of(brand))] == [("USD", Decimal("500.00"))]
    balanced()


def test_approval_releases_the_creators_share_less_the_fee(brand, commit):
    creator = CreatorUserFactory()
    (order,), _ = place_and_pay(brand, PackageFactory(creator=creator, price=Decimal("500.00")), commit=commit)
    with commit():
        orders.order_accept(order_id=order.pk, actor=Actor.of(creator))
        orders.order_deliver(order_id=order.pk, actor=Actor.of(creator), links=["https://x.test/1"])
        orders.order_approve(order_id=order.pk, actor=Actor.of(brand))

    payout = Payout.objects.get(order=order)
    assert payout.amount == Decimal("475.00") and payout.status == Payout.Status.BLOCKED  # no payout account yet
    earnings = creator_earnings(actor=Actor.of(creator))
    assert [(row.total_earned, row.pending) for row in earnings.rows] == [(Decimal("475.00"), Decimal("0.00"))]
    assert not Refund.objects.filter(order=order).exists()
    balanced()


def test_declining_refunds_the_brand_in_full(brand, commit):
    (order,), payment = place_and_pay(brand, PackageFactory(price=Decimal("500.00")), commit=commit)

    with commit():
        orders.order_decline(order_id=order.pk, actor=Actor.of(order.creator))

    refund = Refund.objects.get(order=order)
    assert (refund.amount, refund.payment_id) == (Decimal("500.00"), payment.pk)
    assert not Payout.objects.filter(order=order).exists()
    balanced()


def test_a_split_dispute_refunds_part_and_releases_the_rest(brand, commit):
    (order,), _ = place_and_pay(brand, PackageFactory(price=Decimal("500.00")), commit=commit)
    with commit():
        orders.order_accept(order_id=order.pk, actor=Actor.of(order.creator))
        dispute = disputes.order_dispute(order_id=order.pk, actor=Actor.of(brand), reason="quality",
                                         description="Half of it")
        disputes.dispute_resolve(dispute_id=dispute.pk, actor=Actor.of(AgentFactory()), resolution="split",
                                 refund_amount=Decimal("125.50"), note="Half delivered")

    assert Refund.objects.get(order=order).amount == Decimal("125.50")
    # released 374.50; the fee on the released part at 5 % is 18.73 (half up)
    assert Payout.objects.get(order=order).amount == Decimal("355.77")
    escrow = Escrow.objects.get(order=order)
    assert (escrow.status, escrow.refund_amount, escrow.released_amount) == ("settled", Decimal("125.50"),
                                                                           Decimal("374.50"))
    balanced()


def test_the_acceptance_timer_refunds_through_payments(brand, commit):
    (order,), _ = place_and_pay(brand, PackageFactory(price=Decimal("500.00")), commit=commit)
    Order.objects.filter(pk=order.pk).update(accept_by=timezone.now() - datetime.timedelta(minutes=1))

    with commit():
        assert timers.run_order_timers()["acceptance_expired"] == 1

    assert Order.objects.get(pk=order.pk).status == S.CANCELLED
    assert Refund.objects.get(order=order).amount == Decimal("500.00")
    balanced()


def test_cancelling_one_unpaid_order_leaves_the_other_payable_on_its_own(brand, commit):
    for package in (PackageFactory(), PackageFactory()):
        cart.cart_add_package(actor=Actor.of(brand), package_id=package.pk)
    with commit():
        placed = checkout.checkout(actor=Actor.of(brand), requirements="Brief", deadline=future(days=14))
    first, second = placed.orders

    with commit():
        orders.order_cancel(order_id=first.pk, actor=Actor.of(brand))
    with commit():
        again = checkout.orders_pay(actor=Actor.of(brand), order_ids=[second.pk])
    with commit():
        pay_in_sandbox(again.payment)

    assert Payment.objects.get(pk=placed.payment.pk).status == Payment.Status.CANCELLED
    assert again.payment.pk != placed.payment.pk and again.payment.amount == second.subtotal
    assert list(Order.objects.filter(pk__in=[first.pk, second.pk]).order_by("pk").values_list("status", flat=True)) \
        == [S.CANCELLED, S.PAID]
    balanced()
