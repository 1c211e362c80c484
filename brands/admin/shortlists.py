"""Brands' shortlists in the console: agents see them (to help a brand), nobody edits them here.

A list and its notes are the brand's; changes go through brands.services.shortlists from the brand's
own pages or the API.
"""

from django.contrib import admin
from django.db.models import Count

from influmojo.admin import ConsoleRoleMixin, ReadOnlyConsoleMixin

from ..models import Shortlist, ShortlistItem


class ShortlistItemInline(ReadOnlyConsoleMixin, admin.TabularInline):
    model = ShortlistItem
    fields = ("creator", "note", "added_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("creator")

    def has_view_permission(self, request, obj=None):
        return True  # shown only inside a list the viewer may already see


@admin.register(Shortlist)
class ShortlistAdmin(ReadOnlyConsoleMixin, ConsoleRoleMixin, admin.ModelAdmin):
    list_display = ("name", "brand", "is_default", "creators", "updated_at")
    list_filter = ("is_default",)
    search_fields = ("name", "brand__email", "brand__name")
    list_select_related = ("brand",)
    ordering = ("-updated_at", "-id")
    list_per_page = 50
    fields = ("brand", "name", "is_default", "created_at", "updated_at")
    readonly_fields = fields
    inlines = (ShortlistItemInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(creator_count=Count("items"))

    @admin.display(description="creators", ordering="creator_count")
    def creators(self, shortlist):
        return shortlist.creator_count
