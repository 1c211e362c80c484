"""Pieces the orders services share: locking an order the actor may see, and checking a move before acting."""

from django.db.models import Q

from influmojo.errors import ApplicationError, InvalidTransition, NotFound
from influmojo.permissions import Actor

from ..models import Order
from . import rules


def is_party(order: Order, actor: Actor) -> bool:
    """The system, agents and admins act on any order; a brand or creator only on their own."""
    if actor.role in ("system", "agent", "admin"):
        return True
    user_id = getattr(actor.user, "pk", None)
    return (actor.role == "brand" and order.brand_id == user_id) or (
        actor.role == "creator" and order.creator_id == user_id and order.paid_at is not None
    )  # a creator hears of an order once it is paid (orders.selectors.orders.order_scope)


def locked_order(*, order_id: int, actor: Actor) -> Order:
    """The order, locked for this transaction; someone else's order is as absent as a missing one (404)."""
    order = Order.objects.select_for_update().filter(pk=order_id).first()
    if order is None or not is_party(order, actor):
        raise NotFound("Order not found.")
    return order


def lock_unpaid_with_payment(*, order_ids) -> None:
    """Before an unpaid order's payment is touched: lock the orders and every other unpaid order of their
    payments, in id order. payments' webhook locks a payment's orders in id order and then the payment, so
    taking the same rows in the same order here (and the payment only afterwards) cannot deadlock with it."""
    rows = Order.objects.filter(pk__in=list(order_ids), status=Order.Status.PENDING_PAYMENT,
                                payment_id__isnull=False)
    payment_ids = list(rows.values_list("payment_id", flat=True))
    if payment_ids:
        siblings = Order.objects.filter(Q(pk__in=list(order_ids)) | Q(payment_id__in=payment_ids))
        list(siblings.select_for_update().order_by("pk").values_list("pk", flat=True))


def transition_refused(order: Order, to: str, actor: Actor) -> InvalidTransition:
    return InvalidTransition(
        f"cannot move order {order.number} from {order.status} to {to} as {actor.role}",
        details={"status": order.status, "to": to, "role": actor.role},
    )


def check_transition(order: Order, to: str, actor: Actor) -> None:
    """409 unless Order.TRANSITIONS lets this role make this move from the order's status."""
    if not rules.allowed(order, to, actor.role):
        raise transition_refused(order, to, actor)


def clean_text(value: str | None, *, field: str, max_length: int, required: bool = False,
               message: str = "Required.") -> str:
    value = (value or "").strip()
    if required and not value:
        raise ApplicationError(message, code=f"{field}_required", details={field: [message]})
    if len(value) > max_length:
        text = f"At most {max_length} characters."
        raise ApplicationError(text, code=f"{field}_too_long", details={field: [text]})
    return value
