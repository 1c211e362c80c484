"""Fixtures of the payments tests: checkouts paid through the sandbox, Stripe faked at the HTTP boundary.

`money` drives the sandbox flow as the orders app and the provider would (orders point at the payment,
the sandbox's success event goes through webhook_event_process); `stripe_api` is a `responses` mock that the
real `stripe` library's requests must match; `signed` builds a Stripe-Signature header.
"""

import hashlib
import hmac
import json
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qsl

import pytest
import responses
from django.db import transaction

from influmojo.permissions import Actor
from orders.models import Order
from orders.tests.factories import OrderFactory
from payments import services
from payments.gateways.sandbox import DEFAULT_CARD, TEST_CARDS, SandboxGateway
from payments.models import Payment
from payments.selectors import ledger_check
from payments.services.events import webhook_event_process

RECORDED = Path(__file__).parent / "recorded"
STRIPE = "https://api.stripe.com"
WEBHOOK_SECRET = "whsec_test_5fJ1r7Yk2m0pQ8sV"


def recorded(name: str, **changes) -> dict:
    data = json.loads((RECORDED / name).read_text())
    data.update(changes)
    return data


def form(call) -> dict:
    """The form body the stripe library sent, flat: {"metadata[payment_id]": "1", …}."""
    body = call.request.body or ""
    return dict(parse_qsl(body.decode() if isinstance(body, bytes) else body, keep_blank_values=True))


def signed(body: bytes, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    signature = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={signature}"


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """`with commit(): …` runs what the block queued on commit (tasks are eager), like a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def books():
    """Assert the ledger balances: `books()` after each scenario."""

    def check():
        report = ledger_check()
        assert report.ok, report.problems
        return report

    return check


class Money:
    """The sandbox flow driven as orders and the provider drive it."""

    gateway = "sandbox"  # the stripe tests set "stripe"

    def __init__(self, commit):
        self.commit = commit

    def order(self, *, brand, creator, subtotal="500.00", currency="USD", **fields) -> Order:
        return OrderFactory(brand=brand, creator=creator, subtotal=Decimal(subtotal), currency=currency, **fields)

    def start(self, brand, *orders) -> Payment:
        with transaction.atomic():
            payment = services.payment_start(payer=brand, orders=list(orders), actor=Actor.of(brand))
            Order.objects.filter(pk__in=[order.pk for order in orders]).update(payment=payment)
        return payment

    def prepare(self, payment: Payment) -> Payment:
        return services.payment_prepare(payment_id=payment.pk, actor=Actor.of(payment.payer)).payment

    def succeed_event(self, payment: Payment, card: str = DEFAULT_CARD):
        gateway = SandboxGateway()
        payment.refresh_from_db()
        return gateway.event(event_id=f"evt_{payment.provider_payment_id}_succeeded", type="payment_intent.succeeded",
                             obj=gateway.payment_intent_object(payment=payment, card=TEST_CARDS[card],
                                                               status="succeeded"))

    def deliver(self, event, gateway: str | None = None):
        """Hand `event` to webhook_event_process (the sandbox's, or `gateway`'s) and run what it queued."""
        with self.commit():
            return webhook_event_process(gateway=gateway or self.gateway, event=event)

    def pay(self, payment: Payment) -> Payment:
        self.prepare(payment)
        self.deliver(self.succeed_event(payment))
        payment.refresh_from_db()
        return payment

    def paid_order(self, *, brand, creator, **fields) -> Order:
        order = self.order(brand=brand, creator=creator, **fields)
        self.pay(self.start(brand, order))
        order.refresh_from_db()
        return order

    def settle(self, order: Order, refund="0.00", actor=None, reason="approved"):
        with self.commit():
            return services.escrow_settle(order_id=order.pk, refund_amount=Decimal(refund), reason=reason,
                                          actor=actor or Actor.system())


@pytest.fixture
def money(commit):
    return Money(commit)


@pytest.fixture
def stripe_settings(settings):
    settings.PAYMENT_GATEWAY = "stripe"
    settings.STRIPE_SECRET_KEY = "sk_test_51Influmojo000000000000000000"
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_51Influmojo000000000000000000"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_API_VERSION = ""
    return settings


@pytest.fixture
def stripe_api(stripe_settings):
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mocked:
        yield mocked
