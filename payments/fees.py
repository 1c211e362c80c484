"""The platform fee: one rate from settings, one rounding rule, used at checkout, on the pages and in the ledger."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

CENT = Decimal("0.01")


def fee_rate() -> Decimal:
    """settings.PLATFORM_FEE_RATE as a Decimal in [0, 1); a bad value stops the process, not one checkout."""
    try:
        rate = Decimal(str(settings.PLATFORM_FEE_RATE))
    except InvalidOperation as exc:
        raise ImproperlyConfigured(f"PLATFORM_FEE_RATE is not a number: {settings.PLATFORM_FEE_RATE!r}") from exc
    if not Decimal(0) <= rate < Decimal(1):
        raise ImproperlyConfigured(f"PLATFORM_FEE_RATE must be at least 0 and below 1, not {rate}")
    return rate


def platform_fee(amount: Decimal, rate: Decimal | None = None) -> Decimal:
    """The fee on `amount` at `rate` (default: today's), rounded half up to the cent."""
    rate = fee_rate() if rate is None else rate
    return (Decimal(amount) * rate).quantize(CENT, rounding=ROUND_HALF_UP)
