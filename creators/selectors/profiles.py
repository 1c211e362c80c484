"""Reads for a creator's public page (media kit), the creator detail API and the creator's dashboard.

Each selector answers in a fixed number of queries whatever the number of packages, reviews, accounts,
snapshots and media: one query for the profile (with review and package aggregates as subqueries) and
one per prefetched relation, the long ones bounded (newest N per account / per creator, 90 days).
"""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts import onboarding
from accounts.models import CreatorProfile, User
from creators.charts import compact_number, followers_chart_svg
from creators.models import (
    CalendarEntry,
    MetricsSnapshot,
    Package,
    Platform,
    Review,
    SlugRedirect,
    SocialAccount,
    SocialMedia,
)
from influmojo.errors import NotFound

HISTORY_DAYS = 90
MEDIA_PER_ACCOUNT = 12
MEDIA_ON_PAGE = 12
REVIEWS_ON_PAGE = 6
REVIEWS_ON_DASHBOARD = 3
PACKAGES_ON_DASHBOARD = 4
UPCOMING_ON_DASHBOARD = 5

NOT_FOUND_MESSAGE = "No creator page at this address."
# Where a typed-in handle lives on its platform (accounts connected by OAuth carry their own URL).
PROFILE_URLS = {
    Platform.INSTAGRAM: "https://www.instagram.com/{}/",
    Platform.YOUTUBE: "https://www.youtube.com/@{}",
    Platform.TIKTOK: "https://www.tiktok.com/@{}",
    Platform.FACEBOOK: "https://www.facebook.com/{}",
    Platform.TWITTER: "https://x.com/{}",
}


def percent_text(value: Decimal | None) -> str:
    """4.2000 → "4.2", 3.25 → "3.25", 5 → "5"; "" when unknown."""
    if value is None:
        return ""
    text = f"{Decimal(value).quantize(Decimal('0.01')):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def web_url(url: str) -> str:
    """The URL if it is http(s); platform data is not trusted to be a link a page may render."""
    return url if url.lower().startswith(("https://", "http://")) else ""


# --- Shapes handed to the page, the API and the dashboard -----------------------------------------
@dataclass(frozen=True)
class Channel:
    """A creator's presence on one platform with its latest numbers and follower history."""

    account_id: int
    platform: str
    username: str
    profile_url: str
    followers: int
    engagement_rate: Decimal | None  # percent; None when unknown
    avg_views: int | None
    verified: bool  # connected by OAuth: the numbers come from the platform
    state: str
    last_synced_at: datetime.datetime | None
    history: list[tuple[datetime.date, int]] = field(default_factory=list)

    @property
    def platform_label(self) -> str:
        return Platform(self.platform).label if self.platform in Platform.values else self.platform.title()

    @property
    def followers_display(self) -> str:
        return compact_number(self.followers)

    @property
    def engagement_display(self) -> str:
        return percent_text(self.engagement_rate)

    @property
    def avg_views_display(self) -> str:
        return compact_number(self.avg_views) if self.avg_views else ""

    @property
    def followers_chart(self) -> str:
        """The follower history as an inline SVG line chart (escaped, safe for templates)."""
        title = f"{self.platform_label} followers, last {HISTORY_DAYS} days"
        return followers_chart_svg(self.history, title=title)

    @property
    def is_stale(self) -> bool:
        """An OAuth account whose token was revoked: its numbers are from the last successful sync."""
        return self.state == SocialAccount.State.DISCONNECTED


@dataclass(frozen=True)
class MediaItem:
    media: SocialMedia
    platform: str

    @property
    def permalink(self) -> str:
        return web_url(self.media.permalink)

    @property
    def thumbnail_url(self) -> str:
        return web_url(self.media.thumbnail_url)

    @property
    def likes_display(self) -> str:
        return compact_number(self.media.likes)

    @property
    def comments_display(self) -> str:
        return compact_number(self.media.comments)

    @property
    def views_display(self) -> str:
        return compact_number(self.media.views) if self.media.views else ""

    @property
    def platform_label(self) -> str:
        return Platform(self.platform).label if self.platform in Platform.values else self.platform.title()


@dataclass(frozen=True)
class RatingSummary:
    average: Decimal | None  # None without published reviews
    count: int

    @property
    def percent(self) -> int:
        """The average as a share of five stars, for a partly filled star bar."""
        return round((self.average or 0) / 5 * 100)


@dataclass(frozen=True)
class AudienceQuality:
    """The discovery card's audience-quality score, with what it was computed from in plain words."""

    score: int
    confidence: str  # low | medium | high
    explanation: str

    @property
    def confidence_label(self) -> str:
        return f"{self.confidence.capitalize()} confidence"


def _audience_quality(profile: CreatorProfile) -> AudienceQuality | None:
    from brands.audience import explain

    card = getattr(profile.user, "card", None)
    if card is None or card.audience_quality is None:
        return None
    return AudienceQuality(
        score=card.audience_quality,
        confidence=card.audience_quality_confidence,
        explanation=explain(card.audience_quality_basis),
    )


@dataclass(frozen=True)
class CreatorPublicProfile:
    profile: CreatorProfile  # .user is loaded
    is_owner: bool
    hidden_reason: str  # "" when the page is public; else why only the owner sees it: "private" | "inactive"
    channels: list[Channel]
    packages: list[Package]
    media: list[MediaItem]
    reviews: list[Review]
    rating: RatingSummary
    audience_quality: AudienceQuality | None = None  # None until the creator's card has a score

    @property
    def user(self) -> User:
        return self.profile.user

    @property
    def is_public(self) -> bool:
        return not self.hidden_reason

    @property
    def display_name(self) -> str:
        return self.profile.display_name or self.user.display_name

    @property
    def initials(self) -> str:
        words = self.display_name.replace(".", " ").replace("_", " ").split()
        return "".join(word[0] for word in words[:2]).upper() or "?"

    @property
    def total_followers(self) -> int:
        return sum(channel.followers for channel in self.channels)

    @property
    def total_followers_display(self) -> str:
        return compact_number(self.total_followers)

    @property
    def has_self_reported(self) -> bool:
        return any(not channel.verified for channel in self.channels)

    @property
    def engagement_rate(self) -> Decimal | None:
        """Engagement across accounts that report it, weighted by their followers."""
        known = [channel for channel in self.channels if channel.engagement_rate is not None and channel.followers]
        followers = sum(channel.followers for channel in known)
        if not followers:
            return None
        weighted = sum(channel.engagement_rate * channel.followers for channel in known) / followers
        return weighted.quantize(Decimal("0.01"))

    @property
    def engagement_display(self) -> str:
        return percent_text(self.engagement_rate)

    @property
    def categories(self) -> list[tuple[str, str]]:
        return [(code, onboarding.CONTENT_CATEGORIES.get(code, code)) for code in self.profile.content_categories]

    @property
    def languages(self) -> list[str]:
        return [onboarding.CONTENT_LANGUAGES.get(code, code) for code in self.profile.languages]

    @property
    def location(self) -> str:
        country = onboarding.COUNTRIES.get(self.profile.country, self.profile.country)
        return ", ".join(part for part in (self.profile.city, self.profile.state, country) if part)


@dataclass(frozen=True)
class SlugMoved:
    """The slug asked for is an old one: the page now lives at `slug` (answer with a 301)."""

    slug: str


@dataclass(frozen=True)
class CreatorDashboard:
    profile: CreatorProfile | None
    package_count: int
    active_package_count: int
    active_packages: list[Package]
    channels: list[Channel]
    upcoming: list[CalendarEntry]
    reviews: list[Review]
    rating: RatingSummary


# --- Query building blocks --------------------------------------------------------------------------
def _published_reviews(creator_ref):
    return Review.objects.filter(creator=creator_ref, is_published=True).order_by().values("creator")


def _with_rating(queryset):
    """Annotates review_count and review_average over published reviews (subqueries: no extra query)."""
    reviews = _published_reviews(OuterRef("user_id"))
    return queryset.annotate(
        review_count=Coalesce(Subquery(reviews.annotate(n=Count("id")).values("n")), Value(0)),
        review_average=Subquery(reviews.annotate(avg=Avg("rating")).values("avg")),
    )


def _accounts_prefetch(*, with_media: bool) -> Prefetch:
    since = timezone.localdate() - datetime.timedelta(days=HISTORY_DAYS)
    related = [
        Prefetch(
            "snapshots",
            queryset=MetricsSnapshot.objects.filter(date__gte=since).only("id", "account_id", "date", "followers"),
            to_attr="recent_snapshots",
        )
    ]
    if with_media:
        related.append(
            Prefetch(
                "media",
                # Sliced prefetch: Django limits each account to its newest N with a window function.
                queryset=SocialMedia.objects.order_by("-posted_at", "-id")[:MEDIA_PER_ACCOUNT],
                to_attr="recent_media",
            )
        )
    accounts = SocialAccount.objects.defer("access_token", "refresh_token", "scopes").prefetch_related(*related)
    return Prefetch("user__social_accounts", queryset=accounts, to_attr="accounts")


def _reviews_prefetch(limit: int) -> Prefetch:
    reviews = (
        Review.objects.filter(is_published=True)
        .select_related("author__brand_profile")
        .order_by("-created_at", "-id")[:limit]
    )
    return Prefetch("user__reviews_received", queryset=reviews, to_attr="recent_reviews")


def reviewer_name(review: Review) -> str:
    """Who left the review as the page shows it: the client named on it, else the author's company."""
    if review.client_name:
        return review.client_name
    brand_profile = getattr(review.author, "brand_profile", None) if review.author_id else None
    return brand_profile.company_name if brand_profile else ""


def _reviews(profile: CreatorProfile) -> list[Review]:
    reviews = list(profile.user.recent_reviews)
    for review in reviews:
        review.reviewer_name = reviewer_name(review)
    return reviews


def _rating(profile: CreatorProfile) -> RatingSummary:
    average = profile.review_average
    if average is not None:
        average = Decimal(str(average)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return RatingSummary(average=average, count=profile.review_count or 0)


def _channel(account: SocialAccount) -> Channel:
    self_reported = account.source == SocialAccount.Source.SELF_REPORTED
    return Channel(
        account_id=account.pk,
        platform=account.platform,
        username=account.username,
        profile_url=web_url(account.profile_url) or PROFILE_URLS.get(account.platform, "").format(account.username),
        followers=account.followers,
        # A typed-in account has no measured engagement or views: 0 there means "not given".
        engagement_rate=None if self_reported and not account.engagement_rate else account.engagement_rate,
        avg_views=None if self_reported and not account.avg_views else account.avg_views,
        verified=account.is_verified,
        state=account.state,
        last_synced_at=account.last_synced_at,
        history=[(snapshot.date, snapshot.followers) for snapshot in account.recent_snapshots],
    )


def _channels(profile: CreatorProfile) -> list[Channel]:
    """Connected accounts first, then self-reported ones; the biggest first within each."""
    channels = [_channel(account) for account in profile.user.accounts]
    return sorted(channels, key=lambda channel: (not channel.verified, -channel.followers, channel.platform))


def _media(profile: CreatorProfile) -> list[MediaItem]:
    items = [
        MediaItem(media=media, platform=account.platform)
        for account in profile.user.accounts
        for media in account.recent_media
    ]
    items.sort(key=lambda item: (item.media.posted_at, item.media.pk), reverse=True)
    return items[:MEDIA_ON_PAGE]


def _hidden_reason(user: User) -> str:
    if user.status != User.Status.ACTIVE:
        return "inactive"
    if not user.profile_public:
        return "private"
    return ""


def _is_owner(viewer, profile: CreatorProfile) -> bool:
    return bool(viewer is not None and viewer.is_authenticated and viewer.pk == profile.user_id)


# --- Selectors --------------------------------------------------------------------------------------
def creator_public_profile(
    *, slug: str | None = None, creator_id: int | None = None, viewer=None
) -> CreatorPublicProfile | SlugMoved:
    """A creator's media kit by page slug or by user id, as `viewer` may see it.

    Private profiles and accounts that are not active raise NotFound for everyone but their owner.
    An old slug answers SlugMoved with the current one (only where the page itself could be seen).
    Queries: 6 whatever the amounts; 2 for an old slug (the miss, then the redirect).
    """
    if (slug is None) == (creator_id is None):
        raise ValueError("pass exactly one of slug and creator_id")
    profiles = (
        _with_rating(CreatorProfile.objects.select_related("user", "user__card"))
        .filter(user__user_type=User.UserType.CREATOR)
        .prefetch_related(
            Prefetch("user__packages", queryset=Package.objects.filter(is_active=True), to_attr="active_packages"),
            _accounts_prefetch(with_media=True),
            _reviews_prefetch(REVIEWS_ON_PAGE),
        )
    )
    lookup = {"slug": slug} if slug is not None else {"user_id": creator_id}
    profile = profiles.filter(**lookup).first()
    if profile is None:
        if slug is None:
            raise NotFound(NOT_FOUND_MESSAGE)
        return _moved(slug=slug, viewer=viewer)

    is_owner = _is_owner(viewer, profile)
    hidden_reason = _hidden_reason(profile.user)
    if hidden_reason and not is_owner:
        raise NotFound(NOT_FOUND_MESSAGE)
    return CreatorPublicProfile(
        profile=profile,
        is_owner=is_owner,
        hidden_reason=hidden_reason,
        channels=_channels(profile),
        packages=list(profile.user.active_packages),
        media=_media(profile),
        reviews=_reviews(profile),
        rating=_rating(profile),
        audience_quality=_audience_quality(profile),
    )


def _moved(*, slug: str, viewer) -> SlugMoved:
    redirect = SlugRedirect.objects.select_related("profile__user").filter(slug=slug).first()
    if redirect is None:
        raise NotFound(NOT_FOUND_MESSAGE)
    profile = redirect.profile
    if _hidden_reason(profile.user) and not _is_owner(viewer, profile):
        raise NotFound(NOT_FOUND_MESSAGE)  # an old address must not reveal where a private page went
    return SlugMoved(slug=profile.slug)


def creator_dashboard(*, creator: User) -> CreatorDashboard:
    """What the creator's dashboard shows about their business, in 6 queries whatever the amounts."""
    today = timezone.localdate()
    package_counts = Package.objects.filter(creator=OuterRef("user_id")).order_by().values("creator")
    profile = (
        _with_rating(CreatorProfile.objects.select_related("user"))
        .annotate(
            package_count=Coalesce(Subquery(package_counts.annotate(n=Count("id")).values("n")), Value(0)),
            active_package_count=Coalesce(
                Subquery(package_counts.annotate(n=Count("id", filter=Q(is_active=True))).values("n")), Value(0)
            ),
        )
        .prefetch_related(
            Prefetch(
                "user__packages",
                queryset=Package.objects.filter(is_active=True)[:PACKAGES_ON_DASHBOARD],
                to_attr="active_packages",
            ),
            _accounts_prefetch(with_media=False),
            Prefetch(
                "user__calendar_entries",
                queryset=CalendarEntry.objects.filter(date__gte=today, status=CalendarEntry.Status.PENDING)[
                    :UPCOMING_ON_DASHBOARD
                ],
                to_attr="upcoming",
            ),
            _reviews_prefetch(REVIEWS_ON_DASHBOARD),
        )
        .filter(user=creator)
        .first()
    )
    if profile is None:
        return CreatorDashboard(None, 0, 0, [], [], [], [], RatingSummary(None, 0))
    return CreatorDashboard(
        profile=profile,
        package_count=profile.package_count,
        active_package_count=profile.active_package_count,
        active_packages=list(profile.user.active_packages),
        channels=_channels(profile),
        upcoming=list(profile.user.upcoming),
        reviews=_reviews(profile),
        rating=_rating(profile),
    )


def slug_in_use(slug: str) -> bool:
    """Taken by a current page or kept as an old address that still redirects."""
    return CreatorProfile.objects.filter(slug=slug).exists() or SlugRedirect.objects.filter(slug=slug).exists()
