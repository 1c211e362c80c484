"""payment_start / payment_prepare / payment_cancel (the contract with orders) and the status doors."""

import itertools
from decimal import Decimal

import pytest
from responses import matchers

from accounts.tests.factories import BrandUserFactory, CreatorUserFactory
from influmojo.errors import ApplicationError, InvalidTransition, NotFound, PermissionDenied
from influmojo.permissions import Actor
from orders.models import Order
from payments import services
from payments.gateways import GatewayUnavailable
from payments.models import Customer, Escrow, JournalEntry, Payment, Payout, Refund
from payments.services.common import check_transition
from payments.tests.conftest import STRIPE, form, recorded

pytestmark = pytest.mark.django_db
PI = "pi_3QxKp2LkdIwHu7ix0Zt8aB1c"


# --- payment_start ------------------------------------------------------------------------------------------
def test_start_makes_one_pending_payment_for_the_orders_without_the_gateway(money, brand, creator, stripe_api):
    first = money.order(brand=brand, creator=creator, subtotal="500.00")
    second = money.order(brand=brand, creator=CreatorUserFactory(), subtotal="1250.55")

    payment = services.payment_start(payer=brand, orders=[second, first], actor=Actor.of(brand))

    assert (payment.status, payment.amount, payment.currency, payment.gateway) == (
        "pending", Decimal("1750.55"), "USD", "stripe")
    assert payment.idempotency_key.startswith("payment-") and payment.payer == brand
    assert list(payment.escrows.values_list("order_id", "amount", "status")) == [
        (first.pk, Decimal("500.00"), "awaiting_payment"), (second.pk, Decimal("1250.55"), "awaiting_payment")]
    assert not stripe_api.calls and not JournalEntry.objects.exists()


def test_each_payment_has_its_own_key(money, brand, creator):
    keys = {money.start(brand, money.order(brand=brand, creator=creator)).idempotency_key for _ in range(3)}

    assert len(keys) == 3


def _refusal(case, brand, creator, money):
    if case == "empty":
        return [], Actor.of(brand)
    if case == "duplicate":
        order = money.order(brand=brand, creator=creator)
        return [order, order], Actor.of(brand)
    if case == "mixed_currencies":
        return [money.order(brand=brand, creator=creator),
                money.order(brand=brand, creator=creator, currency="EUR")], Actor.of(brand)
    if case == "not_pending":
        return [money.order(brand=brand, creator=creator, status=Order.Status.PAID)], Actor.of(brand)
    if case == "someone_elses_order":
        return [money.order(brand=BrandUserFactory(), creator=creator)], Actor.of(brand)
    if case == "other_actor":
        return [money.order(brand=brand, creator=creator)], Actor.of(BrandUserFactory())
    if case == "zero_decimal_currency":
        return [money.order(brand=brand, creator=creator, subtotal="15000.00", currency="JPY")], Actor.of(brand)
    raise AssertionError(case)


@pytest.mark.parametrize(("case", "error", "code"), [
    ("empty", ApplicationError, "no_orders"),
    ("duplicate", ApplicationError, "duplicate_orders"),
    ("mixed_currencies", ApplicationError, "mixed_currencies"),
    ("not_pending", InvalidTransition, "order_not_payable"),
    ("someone_elses_order", NotFound, "not_found"),
    ("other_actor", PermissionDenied, "permission_denied"),
    ("zero_decimal_currency", ApplicationError, "currency_not_supported"),
])
def test_start_refuses(money, brand, creator, case, error, code):
    orders, actor = _refusal(case, brand, creator, money)

    with pytest.raises(error) as caught:
        services.payment_start(payer=brand, orders=orders, actor=actor)

    assert caught.value.code == code and caught.value.message
    assert not Payment.objects.exists() and not Escrow.objects.exists()


def test_the_system_may_start_a_payment_for_a_brand(money, brand, creator):
    order = money.order(brand=brand, creator=creator)

    assert services.payment_start(payer=brand, orders=[order], actor=Actor.system()).status == "pending"


# --- payment_prepare ----------------------------------------------------------------------------------------
def test_prepare_in_the_sandbox_answers_its_confirmation_page(money, brand, creator):
    payment = money.start(brand, money.order(brand=brand, creator=creator))

    info = services.payment_prepare(payment_id=payment.pk, actor=Actor.of(brand))
    again = services.payment_prepare(payment_id=payment.pk, actor=Actor.of(brand))

    assert info.gateway == "sandbox" and info.confirm_url == f"/payments/sandbox/{payment.pk}/"
    assert info.payment.provider_payment_id == f"pi_sandbox_{payment.pk}"
    assert info.client_secret.startswith(f"pi_sandbox_{payment.pk}_secret_")
    assert again.client_secret == info.client_secret
    assert Customer.objects.get(user=brand).provider_customer_id == f"cus_sandbox_{brand.pk}"


def test_prepare_with_stripe_creates_the_intent_once_with_the_payments_key(money, brand, creator, stripe_api):
    payment = money.start(brand, money.order(brand=brand, creator=creator, subtotal="1250.00"))
    stripe_api.post(f"{STRIPE}/v1/customers", json=recorded("customer.json"),
                    match=[matchers.header_matcher(
                        {"Idempotency-Key": f"customer-{brand.pk}-{int(brand.created_at.timestamp())}"})])
    stripe_api.post(f"{STRIPE}/v1/payment_intents", json=recorded("payment_intent.json"),
                    match=[matchers.header_matcher({"Idempotency-Key": payment.idempotency_key})])

    info = services.payment_prepare(payment_id=payment.pk, actor=Actor.of(brand))
    again = services.payment_prepare(payment_id=payment.pk, actor=Actor.of(brand))

    body = form(stripe_api.calls[1])
    assert (body["amount"], body["currency"], body["customer"]) == ("125000", "usd", "cus_RkL2p9QmZs81Xa")
    assert body["transfer_group"] == f"payment-{payment.pk}" and body["metadata[payment_id]"] == str(payment.pk)
    assert body["automatic_payment_methods[enabled]"] == "true"
    assert (info.gateway, info.confirm_url) == ("stripe", None)
    assert info.publishable_key == "pk_test_51Influmojo000000000000000000"
    assert info.payment.provider_payment_id == PI and info.client_secret.startswith(PI)
    assert again.client_secret == info.client_secret and len(stripe_api.calls) == 2  # reused, not asked again


def test_a_gateway_outage_leaves_the_payment_pending_and_the_retry_sends_the_same_key(money, brand, creator,
                                                                                    stripe_api):
    payment = money.start(brand, money.order(brand=brand, creator=creator, subtotal="1250.00"))
    stripe_api.post(f"{STRIPE}/v1/customers", json=recorded("customer.json"))
    stripe_api.post(f"{STRIPE}/v1/payment_intents", status=503, json=recorded("error_api.json"))
    stripe_api.post(f"{STRIPE}/v1/payment_intents", json=recorded("payment_intent.json"))

    with pytest.raises(GatewayUnavailable) as caught:
        services.payment_prepare(payment_id=payment.pk, actor=Actor.of(brand))
    payment.refresh_from_db()
    assert (caught.value.status, caught.value.code) == (502, "gateway_unavailable")
    assert payment.status == "pending" and payment.provider_payment_id is None

    services.payment_prepare(payment_id=payment.pk, actor=Actor.of(brand))

    keys = [call.request.headers["Idempotency-Key"] for call in stripe_api.calls[1:]]
    assert keys == [payment.idempotency_key, payment.idempotency_key]
    assert Payment.objects.get(pk=payment.pk).provider_payment_id == PI


def test_prepare_someone_elses_payment_is_404_and_a_paid_one_is_409(money, brand, creator):
    payment = money.start(brand, money.order(brand=brand, creator=creator))

    with pytest.raises(NotFound):
        services.payment_prepare(payment_id=payment.pk, actor=Actor.of(BrandUserFactory()))
    with pytest.raises(NotFound):
        services.payment_prepare(payment_id=payment.pk, actor=Actor.of(creator))
    money.pay(payment)
    with pytest.raises(InvalidTransition) as caught:
        services.payment_prepare(payment_id=payment.pk, actor=Actor.of(brand))
    assert caught.value.code == "payment_not_open"


# --- payment_cancel -----------------------------------------------------------------------------------------
def test_cancel_abandons_the_payment_and_cancels_the_intent_on_commit(money, brand, creator, stripe_api, commit):
    payment = money.start(brand, money.order(brand=brand, creator=creator))
    Payment.objects.filter(pk=payment.pk).update(provider_payment_id=PI)
    stripe_api.post(f"{STRIPE}/v1/payment_intents/{PI}/cancel", json=recorded("payment_intent_canceled.json"),
                    match=[matchers.header_matcher({"Idempotency-Key": f"{payment.idempotency_key}-cancel"})])

    with commit():
        cancelled = services.payment_cancel(payment_id=payment.pk, actor=Actor.of(brand))
        assert not stripe_api.calls  # not before the commit

    assert cancelled.status == "cancelled" and len(stripe_api.calls) == 1


def test_a_cancel_that_comes_too_late_at_the_gateway_is_left_to_the_events(money, brand, creator, stripe_api,
                                                                          commit):
    payment = money.start(brand, money.order(brand=brand, creator=creator))
    Payment.objects.filter(pk=payment.pk).update(provider_payment_id=PI)
    stripe_api.post(f"{STRIPE}/v1/payment_intents/{PI}/cancel", status=400,
                    json=recorded("error_intent_succeeded.json"))

    with commit():
        services.payment_cancel(payment_id=payment.pk, actor=Actor.system())

    assert Payment.objects.get(pk=payment.pk).status == "cancelled"


def test_a_never_prepared_payment_is_cancelled_without_the_gateway(money, brand, creator, stripe_api, commit):
    payment = money.start(brand, money.order(brand=brand, creator=creator))

    with commit():
        services.payment_cancel(payment_id=payment.pk, actor=Actor.of(brand))

    assert not stripe_api.calls


@pytest.mark.parametrize("status", ["processing", "completed", "refunded", "cancelled"])
def test_cancel_refuses_a_payment_that_is_not_open(money, brand, creator, status):
    payment = money.start(brand, money.order(brand=brand, creator=creator))
    Payment.objects.filter(pk=payment.pk).update(status=status)

    with pytest.raises(InvalidTransition):
        services.payment_cancel(payment_id=payment.pk, actor=Actor.of(brand))

    assert Payment.objects.get(pk=payment.pk).status == status


def test_cancel_someone_elses_payment_is_404(money, brand, creator):
    payment = money.start(brand, money.order(brand=brand, creator=creator))

    for actor in (Actor.of(BrandUserFactory()), Actor.of(creator)):
        with pytest.raises(NotFound):
            services.payment_cancel(payment_id=payment.pk, actor=actor)
    assert Payment.objects.get(pk=payment.pk).status == "pending"


# --- Every status door refuses what its table does not allow (409) -------------------------------------------
ROLES = ("brand", "creator", "agent", "admin", "system")
TABLES = {"payment": Payment, "refund": Refund, "payout": Payout, "escrow": Escrow}


@pytest.mark.parametrize("name", TABLES)
def test_every_move_outside_the_table_is_refused(name):
    model = TABLES[name]
    statuses = model.Status.values
    refused = allowed = 0
    for current, to, role in itertools.product(statuses, statuses, ROLES):
        actor = Actor(user=None, role=role)
        if role in model.TRANSITIONS.get((current, to), ()):
            check_transition(model.TRANSITIONS, what=name, current=current, to=to, actor=actor)
            allowed += 1
            continue
        with pytest.raises(InvalidTransition) as caught:
            check_transition(model.TRANSITIONS, what=name, current=current, to=to, actor=actor)
        assert caught.value.status == 409
        refused += 1
    assert allowed == sum(len(roles) for roles in model.TRANSITIONS.values()) and refused > allowed


def test_the_door_saves_nothing_it_refuses(money, brand, creator):
    payment = money.start(brand, money.order(brand=brand, creator=creator))

    with pytest.raises(InvalidTransition, match="A brand cannot move"):
        services.payment_transition(payment=payment, to="completed", actor=Actor.of(brand))
    with pytest.raises(InvalidTransition, match="from pending to refunded"):
        services.payment_transition(payment=payment, to="refunded", actor=Actor.system())

    assert Payment.objects.get(pk=payment.pk).status == "pending"
