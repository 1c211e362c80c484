"""Packages in the console: find and read them. Only their creator changes them (creators.services.packages)."""

from django.contrib import admin
from django.contrib.admin.utils import flatten

from accounts.admin import ConsoleRoleMixin

from ..models import Package


@admin.register(Package)
class PackageAdmin(ConsoleRoleMixin, admin.ModelAdmin):
    list_display = ("title", "creator", "platform", "content_type", "quantity", "price", "currency", "is_active",
                    "updated_at")
    list_filter = ("platform", "content_type", "is_active", "currency")
    search_fields = ("title", "creator__email", "creator__creator_profile__display_name")
    list_select_related = ("creator",)
    ordering = ("-updated_at", "-id")
    list_per_page = 50
    fields = (
        ("creator", "is_active"),
        "title",
        ("platform", "content_type", "quantity"),
        ("revisions", "duration_days"),
        ("price", "currency"),
        "description",
        ("created_at", "updated_at"),
    )
    readonly_fields = flatten(fields)

    # Writes belong to the owner's services (validation, ownership); the console only reads.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
