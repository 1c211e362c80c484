"""What every payment gateway offers (Stripe today, the sandbox for `make run`, PayPal or M-Pesa later).

A gateway turns one provider's API into these shapes and errors; it never touches the database (the
sandbox's pages, which stand in for the provider's own pages, are the one exception). Amounts cross this
boundary in integer minor units (gateways.money); services convert. Every call that moves money or creates
something carries an idempotency key that the caller derived from its own row, so a retried task or a
replayed request has one effect at the provider.
"""

import datetime
from dataclasses import dataclass, field
from typing import Protocol

from influmojo.errors import ApplicationError, PaymentFailed


# --- Errors -------------------------------------------------------------------------------------------
class GatewayError(ApplicationError):
    """The provider refused or failed. `transient` errors (network, 5xx, rate limits) are worth retrying
    with the same idempotency key; the others need a person or a changed request."""

    code, status = "gateway_error", 502
    transient = False

    def __init__(self, message: str, *, provider_code: str = "", **kwargs):
        super().__init__(message, **kwargs)
        self.provider_code = provider_code


class GatewayUnavailable(GatewayError):
    code, status = "gateway_unavailable", 502
    transient = True


class GatewayRefused(GatewayError):
    """A well-formed request the provider will not carry out (an account that cannot receive transfers,
    a refund larger than the charge, a missing object)."""

    code, status = "gateway_refused", 400


class CardDeclined(PaymentFailed):
    """The card was declined (402): the person can try another card."""

    transient = False

    def __init__(self, message: str, *, provider_code: str = "", decline_code: str = "", **kwargs):
        super().__init__(message, **kwargs)
        self.provider_code = provider_code
        self.decline_code = decline_code


class SignatureInvalid(ApplicationError):
    """A webhook whose signature does not verify (forged, tampered with, stale, or unsigned)."""

    code, status = "invalid_signature", 400


# --- Shapes -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PaymentIntentResult:
    id: str
    client_secret: str
    status: str  # the provider's word: requires_payment_method, processing, succeeded, canceled, …
    amount_minor: int
    currency: str  # upper case, like ours


@dataclass(frozen=True)
class RefundResult:
    id: str
    status: str  # pending | requires_action | succeeded | failed | canceled
    failure_reason: str = ""


@dataclass(frozen=True)
class TransferResult:
    id: str
    amount_minor: int
    currency: str


@dataclass(frozen=True)
class AccountStatus:
    id: str
    details_submitted: bool
    charges_enabled: bool
    payouts_enabled: bool
    requirements_due: tuple[str, ...] = ()


@dataclass(frozen=True)
class SetupIntentResult:
    id: str
    client_secret: str


@dataclass(frozen=True)
class Card:
    id: str
    brand: str
    last4: str
    exp_month: int
    exp_year: int
    customer_id: str = ""


@dataclass(frozen=True)
class GatewayEvent:
    """One provider event, verified: `object` is the thing it is about (a PaymentIntent, a Refund, …)."""

    id: str
    type: str
    object: dict
    payload: dict  # the whole event as received, stored in WebhookEvent
    created: datetime.datetime | None = None
    previous_attributes: dict = field(default_factory=dict)


# --- The interface ------------------------------------------------------------------------------------
class PaymentGateway(Protocol):
    name: str  # a payments.models.Gateway value
    publishable_key: str  # for the browser or the app; "" when there is none

    # Payments (one PaymentIntent per Payment)
    def create_payment_intent(self, *, amount_minor: int, currency: str, customer_id: str, transfer_group: str,
                              metadata: dict, description: str, idempotency_key: str) -> PaymentIntentResult: ...
    def retrieve_payment_intent(self, intent_id: str) -> PaymentIntentResult: ...
    def cancel_payment_intent(self, intent_id: str, *, idempotency_key: str) -> PaymentIntentResult: ...
    def payment_confirm_url(self, *, payment_id: int) -> str | None: ...  # the gateway's own page, if any

    # Money back and money out
    def create_refund(self, *, intent_id: str, amount_minor: int, metadata: dict,
                      idempotency_key: str) -> RefundResult: ...
    def create_transfer(self, *, amount_minor: int, currency: str, destination: str, source_transaction: str,
                        transfer_group: str, metadata: dict, idempotency_key: str) -> TransferResult: ...

    # Connected accounts (where creators are paid)
    def create_connected_account(self, *, email: str, country: str, metadata: dict,
                                 idempotency_key: str) -> AccountStatus: ...
    def create_account_link(self, *, account_id: str, return_url: str, refresh_url: str) -> str: ...
    def retrieve_connected_account(self, account_id: str) -> AccountStatus: ...

    # Customers and saved cards
    def create_customer(self, *, email: str, name: str, metadata: dict, idempotency_key: str) -> str: ...
    def create_setup_intent(self, *, customer_id: str, metadata: dict, idempotency_key: str) -> SetupIntentResult: ...
    def setup_confirm_url(self, *, setup_intent_id: str) -> str | None: ...
    def list_payment_methods(self, customer_id: str) -> list[Card]: ...
    def detach_payment_method(self, method_id: str, *, idempotency_key: str) -> None: ...

    # Events
    def parse_webhook(self, body: bytes, signature: str | None) -> GatewayEvent: ...


def card_from(obj: dict) -> Card | None:
    """A Card from a provider's payment method object ({"id", "card": {brand, last4, exp_…}, "customer"})."""
    card = obj.get("card") if isinstance(obj, dict) else None
    if not card:
        return None
    customer = obj.get("customer") or ""
    return Card(
        id=obj["id"], brand=str(card.get("brand") or "card"), last4=str(card.get("last4") or ""),
        exp_month=int(card.get("exp_month") or 0), exp_year=int(card.get("exp_year") or 0),
        customer_id=customer if isinstance(customer, str) else customer.get("id", ""),
    )


def account_status(account: dict) -> AccountStatus:
    """An AccountStatus from a provider's account object (Stripe's shape; the sandbox sends the same)."""
    requirements = account.get("requirements") or {}
    due = tuple(requirements.get("currently_due") or ()) + tuple(requirements.get("past_due") or ())
    return AccountStatus(
        id=account["id"], details_submitted=bool(account.get("details_submitted")),
        charges_enabled=bool(account.get("charges_enabled")), payouts_enabled=bool(account.get("payouts_enabled")),
        requirements_due=tuple(dict.fromkeys(due)),
    )


def method_label(details: dict | None) -> str:
    """"Visa •••• 4242" from a charge's payment_method_details; "" when it does not say."""
    card = (details or {}).get("card") or {}
    if not card.get("last4"):
        return ""
    return f"{str(card.get('brand') or 'card').title()} •••• {card['last4']}"


def event_time(timestamp) -> datetime.datetime | None:
    if timestamp in (None, ""):
        return None
    return datetime.datetime.fromtimestamp(int(timestamp), tz=datetime.UTC)
