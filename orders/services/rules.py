"""The rules of who may do what to an order now, as pure functions of the order, the person and the time.

The services enforce them and orders.selectors.orders.order_actions lists them for pages and the API, so
the buttons a person sees and the answers they get never disagree. Role and state come from
Order.TRANSITIONS; these add the rest (deadlines, revisions left, the cancellation agreement).
"""

from ..models import Order

S = Order.Status
REVISABLE = (S.IN_PROGRESS, S.REVISION_REQUESTED)  # the creator is working: the delivery deadline runs
DISPUTABLE = (S.PAID, S.IN_PROGRESS, S.DELIVERED, S.REVISION_REQUESTED)
MUTUAL_CANCEL = (S.IN_PROGRESS, S.REVISION_REQUESTED, S.DELIVERED)


def party_role(order: Order, user) -> str | None:
    """How `user` stands to `order`: brand, creator, agent/admin (any order), or None (not theirs)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if user.pk == order.brand_id:
        return "brand"
    if user.pk == order.creator_id:
        return "creator"
    if user.is_agent:
        return user.user_type
    return None


def allowed(order: Order, to: str, role: str) -> bool:
    return role in Order.TRANSITIONS.get((order.status, to), ())


def acceptance_open(order: Order, now) -> bool:
    return order.status == S.PAID and order.accept_by is not None and now <= order.accept_by


def deadline_missed(order: Order, now) -> bool:
    """The creator has not delivered by the deadline: the brand may cancel for a full refund."""
    return order.status in REVISABLE and order.deadline < now


def cancel_kind(order: Order, role: str | None, user_id: int | None, now) -> str | None:
    """What order_cancel does for this person now.

    "cancel": it cancels at once (unpaid; paid and not yet accepted; deadline missed) — paid orders are refunded.
    "request": it asks the other side to agree. "agree": the other side asked, this cancels with a refund.
    None: cancelling is not open to them (disputed, finished, their request already waits, a creator on a
    paid order declines instead).
    """
    if role not in ("brand", "creator"):
        return None
    if order.status in (S.PENDING_PAYMENT, S.PAID):
        return "cancel" if role == "brand" else None
    if role == "brand" and deadline_missed(order, now):
        return "cancel"
    if order.status in MUTUAL_CANCEL:
        if order.cancellation_requested_by_id is None:
            return "request"
        if order.cancellation_requested_by_id != user_id:
            return "agree"
    return None


def can_withdraw_cancellation(order: Order, user_id: int | None) -> bool:
    return (user_id is not None and order.status in MUTUAL_CANCEL
            and order.cancellation_requested_by_id == user_id)


def can_extend_acceptance(order: Order, role: str | None, now) -> bool:
    return role == "creator" and acceptance_open(order, now) and not order.acceptance_extended
