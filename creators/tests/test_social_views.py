"""The social accounts page and the OAuth round trip through a faked provider (Facebook Login for Instagram)."""

import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import responses
from django.contrib.messages import get_messages
from django.db import connection
from django.urls import reverse
from responses import matchers

from accounts.tests.factories import CreatorUserFactory
from creators.models import SocialAccount, SocialActivity
from creators.tests.factories import SocialAccountFactory

pytestmark = pytest.mark.django_db

RECORDED = Path(__file__).parent / "recorded"
GRAPH = "https://graph.facebook.com/v21.0"
PAGE = reverse("creator_social")
LONG_TOKEN = "EAAJ3p1LongLivedUserToken9xZDdef"
IG_ID = "17841405822304914"


def recorded(name: str) -> dict:
    return json.loads((RECORDED / name).read_text())


def flashed(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def raw(account, column: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM creators_socialaccount WHERE id = %s", [account.pk])
        return cursor.fetchone()[0]


@pytest.fixture
def creator_client(client, creator):
    client.force_login(creator)
    return client


@pytest.fixture
def instagram_app(settings):
    settings.INSTAGRAM_APP_ID, settings.INSTAGRAM_APP_SECRET = "1234567890", "app-secret-xyz"
    settings.SITE_URL = "https://influmojo.example"


@pytest.fixture
def provider():
    """The provider's HTTP API; a test that registers nothing proves no call was made."""
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mocked:
        yield mocked


def start_connect(client) -> str:
    """Follows "Connect Instagram" and returns the state the platform would send back."""
    response = client.get(reverse("creator_social_connect", args=["instagram"]))
    assert response.status_code == 302
    return parse_qs(urlsplit(response.url).query)["state"][0]


def callback(client, **params):
    return client.get(reverse("creator_social_callback", args=["instagram"]), params)


def facebook_grants_instagram(provider, code="AQDcode"):
    redirect_uri = "https://influmojo.example/creator/social/callback/instagram/"
    provider.get(
        f"{GRAPH}/oauth/access_token",
        json=recorded("graph_token_short.json"),
        match=[
            matchers.query_param_matcher(
                {
                    "client_id": "1234567890",
                    "redirect_uri": redirect_uri,
                    "client_secret": "app-secret-xyz",
                    "code": code,
                }
            ),
        ],
    )
    provider.get(f"{GRAPH}/oauth/access_token", json=recorded("graph_token_long.json"))
    provider.get(f"{GRAPH}/me/accounts", json=recorded("instagram_me_accounts.json"))
    provider.get(f"{GRAPH}/{IG_ID}", json=recorded("instagram_user.json"))


# --- Connect: the way out ---------------------------------------------------------------------------------
def test_connect_redirects_to_facebook_login_with_a_state_bound_to_the_session(instagram_app, creator_client):
    response = creator_client.get(reverse("creator_social_connect", args=["instagram"]))

    parts = urlsplit(response.url)
    query = parse_qs(parts.query)
    assert parts.netloc == "www.facebook.com" and parts.path == "/v21.0/dialog/oauth"
    assert query["redirect_uri"] == ["https://influmojo.example/creator/social/callback/instagram/"]
    assert query["state"][0] and "instagram" in creator_client.session["social_oauth_nonces"]


def test_connect_without_an_app_is_a_clear_400(creator_client, settings):
    settings.INSTAGRAM_APP_ID = ""

    response = creator_client.get(reverse("creator_social_connect", args=["instagram"]))

    assert response.status_code == 400
    assert "Connecting Instagram is not available yet" in response.content.decode()


def test_an_unknown_platform_is_404(creator_client):
    assert creator_client.get(reverse("creator_social_connect", args=["myspace"])).status_code == 404
    assert creator_client.get(reverse("creator_social_callback", args=["twitter"])).status_code == 404


# --- Connect: the way back ----------------------------------------------------------------------------------
def test_callback_exchanges_the_code_and_connects_the_account(
    instagram_app, creator_client, creator, provider, django_capture_on_commit_callbacks
):
    state = start_connect(creator_client)
    facebook_grants_instagram(provider)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = callback(creator_client, code="AQDcode", state=state)

    assert response.status_code == 302 and response.url == PAGE
    assert "Connected @asha.travels on Instagram" in flashed(response)[0]
    account = SocialAccount.objects.get(creator=creator)
    assert (account.source, account.state, account.platform_user_id) == ("oauth", "connected", IG_ID)
    assert account.access_token == LONG_TOKEN
    assert LONG_TOKEN not in raw(account, "access_token") and raw(account, "access_token").startswith("gAAAAA")
    assert len(callbacks) == 1  # first sync queued on commit
    activity = SocialActivity.objects.get(account=account, action="connect")
    assert activity.ip_address == "127.0.0.1" and LONG_TOKEN not in json.dumps(activity.response_payload)


def test_a_state_is_accepted_once(instagram_app, creator_client, provider, django_capture_on_commit_callbacks):
    state = start_connect(creator_client)
    facebook_grants_instagram(provider)
    with django_capture_on_commit_callbacks(execute=False):
        callback(creator_client, code="AQDcode", state=state)

    again = callback(creator_client, code="AQDcode", state=state)

    assert "not started here or has expired" in flashed(again)[-1]
    assert len(provider.calls) == 4  # the replay reached no provider


@pytest.mark.parametrize("tamper", ["forged", "other-platform", "other-user", "no-session"])
def test_a_state_that_is_not_ours_is_refused_before_any_call(
    instagram_app, creator_client, creator, provider, tamper, settings
):
    settings.FACEBOOK_APP_ID, settings.FACEBOOK_APP_SECRET = "555", "fb-secret"
    state = start_connect(creator_client)
    if tamper == "forged":
        state = state[:-3] + "abc"
    elif tamper == "other-platform":
        state = parse_qs(urlsplit(creator_client.get(reverse("creator_social_connect", args=["facebook"])).url).query)[
            "state"
        ][0]
    elif tamper == "other-user":
        creator_client.force_login(CreatorUserFactory())
        start_connect(creator_client)  # a nonce of their own, in their session
    elif tamper == "no-session":
        session = creator_client.session
        session.pop("social_oauth_nonces")
        session.save()

    response = callback(creator_client, code="AQDcode", state=state)

    assert response.status_code == 302 and "not started here or has expired" in flashed(response)[0]
    assert not SocialAccount.objects.exists() and len(provider.calls) == 0


def test_a_cancelled_dialog_connects_nothing(instagram_app, creator_client, provider):
    state = start_connect(creator_client)

    response = callback(creator_client, error="access_denied", error_description="Permissions error", state=state)

    assert flashed(response) == ["Instagram did not connect: Permissions error"]
    assert not SocialAccount.objects.exists()


def test_an_account_connected_by_another_creator_is_refused_clearly(instagram_app, creator_client, creator, provider):
    SocialAccountFactory(platform="instagram", platform_user_id=IG_ID, username="asha.travels")
    state = start_connect(creator_client)
    facebook_grants_instagram(provider)

    response = callback(creator_client, code="AQDcode", state=state)

    assert "already connected to another Influmojo creator" in flashed(response)[0]
    assert not SocialAccount.objects.filter(creator=creator).exists()


# --- The page ---------------------------------------------------------------------------------------------
def test_the_page_lists_accounts_with_badges_numbers_and_never_a_token(creator_client, creator):
    SocialAccountFactory(
        creator=creator,
        username="verified_one",
        access_token="EAAG-page-secret",
        refresh_token="rft-page-secret",
        followers=125_000,
    )
    SocialAccountFactory(creator=creator, platform="twitter", username="typed_in", followers=900, self_reported=True)
    SocialAccountFactory(
        creator=creator,
        platform="youtube",
        username="lost_one",
        state="disconnected",
        access_token="",
        last_sync_error="YouTube no longer accepts our access",
    )

    html = creator_client.get(PAGE).content.decode()

    assert "@verified_one" in html and "Verified" in html and "125,000" in html
    assert "@typed_in" in html and "Unverified" in html and "Self-reported follower count" in html
    assert "@lost_one" in html and "Disconnected" in html and "YouTube no longer accepts our access" in html
    assert "secret" not in html


def test_connect_buttons_are_disabled_until_configured(creator_client, instagram_app, settings):
    settings.YOUTUBE_CLIENT_ID = settings.FACEBOOK_APP_ID = settings.TIKTOK_CLIENT_KEY = ""

    html = creator_client.get(PAGE).content.decode()

    assert f'href="{reverse("creator_social_connect", args=["instagram"])}">Connect Instagram</a>' in html
    assert 'disabled aria-describedby="not-configured-youtube">Connect YouTube</button>' in html
    assert html.count("Not configured on this server") == 3


def test_a_handle_typed_on_the_page_is_saved_unverified(creator_client, creator):
    response = creator_client.post(PAGE, {"platform": "tiktok", "username": "@asha_t", "followers": "91200"})

    assert response.status_code == 302 and flashed(response) == ["TikTok handle @asha_t added."]
    account = SocialAccount.objects.get(creator=creator)
    assert (account.username, account.followers, account.source) == ("asha_t", 91200, "self_reported")


def test_a_bad_handle_is_shown_on_its_field(creator_client, creator):
    response = creator_client.post(PAGE, {"platform": "tiktok", "username": "no spaces!", "followers": "-1"})

    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"username", "followers"}
    assert not SocialAccount.objects.exists()


def test_a_typed_in_duplicate_of_a_connected_handle_is_a_form_error(creator_client, creator):
    SocialAccountFactory(creator=creator, platform="instagram", username="asha.travels")

    response = creator_client.post(PAGE, {"platform": "instagram", "username": "asha.travels"})

    assert (
        response.status_code == 400
        and "already listed as a connected" in response.context["form"].non_field_errors()[0]
    )


def test_sync_now_and_disconnect_buttons(creator_client, creator, monkeypatch, django_capture_on_commit_callbacks):
    account = SocialAccountFactory(creator=creator)
    monkeypatch.setattr("creators.tasks.sync_social_account.delay", lambda account_id: None)

    with django_capture_on_commit_callbacks(execute=True):
        synced = creator_client.post(reverse("creator_social_sync", args=[account.pk]))
    account.refresh_from_db()
    assert synced.url == PAGE and account.sync_status == "queued"
    assert "Sync now</button>" in creator_client.get(PAGE).content.decode()

    creator_client.post(reverse("creator_social_disconnect", args=[account.pk]))
    account.refresh_from_db()
    assert account.state == "disconnected" and account.access_token == ""


def test_someone_elses_account_cannot_be_touched_from_the_page(creator_client):
    other = SocialAccountFactory()

    response = creator_client.post(reverse("creator_social_disconnect", args=[other.pk]))

    assert flashed(response) == ["No such social account."]
    other.refresh_from_db()
    assert other.state == "connected"


def test_brands_are_sent_back_and_anonymous_users_to_login(client, brand):
    assert client.get(PAGE).url.startswith(reverse("account_login"))
    client.force_login(brand)
    assert client.get(PAGE).url == reverse("dashboard")
