"""Reads of orders, scoped to the actor: a brand sees the orders it placed, a creator the orders it received
once they are paid (an unpaid checkout is only the brand's business), agents and admins all of them.
Anyone else's order is as absent as a missing one (404).
"""

from django.db.models import Case, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from creators.models import Review
from influmojo.errors import NotFound, PermissionDenied
from influmojo.permissions import Actor
from payments.models import Payment

from ..models import Dispute, Order, OrderEvent, OrderItem, Submission
from ..services import rules

S = Order.Status
STATUS_GROUPS = {"active": (S.PENDING_PAYMENT, *Order.ACTIVE), "finished": Order.FINISHED}
STATUS_FILTERS = [*S.values, *STATUS_GROUPS]  # what order_list's `status` accepts
AGENT_ROLES = ("agent", "admin")


def order_scope(*, actor: Actor) -> QuerySet[Order]:
    if actor.role in AGENT_ROLES:
        return Order.objects.all()
    if actor.role == "brand":
        return Order.objects.filter(brand=actor.user)
    if actor.role == "creator":
        return Order.objects.filter(creator=actor.user, paid_at__isnull=False)
    return Order.objects.none()


def order_list(*, actor: Actor, status: str | None = None, q: str | None = None, brand_id: int | None = None,
               creator_id: int | None = None) -> QuerySet[Order]:
    """The actor's orders, newest first, with both parties and the lines (a constant number of queries).

    status: one status, or "active" / "finished". q: part of the order number or of a line's title.
    brand_id / creator_id narrow an agent's list (a brand or creator sees one side of their orders anyway:
    account types are exclusive, so there is no separate "side" filter).
    """
    orders = order_scope(actor=actor)
    if status in STATUS_GROUPS:
        orders = orders.filter(status__in=STATUS_GROUPS[status])
    elif status:
        orders = orders.filter(status=status)
    if q:
        q = q.strip()
        titled = OrderItem.objects.filter(order=OuterRef("pk"), title__icontains=q)
        orders = orders.filter(Q(number__icontains=q) | Exists(titled))
    if brand_id is not None:
        orders = orders.filter(brand_id=brand_id)
    if creator_id is not None:
        orders = orders.filter(creator_id=creator_id)
    return (
        orders.select_related("brand__brand_profile", "creator__creator_profile")
        .prefetch_related("items")
        .order_by("-created_at", "-id")
    )


def order_get(*, order_id: int, actor: Actor) -> Order:
    """One order with everything its page shows: lines, attachments, timeline, dispute, payment and every
    delivered version with its files (prefetched)."""
    order = (
        order_scope(actor=actor)
        .select_related("brand__brand_profile", "creator__creator_profile", "payment", "dispute",
                        "cancellation_requested_by", "deliverable")
        .prefetch_related(
            "items", "attachments", Prefetch("events", queryset=OrderEvent.objects.select_related("actor")),
            Prefetch("deliverable__submissions", queryset=Submission.objects.select_related(
                "submitted_by", "decided_by").prefetch_related("files").order_by("version")),
        )
        .filter(pk=order_id)
        .first()
    )
    if order is None:
        raise NotFound("Order not found.")
    return order


def order_events(*, order_id: int, actor: Actor) -> QuerySet[OrderEvent]:
    """The order's timeline, oldest first."""
    if not order_scope(actor=actor).filter(pk=order_id).exists():
        raise NotFound("Order not found.")
    return OrderEvent.objects.filter(order_id=order_id).select_related("actor").order_by("created_at", "id")


def order_submissions(*, order_id: int, actor: Actor) -> QuerySet[Submission]:
    """Every delivered version of the order, oldest first, with files."""
    from .deliverables import submission_list

    deliverable_id = order_scope(actor=actor).filter(pk=order_id).values_list("deliverable_id", flat=True).first()
    if deliverable_id is None:
        raise NotFound("Order not found.")
    return submission_list(deliverable_id=deliverable_id)


def order_actions(order: Order, user, *, now=None) -> list[str]:
    """What `user` may do to `order` now, by the rules the services enforce (orders.services.rules).

    Names: pay, accept, decline, extend, deliver, request_revision, approve, cancel (at once),
    request_cancellation, agree_cancellation, withdraw_cancellation, dispute, review, resolve_dispute.
    Pass an order from order_get (its payment is already loaded); "review" costs one query.
    """
    now = now or timezone.now()
    role = rules.party_role(order, user)
    if role is None:
        return []
    actions = []
    if role in AGENT_ROLES:
        return ["resolve_dispute"] if order.status == S.DISPUTED else []
    if order.status == S.PENDING_PAYMENT and role == "brand":
        if order.payment_id is None or order.payment.status != Payment.Status.PROCESSING:
            actions.append("pay")
    if role == "creator" and rules.acceptance_open(order, now):
        actions += ["accept", "decline"]
        if rules.can_extend_acceptance(order, role, now):
            actions.append("extend")
    if rules.allowed(order, S.DELIVERED, role):
        actions.append("deliver")
    if rules.allowed(order, S.REVISION_REQUESTED, role) and order.revisions_left > 0:
        actions.append("request_revision")
    if role == "brand" and rules.allowed(order, S.COMPLETED, role):
        actions.append("approve")
    kind = rules.cancel_kind(order, role, user.pk, now)
    if kind == "cancel":
        actions.append("cancel")
    elif kind == "request":
        actions.append("request_cancellation")
    elif kind == "agree":
        actions.append("agree_cancellation")
    if rules.can_withdraw_cancellation(order, user.pk):
        actions.append("withdraw_cancellation")
    if rules.allowed(order, S.DISPUTED, role):
        actions.append("dispute")
    if role == "brand" and order.status == S.COMPLETED and not Review.objects.filter(order_id=order.pk).exists():
        actions.append("review")
    return actions


# --- Disputes (agents) -------------------------------------------------------------------------------------------
def dispute_queue(*, actor: Actor, status: str | None = None) -> QuerySet[Dispute]:
    """Disputes for agents: open ones first, each group oldest (waiting longest) first."""
    if actor.role not in AGENT_ROLES:
        raise PermissionDenied("Only agents and admins handle disputes.")
    disputes = Dispute.objects.select_related("order__brand", "order__creator", "opened_by", "resolved_by")
    if status:
        disputes = disputes.filter(status=status)
    is_open = Case(When(status=Dispute.Status.OPEN, then=Value(0)), default=Value(1), output_field=IntegerField())
    return disputes.annotate(is_open=is_open).order_by("is_open", "created_at", "id")
