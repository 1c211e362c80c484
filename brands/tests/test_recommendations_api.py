"""GET /api/v1/creators/recommendations and GET /api/v1/creators/<id>/similar."""

from decimal import Decimal

import pytest

from accounts.tests.factories import BrandUserFactory, CreatorUserFactory
from brands.matching import match_for, target_for_brand
from brands.selectors import recommendations as selectors
from brands.tests.factories import CreatorCardFactory, ShortlistFactory, ShortlistItemFactory

pytestmark = pytest.mark.django_db

RECOMMENDATIONS_URL = "/api/v1/creators/recommendations"


def similar_url(creator_id) -> str:
    return f"/api/v1/creators/{creator_id}/similar"


def fitness_brand(**profile_fields):
    brand = BrandUserFactory()
    profile = brand.brand_profile
    profile.industries = ["fitness"]
    profile.target_audience = {"countries": ["US"], "languages": ["en"]}
    profile.preferences = {"platforms": ["instagram"]}
    profile.budget_max = Decimal("500")
    for name, value in profile_fields.items():
        setattr(profile, name, value)
    profile.save()
    return brand


def ids(response) -> list[int]:
    return [row["id"] for row in response.json()["results"]]


# --- Recommendations ----------------------------------------------------------------------------------
def test_recommendations_rank_by_match_for_the_brand(auth_client):
    brand = fitness_brand()
    best = CreatorCardFactory(categories=["fitness"], min_price=Decimal("200"), engagement_percentile=90)
    fair = CreatorCardFactory(categories=["fitness"], country="BR", min_price=Decimal("200"))
    poor = CreatorCardFactory(categories=["fitness"], country="BR", min_price=Decimal("3000"), platforms=["youtube"],
                              engagement_percentile=5, audience_quality=10)

    response = auth_client(brand).get(RECOMMENDATIONS_URL)

    assert response.status_code == 200
    body = response.json()
    assert ids(response) == [best.pk, fair.pk, poor.pk]
    assert body["total"] == 3 and body["limit"] == 20 and body["offset"] == 0
    first = body["results"][0]
    assert first["match_percentage"] == match_for(best, target_for_brand(brand)).percentage
    assert first["match_status"] == "high"
    assert body["results"][2]["match_status"] == "low"
    assert all(row["is_saved"] is False for row in body["results"])


def test_recommendations_leave_out_shortlisted_and_unlisted_creators(auth_client):
    brand = fitness_brand()
    saved = CreatorCardFactory(categories=["fitness"])
    ShortlistItemFactory(shortlist=ShortlistFactory(brand=brand), creator=saved.creator)
    CreatorCardFactory(categories=["fitness"], listed=False)
    other_brands_pick = CreatorCardFactory(categories=["fitness"])
    ShortlistItemFactory(creator=other_brands_pick.creator)  # on another brand's list: still recommended
    fresh = CreatorCardFactory(categories=["fitness"], followers=10)

    response = auth_client(brand).get(RECOMMENDATIONS_URL)

    assert set(ids(response)) == {other_brands_pick.pk, fresh.pk}
    assert response.json()["total"] == 2


def test_shortlist_categories_boost_similar_creators(auth_client):
    brand = BrandUserFactory()  # no stated preferences: match is null, shortlists still steer
    shortlist = ShortlistFactory(brand=brand)
    for _ in range(2):
        ShortlistItemFactory(shortlist=shortlist, creator=CreatorCardFactory(categories=["travel", "food"]).creator)
    traveller = CreatorCardFactory(categories=["travel", "food"], followers=1_000)
    foodie = CreatorCardFactory(categories=["food"], followers=900_000)
    CreatorCardFactory(categories=["gaming"], followers=900_000)

    response = auth_client(brand).get(RECOMMENDATIONS_URL)

    assert ids(response) == [traveller.pk, foodie.pk]  # two shortlist categories beat one, whatever the reach
    assert {row["match_percentage"] for row in response.json()["results"]} == {None}
    assert {row["match_status"] for row in response.json()["results"]} == {None}
    assert selectors.shortlist_categories(brand=brand) == ["food", "travel"]


def test_recommendations_page_with_limit_and_offset(auth_client):
    brand = fitness_brand()
    cards = [CreatorCardFactory(categories=["fitness"], followers=1_000 * (i + 1)) for i in range(5)]

    response = auth_client(brand).get(RECOMMENDATIONS_URL, {"limit": 2, "offset": 2})

    assert ids(response) == [cards[2].pk, cards[1].pk]  # same match: most followers first
    assert response.json()["total"] == 5


def test_recommendations_are_capped(auth_client, monkeypatch):
    monkeypatch.setattr(selectors, "MAX_RECOMMENDATIONS", 3)
    brand = fitness_brand()
    CreatorCardFactory.create_batch(5, categories=["fitness"])

    response = auth_client(brand).get(RECOMMENDATIONS_URL, {"limit": 10, "offset": 2})

    assert response.json()["total"] == 3 and len(ids(response)) == 1


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 101}, {"offset": -1}, {"limit": "many"}])
def test_bad_page_parameters_are_400(auth_client, params):
    response = auth_client(fitness_brand()).get(RECOMMENDATIONS_URL, params)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"


def test_recommendations_are_for_brands_only(auth_client, api_client):
    creator_response = auth_client(CreatorUserFactory()).get(RECOMMENDATIONS_URL)
    anonymous_response = api_client.get(RECOMMENDATIONS_URL)

    assert creator_response.status_code == 403
    assert creator_response.json()["error"]["code"] == "permission_denied"
    assert anonymous_response.status_code == 401
    assert anonymous_response.json()["error"]["code"] == "not_authenticated"


# brand profile, shortlist categories, capped count, page
RECOMMENDATION_QUERIES = 4


@pytest.mark.parametrize("amount", [1, 25])
def test_recommendations_query_count_does_not_grow(auth_client, amount, django_assert_num_queries):
    brand = fitness_brand()
    ShortlistItemFactory(shortlist=ShortlistFactory(brand=brand), creator=CreatorCardFactory().creator)
    CreatorCardFactory.create_batch(amount, categories=["fitness"])
    client = auth_client(brand)
    brand.refresh_from_db()  # drop the cached profile: the request loads it

    with django_assert_num_queries(RECOMMENDATION_QUERIES):
        response = client.get(RECOMMENDATIONS_URL, {"limit": 25})

    assert len(ids(response)) == amount


# --- Similar creators ------------------------------------------------------------------------------
def test_similar_creators_rank_by_shared_traits(auth_client):
    source = CreatorCardFactory(categories=["fitness", "health"], primary_platform="instagram", followers=50_000,
                                country="US")
    twin = CreatorCardFactory(categories=["fitness", "health"], primary_platform="instagram", followers=60_000,
                              country="US")
    cousin = CreatorCardFactory(categories=["fitness"], primary_platform="youtube", followers=2_000_000, country="GB")
    CreatorCardFactory(categories=["gaming"], primary_platform="instagram", followers=50_000, country="US")
    CreatorCardFactory(categories=["fitness"], listed=False)

    response = auth_client(CreatorUserFactory()).get(similar_url(source.pk))

    assert response.status_code == 200
    body = response.json()
    assert ids(response) == [twin.pk, cousin.pk]
    assert [row["similarity"] for row in body["results"]] == [100, 28]  # 55+20+15+10; round(55/2)
    assert body["total"] == 2
    assert body["results"][0]["match_percentage"] is None


def test_similar_without_categories_falls_back_to_the_primary_platform(auth_client):
    source = CreatorCardFactory(categories=[], primary_platform="tiktok")
    same_platform = CreatorCardFactory(categories=["music"], primary_platform="tiktok")
    CreatorCardFactory(categories=["music"], primary_platform="youtube")

    response = auth_client(BrandUserFactory()).get(similar_url(source.pk))

    assert ids(response) == [same_platform.pk]


def test_similar_carries_the_match_for_a_brand_with_a_target(auth_client):
    brand = fitness_brand()
    source = CreatorCardFactory(categories=["fitness"])
    other = CreatorCardFactory(categories=["fitness"])
    ShortlistItemFactory(shortlist=ShortlistFactory(brand=brand), creator=other.creator)

    row = auth_client(brand).get(similar_url(source.pk)).json()["results"][0]

    assert row["match_percentage"] == match_for(other, target_for_brand(brand)).percentage
    assert row["match_status"] in {"high", "medium", "low"}
    assert row["is_saved"] is True


def test_similar_is_404_for_unknown_or_unlisted_creators(auth_client):
    unlisted = CreatorCardFactory(listed=False)
    no_card = CreatorUserFactory()
    client = auth_client(BrandUserFactory())

    for creator_id in (unlisted.pk, no_card.pk, 999_999_999):
        response = client.get(similar_url(creator_id))
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"


def test_similar_needs_sign_in(api_client):
    source = CreatorCardFactory()

    response = api_client.get(similar_url(source.pk))

    assert response.status_code == 401


# the creator's card, count, page (+ the target's brand profile and saved ids for a brand)
SIMILAR_QUERIES = {"creator": 3, "brand": 5}


@pytest.mark.parametrize("amount", [1, 25])
@pytest.mark.parametrize("viewer", ["creator", "brand"])
def test_similar_query_count_does_not_grow(auth_client, amount, viewer, django_assert_num_queries):
    user = fitness_brand() if viewer == "brand" else CreatorUserFactory()
    source = CreatorCardFactory(categories=["fitness"])
    CreatorCardFactory.create_batch(amount, categories=["fitness"])
    client = auth_client(user)
    user.refresh_from_db()

    with django_assert_num_queries(SIMILAR_QUERIES[viewer]):
        response = client.get(similar_url(source.pk), {"limit": 25})

    assert len(ids(response)) == amount


def test_with_wanted_categories_only_creators_posting_about_them_are_recommended(auth_client):
    brand = fitness_brand()  # industries → fitness
    shortlist = ShortlistFactory(brand=brand)
    ShortlistItemFactory(shortlist=shortlist, creator=CreatorCardFactory(categories=["food"]).creator)
    athlete = CreatorCardFactory(categories=["fitness"])
    cook = CreatorCardFactory(categories=["food"])
    CreatorCardFactory(categories=["gaming"])

    response = auth_client(brand).get(RECOMMENDATIONS_URL)

    assert set(ids(response)) == {athlete.pk, cook.pk}


def test_a_brand_that_stated_nothing_still_gets_creators_ranked_on_quality(auth_client):
    brand = BrandUserFactory()
    strong = CreatorCardFactory(categories=["gaming"], engagement_percentile=95, audience_quality=90, reliability=90)
    weak = CreatorCardFactory(categories=["music"], engagement_percentile=5, audience_quality=20, reliability=30)

    body = auth_client(brand).get(RECOMMENDATIONS_URL).json()

    assert [row["id"] for row in body["results"]] == [strong.pk, weak.pk]
    assert body["results"][0]["match_percentage"] is None
