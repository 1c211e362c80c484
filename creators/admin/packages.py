"""Packages in the console: find and read them. Only their creator changes them (creators.services.packages)."""

from django.contrib import admin
from django.contrib.admin.utils import flatten

from influmojo.admin import ConsoleRoleMixin, ReadOnlyConsoleMixin

from ..models import Package


class TitledBooleanFilter(admin.BooleanFieldListFilter):
    """A yes/no filter with a readable title ("active", not "By is active")."""

    label = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = self.label


class ActiveFilter(TitledBooleanFilter):
    label = "on sale"


@admin.register(Package)
class PackageAdmin(ReadOnlyConsoleMixin, ConsoleRoleMixin, admin.ModelAdmin):
    list_display = ("title", "creator", "platform", "offer", "price_display", "active", "updated")
    list_filter = ("platform", "content_type", ("is_active", ActiveFilter), "currency")
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

    @admin.display(description="offer", ordering="content_type")
    def offer(self, package):
        return f"{package.quantity} × {package.get_content_type_display().lower()}"

    @admin.display(description="price", ordering="price")
    def price_display(self, package):
        return f"{package.currency} {package.price:,}"

    @admin.display(description="on sale", boolean=True, ordering="is_active")
    def active(self, package):
        return package.is_active

    @admin.display(description="updated", ordering="updated_at")
    def updated(self, package):
        return package.updated_at.date()
