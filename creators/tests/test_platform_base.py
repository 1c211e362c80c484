"""The shared pieces of the platform clients: metric definitions, redaction, the recorded HTTP call."""

import datetime
import json
from decimal import Decimal

import pytest
import requests
import responses

from creators.platforms.base import (
    REDACTED,
    Media,
    PlatformClient,
    PlatformError,
    Profile,
    compact,
    compute_metrics,
    redact,
)

NOW = datetime.datetime(2026, 11, 21, 12, 0, tzinfo=datetime.UTC)


def post(days_ago: int, likes: int, comments: int, views: int | None = None) -> Media:
    return Media(
        platform_media_id=f"m{days_ago}",
        posted_at=NOW - datetime.timedelta(days=days_ago),
        likes=likes,
        comments=comments,
        views=views,
    )


# --- Metrics -----------------------------------------------------------------------------------------
def test_engagement_rate_is_average_likes_plus_comments_over_followers():
    profile = Profile(platform_user_id="1", username="a", followers=10_000, following=5, posts=40)
    media = [post(1, 300, 20), post(2, 100, 10), post(3, 200, 0)]

    metrics = compute_metrics(profile, media)

    # (200 average likes + 10 average comments) / 10,000 followers × 100
    assert metrics.engagement_rate == Decimal("2.1000")
    assert (metrics.avg_likes, metrics.avg_comments) == (200, 10)
    assert (metrics.followers, metrics.following, metrics.posts) == (10_000, 5, 40)


def test_only_the_newest_25_posts_count():
    profile = Profile(platform_user_id="1", username="a", followers=1000)
    recent = [post(day, 10, 0) for day in range(1, 26)]
    ancient = [post(400 + day, 10_000, 0) for day in range(10)]

    metrics = compute_metrics(profile, ancient + recent)

    assert metrics.avg_likes == 10 and metrics.engagement_rate == Decimal("1.0000")


def test_average_views_come_only_from_posts_that_report_views():
    profile = Profile(platform_user_id="1", username="a", followers=1000)

    metrics = compute_metrics(profile, [post(1, 0, 0, views=900), post(2, 0, 0, views=100), post(3, 50, 0)])

    assert metrics.avg_views == 500


@pytest.mark.parametrize("followers,media", [(0, [post(1, 10, 1)]), (500, [])])
def test_no_followers_or_no_posts_means_zero_engagement(followers, media):
    metrics = compute_metrics(Profile(platform_user_id="1", username="a", followers=followers), media)

    assert metrics.engagement_rate == Decimal("0.0000") and metrics.avg_views == 0


def test_engagement_rate_is_capped_to_what_the_column_holds():
    metrics = compute_metrics(Profile(platform_user_id="1", username="a", followers=1), [post(1, 50_000, 0)])

    assert metrics.engagement_rate == Decimal("999.9999")


# --- Redaction -----------------------------------------------------------------------------------------
def test_redact_removes_every_secret_key_at_any_depth_and_case():
    payload = {
        "params": {"access_token": "EAAG-secret", "fields": "id,name", "client_secret": "app-secret"},
        "data": {"code": "4/0Aean-code", "refresh_token": "1//0g-refresh", "grant_type": "refresh_token"},
        "headers": {"Authorization": "Bearer ya29.secret", "Accept": "application/json"},
        "list": [{"fb_exchange_token": "EAAG-short"}, {"code_verifier": "pkce"}],
    }

    cleaned = redact(payload)

    text = json.dumps(cleaned)
    for secret in ("EAAG-secret", "app-secret", "4/0Aean-code", "1//0g-refresh", "ya29.secret", "EAAG-short", "pkce"):
        assert secret not in text
    assert cleaned["params"]["fields"] == "id,name" and cleaned["data"]["grant_type"] == "refresh_token"
    assert cleaned["headers"] == {"Authorization": REDACTED, "Accept": "application/json"}
    assert payload["params"]["access_token"] == "EAAG-secret"  # the input is left alone


def test_redact_cleans_query_strings_inside_urls():
    url = "https://graph.facebook.com/v21.0/1784/media?access_token=EAAG-secret&limit=25&after=QVFI"

    cleaned = redact({"paging": {"next": url}})["paging"]["next"]

    assert "EAAG-secret" not in cleaned
    assert "limit=25" in cleaned and "after=QVFI" in cleaned and "access_token=%5Bredacted%5D" not in cleaned
    assert "access_token=[redacted]" in cleaned


def test_response_bodies_keep_error_codes():
    body = {"error": {"code": 190, "message": "Error validating access token"}}

    assert redact(body, keys=frozenset({"access_token"})) == body
    assert redact(body)["error"]["code"] == REDACTED  # as a request parameter "code" is the OAuth code


def test_compact_cuts_long_lists():
    assert compact({"data": list(range(10))}) == {"data": [0, 1, 2, "… 7 more"]}


# --- The recorded call ----------------------------------------------------------------------------------
class EchoClient(PlatformClient):
    platform, label = "echo", "Echo"

    def error_for(self, response, body):
        return PlatformError(f"Echo answered {response.status_code}", transient=response.status_code >= 500)


@responses.activate
def test_a_call_is_recorded_without_secrets():
    responses.get(
        "https://api.example.com/me",
        json={
            "id": "1",
            "access_token": "page-token-secret",
            "paging": {"next": "https://x.example/?access_token=t0k"},
        },
    )
    client = EchoClient()

    body = client.request(
        "GET",
        "https://api.example.com/me",
        params={"access_token": "user-token-secret", "fields": "id"},
        headers={"Authorization": "Bearer header-secret"},
    )

    assert body["access_token"] == "page-token-secret"  # the caller gets the real answer
    recorded = json.dumps(client.calls)
    assert "secret" not in recorded and "t0k" not in recorded
    assert client.calls[0]["status"] == 200 and client.calls[0]["params"]["fields"] == "id"
    assert responses.calls[0].request.params == {"access_token": "user-token-secret", "fields": "id"}


@responses.activate
def test_a_connection_error_never_carries_the_url_and_its_token():
    responses.get(
        "https://api.example.com/me", body=requests.ConnectionError("https://api.example.com/me?access_token=leak")
    )
    client = EchoClient()

    with pytest.raises(PlatformError) as raised:
        client.request("GET", "https://api.example.com/me", params={"access_token": "leak"})

    assert raised.value.transient and "leak" not in raised.value.message
    assert "leak" not in json.dumps(client.calls) and client.calls[0]["error"] == "ConnectionError"


@responses.activate
def test_a_server_error_is_transient():
    responses.get("https://api.example.com/me", body="<html>Bad gateway</html>", status=502)

    with pytest.raises(PlatformError) as raised:
        EchoClient().request("GET", "https://api.example.com/me")

    assert raised.value.transient and raised.value.message == "Echo answered 502"
