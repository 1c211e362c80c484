"""Creators' calendar entries in the console: read-only, so support can see what a creator planned.

Entries change only through creators.services.calendar (the creator's own pages and API); the feed
token is a secret and is not shown here.
"""

from django.contrib import admin

from creators.models import CalendarEntry
from influmojo.admin import ConsoleRoleMixin, ReadOnlyConsoleMixin


@admin.register(CalendarEntry)
class CalendarEntryAdmin(ReadOnlyConsoleMixin, ConsoleRoleMixin, admin.ModelAdmin):
    list_display = ("date", "time", "kind", "title", "creator_email", "brand_name", "campaign_name", "status")
    list_filter = ("kind", "status", "date")
    search_fields = ("title", "brand_name", "campaign_name", "creator__email")
    list_select_related = ("creator",)
    date_hierarchy = "date"
    ordering = ("-date", "-time", "-id")
    list_per_page = 50
    fields = (
        "creator",
        ("kind", "status"),
        "title",
        ("date", "time"),
        "location",
        ("platform", "content_type"),
        ("brand_name", "campaign_name"),
        "notes",
        ("created_at", "updated_at"),
    )
    readonly_fields = tuple(name for row in fields for name in (row if isinstance(row, tuple) else (row,)))

    @admin.display(description="creator", ordering="creator__email")
    def creator_email(self, entry):
        return entry.creator.email
