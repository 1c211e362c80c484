"""Amounts at the gateway boundary: Decimal major units inside Influmojo, integer minor units on the wire.

Only currencies whose minor unit is the cent are taken: the platform fee is rounded to the cent
(payments.fees), so a zero-decimal currency such as JPY would leave fractions of a yen to transfer.
Such currencies are refused by name, never rounded.
"""

from decimal import Decimal

from influmojo.errors import ApplicationError

# The currencies creators sell in (accounts.onboarding.CURRENCIES), each with its number of minor digits.
CURRENCY_EXPONENTS = {"USD": 2, "EUR": 2, "GBP": 2, "INR": 2, "AUD": 2, "CAD": 2, "SGD": 2, "AED": 2}
# Stripe's zero-decimal currencies: named so a refusal can say why they are not taken.
ZERO_DECIMAL = frozenset(
    {"BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"}
)
THREE_DECIMAL = frozenset({"BHD", "JOD", "KWD", "OMR", "TND"})


class CurrencyNotSupported(ApplicationError):
    code, status = "currency_not_supported", 400


def currency_exponent(currency: str) -> int:
    code = (currency or "").upper()
    if code in CURRENCY_EXPONENTS:
        return CURRENCY_EXPONENTS[code]
    accepted = ", ".join(sorted(CURRENCY_EXPONENTS))
    if code in ZERO_DECIMAL:
        why = f"{code} has no minor unit and Influmojo's fees are kept in cents"
    elif code in THREE_DECIMAL:
        why = f"{code} has three decimal places and Influmojo's fees are kept in cents"
    else:
        why = f"{code or 'That currency'} is not one Influmojo takes"
    raise CurrencyNotSupported(f"Payments in {code or 'this currency'} are not supported: {why}. Accepted: {accepted}.",
                               details={"currency": code, "accepted": sorted(CURRENCY_EXPONENTS)})


def to_minor(amount: Decimal, currency: str) -> int:
    """Decimal("12.34"), "USD" → 1234. Refuses (never rounds) an amount finer than the currency's minor unit."""
    if not isinstance(amount, Decimal):
        raise TypeError(f"amounts are Decimal, not {type(amount).__name__}")
    exponent = currency_exponent(currency)
    scaled = amount.scaleb(exponent)
    if scaled != scaled.to_integral_value():
        raise ApplicationError(f"{amount} {currency.upper()} has more decimal places than {currency.upper()} allows.",
                               code="invalid_amount")
    return int(scaled)


def from_minor(minor: int, currency: str) -> Decimal:
    """1234, "USD" → Decimal("12.34") (always two places, like the amount columns)."""
    if isinstance(minor, bool) or not isinstance(minor, int):
        raise TypeError(f"minor units are int, not {type(minor).__name__}")
    return Decimal(minor).scaleb(-currency_exponent(currency)).quantize(Decimal("0.01"))


def cents(value) -> Decimal:
    """A database sum as an exact amount: SQLite adds decimals as floats (1e-15 noise), PostgreSQL exactly;
    every amount summed is whole cents, so rounding to the cent gives back the exact sum. None is zero."""
    return Decimal(value or 0).quantize(Decimal("0.01"))
