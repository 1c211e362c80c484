"""Google sign-in: the app sends Google's id token; allauth verifies it against Google's certificates,
which are faked at the HTTP boundary with a key made here."""

import datetime
import time

import jwt
import pytest
import responses
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.test import Client

from accounts.models import User

from .test_auth_headless import AUTH, ME, bearer

pytestmark = pytest.mark.django_db
CLIENT_ID = "1234567890-influmojo.apps.googleusercontent.com"
CERTS_URL = "https://www.googleapis.com/oauth2/v1/certs"
KID = "f5f4bf46e52b31d9b6249f7309ad0338400680cd"


@pytest.fixture(scope="module")
def google_key():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "accounts.google.com")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return key, cert.public_bytes(serialization.Encoding.PEM).decode()


@pytest.fixture
def google(settings, google_key):
    settings.SOCIALACCOUNT_PROVIDERS = {
        "google": {"APPS": [{"client_id": CLIENT_ID, "secret": "google-secret"}], "SCOPE": ["profile", "email"]}
    }
    _, cert_pem = google_key
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mocked:
        mocked.add(responses.GET, CERTS_URL, json={KID: cert_pem})
        yield mocked


def id_token(google_key, *, email="priya@gmail.com", aud=CLIENT_ID, exp_in=3600, sub="108204268033311374519"):
    key, _ = google_key
    now = int(time.time())
    claims = {
        "iss": "https://accounts.google.com",
        "azp": aud,
        "aud": aud,
        "sub": sub,
        "email": email,
        "email_verified": True,
        "name": "Priya Shah",
        "given_name": "Priya",
        "family_name": "Shah",
        "iat": now,
        "exp": now + exp_in,
        "jti": f"jti-{now}-{email}",
    }
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": KID})


def provider_token(client, token):
    return client.post(
        f"{AUTH}/auth/provider/token",
        {"provider": "google", "process": "login", "token": {"client_id": CLIENT_ID, "id_token": token}},
        format="json",
    )


def test_new_google_user_chooses_a_role_then_gets_tokens(api_client, google, google_key):
    pending = provider_token(api_client, id_token(google_key))
    assert pending.status_code == 401
    assert any(flow["id"] == "provider_signup" and flow.get("is_pending") for flow in pending.json()["data"]["flows"])
    session_token = pending.json()["meta"]["session_token"]

    done = api_client.post(
        f"{AUTH}/auth/provider/signup",
        {"email": "priya@gmail.com", "name": "Priya Shah", "user_type": "brand"},
        format="json",
        HTTP_X_SESSION_TOKEN=session_token,
    )

    assert done.status_code == 200, done.json()
    user = User.objects.get(email="priya@gmail.com")
    assert user.user_type == "brand" and user.auth_provider == "google" and hasattr(user, "brand_profile")
    assert bearer(done.json()["meta"]["access_token"]).get(ME).status_code == 200
    assert google.calls[0].request.url == CERTS_URL


def test_existing_user_with_that_email_logs_in_with_google(api_client, google, google_key, creator):
    response = provider_token(api_client, id_token(google_key, email=creator.email))

    assert response.status_code == 200, response.json()
    assert response.json()["meta"]["access_token"]
    assert User.objects.filter(email__iexact=creator.email).count() == 1


@pytest.mark.parametrize(
    "claims",
    [{"aud": "someone-elses-client.apps.googleusercontent.com"}, {"exp_in": -60}],
    ids=["wrong audience", "expired"],
)
def test_forged_or_stale_id_tokens_are_refused(api_client, google, google_key, claims):
    response = provider_token(api_client, id_token(google_key, **claims))

    assert response.status_code == 400
    assert not User.objects.exists()


def test_id_token_signed_by_another_key_is_refused(api_client, google):
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    response = provider_token(api_client, id_token((other, None)))

    assert response.status_code == 400
    assert not User.objects.exists()


def test_web_google_login_redirects_to_google_when_configured(google):
    response = Client().post("/accounts/google/login/")

    assert response.status_code == 302
    assert response["Location"].startswith("https://accounts.google.com/o/oauth2/v2/auth")
    assert f"client_id={CLIENT_ID}" in response["Location"]


def test_web_google_login_is_absent_when_not_configured(settings):
    settings.SOCIALACCOUNT_PROVIDERS = {"google": {"APPS": []}}

    response = Client().get("/accounts/login/")

    assert response.status_code == 200
    assert "/accounts/google/login/" not in response.content.decode()
