"""Who is told what about orders and offers: one function per event, each telling the recipients through the one
notification service (chat.services.notifications.notify: in-app, live, e-mail and push, per their preferences).

Each function picks the recipients and, once the transaction commits, queues orders.tasks.notify_order_event, so
nobody hears of a change that rolled back. The task writes the words from the committed order (dispute_resolve,
for one, records the resolution after it moves the order) and hands them to notify(), with a dedupe key so a retried
task tells nobody twice. Bodies are templates/orders/email/<event>.txt; titles (the e-mail subjects) are SUBJECTS.
"""

from django.db import transaction
from django.template import Context
from django.template.loader import get_template
from django.urls import NoReverseMatch, reverse

from accounts.models import User
from chat.services.notifications import notify

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
    from .tasks import notify_order_event

    for recipient_id in dict.fromkeys(recipient_ids):
        kwargs = {"event": event, "recipient_id": recipient_id, "order_id": order_id, "offer_id": offer_id,
                  "event_id": event_id}
        transaction.on_commit(lambda kwargs=kwargs: notify_order_event.delay(**kwargs))


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


# --- Telling (run by the task) ---------------------------------------------------------------------------------
def _order_path(order: Order) -> str:
    try:
        return reverse("order_detail", kwargs={"order_id": order.pk})
    except NoReverseMatch:  # the order pages are not mounted (API-only deployment)
        return f"/orders/{order.pk}/"


def _offer_path(offer: CustomOffer) -> str:
    try:
        return reverse("offer_detail", kwargs={"offer_id": offer.pk})
    except NoReverseMatch:
        return f"/offers/{offer.pk}/"


def notification_event(event: str) -> str:
    """The notification's dotted event: order_paid → order.paid, reminder_accept → order.reminder_accept."""
    if event.startswith("reminder_"):
        return f"order.{event}"
    subject, _, change = event.partition("_")
    return f"{subject}.{change}"


def _plain(template_name: str, context: dict) -> str:
    """A body template as plain text (shown in the app, pushed, e-mailed): names are not HTML-escaped."""
    return get_template(template_name).template.render(Context(context, autoescape=False)).strip()


def tell(*, event: str, recipient_id: int, order_id: int | None = None, offer_id: int | None = None,
         event_id: int | None = None) -> bool:
    """Writes one recipient's notification of `event` and hands it to notify(); False when there is nobody (or
    nothing) to tell any more."""
    if event not in SUBJECTS:
        raise ValueError(f"unknown order notification {event!r}")
    recipient = User.objects.filter(pk=recipient_id, is_active=True).first()
    if recipient is None:
        return False
    context, fields, data, path = {"recipient": recipient}, {}, {}, ""
    if order_id is not None:
        order = Order.objects.select_related("brand", "creator").filter(pk=order_id).first()
        if order is None:
            return False
        dispute = Dispute.objects.filter(order=order).first()
        timeline = OrderEvent.objects.filter(pk=event_id).first() if event_id else None
        context.update(order=order, dispute=dispute, event=timeline, items=list(order.items.all()))
        fields, path = {"number": order.number}, _order_path(order)
        data = {"order_id": order.pk, "number": order.number, "status": order.status, "subtotal": order.subtotal,
                "currency": order.currency, "brand": order.brand.display_name,
                "creator": order.creator.display_name}
    if offer_id is not None:
        offer = CustomOffer.objects.select_related("brand", "creator").filter(pk=offer_id).first()
        if offer is None:
            return False
        context.update(offer=offer)
        fields, path = {"title": offer.title, "creator": offer.creator.display_name}, _offer_path(offer)
        data = {"offer_id": offer.pk, "status": offer.status, "price": offer.price, "currency": offer.currency}
    notify(user_id=recipient.pk, type="orders", event=notification_event(event),
           title=SUBJECTS[event].format(**fields), body=_plain(f"orders/email/{event}.txt", context), url=path,
           data=data, dedupe_key=f"orders:{event}:{order_id or ''}:{offer_id or ''}:{event_id or ''}")
    return True
