"""Payments: one per checkout, covering its orders (one Escrow row each). payment_transition is the only
door of Payment.status; the provider's word (a webhook or a sandbox event) arrives through events.py.

Lock order, here and in orders: order rows before the payment row (orders locks an order, then calls
payment_cancel or escrow_settle), so a webhook that pays a checkout locks that checkout's orders first.
"""

import logging
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from influmojo.errors import ApplicationError, InvalidTransition, NotFound, PermissionDenied
from influmojo.permissions import Actor
from orders.models import Order
from payments import notify
from payments.gateways import GatewayRefused, get_gateway, to_minor
from payments.gateways.money import currency_exponent
from payments.models import Escrow, Payment

from .common import SYSTEM, apply_transition, new_key, queue_on_commit

logger = logging.getLogger(__name__)

OPEN = (Payment.Status.PENDING, Payment.Status.PROCESSING, Payment.Status.FAILED)  # the brand can still pay


@dataclass(frozen=True)
class PaymentIntentInfo:
    """What the page or the app needs to collect the payment."""

    payment: Payment
    gateway: str
    client_secret: str
    publishable_key: str
    confirm_url: str | None  # the sandbox's confirmation page; None for Stripe (Stripe.js confirms in place)


def payment_transition(*, payment: Payment, to: str, actor: Actor, **changes) -> Payment:
    """The only door of Payment.status (Payment.TRANSITIONS); the caller holds the row locked."""
    return apply_transition(payment, to=to, actor=actor, what=f"payment {payment.pk}", **changes)


def lock_orders(order_ids) -> None:
    """Lock the orders of a payment in id order before the payment itself (the lock order orders uses)."""
    list(Order.objects.select_for_update().filter(pk__in=list(order_ids)).order_by("pk").values_list("pk", flat=True))


def _visible(actor: Actor):
    if actor.role in ("system", "agent", "admin"):
        return Payment.objects.all()
    if actor.user is None:
        return Payment.objects.none()
    return Payment.objects.filter(payer=actor.user)


def _payment_for(actor: Actor, payment_id: int, *, lock: bool = False) -> Payment:
    queryset = _visible(actor)
    if lock:
        queryset = queryset.select_for_update()
    payment = queryset.filter(pk=payment_id).first()
    if payment is None:
        raise NotFound("Payment not found.")
    return payment


@transaction.atomic
def payment_start(*, payer, orders, actor: Actor) -> Payment:
    """A pending Payment for `orders` (the payer's, all pending_payment, one currency), inside the caller's
    transaction, without calling the gateway. The caller then points its orders at it."""
    if actor.role != "system" and (actor.user is None or actor.user.pk != payer.pk):
        raise PermissionDenied("Only the brand that pays can start its payment.")
    ids = [order.pk for order in orders]
    if not ids:
        raise ApplicationError("There is nothing to pay for: no orders were given.", code="no_orders")
    if len(set(ids)) != len(ids):
        raise ApplicationError("The same order is listed twice.", code="duplicate_orders")
    found = list(Order.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    if len(found) != len(ids) or any(order.brand_id != payer.pk for order in found):
        raise NotFound("Order not found.")
    unpaid = Order.Status.PENDING_PAYMENT
    refused = [order for order in found if order.status != unpaid]
    if refused:
        names = ", ".join(f"{order.number} ({order.get_status_display().lower()})" for order in refused)
        raise InvalidTransition(f"Only orders waiting for payment can be paid; not {names}.", code="order_not_payable",
                                details={"orders": [order.pk for order in refused]})
    currencies = sorted({order.currency for order in found})
    if len(currencies) > 1:
        raise ApplicationError(f"Orders in different currencies ({', '.join(currencies)}) cannot be paid together; "
                               "pay them in separate checkouts.", code="mixed_currencies",
                               details={"currencies": currencies})
    currency = currencies[0]
    currency_exponent(currency)  # refuses a currency we cannot take, by name
    amount = sum((order.subtotal for order in found), Decimal("0.00"))
    to_minor(amount, currency)  # refuses an amount finer than the currency's minor unit
    payment = Payment.objects.create(payer=payer, gateway=settings.PAYMENT_GATEWAY, amount=amount, currency=currency,
                                     idempotency_key=new_key("payment"))
    Escrow.objects.bulk_create(Escrow(payment=payment, order=order, amount=order.subtotal, currency=currency)
                               for order in found)
    return payment


def payment_prepare(*, payment_id: int, actor: Actor) -> PaymentIntentInfo:
    """Outside a transaction (it calls the gateway): the provider's PaymentIntent for the payment, created once
    with the payment's idempotency key and reused afterwards. A gateway error leaves the payment as it was and
    raises (gateway_unavailable 502, payment_failed 402, …); calling again retries with the same key."""
    payment = _payment_for(actor, payment_id)
    if payment.status not in OPEN:
        raise InvalidTransition(f"This payment is {payment.status}; there is nothing left to pay.",
                                code="payment_not_open")
    gateway = get_gateway(payment.gateway)
    if not payment.provider_payment_id:
        from .customers import customer_for

        customer = customer_for(payment.payer, gateway=gateway)
        numbers = list(payment.escrows.order_by("order_id").values_list("order__number", flat=True))
        intent = gateway.create_payment_intent(
            amount_minor=to_minor(payment.amount, payment.currency), currency=payment.currency,
            customer_id=customer.provider_customer_id, transfer_group=f"payment-{payment.pk}",
            metadata={"payment_id": payment.pk}, description=f"Influmojo {', '.join(numbers)}"[:500],
            idempotency_key=payment.idempotency_key,
        )
        with transaction.atomic():
            payment = Payment.objects.select_for_update().get(pk=payment.pk)
            if not payment.provider_payment_id:
                payment.provider_payment_id, payment.client_secret = intent.id, intent.client_secret
                payment.save(update_fields=["provider_payment_id", "client_secret", "updated_at"])
            if payment.status == Payment.Status.CANCELLED:  # cancelled while we were asking the gateway
                from payments import tasks

                queue_on_commit(tasks.cancel_payment_intent, payment.pk)
        if payment.status not in OPEN:
            raise InvalidTransition(f"This payment is {payment.status}; there is nothing left to pay.",
                                    code="payment_not_open")
    return PaymentIntentInfo(payment=payment, gateway=gateway.name, client_secret=payment.client_secret,
                             publishable_key=gateway.publishable_key,
                             confirm_url=gateway.payment_confirm_url(payment_id=payment.pk))


@transaction.atomic
def payment_cancel(*, payment_id: int, actor: Actor) -> Payment:
    """A pending or failed payment is abandoned (by its brand or the system): cancelled here, and its
    PaymentIntent cancelled at the gateway once this commits. Its orders are the caller's to release."""
    payment = _payment_for(actor, payment_id, lock=True)
    payment_transition(payment=payment, to=Payment.Status.CANCELLED, actor=actor)
    if payment.provider_payment_id:
        from payments import tasks

        queue_on_commit(tasks.cancel_payment_intent, payment.pk)
    return payment


def payment_intent_cancel(*, payment_id: int) -> None:
    """The gateway half of payment_cancel (a task). If the brand paid in the meantime the gateway refuses,
    and the payment's success event books the money and refunds what no order waits for."""
    payment = Payment.objects.get(pk=payment_id)
    if payment.status != Payment.Status.CANCELLED or not payment.provider_payment_id:
        return
    try:
        get_gateway(payment.gateway).cancel_payment_intent(payment.provider_payment_id,
                                                           idempotency_key=f"{payment.idempotency_key}-cancel")
    except GatewayRefused as exc:
        logger.info("payment %s: the gateway did not cancel its intent (%s); its events will tell", payment.pk, exc)


# --- The provider's word (events.py finds the payment and locks it, orders first) ---------------------------
def payment_succeeded(*, payment: Payment, amount_minor: int, currency: str, transaction_id: str, method: str,
                      paid_at) -> str:
    """The money arrived: the payment completes, each order's share is booked into escrow, and each order is
    marked paid; an order that no longer waits for it gets its share back. Returns what happened."""
    if payment.status in (Payment.Status.COMPLETED, Payment.Status.REFUNDED):
        return f"ignored: payment {payment.pk} already {payment.status}"
    expected = to_minor(payment.amount, payment.currency)
    if amount_minor != expected or currency.upper() != payment.currency:
        logger.error("payment %s: the provider received %s %s, we expected %s %s", payment.pk, amount_minor,
                     currency, expected, payment.currency)
        return f"ignored: received {amount_minor} {currency.upper()}, payment {payment.pk} is {expected}"
    payment_transition(payment=payment, to=Payment.Status.COMPLETED, actor=SYSTEM,
                       transaction_id=transaction_id or payment.transaction_id, method=method or payment.method,
                       paid_at=paid_at or timezone.now(), failure_code="", failure_message="")
    from .escrow import escrow_receive

    escrows = list(payment.escrows.select_for_update().order_by("order_id"))
    outcomes = [escrow_receive(escrow=escrow, payment=payment) for escrow in escrows]
    held = outcomes.count(Escrow.Status.HELD)
    returned = outcomes.count(Escrow.Status.RETURNED)
    notify.payment_received(
        payment=payment,
        held_order_ids=[escrow.order_id for escrow, outcome in zip(escrows, outcomes) if outcome == Escrow.Status.HELD],
        returned_order_ids=[escrow.order_id for escrow, outcome in zip(escrows, outcomes)
                            if outcome == Escrow.Status.RETURNED],
    )
    return f"payment {payment.pk} completed: {held} order(s) paid" + (f", {returned} refunded" if returned else "")


def payment_failed(*, payment: Payment, code: str, message: str) -> str:
    """An attempt failed. Only a payment still waiting moves (a late failure after success changes nothing)."""
    fields = {"failure_code": code[:60], "failure_message": message[:500]}
    if payment.status in (Payment.Status.PENDING, Payment.Status.PROCESSING):
        payment_transition(payment=payment, to=Payment.Status.FAILED, actor=SYSTEM, **fields)
        return f"payment {payment.pk} failed: {code or 'declined'}"
    if payment.status == Payment.Status.FAILED:  # another attempt failed: keep the latest reason
        for name, value in fields.items():
            setattr(payment, name, value)
        payment.save(update_fields=[*fields, "updated_at"])
        return f"payment {payment.pk} failed again: {code or 'declined'}"
    return f"ignored: payment {payment.pk} is {payment.status}"


def payment_processing(*, payment: Payment) -> str:
    if payment.status in (Payment.Status.PENDING, Payment.Status.FAILED):
        payment_transition(payment=payment, to=Payment.Status.PROCESSING, actor=SYSTEM)
        return f"payment {payment.pk} processing"
    return f"ignored: payment {payment.pk} is {payment.status}"


def payment_canceled_by_provider(*, payment: Payment) -> str:
    if payment.status in (Payment.Status.PENDING, Payment.Status.FAILED):
        payment_transition(payment=payment, to=Payment.Status.CANCELLED, actor=SYSTEM)
        return f"payment {payment.pk} cancelled at the provider"
    return f"ignored: payment {payment.pk} is {payment.status}"
