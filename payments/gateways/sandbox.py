"""The built-in test gateway (`make run` without STRIPE_SECRET_KEY): no network, deterministic fake ids.

It stands in for Stripe: its pages (gateways.sandbox_pages) are the provider's checkout, onboarding and
card-saving pages, and what happens on them comes back as sandbox events that go through the same
webhook_event_process as Stripe's webhooks, so the same states and ledger entries follow. Refunds and
transfers succeed at once. What the provider would remember (an intent's status, a customer's cards, an
account's onboarding) it reads back from our own rows, which is all the state a test provider needs.
"""

import hashlib
import hmac
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from payments.models import ConnectedAccount, Customer, Payment, PaymentMethod

from .base import (
    AccountStatus,
    Card,
    GatewayEvent,
    GatewayRefused,
    PaymentIntentResult,
    RefundResult,
    SetupIntentResult,
    SignatureInvalid,
    TransferResult,
)
from .money import to_minor


@dataclass(frozen=True)
class TestCard:
    number: str
    brand: str
    label: str
    decline: tuple[str, str, str] | None = None  # (code, decline_code, message) when the card is refused

    @property
    def last4(self) -> str:
        return self.number[-4:]


# Stripe's own test numbers, so the page teaches what the real test mode accepts.
TEST_CARDS = {
    card.number: card
    for card in (
        TestCard("4242424242424242", "visa", "Visa · succeeds"),
        TestCard("5555555555554444", "mastercard", "Mastercard · succeeds"),
        TestCard("4000000000000002", "visa", "Visa · declined",
                 ("card_declined", "generic_decline", "Your card was declined.")),
        TestCard("4000000000009995", "visa", "Visa · insufficient funds",
                 ("card_declined", "insufficient_funds", "Your card has insufficient funds.")),
    )
}
DEFAULT_CARD = "4242424242424242"
DECLINE_CARD = "4000000000000002"
TEST_EXPIRY = (12, 2034)

# Our payment statuses as the provider's PaymentIntent statuses.
INTENT_STATUS = {"pending": "requires_payment_method", "processing": "processing", "completed": "succeeded",
                 "failed": "requires_payment_method", "cancelled": "canceled", "refunded": "succeeded"}


def _token(value: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()[:24]


class SandboxGateway:
    name = "sandbox"
    publishable_key = "pk_sandbox"

    # --- Payments -----------------------------------------------------------------------------------------
    def create_payment_intent(self, *, amount_minor, currency, customer_id, transfer_group, metadata, description,
                              idempotency_key) -> PaymentIntentResult:
        intent_id = f"pi_sandbox_{metadata['payment_id']}"
        return PaymentIntentResult(id=intent_id, client_secret=f"{intent_id}_secret_{_token(intent_id)}",
                                   status="requires_payment_method", amount_minor=amount_minor,
                                   currency=currency.upper())

    def retrieve_payment_intent(self, intent_id) -> PaymentIntentResult:
        payment = Payment.objects.filter(provider_payment_id=intent_id, gateway=self.name).first()
        if payment is None:
            raise GatewayRefused(f"The sandbox has no payment intent {intent_id}.", code="gateway_not_found",
                                 status=404)
        return PaymentIntentResult(id=intent_id, client_secret=payment.client_secret,
                                   status=INTENT_STATUS[payment.status],
                                   amount_minor=to_minor(payment.amount, payment.currency), currency=payment.currency)

    def cancel_payment_intent(self, intent_id, *, idempotency_key) -> PaymentIntentResult:
        intent = self.retrieve_payment_intent(intent_id)
        return PaymentIntentResult(id=intent.id, client_secret=intent.client_secret, status="canceled",
                                   amount_minor=intent.amount_minor, currency=intent.currency)

    def payment_confirm_url(self, *, payment_id) -> str:
        return reverse("payments_sandbox_confirm", args=[payment_id])

    # --- Money back and money out ---------------------------------------------------------------------
    def create_refund(self, *, intent_id, amount_minor, metadata, idempotency_key) -> RefundResult:
        return RefundResult(id=f"re_sandbox_{metadata['refund_id']}", status="succeeded")

    def create_transfer(self, *, amount_minor, currency, destination, source_transaction, transfer_group, metadata,
                        idempotency_key) -> TransferResult:
        return TransferResult(id=f"tr_sandbox_{metadata['payout_id']}", amount_minor=amount_minor,
                              currency=currency.upper())

    # --- Connected accounts ---------------------------------------------------------------------------
    def create_connected_account(self, *, email, country, metadata, idempotency_key) -> AccountStatus:
        return AccountStatus(id=f"acct_sandbox_{metadata['user_id']}", details_submitted=False,
                             charges_enabled=False, payouts_enabled=False,
                             requirements_due=("business_profile.url", "external_account"))

    def create_account_link(self, *, account_id, return_url, refresh_url) -> str:
        query = urlencode({"return_url": return_url, "refresh_url": refresh_url})
        return f"{reverse('payments_sandbox_onboarding', args=[account_id])}?{query}"

    def retrieve_connected_account(self, account_id) -> AccountStatus:
        account = ConnectedAccount.objects.filter(provider_account_id=account_id, gateway=self.name).first()
        if account is None:
            raise GatewayRefused(f"The sandbox has no account {account_id}.", code="gateway_not_found", status=404)
        return AccountStatus(id=account_id, details_submitted=account.details_submitted,
                             charges_enabled=account.charges_enabled, payouts_enabled=account.payouts_enabled,
                             requirements_due=tuple(account.requirements_due))

    # --- Customers and saved cards --------------------------------------------------------------------
    def create_customer(self, *, email, name, metadata, idempotency_key) -> str:
        return f"cus_sandbox_{metadata['user_id']}"

    def create_setup_intent(self, *, customer_id, metadata, idempotency_key) -> SetupIntentResult:
        intent_id = f"seti_sandbox_{_token(idempotency_key)[:16]}"
        return SetupIntentResult(id=intent_id, client_secret=f"{intent_id}_secret_{_token(intent_id)}")

    def setup_confirm_url(self, *, setup_intent_id) -> str:
        return reverse("payments_sandbox_setup", args=[setup_intent_id])

    def list_payment_methods(self, customer_id) -> list[Card]:
        customer = Customer.objects.filter(provider_customer_id=customer_id, gateway=self.name).first()
        if customer is None:
            return []
        return [Card(id=method.provider_method_id, brand=method.card_brand, last4=method.last4,
                     exp_month=method.exp_month, exp_year=method.exp_year, customer_id=customer_id)
                for method in PaymentMethod.objects.filter(user_id=customer.user_id, gateway=self.name)]

    def detach_payment_method(self, method_id, *, idempotency_key) -> None:
        return None

    # --- Events ---------------------------------------------------------------------------------------
    def parse_webhook(self, body, signature) -> GatewayEvent:
        raise SignatureInvalid("The sandbox gateway sends no webhooks; its pages deliver their events directly.")

    def event(self, *, event_id: str, type: str, obj: dict, previous_attributes: dict | None = None) -> GatewayEvent:
        """An event as the provider would send it, for the sandbox pages to deliver."""
        now = timezone.now()
        data = {"object": obj, **({"previous_attributes": previous_attributes} if previous_attributes else {})}
        payload = {"id": event_id, "object": "event", "type": type, "created": int(now.timestamp()),
                   "livemode": False, "data": data}
        return GatewayEvent(id=event_id, type=type, object=obj, payload=payload, created=now,
                            previous_attributes=previous_attributes or {})

    def payment_intent_object(self, *, payment, card: TestCard | None = None, status: str) -> dict:
        """The PaymentIntent of `payment` as an event carries it; a successful one with its charge expanded."""
        amount = to_minor(payment.amount, payment.currency)
        obj = {"id": payment.provider_payment_id, "object": "payment_intent", "amount": amount,
               "amount_received": amount if status == "succeeded" else 0, "currency": payment.currency.lower(),
               "status": status, "metadata": {"payment_id": str(payment.pk)}, "livemode": False}
        if status == "succeeded" and card is not None:
            obj["latest_charge"] = {
                "id": f"ch_sandbox_{payment.pk}", "object": "charge",
                "payment_method_details": {"type": "card", "card": {"brand": card.brand, "last4": card.last4}},
            }
        if card is not None and card.decline:
            code, decline_code, message = card.decline
            obj["last_payment_error"] = {"type": "card_error", "code": code, "decline_code": decline_code,
                                         "message": message}
        return obj

    def payment_method_object(self, *, customer_id: str, card: TestCard) -> dict:
        return {"id": f"pm_sandbox_{_token(customer_id + card.number)[:16]}", "object": "payment_method",
                "type": "card", "customer": customer_id,
                "card": {"brand": card.brand, "last4": card.last4, "exp_month": TEST_EXPIRY[0],
                         "exp_year": TEST_EXPIRY[1]}}
