"""Mobile authentication through allauth headless (app client, JWT strategy)."""

import re
from urllib.parse import unquote

import pytest
from django.core import mail
from rest_framework.test import APIClient

from accounts import services
from accounts.models import User
from influmojo.permissions import Actor

from .factories import PASSWORD

pytestmark = pytest.mark.django_db
AUTH = "/_allauth/app/v1"
ME = "/api/v1/profile/me"


def signup(client, **overrides):
    payload = {"email": "maya@example.com", "password": PASSWORD, "name": "Maya Rao", "user_type": "creator"}
    payload.update(overrides)
    return client.post(f"{AUTH}/auth/signup", payload, format="json")


def login(client, email, password=PASSWORD):
    return client.post(f"{AUTH}/auth/login", {"email": email, "password": password}, format="json")


def bearer(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


@pytest.mark.parametrize("user_type", ["brand", "creator"])
def test_signup_returns_tokens_and_creates_the_role_profile(api_client, user_type):
    response = signup(api_client, user_type=user_type)

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["meta"]["access_token"] and body["meta"]["refresh_token"]
    assert body["data"]["user"]["user_type"] == user_type
    user = User.objects.get(email="maya@example.com")
    assert user.status == User.Status.PENDING and user.is_active
    assert hasattr(user, "brand_profile" if user_type == "brand" else "creator_profile")
    assert user.onboarding_step == ("company" if user_type == "brand" else "personal")


@pytest.mark.parametrize("user_type", [None, "agent", "admin", "wizard"])
def test_signup_refuses_roles_users_cannot_choose(api_client, user_type):
    payload = {} if user_type is None else {"user_type": user_type}
    response = signup(api_client, **payload) if user_type else api_client.post(
        f"{AUTH}/auth/signup", {"email": "x@example.com", "password": PASSWORD, "name": "X"}, format="json"
    )

    assert response.status_code == 400
    assert not User.objects.filter(email__in=["maya@example.com", "x@example.com"]).exists()


def test_signup_with_an_existing_email_in_other_case_is_refused(api_client, brand):
    response = signup(api_client, email=brand.email.upper())

    assert response.status_code == 400
    assert User.objects.filter(email__iexact=brand.email).count() == 1


def test_access_token_is_accepted_by_a_drf_view(api_client, brand):
    tokens = login(api_client, brand.email).json()["meta"]

    response = bearer(tokens["access_token"]).get(ME)

    assert response.status_code == 200
    assert response.json()["email"] == brand.email


def test_wrong_password_is_refused(api_client, brand):
    response = login(api_client, brand.email, "wrong-password")

    assert response.status_code == 400
    assert "access_token" not in response.json().get("meta", {})


def test_refresh_gives_a_working_access_token_and_rotates_the_refresh_token(api_client, creator):
    tokens = login(api_client, creator.email).json()["meta"]

    refreshed = api_client.post(f"{AUTH}/tokens/refresh", {"refresh_token": tokens["refresh_token"]}, format="json")

    assert refreshed.status_code == 200, refreshed.json()
    new = refreshed.json()["data"]
    assert bearer(new["access_token"]).get(ME).status_code == 200
    reused = api_client.post(f"{AUTH}/tokens/refresh", {"refresh_token": tokens["refresh_token"]}, format="json")
    assert reused.status_code == 400


def test_logout_revokes_access_and_refresh_tokens(api_client, creator):
    tokens = login(api_client, creator.email).json()["meta"]
    client = bearer(tokens["access_token"])
    assert client.get(ME).status_code == 200

    response = client.delete(f"{AUTH}/auth/session")

    assert response.status_code == 401  # allauth answers a finished logout with "not authenticated"
    assert client.get(ME).status_code == 401
    again = api_client.post(f"{AUTH}/tokens/refresh", {"refresh_token": tokens["refresh_token"]}, format="json")
    assert again.status_code == 400


@pytest.mark.parametrize("to", ["suspended", "banned"])
def test_suspended_or_banned_user_loses_tokens_and_cannot_log_in(api_client, creator, agent, to):
    tokens = login(api_client, creator.email).json()["meta"]
    admin = User.objects.create_superuser("root@example.com", PASSWORD)
    actor = Actor.of(agent) if to == "suspended" else Actor.of(admin)

    services.user_set_status(user_id=creator.pk, to=to, actor=actor)

    assert bearer(tokens["access_token"]).get(ME).status_code == 401
    refresh = api_client.post(f"{AUTH}/tokens/refresh", {"refresh_token": tokens["refresh_token"]}, format="json")
    assert refresh.status_code == 400
    relogin = login(APIClient(), creator.email)
    assert relogin.status_code in (400, 401)
    assert "access_token" not in relogin.json().get("meta", {})


def test_email_verification_through_headless_activates_the_account(api_client):
    signup(api_client)
    key = unquote(re.search(r"confirm-email/([^/\s]+)/", mail.outbox[-1].body).group(1))

    response = api_client.post(f"{AUTH}/auth/email/verify", {"key": key}, format="json")

    assert response.status_code in (200, 401), response.json()  # 401: verified, the app logs in next
    user = User.objects.get(email="maya@example.com")
    assert user.email_verified and user.status == User.Status.ACTIVE
    assert user.account_events.filter(action="status", new_status="active").exists()


def test_email_verification_with_a_bad_key_is_refused(api_client):
    signup(api_client)

    response = api_client.post(f"{AUTH}/auth/email/verify", {"key": "not-a-key"}, format="json")

    assert response.status_code == 400
    assert User.objects.get(email="maya@example.com").status == User.Status.PENDING


def test_password_reset_through_headless(api_client, brand):
    requested = api_client.post(f"{AUTH}/auth/password/request", {"email": brand.email}, format="json")
    assert requested.status_code == 200
    key = unquote(re.search(r"password/reset/key/([^/\s]+)/", mail.outbox[-1].body).group(1))

    reset = api_client.post(f"{AUTH}/auth/password/reset", {"key": key, "password": "N3w-secret-pass!"}, format="json")

    assert reset.status_code in (200, 401), reset.json()  # 401 = reset done, login required next
    assert login(APIClient(), brand.email, "N3w-secret-pass!").status_code == 200
    assert login(APIClient(), brand.email).status_code == 400


def test_password_reset_is_rate_limited(api_client, brand):
    statuses = [
        api_client.post(f"{AUTH}/auth/password/request", {"email": brand.email}, format="json").status_code
        for _ in range(5)
    ]

    assert statuses[0] == 200
    assert 429 in statuses


def test_after_five_failed_logins_even_the_right_password_is_refused_for_a_while(api_client, brand):
    failures = [login(api_client, brand.email, "wrong").status_code for _ in range(5)]

    blocked = login(api_client, brand.email)

    assert failures == [400] * 5
    assert blocked.status_code == 400
    assert blocked.json()["errors"][0]["code"] == "too_many_login_attempts"
