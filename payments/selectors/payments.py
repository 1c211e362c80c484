"""Reads of payments, payouts, saved cards and payout accounts, scoped to the actor: someone else's is absent.

Brands see the payments they made; creators see their payouts (a brand's payment can cover other creators'
orders, so creators read their money through payouts and earnings); agents and admins see everything.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, Sum

from influmojo.errors import NotFound
from influmojo.permissions import Actor
from payments.gateways.money import cents
from payments.models import ConnectedAccount, Escrow, Payment, PaymentMethod, Payout

ZERO = Decimal("0.00")
STAFF = ("agent", "admin", "system")
RECENT = 5


def _payments_visible(actor: Actor):
    if actor.role in STAFF:
        return Payment.objects.all()
    if actor.role == "brand" and actor.user is not None:
        return Payment.objects.filter(payer=actor.user)
    return Payment.objects.none()


def payment_list(*, actor: Actor, status: str | None = None):
    """The actor's payments, newest first, with their orders (escrows → order) in two more queries."""
    queryset = _payments_visible(actor).select_related("payer").prefetch_related(
        Prefetch("escrows", queryset=Escrow.objects.select_related("order").order_by("order_id")))
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("-created_at", "-id")


def payment_get(*, actor: Actor, payment_id: int) -> Payment:
    payment = payment_list(actor=actor).prefetch_related("refunds").filter(pk=payment_id).first()
    if payment is None:
        raise NotFound("Payment not found.")
    return payment


def _payouts_visible(actor: Actor):
    if actor.role in STAFF:
        return Payout.objects.all()
    if actor.role == "creator" and actor.user is not None:
        return Payout.objects.filter(creator=actor.user)
    return Payout.objects.none()


def payout_list(*, actor: Actor, status: str | None = None):
    queryset = _payouts_visible(actor).select_related("order", "creator")
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("-created_at", "-id")


def payout_get(*, actor: Actor, payout_id: int) -> Payout:
    payout = payout_list(actor=actor).filter(pk=payout_id).first()
    if payout is None:
        raise NotFound("Payout not found.")
    return payout


def payment_method_list(*, actor: Actor):
    if actor.role != "brand" or actor.user is None:
        return PaymentMethod.objects.none()
    return PaymentMethod.objects.filter(user=actor.user)


def connected_account_get(*, actor: Actor) -> ConnectedAccount | None:
    if actor.role != "creator" or actor.user is None:
        return None
    return ConnectedAccount.objects.filter(user=actor.user).first()


# --- Dashboard -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DashboardRow:
    """One currency's numbers. Brands and staff: payments (total = net of refunds). Creators: payouts
    (refunded = reversed transfers)."""

    currency: str
    total: Decimal
    pending: Decimal
    pending_count: int
    completed: Decimal
    completed_count: int
    refunded: Decimal


@dataclass(frozen=True)
class PaymentsDashboard:
    rows: list[DashboardRow]
    recent: list  # the newest payments (brands, staff) or payouts (creators)


def payments_dashboard(*, actor: Actor) -> PaymentsDashboard:
    """Totals, pending, completed and recent, in two queries whatever the number of rows."""
    if actor.role == "creator":
        return _creator_dashboard(actor)
    S = Payment.Status
    paid = Q(status__in=[S.COMPLETED, S.REFUNDED])
    waiting = Q(status__in=[S.PENDING, S.PROCESSING, S.FAILED])
    sums = (_payments_visible(actor).values("currency").order_by("currency").annotate(
        paid=Sum("amount", filter=paid), refunded=Sum("amount_refunded", filter=paid),
        pending=Sum("amount", filter=waiting), pending_count=Count("id", filter=waiting),
        completed_count=Count("id", filter=paid)))
    rows = [DashboardRow(currency=row["currency"], total=cents(row["paid"]) - cents(row["refunded"]),
                         pending=cents(row["pending"]), pending_count=row["pending_count"],
                         completed=cents(row["paid"]), completed_count=row["completed_count"],
                         refunded=cents(row["refunded"])) for row in sums]
    return PaymentsDashboard(rows=rows, recent=list(payment_list(actor=actor)[:RECENT]))


def _creator_dashboard(actor: Actor) -> PaymentsDashboard:
    S = Payout.Status
    waiting = Q(status__in=[S.BLOCKED, S.PENDING, S.FAILED])
    sums = (_payouts_visible(actor).values("currency").order_by("currency").annotate(
        total=Sum("amount", filter=~Q(status=S.REVERSED)), pending=Sum("amount", filter=waiting),
        pending_count=Count("id", filter=waiting), completed=Sum("amount", filter=Q(status=S.PAID)),
        completed_count=Count("id", filter=Q(status=S.PAID)), reversed=Sum("amount", filter=Q(status=S.REVERSED))))
    rows = [DashboardRow(currency=row["currency"], total=cents(row["total"]), pending=cents(row["pending"]),
                         pending_count=row["pending_count"], completed=cents(row["completed"]),
                         completed_count=row["completed_count"], refunded=cents(row["reversed"])) for row in sums]
    return PaymentsDashboard(rows=rows, recent=list(payout_list(actor=actor)[:RECENT]))
