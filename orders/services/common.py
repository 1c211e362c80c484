"""Pieces the orders services share: locking an order the actor may see, and checking a move before acting."""

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
