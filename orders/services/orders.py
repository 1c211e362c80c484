"""An order's life after checkout: the one status door (`order_transition`) and the named moves on top of it.

Every named service locks the order, checks the move against Order.TRANSITIONS (409 for a wrong role or
state, 404 for someone else's order), adds its own rule (accept before accept_by, revisions left, the
deadline, both sides agreeing to cancel) and then goes through `order_transition`, which writes the
OrderEvent and sends the notification on commit. Money moves through payments' escrow_settle in the same
transaction: decline, cancel and auto-cancel refund the whole subtotal, approval and auto-completion refund
nothing (the creator's share is released).

Revisions: `Order.revisions_allowed` is set at checkout to the largest revision count among the order's
lines (one round of changes covers the whole delivery, so the most generous package decides; summing them
would count one round several times). A revision request moves the delivery deadline to at least
ORDER_REVIEW_DAYS from now, so the creator who delivered on time is not the one who is late.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from chat.services import messages as chat_messages
from creators.services.reviews import review_create
from influmojo.errors import Conflict, InvalidTransition, NotFound
from influmojo.permissions import Actor
from payments.models import Payment

from .. import notify
from ..models import ZERO, Order, OrderEvent, Submission
from . import deliverables, money, rules
from .common import (
    check_transition,
    clean_text,
    is_party,
    lock_unpaid_with_payment,
    locked_order,
    transition_refused,
)

S = Order.Status
NOTE_MAX_LENGTH = OrderEvent._meta.get_field("note").max_length
REASON_MAX_LENGTH = Order._meta.get_field("cancellation_reason").max_length
SYSTEM = Actor.system()


# --- The door ------------------------------------------------------------------------------------------------
@transaction.atomic
def order_transition(*, order_id: int, to: str, actor: Actor, note: str = "", changes: dict | None = None) -> Order:
    """Moves the order to `to` if Order.TRANSITIONS lets `actor.role` do it from where it stands.

    Locks the row, sets `changes` (timer columns and such) with the status, stamps finished_at when the order
    ends, records an OrderEvent (old → new, actor, role, note) and notifies the other side on commit.
    """
    order = locked_order(order_id=order_id, actor=actor)
    check_transition(order, to, actor)
    old = order.status
    fields = {"status": to, **(changes or {})}
    if to in Order.FINISHED:
        fields["finished_at"] = timezone.now()
    for name, value in fields.items():
        setattr(order, name, value)
    order.save(update_fields=[*fields, "updated_at"])
    event = OrderEvent.objects.create(
        order=order, kind=OrderEvent.Kind.STATUS, old_status=old, new_status=to, actor=actor.user,
        actor_role=actor.role, note=note[:NOTE_MAX_LENGTH],
    )
    notify.order_status_changed(order=order, event=event)
    chat_messages.message_order_event(order=order, event=event)  # the order's conversation says so (opens once paid)
    return order


def order_event_add(*, order: Order, kind: str, actor: Actor, note: str = "") -> OrderEvent:
    """A timeline entry that is not a status change (extension, cancellation request, delivery, reminder)."""
    return OrderEvent.objects.create(order=order, kind=kind, actor=actor.user, actor_role=actor.role,
                                     note=note[:NOTE_MAX_LENGTH])


def _settle(order: Order, *, refund, reason: str, actor: Actor) -> None:
    money.escrow_settle(order_id=order.pk, refund_amount=refund, reason=reason, actor=actor)


# --- Payment ---------------------------------------------------------------------------------------------------
@transaction.atomic
def order_mark_paid(*, order_id: int, payment_id: int) -> bool:
    """Payments confirmed `payment_id`: the order is paid (escrow held) and the creator's clock starts.

    Returns False and changes nothing when the order is no longer waiting for this payment (cancelled
    meanwhile, or being paid by another payment); payments then refunds that order's share itself.
    """
    order = Order.objects.select_for_update().filter(pk=order_id).first()
    if order is None or order.status != S.PENDING_PAYMENT or order.payment_id != payment_id:
        return False
    now = timezone.now()
    order_transition(
        order_id=order.pk, to=S.PAID, actor=SYSTEM, note="Payment confirmed; the funds are held.",
        changes={"paid_at": now, "accept_by": now + datetime.timedelta(hours=settings.ORDER_ACCEPT_HOURS)},
    )
    return True


def abandon_payment(order: Order, actor: Actor) -> None:
    """Cancelling an unpaid order abandons its payment; the payment's other orders stay payable (payment=None).
    The caller has locked them first (common.lock_unpaid_with_payment)."""
    if order.payment_id is None:
        return
    payment = Payment.objects.filter(pk=order.payment_id).only("id", "status").first()
    if payment.status == Payment.Status.PROCESSING:
        raise Conflict("The payment for this order is being processed; try again in a few minutes.",
                       code="payment_processing")
    if payment.status in (Payment.Status.PENDING, Payment.Status.FAILED):
        money.payment_cancel(payment_id=payment.pk, actor=actor)
        Order.objects.filter(payment_id=payment.pk, status=S.PENDING_PAYMENT).exclude(pk=order.pk).update(payment=None)


# --- The creator's answer ----------------------------------------------------------------------------------------
@transaction.atomic
def order_accept(*, order_id: int, actor: Actor) -> Order:
    """The creator takes the job (paid → in_progress) before accept_by."""
    order = locked_order(order_id=order_id, actor=actor)
    check_transition(order, S.IN_PROGRESS, actor)
    if not rules.acceptance_open(order, timezone.now()):
        raise InvalidTransition("The time to accept this order has passed.", code="acceptance_expired")
    return order_transition(order_id=order.pk, to=S.IN_PROGRESS, actor=actor, note="Accepted.",
                            changes={"accepted_at": timezone.now()})


@transaction.atomic
def order_decline(*, order_id: int, actor: Actor, reason: str = "") -> Order:
    """The creator turns the job down (paid → declined); the brand gets everything back."""
    reason = clean_text(reason, field="reason", max_length=REASON_MAX_LENGTH)
    order = locked_order(order_id=order_id, actor=actor)
    check_transition(order, S.DECLINED, actor)
    order = order_transition(order_id=order.pk, to=S.DECLINED, actor=actor, note=reason or "Declined.")
    _settle(order, refund=order.subtotal, reason="declined by the creator", actor=actor)
    return order


@transaction.atomic
def order_extend_acceptance(*, order_id: int, actor: Actor) -> Order:
    """The creator takes ORDER_ACCEPT_EXTENSION_HOURS more to decide, once, before accept_by.

    The brand never waits on this against its will: a paid order that is not accepted can always be
    cancelled by the brand for a full refund.
    """
    order = locked_order(order_id=order_id, actor=actor)
    check_transition(order, S.IN_PROGRESS, actor)  # only the creator of a paid order
    now = timezone.now()
    if order.acceptance_extended:
        raise InvalidTransition("The time to accept has already been extended once.", code="already_extended")
    if not rules.acceptance_open(order, now):
        raise InvalidTransition("The time to accept this order has passed.", code="acceptance_expired")
    order.accept_by += datetime.timedelta(hours=settings.ORDER_ACCEPT_EXTENSION_HOURS)
    order.acceptance_extended = True
    order.save(update_fields=["accept_by", "acceptance_extended", "updated_at"])
    event = order_event_add(order=order, kind=OrderEvent.Kind.EXTENSION, actor=actor,
                            note=f"Time to accept extended to {order.accept_by:%Y-%m-%d %H:%M} UTC.")
    notify.order_acceptance_extended(order=order, event=event)
    return order


# --- Delivery and review -----------------------------------------------------------------------------------------
@transaction.atomic
def order_deliver(*, order_id: int, actor: Actor, message: str = "", links=(), files=()) -> Submission:
    """The creator submits a version of the work (in_progress / revision_requested → delivered).

    The brand then has ORDER_REVIEW_DAYS to approve or ask for a revision, else it completes by itself.
    """
    order = locked_order(order_id=order_id, actor=actor)
    check_transition(order, S.DELIVERED, actor)
    submission = deliverables.submission_create(
        deliverable_id=order.deliverable_id, submitted_by=actor.user, message=message, links=links, files=files
    )
    now = timezone.now()
    order_event_add(order=order, kind=OrderEvent.Kind.DELIVERY, actor=actor,
                    note=f"Version {submission.version} submitted." + (f" {submission.message}" if submission.message
                                                                         else ""))
    order_transition(
        order_id=order.pk, to=S.DELIVERED, actor=actor, note=f"Version {submission.version} delivered.",
        changes={"delivered_at": now, "review_by": now + datetime.timedelta(days=settings.ORDER_REVIEW_DAYS)},
    )
    return submission


@transaction.atomic
def order_request_revision(*, order_id: int, actor: Actor, feedback: str) -> Order:
    """The brand asks for changes to the delivered version (delivered → revision_requested), one of the
    order's revisions; with none left it can approve, agree a cancellation or open a dispute."""
    order = locked_order(order_id=order_id, actor=actor)
    check_transition(order, S.REVISION_REQUESTED, actor)
    if order.revisions_left <= 0:
        raise InvalidTransition(
            f"All {order.revisions_allowed} revisions of this order have been used.", code="no_revisions_left",
            details={"revisions_allowed": order.revisions_allowed},
        )
    submission = deliverables.submission_decide_pending(
        deliverable_id=order.deliverable_id, decision=Submission.Decision.REVISION_REQUESTED, actor=actor,
        feedback=feedback,
    )
    deadline = max(order.deadline, timezone.now() + datetime.timedelta(days=settings.ORDER_REVIEW_DAYS))
    note = f"Revision {order.revisions_used + 1} of {order.revisions_allowed} requested on version " \
           f"{submission.version}: {submission.feedback}"
    return order_transition(
        order_id=order.pk, to=S.REVISION_REQUESTED, actor=actor, note=note,
        changes={"revisions_used": order.revisions_used + 1, "review_by": None, "deadline": deadline},
    )


@transaction.atomic
def order_approve(*, order_id: int, actor: Actor, note: str = "") -> Order:
    """The brand accepts the delivered version (delivered → completed); the creator's share is released.

    The timer calls it as the system once review_by has passed. The brand may then review the creator
    (`order_review`, a verified review).
    """
    note = clean_text(note, field="note", max_length=NOTE_MAX_LENGTH)
    order = locked_order(order_id=order_id, actor=actor)
    check_transition(order, S.COMPLETED, actor)
    deliverables.submission_decide_pending(
        deliverable_id=order.deliverable_id, decision=Submission.Decision.APPROVED, actor=actor, feedback=note
    )
    default = "Approved." if actor.role == "brand" else "Completed: the brand did not answer in time."
    order = order_transition(order_id=order.pk, to=S.COMPLETED, actor=actor, note=note or default,
                             changes={"review_by": None})
    _settle(order, refund=ZERO, reason="order completed", actor=actor)
    return order


def order_review(*, order_id: int, actor: Actor, data: dict):
    """The brand's verified review of the creator after a completed order (creators.services.reviews)."""
    order = Order.objects.filter(pk=order_id).first()
    if order is None or actor.role != "brand" or not is_party(order, actor):
        raise NotFound("Order not found.")
    if order.status != S.COMPLETED:
        raise InvalidTransition("An order can be reviewed once it is completed.", code="order_not_completed")
    return review_create(creator_id=order.creator_id, author=actor.user, data=data, order_id=order.pk)


# --- Cancellation -------------------------------------------------------------------------------------------------
@transaction.atomic
def order_cancel(*, order_id: int, actor: Actor, reason: str = "") -> Order:
    """Cancels the order, or asks the other side to agree (see orders.services.rules.cancel_kind).

    - unpaid: the brand cancels; its payment is abandoned (payments.payment_cancel);
    - paid and not yet accepted, or the delivery deadline missed: the brand cancels with a full refund;
    - in progress, delivered or in revision: either side asks; when the other side then cancels too, the
      order is cancelled by agreement with a full refund. A disputed or finished order cannot be cancelled.
    Returns the order (still active when this was only a request).
    """
    reason = clean_text(reason, field="reason", max_length=REASON_MAX_LENGTH)
    lock_unpaid_with_payment(order_ids=[order_id])
    order = locked_order(order_id=order_id, actor=actor)
    now = timezone.now()
    if actor.role == "system":
        kind = "cancel"
    else:
        kind = rules.cancel_kind(order, actor.role, getattr(actor.user, "pk", None), now)
    if kind is None:
        if order.cancellation_requested_by_id and order.cancellation_requested_by_id == getattr(actor.user, "pk", 0):
            raise InvalidTransition("You have already asked to cancel; the other side has not agreed yet.",
                                    code="cancellation_already_requested")
        if order.status == S.PAID and actor.role == "creator":
            raise InvalidTransition("Decline the order instead; the brand is refunded.", code="decline_instead")
        raise transition_refused(order, S.CANCELLED, actor)
    if kind == "request":
        order.cancellation_requested_by = actor.user
        order.cancellation_reason = reason
        order.save(update_fields=["cancellation_requested_by", "cancellation_reason", "updated_at"])
        event = order_event_add(order=order, kind=OrderEvent.Kind.CANCELLATION_REQUESTED, actor=actor,
                                note=reason or "Asked to cancel.")
        notify.order_cancellation_requested(order=order, event=event)
        return order
    if kind == "agree":
        # Both sides agreed: the platform carries it out (the table lets the system cancel from any active state).
        requested_by = "brand" if order.cancellation_requested_by_id == order.brand_id else "creator"
        note = f"Cancelled by agreement: asked by the {requested_by} ({order.cancellation_reason or 'no reason'})," \
               f" agreed by the {actor.role}" + (f": {reason}" if reason else ".")
        return cancel_paid_order(order, actor=SYSTEM, note=note, settle_actor=actor)
    if order.status == S.PENDING_PAYMENT:
        check_transition(order, S.CANCELLED, actor)
        abandon_payment(order, actor)
        return order_transition(order_id=order.pk, to=S.CANCELLED, actor=actor, note=reason or "Cancelled.")
    if order.status == S.PAID:
        note = "Cancelled before the creator accepted."
    elif rules.deadline_missed(order, now):
        note = f"Cancelled after the deadline ({order.deadline:%Y-%m-%d}) was missed."
    else:
        note = "Cancelled."
    return cancel_paid_order(order, actor=actor, note=note + (f" {reason}" if reason else ""), settle_actor=actor)


def cancel_paid_order(order: Order, *, actor: Actor, note: str, settle_actor: Actor) -> Order:
    """A paid order cancelled: the waiting version (if any) is superseded and the brand gets everything back."""
    check_transition(order, S.CANCELLED, actor)
    deliverables.submission_supersede_pending(deliverable_id=order.deliverable_id, actor=SYSTEM)
    order = order_transition(order_id=order.pk, to=S.CANCELLED, actor=actor, note=note, changes={"review_by": None})
    _settle(order, refund=order.subtotal, reason="order cancelled", actor=settle_actor)
    return order


@transaction.atomic
def order_cancel_withdraw(*, order_id: int, actor: Actor) -> Order:
    """Whoever asked to cancel takes it back; the order goes on as before."""
    order = locked_order(order_id=order_id, actor=actor)
    if not rules.can_withdraw_cancellation(order, getattr(actor.user, "pk", None)):
        raise InvalidTransition("There is no cancellation request of yours to withdraw.",
                                code="no_cancellation_request")
    order.cancellation_requested_by = None
    order.cancellation_reason = ""
    order.save(update_fields=["cancellation_requested_by", "cancellation_reason", "updated_at"])
    event = order_event_add(order=order, kind=OrderEvent.Kind.CANCELLATION_WITHDRAWN, actor=actor,
                            note="Cancellation request withdrawn.")
    notify.order_cancellation_withdrawn(order=order, event=event)
    return order
