from django.conf import settings
from django.db import models
from django.db.models import Q

from influmojo.fields import EncryptedTextField
from influmojo.models import TimeStamped


class Platform(models.TextChoices):
    INSTAGRAM = "instagram", "Instagram"
    YOUTUBE = "youtube", "YouTube"
    TIKTOK = "tiktok", "TikTok"
    FACEBOOK = "facebook", "Facebook"
    TWITTER = "twitter", "X (Twitter)"


class ContentType(models.TextChoices):
    REEL = "reel", "Reel"
    STORY = "story", "Story"
    FEED_POST = "feed_post", "Feed post"
    CAROUSEL = "carousel", "Carousel"
    VIDEO = "video", "Video"
    SHORT = "short", "Short"
    LIVE = "live", "Live stream"
    POST = "post", "Post"


class Package(TimeStamped):
    """A fixed offer a creator sells: e.g. "1 Instagram reel + 2 revisions, 7 days, $800"."""

    creator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="packages")
    title = models.CharField(max_length=120)
    platform = models.CharField(max_length=12, choices=Platform.choices)
    content_type = models.CharField(max_length=12, choices=ContentType.choices)
    quantity = models.PositiveSmallIntegerField(default=1)
    revisions = models.PositiveSmallIntegerField(default=1)
    duration_days = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Delivery time in days")
    price = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3, default="USD")
    description = models.TextField(blank=True, max_length=4000)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["price", "id"]
        indexes = [models.Index(fields=["creator", "is_active"])]
        constraints = [
            models.CheckConstraint(condition=Q(price__gt=0), name="package_price_positive"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="package_quantity_at_least_one"),
        ]

    def __str__(self):
        return self.title


class SocialAccount(TimeStamped):
    """A creator's presence on one platform: connected by OAuth (verified) or typed in (self-reported)."""

    class Source(models.TextChoices):
        OAUTH = "oauth"
        SELF_REPORTED = "self_reported"

    class State(models.TextChoices):
        CONNECTED = "connected"
        DISCONNECTED = "disconnected"  # the token was revoked or expired beyond refresh
        SELF_REPORTED = "self_reported"

    class SyncStatus(models.TextChoices):
        IDLE = "idle"
        QUEUED = "queued"
        RUNNING = "running"
        FAILED = "failed"

    creator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="social_accounts")
    platform = models.CharField(max_length=12, choices=Platform.choices)
    source = models.CharField(max_length=14, choices=Source.choices)
    state = models.CharField(max_length=14, choices=State.choices)
    platform_user_id = models.CharField(max_length=64, blank=True)
    username = models.CharField(max_length=100)
    display_name = models.CharField(max_length=150, blank=True)
    profile_url = models.URLField(blank=True, max_length=500)
    avatar_url = models.URLField(blank=True, max_length=1000)
    # Secrets: ciphertext in the database, never serialized, never logged, hidden in the admin.
    access_token = EncryptedTextField(blank=True)
    refresh_token = EncryptedTextField(blank=True)
    token_expires_at = models.DateTimeField(null=True, blank=True)
    scopes = models.CharField(max_length=500, blank=True)
    # Latest numbers (copied from the newest snapshot) so lists and discovery read one row.
    followers = models.PositiveBigIntegerField(default=0)
    following = models.PositiveBigIntegerField(default=0)
    posts = models.PositiveIntegerField(default=0)
    avg_views = models.PositiveBigIntegerField(default=0)
    avg_likes = models.PositiveBigIntegerField(default=0)
    avg_comments = models.PositiveBigIntegerField(default=0)
    engagement_rate = models.DecimalField(max_digits=7, decimal_places=4, default=0, help_text="percent")
    sync_status = models.CharField(max_length=10, choices=SyncStatus.choices, default=SyncStatus.IDLE)
    last_synced_at = models.DateTimeField(null=True, blank=True)
    last_sync_error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["platform", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "platform_user_id"],
                condition=Q(source="oauth"),
                name="social_account_oauth_unique",
            ),
            models.UniqueConstraint(
                fields=["creator", "platform", "username"], name="social_account_creator_handle_unique"
            ),
            models.UniqueConstraint(
                fields=["creator", "platform"],
                condition=Q(source="self_reported"),
                name="social_account_one_self_reported_per_platform",
            ),
        ]
        indexes = [models.Index(fields=["state", "last_synced_at"])]

    def __str__(self):
        return f"{self.get_platform_display()} @{self.username}"

    @property
    def is_verified(self) -> bool:
        return self.source == self.Source.OAUTH


class MetricsSnapshot(models.Model):
    """One day's numbers for an account; profiles chart history from these without calling platforms."""

    account = models.ForeignKey(SocialAccount, on_delete=models.CASCADE, related_name="snapshots")
    date = models.DateField()
    followers = models.PositiveBigIntegerField(default=0)
    following = models.PositiveBigIntegerField(default=0)
    posts = models.PositiveIntegerField(default=0)
    avg_views = models.PositiveBigIntegerField(default=0)
    avg_likes = models.PositiveBigIntegerField(default=0)
    avg_comments = models.PositiveBigIntegerField(default=0)
    engagement_rate = models.DecimalField(max_digits=7, decimal_places=4, default=0)

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["account", "date"], name="snapshot_one_per_day")]


class SocialMedia(models.Model):
    """A recent post/video as the platform reported it at the last sync."""

    account = models.ForeignKey(SocialAccount, on_delete=models.CASCADE, related_name="media")
    platform_media_id = models.CharField(max_length=64)
    media_type = models.CharField(max_length=30, blank=True)
    caption = models.TextField(blank=True)
    thumbnail_url = models.URLField(blank=True, max_length=1000)
    permalink = models.URLField(blank=True, max_length=1000)
    likes = models.PositiveBigIntegerField(default=0)
    comments = models.PositiveBigIntegerField(default=0)
    views = models.PositiveBigIntegerField(null=True, blank=True)
    posted_at = models.DateTimeField()

    class Meta:
        ordering = ["-posted_at"]
        constraints = [
            models.UniqueConstraint(fields=["account", "platform_media_id"], name="social_media_unique_per_account")
        ]


class SocialActivity(models.Model):
    """Every connect / sync / token refresh / disconnect attempt, with secrets removed from payloads."""

    class Status(models.TextChoices):
        SUCCESS = "success"
        FAILED = "failed"

    creator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="social_activity")
    account = models.ForeignKey(
        SocialAccount, null=True, blank=True, on_delete=models.SET_NULL, related_name="activity"
    )
    platform = models.CharField(max_length=12, choices=Platform.choices)
    action = models.CharField(max_length=20)  # connect | sync | refresh_token | disconnect
    status = models.CharField(max_length=10, choices=Status.choices)
    message = models.CharField(max_length=500, blank=True)
    request_payload = models.JSONField(default=dict, blank=True)
    response_payload = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "social activity"


class Review(TimeStamped):
    creator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviews_received")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="reviews_written"
    )
    order_id = models.BigIntegerField(null=True, blank=True, unique=True, help_text="set when left after an order")
    rating = models.PositiveSmallIntegerField()
    text = models.TextField(max_length=4000, blank=True)
    project_type = models.CharField(max_length=100, blank=True)
    client_name = models.CharField(max_length=150, blank=True)
    client_email = models.EmailField(blank=True)
    is_verified = models.BooleanField(default=False)  # left by a brand after a completed order
    is_published = models.BooleanField(default=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    hidden_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["creator", "is_published"])]
        constraints = [
            models.CheckConstraint(condition=Q(rating__gte=1) & Q(rating__lte=5), name="review_rating_1_to_5"),
            models.UniqueConstraint(
                fields=["creator", "author"],
                condition=Q(order_id__isnull=True),
                name="review_one_unverified_per_brand_and_creator",
            ),
        ]


class CalendarEntry(TimeStamped):
    class Kind(models.TextChoices):
        SHOOT = "shoot"
        UPLOAD = "upload"

    class Status(models.TextChoices):
        PENDING = "pending"
        COMPLETED = "completed"

    creator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_entries")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    title = models.CharField(max_length=150)
    brand_name = models.CharField(max_length=150, blank=True)
    campaign_name = models.CharField(max_length=150, blank=True)
    date = models.DateField()
    time = models.TimeField(null=True, blank=True)
    location = models.CharField(max_length=200, blank=True)  # shoots
    platform = models.CharField(max_length=12, choices=Platform.choices, blank=True)  # uploads
    content_type = models.CharField(max_length=12, choices=ContentType.choices, blank=True)  # uploads
    notes = models.TextField(blank=True, max_length=2000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)

    class Meta:
        ordering = ["date", "time", "id"]
        indexes = [models.Index(fields=["creator", "date"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="shoot") | ~Q(location=""), name="calendar_shoot_has_location"
            ),
            models.CheckConstraint(
                condition=~Q(kind="upload") | (~Q(platform="") & ~Q(content_type="")),
                name="calendar_upload_has_platform_and_type",
            ),
        ]


class CalendarFeed(models.Model):
    """The secret URL of a creator's ICS feed; regenerating the token revokes the old URL."""

    creator = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed")
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now=True)


class SlugRedirect(models.Model):
    """An old public-page slug that now redirects to the creator's current one."""

    profile = models.ForeignKey("accounts.CreatorProfile", on_delete=models.CASCADE, related_name="old_slugs")
    slug = models.SlugField(max_length=80, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
