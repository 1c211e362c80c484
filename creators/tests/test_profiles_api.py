"""GET /api/v1/creators/<id>, GET /api/v1/creators/<id>/portfolio and PATCH /api/v1/profile/slug."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.tests.factories import BrandUserFactory, CreatorUserFactory
from creators.models import SlugRedirect
from creators.tests.factories import (
    MetricsSnapshotFactory,
    PackageFactory,
    ReviewFactory,
    SocialAccountFactory,
    SocialMediaFactory,
)
from creators.tests.test_portfolio import PAGE_QUERIES, fill_media_kit

pytestmark = pytest.mark.django_db


def detail_url(creator) -> str:
    return reverse("api_creator_detail", kwargs={"creator_id": creator.pk})


def portfolio_url(creator) -> str:
    return reverse("api_creator_portfolio", kwargs={"creator_id": creator.pk})


# --- Creator detail -------------------------------------------------------------------------------
def test_anonymous_client_reads_a_public_creator(api_client, creator):
    profile = creator.creator_profile
    profile.display_name, profile.bio, profile.city, profile.country = "Sarah J", "Hi there", "Austin", "US"
    profile.content_categories, profile.niches = ["fashion"], ["thrifting"]
    profile.min_rate, profile.max_rate = Decimal("100"), Decimal("900")
    profile.save()

    response = api_client.get(detail_url(creator))

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == creator.pk
    assert body["slug"] == profile.slug
    assert body["url"] == f"http://testserver/p/{profile.slug}/"
    assert body["display_name"] == "Sarah J" and body["bio"] == "Hi there"
    assert body["content_categories"] == ["fashion"] and body["niches"] == ["thrifting"]
    assert body["location"] == {"country": "US", "country_name": "United States", "state": "", "city": "Austin"}
    assert body["rates"] == {"min": "100.00", "max": "900.00", "currency": "USD"}
    assert body["rating"] == {"average": None, "count": 0}
    assert body["avatar"] is None
    assert body["is_public"] is True and body["is_owner"] is False
    assert body["social_accounts"] == [] and body["packages"] == [] and body["recent_media"] == []
    assert "reviews" not in body


def test_accounts_carry_latest_numbers_and_the_verified_flag_but_never_tokens(api_client, creator):
    connected = SocialAccountFactory(creator=creator, followers=245_000, engagement_rate=Decimal("4.2500"),
                                     avg_views=38_000, access_token="EAAG-secret-token", refresh_token="refresh-secret")
    SocialAccountFactory(creator=creator, self_reported=True, platform="tiktok", username="typed", followers=9_000,
                         engagement_rate=0)

    response = api_client.get(detail_url(creator))

    accounts = response.json()["social_accounts"]
    assert [(a["platform"], a["verified"]) for a in accounts] == [("instagram", True), ("tiktok", False)]
    assert accounts[0]["id"] == connected.pk
    assert accounts[0]["followers"] == 245_000 and accounts[0]["engagement_rate"] == "4.2500"
    assert accounts[0]["avg_views"] == 38_000 and accounts[0]["state"] == "connected"
    assert accounts[1]["engagement_rate"] is None and accounts[1]["avg_views"] is None
    assert "secret" not in response.content.decode()
    assert response.json()["total_followers"] == 254_000


def test_only_active_packages_and_published_reviews_count(api_client, creator):
    PackageFactory(creator=creator, title="On sale", price=Decimal("300"))
    PackageFactory(creator=creator, title="Retired", is_active=False)
    ReviewFactory(creator=creator, rating=5)
    ReviewFactory(creator=creator, rating=4)
    ReviewFactory(creator=creator, rating=1, is_published=False)

    body = api_client.get(detail_url(creator)).json()

    assert [p["title"] for p in body["packages"]] == ["On sale"]
    assert body["packages"][0]["price"] == "300.00"
    assert body["rating"] == {"average": "4.5", "count": 2}


def test_recent_media_is_newest_first_and_bounded(api_client, creator):
    account = SocialAccountFactory(creator=creator)
    now = timezone.now()
    for hours in range(20):
        SocialMediaFactory(account=account, posted_at=now - datetime.timedelta(hours=hours), likes=hours)

    media = api_client.get(detail_url(creator)).json()["recent_media"]

    assert len(media) == 12
    assert [item["likes"] for item in media] == list(range(12))
    assert media[0]["platform"] == "instagram" and media[0]["permalink"].startswith("https://")


@pytest.mark.parametrize("viewer", ["anonymous", "brand", "other_creator"])
def test_private_creator_is_not_found_for_others(api_client, viewer):
    private = CreatorUserFactory(profile_public=False)
    if viewer != "anonymous":
        api_client.force_authenticate({"brand": BrandUserFactory, "other_creator": CreatorUserFactory}[viewer]())

    for url in (detail_url(private), portfolio_url(private)):
        response = api_client.get(url)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"


def test_owner_reads_their_private_profile(api_client):
    private = CreatorUserFactory(profile_public=False)
    api_client.force_authenticate(private)

    body = api_client.get(detail_url(private)).json()

    assert body["is_public"] is False and body["is_owner"] is True


@pytest.mark.parametrize("status", [User.Status.SUSPENDED, User.Status.BANNED])
def test_blocked_creator_is_not_found(api_client, status):
    assert api_client.get(detail_url(CreatorUserFactory(status=status))).status_code == 404


def test_a_brand_or_unknown_id_is_not_a_creator(api_client):
    brand = BrandUserFactory()

    assert api_client.get(reverse("api_creator_detail", kwargs={"creator_id": brand.pk})).status_code == 404
    assert api_client.get(reverse("api_creator_detail", kwargs={"creator_id": 999_999})).status_code == 404


@pytest.mark.parametrize("suffix", ["", "/portfolio"])
@pytest.mark.parametrize("creator_id", [0, 2**63, 187661331911592804352])
def test_ids_no_database_row_can_have_are_not_found(api_client, suffix, creator_id):
    response = api_client.get(f"/api/v1/creators/{creator_id}{suffix}")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_bad_token_is_refused_even_on_public_routes(api_client, creator):
    response = api_client.get(detail_url(creator), HTTP_AUTHORIZATION="Bearer not-a-token")

    assert response.status_code == 401


# --- Portfolio ----------------------------------------------------------------------------------
def test_portfolio_adds_follower_history_and_latest_reviews(api_client, creator):
    account = SocialAccountFactory(creator=creator)
    today = timezone.localdate()
    for days_ago, followers in ((120, 1), (2, 900), (1, 950), (0, 1000)):
        MetricsSnapshotFactory(account=account, date=today - datetime.timedelta(days=days_ago), followers=followers)
    reviews = [ReviewFactory(creator=creator, rating=5, text=f"review {n}") for n in range(8)]

    body = api_client.get(portfolio_url(creator)).json()

    history = body["social_accounts"][0]["history"]
    assert history == [
        {"date": str(today - datetime.timedelta(days=2)), "followers": 900},
        {"date": str(today - datetime.timedelta(days=1)), "followers": 950},
        {"date": str(today), "followers": 1000},
    ]
    assert [r["text"] for r in body["reviews"]] == [r.text for r in reversed(reviews)][:6]
    assert body["reviews"][0]["client_name"] == "GlowUp Beauty"
    assert body["rating"]["count"] == 8


def test_reviewer_falls_back_to_the_brand_company(api_client, creator):
    brand = BrandUserFactory()
    brand.brand_profile.company_name = "TechFlow Inc"
    brand.brand_profile.save()
    ReviewFactory(creator=creator, author=brand, client_name="")

    body = api_client.get(portfolio_url(creator)).json()

    assert body["reviews"][0]["client_name"] == "TechFlow Inc"


# --- Speed ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("amount", [1, 25])
@pytest.mark.parametrize("route", ["detail", "portfolio"])
def test_creator_api_does_a_fixed_number_of_queries(api_client, creator, amount, route, django_assert_num_queries):
    fill_media_kit(creator, amount, accounts=1 if amount == 1 else 3)
    url = detail_url(creator) if route == "detail" else portfolio_url(creator)

    with django_assert_num_queries(PAGE_QUERIES):
        response = api_client.get(url)

    assert response.status_code == 200
    assert len(response.json()["packages"]) == amount


# --- Page address ----------------------------------------------------------------------------------
SLUG_URL = "/api/v1/profile/slug"


def test_changing_the_slug_needs_sign_in(api_client):
    assert api_client.patch(SLUG_URL, {"slug": "new-slug"}).status_code == 401


def test_brands_have_no_page_address(api_client, brand):
    api_client.force_authenticate(brand)

    response = api_client.patch(SLUG_URL, {"slug": "brand-slug"})

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_creator_moves_their_page(api_client, creator):
    old = creator.creator_profile.slug
    api_client.force_authenticate(creator)

    response = api_client.patch(SLUG_URL, {"slug": "New-Home"})

    assert response.status_code == 200
    assert response.json() == {"slug": "new-home", "url": "http://testserver/p/new-home/"}
    assert SlugRedirect.objects.filter(slug=old, profile__user=creator).exists()


@pytest.mark.parametrize("payload", [{}, {"slug": ""}, {"slug": "a--b"}, {"slug": "x" * 81}, {"slug": ["list"]}])
def test_malformed_slug_is_a_400(api_client, creator, payload):
    api_client.force_authenticate(creator)

    response = api_client.patch(SLUG_URL, payload)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] in {"validation_error", "invalid_slug"} and "slug" in error["details"]


def test_taken_slug_is_a_409(api_client, creator):
    other = CreatorUserFactory()
    api_client.force_authenticate(creator)

    response = api_client.patch(SLUG_URL, {"slug": other.creator_profile.slug})

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "slug_taken"


# --- Audience quality and campaign match (discovery) ----------------------------------------------
def _card_for(creator, **fields):
    from brands.tests.factories import CreatorCardFactory

    return CreatorCardFactory(creator=creator, **fields)


def _brand_with_target():
    brand = BrandUserFactory()
    profile = brand.brand_profile
    profile.industries = ["fitness"]
    profile.target_audience = {"countries": ["US"], "languages": ["en"]}
    profile.budget_max = Decimal("500")
    profile.save()
    return brand


def test_detail_shows_audience_quality_from_the_card(api_client, creator):
    _card_for(creator, audience_quality=72, audience_quality_confidence="high", audience_quality_basis={
        "platform": "instagram", "size_band": "micro", "verified": True,
        "engagement_percentile": {"value": 80, "score": 80}, "comments_per_like": {"value": 0.04, "score": 100},
    })

    body = api_client.get(detail_url(creator)).json()

    quality = body["audience_quality"]
    assert quality["score"] == 72 and quality["confidence"] == "high"
    assert quality["basis"]["engagement_percentile"] == {"value": 80, "score": 80}
    assert quality["computed_from"].startswith("From engagement percentile among Instagram micro creators")
    assert "comments-to-likes ratio" in quality["computed_from"]
    assert "campaign_match" not in body


def test_detail_without_a_card_says_there_is_not_enough_data(api_client, creator):
    quality = api_client.get(detail_url(creator)).json()["audience_quality"]

    assert quality["score"] is None and quality["confidence"] is None and quality["basis"] == {}
    assert quality["computed_from"].startswith("Not enough data yet.")


def test_a_brand_with_a_target_gets_campaign_match_with_reasons(auth_client, creator):
    from brands.matching import WEIGHTS

    _card_for(creator, categories=["fitness"], country="US", languages=["en"], min_price=Decimal("400"),
              engagement_percentile=50, audience_quality=60, reliability=50)

    body = auth_client(_brand_with_target()).get(detail_url(creator)).json()

    match = body["campaign_match"]
    # niche 30 + country 10 + language 6 + platform half 5 + engagement 7 + budget 14 + quality 6 + reliability 3
    assert match["match_percentage"] == 81 and match["match_status"] == "high"
    assert [reason["factor"] for reason in match["reasons"]] == list(WEIGHTS)
    assert sum(reason["impact"] for reason in match["reasons"]) == 81
    niche = match["reasons"][0]
    assert niche == {"factor": "niche", "description": "Posts about fitness, 1 of your 1 categories.",
                     "impact": 30, "weight": 30}
    assert match["reasons"][5]["description"] == "Packages from 400 USD, within your 500 USD budget per creator."


def test_no_campaign_match_for_creators_anonymous_or_a_brand_without_preferences(auth_client, api_client, creator):
    _card_for(creator)
    viewers = [auth_client(CreatorUserFactory()), api_client, auth_client(BrandUserFactory())]

    for client in viewers:
        body = client.get(detail_url(creator)).json()
        assert "campaign_match" not in body
        assert body["audience_quality"]["score"] == 60


def test_no_campaign_match_before_the_card_is_built(auth_client, creator):
    body = auth_client(_brand_with_target()).get(detail_url(creator)).json()

    assert "campaign_match" not in body


@pytest.mark.parametrize("amount", [1, 25])
def test_detail_for_a_brand_adds_only_the_brand_profile_query(auth_client, creator, amount, django_assert_num_queries):
    fill_media_kit(creator, amount, accounts=1 if amount == 1 else 3)
    _card_for(creator, categories=["fitness"])
    brand = _brand_with_target()
    client = auth_client(brand)
    brand.refresh_from_db()  # the request loads the brand's profile itself

    with django_assert_num_queries(PAGE_QUERIES + 1):
        response = client.get(detail_url(creator))

    assert response.json()["campaign_match"]["match_percentage"] > 0
    assert len(response.json()["packages"]) == amount
