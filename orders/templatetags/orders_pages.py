"""Template helpers of the orders pages: status badges, relative deadlines, fee rates, party names, the
dashboard card and what is waiting on the viewer (from columns already loaded, so lists stay at a fixed
number of queries)."""

import datetime
from decimal import Decimal

from django import template
from django.utils import timezone
from django.utils.timesince import timesince, timeuntil

from ..api.serializers import party_name
from ..models import CustomOffer, Order

register = template.Library()
S = Order.Status

STATUS_LABELS = {
    S.PENDING_PAYMENT: "Waiting for payment",
    S.PAID: "Paid · awaiting acceptance",
    S.IN_PROGRESS: "In progress",
    S.DELIVERED: "Delivered · in review",
    S.REVISION_REQUESTED: "Revision requested",
    S.COMPLETED: "Completed",
    S.DECLINED: "Declined",
    S.CANCELLED: "Cancelled",
    S.REFUNDED: "Refunded",
    S.DISPUTED: "Disputed",
}
OFFER_LABELS = {
    CustomOffer.Status.PENDING: "Waiting for the brand",
    CustomOffer.Status.ACCEPTED: "In the brand's cart",
    CustomOffer.Status.ORDERED: "Ordered",
    CustomOffer.Status.DECLINED: "Declined",
    CustomOffer.Status.WITHDRAWN: "Withdrawn",
    CustomOffer.Status.EXPIRED: "Expired",
}


@register.filter
def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, str(status).replace("_", " ").capitalize())


@register.filter
def offer_status_label(status: str) -> str:
    return OFFER_LABELS.get(status, str(status).capitalize())


@register.filter
def party(user) -> str:
    """A brand's company name, a creator's display name, else the person's name."""
    return party_name(user) if user is not None else "Influmojo"


@register.filter
def percent(rate) -> str:
    """0.0500 → "5", 0.0725 → "7.25"."""
    value = (Decimal(rate) * 100).quantize(Decimal("0.01")).normalize()
    return f"{value:f}"


@register.filter
def relative(moment) -> str:
    """ "in 2 days" / "3 hours ago": the largest unit only, which is what a deadline needs at a glance."""
    if not moment:
        return ""
    now = timezone.now()
    if not isinstance(moment, datetime.datetime):
        return ""
    if moment >= now:
        return f"in {timeuntil(moment, now, depth=1)}"
    return f"{timesince(moment, now, depth=1)} ago"


@register.filter
def is_past(moment) -> bool:
    return bool(moment) and moment < timezone.now()


@register.filter
def soon(moment, hours: int = 24) -> bool:
    """Within `hours` from now (and not past): deadlines shown in the warning colour."""
    now = timezone.now()
    return bool(moment) and now <= moment <= now + datetime.timedelta(hours=int(hours))


def waiting_on(order: Order, user) -> str:
    """What the order waits for from `user`, from its own columns (no queries); "" when nothing."""
    if user is None or not user.is_authenticated:
        return ""
    asked_by = order.cancellation_requested_by_id
    if asked_by and asked_by != user.pk and order.status not in Order.FINISHED and order.status != S.DISPUTED:
        return "Answer the cancellation request"
    if user.pk == order.brand_id:
        return {S.PENDING_PAYMENT: "Pay", S.DELIVERED: "Review the delivery"}.get(order.status, "")
    if user.pk == order.creator_id:
        return {S.PAID: "Accept or decline", S.IN_PROGRESS: "Deliver",
                S.REVISION_REQUESTED: "Deliver the revision"}.get(order.status, "")
    return ""


@register.simple_tag(takes_context=True)
def your_move(context, order: Order) -> str:
    return waiting_on(order, context["user"])


@register.inclusion_tag("orders/_dashboard_card.html", takes_context=True)
def orders_dashboard_card(context):
    """The "Orders" card of the brand and creator dashboards (two or three aggregate queries)."""
    from ..selectors.summary import dashboard_summary

    user = context["request"].user
    return {"summary": dashboard_summary(user), "user": user, "request": context["request"]}


EVENT_TITLES = {
    S.PENDING_PAYMENT: "Order placed",
    S.PAID: "Payment confirmed",
    S.IN_PROGRESS: "Accepted",
    S.DELIVERED: "Delivered",
    S.REVISION_REQUESTED: "Revision requested",
    S.COMPLETED: "Completed",
    S.DECLINED: "Declined",
    S.CANCELLED: "Cancelled",
    S.REFUNDED: "Refunded",
    S.DISPUTED: "Dispute opened",
}
KIND_TITLES = {
    "extension": "Time to accept extended",
    "cancellation_requested": "Cancellation requested",
    "cancellation_withdrawn": "Cancellation request withdrawn",
    "delivery": "Work submitted",
    "reminder": "Reminder sent",
    "note": "Note",
}


@register.filter
def event_title(event) -> str:
    if event.kind == "status":
        if event.old_status == S.DISPUTED:
            return f"Dispute resolved: {STATUS_LABELS.get(event.new_status, event.new_status).lower()}"
        return EVENT_TITLES.get(event.new_status, event.new_status)
    return KIND_TITLES.get(event.kind, event.kind.replace("_", " ").capitalize())


@register.filter
def filesize(size) -> str:
    size = int(size or 0)
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"
