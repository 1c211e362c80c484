"""Phone verification by one-time code: allauth runs the flow, our SMS sender delivers the code."""

import base64
import re
from datetime import timedelta
from urllib.parse import parse_qs

import pytest
import responses
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import sms
from accounts.models import User

from .test_auth_headless import AUTH, bearer, login

pytestmark = pytest.mark.django_db
PHONE = "+14155550123"
TWILIO_URL = sms.TWILIO_MESSAGES_URL.format(sid="AC123")
# Recorded shape of Twilio's "create message" answer (trimmed).
TWILIO_CREATED = {
    "sid": "SM1f0e8ae6ade43cb3c0ce4525424e404f",
    "status": "queued",
    "to": PHONE,
    "from": "+15005550006",
    "body": "Your Influmojo code is 123456.",
    "error_code": None,
}
TWILIO_INVALID_NUMBER = {"code": 21211, "message": "The 'To' number is not a valid phone number.", "status": 400}


@pytest.fixture
def twilio(settings):
    settings.SMS_BACKEND = "twilio"
    settings.TWILIO_ACCOUNT_SID = "AC123"
    settings.TWILIO_AUTH_TOKEN = "secret-token"
    settings.TWILIO_FROM_NUMBER = "+15005550006"
    with responses.RequestsMock() as mocked:
        yield mocked


def sent_code(call) -> str:
    return re.search(r"\b(\d{6})\b", parse_qs(call.request.body)["Body"][0]).group(1)


def app_client_for(user) -> APIClient:
    return bearer(login(APIClient(), user.email).json()["meta"]["access_token"])


def request_code(client, phone=PHONE):
    return client.post(f"{AUTH}/account/phone", {"phone": phone}, format="json")


def test_code_is_sent_through_twilio_and_verifies_the_phone(twilio, creator):
    twilio.add(responses.POST, TWILIO_URL, json=TWILIO_CREATED, status=201)
    client = app_client_for(creator)

    requested = request_code(client)
    assert requested.status_code == 202, requested.json()
    call = twilio.calls[0]
    form = parse_qs(call.request.body)
    assert form["To"] == [PHONE] and form["From"] == ["+15005550006"]
    assert call.request.headers["Authorization"] == "Basic " + base64.b64encode(b"AC123:secret-token").decode()

    verified = client.post(f"{AUTH}/auth/phone/verify", {"code": sent_code(call)}, format="json")

    assert verified.status_code == 200, verified.json()
    creator.refresh_from_db()
    assert creator.phone == PHONE and creator.phone_verified


def test_wrong_code_is_refused_and_attempts_are_limited(twilio, creator):
    twilio.add(responses.POST, TWILIO_URL, json=TWILIO_CREATED, status=201)
    client = app_client_for(creator)
    request_code(client)

    answers = [client.post(f"{AUTH}/auth/phone/verify", {"code": "000000"}, format="json") for _ in range(4)]

    assert answers[0].status_code == 400
    assert answers[-1].status_code in (400, 409)  # after 3 attempts the pending verification is gone
    creator.refresh_from_db()
    assert not creator.phone_verified


def test_expired_code_is_refused(twilio, creator, settings):
    twilio.add(responses.POST, TWILIO_URL, json=TWILIO_CREATED, status=201)
    client = app_client_for(creator)
    request_code(client)
    code = sent_code(twilio.calls[0])
    later = timezone.now() + timedelta(seconds=settings.ACCOUNT_PHONE_VERIFICATION_TIMEOUT + 5)

    with pytest.MonkeyPatch.context() as mp:
        import time

        mp.setattr(time, "time", lambda: later.timestamp())
        answer = client.post(f"{AUTH}/auth/phone/verify", {"code": code}, format="json")

    assert answer.status_code in (400, 409)
    creator.refresh_from_db()
    assert not creator.phone_verified


def test_code_requests_are_rate_limited(twilio, creator):
    twilio.add(responses.POST, TWILIO_URL, json=TWILIO_CREATED, status=201)
    client = app_client_for(creator)

    statuses = [request_code(client, f"+1415555012{i}").status_code for i in range(5)]

    assert statuses[0] == 202
    assert 429 in statuses
    assert len(twilio.calls) < 5


def test_invalid_number_is_refused_before_any_sms(twilio, creator):
    client = app_client_for(creator)

    answer = request_code(client, "0123-not-a-number")

    assert answer.status_code == 400
    assert len(twilio.calls) == 0


def test_twilio_refusal_surfaces_as_a_clear_error(twilio, creator):
    twilio.add(responses.POST, TWILIO_URL, json=TWILIO_INVALID_NUMBER, status=400)
    client = app_client_for(creator)

    answer = request_code(client)

    assert answer.status_code == 502
    assert answer.json()["error"]["code"] == "sms_failed"
    creator.refresh_from_db()
    assert creator.phone is None


def test_console_sender_is_the_default(settings, caplog):
    settings.SMS_BACKEND = "console"

    sms.send_sms(to=PHONE, body="Your Influmojo code is 123456.")

    assert "123456" in caplog.text


def test_phone_numbers_are_unique(creator, brand):
    User.objects.filter(pk=brand.pk).update(phone=PHONE)

    with pytest.raises(Exception):
        User.objects.filter(pk=creator.pk).update(phone=PHONE)


def test_phone_verification_on_the_web_pages(twilio, creator):
    from django.test import Client

    twilio.add(responses.POST, TWILIO_URL, json=TWILIO_CREATED, status=201)
    client = Client()
    client.force_login(creator)

    sent = client.post("/accounts/phone/change/", {"phone": PHONE})
    wrong = client.post("/accounts/phone/verify/", {"code": "000000"})
    right = client.post("/accounts/phone/verify/", {"code": sent_code(twilio.calls[0])})

    assert sent.status_code == 302 and sent["Location"] == "/accounts/phone/verify/"
    assert wrong.status_code == 200 and wrong.context["form"].errors
    assert right.status_code == 302
    creator.refresh_from_db()
    assert creator.phone == PHONE and creator.phone_verified


def test_signup_with_a_phone_number_sends_a_code(twilio, api_client):
    twilio.add(responses.POST, TWILIO_URL, json=TWILIO_CREATED, status=201)

    response = api_client.post(
        f"{AUTH}/auth/signup",
        {"email": "sam@example.com", "phone": PHONE, "password": "Str0ng-pass-123", "name": "Sam", "user_type": "creator"},
        format="json",
    )

    assert response.status_code in (200, 401), response.json()
    assert parse_qs(twilio.calls[0].request.body)["To"] == [PHONE]
    user = User.objects.get(email="sam@example.com")
    assert user.phone == PHONE and not user.phone_verified
