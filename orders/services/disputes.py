"""Disputes: a brand or creator freezes an order and its funds; an agent or admin resolves it.

A disputed order is out of every timer's reach (they select orders by status) and its escrow stays held
until `dispute_resolve` settles it through payments: a full refund (order → refunded), a release to the
creator (→ completed) or a split (→ completed, the brand refunded the agreed part, the rest released with the
platform fee on the released part only). Who resolved it, when and why is kept on the dispute and in the
order's timeline.
"""

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from chat.services import conversations as chat_conversations
from influmojo.errors import ApplicationError, Conflict, InvalidTransition, NotFound
from influmojo.permissions import Actor

from ..models import ZERO, Dispute, Order
from . import deliverables, money
from .common import check_transition, clean_text, locked_order
from .orders import order_transition

S = Order.Status
DESCRIPTION_MAX_LENGTH = Dispute._meta.get_field("description").max_length
RESOLUTION_NOTE_MAX_LENGTH = Dispute._meta.get_field("resolution_note").max_length
CENT = Decimal("0.01")


@transaction.atomic
def order_dispute(*, order_id: int, actor: Actor, reason: str, description: str) -> Dispute:
    """The brand or the creator opens a dispute on an active order; it freezes where it stands."""
    if reason not in Dispute.Reason.values:
        raise ApplicationError("Choose a reason.", code="invalid_reason",
                               details={"reason": [f"One of: {', '.join(Dispute.Reason.values)}."]})
    description = clean_text(description, field="description", max_length=DESCRIPTION_MAX_LENGTH, required=True,
                             message="Describe what went wrong.")
    order = locked_order(order_id=order_id, actor=actor)
    check_transition(order, S.DISPUTED, actor)
    if Dispute.objects.filter(order=order).exists():
        raise Conflict("This order has already been disputed.", code="already_disputed")
    dispute = Dispute.objects.create(order=order, opened_by=actor.user, reason=reason, description=description,
                                     frozen_status=order.status)
    order_transition(order_id=order.pk, to=S.DISPUTED, actor=actor,
                     note=f"Dispute opened ({Dispute.Reason(reason).label}): {description}")
    return dispute


def _split_amount(value, held: Decimal) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        amount = None
    if amount is None or not amount.is_finite() or amount != amount.quantize(CENT):
        raise ApplicationError("Give the refund as an amount with at most 2 decimals.", code="invalid_amount",
                               details={"refund_amount": ["An amount, e.g. 125.50."]})
    if not ZERO < amount < held:
        message = f"A split refunds more than 0 and less than the {held} held."
        raise ApplicationError(message, code="invalid_amount", details={"refund_amount": [message]})
    return amount


@transaction.atomic
def dispute_resolve(*, dispute_id: int, actor: Actor, resolution: str, note: str,
                    refund_amount: Decimal | str | None = None) -> Dispute:
    """An agent or admin settles the dispute: refund (all back to the brand), release (all to the creator)
    or split (`refund_amount` back to the brand, 0 < amount < held; the rest to the creator)."""
    dispute = Dispute.objects.select_for_update().filter(pk=dispute_id).first()
    if dispute is None:
        raise NotFound("Dispute not found.")
    allowed = Dispute.TRANSITIONS.get((dispute.status, Dispute.Status.RESOLVED))
    if allowed is None or actor.role not in allowed:
        raise InvalidTransition(f"cannot resolve a {dispute.status} dispute as {actor.role}")
    if resolution not in Dispute.Resolution.values:
        raise ApplicationError("Choose refund, release or split.", code="invalid_resolution",
                               details={"resolution": [f"One of: {', '.join(Dispute.Resolution.values)}."]})
    note = clean_text(note, field="note", max_length=RESOLUTION_NOTE_MAX_LENGTH, required=True,
                      message="Say why (both sides will read it).")
    order = locked_order(order_id=dispute.order_id, actor=actor)
    held = order.subtotal  # the order's charge into escrow is its subtotal; nothing has left it while disputed
    if resolution == Dispute.Resolution.REFUND:
        refund, to = held, S.REFUNDED
    elif resolution == Dispute.Resolution.RELEASE:
        refund, to = ZERO, S.COMPLETED
    else:
        refund, to = _split_amount(refund_amount, held), S.COMPLETED
    check_transition(order, to, actor)
    deliverables.submission_supersede_pending(deliverable_id=order.deliverable_id, actor=actor)
    if actor.user is not None:  # the agent who decides can read (and answer in) the order's conversation
        chat_conversations.conversation_add_agent_for_order(order_id=order.pk, agent_id=actor.user.pk)
    label = Dispute.Resolution(resolution).label
    amounts = f"{refund} {order.currency} refunded, {held - refund} {order.currency} released"
    order_transition(order_id=order.pk, to=to, actor=actor, note=f"Dispute resolved — {label}: {amounts}. {note}",
                     changes={"review_by": None})
    money.escrow_settle(order_id=order.pk, refund_amount=refund, reason=f"dispute resolved: {resolution}",
                        actor=actor)
    dispute.status = Dispute.Status.RESOLVED
    dispute.resolution = resolution
    dispute.refund_amount = refund
    dispute.resolution_note = note
    dispute.resolved_by = actor.user
    dispute.resolved_at = timezone.now()
    dispute.save(update_fields=["status", "resolution", "refund_amount", "resolution_note", "resolved_by",
                                "resolved_at", "updated_at"])
    return dispute
