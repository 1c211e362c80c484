from decimal import Decimal

import factory
from django.db import connection

from accounts.tests.factories import BrandUserFactory, CreatorUserFactory
from brands.models import CreatorCard, Shortlist, ShortlistItem, search_vector_expression, size_band_for
from brands.services.cards import name_text_for, name_words_add


class CreatorCardFactory(factory.django.DjangoModelFactory):
    """A discovery row written directly (fast); use brands.services.cards to build one from real data."""

    class Meta:
        model = CreatorCard
        skip_postgeneration_save = True

    creator = factory.SubFactory(CreatorUserFactory)
    listed = True
    slug = factory.Sequence(lambda n: f"creator-{n}")
    display_name = factory.Faker("name")
    usernames = factory.LazyAttribute(lambda card: card.slug.replace("-", "_"))
    name_text = factory.LazyAttribute(lambda card: name_text_for(card.display_name, card.usernames))
    bio = "Lifestyle creator sharing everyday moments."
    categories = factory.LazyFunction(lambda: ["lifestyle"])
    niches = factory.LazyFunction(list)
    languages = factory.LazyFunction(lambda: ["en"])
    platforms = factory.LazyFunction(lambda: ["instagram"])
    primary_platform = "instagram"
    country = "US"
    city = "Austin"
    followers = 50_000
    size_band = factory.LazyAttribute(lambda card: size_band_for(card.followers))
    engagement_rate = Decimal("3.5000")
    engagement_percentile = 50
    avg_views = 10_000
    min_price = Decimal("300.00")
    max_price = Decimal("900.00")
    rating = Decimal("4.50")
    review_count = 4
    availability = "available"
    verified = False
    audience_quality = 60
    audience_quality_confidence = "medium"

    @factory.post_generation
    def search_vector(card, create, extracted, **kwargs):
        if create and connection.vendor == "postgresql":
            CreatorCard.objects.filter(pk=card.pk).update(search_vector=search_vector_expression())
            name_words_add(low=card.pk, high=card.pk + 1)  # as brands.services.cards does for every card it writes


class ShortlistFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Shortlist

    brand = factory.SubFactory(BrandUserFactory)
    name = factory.Sequence(lambda n: f"Spring launch {n}")


class ShortlistItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ShortlistItem

    shortlist = factory.SubFactory(ShortlistFactory)
    creator = factory.SubFactory(CreatorUserFactory)
