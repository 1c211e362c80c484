"""TikTok Display API client against recorded answers; the requests it builds are asserted."""

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
from creators.platforms.tiktok import TOKEN_URL, USER_FIELDS, USER_INFO_URL, VIDEO_FIELDS, VIDEO_LIST_URL, TikTokClient

RECORDED = Path(__file__).parent / "recorded"
CLIENT_KEY, CLIENT_SECRET = "awa6z07qoicg5jkx", "tiktok-secret"
TOKEN = "act.1d1021d2aee3d41fee2d2add43456badMFokOchJDV6eFQ5JfMFnPuyDumV5!5862"
REFRESH = "rft.713c5d34e6b1c3e9f8a7b8bd3e27cbd2Q9lfkxLNcRz0Pe9yoJ2ZxA7yJn!5871"
OPEN_ID = "afd97af1-b87b-48b9-ac98-410aghda5344"
BEARER = matchers.header_matcher({"Authorization": f"Bearer {TOKEN}"})


def recorded(name: str) -> dict:
    return json.loads((RECORDED / name).read_text())


@pytest.fixture(autouse=True)
def tiktok_app(settings):
    settings.TIKTOK_CLIENT_KEY, settings.TIKTOK_CLIENT_SECRET = CLIENT_KEY, CLIENT_SECRET


@pytest.fixture
def tiktok():
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mocked:
        yield mocked


def tokens(expires_in_hours: float = 20) -> TokenSet:
    return TokenSet(
        access_token=TOKEN,
        refresh_token=REFRESH,
        expires_at=timezone.now() + datetime.timedelta(hours=expires_in_hours),
    )


def user_info(tiktok, body="tiktok_user_info.json", status=200):
    tiktok.get(
        USER_INFO_URL,
        json=recorded(body),
        status=status,
        match=[BEARER, matchers.query_param_matcher({"fields": USER_FIELDS})],
    )


def test_authorize_url_uses_client_key_and_display_api_scopes():
    url = TikTokClient().authorize_url(redirect_uri="https://app.example/cb/tiktok/", state="s")

    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://www.tiktok.com/v2/auth/authorize/"
    assert parse_qs(parts.query) == {
        "client_key": [CLIENT_KEY],
        "scope": ["user.info.basic,user.info.profile,user.info.stats,video.list"],
        "response_type": ["code"],
        "redirect_uri": ["https://app.example/cb/tiktok/"],
        "state": ["s"],
    }


def test_code_exchange(tiktok):
    tiktok.post(
        TOKEN_URL,
        json=recorded("tiktok_token.json"),
        match=[
            matchers.urlencoded_params_matcher(
                {
                    "client_key": CLIENT_KEY,
                    "client_secret": CLIENT_SECRET,
                    "code": "code-from-tiktok",
                    "grant_type": "authorization_code",
                    "redirect_uri": "https://app.example/cb/tiktok/",
                }
            )
        ],
    )

    result = TikTokClient().exchange_code(code="code-from-tiktok", redirect_uri="https://app.example/cb/tiktok/")

    assert (result.access_token, result.refresh_token) == (TOKEN, REFRESH)
    assert 23 <= (result.expires_at - timezone.now()).total_seconds() / 3600 <= 24


def test_refresh_returns_the_rotated_refresh_token(tiktok):
    tiktok.post(
        TOKEN_URL,
        json=recorded("tiktok_token_refreshed.json"),
        match=[
            matchers.urlencoded_params_matcher(
                {
                    "client_key": CLIENT_KEY,
                    "client_secret": CLIENT_SECRET,
                    "grant_type": "refresh_token",
                    "refresh_token": REFRESH,
                }
            )
        ],
    )

    result = TikTokClient().refresh(tokens(expires_in_hours=-1))

    assert result.refresh_token.startswith("rft.aa3c") and result.refresh_token != REFRESH


def test_invalid_grant_is_token_revoked(tiktok):
    tiktok.post(TOKEN_URL, json=recorded("tiktok_error_invalid_grant.json"))  # TikTok may answer 200 here

    with pytest.raises(TokenRevoked, match="invalid or expired"):
        TikTokClient().refresh(tokens(expires_in_hours=-1))


def test_fetch_reads_user_info_and_the_video_list(tiktok):
    user_info(tiktok)
    tiktok.post(
        VIDEO_LIST_URL,
        json=recorded("tiktok_video_list.json"),
        match=[
            BEARER,
            matchers.query_param_matcher({"fields": VIDEO_FIELDS}),
            matchers.json_params_matcher({"max_count": 20}),
        ],
    )

    fetched = TikTokClient().fetch(platform_user_id=OPEN_ID, tokens=tokens())

    profile = fetched.profile
    assert (profile.username, profile.followers, profile.following, profile.posts) == ("asha.travels", 91200, 180, 240)
    assert profile.profile_url == "https://vm.tiktok.com/ZMhvqjqjq/"
    first, second = fetched.media
    assert first.posted_at == datetime.datetime.fromtimestamp(1763535600, tz=datetime.UTC)
    assert (first.likes, first.comments, first.views, first.caption) == (9100, 210, 182000, "Kochi at 6am")
    assert second.caption == "Appam tutorial"  # no title: the description
    metrics = fetched.metrics
    # (7050 average likes + 150 average comments) / 91200 × 100; views (182000+98000)/2
    assert metrics.engagement_rate == Decimal("7.8947") and metrics.avg_views == 140000


def test_an_invalid_access_token_is_token_revoked(tiktok):
    user_info(tiktok, body="tiktok_error_token.json", status=401)

    with pytest.raises(TokenRevoked, match="access_token_invalid"):
        TikTokClient().fetch(platform_user_id=OPEN_ID, tokens=tokens())


def test_rate_limit_is_rate_limited(tiktok):
    tiktok.get(USER_INFO_URL, json=recorded("tiktok_error_rate_limit.json"), status=429, headers={"Retry-After": "30"})

    with pytest.raises(RateLimited) as raised:
        TikTokClient().fetch(platform_user_id=OPEN_ID, tokens=tokens())

    assert raised.value.retry_after == 30


def test_an_error_code_in_a_200_answer_is_still_an_error(tiktok):
    body = {"data": {}, "error": {"code": "invalid_params", "message": "fields is invalid", "log_id": "2026"}}
    tiktok.get(USER_INFO_URL, json=body)

    with pytest.raises(PlatformError, match="invalid_params") as raised:
        TikTokClient().fetch(platform_user_id=OPEN_ID, tokens=tokens())

    assert type(raised.value) is PlatformError and not raised.value.transient


def test_another_login_is_not_this_account(tiktok):
    user_info(tiktok)

    with pytest.raises(TokenRevoked):
        TikTokClient().fetch(platform_user_id="some-other-open-id", tokens=tokens())
