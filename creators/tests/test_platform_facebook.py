"""Facebook Pages client against recorded Graph answers; the requests it builds are asserted."""

import datetime
import hashlib
import hmac
import json
from decimal import Decimal
from pathlib import Path

import pytest
import responses
from django.utils import timezone
from responses import matchers

from creators.platforms import PlatformError, RateLimited, TokenRevoked
from creators.platforms.base import TokenSet
from creators.platforms.facebook import PAGE_FIELDS, POST_FIELDS, FacebookClient

RECORDED = Path(__file__).parent / "recorded"
GRAPH = "https://graph.facebook.com/v21.0"
APP_ID, APP_SECRET = "555000111", "fb-app-secret"
USER_TOKEN = "EAAJ3p1LongLivedUserToken9xZDdef"
PAGE_TOKEN = "EAAJ3p1PageTokenForAshaTravels77"
PAGE_ID = "104582625841934"


def recorded(name: str) -> dict:
    return json.loads((RECORDED / name).read_text())


def signed(token: str, **params) -> dict:
    return {
        **params,
        "access_token": token,
        "appsecret_proof": hmac.new(APP_SECRET.encode(), token.encode(), hashlib.sha256).hexdigest(),
    }


@pytest.fixture(autouse=True)
def meta_app(settings):
    settings.FACEBOOK_APP_ID, settings.FACEBOOK_APP_SECRET = APP_ID, APP_SECRET


@pytest.fixture
def graph():
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mocked:
        yield mocked


def tokens() -> TokenSet:
    return TokenSet(access_token=USER_TOKEN, expires_at=timezone.now() + datetime.timedelta(days=40))


def test_connect_lists_each_shared_page_read_with_its_own_token(graph):
    graph.get(
        f"{GRAPH}/me/accounts",
        json=recorded("facebook_me_accounts.json"),
        match=[matchers.query_param_matcher(signed(USER_TOKEN, fields="id,name,access_token", limit="100"))],
    )
    graph.get(
        f"{GRAPH}/{PAGE_ID}",
        json=recorded("facebook_page.json"),
        match=[matchers.query_param_matcher(signed(PAGE_TOKEN, fields=PAGE_FIELDS))],
    )
    client = FacebookClient()

    (page,) = client.connectable_profiles(tokens())

    assert (page.platform_user_id, page.username, page.display_name) == (PAGE_ID, "ashatravels", "Asha Travels")
    assert page.followers == 15230 and page.profile_url == "https://www.facebook.com/ashatravels"
    assert page.avatar_url.endswith("2991_n.jpg")
    assert PAGE_TOKEN not in json.dumps(client.calls)  # /me/accounts answers with Page tokens


def test_no_shared_page_is_explained(graph):
    graph.get(f"{GRAPH}/me/accounts", json={"data": [], "paging": {}})

    with pytest.raises(PlatformError, match="did not share any Facebook Page"):
        FacebookClient().connectable_profiles(tokens())


def test_fetch_gets_the_page_token_then_page_and_posts(graph):
    graph.get(
        f"{GRAPH}/{PAGE_ID}",
        json=recorded("facebook_page_token.json"),
        match=[matchers.query_param_matcher(signed(USER_TOKEN, fields="access_token"))],
    )
    graph.get(
        f"{GRAPH}/{PAGE_ID}",
        json=recorded("facebook_page.json"),
        match=[matchers.query_param_matcher(signed(PAGE_TOKEN, fields=PAGE_FIELDS))],
    )
    graph.get(
        f"{GRAPH}/{PAGE_ID}/posts",
        json=recorded("facebook_posts.json"),
        match=[matchers.query_param_matcher(signed(PAGE_TOKEN, fields=POST_FIELDS, limit="25"))],
    )

    fetched = FacebookClient().fetch(platform_user_id=PAGE_ID, tokens=tokens())

    first, second = fetched.media
    assert (first.likes, first.comments, first.views) == (310, 24, None)
    assert first.caption.startswith("New video") and first.thumbnail_url.endswith("3011_n.jpg")
    assert second.thumbnail_url == "" and second.posted_at == datetime.datetime(
        2026, 11, 10, 8, 30, tzinfo=datetime.UTC
    )
    # (250 average likes + 15 average comments) / 15230 × 100
    assert fetched.metrics.engagement_rate == Decimal("1.7400")


def test_revoked_user_token_is_token_revoked(graph):
    graph.get(f"{GRAPH}/{PAGE_ID}", json=recorded("graph_error_token_expired.json"), status=400)

    with pytest.raises(TokenRevoked):
        FacebookClient().fetch(platform_user_id=PAGE_ID, tokens=tokens())


def test_page_rate_limit_is_rate_limited(graph):
    body = {
        "error": {
            "message": "(#32) Page request limit reached",
            "type": "OAuthException",
            "code": 32,
            "fbtrace_id": "AgT0bVq",
        }
    }
    graph.get(f"{GRAPH}/{PAGE_ID}", json=body, status=400)

    with pytest.raises(RateLimited):
        FacebookClient().fetch(platform_user_id=PAGE_ID, tokens=tokens())


def test_a_used_code_is_a_platform_error(graph):
    graph.get(f"{GRAPH}/oauth/access_token", json=recorded("graph_error_code_used.json"), status=400)

    with pytest.raises(PlatformError, match="has been used") as raised:
        FacebookClient().exchange_code(code="AQD-used", redirect_uri="https://app.example/cb/")

    assert not isinstance(raised.value, TokenRevoked | RateLimited) and not raised.value.transient
