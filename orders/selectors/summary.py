"""The numbers behind the dashboards' "Orders" card: what waits on the user, active orders, cart and offers."""

from django.db.models import Count, Q

from influmojo.permissions import Actor

from ..models import CustomOffer, Order
from .cart import cart_get
from .offers import offer_list
from .orders import order_list
from ..services.rules import MUTUAL_CANCEL

S = Order.Status
RECENT = 4

# What waits on each side, by status (the same moves orders.selectors.orders.order_actions offers).
WAITING = {
    "brand": {"pay": (S.PENDING_PAYMENT,), "review": (S.DELIVERED,)},
    "creator": {"accept": (S.PAID,), "deliver": (S.IN_PROGRESS, S.REVISION_REQUESTED)},
}


def dashboard_summary(user) -> dict:
    """Counts for the card: one aggregate over the user's orders, a few recent active ones (when there are),
    and for brands the cart and the offers waiting for an answer."""
    actor = Actor.of(user)
    role = actor.role
    if role not in WAITING:
        return {}
    orders = order_list(actor=actor)
    counts = {name: Count("pk", filter=Q(status__in=statuses)) for name, statuses in WAITING[role].items()}
    counts["cancellation"] = Count("pk", filter=Q(status__in=MUTUAL_CANCEL, cancellation_requested_by__isnull=False)
                                   & ~Q(cancellation_requested_by=user))
    counts["active"] = Count("pk", filter=Q(status__in=(S.PENDING_PAYMENT, *Order.ACTIVE)))
    counts["total"] = Count("pk")
    numbers = orders.order_by().aggregate(**counts)
    numbers["waiting"] = sum(numbers[name] for name in (*WAITING[role], "cancellation"))
    summary = {"role": role, "numbers": numbers,
               "recent": list(order_list(actor=actor, status="active")[:RECENT]) if numbers["active"] else []}
    if role == "brand":  # what else waits on a brand: its cart and the offers creators sent it
        summary["cart_lines"] = len(cart_get(actor=actor).lines)
        summary["offers"] = offer_list(actor=actor, status=CustomOffer.Status.PENDING).count()
    return summary
