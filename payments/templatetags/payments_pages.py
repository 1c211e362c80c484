"""Template helpers of the payments pages: status badges and labels, links to order pages, and the payments
cards of the brand and creator dashboards (one selector each)."""

from django import template
from django.urls import NoReverseMatch, reverse

from influmojo.permissions import Actor
from payments.models import Escrow, Payment, Payout
from payments import selectors

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


CARD_SHORT = {"visa": "VISA", "mastercard": "MC", "amex": "AMEX", "discover": "DISC", "jcb": "JCB",
              "unionpay": "UPAY", "diners": "DINERS"}


@register.filter
def card_short(card_brand: str) -> str:
    return CARD_SHORT.get(card_brand, card_brand[:4].upper() or "CARD")


@register.simple_tag
def order_url(order_id: int) -> str:
    """The order's page when the orders pages are mounted, else ""."""
    try:
        return reverse("order_detail", args=[order_id])
    except NoReverseMatch:
        return ""


@register.inclusion_tag("payments/_dashboard_brand_card.html", takes_context=True)
def brand_payments_card(context):
    dashboard = selectors.payments_dashboard(actor=Actor.of(context["request"].user))
    return {"rows": dashboard.rows}


@register.inclusion_tag("payments/_dashboard_creator_card.html", takes_context=True)
def creator_earnings_card(context):
    earnings = selectors.creator_earnings(actor=Actor.of(context["request"].user))
    return {"rows": earnings.rows, "blocked_reason": earnings.blocked_reason, "ready": earnings.can_receive_payouts}
