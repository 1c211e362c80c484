"""The public creator page /p/<slug>/: privacy, old slugs, link previews, the Hire button, speed."""

import datetime
import re
from decimal import Decimal
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.tests.factories import AgentFactory, BrandUserFactory, CreatorUserFactory
from creators.models import SlugRedirect, SocialAccount
from creators.services.profiles import creator_change_slug
from creators.tests.factories import (
    MetricsSnapshotFactory,
    PackageFactory,
    ReviewFactory,
    SocialAccountFactory,
    SocialMediaFactory,
)

pytestmark = pytest.mark.django_db

# Profile (with rating subqueries), packages, accounts, snapshots, media, reviews.
PAGE_QUERIES = 6
# The signed-in owner adds the session and the user.
OWNER_PAGE_QUERIES = PAGE_QUERIES + 2


def fill_media_kit(creator: User, n: int, *, accounts: int = 1) -> None:
    """`n` active packages, published reviews, media and daily snapshots (per account) for `creator`."""
    today = timezone.localdate()
    PackageFactory.create_batch(n, creator=creator)
    ReviewFactory.create_batch(n, creator=creator)  # one brand each: a brand leaves one unverified review
    for _ in range(accounts):
        account = SocialAccountFactory(creator=creator)
        for day in range(n):
            MetricsSnapshotFactory(account=account, date=today - datetime.timedelta(days=day), followers=1000 + day)
        SocialMediaFactory.create_batch(n, account=account)


def page_url(creator: User) -> str:
    creator.creator_profile.refresh_from_db()
    return reverse("creator_portfolio", kwargs={"slug": creator.creator_profile.slug})


def meta(html: str, key: str) -> str:
    match = re.search(rf'<meta (?:property|name)="{re.escape(key)}" content="([^"]*)"', html)
    assert match, f"no {key} meta tag"
    return unescape(match.group(1))


@pytest.fixture
def sarah():
    creator = CreatorUserFactory(name="Sarah Johnson")
    profile = creator.creator_profile
    profile.display_name = "Sarah Johnson"
    profile.bio = "Lifestyle and fashion from Los Angeles."
    profile.content_categories = ["lifestyle", "fashion"]
    profile.niches = ["outfit ideas"]
    profile.city, profile.state, profile.country = "Los Angeles", "California", "US"
    profile.min_rate, profile.max_rate, profile.currency = Decimal("500"), Decimal("2500"), "USD"
    profile.save()
    return creator


# --- What the page shows ----------------------------------------------------------------------------
def test_public_page_shows_profile_metrics_chart_media_packages_and_reviews(client, sarah):
    account = SocialAccountFactory(creator=sarah, username="sarahjohnson", followers=245_000, avg_views=38_000,
                                   engagement_rate=Decimal("4.2000"))
    SocialAccountFactory(creator=sarah, self_reported=True, platform="tiktok", username="sarahjstyle",
                         followers=182_000, engagement_rate=0)
    today = timezone.localdate()
    for day in range(30):
        day_date = today - datetime.timedelta(days=day)
        MetricsSnapshotFactory(account=account, date=day_date, followers=245_000 - day * 100)
    SocialMediaFactory(account=account, likes=4200, comments=130, caption="Morning routine",
                       thumbnail_url="https://cdn.example/t.jpg", permalink="https://www.instagram.com/reel/C1/")
    PackageFactory(creator=sarah, title="One reel", price=Decimal("1200.00"))
    PackageFactory(creator=sarah, title="Retired offer", is_active=False)
    ReviewFactory(creator=sarah, rating=5, text="Great reel", client_name="GlowUp Beauty")
    ReviewFactory(creator=sarah, rating=4, text="Good work")
    ReviewFactory(creator=sarah, rating=1, text="Hidden by moderators", is_published=False)

    response = client.get(page_url(sarah))

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1" in html and "Sarah Johnson" in html
    assert "Lifestyle and fashion from Los Angeles." in html
    assert "Lifestyle" in html and "Fashion" in html and "#outfit ideas" in html
    assert "Los Angeles, California, United States" in html
    assert "$500 – $2,500" in html
    assert "245K" in html and "4.2%" in html and "38K" in html
    assert "182K" in html and "Self-reported" in html and "Verified" in html
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart"') == 1  # the OAuth account only
    assert 'loading="lazy"' in html and 'referrerpolicy="no-referrer"' in html
    assert 'src="https://cdn.example/t.jpg"' in html and 'href="https://www.instagram.com/reel/C1/"' in html
    assert "4.2K" in html
    assert "One reel" in html and "$1,200" in html
    assert "Retired offer" not in html
    assert "Great reel" in html and "GlowUp Beauty" in html and "Good work" in html
    assert "Hidden by moderators" not in html
    assert 'aria-label="4.5 out of 5 stars"' in html and "2 reviews" in html


def test_typed_in_handles_are_self_reported_and_link_to_the_platform(client, sarah):
    SocialAccountFactory(creator=sarah, platform="instagram", username="sarahjohnson", followers=245_000)
    SocialAccountFactory(creator=sarah, self_reported=True, platform="youtube", username="SarahTube",
                         followers=52_000, engagement_rate=0)

    html = client.get(page_url(sarah)).content.decode()

    assert html.index("@sarahjohnson") < html.index("@SarahTube")  # connected accounts first
    assert 'href="https://www.youtube.com/@SarahTube"' in html and "52K" in html
    assert "Numbers typed in by Sarah Johnson, not checked with YouTube." in html
    assert "incl. self-reported" in html  # the total mixes typed-in numbers and says so


def test_empty_page_is_honest(client, sarah):
    html = client.get(page_url(sarah)).content.decode()

    assert "No social accounts yet" in html
    assert "No packages yet" in html and "Sarah Johnson hasn't published packages yet." in html
    assert "No reviews yet" in html
    assert "Recent content" not in html


def test_links_from_platform_data_must_be_web_links(client, sarah):
    account = SocialAccountFactory(creator=sarah, profile_url="javascript:alert(1)")
    SocialMediaFactory(account=account, permalink="javascript:alert(2)", thumbnail_url="data:text/html,x")

    html = client.get(page_url(sarah)).content.decode()

    assert "javascript:" not in html and "data:text" not in html
    assert f'href="https://www.instagram.com/{account.username}/"' in html


def test_media_grid_shows_the_newest_posts_across_accounts(client, sarah):
    now = timezone.now()
    instagram = SocialAccountFactory(creator=sarah)
    youtube = SocialAccountFactory(creator=sarah, platform="youtube")
    for hours in range(15):
        posted_at = now - datetime.timedelta(hours=2 * hours)
        SocialMediaFactory(account=instagram, posted_at=posted_at, caption=f"ig {hours}")
    SocialMediaFactory(account=youtube, posted_at=now - datetime.timedelta(hours=1), caption="yt newest")
    SocialMediaFactory(account=youtube, posted_at=now - datetime.timedelta(days=30), caption="yt old")

    html = client.get(page_url(sarah)).content.decode()

    captions = re.findall(r'alt="((?:ig|yt) [^"]+)"', html)
    assert captions[:3] == ["ig 0", "yt newest", "ig 1"]
    assert len(captions) == 12 and "yt old" not in captions


# --- Privacy --------------------------------------------------------------------------------------
@pytest.fixture
def private_creator():
    creator = CreatorUserFactory(name="Quiet Creator", profile_public=False)
    return creator


@pytest.mark.parametrize("viewer", ["anonymous", "brand", "other_creator", "agent"])
def test_private_page_is_not_found_for_everyone_but_the_owner(client, private_creator, viewer):
    factories = {"brand": BrandUserFactory, "other_creator": CreatorUserFactory, "agent": AgentFactory}
    if viewer in factories:
        client.force_login(factories[viewer]())

    response = client.get(page_url(private_creator))

    assert response.status_code == 404
    assert "Quiet Creator" not in response.content.decode()


def test_owner_sees_their_private_page_with_a_banner(client, private_creator):
    client.force_login(private_creator)

    response = client.get(page_url(private_creator))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Only you can see this page." in html
    assert f'href="{reverse("profile_settings")}"' in html
    assert '<meta name="robots" content="noindex, nofollow">' in html


def test_owner_of_a_public_page_gets_share_tools_without_the_private_banner(client, sarah):
    client.force_login(sarah)

    html = client.get(page_url(sarah)).content.decode()

    assert "This is your public page." in html and "Only you can see this page." not in html
    assert f'action="{reverse("creator_change_slug")}"' in html
    assert 'name="robots"' not in html


@pytest.mark.parametrize("status", [User.Status.SUSPENDED, User.Status.BANNED, User.Status.PENDING])
def test_accounts_that_are_not_active_have_no_public_page(client, status):
    creator = CreatorUserFactory(status=status)

    assert client.get(page_url(creator)).status_code == 404


def test_unknown_slug_is_not_found(client):
    assert client.get("/p/nobody-here/").status_code == 404


# --- Slugs ----------------------------------------------------------------------------------------
def test_old_slug_redirects_permanently_to_the_new_one(client, sarah):
    old = sarah.creator_profile.slug
    creator_change_slug(creator=sarah, new_slug="sarah-styles")

    response = client.get(f"/p/{old}/")

    assert response.status_code == 301
    assert response.url == "/p/sarah-styles/"
    assert client.get("/p/sarah-styles/").status_code == 200


def test_every_old_slug_redirects_to_the_current_one(client, sarah):
    first = sarah.creator_profile.slug
    creator_change_slug(creator=sarah, new_slug="second-name")
    creator_change_slug(creator=sarah, new_slug="third-name")

    assert client.get(f"/p/{first}/").url == "/p/third-name/"
    assert client.get("/p/second-name/").url == "/p/third-name/"


def test_uppercase_address_redirects_to_the_lowercase_slug(client, sarah):
    slug = sarah.creator_profile.slug

    response = client.get(f"/p/{slug.upper()}/")

    assert response.status_code == 301 and response.url == f"/p/{slug}/"


def test_old_slug_of_a_private_page_does_not_reveal_the_new_address(client, private_creator):
    old = private_creator.creator_profile.slug
    creator_change_slug(creator=private_creator, new_slug="quiet-new")

    assert client.get(f"/p/{old}/").status_code == 404
    client.force_login(private_creator)
    assert client.get(f"/p/{old}/").url == "/p/quiet-new/"


def test_owner_changes_the_address_from_the_page(client, sarah):
    old = sarah.creator_profile.slug
    client.force_login(sarah)

    response = client.post(reverse("creator_change_slug"), {"slug": "Sarah-Makes", "return_to": "page"}, follow=True)

    assert response.redirect_chain[0] == ("/p/sarah-makes/", 302)
    assert "Your page now lives at /p/sarah-makes/" in response.content.decode()
    assert SlugRedirect.objects.filter(profile=sarah.creator_profile, slug=old).exists()


def test_a_taken_address_is_refused_on_the_page_with_a_message(client, sarah):
    other = CreatorUserFactory()
    old = sarah.creator_profile.slug
    client.force_login(sarah)

    response = client.post(
        reverse("creator_change_slug"), {"slug": other.creator_profile.slug, "return_to": "page"}, follow=True
    )

    assert response.redirect_chain[0] == (f"/p/{old}/", 302)
    assert "That address is taken" in response.content.decode()
    sarah.creator_profile.refresh_from_db()
    assert sarah.creator_profile.slug == old


def test_changing_the_address_needs_sign_in_and_post(client, sarah):
    assert client.post(reverse("creator_change_slug"), {"slug": "new-one"}).status_code == 302
    client.force_login(sarah)
    assert client.get(reverse("creator_change_slug")).status_code == 405
    sarah.creator_profile.refresh_from_db()
    assert sarah.creator_profile.slug != "new-one"


# --- Link previews --------------------------------------------------------------------------------
def test_open_graph_and_twitter_tags_are_present_and_absolute(client, sarah):
    ReviewFactory(creator=sarah, rating=5)
    SocialAccountFactory(creator=sarah, followers=245_000)

    html = client.get(page_url(sarah)).content.decode()

    url = f"http://testserver/p/{sarah.creator_profile.slug}/"
    assert meta(html, "og:title") == "Sarah Johnson · Media kit on Influmojo"
    assert meta(html, "og:url") == url
    assert f'<link rel="canonical" href="{url}">' in html
    assert meta(html, "og:image") == "http://testserver/static/img/og-default.png"
    assert meta(html, "twitter:card") == "summary_large_image"
    assert meta(html, "twitter:image") == meta(html, "og:image")
    description = meta(html, "og:description")
    assert description.startswith("Lifestyle & Fashion creator in Los Angeles. 245K followers on Instagram.")
    assert "Rated 5.0/5 from 1 review." in description and len(description) <= 200
    assert "incl. self-reported" not in html  # the only account is connected


def test_og_image_is_the_avatar_when_there_is_one(client, sarah):
    sarah.avatar = "avatars/sarah.jpg"
    sarah.save(update_fields=["avatar"])

    html = client.get(page_url(sarah)).content.decode()

    assert meta(html, "og:image") == "http://testserver/media/avatars/sarah.jpg"
    assert '<img class="kit-avatar" src="/media/avatars/sarah.jpg"' in html


# --- Hire button per viewer -----------------------------------------------------------------------
def test_anonymous_visitor_is_sent_to_brand_signup_and_back(client, sarah):
    PackageFactory(creator=sarah)
    url = page_url(sarah)

    html = client.get(url).content.decode()

    hire = re.search(r'<a class="btn btn-primary" href="([^"]+)">Hire</a>', html)
    assert hire, "no Hire link"
    target = urlsplit(unescape(hire.group(1)))
    assert target.path == reverse("account_signup")
    assert parse_qs(target.query) == {"as": ["brand"], "next": [url]}


def test_signed_in_brand_adds_a_package_to_the_cart(client, sarah):
    package = PackageFactory(creator=sarah)
    client.force_login(BrandUserFactory())

    html = client.get(page_url(sarah)).content.decode()

    form = re.search(r'<form method="post" action="([^"]+)" class="add-to-cart">(.*?)</form>', html, re.S)
    assert form and form.group(1) == reverse("cart_add")
    assert f'name="package_id" value="{package.pk}"' in form.group(2) and 'name="quantity"' in form.group(2)
    assert f'name="next" value="{page_url(sarah)}#package-{package.pk}"' in form.group(2)
    assert "Checkout opens soon" not in html
    assert reverse("account_signup") not in html.split('id="packages"')[1]


def test_other_creators_cannot_hire(client, sarah):
    PackageFactory(creator=sarah)
    client.force_login(CreatorUserFactory())

    html = client.get(page_url(sarah)).content.decode()

    assert ">Hire<" not in html and "Only brand accounts can hire creators." in html


def test_owner_manages_packages_instead_of_hiring(client, sarah):
    PackageFactory(creator=sarah)
    client.force_login(sarah)

    html = client.get(page_url(sarah)).content.decode()

    assert ">Hire<" not in html and 'href="/creator/packages/"' in html


# --- Speed ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("amount", [1, 25])
def test_public_page_does_a_fixed_number_of_queries(client, sarah, amount, django_assert_num_queries):
    fill_media_kit(sarah, amount, accounts=1 if amount == 1 else 3)
    url = page_url(sarah)

    with django_assert_num_queries(PAGE_QUERIES):
        response = client.get(url)

    assert response.status_code == 200
    assert response.content.decode().count('class="card package"') == amount


@pytest.mark.parametrize("amount", [1, 25])
def test_owner_page_does_a_fixed_number_of_queries(client, sarah, amount, django_assert_num_queries):
    fill_media_kit(sarah, amount)
    url = page_url(sarah)
    client.force_login(sarah)

    with django_assert_num_queries(OWNER_PAGE_QUERIES):
        assert client.get(url).status_code == 200


def test_old_slug_redirect_costs_two_queries(client, sarah, django_assert_num_queries):
    old = sarah.creator_profile.slug
    creator_change_slug(creator=sarah, new_slug="moved-here")

    with django_assert_num_queries(2):
        assert client.get(f"/p/{old}/").status_code == 301


def test_page_history_covers_ninety_days(client, sarah):
    account = SocialAccountFactory(creator=sarah)
    today = timezone.localdate()
    MetricsSnapshotFactory(account=account, date=today - datetime.timedelta(days=200), followers=1)
    MetricsSnapshotFactory(account=account, date=today - datetime.timedelta(days=60), followers=1000)
    MetricsSnapshotFactory(account=account, date=today, followers=2000)

    html = client.get(page_url(sarah)).content.decode()

    chart = re.search(r"<desc>([^<]+)</desc>", html).group(1)
    assert chart.startswith("1K on ") and "2 daily readings" in chart
    assert SocialAccount.objects.get(pk=account.pk).snapshots.count() == 3
