"""The console's review pages: filters, read-only fields, hide/unhide through the services."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import ERROR, SUCCESS, get_messages
from django.urls import reverse

from accounts.models import CreatorProfile, User
from accounts.tests.factories import AgentFactory, BrandUserFactory, UserFactory
from accounts.tests.test_admin import with_totp
from creators.models import Review
from creators.services import reviews as services
from creators.tests.factories import ReviewFactory
from influmojo.permissions import Actor

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:creators_review_changelist")


@pytest.fixture
def agent_client(client):
    client.force_login(with_totp(AgentFactory(email="helper@influmojo.test")))
    return client


def flashed(response) -> list[tuple[int, str]]:
    return [(message.level, str(message)) for message in get_messages(response.wsgi_request)]


def run_action(client, action: str, *reviews: Review, reason: str = ""):
    return client.post(
        CHANGELIST, {"action": action, "_selected_action": [review.pk for review in reviews], "reason": reason}
    )


def reviews_of(creator, *ratings: int) -> list[Review]:
    return [
        services.review_create(creator_id=creator.pk, author=BrandUserFactory(), data={"rating": rating})
        for rating in ratings
    ]


def rating_of(creator) -> Decimal:
    return CreatorProfile.objects.get(user=creator).rating


# --- Listing ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "query,expected",
    [({"is_published__exact": "0"}, {"hidden"}), ({"is_verified__exact": "1"}, {"verified"}),
     ({"rating": "2"}, {"hidden"}), ({}, {"hidden", "verified", "plain"})],
)
def test_filters_published_verified_and_rating(agent_client, creator, query, expected):
    ReviewFactory(creator=creator, rating=2, is_published=False, client_name="hidden")
    ReviewFactory(creator=creator, rating=5, order_id=1, is_verified=True, client_name="verified")
    ReviewFactory(creator=creator, rating=4, client_name="plain")

    response = agent_client.get(CHANGELIST, query)

    assert response.status_code == 200
    assert {review.client_name for review in response.context["cl"].result_list} == expected


def test_search_by_creator_email(agent_client, creator):
    ReviewFactory(creator=creator, client_name="mine")
    ReviewFactory(client_name="other")

    response = agent_client.get(CHANGELIST, {"q": creator.email})

    assert [review.client_name for review in response.context["cl"].result_list] == ["mine"]


def test_a_review_page_is_read_only_and_cannot_be_added_or_deleted(agent_client, creator):
    review = ReviewFactory(creator=creator)

    page = agent_client.get(reverse("admin:creators_review_change", args=[review.pk]))
    html = page.content.decode()

    assert page.status_code == 200
    assert 'name="rating"' not in html and 'name="is_published"' not in html and 'name="text"' not in html
    assert agent_client.get(reverse("admin:creators_review_add")).status_code == 403
    deleting = agent_client.post(reverse("admin:creators_review_delete", args=[review.pk]), {"post": "yes"})
    assert deleting.status_code == 403
    assert Review.objects.filter(pk=review.pk).exists()


# --- Hide / unhide actions ------------------------------------------------------------------------------------------
def test_an_agent_hides_reviews_with_a_reason_and_the_rating_follows(agent_client, creator):
    low, _high, other = reviews_of(creator, 1, 5, 4)

    response = run_action(agent_client, "hide_reviews", low, other, reason="Not a real collaboration")

    assert (SUCCESS, f"Hid 2: #{low.pk}, #{other.pk}.") in flashed(response)
    low.refresh_from_db()
    assert low.is_published is False and low.hidden_reason == "Not a real collaboration"
    assert low.hidden_by.email == "helper@influmojo.test"
    assert rating_of(creator) == Decimal("5.00")


def test_hiding_without_a_reason_is_refused_and_reported(agent_client, creator):
    (review,) = reviews_of(creator, 2)

    response = run_action(agent_client, "hide_reviews", review)

    assert (ERROR, f"Refused 1: #{review.pk} (Say why the review is hidden.).") in flashed(response)
    review.refresh_from_db()
    assert review.is_published


def test_unhide_reports_each_review(agent_client, creator):
    hidden, shown = reviews_of(creator, 1, 5)
    services.review_hide(review_id=hidden.pk, actor=Actor.of(AgentFactory()), reason="Spam")

    response = run_action(agent_client, "unhide_reviews", hidden, shown)

    assert (SUCCESS, f"Published again 1: #{hidden.pk}.") in flashed(response)
    assert (ERROR, f"Refused 1: #{shown.pk} (The review is already published.).") in flashed(response)
    assert rating_of(creator) == Decimal("3.00")


def test_staff_without_the_agent_role_cannot_moderate(client, creator):
    viewer = with_totp(UserFactory(email="viewer@influmojo.test", user_type=User.UserType.CREATOR, is_staff=True))
    viewer.user_permissions.add(Permission.objects.get(codename="view_review"))
    client.force_login(viewer)
    (review,) = reviews_of(creator, 1)

    page = client.get(CHANGELIST)
    run_action(client, "hide_reviews", review, reason="Spam")

    assert page.status_code == 200 and "hide_reviews" not in page.content.decode()
    review.refresh_from_db()
    assert review.is_published
