"""Creator cards in the console: find a creator's discovery row and read why it scores as it does.

Cards are derived data (brands.services.cards rebuilds them from the creator's rows), so the console
only reads them; fix the creator's profile, accounts or packages instead.
"""

import json

from django.contrib import admin
from django.contrib.admin.utils import flatten
from django.utils.html import format_html

from brands.audience import explain
from influmojo.admin import ConsoleRoleMixin, ReadOnlyConsoleMixin

from ..models import CreatorCard, FacetSummary


@admin.register(CreatorCard)
class CreatorCardAdmin(ReadOnlyConsoleMixin, ConsoleRoleMixin, admin.ModelAdmin):
    list_display = (
        "display_name", "primary_platform", "size_band", "followers_display", "engagement", "quality",
        "reliability", "listed", "refreshed_at",
    )
    list_filter = ("listed", "primary_platform", "size_band", "audience_quality_confidence", "verified")
    search_fields = ("name_text",)
    search_help_text = "Name or social handle (part of it is enough)."
    ordering = ("-followers", "-creator")
    show_full_result_count = False  # a million rows: no COUNT(*) on every page
    list_per_page = 50
    fields = (
        ("creator", "listed", "verified"),
        ("display_name", "slug"),
        "usernames",
        ("primary_platform", "platforms", "size_band"),
        ("followers", "engagement_rate", "engagement_percentile", "avg_views"),
        ("audience_quality", "audience_quality_confidence"),
        "audience_quality_explained",
        "audience_quality_inputs",
        ("reliability", "rating", "review_count", "total_collaborations"),
        ("min_price", "max_price", "currency", "availability"),
        ("categories", "niches", "languages"),
        ("country", "city"),
        "bio",
        "refreshed_at",
    )
    readonly_fields = flatten(fields)

    def get_search_results(self, request, queryset, search_term):
        # name_text is stored lower-cased with a trigram index: a plain LIKE uses it, UPPER(...) LIKE would not.
        term = " ".join(search_term.split()).lower()
        if not term:
            return queryset, False
        return queryset.filter(name_text__contains=term), False

    @admin.display(description="followers", ordering="followers")
    def followers_display(self, card):
        return f"{card.followers:,}"

    @admin.display(description="engagement", ordering="engagement_rate")
    def engagement(self, card):
        percentile = "" if card.engagement_percentile is None else f" (p{card.engagement_percentile})"
        return f"{card.engagement_rate.normalize():f}%{percentile}"

    @admin.display(description="audience quality", ordering="audience_quality")
    def quality(self, card):
        if card.audience_quality is None:
            return "—"
        return f"{card.audience_quality} · {card.audience_quality_confidence}"

    @admin.display(description="computed from")
    def audience_quality_explained(self, card):
        return explain(card.audience_quality_basis) if card.audience_quality_basis else "Not scored yet."

    @admin.display(description="inputs and sub-scores")
    def audience_quality_inputs(self, card):
        return format_html("<pre>{}</pre>", json.dumps(card.audience_quality_basis, indent=2, sort_keys=True))


@admin.register(FacetSummary)
class FacetSummaryAdmin(ReadOnlyConsoleMixin, ConsoleRoleMixin, admin.ModelAdmin):
    """The exact unfiltered facet counts the beat job keeps (brands.tasks.refresh_facet_summary); read only."""

    list_display = ("total", "computed_at")
    fields = ("total", "computed_at", "counts_display")
    readonly_fields = fields

    @admin.display(description="counts")
    def counts_display(self, summary):
        return format_html("<pre>{}</pre>", json.dumps(summary.counts, indent=2, sort_keys=True))
