"""Provider events (Stripe webhooks, the sandbox's pages) become service calls here, through one door.

Every event id is stored once (WebhookEvent is unique per gateway and id) in the same transaction as its
effect: a duplicate finds the id taken and changes nothing; an event whose processing fails rolls back with
its row, so the provider's retry processes it again. Effects are decided by state, not arrival order: each
handler only moves what is still in the state the event is about (a failure after success changes nothing,
a refund event for a refund we do not know is ignored). Unknown types are stored with an "ignored" outcome.
"""

import logging

from django.db import IntegrityError, transaction

from payments.gateways import GatewayEvent
from payments.gateways.base import account_status, card_from, method_label
from payments.models import Customer, Payment, Payout, Refund, WebhookEvent

from . import connect, customers, payments, payouts, refunds
from .common import queue_on_commit

logger = logging.getLogger(__name__)


@transaction.atomic
def webhook_event_process(*, gateway: str, event: GatewayEvent) -> tuple[WebhookEvent, bool]:
    """Store and apply one verified event; (its row, True) the first time, (the stored row, False) after."""
    try:
        with transaction.atomic():
            record = WebhookEvent.objects.create(gateway=gateway, event_id=event.id, type=event.type[:100],
                                                 payload=event.payload, provider_created_at=event.created)
    except IntegrityError:
        return WebhookEvent.objects.get(gateway=gateway, event_id=event.id), False
    handler = HANDLERS.get(event.type)
    outcome = handler(gateway, event) if handler else f"ignored: {event.type} is not an event we act on"
    record.outcome = outcome[:200]
    record.save(update_fields=["outcome"])
    return record, True


# --- Payments --------------------------------------------------------------------------------------------
def _payment(gateway: str, intent: dict) -> Payment | None:
    """The payment of a PaymentIntent, locked (its orders first). By the intent's id, or by our id in its
    metadata when the intent was made but its id never stored (payment_prepare stopped in between)."""
    intent_id = intent.get("id") or ""
    payment = Payment.objects.filter(gateway=gateway, provider_payment_id=intent_id).first()
    if payment is None:
        payment_id = str((intent.get("metadata") or {}).get("payment_id") or "")
        if payment_id.isdigit():
            payment = Payment.objects.filter(pk=int(payment_id), gateway=gateway,
                                             provider_payment_id__isnull=True).first()
    if payment is None:
        return None
    payments.lock_orders(payment.escrows.values_list("order_id", flat=True))
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if not payment.provider_payment_id and intent_id:
        payment.provider_payment_id = intent_id
        payment.save(update_fields=["provider_payment_id", "updated_at"])
    return payment


def _unknown_intent(intent: dict) -> str:
    return f"ignored: unknown payment intent {intent.get('id')}"


def on_payment_intent_succeeded(gateway: str, event: GatewayEvent) -> str:
    intent = event.object
    payment = _payment(gateway, intent)
    if payment is None:
        return _unknown_intent(intent)
    charge = intent.get("latest_charge")
    charge = charge if isinstance(charge, dict) else {"id": charge or ""}
    return payments.payment_succeeded(
        payment=payment, amount_minor=int(intent.get("amount_received") or intent.get("amount") or 0),
        currency=str(intent.get("currency") or ""), transaction_id=charge.get("id") or "",
        method=method_label(charge.get("payment_method_details")), paid_at=event.created,
    )


def on_payment_intent_failed(gateway: str, event: GatewayEvent) -> str:
    intent = event.object
    payment = _payment(gateway, intent)
    if payment is None:
        return _unknown_intent(intent)
    error = intent.get("last_payment_error") or {}
    return payments.payment_failed(payment=payment, code=error.get("decline_code") or error.get("code") or "",
                                   message=error.get("message") or "The payment did not go through.")


def on_payment_intent_processing(gateway: str, event: GatewayEvent) -> str:
    payment = _payment(gateway, event.object)
    return payments.payment_processing(payment=payment) if payment else _unknown_intent(event.object)


def on_payment_intent_canceled(gateway: str, event: GatewayEvent) -> str:
    payment = _payment(gateway, event.object)
    return payments.payment_canceled_by_provider(payment=payment) if payment else _unknown_intent(event.object)


def on_charge_succeeded(gateway: str, event: GatewayEvent) -> str:
    """The charge behind a payment: its id and card, whichever of it and payment_intent.succeeded comes first."""
    charge = event.object
    intent_id = charge.get("payment_intent")
    payment = _payment(gateway, {"id": intent_id}) if isinstance(intent_id, str) else None
    if payment is None:
        return f"ignored: charge {charge.get('id')} is for no payment of ours"
    changes = {}
    if not payment.transaction_id and charge.get("id"):
        changes["transaction_id"] = charge["id"]
    label = method_label(charge.get("payment_method_details"))
    if not payment.method and label:
        changes["method"] = label
    if not changes:
        return f"ignored: payment {payment.pk} already has its charge details"
    for name, value in changes.items():
        setattr(payment, name, value)
    payment.save(update_fields=[*changes, "updated_at"])
    return f"payment {payment.pk}: charge details recorded"


# --- Refunds and transfers -------------------------------------------------------------------------------
def on_refund(gateway: str, event: GatewayEvent) -> str:
    """refund.created / refund.updated / refund.failed / charge.refund.updated: the object is a Refund. Ours is
    found by its provider id, or by our id in its metadata when the gateway's answer never got stored."""
    obj = event.object
    refund = Refund.objects.select_for_update().filter(provider_refund_id=obj.get("id"), payment__gateway=gateway) \
        .first()
    if refund is None:
        refund_id = str((obj.get("metadata") or {}).get("refund_id") or "")
        if refund_id.isdigit():
            refund = Refund.objects.select_for_update().filter(pk=int(refund_id), provider_refund_id__isnull=True,
                                                               payment__gateway=gateway).first()
            if refund is not None:
                refund.provider_refund_id = obj.get("id")
                refund.save(update_fields=["provider_refund_id", "updated_at"])
    if refund is None:
        return f"ignored: unknown refund {obj.get('id')}"
    return refunds.refund_apply_status(refund=refund, status=str(obj.get("status") or ""),
                                       failure_reason=str(obj.get("failure_reason") or ""))


def on_transfer_reversed(gateway: str, event: GatewayEvent) -> str:
    obj = event.object
    payout = Payout.objects.select_for_update().filter(provider_transfer_id=obj.get("id"),
                                                       payment__gateway=gateway).first()
    if payout is None:
        return f"ignored: unknown transfer {obj.get('id')}"
    if obj.get("amount_reversed") is not None and obj.get("amount_reversed") != obj.get("amount"):
        logger.error("payout %s: partial transfer reversal %s of %s", payout.pk, obj.get("amount_reversed"),
                     obj.get("amount"))
        return f"ignored: payout {payout.pk} was only partly reversed; an agent must look at it"
    return payouts.payout_reversed(payout=payout)


# --- Connected accounts ----------------------------------------------------------------------------------
def on_account_updated(gateway: str, event: GatewayEvent) -> str:
    return connect.connected_account_apply_status(gateway=gateway, status=account_status(event.object))


# --- Saved cards -----------------------------------------------------------------------------------------
def on_setup_intent_succeeded(gateway: str, event: GatewayEvent) -> str:
    intent = event.object
    method, customer_id = intent.get("payment_method"), intent.get("customer") or ""
    if isinstance(method, dict):
        card = card_from({**method, "customer": method.get("customer") or customer_id})
        if card is not None:
            return customers.payment_method_save(gateway=gateway, card=card)
    customer = Customer.objects.filter(provider_customer_id=customer_id, gateway=gateway).first()
    if customer is None:
        return f"ignored: setup intent {intent.get('id')} is for no customer of ours"
    from payments import tasks

    queue_on_commit(tasks.sync_payment_methods, customer.user_id)  # the card itself is not in the event
    return f"cards of user {customer.user_id} queued for sync"


def on_payment_method_attached(gateway: str, event: GatewayEvent) -> str:
    card = card_from(event.object)
    if card is None:
        return f"ignored: payment method {event.object.get('id')} is not a card"
    return customers.payment_method_save(gateway=gateway, card=card)


def on_payment_method_detached(gateway: str, event: GatewayEvent) -> str:
    return customers.payment_method_forget(gateway=gateway, provider_method_id=str(event.object.get("id") or ""))


HANDLERS = {
    "payment_intent.succeeded": on_payment_intent_succeeded,
    "payment_intent.payment_failed": on_payment_intent_failed,
    "payment_intent.processing": on_payment_intent_processing,
    "payment_intent.canceled": on_payment_intent_canceled,
    "charge.succeeded": on_charge_succeeded,
    "refund.created": on_refund,
    "refund.updated": on_refund,
    "refund.failed": on_refund,
    "charge.refund.updated": on_refund,
    "transfer.reversed": on_transfer_reversed,
    "account.updated": on_account_updated,
    "setup_intent.succeeded": on_setup_intent_succeeded,
    "payment_method.attached": on_payment_method_attached,
    "payment_method.detached": on_payment_method_detached,
}
