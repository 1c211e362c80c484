from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q

from creators.models import Platform


class SizeBand(models.TextChoices):
    """Follower bands (total reach over a creator's accounts); engagement is compared within a band."""

    NANO = "nano", "Nano (under 10K)"
    MICRO = "micro", "Micro (10K–100K)"
    MID = "mid", "Mid-tier (100K–500K)"
    MACRO = "macro", "Macro (500K–1M)"
    MEGA = "mega", "Mega (1M+)"


SIZE_BAND_FLOORS = [(SizeBand.MEGA, 1_000_000), (SizeBand.MACRO, 500_000), (SizeBand.MID, 100_000),
                    (SizeBand.MICRO, 10_000), (SizeBand.NANO, 0)]


def size_band_for(followers: int) -> str:
    return next(band for band, floor in SIZE_BAND_FLOORS if followers >= floor)


DISPLAY_NAME_CHARS = 150


class CreatorCard(models.Model):
    """One row per creator holding everything discovery reads: search text, filters, ordering, match inputs.

    Written only by brands.services.cards (from the creator's profile, accounts, packages and reviews);
    never edited by hand. Search, facets and match ranking read this one narrow table, so they run on its
    indexes instead of joining five tables for a million creators. The PostgreSQL-only indexes (GIN on the
    search vector, trigram on names, jsonb containment) are created in migration 0001, the one GIN index over
    text and filters together in 0004 and, for cards of 100K+ followers, in 0005; typo search also reads
    NameWord (0003).
    """

    creator = models.OneToOneField(
        settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="card"
    )
    listed = models.BooleanField(default=False, help_text="Active account with a public profile")
    slug = models.CharField(max_length=80)
    display_name = models.CharField(max_length=DISPLAY_NAME_CHARS)
    usernames = models.CharField(max_length=500, blank=True, help_text="Social handles, space-separated")
    name_text = models.CharField(max_length=700, blank=True, help_text="Lower-cased name + handles (trigram)")
    bio = models.TextField(blank=True)
    avatar = models.CharField(max_length=300, blank=True)
    categories = models.JSONField(default=list, blank=True)
    niches = models.JSONField(default=list, blank=True)  # lower-cased
    languages = models.JSONField(default=list, blank=True)
    platforms = models.JSONField(default=list, blank=True)
    country = models.CharField(max_length=2, blank=True)
    city = models.CharField(max_length=100, blank=True)
    followers = models.PositiveBigIntegerField(default=0, help_text="Sum over the creator's accounts")
    primary_platform = models.CharField(max_length=12, choices=Platform.choices, blank=True)
    size_band = models.CharField(max_length=5, choices=SizeBand.choices, default=SizeBand.NANO)
    engagement_rate = models.DecimalField(max_digits=7, decimal_places=4, default=0, help_text="percent")
    engagement_percentile = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="0–100 among creators of the same platform and size band"
    )
    avg_views = models.PositiveBigIntegerField(default=0)
    min_price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    max_price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, default="USD")
    rating = models.DecimalField(max_digits=3, decimal_places=2, default=0)
    review_count = models.PositiveIntegerField(default=0)
    total_collaborations = models.PositiveIntegerField(default=0)
    availability = models.CharField(max_length=12, default="available")
    verified = models.BooleanField(default=False, help_text="Identity checked or at least one OAuth account")
    audience_quality = models.PositiveSmallIntegerField(null=True, blank=True, help_text="0–100")
    audience_quality_confidence = models.CharField(max_length=6, blank=True)  # low | medium | high
    audience_quality_basis = models.JSONField(default=dict, blank=True)  # the inputs, shown on profiles
    reliability = models.PositiveSmallIntegerField(default=50, help_text="0–100")
    search_vector = SearchVectorField(null=True, blank=True)  # PostgreSQL only; SQLite matches text
    refreshed_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["-followers", "-creator"], condition=Q(listed=True), name="card_followers"),
            models.Index(fields=["-engagement_rate", "-creator"], condition=Q(listed=True), name="card_engagement"),
            models.Index(fields=["min_price", "creator"], condition=Q(listed=True), name="card_price"),
            models.Index(fields=["-rating", "-creator"], condition=Q(listed=True), name="card_rating"),
            models.Index(fields=["country", "-followers"], condition=Q(listed=True), name="card_country"),
            models.Index(fields=["primary_platform", "size_band"], name="card_platform_band"),
        ]

    def __str__(self):
        return self.display_name


class NameWord(models.Model):
    """A word of some creator's display name, as PostgreSQL's "simple" text-search parser reads it (lower-cased,
    unstemmed): the short list typo search finds close words in (pg_trgm's recommended way to correct spelling,
    since a million names hold only thousands of distinct words), before it matches cards on those words.

    PostgreSQL only, kept by brands.services.cards whenever a card is written: it never lacks a word of a
    card's name. A word no card has any more can stay; it matches no card. The trigram index on `word` is
    created in migration 0003.
    """

    word = models.CharField(max_length=DISPLAY_NAME_CHARS, primary_key=True)

    def __str__(self):
        return self.word


class EngagementBenchmark(models.Model):
    """Engagement distribution of listed creators per primary platform and size band, recomputed nightly."""

    platform = models.CharField(max_length=12, choices=Platform.choices)
    size_band = models.CharField(max_length=5, choices=SizeBand.choices)
    creators = models.PositiveIntegerField(default=0)
    median = models.DecimalField(max_digits=7, decimal_places=4, default=0)
    cut_points = models.JSONField(default=list, help_text="Engagement at percentiles 1..99 (99 values)")
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["platform", "size_band"], name="benchmark_per_band")]


class FacetSummary(models.Model):
    """Exact facet counts over every listed card: the answer to discovery's facets without any filter (the
    discovery page's first view, the same for every brand). Counted in full by a beat job every
    DISCOVERY_FACET_SUMMARY_SECONDS (brands.tasks.refresh_facet_summary, ~3 s at 1M cards), so that view shows
    exact counts read from one row instead of estimates from a block sample per request; one older than three
    periods is not used (see brands.selectors.discovery). One row (pk 1), written only by
    brands.services.facets."""

    counts = models.JSONField(default=dict, help_text="{facet: {value: count}}, as discovery counts them")
    total = models.PositiveIntegerField(default=0, help_text="Listed creators counted")
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "facet summary"

    def __str__(self):
        return f"{self.total:,} listed creators, counted {self.computed_at:%Y-%m-%d %H:%M}"


class Shortlist(models.Model):
    """A brand's named list of creators; every brand has a default "Saved" list for one-click saves."""

    brand = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shortlists")
    name = models.CharField(max_length=100)
    is_default = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-is_default", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["brand", "name"], name="shortlist_name_per_brand"),
            models.UniqueConstraint(fields=["brand"], condition=Q(is_default=True), name="shortlist_one_default"),
        ]

    def __str__(self):
        return self.name


class ShortlistItem(models.Model):
    shortlist = models.ForeignKey(Shortlist, on_delete=models.CASCADE, related_name="items")
    creator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    note = models.TextField(blank=True, max_length=2000)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-added_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["shortlist", "creator"], name="shortlist_item_unique")]


def search_vector_expression():
    """The card's weighted search document (PostgreSQL): A name and handles, B categories and niches, C bio.

    Written by brands.services.cards with `.update(search_vector=search_vector_expression())`; queries
    use the same "english" configuration so "reviews" finds "review".
    """
    from django.contrib.postgres.search import SearchVector
    from django.db.models import TextField
    from django.db.models.functions import Cast

    return (
        SearchVector("display_name", "usernames", weight="A", config="english")
        + SearchVector(Cast("categories", TextField()), Cast("niches", TextField()), weight="B", config="english")
        + SearchVector("bio", weight="C", config="english")
    )
