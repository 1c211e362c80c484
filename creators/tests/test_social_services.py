"""Writes to social accounts: typed-in handles, the onboarding list, OAuth connect, disconnect, sync requests."""

import json
from pathlib import Path

import pytest
import responses
from django.db import connection

from accounts.tests.factories import CreatorUserFactory
from creators.models import SocialAccount, SocialActivity
from creators.platforms import NotConfigured
from creators.selectors import social as selectors
from creators.services import social as services
from creators.tests.factories import SocialAccountFactory
from influmojo.errors import ApplicationError, Conflict, InvalidTransition, NotFound

pytestmark = pytest.mark.django_db

RECORDED = Path(__file__).parent / "recorded"
CHANNEL = "UCq3Ci2nPRMeHdmNJ8bB5VgQ"
GOOGLE_TOKEN = "ya29.a0AfB_byC1GoogleAccessTokenQ"


def recorded(name: str) -> dict:
    return json.loads((RECORDED / name).read_text())


def raw(account, column: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM creators_socialaccount WHERE id = %s", [account.pk])
        return cursor.fetchone()[0]


@pytest.fixture
def youtube(settings):
    settings.YOUTUBE_CLIENT_ID, settings.YOUTUBE_CLIENT_SECRET = "yt-client", "yt-secret"
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mocked:
        yield mocked


def google_grants_the_channel(youtube):
    youtube.post("https://oauth2.googleapis.com/token", json=recorded("google_token.json"))
    youtube.get("https://www.googleapis.com/youtube/v3/channels", json=recorded("youtube_channels.json"))


def connect(creator, **kwargs):
    return services.social_accounts_connect(
        creator=creator, platform="youtube", code="4/0Aean-code", redirect_uri="https://app.example/cb/", **kwargs
    )


# --- Self-reported handles ------------------------------------------------------------------------------
def test_a_typed_in_handle_is_unverified_and_one_per_platform(creator):
    first, created = services.social_account_self_report(
        creator=creator, platform="twitter", username="asha", followers=1200
    )
    second, created_again = services.social_account_self_report(
        creator=creator, platform="twitter", username="asha_k", followers=None, ip="203.0.113.9"
    )

    assert created and not created_again and first.pk == second.pk
    account = SocialAccount.objects.get(creator=creator)
    assert (account.username, account.followers, account.source, account.state) == (
        "asha_k",
        0,
        "self_reported",
        "self_reported",
    )
    assert not account.is_verified and account.profile_url == "https://x.com/asha_k"
    assert SocialActivity.objects.filter(creator=creator, action="self_report").latest("id").ip_address == "203.0.113.9"


def test_a_typed_in_handle_that_is_already_connected_is_refused(creator):
    SocialAccountFactory(creator=creator, platform="instagram", username="asha.travels")

    with pytest.raises(Conflict, match="already listed as a connected Instagram account"):
        services.social_account_self_report(creator=creator, platform="instagram", username="Asha.Travels", followers=5)


def test_the_onboarding_list_replaces_the_typed_in_handles_and_leaves_connected_ones(creator):
    connected = SocialAccountFactory(creator=creator, platform="youtube", username="AshaTravels", followers=52_100)
    services.social_handles_replace(
        creator=creator,
        handles=[
            {"platform": "instagram", "handle": "asha", "followers": 100},
            {"platform": "tiktok", "handle": "asha_t", "followers": None},
        ],
    )

    services.social_handles_replace(
        creator=creator,
        handles=[
            {"platform": "instagram", "handle": "asha.travels", "followers": 48_000},
            {
                "platform": "youtube",
                "handle": "ashatravels",
                "followers": 9,
            },  # the connected one: numbers stay verified
        ],
    )

    rows = {(a.platform, a.username, a.source, a.followers) for a in SocialAccount.objects.filter(creator=creator)}
    assert rows == {
        ("instagram", "asha.travels", "self_reported", 48_000),
        ("youtube", "AshaTravels", "oauth", 52_100),
    }
    connected.refresh_from_db()
    assert connected.state == "connected" and connected.access_token
    assert selectors.social_handles_of(creator_id=creator.pk) == [
        {"platform": "instagram", "handle": "asha.travels", "followers": 48_000},
        {"platform": "youtube", "handle": "AshaTravels", "followers": 52_100},
    ]


def test_onboarding_handles_read_back_not_given_followers_as_none(creator):
    services.social_handles_replace(
        creator=creator, handles=[{"platform": "tiktok", "handle": "asha_t", "followers": None}]
    )

    assert selectors.social_handles_of(creator_id=creator.pk) == [
        {"platform": "tiktok", "handle": "asha_t", "followers": None}
    ]


# --- OAuth connect ---------------------------------------------------------------------------------------
def test_connect_stores_a_verified_account_with_encrypted_tokens(youtube, creator, django_capture_on_commit_callbacks):
    google_grants_the_channel(youtube)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        (account,) = connect(creator, ip="198.51.100.7")

    account.refresh_from_db()
    assert (account.source, account.state, account.is_verified) == ("oauth", "connected", True)
    assert (account.platform_user_id, account.username, account.followers) == (CHANNEL, "ashatravels", 52100)
    assert account.access_token == GOOGLE_TOKEN and account.refresh_token == "1//0gGoogleRefreshTokenXyZ"
    assert GOOGLE_TOKEN not in raw(account, "access_token") and "1//0g" not in raw(account, "refresh_token")
    assert account.sync_status == "queued" and len(callbacks) == 1  # the first sync, once committed
    activity = SocialActivity.objects.get(account=account, action="connect")
    assert activity.status == "success" and activity.ip_address == "198.51.100.7"
    assert GOOGLE_TOKEN not in json.dumps(activity.response_payload) and "4/0Aean-code" not in json.dumps(
        activity.request_payload
    )


def test_connecting_a_typed_in_handle_makes_it_verified(youtube, creator, django_capture_on_commit_callbacks):
    typed, _ = services.social_account_self_report(
        creator=creator, platform="youtube", username="AshaTravels", followers=60_000
    )
    google_grants_the_channel(youtube)

    with django_capture_on_commit_callbacks(execute=False):
        (account,) = connect(creator)

    assert account.pk == typed.pk
    assert SocialAccount.objects.filter(creator=creator).count() == 1
    account.refresh_from_db()
    assert account.is_verified and account.followers == 52100 and account.username == "ashatravels"


def test_an_account_another_creator_connected_is_refused(youtube, creator):
    owner = CreatorUserFactory()
    SocialAccountFactory(creator=owner, platform="youtube", platform_user_id=CHANNEL, username="ashatravels")
    google_grants_the_channel(youtube)

    with pytest.raises(Conflict, match="already connected to another Influmojo creator") as raised:
        connect(creator)

    assert raised.value.code == "account_taken"
    assert not SocialAccount.objects.filter(creator=creator).exists()
    assert SocialActivity.objects.get(creator=creator, action="connect").status == "failed"


def test_reconnecting_your_own_account_updates_it(youtube, creator, django_capture_on_commit_callbacks):
    mine = SocialAccountFactory(
        creator=creator,
        platform="youtube",
        platform_user_id=CHANNEL,
        username="old_handle",
        state="disconnected",
        access_token="",
    )
    google_grants_the_channel(youtube)

    with django_capture_on_commit_callbacks(execute=False):
        (account,) = connect(creator)

    assert account.pk == mine.pk
    mine.refresh_from_db()
    assert mine.state == "connected" and mine.username == "ashatravels" and mine.access_token == GOOGLE_TOKEN


def test_a_refused_code_is_an_oauth_failure_and_recorded(youtube, creator):
    youtube.post("https://oauth2.googleapis.com/token", json=recorded("google_error_invalid_grant.json"), status=400)

    with pytest.raises(ApplicationError) as raised:
        connect(creator, ip="198.51.100.7")

    assert (raised.value.code, raised.value.status) == ("oauth_failed", 400)
    activity = SocialActivity.objects.get(creator=creator)
    assert (activity.action, activity.status, activity.account) == ("connect", "failed", None)
    assert "4/0Aean-code" not in json.dumps(activity.request_payload)


def test_connect_without_an_app_is_not_configured(creator, settings):
    settings.YOUTUBE_CLIENT_ID = ""

    with pytest.raises(NotConfigured):
        connect(creator)


# --- Disconnect and remove -------------------------------------------------------------------------------
def test_disconnecting_erases_tokens_and_keeps_the_account(creator):
    account = SocialAccountFactory(creator=creator, refresh_token="1//0g-refresh")

    result = services.social_account_disconnect(creator=creator, account_id=account.pk, ip="203.0.113.1")

    account.refresh_from_db()
    assert result.pk == account.pk and account.state == "disconnected"
    assert (account.access_token, account.refresh_token, raw(account, "access_token")) == ("", "", "")
    activity = SocialActivity.objects.get(account=account)
    assert (activity.action, activity.ip_address) == ("disconnect", "203.0.113.1")


@pytest.mark.parametrize("traits", [{"self_reported": True}, {"state": "disconnected", "access_token": ""}])
def test_removing_a_typed_in_or_disconnected_account_deletes_it(creator, traits):
    account = SocialAccountFactory(creator=creator, **traits)

    assert services.social_account_disconnect(creator=creator, account_id=account.pk) is None

    assert not SocialAccount.objects.filter(pk=account.pk).exists()
    assert SocialActivity.objects.get(creator=creator).action == "remove"


def test_someone_elses_account_is_not_found(creator):
    other = SocialAccountFactory()

    with pytest.raises(NotFound):
        services.social_account_disconnect(creator=creator, account_id=other.pk)
    with pytest.raises(NotFound):
        services.social_account_request_sync(account_id=other.pk, creator=creator)
    other.refresh_from_db()
    assert other.state == "connected" and other.sync_status == "idle"


# --- Sync requests ----------------------------------------------------------------------------------------
def test_sync_now_queues_once_on_commit(creator, django_capture_on_commit_callbacks, monkeypatch):
    account = SocialAccountFactory(creator=creator)
    queued = []
    monkeypatch.setattr("creators.tasks.sync_social_account.delay", queued.append)

    with django_capture_on_commit_callbacks(execute=True):
        services.social_account_request_sync(account_id=account.pk, creator=creator)
    with django_capture_on_commit_callbacks(execute=True):
        services.social_account_request_sync(account_id=account.pk, creator=creator)  # already queued

    account.refresh_from_db()
    assert account.sync_status == "queued" and queued == [account.pk]
    assert list(SocialActivity.objects.filter(account=account).values_list("message", flat=True).order_by("id")) == [
        "Queued on request",
        "Already under way",
    ]


@pytest.mark.parametrize("traits", [{"self_reported": True}, {"state": "disconnected"}])
def test_only_connected_accounts_can_be_synced(creator, traits):
    account = SocialAccountFactory(creator=creator, **traits)

    with pytest.raises(InvalidTransition):
        services.social_account_request_sync(account_id=account.pk, creator=creator)
