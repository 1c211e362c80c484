import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.tests.factories import BrandUserFactory, CreatorUserFactory
from creators.models import (
    CalendarEntry,
    ContentType,
    MetricsSnapshot,
    Package,
    Platform,
    Review,
    SocialAccount,
    SocialMedia,
)


class PackageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Package

    creator = factory.SubFactory(CreatorUserFactory)
    title = factory.Sequence(lambda n: f"Instagram reel #{n}")
    platform = Platform.INSTAGRAM
    content_type = ContentType.REEL
    quantity = 1
    revisions = 2
    duration_days = 7
    price = Decimal("500.00")
    currency = "USD"


class SocialAccountFactory(factory.django.DjangoModelFactory):
    """A connected (OAuth) account with tokens; use `self_reported=True` trait for typed-in handles."""

    class Meta:
        model = SocialAccount

    creator = factory.SubFactory(CreatorUserFactory)
    platform = Platform.INSTAGRAM
    source = SocialAccount.Source.OAUTH
    state = SocialAccount.State.CONNECTED
    platform_user_id = factory.Sequence(lambda n: f"1784140{n:08d}")
    username = factory.Sequence(lambda n: f"creator_{n}")
    access_token = factory.Sequence(lambda n: f"EAAGm0PX4ZCpsBA-access-{n}")
    refresh_token = ""
    token_expires_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=50))
    followers = 125_000
    following = 310
    posts = 420
    engagement_rate = Decimal("3.2500")

    class Params:
        self_reported = factory.Trait(
            source=SocialAccount.Source.SELF_REPORTED,
            state=SocialAccount.State.SELF_REPORTED,
            platform_user_id="",
            access_token="",
            token_expires_at=None,
        )


class MetricsSnapshotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MetricsSnapshot

    account = factory.SubFactory(SocialAccountFactory)
    date = factory.Sequence(lambda n: datetime.date(2026, 1, 1) + datetime.timedelta(days=n))
    followers = 120_000
    engagement_rate = Decimal("3.1000")


class SocialMediaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SocialMedia

    account = factory.SubFactory(SocialAccountFactory)
    platform_media_id = factory.Sequence(lambda n: f"1790{n:010d}")
    media_type = "VIDEO"
    caption = "Morning routine"
    thumbnail_url = factory.Sequence(lambda n: f"https://scontent.cdninstagram.com/v/t51/{n}.jpg")
    permalink = factory.Sequence(lambda n: f"https://www.instagram.com/reel/C{n:08d}/")
    likes = 4200
    comments = 130
    posted_at = factory.LazyFunction(timezone.now)


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review

    creator = factory.SubFactory(CreatorUserFactory)
    author = factory.SubFactory(BrandUserFactory)
    rating = 5
    text = "Delivered on time and the reel performed well."
    project_type = "Instagram reel"
    client_name = "GlowUp Beauty"


class CalendarEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CalendarEntry

    creator = factory.SubFactory(CreatorUserFactory)
    kind = CalendarEntry.Kind.SHOOT
    title = "Product shoot"
    brand_name = "GlowUp Beauty"
    date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=3))
    time = datetime.time(10, 0)
    location = "Studio 4, Brooklyn"
