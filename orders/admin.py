"""Orders in the console: find an order and read all of it; work the dispute queue and resolve disputes.

Everything about an order is read-only here (its status moves only through orders.services). A dispute's
page shows the order's evidence — the brief and its attachments, every delivered version with its files and
links, the timeline — and, while the dispute is open, a form to resolve it (refund, release or split with
the amount refunded) that goes through orders.services.disputes.dispute_resolve. The queue lists open
disputes first, oldest first.
"""

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import flatten, flatten_fieldsets
from django.db.models import Case, IntegerField, Value, When
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from influmojo.admin import ConsoleRoleMixin, ReadOnlyConsoleMixin, is_console_role
from influmojo.errors import ApplicationError
from influmojo.permissions import Actor

from .models import CustomOffer, Dispute, Order, OrderAttachment, OrderEvent, OrderItem
from .services import disputes as dispute_services


def _money(amount: Decimal | None, currency: str) -> str:
    return "—" if amount is None else f"{currency} {amount:,}"


def _order_link(order: Order) -> str:
    return format_html('<a href="{}">{}</a>', reverse("admin:orders_order_change", args=[order.pk]), order.number)


def _files(rows) -> str:
    if not rows:
        return "—"
    return format_html_join(
        ", ", '<a href="{}" target="_blank" rel="noopener">{}</a> ({}, {} KB)',
        ((row.file.url, row.name, row.content_type, max(1, row.size // 1024)) for row in rows),
    )


def _submissions(order: Order) -> str:
    versions = order.deliverable.submissions.select_related("decided_by").prefetch_related("files")
    if not versions:
        return "Nothing delivered yet."
    rows = []
    for version in versions:
        links = format_html_join(", ", '<a href="{0}" target="_blank" rel="noopener noreferrer">{0}</a>',
                                 ((link,) for link in version.links)) or "—"
        decided = f" by {version.decided_by.email}" if version.decided_by else ""
        rows.append(format_html(
            "<tr><td>v{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}{}</td><td>{}</td></tr>",
            version.version, f"{version.created_at:%Y-%m-%d %H:%M}", version.message or "—", links,
            _files(list(version.files.all())),
            version.get_decision_display(), decided, version.feedback or "—",
        ))
    head = format_html("<tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
                       "version", "submitted", "message", "links", "files", "decision", "feedback")
    return format_html("<table>{}{}</table>", head, format_html_join("", "{}", ((row,) for row in rows)))


def _timeline(order: Order) -> str:
    events = order.events.select_related("actor")
    if not events:
        return "—"
    rows = format_html_join(
        "", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        ((f"{event.created_at:%Y-%m-%d %H:%M}", event.kind, str(event) if event.kind == OrderEvent.Kind.STATUS else "",
          f"{event.actor.email if event.actor else 'system'} ({event.actor_role})", event.note or "")
         for event in events),
    )
    return format_html("<table><tr><th>when</th><th>what</th><th>status</th><th>by</th><th>note</th></tr>{}</table>",
                       rows)


# --- Orders ----------------------------------------------------------------------------------------------------
class OrderItemInline(ReadOnlyConsoleMixin, ConsoleRoleMixin, admin.TabularInline):
    model = OrderItem
    fields = ("title", "platform", "content_type", "quantity", "pieces", "revisions", "duration_days", "unit_price",
              "line_total", "package", "offer")
    readonly_fields = fields
    extra = 0
    can_delete = False


class OrderAttachmentInline(ReadOnlyConsoleMixin, ConsoleRoleMixin, admin.TabularInline):
    model = OrderAttachment
    fields = ("file", "name", "content_type", "size", "uploaded_by", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = "Attachments to the brief"


class OrderEventInline(ReadOnlyConsoleMixin, ConsoleRoleMixin, admin.TabularInline):
    model = OrderEvent
    fields = ("created_at", "kind", "change", "by", "note")
    readonly_fields = fields
    ordering = ("created_at", "id")
    extra = 0
    can_delete = False
    verbose_name_plural = "Timeline"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

    @admin.display(description="status change")
    def change(self, event):
        return str(event) if event.kind == OrderEvent.Kind.STATUS else ""

    @admin.display(description="by")
    def by(self, event):
        return f"{event.actor.email if event.actor else 'system'} ({event.actor_role})"


@admin.register(Order)
class OrderAdmin(ReadOnlyConsoleMixin, ConsoleRoleMixin, admin.ModelAdmin):
    list_display = ("number", "status", "brand", "creator", "total", "deadline", "created")
    list_filter = ("status", "currency", "usage_rights", "acceptance_extended")
    search_fields = ("number", "brand__email", "creator__email", "brand__brand_profile__company_name",
                     "creator__creator_profile__display_name", "items__title")
    list_select_related = ("brand", "creator")
    ordering = ("-created_at", "-id")
    list_per_page = 50
    show_full_result_count = False
    inlines = (OrderItemInline, OrderAttachmentInline, OrderEventInline)
    fieldsets = (
        (None, {"fields": (("number", "status"), ("brand", "creator"), ("payment", "dispute_link"))}),
        ("Money", {"fields": (("currency", "subtotal"), ("fee_rate", "platform_fee", "creator_share"))}),
        ("Brief", {"fields": ("requirements", ("usage_rights", "usage_notes"), "deadline",
                              ("revisions_allowed", "revisions_used"))}),
        ("Clocks", {"fields": (("created_at", "paid_at", "accept_by", "acceptance_extended"),
                               ("accepted_at", "delivered_at", "review_by", "finished_at"))}),
        ("Cancellation request", {"fields": (("cancellation_requested_by", "cancellation_reason"),)}),
        ("Deliverables", {"fields": ("versions",)}),
    )
    readonly_fields = flatten_fieldsets(fieldsets)

    @admin.display(description="total", ordering="subtotal")
    def total(self, order):
        return _money(order.subtotal, order.currency)

    @admin.display(description="placed", ordering="created_at")
    def created(self, order):
        return order.created_at.date()

    @admin.display(description="creator's share")
    def creator_share(self, order):
        return _money(order.creator_amount, order.currency)

    @admin.display(description="dispute")
    def dispute_link(self, order):
        dispute = Dispute.objects.filter(order=order).first()
        if dispute is None:
            return "—"
        url = reverse("admin:orders_dispute_change", args=[dispute.pk])
        return format_html('<a href="{}">{} ({})</a>', url, dispute.get_reason_display(), dispute.status)

    @admin.display(description="versions delivered")
    def versions(self, order):
        return _submissions(order)


# --- Disputes ------------------------------------------------------------------------------------------------------
class OpenFirstFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return (("open", "Open"), ("resolved", "Resolved"))

    def queryset(self, request, queryset):
        return queryset.filter(status=self.value()) if self.value() else queryset


class DisputeResolveForm(forms.ModelForm):
    """Resolving a dispute: what happens to the money, and why (both sides read the note)."""

    resolve_as = forms.ChoiceField(choices=[("", "— choose —"), *Dispute.Resolution.choices], required=True,
                                   label="Resolution")
    split_refund = forms.DecimalField(
        required=False, max_digits=12, decimal_places=2, label="Refund to the brand (split only)",
        help_text="More than 0 and less than what is held; the rest is released to the creator.",
    )
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=4000, label="Why")

    class Meta:
        model = Dispute
        fields = ()

    def clean(self):
        cleaned = super().clean()
        held = self.instance.order.subtotal
        if cleaned.get("resolve_as") == Dispute.Resolution.SPLIT:
            amount = cleaned.get("split_refund")
            if amount is None or not Decimal(0) < amount < held:
                self.add_error("split_refund", f"More than 0 and less than the {held} held.")
        elif cleaned.get("split_refund") is not None:
            self.add_error("split_refund", "Only a split refunds part of the money.")
        if self.instance.status != Dispute.Status.OPEN:
            raise forms.ValidationError("This dispute is already resolved.")
        return cleaned


@admin.register(Dispute)
class DisputeAdmin(ConsoleRoleMixin, admin.ModelAdmin):
    """The dispute queue: open first, oldest first."""

    form = DisputeResolveForm
    list_display = ("order_number", "status", "reason", "opened", "held", "opened_by", "resolution", "resolved_by")
    list_display_links = ("order_number",)
    list_filter = (OpenFirstFilter, "reason", "resolution")
    search_fields = ("order__number", "order__brand__email", "order__creator__email", "description")
    list_select_related = ("order", "opened_by", "resolved_by")
    list_per_page = 50
    actions = ("resolve_dispute",)
    evidence = ("order_summary", "description_text", "brief", "attachments", "versions", "timeline")
    outcome = ("status", "resolution", "refund_amount", "resolution_note", "resolved_by", "resolved_at")

    def get_ordering(self, request):
        is_open = Case(When(status=Dispute.Status.OPEN, then=Value(0)), default=Value(1), output_field=IntegerField())
        return (is_open.asc(), "created_at", "id")  # the queue: open first, waiting longest first

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            ("The dispute", {"fields": (("reason", "opened_by", "created_at"), "frozen_status")}),
            ("Evidence", {"fields": self.evidence}),
        ]
        if obj is not None and obj.status == Dispute.Status.OPEN and self.has_change_permission(request, obj):
            fieldsets.append(("Resolve", {
                "fields": ("resolve_as", "split_refund", "note"),
                "description": "Refund: everything back to the brand. Release: everything to the creator (less "
                               "the platform fee). Split: the amount below back to the brand, the rest released.",
            }))
        else:
            fieldsets.append(("Outcome", {"fields": self.outcome}))
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        return ("reason", "opened_by", "created_at", "frozen_status", *self.evidence, *self.outcome)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        if not is_console_role(request):
            return False
        return obj is None or obj.status == Dispute.Status.OPEN

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            dispute_services.dispute_resolve(
                dispute_id=obj.pk, actor=Actor.of(request.user), resolution=data["resolve_as"],
                refund_amount=data.get("split_refund"), note=data["note"],
            )
        except ApplicationError as exc:
            self._refused = exc.message
        else:
            self._refused = None

    def save_related(self, request, form, formsets, change):
        """Nothing else to save: the service wrote the dispute and the order."""

    def response_change(self, request, obj):
        if getattr(self, "_refused", None):
            self.message_user(request, f"Not resolved: {self._refused}", messages.ERROR)
            return HttpResponseRedirect(request.path)
        obj.refresh_from_db()
        self.message_user(
            request, f"Dispute on {obj.order.number} resolved: {obj.get_resolution_display()} "
                     f"({_money(obj.refund_amount, obj.order.currency)} refunded).", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:orders_dispute_changelist"))

    def log_change(self, request, obj, message):
        """The order's timeline records the resolution (who, when, why); the admin log would repeat it."""

    @admin.action(description="Resolve the selected dispute (opens its form)")
    def resolve_dispute(self, request, queryset):
        disputes = list(queryset[:2])
        if len(disputes) != 1:
            self.message_user(request, "Select one dispute: each is resolved on its own, with a reason.",
                              messages.WARNING)
            return None
        return HttpResponseRedirect(reverse("admin:orders_dispute_change", args=[disputes[0].pk]))

    # --- Columns and evidence ---
    @admin.display(description="order", ordering="order__number")
    def order_number(self, dispute):
        return dispute.order.number

    @admin.display(description="opened", ordering="created_at")
    def opened(self, dispute):
        return dispute.created_at.strftime("%Y-%m-%d %H:%M")

    @admin.display(description="held")
    def held(self, dispute):
        return _money(dispute.order.subtotal, dispute.order.currency)

    @admin.display(description="order")
    def order_summary(self, dispute):
        order = dispute.order
        return format_html(
            "{} · {} · brand {} · creator {} · deadline {} · revisions {}/{}",
            _order_link(order), _money(order.subtotal, order.currency), order.brand.email, order.creator.email,
            f"{order.deadline:%Y-%m-%d}", order.revisions_used, order.revisions_allowed,
        )

    @admin.display(description="what went wrong")
    def description_text(self, dispute):
        return format_html('<div style="white-space: pre-wrap">{}</div>', dispute.description)

    @admin.display(description="brief")
    def brief(self, dispute):
        order = dispute.order
        return format_html('<div style="white-space: pre-wrap">{}</div><p>Usage: {}{}</p>', order.requirements,
                           order.get_usage_rights_display(), f" — {order.usage_notes}" if order.usage_notes else "")

    @admin.display(description="attachments")
    def attachments(self, dispute):
        return _files(list(dispute.order.attachments.all()))

    @admin.display(description="versions delivered")
    def versions(self, dispute):
        return _submissions(dispute.order)

    @admin.display(description="timeline")
    def timeline(self, dispute):
        return _timeline(dispute.order)


# --- Custom offers ----------------------------------------------------------------------------------------------------
@admin.register(CustomOffer)
class CustomOfferAdmin(ReadOnlyConsoleMixin, ConsoleRoleMixin, admin.ModelAdmin):
    list_display = ("title", "status", "creator", "brand", "price_display", "expires_at", "created_at")
    list_filter = ("status", "platform", "currency")
    search_fields = ("title", "creator__email", "brand__email")
    list_select_related = ("creator", "brand")
    ordering = ("-created_at", "-id")
    fields = (("creator", "brand", "status"), "title", "description", ("platform", "content_type", "quantity"),
              ("revisions", "duration_days"), ("price", "currency"), ("expires_at", "in_reply_to"),
              ("created_at", "updated_at"))
    readonly_fields = flatten(fields)

    @admin.display(description="price", ordering="price")
    def price_display(self, offer):
        return _money(offer.price, offer.currency)
