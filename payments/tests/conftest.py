"""Fixtures of the payments tests: Stripe faked at the HTTP boundary.

`stripe_api` is a `responses` mock that the real `stripe` library's requests must match; `signed` builds a
Stripe-Signature header; `form` reads the form body a request sent.
"""

import hashlib
import hmac
import json
import time
from pathlib import Path
from urllib.parse import parse_qsl

import pytest
import responses

RECORDED = Path(__file__).parent / "recorded"
STRIPE = "https://api.stripe.com"
WEBHOOK_SECRET = "whsec_test_5fJ1r7Yk2m0pQ8sV"


def recorded(name: str, **changes) -> dict:
    data = json.loads((RECORDED / name).read_text())
    data.update(changes)
    return data


def form(call) -> dict:
    """The form body the stripe library sent, flat: {"metadata[payment_id]": "1", …}."""
    body = call.request.body or ""
    return dict(parse_qsl(body.decode() if isinstance(body, bytes) else body, keep_blank_values=True))


def signed(body: bytes, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    signature = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={signature}"


@pytest.fixture
def stripe_settings(settings):
    settings.PAYMENT_GATEWAY = "stripe"
    settings.STRIPE_SECRET_KEY = "sk_test_51Influmojo000000000000000000"
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_51Influmojo000000000000000000"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_API_VERSION = ""
    return settings


@pytest.fixture
def stripe_api(stripe_settings):
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mocked:
        yield mocked
