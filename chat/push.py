"""Mobile push senders, chosen by settings.PUSH_BACKEND: "fcm" (Firebase Cloud Messaging HTTP v1) when a project
and a service account are configured, "log" otherwise (development, tests: the push is only logged).

A sender sends one message to one device token and says what happened (PushResult): sent, the token is dead
(`unregistered`: the caller deactivates the device), worth retrying later (`retry`: 429 and 5xx, with the
server's Retry-After when it gives one), or failed for good. It never raises for an answer it understood.
"""

import json
import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import jwt
import requests
from django.conf import settings

logger = logging.getLogger(__name__)

FCM_SCOPE = "https://www.googleapis.com/auth/firebase.messaging"
FCM_SEND_URL = "https://fcm.googleapis.com/v1/projects/{project_id}/messages:send"
DEFAULT_TOKEN_URI = "https://oauth2.googleapis.com/token"
# FCM's own codes for a token that will never work again (the app was uninstalled, or it belongs elsewhere).
DEAD_TOKEN_CODES = {"UNREGISTERED", "INVALID_ARGUMENT", "SENDER_ID_MISMATCH"}
TOKEN_LIFETIME_SECONDS = 3600  # the longest Google grants for a service account's assertion
TOKEN_EXPIRY_MARGIN_SECONDS = 60  # a cached access token is renewed this long before it expires


@dataclass(frozen=True)
class PushMessage:
    title: str
    body: str = ""
    data: dict[str, str] = field(default_factory=dict)  # FCM data values are strings


@dataclass(frozen=True)
class PushResult:
    SENT, UNREGISTERED, RETRY, FAILED = "sent", "unregistered", "retry", "failed"

    status: str
    detail: str = ""
    retry_after: int | None = None  # seconds, when the server said


class PushConfigurationError(Exception):
    """The FCM settings cannot be used (no readable service account)."""


class LogPushSender:
    """Development and tests: the push is written to the log and counts as sent."""

    name, sent_label = "log", "logged (not sent) for"

    def send(self, *, token: str, message: PushMessage) -> PushResult:
        logger.info("push (logged, not sent) to …%s: %s — %s %s", token[-8:], message.title, message.body,
                    message.data)
        return PushResult(PushResult.SENT, detail="logged (PUSH_BACKEND=log)")


class FCMPushSender:
    """Firebase Cloud Messaging HTTP v1 with an OAuth2 access token from the service account (a JWT signed with
    its private key, exchanged at its token_uri, cached until shortly before it expires)."""

    name, sent_label = "fcm", "sent to"
    _tokens: dict[tuple[str, str], tuple[str, float]] = {}  # (client_email, token_uri) -> (token, expires at)
    _lock = threading.Lock()

    def __init__(self, *, project_id: str, service_account: dict, timeout: float = 10, session=None):
        missing = {"client_email", "private_key"} - set(service_account)
        if missing:
            raise PushConfigurationError(f"the FCM service account lacks {', '.join(sorted(missing))}")
        self.project_id = project_id
        self.account = service_account
        self.timeout = timeout
        self.session = session or requests.Session()

    # --- OAuth2 ---------------------------------------------------------------------------------------------
    @property
    def _token_key(self) -> tuple[str, str]:
        return self.account["client_email"], self.account.get("token_uri") or DEFAULT_TOKEN_URI

    def access_token(self) -> str:
        with self._lock:
            cached = self._tokens.get(self._token_key)
            if cached and cached[1] - TOKEN_EXPIRY_MARGIN_SECONDS > time.time():
                return cached[0]
        token, expires_at = self._fetch_access_token()
        with self._lock:
            self._tokens[self._token_key] = (token, expires_at)
        return token

    def _forget_access_token(self) -> None:
        with self._lock:
            self._tokens.pop(self._token_key, None)

    def _fetch_access_token(self) -> tuple[str, float]:
        client_email, token_uri = self._token_key
        now = int(time.time())
        headers = {"kid": self.account["private_key_id"]} if self.account.get("private_key_id") else None
        assertion = jwt.encode(
            {"iss": client_email, "scope": FCM_SCOPE, "aud": token_uri, "iat": now,
             "exp": now + TOKEN_LIFETIME_SECONDS},
            self.account["private_key"], algorithm="RS256", headers=headers,
        )
        response = self.session.post(
            token_uri, data={"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": assertion},
            timeout=self.timeout,
        )
        if response.status_code != 200:
            raise TokenExchangeFailed(response.status_code, _short(response.text))
        body = response.json()
        return body["access_token"], time.time() + int(body.get("expires_in", TOKEN_LIFETIME_SECONDS))

    # --- Sending ----------------------------------------------------------------------------------------------
    def payload(self, *, token: str, message: PushMessage) -> dict:
        notification = {"title": message.title[:200]}
        if message.body:
            notification["body"] = message.body[:500]
        return {"message": {
            "token": token,
            "notification": notification,
            "data": {key: str(value) for key, value in message.data.items()},
            "android": {"priority": "high"},
            "apns": {"payload": {"aps": {"sound": "default"}}},
        }}

    def send(self, *, token: str, message: PushMessage) -> PushResult:
        url = FCM_SEND_URL.format(project_id=self.project_id)
        try:
            response = self._post(url, self.payload(token=token, message=message))
            if response.status_code == 401:  # the cached access token was revoked early: one fresh try
                self._forget_access_token()
                response = self._post(url, self.payload(token=token, message=message))
        except TokenExchangeFailed as exc:
            if exc.status == 429 or exc.status >= 500:
                return PushResult(PushResult.RETRY, detail=f"token exchange answered {exc.status}")
            return PushResult(PushResult.FAILED, detail=f"token exchange refused ({exc.status}): {exc.text}")
        except requests.RequestException as exc:
            return PushResult(PushResult.RETRY, detail=f"FCM unreachable: {type(exc).__name__}")
        return self._result(response)

    def _post(self, url: str, body: dict):
        return self.session.post(url, json=body, timeout=self.timeout,
                                 headers={"Authorization": f"Bearer {self.access_token()}"})

    def _result(self, response) -> PushResult:
        status = response.status_code
        if status == 200:
            return PushResult(PushResult.SENT, detail=_short(response.json().get("name", "")))
        code, message, bad_fields = _fcm_error(response)
        if status == 429 or status >= 500:
            return PushResult(PushResult.RETRY, detail=f"{status} {code}: {message}",
                              retry_after=_retry_after(response))
        # INVALID_ARGUMENT also means a malformed message: only a token problem (or none named) kills the device.
        token_problem = not bad_fields or all(name == "message.token" for name in bad_fields)
        if code in DEAD_TOKEN_CODES and (code != "INVALID_ARGUMENT" or token_problem):
            return PushResult(PushResult.UNREGISTERED, detail=f"{status} {code}: {message}")
        return PushResult(PushResult.FAILED, detail=f"{status} {code}: {message}")


class TokenExchangeFailed(Exception):
    def __init__(self, status: int, text: str):
        super().__init__(f"token exchange answered {status}: {text}")
        self.status, self.text = status, text


def _fcm_error(response) -> tuple[str, str, list[str]]:
    """(the most specific error code, its message, the request fields it names) of an FCM error answer."""
    try:
        error = response.json().get("error") or {}
    except ValueError:
        return str(response.status_code), _short(response.text), []
    code, fields = error.get("status") or str(response.status_code), []
    for detail in error.get("details") or []:
        if detail.get("@type", "").endswith("google.firebase.fcm.v1.FcmError") and detail.get("errorCode"):
            code = detail["errorCode"]
        for violation in detail.get("fieldViolations") or []:
            fields.append(violation.get("field", ""))
    return code, _short(error.get("message", "")), fields


def _retry_after(response) -> int | None:
    value = response.headers.get("Retry-After", "")
    return int(value) if value.isdigit() else None


def _short(text: str) -> str:
    return " ".join(str(text).split())[:300]


def service_account_info(value: str) -> dict:
    """settings.FCM_SERVICE_ACCOUNT_JSON: the key file's JSON itself, or the path of the key file."""
    text = value.strip()
    if not text.startswith("{"):
        try:
            text = Path(text).read_text()
        except OSError as exc:
            raise PushConfigurationError(f"cannot read the FCM service account file: {exc}") from exc
    try:
        return json.loads(text)
    except ValueError as exc:
        raise PushConfigurationError("the FCM service account is not valid JSON") from exc


def get_push_sender():
    """The sender settings.PUSH_BACKEND names ("fcm" or "log")."""
    if settings.PUSH_BACKEND == "fcm":
        return FCMPushSender(project_id=settings.FCM_PROJECT_ID,
                             service_account=service_account_info(settings.FCM_SERVICE_ACCOUNT_JSON),
                             timeout=settings.FCM_HTTP_TIMEOUT_SECONDS)
    if settings.PUSH_BACKEND == "log":
        return LogPushSender()
    raise PushConfigurationError(f"unknown PUSH_BACKEND {settings.PUSH_BACKEND!r}")
