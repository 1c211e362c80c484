"""FCM HTTP v1 push, faked at the HTTP boundary with recorded answers: the token exchange (a JWT signed with the
service account's key), the send, dead tokens deactivating their device, 429/5xx retried with backoff."""

import json
import time
from pathlib import Path
from urllib.parse import parse_qs

import jwt
import pytest
import responses
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from accounts.tests.factories import CreatorUserFactory
from chat import push, tasks
from chat.models import Device, Notification
from chat.services import notifications as services
from chat.services.devices import device_register

pytestmark = pytest.mark.django_db
RECORDED = Path(__file__).parent / "recorded"
PROJECT = "influmojo-test"
SEND_URL = f"https://fcm.googleapis.com/v1/projects/{PROJECT}/messages:send"
TOKEN_URI = "https://oauth2.googleapis.com/token"
ACCESS_TOKEN = "ya29.c.c0ASRK0GZ-recorded-access-token-for-tests"


def recorded(name: str) -> dict:
    return json.loads((RECORDED / name).read_text())


@pytest.fixture(scope="module")
def private_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def service_account(private_key):
    pem = private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()).decode()
    return {"type": "service_account", "project_id": PROJECT, "private_key_id": "5f1c0d9e8b7a",
            "private_key": pem, "client_email": f"push@{PROJECT}.iam.gserviceaccount.com",
            "token_uri": TOKEN_URI}


@pytest.fixture
def fcm(settings, service_account):
    """PUSH_BACKEND=fcm with a test project; every HTTP call must be one the test registered."""
    settings.FCM_PROJECT_ID, settings.PUSH_BACKEND = PROJECT, "fcm"
    settings.FCM_SERVICE_ACCOUNT_JSON = json.dumps(service_account)
    push.FCMPushSender._tokens.clear()
    with responses.RequestsMock(assert_all_requests_are_fired=False) as http:
        yield http
    push.FCMPushSender._tokens.clear()


def token_answer(http, **overrides):
    http.post(TOKEN_URI, json={**recorded("fcm_token.json"), **overrides})


def sends(http):
    return [call for call in http.calls if call.request.url == SEND_URL]


def token_calls(http):
    return [call for call in http.calls if call.request.url == TOKEN_URI]


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def queued_pushes(monkeypatch):
    """Push tasks held back, to run as a worker would: errors do not propagate, so each retry runs again (inline)."""
    from influmojo.celery import app

    queued = []
    monkeypatch.setattr(tasks.send_notification_push, "delay", lambda notification_id: queued.append(notification_id))
    monkeypatch.setitem(app.conf, "task_eager_propagates", False)
    return queued


def tell(user):
    services.notify(user_id=user.pk, type="orders", event="order.paid", title="New order IM-1",
                    body="Acme ordered 2 reels.", url="/orders/1/", data={"order_id": 1})


def run_push(notification_id):
    return tasks.send_notification_push.apply(args=[notification_id])


# --- The real requests ----------------------------------------------------------------------------------------------
def test_the_token_exchange_and_the_send_are_the_documented_requests(fcm, commit, private_key, service_account):
    user = CreatorUserFactory()
    device = device_register(user=user, token="dGVzdC1mY20tdG9rZW4:APA91bH-device-1", platform="android")
    token_answer(fcm)
    fcm.post(SEND_URL, json=recorded("fcm_send_ok.json"))

    with commit():
        tell(user)

    (exchange,) = token_calls(fcm)
    form = parse_qs(exchange.request.body)
    assert form["grant_type"] == ["urn:ietf:params:oauth:grant-type:jwt-bearer"]
    assertion = form["assertion"][0]
    assert jwt.get_unverified_header(assertion) == {"alg": "RS256", "kid": "5f1c0d9e8b7a", "typ": "JWT"}
    claims = jwt.decode(assertion, private_key.public_key(), algorithms=["RS256"], audience=TOKEN_URI)
    assert claims["iss"] == service_account["client_email"]
    assert claims["scope"] == "https://www.googleapis.com/auth/firebase.messaging"
    assert claims["exp"] - claims["iat"] == 3600 and abs(claims["iat"] - time.time()) < 60

    (send,) = sends(fcm)
    assert send.request.headers["Authorization"] == f"Bearer {ACCESS_TOKEN}"
    notification = Notification.objects.get(user=user)
    assert json.loads(send.request.body) == {"message": {
        "token": device.token,
        "notification": {"title": "New order IM-1", "body": "Acme ordered 2 reels."},
        "data": {"notification_id": str(notification.pk), "type": "orders", "event": "order.paid",
                 "url": "/orders/1/"},
        "android": {"priority": "high"},
        "apns": {"payload": {"aps": {"sound": "default"}}},
    }}
    delivery = notification.deliveries.get(channel="push")
    assert (delivery.status, delivery.detail) == ("sent", "fcm: sent to 1")


def test_the_access_token_is_cached_until_it_nearly_expires(fcm, monkeypatch):
    token_answer(fcm, expires_in=3599)
    fcm.post(SEND_URL, json=recorded("fcm_send_ok.json"))
    sender = push.get_push_sender()
    message = push.PushMessage(title="Hi")

    sender.send(token="a", message=message)
    push.get_push_sender().send(token="b", message=message)  # a new sender (a new task) shares the cache
    assert len(token_calls(fcm)) == 1

    later = time.time() + 3599 - 30  # inside the renewal margin
    monkeypatch.setattr(push.time, "time", lambda: later)
    sender.send(token="c", message=message)
    assert len(token_calls(fcm)) == 2 and len(sends(fcm)) == 3


def test_a_revoked_access_token_is_fetched_again_once(fcm):
    token_answer(fcm)
    fcm.post(SEND_URL, json=recorded("fcm_error_unauthenticated.json"), status=401)
    fcm.post(SEND_URL, json=recorded("fcm_send_ok.json"))

    result = push.get_push_sender().send(token="a", message=push.PushMessage(title="Hi"))

    assert result.status == "sent" and len(token_calls(fcm)) == 2 and len(sends(fcm)) == 2


def test_a_refused_token_exchange_fails_without_sending(fcm):
    fcm.post(TOKEN_URI, json=recorded("google_token_invalid_grant.json"), status=400)

    result = push.get_push_sender().send(token="a", message=push.PushMessage(title="Hi"))

    assert result.status == "failed" and "invalid_grant" in result.detail and sends(fcm) == []


def test_the_service_account_may_be_a_file(settings, tmp_path, service_account):
    path = tmp_path / "fcm.json"
    path.write_text(json.dumps(service_account))
    settings.PUSH_BACKEND, settings.FCM_PROJECT_ID, settings.FCM_SERVICE_ACCOUNT_JSON = "fcm", PROJECT, str(path)

    sender = push.get_push_sender()

    assert isinstance(sender, push.FCMPushSender) and sender.account["client_email"] == service_account["client_email"]
    settings.FCM_SERVICE_ACCOUNT_JSON = str(tmp_path / "missing.json")
    with pytest.raises(push.PushConfigurationError):
        push.get_push_sender()


# --- Answers -------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("answer,status", [("fcm_error_unregistered.json", 404), ("fcm_error_invalid_token.json", 400)])
def test_a_dead_token_deactivates_its_device(fcm, commit, answer, status):
    user = CreatorUserFactory()
    dead = device_register(user=user, token="dead-token", platform="ios")
    alive = device_register(user=user, token="live-token", platform="android")
    token_answer(fcm)
    fcm.post(SEND_URL, json=recorded(answer), status=status,
             match=[responses.matchers.json_params_matcher({"message": {"token": "dead-token"}}, strict_match=False)])
    fcm.post(SEND_URL, json=recorded("fcm_send_ok.json"))

    with commit():
        tell(user)

    dead.refresh_from_db()
    alive.refresh_from_db()
    assert not dead.active and alive.active
    delivery = Notification.objects.get(user=user).deliveries.get(channel="push")
    assert (delivery.status, delivery.detail) == ("sent", "fcm: sent to 1, 1 unregistered")
    with commit():  # the next notification goes to the live device only
        tell(user)
    assert [json.loads(call.request.body)["message"]["token"] for call in sends(fcm)][-1:] == ["live-token"]
    assert len(sends(fcm)) == 3


def test_a_malformed_message_fails_but_keeps_the_device(fcm):
    token_answer(fcm)
    fcm.post(SEND_URL, json=recorded("fcm_error_invalid_data.json"), status=400)

    result = push.get_push_sender().send(token="a", message=push.PushMessage(title="Hi"))

    assert result.status == "failed" and "INVALID_ARGUMENT" in result.detail


def test_a_5xx_is_retried_for_that_device_alone(fcm, commit, queued_pushes):
    user = CreatorUserFactory()
    device_register(user=user, token="steady", platform="android")
    device_register(user=user, token="flaky", platform="ios")
    token_answer(fcm)
    flaky = [responses.matchers.json_params_matcher({"message": {"token": "flaky"}}, strict_match=False)]
    fcm.post(SEND_URL, json=recorded("fcm_error_unavailable.json"), status=503, match=flaky)
    fcm.post(SEND_URL, json=recorded("fcm_send_ok.json"), match=flaky)
    fcm.post(SEND_URL, json=recorded("fcm_send_ok.json"))
    with commit():
        tell(user)

    result = run_push(queued_pushes[0])

    assert result.get() == "fcm: sent to 2"
    assert [json.loads(call.request.body)["message"]["token"] for call in sends(fcm)] == ["steady", "flaky", "flaky"]
    delivery = Notification.objects.get(user=user).deliveries.get(channel="push")
    assert (delivery.status, delivery.detail) == ("sent", "fcm: sent to 2")
    assert run_push(queued_pushes[0]).get() == "push already sent" and len(sends(fcm)) == 3


def test_a_service_that_stays_down_fails_the_delivery_after_the_last_retry(fcm, commit, queued_pushes):
    user = CreatorUserFactory()
    device_register(user=user, token="a", platform="android")
    token_answer(fcm)
    fcm.post(SEND_URL, json=recorded("fcm_error_unavailable.json"), status=503)
    with commit():
        tell(user)

    result = run_push(queued_pushes[0]).get()

    assert len(sends(fcm)) == tasks.PUSH_MAX_RETRIES + 1
    delivery = Notification.objects.get(user=user).deliveries.get(channel="push")
    assert result == "fcm: sent to 0, 1 failed" and delivery.status == "failed"
    assert Device.objects.get(token_hash__isnull=False).active  # a server problem is not the device's fault


def test_a_429_waits_at_least_what_the_server_asks(fcm):
    token_answer(fcm)
    fcm.post(SEND_URL, json=recorded("fcm_error_quota.json"), status=429, headers={"Retry-After": "120"})

    result = push.get_push_sender().send(token="a", message=push.PushMessage(title="Hi"))

    assert (result.status, result.retry_after) == ("retry", 120) and "QUOTA_EXCEEDED" in result.detail
    assert tasks.push_backoff(0, result.retry_after) == 120
    assert 30 <= tasks.push_backoff(0) <= 45 and 240 <= tasks.push_backoff(3) <= 255
    assert tasks.push_backoff(20) == 3600


def test_fcm_unreachable_is_retried(fcm):
    import requests

    token_answer(fcm)
    fcm.post(SEND_URL, body=requests.ConnectionError("no route to host"))

    result = push.get_push_sender().send(token="a", message=push.PushMessage(title="Hi"))

    assert result.status == "retry" and "ConnectionError" in result.detail
