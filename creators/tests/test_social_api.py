"""/api/v1/social-accounts: list, add (typed in or OAuth code from the app), delete, sync."""

import json
from pathlib import Path

import pytest
import responses
from django.db import connection
from django.test.utils import CaptureQueriesContext
from responses import matchers

from accounts.tests.factories import CreatorUserFactory
from creators.models import SocialAccount
from creators.tests.factories import SocialAccountFactory

pytestmark = pytest.mark.django_db

RECORDED = Path(__file__).parent / "recorded"
LIST = "/api/v1/social-accounts"
TOKEN_FIELDS = {"access_token", "refresh_token", "token_expires_at", "scopes"}


def detail(account_id) -> str:
    return f"{LIST}/{account_id}"


def sync(account_id) -> str:
    return f"{LIST}/{account_id}/sync"


def recorded(name: str) -> dict:
    return json.loads((RECORDED / name).read_text())


def error(response, status: int) -> dict:
    assert response.status_code == status, response.content
    return response.json()["error"]


@pytest.fixture
def api(auth_client, creator):
    return auth_client(creator)


@pytest.fixture
def no_sync(monkeypatch):
    queued = []
    monkeypatch.setattr("creators.tasks.sync_social_account.delay", queued.append)
    return queued


# --- Who may call ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("method,path", [("get", LIST), ("post", LIST), ("delete", detail(1)), ("post", sync(1))])
def test_anonymous_callers_get_401(api_client, method, path):
    assert error(getattr(api_client, method)(path), 401)["code"] == "not_authenticated"


@pytest.mark.parametrize("method,path", [("get", LIST), ("post", LIST), ("delete", detail(1)), ("post", sync(1))])
def test_brands_get_403(auth_client, brand, method, path):
    assert error(getattr(auth_client(brand), method)(path), 403)["code"] == "permission_denied"


# --- List --------------------------------------------------------------------------------------------------------
def test_the_list_is_your_own_accounts_paginated_and_without_tokens(api, creator):
    mine = SocialAccountFactory(creator=creator, access_token="EAAG-list-secret", refresh_token="rft-list-secret")
    typed = SocialAccountFactory(creator=creator, platform="twitter", username="typed", self_reported=True)
    SocialAccountFactory()  # someone else's

    response = api.get(LIST, {"limit": 1})

    body = response.json()
    assert response.status_code == 200 and body["total"] == 2 and body["limit"] == 1 and len(body["results"]) == 1
    everything = api.get(LIST).json()["results"]
    assert [row["id"] for row in everything] == [mine.pk, typed.pk]
    assert everything[0]["verified"] is True and everything[1]["verified"] is False
    assert everything[0]["engagement_rate"] == "3.2500" and everything[0]["sync_status"] == "idle"
    for row in everything:
        assert not TOKEN_FIELDS & set(row)
    assert "secret" not in response.content.decode() + json.dumps(everything)


def test_the_list_costs_the_same_queries_for_1_and_25_accounts(api, creator):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api.get(LIST, {"limit": 100}).status_code == 200
        return len(captured)

    SocialAccountFactory(creator=creator)
    one = queries()
    SocialAccountFactory.create_batch(24, creator=creator)
    assert len(api.get(LIST, {"limit": 100}).json()["results"]) == 25

    assert queries() == one


# --- Add: typed in ------------------------------------------------------------------------------------------------
def test_a_typed_in_account_is_created_then_replaced(api, creator):
    created = api.post(LIST, {"platform": "twitter", "username": "@asha", "followers": 1200}, format="json")
    replaced = api.post(LIST, {"platform": "twitter", "username": "asha_k"}, format="json")

    assert created.status_code == 201 and replaced.status_code == 200
    (account,) = replaced.json()["accounts"]
    assert (account["username"], account["source"], account["verified"], account["followers"]) == (
        "asha_k",
        "self_reported",
        False,
        0,
    )
    assert SocialAccount.objects.filter(creator=creator).count() == 1


@pytest.mark.parametrize(
    "payload,field",
    [
        ({"platform": "myspace", "username": "tom"}, "platform"),
        ({"platform": "twitter", "username": "no spaces"}, "username"),
        ({"platform": "twitter", "username": "x" * 51}, "username"),
        ({"platform": "twitter", "username": "ok", "followers": -1}, "followers"),
        ({"platform": "twitter"}, "username"),
        ({"platform": "twitter", "code": "abc"}, "redirect_uri"),
        (
            {"platform": "twitter", "code": "abc", "redirect_uri": "https://app.example/cb"},
            "platform",
        ),  # no OAuth for X
        ({"platform": "youtube", "code": "abc", "redirect_uri": "not a uri"}, "redirect_uri"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api, payload, field):
    details = error(api.post(LIST, payload, format="json"), 400)["details"]

    assert field in details
    assert not SocialAccount.objects.exists()


def test_typing_in_a_connected_handle_is_409(api, creator):
    SocialAccountFactory(creator=creator, platform="instagram", username="asha.travels")

    assert (
        error(api.post(LIST, {"platform": "instagram", "username": "asha.travels"}, format="json"), 409)["code"]
        == "conflict"
    )


# --- Add: the app's OAuth code -------------------------------------------------------------------------------------
OAUTH = {
    "platform": "youtube",
    "code": "4/0Aean-app-code",
    "redirect_uri": "com.influmojo.app:/oauth2redirect",
    "code_verifier": "pkce-verifier-from-the-app",
}


@pytest.fixture
def google(settings):
    settings.YOUTUBE_CLIENT_ID, settings.YOUTUBE_CLIENT_SECRET = "yt-client", "yt-secret"
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mocked:
        yield mocked


def test_an_oauth_code_from_the_app_connects_the_channel(
    api, creator, google, no_sync, django_capture_on_commit_callbacks
):
    google.post(
        "https://oauth2.googleapis.com/token",
        json=recorded("google_token.json"),
        match=[
            matchers.urlencoded_params_matcher(
                {
                    "code": "4/0Aean-app-code",
                    "client_id": "yt-client",
                    "client_secret": "yt-secret",
                    "redirect_uri": "com.influmojo.app:/oauth2redirect",
                    "grant_type": "authorization_code",
                    "code_verifier": "pkce-verifier-from-the-app",
                }
            ),
        ],
    )
    google.get("https://www.googleapis.com/youtube/v3/channels", json=recorded("youtube_channels.json"))

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(LIST, OAUTH, format="json")

    assert response.status_code == 201
    (account,) = response.json()["accounts"]
    assert (account["platform"], account["username"], account["verified"], account["state"]) == (
        "youtube",
        "ashatravels",
        True,
        "connected",
    )
    assert account["sync_status"] == "queued" and no_sync == [account["id"]]
    assert "ya29" not in response.content.decode() and "1//0g" not in response.content.decode()


def test_a_refused_code_is_400_oauth_failed(api, google):
    google.post("https://oauth2.googleapis.com/token", json=recorded("google_error_invalid_grant.json"), status=400)

    assert error(api.post(LIST, OAUTH, format="json"), 400)["code"] == "oauth_failed"


def test_a_channel_another_creator_connected_is_409(api, google):
    SocialAccountFactory(creator=CreatorUserFactory(), platform="youtube", platform_user_id="UCq3Ci2nPRMeHdmNJ8bB5VgQ")
    google.post("https://oauth2.googleapis.com/token", json=recorded("google_token.json"))
    google.get("https://www.googleapis.com/youtube/v3/channels", json=recorded("youtube_channels.json"))

    assert error(api.post(LIST, OAUTH, format="json"), 409)["code"] == "account_taken"


def test_a_platform_without_an_app_is_400_before_any_call(api, settings):
    settings.YOUTUBE_CLIENT_ID = ""

    with responses.RequestsMock(assert_all_requests_are_fired=True) as nothing:
        assert error(api.post(LIST, OAUTH, format="json"), 400)["code"] == "platform_not_configured"
    assert len(nothing.calls) == 0


# --- Delete ----------------------------------------------------------------------------------------------------------
def test_delete_disconnects_your_connected_account(api, creator):
    account = SocialAccountFactory(creator=creator)

    assert api.delete(detail(account.pk)).status_code == 204

    account.refresh_from_db()
    assert account.state == "disconnected" and account.access_token == ""
    assert api.get(LIST).json()["results"][0]["state"] == "disconnected"
    assert api.delete(detail(account.pk)).status_code == 204  # now removed
    assert not SocialAccount.objects.filter(pk=account.pk).exists()


def test_delete_of_someone_elses_or_a_missing_account_is_404(api):
    other = SocialAccountFactory()

    assert error(api.delete(detail(other.pk)), 404)["code"] == "not_found"
    assert error(api.delete(detail(999_999)), 404)["code"] == "not_found"
    other.refresh_from_db()
    assert other.state == "connected" and other.access_token


# --- Sync -------------------------------------------------------------------------------------------------------------
def test_sync_answers_202_and_queues_on_commit(api, creator, no_sync, django_capture_on_commit_callbacks):
    account = SocialAccountFactory(creator=creator)

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(sync(account.pk))

    assert response.status_code == 202 and response.json()["sync_status"] == "queued"
    assert no_sync == [account.pk] and not TOKEN_FIELDS & set(response.json())


def test_sync_of_a_typed_in_account_is_409_and_of_someone_elses_404(api, creator):
    typed = SocialAccountFactory(creator=creator, self_reported=True)

    assert error(api.post(sync(typed.pk)), 409)["code"] == "invalid_transition"
    assert error(api.post(sync(SocialAccountFactory().pk)), 404)["code"] == "not_found"


def test_sync_is_throttled(api, creator, no_sync):
    account = SocialAccountFactory(creator=creator)

    statuses = [api.post(sync(account.pk)).status_code for _ in range(10)]

    assert statuses[:10] == [202] * 10
    assert error(api.post(sync(account.pk)), 429)["code"] == "throttled"
