"""Instagram Graph API client against recorded answers; the requests it builds are asserted."""

import datetime
import hashlib
import hmac
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
from creators.platforms.instagram import MEDIA_FIELDS, PROFILE_FIELDS, InstagramClient

RECORDED = Path(__file__).parent / "recorded"
GRAPH = "https://graph.facebook.com/v21.0"
APP_ID, APP_SECRET = "1234567890", "app-secret-xyz"
LONG_TOKEN = "EAAJ3p1LongLivedUserToken9xZDdef"
IG_ID = "17841405822304914"


def recorded(name: str) -> dict:
    return json.loads((RECORDED / name).read_text())


def proof(token: str) -> str:
    return hmac.new(APP_SECRET.encode(), token.encode(), hashlib.sha256).hexdigest()


def signed(token: str, **params) -> dict:
    return {**params, "access_token": token, "appsecret_proof": proof(token)}


@pytest.fixture(autouse=True)
def meta_app(settings):
    settings.INSTAGRAM_APP_ID, settings.INSTAGRAM_APP_SECRET = APP_ID, APP_SECRET


@pytest.fixture
def graph():
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mocked:
        yield mocked


def tokens(expires_in_days: float = 50) -> TokenSet:
    return TokenSet(access_token=LONG_TOKEN, expires_at=timezone.now() + datetime.timedelta(days=expires_in_days))


def test_authorize_url_is_facebook_login_with_the_instagram_scopes():
    url = InstagramClient().authorize_url(redirect_uri="https://app.example/cb/instagram/", state="s1")

    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://www.facebook.com/v21.0/dialog/oauth"
    assert parse_qs(parts.query) == {
        "client_id": [APP_ID],
        "redirect_uri": ["https://app.example/cb/instagram/"],
        "state": ["s1"],
        "scope": ["instagram_basic,pages_show_list,pages_read_engagement"],
        "response_type": ["code"],
    }


def test_code_is_exchanged_then_made_long_lived(graph):
    graph.get(
        f"{GRAPH}/oauth/access_token",
        json=recorded("graph_token_short.json"),
        match=[
            matchers.query_param_matcher(
                {
                    "client_id": APP_ID,
                    "redirect_uri": "https://app.example/cb/",
                    "client_secret": APP_SECRET,
                    "code": "AQD-code",
                }
            )
        ],
    )
    graph.get(
        f"{GRAPH}/oauth/access_token",
        json=recorded("graph_token_long.json"),
        match=[
            matchers.query_param_matcher(
                {
                    "grant_type": "fb_exchange_token",
                    "client_id": APP_ID,
                    "client_secret": APP_SECRET,
                    "fb_exchange_token": "EAAJ3p1ShortLivedUserToken0xZCabc",
                }
            )
        ],
    )
    client = InstagramClient()

    result = client.exchange_code(code="AQD-code", redirect_uri="https://app.example/cb/")

    assert result.access_token == LONG_TOKEN and result.refresh_token == ""
    assert 59 <= (result.expires_at - timezone.now()).days <= 60
    recorded_calls = json.dumps(client.calls)
    assert APP_SECRET not in recorded_calls and "AQD-code" not in recorded_calls and LONG_TOKEN not in recorded_calls


def test_connect_finds_the_instagram_accounts_behind_the_shared_pages(graph):
    graph.get(
        f"{GRAPH}/me/accounts",
        json=recorded("instagram_me_accounts.json"),
        match=[
            matchers.query_param_matcher(signed(LONG_TOKEN, fields="id,name,instagram_business_account", limit="100"))
        ],
    )
    graph.get(
        f"{GRAPH}/{IG_ID}",
        json=recorded("instagram_user.json"),
        match=[matchers.query_param_matcher(signed(LONG_TOKEN, fields=PROFILE_FIELDS))],
    )

    profiles = InstagramClient().connectable_profiles(tokens())

    assert len(profiles) == 1  # the second page has no Instagram account
    profile = profiles[0]
    assert (profile.platform_user_id, profile.username, profile.display_name) == (
        IG_ID,
        "asha.travels",
        "Asha | Slow travel",
    )
    assert (profile.followers, profile.following, profile.posts) == (48213, 412, 318)
    assert profile.profile_url == "https://www.instagram.com/asha.travels/"


def test_connect_without_a_linked_instagram_account_says_what_to_do(graph):
    graph.get(f"{GRAPH}/me/accounts", json=recorded("instagram_no_business_account.json"))

    with pytest.raises(PlatformError, match="Instagram professional account"):
        InstagramClient().connectable_profiles(tokens())


def test_fetch_reads_profile_and_recent_media(graph):
    graph.get(
        f"{GRAPH}/{IG_ID}",
        json=recorded("instagram_user.json"),
        match=[matchers.query_param_matcher(signed(LONG_TOKEN, fields=PROFILE_FIELDS))],
    )
    graph.get(
        f"{GRAPH}/{IG_ID}/media",
        json=recorded("instagram_media.json"),
        match=[matchers.query_param_matcher(signed(LONG_TOKEN, fields=MEDIA_FIELDS, limit="25"))],
    )
    client = InstagramClient()

    fetched = client.fetch(platform_user_id=IG_ID, tokens=tokens())

    reel, image, carousel, hidden = fetched.media
    assert reel.thumbnail_url.endswith("4681_n.jpg")  # a video's thumbnail, not its mp4
    assert image.thumbnail_url.endswith("4590_n.jpg") and carousel.media_type == "CAROUSEL_ALBUM"
    assert reel.posted_at == datetime.datetime(2026, 11, 19, 6, 42, 10, tzinfo=datetime.UTC)
    assert (reel.likes, reel.comments, reel.views) == (2410, 88, None)
    assert hidden.likes == 0 and hidden.comments == 20
    metrics = fetched.metrics
    # likes (2410+1590+3200+0)/4 = 1800, comments (88+42+130+20)/4 = 70 → 1870 / 48213 × 100
    assert (metrics.avg_likes, metrics.avg_comments, metrics.avg_views) == (1800, 70, 0)
    assert metrics.engagement_rate == Decimal("3.8786")
    assert LONG_TOKEN not in json.dumps(client.calls)  # not even inside the paging link


def test_expired_token_is_token_revoked(graph):
    graph.get(f"{GRAPH}/{IG_ID}", json=recorded("graph_error_token_expired.json"), status=400)

    with pytest.raises(TokenRevoked, match="Session has expired"):
        InstagramClient().fetch(platform_user_id=IG_ID, tokens=tokens())


def test_instagram_rate_limit_waits_as_long_as_graph_says(graph):
    usage = {
        IG_ID: [
            {
                "type": "instagram",
                "call_count": 100,
                "total_cputime": 12,
                "total_time": 20,
                "estimated_time_to_regain_access": 7,
            }
        ]
    }
    graph.get(
        f"{GRAPH}/{IG_ID}",
        json=recorded("graph_error_instagram_rate_limit.json"),
        status=400,
        headers={"X-Business-Use-Case-Usage": json.dumps(usage)},
    )

    with pytest.raises(RateLimited) as raised:
        InstagramClient().fetch(platform_user_id=IG_ID, tokens=tokens())

    assert raised.value.retry_after == 7 * 60 and raised.value.transient


def test_app_rate_limit_without_a_hint_waits_the_default(graph):
    graph.get(f"{GRAPH}/{IG_ID}", json=recorded("graph_error_app_rate_limit.json"), status=403)

    with pytest.raises(RateLimited) as raised:
        InstagramClient().fetch(platform_user_id=IG_ID, tokens=tokens())

    assert raised.value.retry_after == 15 * 60


def test_other_graph_errors_are_platform_errors(graph):
    graph.get(f"{GRAPH}/{IG_ID}", json=recorded("graph_error_unknown.json"), status=500)

    with pytest.raises(PlatformError) as raised:
        InstagramClient().fetch(platform_user_id=IG_ID, tokens=tokens())

    assert type(raised.value) is PlatformError and raised.value.transient


def test_a_long_lived_token_near_its_end_is_exchanged_again(graph):
    graph.get(
        f"{GRAPH}/oauth/access_token",
        json=recorded("graph_token_long.json"),
        match=[
            matchers.query_param_matcher(
                {
                    "grant_type": "fb_exchange_token",
                    "client_id": APP_ID,
                    "client_secret": APP_SECRET,
                    "fb_exchange_token": LONG_TOKEN,
                }
            )
        ],
    )
    client, ending = InstagramClient(), tokens(expires_in_days=3)

    assert client.needs_refresh(ending) and not client.needs_refresh(tokens(expires_in_days=30))
    renewed = client.refresh(ending)

    assert renewed.expires_at > ending.expires_at + datetime.timedelta(days=50)


def test_an_expired_long_lived_token_cannot_be_refreshed():
    with pytest.raises(TokenRevoked, match="expired"):
        InstagramClient().refresh(tokens(expires_in_days=-1))
