"""Fixtures of the orders tests.

`payments` records what orders asks of the payments side (payments.services: payment_start, payment_prepare,
payment_cancel, escrow_settle) and passes each call on to payments' real services (sandbox gateway, no
network); `fail_prepare` makes the gateway step fail. Money effects are read back through payments' own
selectors and rows in test_money_flows.py.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.utils import timezone

from creators.tests.factories import PackageFactory
from influmojo.errors import ApplicationError
from orders.models import Order, Submission
from orders.services import money
from orders.tests.factories import OrderFactory
from payments import services
from payments.gateways.sandbox import DEFAULT_CARD, TEST_CARDS, SandboxGateway
from payments.models import Payment
from payments.services.events import webhook_event_process


CONTRACT = ("payment_start", "payment_prepare", "payment_cancel", "escrow_settle")


@dataclass
class PaymentsRecorder:
    """payments' real services (sandbox gateway), each call recorded: what orders asked payments to do."""

    started: list = field(default_factory=list)  # (payment_id, [order ids])
    prepared: list = field(default_factory=list)  # payment ids
    cancelled: list = field(default_factory=list)  # payment ids
    settled: list = field(default_factory=list)  # (order_id, refund_amount, reason, actor role)
    fail_prepare: ApplicationError | None = None  # the gateway step fails with this instead

    def payment_start(self, *, payer, orders, actor):
        payment = services.payment_start(payer=payer, orders=orders, actor=actor)
        self.started.append((payment.pk, sorted(order.pk for order in orders)))
        return payment

    def payment_prepare(self, *, payment_id, actor):
        self.prepared.append(payment_id)
        if self.fail_prepare:
            raise self.fail_prepare
        return services.payment_prepare(payment_id=payment_id, actor=actor)

    def payment_cancel(self, *, payment_id, actor):
        payment = services.payment_cancel(payment_id=payment_id, actor=actor)
        self.cancelled.append(payment_id)
        return payment

    def escrow_settle(self, *, order_id, refund_amount, reason, actor):
        services.escrow_settle(order_id=order_id, refund_amount=refund_amount, reason=reason, actor=actor)
        self.settled.append((order_id, refund_amount, reason, actor.role))

    def refunds(self, order) -> list[Decimal]:
        return [refund for order_id, refund, *_ in self.settled if order_id == order.pk]


@pytest.fixture(autouse=True)
def payments(monkeypatch):
    recorder = PaymentsRecorder()
    for name in CONTRACT:
        monkeypatch.setattr(money, name, getattr(recorder, name))
    return recorder


@pytest.fixture
def package(creator):
    return PackageFactory(creator=creator, price=Decimal("500.00"), revisions=2, duration_days=7)


def future(**delta) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(**delta)


def order_in(status: str, *, brand=None, creator=None, **fields) -> Order:
    """An order as it stands in `status`, with the timer columns and submissions that status implies."""
    now = timezone.now()
    values = {"status": status}
    if brand is not None:
        values["brand"] = brand
    if creator is not None:
        values["creator"] = creator
    if status != Order.Status.PENDING_PAYMENT:
        values.update(paid_at=now, accept_by=now + datetime.timedelta(hours=72))
    if status in (Order.Status.IN_PROGRESS, Order.Status.DELIVERED, Order.Status.REVISION_REQUESTED,
                  Order.Status.COMPLETED, Order.Status.DISPUTED):
        values["accepted_at"] = now
    if status == Order.Status.DELIVERED:
        values.update(delivered_at=now, review_by=now + datetime.timedelta(days=3))
    values.update(fields)
    order = OrderFactory(**values)
    if status == Order.Status.DELIVERED:
        Submission.objects.create(deliverable=order.deliverable, version=1, message="Here it is",
                                  links=["https://instagram.com/p/1"], submitted_by=order.creator)
    return order


def pay_in_sandbox(payment: Payment) -> Payment:
    """The brand confirms on the sandbox's page: its success event goes through payments' event processing,
    as the provider's webhook would (run inside django_capture_on_commit_callbacks, or a transactional test)."""
    gateway = SandboxGateway()
    payment.refresh_from_db()
    intent = gateway.payment_intent_object(payment=payment, card=TEST_CARDS[DEFAULT_CARD], status="succeeded")
    webhook_event_process(gateway="sandbox", event=gateway.event(
        event_id=f"evt_{payment.provider_payment_id}_succeeded", type="payment_intent.succeeded", obj=intent))
    payment.refresh_from_db()
    return payment
