"""Template helpers of the payments pages: status badges and labels, links to order pages, and the payments
cards of the brand and creator dashboards (one selector each)."""

from django import template
from django.urls import NoReverseMatch, reverse

from influmojo.permissions import Actor
from payments.models import Escrow, Payment, Payout
from payments.selectors import documents

register = template.Library()

BADGES = {
    ("payment", Payment.Status.COMPLETED): ("Paid", "success"),
    ("payment", Payment.Status.PENDING): ("Waiting for payment", "warning"),
    ("payment", Payment.Status.PROCESSING): ("Processing", "info"),
    ("payment", Payment.Status.FAILED): ("Failed", "danger"),
    ("payment", Payment.Status.CANCELLED): ("Cancelled", "muted"),
    ("payment", Payment.Status.REFUNDED): ("Refunded", "muted"),
    ("payout", Payout.Status.BLOCKED): ("Waiting for payout setup", "warning"),
    ("payout", Payout.Status.PENDING): ("On its way", "info"),
    ("payout", Payout.Status.PAID): ("Paid out", "success"),
    ("payout", Payout.Status.FAILED): ("Failed, support retries", "danger"),
    ("payout", Payout.Status.REVERSED): ("Reversed", "muted"),
    ("escrow", Escrow.Status.AWAITING_PAYMENT): ("Not paid yet", "muted"),
    ("escrow", Escrow.Status.HELD): ("Held in escrow", "info"),
    ("escrow", Escrow.Status.SETTLED): ("Settled", "success"),
    ("escrow", Escrow.Status.RETURNED): ("Refunded in full", "muted"),
    ("refund", "pending"): ("On its way", "info"),
    ("refund", "succeeded"): ("Refunded", "success"),
    ("refund", "failed"): ("Failed, support retries", "danger"),
}


@register.inclusion_tag("payments/_status.html")
def status_badge(kind: str, status: str):
    label, tone = BADGES.get((kind, status), (str(status).replace("_", " ").capitalize(), "muted"))
    return {"label": label, "tone": tone, "status": status}


@register.simple_tag
def order_url(order_id: int) -> str:
    """The order's page when the orders pages are mounted, else ""."""
    try:
        return reverse("order_detail", args=[order_id])
    except NoReverseMatch:
        return ""


@register.inclusion_tag("payments/_dashboard_brand_card.html", takes_context=True)
def brand_payments_card(context):
    user = context["request"].user
    overview = documents.payments_overview(actor=Actor.of(user))
    return {"rows": overview.dashboard.rows, "recent": overview.dashboard.recent[:3]}


@register.inclusion_tag("payments/_dashboard_creator_card.html", takes_context=True)
def creator_earnings_card(context):
    user = context["request"].user
    overview = documents.earnings_overview(actor=Actor.of(user))
    return {"rows": overview.earnings.rows, "blocked_reason": overview.earnings.blocked_reason,
            "has_blocked": bool(overview.earnings.blocked_amount), "onboarding": overview.onboarding}
