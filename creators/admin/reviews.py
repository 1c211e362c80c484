"""Reviews in the console: agents and admins hide and unhide them through creators.services.reviews.

Everything is read-only here: a review's words and stars are the brand's, and the creator's rating
and collaborations are derived by the services, so the console never edits or deletes a review.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.admin.utils import flatten

from influmojo.admin import ConsoleRoleMixin, ReadOnlyConsoleMixin, is_console_role, names_for_message
from influmojo.errors import ApplicationError
from influmojo.permissions import Actor

from ..models import Review
from ..services import reviews as services
from .packages import TitledBooleanFilter


class ReviewActionForm(ActionForm):
    reason = forms.CharField(
        required=False, label="Reason (to hide):", widget=forms.TextInput(attrs={"size": 40, "maxlength": 300})
    )


class PublishedFilter(TitledBooleanFilter):
    label = "published"


class VerifiedFilter(TitledBooleanFilter):
    label = "verified (after an order)"


@admin.register(Review)
class ReviewAdmin(ReadOnlyConsoleMixin, ConsoleRoleMixin, admin.ModelAdmin):
    action_form = ReviewActionForm
    actions = ("hide_reviews", "unhide_reviews")
    list_display = ("excerpt", "rating", "creator", "author", "verified", "published", "created")
    list_display_links = ("excerpt",)
    list_filter = (("is_published", PublishedFilter), ("is_verified", VerifiedFilter), "rating")
    search_fields = ("creator__email", "author__email", "client_name", "client_email", "text")
    list_select_related = ("creator", "author")
    ordering = ("-created_at", "-id")
    list_per_page = 50
    fields = (
        ("creator", "author"),
        ("rating", "is_verified", "order_id"),
        "text",
        ("project_type", "client_name", "client_email"),
        ("is_published", "hidden_by", "hidden_reason"),
        ("created_at", "updated_at"),
    )
    readonly_fields = flatten(fields)

    @admin.display(description="review")
    def excerpt(self, review):
        text = review.text or f"({review.project_type or 'no text'})"
        return text if len(text) <= 60 else f"{text[:59]}…"

    @admin.display(description="verified", boolean=True, ordering="is_verified")
    def verified(self, review):
        return review.is_verified

    @admin.display(description="published", boolean=True, ordering="is_published")
    def published(self, review):
        return review.is_published

    @admin.display(description="written", ordering="created_at")
    def created(self, review):
        return review.created_at.date()


    def has_moderate_permission(self, request):
        return is_console_role(request)

    # --- Actions: each review goes through the service on its own; a refusal leaves the others alone ---
    @admin.action(description="Hide selected reviews (give a reason)", permissions=["moderate"])
    def hide_reviews(self, request, queryset):
        reason = request.POST.get("reason", "")
        self._apply(
            request, queryset,
            lambda review, actor: services.review_hide(review_id=review.pk, actor=actor, reason=reason),
            done="Hid",
        )

    @admin.action(description="Publish selected hidden reviews again", permissions=["moderate"])
    def unhide_reviews(self, request, queryset):
        self._apply(
            request, queryset, lambda review, actor: services.review_unhide(review_id=review.pk, actor=actor),
            done="Published again",
        )

    def _apply(self, request, queryset, call, *, done):
        actor = Actor.of(request.user)
        changed, refused = [], []
        for review in queryset.order_by("pk"):
            label = f"#{review.pk}"
            try:
                call(review, actor)
            except ApplicationError as exc:
                refused.append(f"{label} ({exc.message})")
            else:
                changed.append(label)
        if changed:
            self.message_user(request, f"{done} {len(changed)}: {names_for_message(changed)}.", messages.SUCCESS)
        if refused:
            self.message_user(request, f"Refused {len(refused)}: {names_for_message(refused)}.", messages.ERROR)
