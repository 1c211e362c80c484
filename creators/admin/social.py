"""Social accounts in the console: read the accounts, their daily numbers and activity; "sync now".

Tokens are never shown: the admin lists its fields one by one and the token columns are not among
them (nor loaded). Numbers and states change only through creators.services.social.
"""

import datetime

from django.contrib import admin, messages
from django.contrib.admin.utils import flatten
from django.utils import timezone

from influmojo.admin import ConsoleRoleMixin, ReadOnlyConsoleMixin
from influmojo.errors import ApplicationError

from ..models import MetricsSnapshot, SocialAccount, SocialActivity
from ..selectors.social import SECRET_FIELDS
from ..services import social as services

SNAPSHOT_DAYS = 90


class MetricsSnapshotInline(ConsoleRoleMixin, ReadOnlyConsoleMixin, admin.TabularInline):
    model = MetricsSnapshot
    fields = ("date", "followers", "following", "posts", "avg_views", "avg_likes", "avg_comments", "engagement_rate")
    readonly_fields = fields
    ordering = ("-date",)
    extra = 0
    max_num = 0
    verbose_name_plural = f"daily numbers, last {SNAPSHOT_DAYS} days"

    def get_queryset(self, request):
        since = timezone.localdate() - datetime.timedelta(days=SNAPSHOT_DAYS)
        return super().get_queryset(request).filter(date__gte=since)


@admin.register(SocialAccount)
class SocialAccountAdmin(ConsoleRoleMixin, ReadOnlyConsoleMixin, admin.ModelAdmin):
    list_display = (
        "__str__",
        "creator",
        "platform",
        "source",
        "state",
        "followers",
        "engagement_rate",
        "sync_status",
        "last_synced_at",
    )
    list_filter = ("platform", "state", "source", "sync_status")
    search_fields = ("username", "display_name", "platform_user_id", "creator__email")
    list_select_related = ("creator",)
    ordering = ("-updated_at", "-id")
    list_per_page = 50
    actions = ("sync_now",)
    inlines = (MetricsSnapshotInline,)
    fields = (
        ("creator", "platform"),
        ("source", "state"),
        ("username", "display_name", "platform_user_id"),
        ("profile_url", "avatar_url"),
        ("followers", "following", "posts"),
        ("avg_views", "avg_likes", "avg_comments", "engagement_rate"),
        ("sync_status", "last_synced_at"),
        "last_sync_error",
        ("token_expires_at", "scopes"),
        ("created_at", "updated_at"),
    )
    readonly_fields = flatten(fields)

    def get_queryset(self, request):
        return super().get_queryset(request).defer(*SECRET_FIELDS)

    @admin.action(description="Sync now (connected accounts)")
    def sync_now(self, request, queryset):
        queued, refused = [], []
        for account_id, username in queryset.values_list("pk", "username"):
            try:
                services.social_account_request_sync(account_id=account_id)
                queued.append(f"@{username}")
            except ApplicationError as error:
                refused.append(f"@{username} ({error.message})")
        if queued:
            self.message_user(request, f"Sync queued for {len(queued)}: {', '.join(queued[:10])}.", messages.SUCCESS)
        if refused:
            self.message_user(request, f"Not synced {len(refused)}: {'; '.join(refused[:10])}.", messages.WARNING)


@admin.register(SocialActivity)
class SocialActivityAdmin(ConsoleRoleMixin, ReadOnlyConsoleMixin, admin.ModelAdmin):
    list_display = ("created_at", "creator", "platform", "action", "status", "message", "ip_address")
    list_filter = ("platform", "action", "status")
    search_fields = ("creator__email", "account__username", "message")
    list_select_related = ("creator",)
    date_hierarchy = "created_at"
    list_per_page = 50
    fields = (
        ("created_at", "creator", "account"),
        ("platform", "action", "status", "ip_address"),
        "message",
        "request_payload",
        "response_payload",
    )
    readonly_fields = flatten(fields)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("account")
            .defer(*(f"account__{name}" for name in SECRET_FIELDS))
        )
