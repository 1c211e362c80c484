"""POST /api/v1/reviews and GET /api/v1/creators/<id>/reviews."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import BrandProfile, CreatorProfile, User
from accounts.tests.factories import BrandUserFactory, CreatorUserFactory
from creators.models import Review
from creators.services import reviews as services
from creators.tests.factories import ReviewFactory
from influmojo.permissions import Actor

pytestmark = pytest.mark.django_db

CREATE = "/api/v1/reviews"


def listing(creator_id: int) -> str:
    return f"/api/v1/creators/{creator_id}/reviews"


def error_of(response, status: int) -> dict:
    assert response.status_code == status, response.content
    return response.json()["error"]


def payload(creator, **changes) -> dict:
    return {"creator_id": creator.pk, "rating": 4, "text": "Clear brief, fast delivery.",
            "project_type": "YouTube video", **changes}


# --- POST /reviews ----------------------------------------------------------------------------------------------
def test_a_brand_reviews_a_creator(auth_client, brand, creator):
    BrandProfile.objects.filter(user=brand).update(company_name="Chai Co.")

    response = auth_client(User.objects.get(pk=brand.pk)).post(CREATE, payload(creator))

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["creator_id"] == creator.pk and body["rating"] == 4 and body["is_verified"] is False
    assert body["client_name"] == "Chai Co." and "client_email" not in body
    assert Review.objects.get(pk=body["id"]).client_email == brand.email
    assert CreatorProfile.objects.get(user=creator).rating == Decimal("4.00")


def test_the_rating_and_collaborations_cannot_be_sent(auth_client, brand, creator):
    body = auth_client(brand).post(
        CREATE, payload(creator, is_verified=True, order_id=12, is_published=False, author=creator.pk)
    ).json()

    stored = Review.objects.get(pk=body["id"])
    assert stored.is_verified is False and stored.order_id is None and stored.is_published and stored.author == brand
    assert CreatorProfile.objects.get(user=creator).total_collaborations == 0


@pytest.mark.parametrize(
    "field,value",
    [
        ("rating", 0),
        ("rating", 6),
        ("rating", "five"),
        ("rating", None),
        ("creator_id", None),
        ("creator_id", "abc"),
        ("creator_id", 0),
        ("text", "x" * 4001),
        ("project_type", "x" * 101),
        ("client_name", "x" * 151),
        ("client_email", "not-an-email"),
    ],
)
def test_invalid_input_is_refused_at_its_field(auth_client, brand, creator, field, value):
    body = payload(creator, **{field: value})
    if value is None:
        body.pop(field)

    error = error_of(auth_client(brand).post(CREATE, body), 400)

    assert field in error["details"]
    assert not Review.objects.exists()


def test_a_second_unverified_review_is_a_409(auth_client, brand, creator):
    client = auth_client(brand)
    client.post(CREATE, payload(creator))

    error = error_of(client.post(CREATE, payload(creator, rating=1)), 409)

    assert error["code"] == "review_exists"
    assert CreatorProfile.objects.get(user=creator).rating == Decimal("4.00")


@pytest.mark.parametrize("change", [{"profile_public": False}, {"user_type": User.UserType.BRAND}])
def test_a_private_or_non_creator_target_is_a_404(auth_client, brand, creator, change):
    User.objects.filter(pk=creator.pk).update(**change)

    assert error_of(auth_client(brand).post(CREATE, payload(creator)), 404)["code"] == "not_found"


def test_creators_cannot_write_reviews(auth_client, creator):
    error = error_of(auth_client(creator).post(CREATE, payload(CreatorUserFactory())), 403)

    assert error["code"] == "permission_denied" and not Review.objects.exists()


def test_anonymous_callers_cannot_write_reviews(api_client, creator):
    assert error_of(api_client.post(CREATE, payload(creator)), 401)["code"] == "not_authenticated"


# --- GET /creators/<id>/reviews ---------------------------------------------------------------------------------
def test_anyone_reads_the_published_reviews_newest_first_with_the_average(api_client, creator, agent):
    now = timezone.now()
    old = services.review_create(creator_id=creator.pk, author=BrandUserFactory(), data={"rating": 5}, order_id=3)
    new = services.review_create(creator_id=creator.pk, author=BrandUserFactory(), data={"rating": 2})
    hidden = services.review_create(creator_id=creator.pk, author=BrandUserFactory(), data={"rating": 1})
    Review.objects.filter(pk=old.pk).update(created_at=now - datetime.timedelta(days=3))
    services.review_hide(review_id=hidden.pk, actor=Actor.of(agent), reason="Spam")
    ReviewFactory()  # another creator's

    body = api_client.get(listing(creator.pk)).json()

    assert [row["id"] for row in body["results"]] == [new.pk, old.pk]
    assert body["average_rating"] == "3.50" and body["review_count"] == 2 and body["total"] == 2
    assert body["results"][1]["is_verified"] is True
    assert all("client_email" not in row for row in body["results"])


def test_a_creator_without_reviews_has_a_zero_average(api_client, creator):
    body = api_client.get(listing(creator.pk)).json()

    assert body["results"] == [] and body["average_rating"] == "0.00" and body["review_count"] == 0


def test_the_reviews_page_with_limit_and_offset(api_client, creator):
    for _ in range(3):
        services.review_create(creator_id=creator.pk, author=BrandUserFactory(), data={"rating": 4})

    body = api_client.get(listing(creator.pk), {"limit": 2, "offset": 2}).json()

    assert len(body["results"]) == 1 and body["review_count"] == 3 and body["limit"] == 2


@pytest.mark.parametrize(
    "change", [{"profile_public": False}, {"status": User.Status.BANNED}, {"user_type": User.UserType.BRAND}]
)
def test_a_private_banned_or_non_creator_answers_404(api_client, creator, change):
    ReviewFactory(creator=creator)
    User.objects.filter(pk=creator.pk).update(**change)

    assert error_of(api_client.get(listing(creator.pk)), 404)["code"] == "not_found"


@pytest.mark.parametrize("rows", [1, 25])
def test_the_reviews_query_count_does_not_grow(api_client, creator, django_assert_num_queries, rows):
    ReviewFactory.create_batch(rows, creator=creator)

    with django_assert_num_queries(3):  # creator with profile, count, page
        response = api_client.get(listing(creator.pk), {"limit": 100})

    assert len(response.json()["results"]) == rows
