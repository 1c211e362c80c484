"""YouTube Data API v3 client (Google OAuth) against recorded answers; the requests it builds are asserted."""

import datetime
import json
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import responses
from django.utils import timezone
from responses import matchers

from creators.platforms import PlatformError, RateLimited, TokenRevoked
from creators.platforms.base import TokenSet
from creators.platforms.youtube import API_URL, TOKEN_URL, YouTubeClient, seconds_until_quota_reset

RECORDED = Path(__file__).parent / "recorded"
CLIENT_ID, CLIENT_SECRET = "1234-abc.apps.googleusercontent.com", "GOCSPX-secret"
ACCESS = "ya29.a0AfB_byC1GoogleAccessTokenQ"
REFRESH = "1//0gGoogleRefreshTokenXyZ"
CHANNEL = "UCq3Ci2nPRMeHdmNJ8bB5VgQ"
BEARER = matchers.header_matcher({"Authorization": f"Bearer {ACCESS}"})


def recorded(name: str) -> dict:
    return json.loads((RECORDED / name).read_text())


@pytest.fixture(autouse=True)
def google_app(settings):
    settings.YOUTUBE_CLIENT_ID, settings.YOUTUBE_CLIENT_SECRET = CLIENT_ID, CLIENT_SECRET


@pytest.fixture
def google():
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mocked:
        yield mocked


def tokens(expires_in_minutes: float = 50) -> TokenSet:
    return TokenSet(
        access_token=ACCESS,
        refresh_token=REFRESH,
        expires_at=timezone.now() + datetime.timedelta(minutes=expires_in_minutes),
    )


def channels(google, body="youtube_channels.json", status=200):
    google.get(
        f"{API_URL}/channels",
        json=recorded(body),
        status=status,
        match=[
            BEARER,
            matchers.query_param_matcher({"part": "snippet,statistics,contentDetails", "mine": "true"}),
        ],
    )


def test_authorize_url_asks_for_read_only_youtube_and_offline_access():
    query = parse_qs(urlsplit(YouTubeClient().authorize_url(redirect_uri="https://app.example/cb/", state="s")).query)

    assert query["scope"] == ["https://www.googleapis.com/auth/youtube.readonly"]
    assert query["access_type"] == ["offline"] and query["prompt"] == ["consent"]
    assert query["client_id"] == [CLIENT_ID] and query["state"] == ["s"] and query["response_type"] == ["code"]


def test_code_exchange_posts_the_form_google_expects(google):
    google.post(
        TOKEN_URL,
        json=recorded("google_token.json"),
        match=[
            matchers.urlencoded_params_matcher(
                {
                    "code": "4/0Aean-code",
                    "client_id": CLIENT_ID,
                    "client_secret": CLIENT_SECRET,
                    "redirect_uri": "https://app.example/cb/",
                    "grant_type": "authorization_code",
                    "code_verifier": "pkce-verifier",
                }
            )
        ],
    )

    result = YouTubeClient().exchange_code(
        code="4/0Aean-code", redirect_uri="https://app.example/cb/", code_verifier="pkce-verifier"
    )

    assert (result.access_token, result.refresh_token) == (ACCESS, REFRESH)
    assert 58 <= (result.expires_at - timezone.now()).total_seconds() / 60 <= 60


def test_refresh_uses_the_refresh_token_and_keeps_it(google):
    google.post(
        TOKEN_URL,
        json=recorded("google_token_refreshed.json"),
        match=[
            matchers.urlencoded_params_matcher(
                {
                    "client_id": CLIENT_ID,
                    "client_secret": CLIENT_SECRET,
                    "refresh_token": REFRESH,
                    "grant_type": "refresh_token",
                }
            )
        ],
    )
    client = YouTubeClient()

    assert client.needs_refresh(tokens(expires_in_minutes=2)) and not client.needs_refresh(tokens())
    result = client.refresh(tokens(expires_in_minutes=2))

    assert result.access_token == "ya29.a0AfB_byC2RefreshedAccessTokenR" and result.refresh_token == REFRESH
    assert REFRESH not in json.dumps(client.calls) and CLIENT_SECRET not in json.dumps(client.calls)


def test_invalid_grant_on_refresh_is_token_revoked(google):
    google.post(TOKEN_URL, json=recorded("google_error_invalid_grant.json"), status=400)

    with pytest.raises(TokenRevoked, match="expired or revoked"):
        YouTubeClient().refresh(tokens(expires_in_minutes=-5))


def test_fetch_reads_the_channel_its_uploads_and_their_statistics(google):
    channels(google)
    google.get(
        f"{API_URL}/playlistItems",
        json=recorded("youtube_playlist_items.json"),
        match=[
            BEARER,
            matchers.query_param_matcher(
                {"part": "contentDetails", "playlistId": "UUq3Ci2nPRMeHdmNJ8bB5VgQ", "maxResults": "25"}
            ),
        ],
    )
    google.get(
        f"{API_URL}/videos",
        json=recorded("youtube_videos.json"),
        match=[
            BEARER,
            matchers.query_param_matcher(
                {"part": "snippet,statistics", "id": "dQ4w9WgXcQa,kX9pL2mN3bQ,zR7tY5uV1wE", "maxResults": "25"}
            ),
        ],
    )

    fetched = YouTubeClient().fetch(platform_user_id=CHANNEL, tokens=tokens())

    profile = fetched.profile
    assert (profile.username, profile.display_name, profile.followers, profile.posts) == (
        "ashatravels",
        "Asha Travels",
        52100,
        143,
    )
    assert profile.profile_url == "https://www.youtube.com/@ashatravels" and "s800" in profile.avatar_url
    first, _, hidden = fetched.media
    assert (first.views, first.likes, first.comments) == (84210, 4120, 312)
    assert first.permalink == "https://www.youtube.com/watch?v=dQ4w9WgXcQa" and first.thumbnail_url.endswith(
        "hqdefault.jpg"
    )
    assert first.posted_at == datetime.datetime(2026, 11, 18, 14, 0, 7, tzinfo=datetime.UTC)
    assert hidden.likes == 0 and hidden.thumbnail_url.endswith("default.jpg")
    metrics = fetched.metrics
    # likes (4120+2200+0)/3 = 2106⅔, comments (312+98+50)/3 = 153⅓ → 2260 / 52100 × 100; views 176000/3
    assert (metrics.avg_likes, metrics.avg_comments, metrics.avg_views) == (2107, 153, 58667)
    assert metrics.engagement_rate == Decimal("4.3378")


def test_a_google_account_without_a_channel_is_explained(google):
    channels(google, body="youtube_channels_empty.json")

    with pytest.raises(PlatformError, match="no YouTube channel"):
        YouTubeClient().connectable_profiles(tokens())


def test_401_is_token_revoked(google):
    channels(google, body="youtube_error_unauthorized.json", status=401)

    with pytest.raises(TokenRevoked, match="invalid authentication credentials"):
        YouTubeClient().fetch(platform_user_id=CHANNEL, tokens=tokens())


def test_quota_exceeded_waits_until_the_quota_resets(google):
    channels(google, body="youtube_error_quota.json", status=403)

    with pytest.raises(RateLimited) as raised:
        YouTubeClient().fetch(platform_user_id=CHANNEL, tokens=tokens())

    assert "quota" in raised.value.message and 60 <= raised.value.retry_after <= 24 * 3600


def test_quota_resets_at_midnight_pacific_time():
    # 23:00 UTC on 21 Nov is 15:00 in Los Angeles (PST): 9 hours to go.
    assert seconds_until_quota_reset(datetime.datetime(2026, 11, 21, 23, 0, tzinfo=datetime.UTC)) == 9 * 3600


def test_rate_limit_exceeded_is_rate_limited(google):
    channels(google, body="youtube_error_rate_limit.json", status=403)

    with pytest.raises(RateLimited) as raised:
        YouTubeClient().fetch(platform_user_id=CHANNEL, tokens=tokens())

    assert raised.value.retry_after == 60


def test_http_429_uses_retry_after(google):
    google.get(
        f"{API_URL}/channels",
        json={"error": {"code": 429, "message": "Too many requests"}},
        status=429,
        headers={"Retry-After": "120"},
    )

    with pytest.raises(RateLimited) as raised:
        YouTubeClient().fetch(platform_user_id=CHANNEL, tokens=tokens())

    assert raised.value.retry_after == 120


def test_backend_errors_are_transient_platform_errors(google):
    channels(google, body="youtube_error_backend.json", status=503)

    with pytest.raises(PlatformError) as raised:
        YouTubeClient().fetch(platform_user_id=CHANNEL, tokens=tokens())

    assert type(raised.value) is PlatformError and raised.value.transient


def test_a_channel_the_login_no_longer_reaches_is_token_revoked(google):
    channels(google)

    with pytest.raises(TokenRevoked):
        YouTubeClient().fetch(platform_user_id="UCsomeoneElse", tokens=tokens())
