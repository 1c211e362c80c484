"""Payment gateways behind one interface (base.PaymentGateway). `get_gateway()` answers the configured one
(settings.PAYMENT_GATEWAY); a row remembers its own gateway, so `get_gateway(payment.gateway)` keeps talking
to the provider that holds it even after the setting changes. A new provider (PayPal, M-Pesa) is one module
with the same methods and one line in GATEWAYS."""

from django.conf import settings

from .base import (
    AccountStatus,
    Card,
    CardDeclined,
    GatewayError,
    GatewayEvent,
    GatewayRefused,
    GatewayUnavailable,
    PaymentGateway,
    PaymentIntentResult,
    RefundResult,
    SetupIntentResult,
    SignatureInvalid,
    TransferResult,
)
from .money import CurrencyNotSupported, from_minor, to_minor


def _stripe():
    from .stripe import StripeGateway

    return StripeGateway()


def _sandbox():
    from .sandbox import SandboxGateway

    return SandboxGateway()


GATEWAYS = {"stripe": _stripe, "sandbox": _sandbox}


def get_gateway(name: str | None = None) -> PaymentGateway:
    name = name or settings.PAYMENT_GATEWAY
    try:
        return GATEWAYS[name]()
    except KeyError:
        raise GatewayError(f"Unknown payment gateway {name!r}.", code="gateway_misconfigured") from None


__all__ = [
    "AccountStatus", "Card", "CardDeclined", "CurrencyNotSupported", "GatewayError", "GatewayEvent", "GatewayRefused",
    "GatewayUnavailable", "PaymentGateway", "PaymentIntentResult", "RefundResult", "SetupIntentResult",
    "SignatureInvalid", "TransferResult", "from_minor", "get_gateway", "to_minor",
]
