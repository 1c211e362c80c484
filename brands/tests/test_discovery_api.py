"""GET /api/v1/creators and GET /api/v1/creators/filters."""

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db.models import F, IntegerField
from django.db.models.functions import Cast

from brands import matching
from brands.api.discovery import CreatorQuerySerializer
from brands.matching import Target
from brands.query import ORDERINGS, CreatorQuery
from brands.tests.factories import CreatorCardFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Facet answers are cached across requests; every test starts and ends without them."""
    cache.clear()
    yield
    cache.clear()
LIST, FILTERS = "/api/v1/creators", "/api/v1/creators/filters"


@pytest.fixture
def brand_with_target(monkeypatch, brand):
    """A brand whose target scores creators by audience quality (the real formula is tested in test_matching)."""
    monkeypatch.setattr(matching, "target_for_brand",
                        lambda user: Target(platforms=("instagram",)) if user == brand else None, raising=False)
    monkeypatch.setattr(matching, "match_score_expression",
                        lambda target: Cast(F("audience_quality"), IntegerField()), raising=False)
    monkeypatch.setattr(matching, "match_status", lambda pct: "high" if pct >= 70 else "low", raising=False)
    return brand


@pytest.mark.parametrize("url", [LIST, FILTERS])
def test_anonymous_is_401(api_client, url):
    response = api_client.get(url)

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


@pytest.mark.parametrize("params", [
    {"min_followers": "-1"},
    {"min_followers": "abc"},
    {"min_followers": "500", "max_followers": "100"},
    {"min_price": "900", "max_price": "100"},
    {"platform": "myspace"},
    {"platform": "instagram,myspace"},
    {"ordering": "cheapest"},
    {"size": "huge"},
    {"country": "XX"},
    {"language": "klingon"},
    {"min_engagement": "101"},
    {"min_audience_quality": "101"},
    {"available": "maybe"},
    {"limit": "0"},
    {"limit": "101"},
    {"offset": "10001"},
    {"cursor": "garbage"},
])
@pytest.mark.parametrize("url", [LIST, FILTERS])
def test_bad_input_is_400_in_the_envelope(auth_client, creator, url, params):
    response = auth_client(creator).get(url, params)

    assert response.status_code == 400
    body = response.json()["error"]
    assert body["code"] == "validation_error"
    assert set(body["details"]) <= set(CreatorQuerySerializer().fields)


def test_results_shape(auth_client, creator, settings):
    card = CreatorCardFactory(display_name="Maya Chen", slug="maya-chen", bio="x" * 500, avatar="avatars/m.png",
                              platforms=["instagram", "youtube"], followers=150_000, audience_quality=81,
                              audience_quality_confidence="high", min_price=Decimal(250), max_price=None)

    body = auth_client(creator).get(LIST).json()

    assert (body["total"], body["total_is_exact"], body["limit"], body["offset"], body["next_cursor"]) == (
        1, True, 20, 0, None)
    (result,) = body["results"]
    assert result["id"] == card.creator_id
    assert result["url"] == "http://testserver/p/maya-chen/"
    assert result["avatar"] == f"http://testserver{settings.MEDIA_URL}avatars/m.png"
    assert len(result["bio"]) == 200
    assert result["platforms"] == ["instagram", "youtube"]
    assert (result["size_band"], result["price_from"], result["price_to"]) == ("mid", "250.00", None)
    assert result["audience_quality"] == {"score": 81, "confidence": "high"}
    assert (result["match_percentage"], result["match_status"], result["is_saved"]) == (None, None, False)


@pytest.mark.parametrize("bio", ["", "short", "x" * 200, "y" * 201, "é" * 300, "e\u0301" * 150 + "z" * 100])
def test_card_representation_is_what_drf_would_render(rf, bio):
    """The serializer's direct to_representation gives exactly DRF's generic Serializer.to_representation, and the
    bio excerpt exactly Django's Truncator."""
    from django.utils.text import Truncator
    from rest_framework import serializers
    from rest_framework.request import Request

    import influmojo.urls  # noqa: F401 (registers the URL converters the recommendations routes use)
    from brands.api.discovery import BIO_EXCERPT_CHARS, CreatorCardSerializer, bio_excerpt
    from brands.api.recommendations import SimilarCreatorSerializer

    priced = CreatorCardFactory(bio=bio, avatar="avatars/a.png", min_price=Decimal("12.5"), max_price=Decimal(99),
                                engagement_rate=Decimal("3.1"), engagement_percentile=None, niches=["vegan food"])
    unpriced = CreatorCardFactory(bio=bio, avatar="https://cdn.example/a.png", min_price=None, max_price=None,
                                  audience_quality=None, audience_quality_confidence="")
    priced.match_percentage, priced.match_status = 71, "medium"
    unpriced.similarity = 40
    context = {"request": Request(rf.get("/api/v1/creators")), "saved_ids": {priced.creator_id}}
    for serializer_class, card in ((CreatorCardSerializer, priced), (CreatorCardSerializer, unpriced),
                                   (SimilarCreatorSerializer, unpriced)):
        serializer = serializer_class(context=context)

        direct = serializer.to_representation(card)

        assert direct == serializers.Serializer.to_representation(serializer, card)
        assert list(direct) == list(serializer.fields)
    assert bio_excerpt(bio) == Truncator(bio).chars(BIO_EXCERPT_CHARS)


def test_multi_values_comma_separated_or_repeated(auth_client, creator):
    yt = CreatorCardFactory(platforms=["youtube"], followers=3)
    tt = CreatorCardFactory(platforms=["tiktok"], followers=2)
    CreatorCardFactory(platforms=["instagram"], followers=1)
    client = auth_client(creator)

    comma = client.get(LIST, {"platform": "youtube,tiktok"}).json()
    repeated = client.get(f"{LIST}?platform=youtube&platform=tiktok").json()

    assert [r["id"] for r in comma["results"]] == [yt.creator_id, tt.creator_id]
    assert [r["id"] for r in repeated["results"]] == [yt.creator_id, tt.creator_id]


def test_query_params_become_a_creator_query():
    serializer = CreatorQuerySerializer(data={
        "search": " yoga ", "platform": "youtube", "niche": "Fitness,Vegan Food", "country": "gb,in",
        "min_followers": "1000", "available": "true", "verified": "false", "size": "micro", "ordering": "price",
        "min_price": "10", "max_price": "99.5", "language": "hi", "city": " Pune ", "min_engagement": "2.5",
        "min_audience_quality": "40",
    })

    assert serializer.is_valid(), serializer.errors
    assert serializer.to_query() == CreatorQuery(
        search="yoga", platforms=("youtube",), niches=("fitness", "vegan food"), countries=("GB", "IN"),
        min_followers=1000, available=True, verified=False, size_bands=("micro",), ordering="price",
        min_price=Decimal(10), max_price=Decimal("99.5"), languages=("hi",), city="Pune",
        min_engagement=Decimal("2.5"), min_audience_quality=40,
    )
    assert CreatorQuerySerializer(data={}).is_valid()
    empty = CreatorQuerySerializer(data={})
    empty.is_valid()
    assert empty.to_query() == CreatorQuery()


def test_filters_apply_through_the_api(auth_client, creator):
    wanted = CreatorCardFactory(country="IN", city="Pune", verified=True, availability="available",
                                followers=20_000, min_price=Decimal(150))
    CreatorCardFactory(country="IN", city="Pune", verified=True, availability="busy", followers=20_000,
                       min_price=Decimal(150))
    CreatorCardFactory(country="IN", city="Mumbai", verified=True, availability="available", followers=20_000)

    body = auth_client(creator).get(LIST, {"country": "in", "city": "pune", "verified": "true", "available": "true",
                                           "size": "micro", "min_price": "100", "max_price": "200"}).json()

    assert [r["id"] for r in body["results"]] == [wanted.creator_id]


def test_cursor_pages_through_the_api_without_gaps(auth_client, creator):
    cards = [CreatorCardFactory(followers=100 * (n % 3)) for n in range(7)]
    client = auth_client(creator)
    expected = [c.creator_id for c in sorted(cards, key=lambda c: (c.followers, c.creator_id), reverse=True)]

    seen, params = [], {"limit": 3}
    while True:
        body = client.get(LIST, params).json()
        seen += [r["id"] for r in body["results"]]
        assert body["total"] == 7
        if not body["next_cursor"]:
            break
        params = {"limit": 3, "cursor": body["next_cursor"]}

    assert seen == expected


def test_tampered_cursor_is_400(auth_client, creator):
    CreatorCardFactory.create_batch(2)
    client = auth_client(creator)
    cursor = client.get(LIST, {"limit": 1}).json()["next_cursor"]

    tampered = client.get(LIST, {"limit": 1, "cursor": cursor.replace(cursor[5], "Z" if cursor[5] != "Z" else "Y", 1)})
    foreign = client.get(LIST, {"limit": 1, "cursor": cursor, "ordering": "-rating"})

    assert tampered.status_code == 400 and "cursor" in tampered.json()["error"]["details"]
    assert foreign.status_code == 400 and foreign.json()["error"]["code"] == "invalid_cursor"


def test_brand_gets_match_fields_and_saved_state(auth_client, brand_with_target):
    saved = CreatorCardFactory(audience_quality=90, followers=10)
    other = CreatorCardFactory(audience_quality=30, followers=10**6)
    shortlists = pytest.importorskip("brands.selectors.shortlists")
    from brands.tests.factories import ShortlistFactory, ShortlistItemFactory

    ShortlistItemFactory(shortlist=ShortlistFactory(brand=brand_with_target), creator=saved.creator)
    assert hasattr(shortlists, "saved_creator_ids")

    body = auth_client(brand_with_target).get(LIST).json()

    assert [(r["id"], r["match_percentage"], r["match_status"], r["is_saved"]) for r in body["results"]] == [
        (saved.creator_id, 90, "high", True), (other.creator_id, 30, "low", False)]


def test_creators_see_no_match_fields(auth_client, creator, brand_with_target):
    CreatorCardFactory(audience_quality=90)

    (result,) = auth_client(creator).get(LIST, {"ordering": "match"}).json()["results"]

    assert (result["match_percentage"], result["match_status"], result["is_saved"]) == (None, None, False)


@pytest.mark.parametrize("viewer", ["brand", "creator"])
def test_same_number_of_queries_at_1_and_25_rows(auth_client, brand_with_target, creator, viewer,
                                                 django_assert_num_queries):
    user = brand_with_target if viewer == "brand" else creator
    client = auth_client(user)
    CreatorCardFactory()
    with django_assert_num_queries(3 if viewer == "brand" else 2) as first:
        assert len(client.get(LIST, {"search": "lifestyle"}).json()["results"]) == 1
    CreatorCardFactory.create_batch(24)
    with django_assert_num_queries(len(first.captured_queries)):
        assert len(client.get(LIST, {"search": "lifestyle", "limit": 25}).json()["results"]) == 25


def test_filters_endpoint(auth_client, creator, django_assert_max_num_queries):
    CreatorCardFactory(platforms=["youtube"], country="GB", categories=["gaming"])
    CreatorCardFactory(platforms=["instagram"], country="US", categories=["gaming"])

    with django_assert_max_num_queries(3):
        body = auth_client(creator).get(FILTERS, {"platform": "youtube"}).json()

    assert (body["total"], body["total_is_exact"], body["exact"]) == (1, True, True)
    assert set(body["facets"]) == {"platform", "category", "country", "language", "size", "availability", "verified",
                                   "price"}
    platforms = {o["value"]: o["count"] for o in body["facets"]["platform"]}
    assert (platforms["youtube"], platforms["instagram"]) == (1, 1)
    assert body["facets"]["country"] == [{"value": "GB", "label": "Britain (UK)", "count": 1}]
    assert [o["value"] for o in body["orderings"]] == list(ORDERINGS)
