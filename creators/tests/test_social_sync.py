"""Syncing connected accounts: the service, the per-account task and the beat job that spreads them."""

import datetime
import json
from decimal import Decimal
from pathlib import Path

import pytest
import responses
from celery.exceptions import Retry
from django.core import mail
from django.db import connection
from django.utils import timezone

from chat.models import Notification
from creators import tasks
from creators.models import MetricsSnapshot, SocialAccount, SocialActivity, SocialMedia
from creators.platforms import PlatformError, RateLimited
from creators.services import social as services
from creators.tests.factories import SocialAccountFactory, SocialMediaFactory

pytestmark = pytest.mark.django_db

RECORDED = Path(__file__).parent / "recorded"
GRAPH = "https://graph.facebook.com/v21.0"
IG_ID = "17841405822304914"
TOKEN = "EAAJ3p1-stored-long-lived-token"


def recorded(name: str) -> dict:
    return json.loads((RECORDED / name).read_text())


@pytest.fixture(autouse=True)
def platform_apps(settings):
    settings.INSTAGRAM_APP_ID, settings.INSTAGRAM_APP_SECRET = "1234567890", "app-secret-xyz"
    settings.YOUTUBE_CLIENT_ID, settings.YOUTUBE_CLIENT_SECRET = "yt-client", "yt-secret"
    settings.TIKTOK_CLIENT_KEY, settings.TIKTOK_CLIENT_SECRET = "tt-key", "tt-secret"


@pytest.fixture
def http():
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mocked:
        yield mocked


def instagram_account(**kwargs) -> SocialAccount:
    defaults = {"platform_user_id": IG_ID, "username": "asha.travels", "access_token": TOKEN, "followers": 40_000}
    return SocialAccountFactory(**{**defaults, **kwargs})


def instagram_answers(http, ig_id=IG_ID):
    http.get(f"{GRAPH}/{ig_id}", json={**recorded("instagram_user.json"), "id": ig_id})
    http.get(f"{GRAPH}/{ig_id}/media", json=recorded("instagram_media.json"))


def raw(account, column: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM creators_socialaccount WHERE id = %s", [account.pk])
        return cursor.fetchone()[0]


# --- The service ---------------------------------------------------------------------------------------
def test_sync_stores_todays_numbers_recent_media_and_an_activity(http):
    account = instagram_account()
    stale = SocialMediaFactory(account=account, platform_media_id="gone-from-the-feed")
    instagram_answers(http)

    services.social_account_sync(account_id=account.pk)

    account.refresh_from_db()
    assert (account.followers, account.following, account.posts) == (48213, 412, 318)
    assert account.engagement_rate == Decimal("3.8786") and (account.avg_likes, account.avg_comments) == (1800, 70)
    assert account.sync_status == "idle" and account.last_sync_error == "" and account.last_synced_at is not None
    snapshot = MetricsSnapshot.objects.get(account=account)
    assert snapshot.date == timezone.localdate() and snapshot.followers == 48213
    assert snapshot.engagement_rate == Decimal("3.8786")
    assert set(account.media.values_list("platform_media_id", flat=True)) == {
        "18027939643048012",
        "17985043122756310",
        "17902113558043021",
        "17866452391022458",
    }
    assert not SocialMedia.objects.filter(pk=stale.pk).exists()
    activity = SocialActivity.objects.get(account=account, action="sync")
    assert activity.status == "success" and "48,213 followers" in activity.message
    assert activity.request_payload["calls"][0]["url"] == f"{GRAPH}/{IG_ID}"
    assert activity.response_payload["metrics"]["engagement_rate"] == "3.8786"
    stored = json.dumps([activity.request_payload, activity.response_payload])
    assert TOKEN not in stored and "EAAJ3p1LongLivedUserToken9xZDdef" not in stored  # nor the one in the paging link


def test_a_second_sync_the_same_day_updates_the_same_snapshot(http):
    account = instagram_account()
    instagram_answers(http)
    services.social_account_sync(account_id=account.pk)
    SocialAccount.objects.filter(pk=account.pk).update(sync_status="idle")
    http.get(f"{GRAPH}/{IG_ID}", json={**recorded("instagram_user.json"), "followers_count": 50_000})

    services.social_account_sync(account_id=account.pk)

    assert MetricsSnapshot.objects.filter(account=account).count() == 1
    assert MetricsSnapshot.objects.get(account=account).followers == 50_000
    assert account.media.count() == 4
    assert SocialActivity.objects.filter(account=account, action="sync", status="success").count() == 2


def test_a_new_day_adds_a_snapshot_and_keeps_history(http):
    account = instagram_account()
    MetricsSnapshot.objects.create(
        account=account, date=timezone.localdate() - datetime.timedelta(days=1), followers=47_000
    )
    instagram_answers(http)

    services.social_account_sync(account_id=account.pk)

    assert list(account.snapshots.values_list("followers", flat=True)) == [47_000, 48213]


def test_a_revoked_token_disconnects_and_tells_the_creator_only_after_commit(http, django_capture_on_commit_callbacks):
    account = instagram_account(last_synced_at=timezone.now() - datetime.timedelta(days=1))
    http.get(f"{GRAPH}/{IG_ID}", json=recorded("graph_error_token_expired.json"), status=400)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.social_account_sync(account_id=account.pk)
        assert mail.outbox == [] and not Notification.objects.exists()

    account.refresh_from_db()
    assert account.state == "disconnected" and account.sync_status == "failed"
    assert account.access_token == "" and account.refresh_token == "" and account.token_expires_at is None
    assert raw(account, "access_token") == ""
    assert "Session has expired" in account.last_sync_error
    assert SocialActivity.objects.get(account=account, action="sync").status == "failed"
    assert mail.outbox == [] and not Notification.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):  # the commit: notify() tells the creator
        for callback in callbacks:
            callback()

    notification = Notification.objects.get()
    assert (notification.user_id, notification.type, notification.event) == (
        account.creator_id, "account", "social_account.disconnected")
    assert notification.url == "/creator/social/" and "Session has expired" in notification.body
    (sent,) = mail.outbox
    assert sent.to == [account.creator.email] and "@asha.travels was disconnected" in sent.subject
    assert "/creator/social/" in sent.body and "Session has expired" in sent.body


def test_a_sync_that_rolls_back_sends_no_email(http, django_capture_on_commit_callbacks):
    """Nothing is said about a change that did not happen: the e-mail goes out on commit only."""
    account = instagram_account()
    http.get(f"{GRAPH}/{IG_ID}", json=recorded("graph_error_token_expired.json"), status=400)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.social_account_sync(account_id=account.pk)

    assert len(callbacks) == 1 and mail.outbox == [] and not Notification.objects.exists()


def test_an_expiring_youtube_token_is_refreshed_first_and_stored_encrypted(http):
    account = SocialAccountFactory(
        platform="youtube",
        platform_user_id="UCq3Ci2nPRMeHdmNJ8bB5VgQ",
        username="ashatravels",
        access_token="ya29.old",
        refresh_token="1//0g-refresh",
        token_expires_at=timezone.now() - datetime.timedelta(minutes=1),
    )
    http.post("https://oauth2.googleapis.com/token", json=recorded("google_token_refreshed.json"))
    http.get(
        "https://www.googleapis.com/youtube/v3/channels",
        json=recorded("youtube_channels.json"),
        match=[
            responses.matchers.header_matcher({"Authorization": "Bearer ya29.a0AfB_byC2RefreshedAccessTokenR"}),
        ],
    )
    http.get("https://www.googleapis.com/youtube/v3/playlistItems", json=recorded("youtube_playlist_items.json"))
    http.get("https://www.googleapis.com/youtube/v3/videos", json=recorded("youtube_videos.json"))

    services.social_account_sync(account_id=account.pk)

    account.refresh_from_db()
    assert account.access_token == "ya29.a0AfB_byC2RefreshedAccessTokenR" and account.refresh_token == "1//0g-refresh"
    assert account.token_expires_at > timezone.now() + datetime.timedelta(minutes=55)
    assert "ya29" not in raw(account, "access_token")
    assert account.followers == 52100 and account.avg_views == 58667
    actions = list(SocialActivity.objects.filter(account=account).order_by("id").values_list("action", "status"))
    assert actions == [("refresh_token", "success"), ("sync", "success")]


def test_a_rotated_tiktok_refresh_token_survives_a_failing_fetch(http):
    account = SocialAccountFactory(
        platform="tiktok",
        platform_user_id="afd97af1-b87b-48b9-ac98-410aghda5344",
        access_token="act.old",
        refresh_token="rft.old",
        token_expires_at=timezone.now() - datetime.timedelta(hours=1),
    )
    http.post("https://open.tiktokapis.com/v2/oauth/token/", json=recorded("tiktok_token_refreshed.json"))
    http.get(
        "https://open.tiktokapis.com/v2/user/info/",
        json={"data": {}, "error": {"code": "invalid_params", "message": "bad fields", "log_id": "1"}},
        status=400,
    )

    services.social_account_sync(account_id=account.pk)

    account.refresh_from_db()
    assert account.refresh_token.startswith("rft.aa3c")
    assert (
        account.state == "connected" and account.sync_status == "failed" and "invalid_params" in account.last_sync_error
    )


def test_an_expired_refresh_disconnects_and_records_the_refresh(http, django_capture_on_commit_callbacks):
    account = SocialAccountFactory(
        platform="youtube",
        platform_user_id="UCq3",
        access_token="ya29.old",
        refresh_token="1//0g-revoked",
        token_expires_at=timezone.now() - datetime.timedelta(minutes=1),
    )
    http.post("https://oauth2.googleapis.com/token", json=recorded("google_error_invalid_grant.json"), status=400)

    with django_capture_on_commit_callbacks(execute=True):
        services.social_account_sync(account_id=account.pk)

    account.refresh_from_db()
    assert account.state == "disconnected" and account.refresh_token == ""
    activity = SocialActivity.objects.get(account=account)
    assert (activity.action, activity.status) == ("refresh_token", "failed")
    assert "1//0g-revoked" not in json.dumps(activity.request_payload)
    assert len(mail.outbox) == 1


def test_a_rate_limit_is_recorded_and_raised_for_a_retry(http):
    account = instagram_account()
    http.get(f"{GRAPH}/{IG_ID}", json=recorded("graph_error_app_rate_limit.json"), status=403)

    with pytest.raises(RateLimited):
        services.social_account_sync(account_id=account.pk)

    account.refresh_from_db()
    assert account.sync_status == "queued" and "Next try in about 15 min" in account.last_sync_error
    assert account.state == "connected"
    assert SocialActivity.objects.get(account=account).status == "failed"


def test_a_lasting_platform_error_marks_the_sync_failed_without_raising(http):
    account = instagram_account()
    http.get(f"{GRAPH}/{IG_ID}", json=recorded("graph_error_code_used.json"), status=400)

    services.social_account_sync(account_id=account.pk)

    account.refresh_from_db()
    assert account.sync_status == "failed" and "has been used" in account.last_sync_error


@pytest.mark.parametrize("traits", [{"self_reported": True}, {"state": "disconnected"}])
def test_accounts_that_are_not_connected_are_not_synced(http, traits):
    account = SocialAccountFactory(**traits)

    assert services.social_account_sync(account_id=account.pk) is None
    assert not SocialActivity.objects.exists()


def test_a_platform_without_an_app_records_why_it_did_not_sync(http, settings):
    settings.INSTAGRAM_APP_ID = ""
    account = instagram_account()

    services.social_account_sync(account_id=account.pk)

    account.refresh_from_db()
    assert account.sync_status == "failed" and "not configured" in account.last_sync_error


# --- The per-account task ------------------------------------------------------------------------------
def test_the_task_retries_a_rate_limit_after_the_wait_the_platform_asked(http, monkeypatch):
    account = instagram_account()
    usage = {IG_ID: [{"type": "instagram", "estimated_time_to_regain_access": 20}]}
    http.get(
        f"{GRAPH}/{IG_ID}",
        json=recorded("graph_error_instagram_rate_limit.json"),
        status=400,
        headers={"X-Business-Use-Case-Usage": json.dumps(usage)},
    )
    asked = {}

    def fake_retry(exc=None, countdown=None, **kwargs):
        asked.update(exc=exc, countdown=countdown)
        return Retry("retry", exc, countdown)

    monkeypatch.setattr(tasks.sync_social_account, "retry", fake_retry)

    with pytest.raises(Retry):
        tasks.sync_social_account.apply(args=[account.pk])

    assert isinstance(asked["exc"], RateLimited) and asked["countdown"] >= 20 * 60


def test_a_transient_error_is_retried_with_backoff(http):
    account = instagram_account()
    http.get(f"{GRAPH}/{IG_ID}", json=recorded("graph_error_unknown.json"), status=500)

    with pytest.raises(Retry) as raised:
        tasks.sync_social_account.apply(args=[account.pk], retries=1)

    assert 120 <= raised.value.when <= 150  # backoff(1)
    account.refresh_from_db()
    assert account.sync_status == "failed" and account.state == "connected"


def test_the_last_retry_gives_up_and_says_so(http):
    account = instagram_account()
    http.get(f"{GRAPH}/{IG_ID}", json=recorded("graph_error_unknown.json"), status=500)

    tasks.sync_social_account.apply(args=[account.pk], retries=tasks.MAX_RETRIES)

    account.refresh_from_db()
    assert account.sync_status == "failed" and "next scheduled sync will try again" in account.last_sync_error
    assert SocialActivity.objects.get(account=account, action="sync").status == "failed"


def test_a_daily_quota_is_left_to_the_next_scheduled_run(http):
    account = SocialAccountFactory(platform="youtube", platform_user_id="UCq3", access_token="ya29.ok")
    http.get("https://www.googleapis.com/youtube/v3/channels", json=recorded("youtube_error_quota.json"), status=403)

    tasks.sync_social_account.delay(account.pk)

    account.refresh_from_db()
    assert account.sync_status == "failed" and "quota" in account.last_sync_error
    assert len(http.calls) == 1  # not retried within the day


def test_backoff_grows_and_is_capped():
    assert 60 <= tasks.backoff(0) <= 90 and 240 <= tasks.backoff(2) <= 270 and tasks.backoff(12) == 3600


# --- The beat job ----------------------------------------------------------------------------------------
def test_one_failing_account_never_stops_the_others_and_each_attempt_is_recorded(http):
    first = instagram_account(platform_user_id="1001", username="first")
    broken = instagram_account(platform_user_id="1002", username="broken")
    last = instagram_account(platform_user_id="1003", username="last")
    revoked = instagram_account(platform_user_id="1004", username="revoked")
    instagram_answers(http, "1001")
    http.get(f"{GRAPH}/1002", json={"username": "broken"})  # no id: a shape we cannot read
    http.get(f"{GRAPH}/1002/media", json=recorded("instagram_media.json"))
    instagram_answers(http, "1003")
    http.get(f"{GRAPH}/1004", json=recorded("graph_error_token_expired.json"), status=400)

    result = tasks.sync_connected_accounts()

    assert result == {"queued": 3, "failed": 1}
    for account in (first, broken, last, revoked):
        account.refresh_from_db()
    assert first.sync_status == last.sync_status == "idle" and first.followers == last.followers == 48213
    assert broken.sync_status == "failed" and "Unexpected error (KeyError)" in broken.last_sync_error
    assert revoked.state == "disconnected"
    outcomes = dict(SocialActivity.objects.filter(action="sync").values_list("account_id", "status"))
    assert outcomes == {first.pk: "success", broken.pk: "failed", last.pk: "success", revoked.pk: "failed"}


def test_accounts_are_spread_over_the_period_in_batches(monkeypatch, settings):
    settings.SOCIAL_SYNC_PERIOD_SECONDS, settings.SOCIAL_SYNC_BATCH_SIZE = 3000, 2
    accounts = [instagram_account(platform_user_id=str(n), username=f"a{n}") for n in range(3)]
    SocialAccountFactory(self_reported=True)
    SocialAccountFactory(state="disconnected")
    queued = []
    monkeypatch.setattr(
        tasks.sync_social_account, "apply_async", lambda args, countdown: queued.append((args[0], countdown))
    )

    result = tasks.sync_connected_accounts()

    assert result == {"queued": 3, "failed": 0}
    assert queued == [(accounts[0].pk, 0), (accounts[1].pk, 900), (accounts[2].pk, 1800)]  # 90% of 3000 s / 3
    assert set(SocialAccount.objects.filter(pk__in=[a.pk for a in accounts]).values_list("sync_status", flat=True)) == {
        "queued"
    }


def test_the_longest_unsynced_go_first(monkeypatch):
    recent = instagram_account(platform_user_id="1", username="recent", last_synced_at=timezone.now())
    never = instagram_account(platform_user_id="2", username="never", last_synced_at=None)
    older = instagram_account(
        platform_user_id="3", username="older", last_synced_at=timezone.now() - datetime.timedelta(days=2)
    )
    queued = []
    monkeypatch.setattr(tasks.sync_social_account, "apply_async", lambda args, countdown: queued.append(args[0]))

    tasks.sync_connected_accounts()

    assert queued == [never.pk, older.pk, recent.pk]


def test_the_schedule_is_registered_for_beat(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["creators.sync_connected_accounts"]

    assert (
        entry["task"] == tasks.sync_connected_accounts.name and entry["schedule"] == settings.SOCIAL_SYNC_PERIOD_SECONDS
    )


def test_a_transient_error_is_raised_by_the_service(http):
    account = instagram_account()
    http.get(f"{GRAPH}/{IG_ID}", json=recorded("graph_error_unknown.json"), status=500)

    with pytest.raises(PlatformError) as raised:
        services.social_account_sync(account_id=account.pk)

    assert raised.value.transient
