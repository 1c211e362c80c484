"""The creator's dashboard: packages, accounts with a chart, upcoming calendar, latest reviews, page address."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import CreatorUserFactory
from creators.models import CalendarEntry
from creators.selectors.profiles import creator_dashboard
from creators.tests.factories import (
    CalendarEntryFactory,
    MetricsSnapshotFactory,
    PackageFactory,
    ReviewFactory,
    SocialAccountFactory,
)
from creators.tests.test_portfolio import fill_media_kit

pytestmark = pytest.mark.django_db

# Session and user, then the selector: profile (with counts and rating), packages, accounts, snapshots,
# calendar entries, reviews; then the Orders card's counts (orders.selectors.summary; no orders here); then the
# Earnings card (payments.selectors.creator_earnings: payable lines, held escrows, payout account, blocked payouts).
DASHBOARD_QUERIES = 2 + 6 + 1 + 4


def dashboard(client, creator) -> str:
    client.force_login(creator)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    return response.content.decode()


def test_without_data_the_dashboard_keeps_honest_empty_states(client, creator):
    html = dashboard(client, creator)

    for empty in ("No packages yet", "No accounts connected", "Nothing scheduled", "No reviews yet", "No earnings yet"):
        assert empty in html
    assert f'href="/p/{creator.creator_profile.slug}/"' in html
    assert 'href="/creator/packages/"' in html and 'href="/creator/calendar/"' in html
    assert 'href="/creator/social/"' in html and "Connect an account" in html


def test_with_data_the_dashboard_shows_the_business(client, creator):
    today = timezone.localdate()
    PackageFactory(creator=creator, title="Reel + 3 stories", price=Decimal("1200"))
    PackageFactory(creator=creator, title="Old offer", is_active=False)
    account = SocialAccountFactory(creator=creator, followers=245_000)
    for day in range(10):
        MetricsSnapshotFactory(account=account, date=today - datetime.timedelta(days=day), followers=245_000 - day)
    CalendarEntryFactory(creator=creator, title="Shoot for GlowUp", date=today + datetime.timedelta(days=2))
    ReviewFactory(creator=creator, rating=4, text="Lovely to work with")

    html = dashboard(client, creator)

    assert "1 of 2 packages on sale" in html
    assert "Reel + 3 stories" in html and "$1,200" in html and "Old offer" not in html
    assert "245K" in html and 'class="chart"' in html
    assert "Shoot for GlowUp" in html and "Studio 4, Brooklyn" in html
    assert "Lovely to work with" in html and 'aria-label="4.0 out of 5 stars"' in html
    for empty in ("No packages yet", "No accounts connected", "Nothing scheduled", "No reviews yet"):
        assert empty not in html


def test_upcoming_lists_the_next_five_pending_entries():
    creator = CreatorUserFactory()
    today = timezone.localdate()
    CalendarEntryFactory(creator=creator, title="Yesterday", date=today - datetime.timedelta(days=1))
    CalendarEntryFactory(creator=creator, title="Done", date=today, status=CalendarEntry.Status.COMPLETED)
    for day in range(7):
        CalendarEntryFactory(creator=creator, title=f"Day {day}", date=today + datetime.timedelta(days=day))
    CalendarEntryFactory(creator=CreatorUserFactory(), title="Someone else's", date=today)

    business = creator_dashboard(creator=creator)

    assert [entry.title for entry in business.upcoming] == [f"Day {day}" for day in range(5)]


def test_latest_three_published_reviews_and_the_average():
    creator = CreatorUserFactory()
    for rating in (5, 4, 3, 5):
        ReviewFactory(creator=creator, rating=rating, text=f"rated {rating}")
    ReviewFactory(creator=creator, rating=1, is_published=False, text="hidden")

    business = creator_dashboard(creator=creator)

    assert [review.text for review in business.reviews] == ["rated 5", "rated 3", "rated 4"]
    assert business.rating.count == 4 and business.rating.average == Decimal("4.3")


def test_package_counts_include_inactive_ones_and_the_list_is_bounded():
    creator = CreatorUserFactory()
    for price in range(1, 8):
        PackageFactory(creator=creator, price=Decimal(price * 100))
    PackageFactory(creator=creator, is_active=False)

    business = creator_dashboard(creator=creator)

    assert (business.package_count, business.active_package_count) == (8, 7)
    assert [package.price for package in business.active_packages] == [Decimal(p * 100) for p in range(1, 5)]


def test_private_profile_is_flagged_on_the_dashboard(client):
    creator = CreatorUserFactory(profile_public=False)

    html = dashboard(client, creator)

    assert "Private" in html and "Only you can see it." in html


@pytest.mark.parametrize("amount", [1, 25])
def test_dashboard_does_a_fixed_number_of_queries(client, creator, amount, django_assert_num_queries):
    fill_media_kit(creator, amount, accounts=1 if amount == 1 else 3)
    today = timezone.localdate()
    for day in range(amount):
        CalendarEntryFactory(creator=creator, date=today + datetime.timedelta(days=day))
    client.force_login(creator)

    with django_assert_num_queries(DASHBOARD_QUERIES):
        response = client.get(reverse("dashboard"))

    assert response.status_code == 200


# --- Page address form ----------------------------------------------------------------------------
def test_creator_changes_the_page_address_from_the_dashboard(client, creator):
    client.force_login(creator)

    response = client.post(reverse("creator_change_slug"), {"slug": "my-new-page"}, follow=True)

    assert response.redirect_chain == [(reverse("dashboard"), 302)]
    html = response.content.decode()
    assert "Your page now lives at /p/my-new-page/" in html
    assert 'value="my-new-page"' in html


def test_a_malformed_address_is_explained(client, creator):
    old = creator.creator_profile.slug
    client.force_login(creator)

    response = client.post(reverse("creator_change_slug"), {"slug": "No Spaces!"}, follow=True)

    assert response.redirect_chain == [(reverse("dashboard"), 302)]
    assert "lowercase letters, digits and single dashes" in response.content.decode()
    creator.creator_profile.refresh_from_db()
    assert creator.creator_profile.slug == old
