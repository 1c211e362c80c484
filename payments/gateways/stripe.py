"""Stripe through the official `stripe` library (StripeClient, API v1): separate charges and transfers,
Connect Express accounts, customers with saved cards, and webhooks verified on the raw body.

Every POST that creates or moves something sends the caller's idempotency key (derived from our own row),
so a retry after a timeout, a crash or a redelivered task returns Stripe's first answer instead of doing it
twice. The library's own retries are off (max_network_retries=0): our Celery tasks retry, visibly, with
backoff and the same key. Account links are the exception: each is single-use and short-lived, so a key of
ours would replay a spent link for Stripe's 24-hour idempotency window; the library gives each call its own.
"""

import json
import logging

import stripe
from django.conf import settings

from .base import (
    AccountStatus,
    Card,
    CardDeclined,
    GatewayError,
    GatewayEvent,
    GatewayRefused,
    GatewayUnavailable,
    PaymentIntentResult,
    RefundResult,
    SetupIntentResult,
    SignatureInvalid,
    TransferResult,
    account_status,
    card_from,
    event_time,
)

logger = logging.getLogger(__name__)


class StripeGateway:
    name = "stripe"

    def __init__(self):
        self._client: stripe.StripeClient | None = None

    @property
    def publishable_key(self) -> str:
        return settings.STRIPE_PUBLISHABLE_KEY

    @property
    def client(self) -> stripe.StripeClient:
        if self._client is None:
            if not settings.STRIPE_SECRET_KEY:
                raise GatewayError("Stripe is not configured on this server (STRIPE_SECRET_KEY is empty).",
                                   code="gateway_misconfigured")
            self._client = stripe.StripeClient(
                settings.STRIPE_SECRET_KEY,
                stripe_version=settings.STRIPE_API_VERSION or None,
                max_network_retries=0,
                http_client=stripe.RequestsClient(timeout=settings.STRIPE_HTTP_TIMEOUT_SECONDS),
            )
        return self._client

    # --- Payments -----------------------------------------------------------------------------------------
    def create_payment_intent(self, *, amount_minor, currency, customer_id, transfer_group, metadata, description,
                              idempotency_key) -> PaymentIntentResult:
        params = {
            "amount": amount_minor,
            "currency": currency.lower(),
            "automatic_payment_methods": {"enabled": True},
            "transfer_group": transfer_group,
            "metadata": _strings(metadata),
            "description": description,
        }
        if customer_id:
            params["customer"] = customer_id
        intent = _call("start the payment", lambda: self.client.v1.payment_intents.create(
            params=params, options={"idempotency_key": idempotency_key}))
        return _intent(intent)

    def retrieve_payment_intent(self, intent_id) -> PaymentIntentResult:
        return _intent(_call("look up the payment", lambda: self.client.v1.payment_intents.retrieve(intent_id)))

    def cancel_payment_intent(self, intent_id, *, idempotency_key) -> PaymentIntentResult:
        intent = _call("cancel the payment", lambda: self.client.v1.payment_intents.cancel(
            intent_id, options={"idempotency_key": idempotency_key}))
        return _intent(intent)

    def payment_confirm_url(self, *, payment_id) -> None:
        return None  # Stripe.js confirms on our own page with the client secret

    # --- Money back and money out ---------------------------------------------------------------------
    def create_refund(self, *, intent_id, amount_minor, metadata, idempotency_key) -> RefundResult:
        refund = _call("refund the payment", lambda: self.client.v1.refunds.create(
            params={"payment_intent": intent_id, "amount": amount_minor, "reason": "requested_by_customer",
                    "metadata": _strings(metadata)},
            options={"idempotency_key": idempotency_key}))
        return RefundResult(id=refund.id, status=refund.status,
                            failure_reason=getattr(refund, "failure_reason", None) or "")

    def create_transfer(self, *, amount_minor, currency, destination, source_transaction, transfer_group, metadata,
                        idempotency_key) -> TransferResult:
        params = {"amount": amount_minor, "currency": currency.lower(), "destination": destination,
                  "transfer_group": transfer_group, "metadata": _strings(metadata)}
        if source_transaction:  # funds the transfer from this charge, even before it is available
            params["source_transaction"] = source_transaction
        transfer = _call("transfer the payout", lambda: self.client.v1.transfers.create(
            params=params, options={"idempotency_key": idempotency_key}))
        return TransferResult(id=transfer.id, amount_minor=transfer.amount, currency=transfer.currency.upper())

    # --- Connected accounts ---------------------------------------------------------------------------
    def create_connected_account(self, *, email, country, metadata, idempotency_key) -> AccountStatus:
        account = _call("create your Stripe account", lambda: self.client.v1.accounts.create(
            params={"type": "express", "country": country, "email": email,
                    "capabilities": {"transfers": {"requested": True}}, "metadata": _strings(metadata)},
            options={"idempotency_key": idempotency_key}))
        return account_status(account.to_dict())

    def create_account_link(self, *, account_id, return_url, refresh_url) -> str:
        link = _call("open Stripe onboarding", lambda: self.client.v1.account_links.create(
            params={"account": account_id, "return_url": return_url, "refresh_url": refresh_url,
                    "type": "account_onboarding"}))
        return link.url

    def retrieve_connected_account(self, account_id) -> AccountStatus:
        account = _call("look up your Stripe account", lambda: self.client.v1.accounts.retrieve(account_id))
        return account_status(account.to_dict())

    # --- Customers and saved cards --------------------------------------------------------------------
    def create_customer(self, *, email, name, metadata, idempotency_key) -> str:
        customer = _call("save your billing details", lambda: self.client.v1.customers.create(
            params={"email": email, "name": name, "metadata": _strings(metadata)},
            options={"idempotency_key": idempotency_key}))
        return customer.id

    def create_setup_intent(self, *, customer_id, metadata, idempotency_key) -> SetupIntentResult:
        intent = _call("start saving a card", lambda: self.client.v1.setup_intents.create(
            params={"customer": customer_id, "usage": "off_session", "automatic_payment_methods": {"enabled": True},
                    "metadata": _strings(metadata)},
            options={"idempotency_key": idempotency_key}))
        return SetupIntentResult(id=intent.id, client_secret=intent.client_secret)

    def setup_confirm_url(self, *, setup_intent_id) -> None:
        return None

    def list_payment_methods(self, customer_id) -> list[Card]:
        page = _call("list your saved cards", lambda: self.client.v1.payment_methods.list(
            params={"customer": customer_id, "type": "card", "limit": 100}))
        cards = (card_from(method.to_dict()) for method in page.data)
        return [card for card in cards if card is not None]

    def detach_payment_method(self, method_id, *, idempotency_key) -> None:
        _call("remove the card", lambda: self.client.v1.payment_methods.detach(
            method_id, options={"idempotency_key": idempotency_key}))

    # --- Events ---------------------------------------------------------------------------------------
    def parse_webhook(self, body: bytes, signature: str | None) -> GatewayEvent:
        """The event in `body` if its Stripe-Signature header verifies within STRIPE_WEBHOOK_TOLERANCE_SECONDS
        against STRIPE_WEBHOOK_SECRET (the platform's endpoint) or STRIPE_CONNECT_WEBHOOK_SECRET (the Connect
        endpoint, which carries the creators' account.updated; both may point at this one URL);
        SignatureInvalid otherwise."""
        secrets = [secret for secret in (settings.STRIPE_WEBHOOK_SECRET, settings.STRIPE_CONNECT_WEBHOOK_SECRET)
                   if secret]
        if not secrets:
            raise SignatureInvalid("Stripe webhooks are not configured on this server (no signing secret).",
                                   code="webhook_not_configured")
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise SignatureInvalid(f"The Stripe-Signature header does not verify: {exc}") from exc
        for number, secret in enumerate(secrets, start=1):
            try:
                stripe.WebhookSignature.verify_header(text, signature, secret,
                                                      tolerance=settings.STRIPE_WEBHOOK_TOLERANCE_SECONDS)
                break
            except stripe.SignatureVerificationError as exc:
                if number == len(secrets):
                    raise SignatureInvalid(f"The Stripe-Signature header does not verify: {exc}") from exc
        try:
            payload = json.loads(text)
            obj = payload["data"]["object"]
            event_id, event_type = str(payload["id"]), str(payload["type"])
        except (ValueError, KeyError, TypeError) as exc:
            raise SignatureInvalid("The webhook body is not a Stripe event.", code="invalid_event") from exc
        return GatewayEvent(
            id=event_id, type=event_type, object=obj, payload=payload, created=event_time(payload.get("created")),
            previous_attributes=payload["data"].get("previous_attributes") or {},
        )


def _intent(intent) -> PaymentIntentResult:
    return PaymentIntentResult(id=intent.id, client_secret=intent.client_secret or "", status=intent.status,
                               amount_minor=intent.amount, currency=intent.currency.upper())


def _strings(metadata: dict) -> dict:
    return {key: str(value) for key, value in metadata.items()}


def _call(what: str, request):
    """Run one Stripe request; translate its errors into ours, with a message a person can act on."""
    try:
        return request()
    except stripe.CardError as exc:
        error = exc.error
        decline = getattr(error, "decline_code", None) or ""
        raise CardDeclined(
            f"{exc.user_message or 'The card was declined.'} Try another card, or ask your bank why it refused.",
            code="card_declined", provider_code=exc.code or "", decline_code=decline,
            details={"decline_code": decline} if decline else None,
        ) from exc
    except stripe.RateLimitError as exc:
        raise GatewayUnavailable(f"Stripe is busy and could not {what} just now. Please try again in a minute.",
                                 provider_code=exc.code or "rate_limit") from exc
    except stripe.APIConnectionError as exc:
        raise GatewayUnavailable(f"We could not reach Stripe to {what}. Please try again in a minute.") from exc
    except (stripe.AuthenticationError, stripe.PermissionError) as exc:
        logger.error("Stripe refused our API key while trying to %s: %s", what, exc.user_message or exc)
        raise GatewayError(f"Payments are not set up correctly on our side, so we could not {what}. "
                           "Nothing was charged; please contact support.", code="gateway_misconfigured") from exc
    except stripe.IdempotencyError as exc:
        logger.error("Stripe idempotency conflict while trying to %s: %s", what, exc.user_message or exc)
        raise GatewayError(f"Stripe saw this request before with different details, so we could not {what}. "
                           "Please contact support.", code="idempotency_conflict", status=409) from exc
    except stripe.InvalidRequestError as exc:
        if exc.code == "lock_timeout":
            raise GatewayUnavailable(f"Stripe was busy with this object and could not {what}. "
                                     "Please try again in a minute.", provider_code=exc.code) from exc
        message = exc.user_message or str(exc.error.message if exc.error else exc)
        status = 404 if exc.http_status == 404 else 400
        raise GatewayRefused(f"Stripe refused to {what}: {message}", provider_code=exc.code or "",
                             code="gateway_not_found" if status == 404 else "gateway_refused", status=status) from exc
    except stripe.APIError as exc:  # 5xx and 409 conflicts: Stripe's side, worth retrying with the same key
        raise GatewayUnavailable(f"Stripe had a problem on its side and could not {what} (HTTP {exc.http_status}). "
                                 "Please try again in a few minutes.") from exc
    except stripe.StripeError as exc:
        raise GatewayError(f"Stripe could not {what}: {exc.user_message or exc}") from exc
