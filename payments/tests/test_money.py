"""Amounts at the gateway boundary: exact Decimal ↔ integer minor units, unsupported currencies refused by name."""

from decimal import Decimal

import pytest

from influmojo.errors import ApplicationError
from payments.gateways import CurrencyNotSupported, from_minor, to_minor


@pytest.mark.parametrize(("amount", "currency", "minor"), [
    ("0.01", "USD", 1), ("500.00", "USD", 50000), ("1234.56", "EUR", 123456), ("19.9", "GBP", 1990),
    ("99999999.99", "INR", 9999999999), ("7", "AED", 700),
])
def test_to_minor_is_exact(amount, currency, minor):
    assert to_minor(Decimal(amount), currency) == minor
    assert from_minor(minor, currency) == Decimal(amount).quantize(Decimal("0.01"))


def test_lower_case_currency_is_the_same_currency():
    assert to_minor(Decimal("1.00"), "usd") == 100


def test_an_amount_finer_than_a_cent_is_refused_not_rounded():
    with pytest.raises(ApplicationError, match="more decimal places") as caught:
        to_minor(Decimal("10.005"), "USD")
    assert caught.value.code == "invalid_amount"


def test_floats_never_cross_the_boundary():
    with pytest.raises(TypeError):
        to_minor(10.1, "USD")
    with pytest.raises(TypeError):
        from_minor(10.0, "USD")


@pytest.mark.parametrize(("currency", "why"), [
    ("JPY", "has no minor unit"), ("KRW", "has no minor unit"), ("KWD", "three decimal places"),
    ("XYZ", "not one Influmojo takes"),
])
def test_unsupported_currencies_are_refused_by_name(currency, why):
    with pytest.raises(CurrencyNotSupported) as caught:
        to_minor(Decimal("1500"), currency)
    assert why in caught.value.message and currency in caught.value.message
    assert "USD" in caught.value.message  # says what is accepted
    assert caught.value.code == "currency_not_supported" and caught.value.status == 400
