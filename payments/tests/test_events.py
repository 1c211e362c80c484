"""Provider events through webhook_event_process: stored once with their effect, applied by state, not by
arrival order; the same events delivered 1–5 times in any order have exactly one effect (a property test)."""

import json
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from django.db import transaction

from accounts.tests.factories import CreatorUserFactory
from influmojo.permissions import Actor
from orders.models import Order, OrderEvent
from payments import services
from payments.gateways.sandbox import DECLINE_CARD, TEST_CARDS, SandboxGateway
from payments.gateways.stripe import StripeGateway
from payments.models import Account, Escrow, JournalEntry, LedgerLine, Payment, Refund, WebhookEvent
from payments.tests.conftest import recorded, signed

pytestmark = pytest.mark.django_db
SANDBOX = SandboxGateway()


def event(payment, type, status, card=None, suffix=""):
    payment.refresh_from_db()
    obj = SANDBOX.payment_intent_object(payment=payment, card=card, status=status)
    return SANDBOX.event(event_id=f"evt_{payment.provider_payment_id}_{type}{suffix}", type=type, obj=obj)


def succeeded(payment):
    return event(payment, "payment_intent.succeeded", "succeeded", TEST_CARDS["4242424242424242"])


def failed(payment, attempt=1):
    return event(payment, "payment_intent.payment_failed", "requires_payment_method", TEST_CARDS[DECLINE_CARD],
                 suffix=f"_{attempt}")


def processing(payment):
    return event(payment, "payment_intent.processing", "processing")


def test_success_completes_books_each_order_and_marks_it_paid(money, brand, creator, books):
    first = money.order(brand=brand, creator=creator, subtotal="500.00")
    second = money.order(brand=brand, creator=CreatorUserFactory(), subtotal="120.25")
    payment = money.start(brand, first, second)
    money.prepare(payment)

    record, first_time = money.deliver(succeeded(payment))

    payment.refresh_from_db()
    assert first_time and record.outcome == f"payment {payment.pk} completed: 2 order(s) paid"
    assert (payment.status, payment.transaction_id, payment.method) == (
        "completed", f"ch_sandbox_{payment.pk}", "Visa •••• 4242")
    assert payment.paid_at is not None
    assert set(Order.objects.values_list("status", flat=True)) == {"paid"}
    assert set(Escrow.objects.values_list("status", flat=True)) == {"held"}
    lines = sorted(LedgerLine.objects.values_list("order_id", "account", "amount", "party_id"))
    assert lines == sorted([
        (first.pk, Account.CASH, Decimal("500.00"), brand.pk), (first.pk, Account.ESCROW, Decimal("-500.00"), None),
        (second.pk, Account.CASH, Decimal("120.25"), brand.pk), (second.pk, Account.ESCROW, Decimal("-120.25"), None),
    ])
    assert JournalEntry.objects.filter(kind="charge").count() == 2
    books()


def test_a_duplicate_changes_nothing(money, brand, creator, books):
    payment = money.start(brand, money.order(brand=brand, creator=creator))
    money.prepare(payment)
    money.deliver(succeeded(payment))

    record, first_time = money.deliver(succeeded(payment))

    assert not first_time and record.outcome.startswith(f"payment {payment.pk} completed")
    assert JournalEntry.objects.count() == 1 and WebhookEvent.objects.count() == 1
    assert OrderEvent.objects.filter(new_status="paid").count() == 1
    books()


def test_a_failure_after_success_changes_nothing(money, brand, creator, books):
    payment = money.start(brand, money.order(brand=brand, creator=creator))
    money.prepare(payment)
    money.deliver(succeeded(payment))

    record, _ = money.deliver(failed(payment))

    assert record.outcome == f"ignored: payment {payment.pk} is completed"
    assert Payment.objects.get(pk=payment.pk).status == "completed"
    books()


def test_a_failure_then_a_success(money, brand, creator, books):
    payment = money.start(brand, money.order(brand=brand, creator=creator))
    money.prepare(payment)

    money.deliver(failed(payment))
    payment.refresh_from_db()
    assert (payment.status, payment.failure_code) == ("failed", "generic_decline")
    assert payment.failure_message == "Your card was declined."
    money.deliver(failed(payment, attempt=2))
    money.deliver(processing(payment))
    assert Payment.objects.get(pk=payment.pk).status == "processing"
    money.deliver(succeeded(payment))

    payment.refresh_from_db()
    assert (payment.status, payment.failure_code) == ("completed", "")
    books()


def test_unknown_intents_and_unknown_types_are_stored_and_ignored(money):
    stray = SANDBOX.event(event_id="evt_stray", type="payment_intent.succeeded",
                          obj={"id": "pi_sandbox_999", "amount": 100, "currency": "usd", "metadata": {}})
    other = SANDBOX.event(event_id="evt_other", type="customer.subscription.created", obj={"id": "sub_1"})

    assert money.deliver(stray)[0].outcome == "ignored: unknown payment intent pi_sandbox_999"
    assert money.deliver(other)[0].outcome == "ignored: customer.subscription.created is not an event we act on"
    assert WebhookEvent.objects.count() == 2 and not JournalEntry.objects.exists()


def test_an_order_cancelled_before_the_money_arrived_gets_its_share_back(money, brand, creator, books):
    kept = money.order(brand=brand, creator=creator, subtotal="500.00")
    gone = money.order(brand=brand, creator=CreatorUserFactory(), subtotal="300.00")
    payment = money.start(brand, kept, gone)
    money.prepare(payment)
    Order.objects.filter(pk=gone.pk).update(status=Order.Status.CANCELLED)

    record, _ = money.deliver(succeeded(payment))

    payment.refresh_from_db()
    assert record.outcome == f"payment {payment.pk} completed: 1 order(s) paid, 1 refunded"
    assert Escrow.objects.get(order=gone).status == "returned" and Escrow.objects.get(order=kept).status == "held"
    refund = Refund.objects.get()
    assert (refund.order_id, refund.amount, refund.status) == (gone.pk, Decimal("300.00"), "succeeded")
    assert "no longer waiting" in refund.reason
    assert (payment.status, payment.amount_refunded) == ("completed", Decimal("300.00"))
    assert Order.objects.get(pk=kept.pk).status == "paid" and Order.objects.get(pk=gone.pk).status == "cancelled"
    books()


def test_money_that_arrives_after_the_payment_was_cancelled_is_booked_and_returned(money, brand, creator, books):
    order = money.order(brand=brand, creator=creator)
    payment = money.start(brand, order)
    money.prepare(payment)
    with money.commit():
        services.payment_cancel(payment_id=payment.pk, actor=Actor.of(brand))
    Order.objects.filter(pk=order.pk).update(payment=None)  # as orders does when it abandons a payment

    money.deliver(succeeded(payment))

    payment.refresh_from_db()
    assert (payment.status, payment.amount_refunded) == ("refunded", Decimal("500.00"))
    assert Order.objects.get(pk=order.pk).status == "pending_payment"  # still payable on its own
    assert Escrow.objects.get().status == "returned"
    books()


def test_an_order_paid_twice_books_the_second_payment_and_returns_it(money, brand, creator, books):
    order = money.order(brand=brand, creator=creator)
    first = money.start(brand, order)
    money.prepare(first)
    second = money.start(brand, order)  # paid again in another tab: orders now points at the second
    money.prepare(second)

    money.deliver(succeeded(second))
    money.deliver(succeeded(first))

    assert Order.objects.get(pk=order.pk).payment_id == second.pk
    assert Payment.objects.get(pk=second.pk).status == "completed"
    assert Payment.objects.get(pk=first.pk).status == "refunded"
    assert JournalEntry.objects.filter(kind="charge", order=order).count() == 2
    assert list(Escrow.objects.order_by("payment_id").values_list("status", flat=True)) == ["returned", "held"]
    books()


def test_an_intent_whose_id_was_never_stored_is_found_by_our_id(money, brand, creator, books):
    payment = money.start(brand, money.order(brand=brand, creator=creator))
    payment.provider_payment_id = f"pi_sandbox_{payment.pk}"  # the gateway made it; we never saved the id
    obj = SANDBOX.payment_intent_object(payment=payment, card=TEST_CARDS["4242424242424242"], status="succeeded")

    money.deliver(SANDBOX.event(event_id="evt_late", type="payment_intent.succeeded", obj=obj))

    payment = Payment.objects.get(pk=payment.pk)
    assert (payment.status, payment.provider_payment_id) == ("completed", f"pi_sandbox_{payment.pk}")
    books()


def test_a_wrong_amount_is_not_booked(money, brand, creator):
    payment = money.start(brand, money.order(brand=brand, creator=creator))
    money.prepare(payment)
    wrong = succeeded(payment)
    wrong.object["amount_received"] = 100

    record, _ = money.deliver(wrong)

    assert record.outcome.startswith("ignored: received 100 USD")
    assert Payment.objects.get(pk=payment.pk).status == "pending" and not JournalEntry.objects.exists()


def _stripe_payment(money, brand, creator):
    payment = money.start(brand, money.order(brand=brand, creator=creator, subtotal="500.00"))
    Payment.objects.filter(pk=payment.pk).update(gateway="stripe", provider_payment_id="pi_3QxKp2LkdIwHu7ix0Zt8aB1c")
    return payment


def _stripe_event(name):
    body = json.dumps(recorded(name)).encode()
    return StripeGateway().parse_webhook(body, signed(body))


@pytest.mark.parametrize("charge_first", [True, False])
def test_stripe_success_and_its_charge_in_either_order(money, brand, creator, stripe_settings, books, charge_first):
    payment = _stripe_payment(money, brand, creator)
    events = [_stripe_event("event_charge_succeeded.json"), _stripe_event("event_payment_intent_succeeded.json")]

    for item in events if charge_first else events[::-1]:
        with money.commit():
            services.webhook_event_process(gateway="stripe", event=item)

    payment.refresh_from_db()
    assert (payment.status, payment.transaction_id, payment.method) == (
        "completed", "ch_3QxKp2LkdIwHu7ix0mN6oP7q", "Visa •••• 4242")
    books()


def test_stripe_failure_keeps_the_reason(money, brand, creator, stripe_settings):
    payment = _stripe_payment(money, brand, creator)

    services.webhook_event_process(gateway="stripe", event=_stripe_event("event_payment_intent_payment_failed.json"))

    payment.refresh_from_db()
    assert (payment.status, payment.failure_code, payment.failure_message) == (
        "failed", "insufficient_funds", "Your card has insufficient funds.")


def test_events_of_one_gateway_never_touch_another_gateways_payment(money, brand, creator):
    payment = _stripe_payment(money, brand, creator)  # a Stripe payment; the event claims to be the sandbox's
    forged = SANDBOX.event(event_id="evt_x", type="payment_intent.succeeded",
                           obj={"id": payment.provider_payment_id, "amount_received": 50000, "currency": "usd",
                                "metadata": {"payment_id": str(payment.pk)}})

    assert money.deliver(forged)[0].outcome.startswith("ignored: unknown payment intent")
    assert Payment.objects.get(pk=payment.pk).status == "pending"


# --- The property: any number of deliveries, in any order, one effect -------------------------------------------
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_payment_events_delivered_1_to_5_times_in_any_order_have_one_effect(data, money, brand, creator):
    with transaction.atomic():
        orders = [money.order(brand=brand, creator=creator, subtotal="500.00"),
                  money.order(brand=brand, creator=creator, subtotal="99.99")]
        payment = money.start(brand, *orders)
        money.prepare(payment)
        kinds = [processing(payment), failed(payment), succeeded(payment),
                 SANDBOX.event(event_id=f"evt_{payment.pk}_unknown", type="balance.available", obj={"id": "b"})]
        deliveries = [item for item in kinds for _ in range(data.draw(st.integers(1, 5)))]
        deliveries = data.draw(st.permutations(deliveries))

        for item in deliveries:
            money.deliver(item)

        payment.refresh_from_db()
        assert payment.status == "completed" and payment.method == "Visa •••• 4242"
        assert WebhookEvent.objects.filter(event_id__contains=str(payment.pk)).count() == 4
        assert JournalEntry.objects.filter(payment=payment, kind="charge").count() == 2
        for order in orders:
            assert OrderEvent.objects.filter(order=order, new_status="paid").count() == 1
        report = services_ledger_check()
        assert report.ok, report.problems
        transaction.set_rollback(True)


def services_ledger_check():
    from payments.selectors import ledger_check

    return ledger_check()
