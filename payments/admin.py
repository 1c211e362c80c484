"""Payments in the console: every money record read-only (payments with their escrows, refunds and journal
entries; refunds; payouts; provider webhook events; the journal with its lines; connected accounts, customers
and saved cards), two actions that go through the services (retry a failed refund, retry a failed payout), and
the books page: ledger_check (do the books balance, and do they agree with the rows?) with every account's
balance, and the platform fee report by month.

Nothing here writes a money row directly: statuses move only through payments.services.
"""

import json

from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets
from django.core.exceptions import PermissionDenied
from django.db.models import Q, Sum
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from influmojo.admin import ConsoleRoleMixin, ReadOnlyConsoleMixin, is_console_role, names_for_message
from influmojo.errors import ApplicationError
from influmojo.permissions import Actor

from . import services
from .gateways.money import cents
from .models import (
    Account,
    ConnectedAccount,
    Customer,
    Escrow,
    JournalEntry,
    LedgerLine,
    Payment,
    PaymentMethod,
    Payout,
    Refund,
    WebhookEvent,
)
from .selectors import ledger_check, platform_fee_report


def _money(amount, currency: str) -> str:
    return "—" if amount is None else f"{currency} {amount:,}"


def _link(name: str, pk, text) -> str:
    return format_html('<a href="{}">{}</a>', reverse(f"admin:{name}_change", args=[pk]), text)


class _ReadOnlyInline(ReadOnlyConsoleMixin, ConsoleRoleMixin, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True


class _ReadOnlyAdmin(ReadOnlyConsoleMixin, ConsoleRoleMixin, admin.ModelAdmin):
    list_per_page = 50
    show_full_result_count = False
    change_list_template = "payments/admin/change_list.html"  # links the books page

    def get_readonly_fields(self, request, obj=None):
        if self.fieldsets:
            return flatten_fieldsets(self.fieldsets)
        return [field.name for field in self.model._meta.fields]


class _RetryMixin:
    """An action per failed row through its service; a refusal leaves the others alone and is reported."""

    def has_retry_permission(self, request):
        return is_console_role(request)

    def _retry(self, request, queryset, call, *, what: str):
        actor = Actor.of(request.user)
        done, refused = [], []
        for row in queryset.order_by("pk"):
            try:
                call(row.pk, actor)
            except ApplicationError as exc:
                refused.append(f"{what} {row.pk} ({exc.message})")
            else:
                done.append(f"{what} {row.pk}")
        if done:
            self.message_user(request, f"Sent again: {names_for_message(done)}.", messages.SUCCESS)
        if refused:
            self.message_user(request, f"Not retried: {names_for_message(refused)}", messages.ERROR)


# --- Payments --------------------------------------------------------------------------------------------
class EscrowInline(_ReadOnlyInline):
    model = Escrow
    fields = ("order", "status", "amount", "refund_amount", "released_amount", "fee", "creator_amount",
              "settle_reason", "settled_by_role", "settled_at")
    readonly_fields = fields
    verbose_name_plural = "Held per order (escrow)"
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("order")


class RefundInline(_ReadOnlyInline):
    model = Refund
    fields = ("order", "amount", "status", "reason", "provider_refund_id", "failure_message", "requested_by",
              "created_at", "succeeded_at")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("order", "requested_by")


class JournalEntryInline(_ReadOnlyInline):
    model = JournalEntry
    fields = ("created_at", "kind", "order", "memo", "lines_text")
    readonly_fields = fields
    verbose_name_plural = "Journal"
    fk_name = "payment"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("order").prefetch_related("lines")

    @admin.display(description="lines (+ debit, − credit)")
    def lines_text(self, entry):
        return _lines(entry.lines.all())


def _lines(lines) -> str:
    return format_html_join(mark_safe("<br>"), "{}: {}{}", (
        (Account(line.account).label, f"{line.amount:+,}", f" (party {line.party_id})" if line.party_id else "")
        for line in lines))


@admin.register(Payment)
class PaymentAdmin(_ReadOnlyAdmin):
    list_display = ("id", "payer", "status", "total", "refunded", "gateway", "method", "created_at", "paid_at")
    list_filter = ("status", "gateway", "currency")
    search_fields = ("=id", "payer__email", "payer__brand_profile__company_name", "provider_payment_id",
                     "transaction_id", "idempotency_key", "escrows__order__number")
    list_select_related = ("payer",)
    ordering = ("-created_at", "-id")
    inlines = (EscrowInline, RefundInline, JournalEntryInline)
    fieldsets = (
        (None, {"fields": (("payer", "status", "gateway"), ("amount", "currency", "amount_refunded"))}),
        ("At the provider", {"fields": (("provider_payment_id", "transaction_id"), "method", "idempotency_key",
                                        ("failure_code", "failure_message"))}),
        ("Dates", {"fields": (("created_at", "paid_at", "updated_at"),)}),
    )

    @admin.display(description="amount", ordering="amount")
    def total(self, payment):
        return _money(payment.amount, payment.currency)

    @admin.display(description="refunded", ordering="amount_refunded")
    def refunded(self, payment):
        return _money(payment.amount_refunded, payment.currency) if payment.amount_refunded else "—"


@admin.register(Refund)
class RefundAdmin(_RetryMixin, _ReadOnlyAdmin):
    list_display = ("id", "payment_link", "order", "amount_display", "status", "reason", "failure_message",
                    "created_at", "succeeded_at")
    list_filter = ("status", "currency")
    search_fields = ("=id", "=payment__id", "order__number", "payment__payer__email", "provider_refund_id")
    list_select_related = ("payment", "order")
    ordering = ("-created_at", "-id")
    actions = ("retry_refunds",)
    fieldsets = (
        (None, {"fields": (("payment", "order", "status"), ("amount", "currency"), "reason", "requested_by")}),
        ("At the provider", {"fields": ("provider_refund_id", "idempotency_key", "failure_message")}),
        ("Dates", {"fields": (("created_at", "succeeded_at"),)}),
    )

    @admin.display(description="payment", ordering="payment")
    def payment_link(self, refund):
        return _link("payments_payment", refund.payment_id, f"Payment {refund.payment_id}")

    @admin.display(description="amount", ordering="amount")
    def amount_display(self, refund):
        return _money(refund.amount, refund.currency)

    @admin.action(description="Retry the selected failed refunds (a new refund of the same amount)",
                  permissions=["retry"])
    def retry_refunds(self, request, queryset):
        self._retry(request, queryset, lambda pk, actor: services.refund_retry(refund_id=pk, actor=actor),
                    what="refund")


@admin.register(Payout)
class PayoutAdmin(_RetryMixin, _ReadOnlyAdmin):
    list_display = ("id", "creator", "order", "amount_display", "status", "failure_message", "created_at", "paid_at")
    list_filter = ("status", "currency")
    search_fields = ("=id", "creator__email", "creator__creator_profile__display_name", "order__number",
                     "provider_transfer_id", "=payment__id")
    list_select_related = ("creator", "order")
    ordering = ("-created_at", "-id")
    actions = ("retry_payouts",)
    fieldsets = (
        (None, {"fields": (("creator", "order", "payment"), ("amount", "currency", "status"))}),
        ("At the provider", {"fields": ("provider_transfer_id", "idempotency_key", "failure_message")}),
        ("Dates", {"fields": (("created_at", "paid_at", "updated_at"),)}),
    )

    @admin.display(description="amount", ordering="amount")
    def amount_display(self, payout):
        return _money(payout.amount, payout.currency)

    @admin.action(description="Retry the selected failed payouts (the transfer is sent again)", permissions=["retry"])
    def retry_payouts(self, request, queryset):
        self._retry(request, queryset, lambda pk, actor: services.payout_retry(payout_id=pk, actor=actor),
                    what="payout")


# --- Provider events ---------------------------------------------------------------------------------------
class OutcomeFilter(admin.SimpleListFilter):
    title = "outcome"
    parameter_name = "outcome"

    def lookups(self, request, model_admin):
        return (("applied", "Applied"), ("ignored", "Ignored"))

    def queryset(self, request, queryset):
        if self.value() == "ignored":
            return queryset.filter(outcome__startswith="ignored")
        if self.value() == "applied":
            return queryset.exclude(outcome__startswith="ignored")
        return queryset


@admin.register(WebhookEvent)
class WebhookEventAdmin(_ReadOnlyAdmin):
    list_display = ("event_id", "type", "gateway", "outcome", "provider_created_at", "received_at")
    list_filter = ("gateway", OutcomeFilter, "type")
    search_fields = ("=event_id", "type", "outcome")
    ordering = ("-received_at", "-id")
    fieldsets = (
        (None, {"fields": (("event_id", "type", "gateway"), "outcome", ("provider_created_at", "received_at"))}),
        ("Payload", {"fields": ("payload_pretty",)}),
    )

    @admin.display(description="payload")
    def payload_pretty(self, event):
        text = json.dumps(event.payload, indent=2, sort_keys=True, ensure_ascii=False)
        return format_html('<pre style="white-space: pre-wrap; max-width: 100ch">{}</pre>', text)


# --- The journal and the books -----------------------------------------------------------------------------
class LedgerLineInline(_ReadOnlyInline):
    model = LedgerLine
    fields = ("account", "amount", "currency", "party", "order")
    readonly_fields = fields
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("party", "order")


@admin.register(JournalEntry)
class JournalEntryAdmin(_ReadOnlyAdmin):
    list_display = ("id", "kind", "order", "payment_link", "moved", "memo", "created_at")
    list_filter = ("kind", "currency")
    search_fields = ("=id", "order__number", "=payment__id", "memo")
    list_select_related = ("order",)
    ordering = ("-created_at", "-id")
    inlines = (LedgerLineInline,)
    fieldsets = ((None, {"fields": (("kind", "created_at"), ("order", "payment"), ("refund", "payout"),
                                    ("currency", "memo"))}),)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(moved_total=Sum("lines__amount", filter=Q(lines__amount__gt=0)))

    @admin.display(description="amount moved")
    def moved(self, entry):
        return _money(cents(entry.moved_total), entry.currency)

    @admin.display(description="payment")
    def payment_link(self, entry):
        return _link("payments_payment", entry.payment_id, f"Payment {entry.payment_id}") if entry.payment_id else "—"

    def get_urls(self):
        books = self.admin_site.admin_view(self.books_view)
        return [path("books/", books, name="payments_books"), *super().get_urls()]

    def books_view(self, request):
        """The books: ledger_check's verdict and balances, and the platform fee report by month."""
        if not is_console_role(request):
            raise PermissionDenied
        report = ledger_check()
        balances = sorted(report.balances.items(), key=lambda item: (item[0][1], item[0][0]))
        return TemplateResponse(request, "payments/admin/books.html", {
            **self.admin_site.each_context(request),
            "title": "The books", "opts": self.model._meta, "report": report,
            "balances": [{"account": Account(account).label, "code": account, "currency": currency, "balance": total}
                         for (account, currency), total in balances],
            "fees": platform_fee_report(actor=Actor.of(request.user)),
        })


# --- Accounts at the provider ------------------------------------------------------------------------------
@admin.register(ConnectedAccount)
class ConnectedAccountAdmin(_ReadOnlyAdmin):
    list_display = ("user", "gateway", "provider_account_id", "details_submitted", "payouts_enabled",
                    "requirements", "updated_at")
    list_filter = ("gateway", "details_submitted", "payouts_enabled")
    search_fields = ("user__email", "user__creator_profile__display_name", "=provider_account_id")
    list_select_related = ("user",)
    ordering = ("-updated_at",)

    @admin.display(description="Stripe still needs")
    def requirements(self, account):
        return ", ".join(account.requirements_due) or "—"


@admin.register(Customer)
class CustomerAdmin(_ReadOnlyAdmin):
    list_display = ("user", "gateway", "provider_customer_id", "created_at")
    list_filter = ("gateway",)
    search_fields = ("user__email", "=provider_customer_id")
    list_select_related = ("user",)
    ordering = ("-created_at",)


@admin.register(PaymentMethod)
class PaymentMethodAdmin(_ReadOnlyAdmin):
    list_display = ("__str__", "user", "exp_month", "exp_year", "is_default", "gateway", "created_at")
    list_filter = ("gateway", "card_brand", "is_default")
    search_fields = ("user__email", "=provider_method_id", "last4")
    list_select_related = ("user",)
    ordering = ("-created_at",)
