"""Who is told what about orders and offers: one function per event, each sending e-mails on commit.

Issue 6 will route these through a notification service (in-app, push, preferences); until then each
function picks the recipients and queues orders.tasks.send_order_email after the transaction commits, so
nobody hears of a change that rolled back. Bodies are templates/orders/email/<event>.txt inside the shared
message.txt / message.html layout.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse

from accounts.models import User

from .models import CustomOffer, Dispute, Order, OrderEvent

S = Order.Status

SUBJECTS = {
    "order_paid": "New order {number}: please accept or decline",
    "order_accepted": "Order {number} was accepted",
    "order_declined": "Order {number} was declined; you are refunded",
    "order_delivered": "Order {number} was delivered: please review it",
    "order_revision_requested": "A revision was requested on order {number}",
    "order_completed": "Order {number} is completed",
    "order_cancelled": "Order {number} was cancelled",
    "order_cancellation_requested": "Cancellation requested on order {number}",
    "order_cancellation_withdrawn": "Cancellation request withdrawn on order {number}",
    "order_acceptance_extended": "More time to accept order {number}",
    "order_disputed": "A dispute was opened on order {number}",
    "dispute_resolved": "The dispute on order {number} was resolved",
    "reminder_accept": "Reminder: accept or decline order {number}",
    "reminder_delivery": "Reminder: order {number} is due soon",
    "reminder_review": "Reminder: review the delivery of order {number}",
    "reminder_missed": "Order {number} missed its deadline",
    "offer_received": "{creator} sent you a custom offer",
    "offer_accepted": "Your offer \u201c{title}\u201d was accepted",
    "offer_declined": "Your offer \u201c{title}\u201d was declined",
}


def _queue(event: str, recipient_ids, *, order_id: int | None = None, offer_id: int | None = None,
           event_id: int | None = None) -> None:
    from .tasks import send_order_email

    for recipient_id in dict.fromkeys(recipient_ids):
        kwargs = {"event": event, "recipient_id": recipient_id, "order_id": order_id, "offer_id": offer_id,
                  "event_id": event_id}
        transaction.on_commit(lambda kwargs=kwargs: send_order_email.delay(**kwargs))


def _others(order: Order, role: str) -> list[int]:
    """The side that did not act (both sides when the platform or an agent acted)."""
    if role == "brand":
        return [order.creator_id]
    if role == "creator":
        return [order.brand_id]
    return [order.brand_id, order.creator_id]


# --- Order events ---------------------------------------------------------------------------------------------
def order_status_changed(*, order: Order, event: OrderEvent) -> None:
    """Called by orders.services.orders.order_transition after every status change."""
    if event.old_status == S.DISPUTED:
        return dispute_resolved(order=order, event=event)
    handler = {
        S.PAID: order_paid, S.IN_PROGRESS: order_accepted, S.DECLINED: order_declined, S.DELIVERED: order_delivered,
        S.REVISION_REQUESTED: order_revision_requested, S.COMPLETED: order_completed,
        S.CANCELLED: order_cancelled, S.DISPUTED: order_disputed,
    }.get(event.new_status)
    if handler is not None:
        handler(order=order, event=event)


def order_paid(*, order: Order, event: OrderEvent) -> None:
    _queue("order_paid", [order.creator_id], order_id=order.pk, event_id=event.pk)


def order_accepted(*, order: Order, event: OrderEvent) -> None:
    _queue("order_accepted", [order.brand_id], order_id=order.pk, event_id=event.pk)


def order_declined(*, order: Order, event: OrderEvent) -> None:
    _queue("order_declined", [order.brand_id], order_id=order.pk, event_id=event.pk)


def order_delivered(*, order: Order, event: OrderEvent) -> None:
    _queue("order_delivered", [order.brand_id], order_id=order.pk, event_id=event.pk)


def order_revision_requested(*, order: Order, event: OrderEvent) -> None:
    _queue("order_revision_requested", [order.creator_id], order_id=order.pk, event_id=event.pk)


def order_completed(*, order: Order, event: OrderEvent) -> None:
    _queue("order_completed", _others(order, event.actor_role), order_id=order.pk, event_id=event.pk)


def order_cancelled(*, order: Order, event: OrderEvent) -> None:
    if event.old_status == S.PENDING_PAYMENT:  # the creator never saw an unpaid order
        recipients = [order.brand_id] if event.actor_role == "system" else []
    else:
        recipients = _others(order, event.actor_role)
    _queue("order_cancelled", recipients, order_id=order.pk, event_id=event.pk)


def order_cancellation_requested(*, order: Order, event: OrderEvent) -> None:
    _queue("order_cancellation_requested", _others(order, event.actor_role), order_id=order.pk, event_id=event.pk)


def order_cancellation_withdrawn(*, order: Order, event: OrderEvent) -> None:
    _queue("order_cancellation_withdrawn", _others(order, event.actor_role), order_id=order.pk, event_id=event.pk)


def order_acceptance_extended(*, order: Order, event: OrderEvent) -> None:
    _queue("order_acceptance_extended", [order.brand_id], order_id=order.pk, event_id=event.pk)


def order_disputed(*, order: Order, event: OrderEvent) -> None:
    _queue("order_disputed", _others(order, event.actor_role), order_id=order.pk, event_id=event.pk)


def dispute_resolved(*, order: Order, event: OrderEvent) -> None:
    _queue("dispute_resolved", [order.brand_id, order.creator_id], order_id=order.pk, event_id=event.pk)


def order_reminder(*, order: Order, kind: str, event: OrderEvent) -> None:
    recipient = order.brand_id if kind in ("review", "missed") else order.creator_id
    _queue(f"reminder_{kind}", [recipient], order_id=order.pk, event_id=event.pk)


# --- Offer events ---------------------------------------------------------------------------------------------
def offer_received(*, offer: CustomOffer) -> None:
    _queue("offer_received", [offer.brand_id], offer_id=offer.pk)


def offer_answered(*, offer: CustomOffer) -> None:
    _queue(f"offer_{offer.status}", [offer.creator_id], offer_id=offer.pk)


# --- Delivery (run by the task) ---------------------------------------------------------------------------------
def _order_link(order: Order) -> str:
    try:
        path = reverse("order_detail", kwargs={"order_id": order.pk})
    except NoReverseMatch:  # the order pages are not mounted (API-only deployment)
        path = f"/orders/{order.pk}/"
    return f"{settings.SITE_URL}{path}"


def _offer_link(offer: CustomOffer) -> str:
    try:
        path = reverse("offer_detail", kwargs={"offer_id": offer.pk})
    except NoReverseMatch:
        path = f"/offers/{offer.pk}/"
    return f"{settings.SITE_URL}{path}"


def deliver(*, event: str, recipient_id: int, order_id: int | None = None, offer_id: int | None = None,
            event_id: int | None = None) -> bool:
    """Renders and sends one e-mail; False when there is nobody (or nothing) to tell any more."""
    if event not in SUBJECTS:
        raise ValueError(f"unknown order e-mail {event!r}")
    recipient = User.objects.filter(pk=recipient_id, is_active=True).first()
    if recipient is None or not recipient.email:
        return False
    context = {"recipient": recipient, "site_url": settings.SITE_URL}
    fields = {}
    if order_id is not None:
        order = Order.objects.select_related("brand", "creator").filter(pk=order_id).first()
        if order is None:
            return False
        dispute = Dispute.objects.filter(order=order).first()
        timeline = OrderEvent.objects.filter(pk=event_id).first() if event_id else None
        context.update(order=order, dispute=dispute, event=timeline, link=_order_link(order),
                       items=list(order.items.all()))
        fields = {"number": order.number}
    if offer_id is not None:
        offer = CustomOffer.objects.select_related("brand", "creator").filter(pk=offer_id).first()
        if offer is None:
            return False
        context.update(offer=offer, link=_offer_link(offer))
        fields = {"title": offer.title, "creator": offer.creator.display_name}
    context["body"] = render_to_string(f"orders/email/{event}.txt", context).strip()
    subject = f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{SUBJECTS[event].format(**fields)}"
    message = EmailMultiAlternatives(subject, render_to_string("orders/email/message.txt", context),
                                     to=[recipient.email])
    message.attach_alternative(render_to_string("orders/email/message.html", context), "text/html")
    message.send()
    return True
