"""POST /webhooks/stripe/: signature-verified on the raw body, no login, no CSRF token; bad signatures are a 400
in our error envelope with nothing written; a processing error is a 500 with nothing half-written."""

import json
import time
from unittest import mock

import pytest
from django.test import Client

from payments.models import JournalEntry, Payment, WebhookEvent
from payments.tests.conftest import recorded, signed

pytestmark = pytest.mark.django_db
URL = "/webhooks/stripe/"
PI = "pi_3QxKp2LkdIwHu7ix0Zt8aB1c"


@pytest.fixture
def client():
    return Client(enforce_csrf_checks=True)  # Stripe sends no CSRF token


@pytest.fixture
def payment(money, brand, creator, stripe_settings):
    payment = money.start(brand, money.order(brand=brand, creator=creator, subtotal="500.00"))
    Payment.objects.filter(pk=payment.pk).update(provider_payment_id=PI)
    return payment


def post(client, body: bytes, signature: str | None):
    headers = {"HTTP_STRIPE_SIGNATURE": signature} if signature is not None else {}
    return client.post(URL, data=body, content_type="application/json", **headers)


def body(name="event_payment_intent_succeeded.json", **changes) -> bytes:
    return json.dumps(recorded(name, **changes)).encode()


def test_a_signed_event_is_applied_and_acknowledged(client, payment, django_capture_on_commit_callbacks, books):
    raw = body()

    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, raw, signed(raw))

    assert response.status_code == 200
    assert response.json() == {"received": True, "event": "evt_3QxKr0LkdIwHu7ix1SuCc3ss", "duplicate": False,
                               "outcome": f"payment {payment.pk} completed: 1 order(s) paid"}
    assert Payment.objects.get().status == "completed"
    stored = WebhookEvent.objects.get()
    assert (stored.gateway, stored.type, stored.payload) == ("stripe", "payment_intent.succeeded", json.loads(raw))
    books()


def test_a_redelivery_is_acknowledged_and_changes_nothing(client, payment):
    raw = body()
    post(client, raw, signed(raw))

    response = post(client, raw, signed(raw))

    assert response.status_code == 200 and response.json()["duplicate"] is True
    assert WebhookEvent.objects.count() == 1 and JournalEntry.objects.count() == 1


@pytest.mark.parametrize("case", ["forged", "tampered", "stale", "missing", "malformed", "other_endpoints_secret"])
def test_bad_signatures_are_400_in_the_envelope_and_write_nothing(client, payment, case):
    raw = body()
    header = {
        "forged": signed(raw, secret="whsec_attacker"),
        "tampered": signed(raw),
        "stale": signed(raw, timestamp=int(time.time()) - 3600),
        "missing": None,
        "malformed": "v1=deadbeef",
        "other_endpoints_secret": signed(raw, secret="whsec_test_5fJ1r7Yk2m0pQ8sW"),
    }[case]
    if case == "tampered":
        raw = raw.replace(b'"amount_received": 50000', b'"amount_received": 50')

    response = post(client, raw, header)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_signature" and error["message"] and error["timestamp"]
    assert not WebhookEvent.objects.exists() and Payment.objects.get().status == "pending"


def test_a_signed_body_that_is_not_an_event_is_400(client, payment):
    raw = b'{"hello": "world"}'

    response = post(client, raw, signed(raw))

    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_event"
    assert not WebhookEvent.objects.exists()


def test_without_a_signing_secret_nothing_is_accepted(client, payment, settings):
    settings.STRIPE_WEBHOOK_SECRET = ""
    raw = body()

    response = post(client, raw, signed(raw))

    assert response.status_code == 400 and response.json()["error"]["code"] == "webhook_not_configured"


def test_a_processing_error_is_500_with_nothing_half_written_and_the_retry_works(client, payment, books):
    raw = body()

    with mock.patch("orders.services.order_mark_paid", side_effect=RuntimeError("database went away")):
        response = post(client, raw, signed(raw))

    assert response.status_code == 500 and response.json()["error"]["code"] == "server_error"
    assert not WebhookEvent.objects.exists() and not JournalEntry.objects.exists()
    assert Payment.objects.get().status == "pending"

    retried = post(client, raw, signed(raw))

    assert retried.status_code == 200 and Payment.objects.get().status == "completed"
    books()


def test_unknown_types_are_acknowledged_and_stored_as_ignored(client, payment):
    raw = body("event_customer_updated.json")

    response = post(client, raw, signed(raw))

    assert response.status_code == 200
    assert WebhookEvent.objects.get().outcome == "ignored: customer.updated is not an event we act on"


def test_only_post(client):
    response = client.get(URL)

    assert response.status_code == 405 and response.json()["error"]["code"] == "method_not_allowed"
