"""creators.services.reviews: who reviews, one review per brand/creator and per order, moderation,
the derived CreatorProfile.rating / total_collaborations, and the database's 1–5 constraint."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from accounts.models import BrandProfile, CreatorProfile, User
from accounts.tests.factories import AgentFactory, BrandUserFactory, CreatorUserFactory
from chat.models import Notification
from creators.models import Review
from creators.services import reviews as services
from creators.tests.factories import ReviewFactory
from influmojo.errors import ApplicationError, Conflict, InvalidTransition, NotFound, PermissionDenied
from influmojo.permissions import Actor

pytestmark = pytest.mark.django_db

DATA = {"rating": 5, "text": "Great reel, on time.", "project_type": "Instagram reel"}


def numbers(creator) -> tuple[Decimal, int]:
    profile = CreatorProfile.objects.get(user=creator)
    return profile.rating, profile.total_collaborations


def review(creator, brand=None, *, rating=5, order_id=None) -> Review:
    return services.review_create(
        creator_id=creator.pk, author=brand or BrandUserFactory(), data={**DATA, "rating": rating}, order_id=order_id
    )


# --- Create ----------------------------------------------------------------------------------------------------
def test_a_brand_reviews_a_creator_unverified_with_its_company_as_client(creator, brand):
    BrandProfile.objects.filter(user=brand).update(company_name="Chai Co.")
    brand.refresh_from_db()

    created = services.review_create(creator_id=creator.pk, author=brand, data=DATA)

    created.refresh_from_db()
    assert created.creator == creator and created.author == brand and created.rating == 5
    assert created.is_verified is False and created.is_published is True and created.order_id is None
    assert created.client_name == "Chai Co." and created.client_email == brand.email
    assert numbers(creator) == (Decimal("5.00"), 0)


def test_the_creator_is_told_of_a_new_review_on_commit(creator, brand, mailoutbox, django_capture_on_commit_callbacks):
    BrandProfile.objects.filter(user=brand).update(company_name="Chai Co.")
    brand.refresh_from_db()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        created = services.review_create(creator_id=creator.pk, author=brand, data=DATA)
    assert not Notification.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()

    notification = Notification.objects.get()
    slug = CreatorProfile.objects.get(user=creator).slug
    assert (notification.user, notification.type, notification.event) == (creator, "reviews", "review.received")
    assert notification.title == "Chai Co. left you a 5-star review" and notification.body == DATA["text"]
    assert notification.url == f"/p/{slug}/#reviews-title"
    assert notification.data == {"review_id": created.pk, "rating": 5, "order_id": None}
    (mail,) = mailoutbox
    assert mail.to == [creator.email] and mail.subject == "[Influmojo] Chai Co. left you a 5-star review"


def test_a_refused_review_tells_nobody(creator, brand, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ApplicationError):
        services.review_create(creator_id=creator.pk, author=brand, data={**DATA, "rating": 9})

    assert not Notification.objects.exists()


def test_the_client_name_falls_back_to_the_brands_name_and_given_values_win(creator, brand):
    defaulted = services.review_create(creator_id=creator.pk, author=brand, data=DATA)
    given = services.review_create(
        creator_id=creator.pk, author=BrandUserFactory(), data={**DATA, "client_name": "Acme", "client_email": "a@b.co"}
    )

    assert defaulted.client_name == brand.display_name
    assert (given.client_name, given.client_email) == ("Acme", "a@b.co")


def test_a_review_after_an_order_is_verified_and_counts_as_a_collaboration(creator, brand):
    created = review(creator, brand, order_id=41)

    assert created.is_verified is True and created.order_id == 41
    assert numbers(creator) == (Decimal("5.00"), 1)


def test_one_review_per_order(creator, brand):
    review(creator, brand, order_id=41)

    with pytest.raises(Conflict) as refused:
        review(creator, brand, order_id=41)

    assert refused.value.code == "order_already_reviewed" and refused.value.status == 409
    assert Review.objects.count() == 1 and numbers(creator) == (Decimal("5.00"), 1)


def test_the_database_also_keeps_one_review_per_order(creator):
    ReviewFactory(creator=creator, order_id=7, is_verified=True)

    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewFactory(creator=creator, order_id=7, is_verified=True)


def test_a_brand_leaves_one_unverified_review_per_creator(creator, brand):
    review(creator, brand)

    with pytest.raises(Conflict) as refused:
        review(creator, brand, rating=1)

    assert refused.value.code == "review_exists"
    assert numbers(creator) == (Decimal("5.00"), 0)


def test_a_hidden_unverified_review_still_counts_as_the_brands_one(creator, brand, agent):
    first = review(creator, brand)
    services.review_hide(review_id=first.pk, actor=Actor.of(agent), reason="Abusive")

    with pytest.raises(Conflict):
        review(creator, brand)


def test_other_brands_and_other_orders_may_still_review(creator, brand):
    review(creator, brand, rating=5)

    review(creator, rating=4)  # another brand
    review(creator, brand, rating=3, order_id=9)  # the same brand after an order
    review(creator, brand, rating=3, order_id=10)

    assert Review.objects.filter(creator=creator).count() == 4
    assert numbers(creator) == (Decimal("3.75"), 2)


@pytest.mark.parametrize("rating", [None, 0, 6, "5"])
def test_a_rating_outside_1_to_5_is_refused_before_the_database(creator, brand, rating):
    with pytest.raises(ApplicationError) as refused:
        services.review_create(creator_id=creator.pk, author=brand, data={"rating": rating}, order_id=3)

    assert refused.value.code == "invalid_rating" and not Review.objects.exists()


@pytest.mark.parametrize("author_factory", [CreatorUserFactory, AgentFactory])
def test_only_brands_write_reviews(creator, author_factory):
    with pytest.raises(PermissionDenied):
        services.review_create(creator_id=creator.pk, author=author_factory(), data=DATA)

    assert not Review.objects.exists()


@pytest.mark.parametrize("change", [{"profile_public": False}, {"status": User.Status.SUSPENDED}])
def test_an_unverified_review_needs_a_public_creator(creator, brand, change):
    User.objects.filter(pk=creator.pk).update(**change)

    with pytest.raises(NotFound):
        review(creator, brand)


def test_a_verified_review_reaches_a_creator_who_went_private(creator, brand):
    User.objects.filter(pk=creator.pk).update(profile_public=False)

    assert review(creator, brand, order_id=5).is_verified


@pytest.mark.parametrize("order_id", [None, 5])
def test_brands_and_missing_users_cannot_be_reviewed(brand, order_id):
    other_brand = BrandUserFactory()

    for creator_id in (other_brand.pk, 999_999):
        with pytest.raises(NotFound):
            services.review_create(creator_id=creator_id, author=brand, data=DATA, order_id=order_id)


# --- The derived numbers ---------------------------------------------------------------------------------------
def test_rating_is_the_average_of_published_reviews_rounded_to_2_decimals(creator):
    for rating in (5, 4, 4):
        review(creator, rating=rating)

    assert numbers(creator)[0] == Decimal("4.33")


def test_a_rating_half_way_rounds_up(creator):
    for rating in (5, 5, 4, 4, 4, 4, 4, 3):  # 33 / 8 = 4.125
        review(creator, rating=rating)

    assert numbers(creator)[0] == Decimal("4.13")


def test_hide_and_unhide_recompute_the_rating_and_collaborations_stay(creator, agent):
    best = review(creator, rating=5, order_id=1)
    review(creator, rating=2, order_id=2)
    review(creator, rating=3)
    assert numbers(creator) == (Decimal("3.33"), 2)

    services.review_hide(review_id=best.pk, actor=Actor.of(agent), reason="Written by the creator's friend")
    assert numbers(creator) == (Decimal("2.50"), 2)  # the order still happened

    services.review_unhide(review_id=best.pk, actor=Actor.of(agent))
    assert numbers(creator) == (Decimal("3.33"), 2)


def test_rating_is_zero_when_every_review_is_hidden(creator, agent):
    only = review(creator, rating=4)

    services.review_hide(review_id=only.pk, actor=Actor.of(agent), reason="Spam")

    assert numbers(creator) == (Decimal("0.00"), 0)


def test_a_typed_in_rating_is_overwritten_by_the_next_change(creator):
    CreatorProfile.objects.filter(user=creator).update(rating=Decimal("4.99"), total_collaborations=300)

    review(creator, rating=3)

    assert numbers(creator) == (Decimal("3.00"), 0)


# --- Moderation ------------------------------------------------------------------------------------------------
def test_an_agent_hides_a_review_with_a_reason(creator, agent):
    target = review(creator)

    hidden = services.review_hide(review_id=target.pk, actor=Actor.of(agent), reason="  Contains   a phone number ")

    hidden.refresh_from_db()
    assert hidden.is_published is False and hidden.hidden_by == agent
    assert hidden.hidden_reason == "Contains a phone number"


def test_an_admin_unhides_and_the_hiding_is_cleared(creator, agent):
    admin = User.objects.create_user("boss@example.com", user_type=User.UserType.ADMIN, status=User.Status.ACTIVE)
    target = review(creator)
    services.review_hide(review_id=target.pk, actor=Actor.of(agent), reason="Check later")

    shown = services.review_unhide(review_id=target.pk, actor=Actor.of(admin))

    shown.refresh_from_db()
    assert shown.is_published is True and shown.hidden_by is None and shown.hidden_reason == ""


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_hiding_needs_a_reason(creator, agent, reason):
    target = review(creator)

    with pytest.raises(ApplicationError) as refused:
        services.review_hide(review_id=target.pk, actor=Actor.of(agent), reason=reason)

    assert refused.value.code == "reason_required"
    target.refresh_from_db()
    assert target.is_published


def test_a_reason_longer_than_the_column_is_refused(creator, agent):
    target = review(creator)

    with pytest.raises(ApplicationError) as refused:
        services.review_hide(review_id=target.pk, actor=Actor.of(agent), reason="x" * 301)

    assert refused.value.code == "reason_too_long"


def test_hiding_twice_or_unhiding_a_published_review_is_refused(creator, agent):
    target = review(creator)
    services.review_hide(review_id=target.pk, actor=Actor.of(agent), reason="Spam")

    with pytest.raises(InvalidTransition):
        services.review_hide(review_id=target.pk, actor=Actor.of(agent), reason="Spam")
    services.review_unhide(review_id=target.pk, actor=Actor.of(agent))
    with pytest.raises(InvalidTransition):
        services.review_unhide(review_id=target.pk, actor=Actor.of(agent))


@pytest.mark.parametrize("role", ["creator", "brand"])
def test_creators_and_brands_cannot_moderate(request, creator, role):
    target = review(creator)
    actor = Actor.of(request.getfixturevalue(role))

    with pytest.raises(PermissionDenied):
        services.review_hide(review_id=target.pk, actor=actor, reason="I don't like it")
    with pytest.raises(PermissionDenied):
        services.review_unhide(review_id=target.pk, actor=actor)

    target.refresh_from_db()
    assert target.is_published


def test_the_system_cannot_moderate(creator):
    target = review(creator)

    with pytest.raises(PermissionDenied):
        services.review_hide(review_id=target.pk, actor=Actor.system(), reason="Spam")


def test_moderating_a_missing_review_is_not_found(agent):
    with pytest.raises(NotFound):
        services.review_hide(review_id=999_999, actor=Actor.of(agent), reason="Spam")
    with pytest.raises(NotFound):
        services.review_unhide(review_id=999_999, actor=Actor.of(agent))


# --- The database constraint -----------------------------------------------------------------------------------
@pytest.mark.parametrize("rating", [0, 6])
def test_the_database_refuses_a_rating_outside_1_to_5(creator, brand, rating):
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Review._meta.db_table} (creator_id, author_id, rating, text, project_type, client_name,"
            " client_email, is_verified, is_published, hidden_reason, created_at, updated_at)"
            " VALUES (%s, %s, %s, '', '', '', '', false, true, '', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
            [creator.pk, brand.pk, rating],
        )


@pytest.mark.parametrize("rating", [0, 6])
def test_the_database_refuses_an_update_to_a_rating_outside_1_to_5(creator, rating):
    stored = ReviewFactory(creator=creator, rating=3)

    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.filter(pk=stored.pk).update(rating=rating)


@pytest.mark.parametrize("rating", [1, 5])
def test_the_database_takes_1_and_5(creator, rating):
    assert ReviewFactory(creator=creator, rating=rating).pk
