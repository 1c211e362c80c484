"""The reads behind the payments pages, the API's summaries and the PDFs: a brand's receipt per payment, a
creator's statement per payout, payouts with what was released and the fee, and money per month (from the
ledger) for the charts. Everything is scoped to the actor: someone else's payment or payout is a 404.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import OuterRef, Subquery, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from influmojo.errors import Conflict
from influmojo.permissions import Actor
from orders.models import Order
from payments.gateways.money import cents
from payments.models import Account, ConnectedAccount, Escrow, Gateway, JournalEntry, LedgerLine, Payment, Payout, Refund

from .earnings import CreatorEarnings, SpendRow, brand_spend, creator_earnings
from .payments import PaymentsDashboard, payment_get, payments_dashboard, payout_get, payout_list

ZERO = Decimal("0.00")
MONTHS = 12
PAID = (Payment.Status.COMPLETED, Payment.Status.REFUNDED)


def party_name(user) -> str:
    """The company for a brand, the display name for a creator, else the person's name."""
    if user.user_type == "brand":
        profile = getattr(user, "brand_profile", None)
        if profile is not None and profile.company_name:
            return profile.company_name
    if user.user_type == "creator":
        profile = getattr(user, "creator_profile", None)
        if profile is not None and profile.display_name:
            return profile.display_name
    return user.display_name


def fee_percent(rate: Decimal) -> str:
    """0.0500 → "5", 0.0250 → "2.5"."""
    text = f"{rate * 100:.2f}"
    return text.rstrip("0").rstrip(".")


# --- A brand's receipt --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ReceiptOrder:
    order: Order
    items: list
    creator_name: str
    escrow: Escrow
    refunded: Decimal  # refunds of this order from this payment that went through


@dataclass(frozen=True)
class Receipt:
    """A receipt once the payment is paid; before that the same document is an invoice of what is due."""

    payment: Payment
    payer_name: str
    orders: list[ReceiptOrder]
    refunds: list[Refund]
    refunded: Decimal
    net: Decimal  # paid less refunds
    test_mode: bool

    @property
    def is_paid(self) -> bool:
        return self.payment.status in PAID

    @property
    def title(self) -> str:
        return "Receipt" if self.is_paid else "Invoice"

    @property
    def number(self) -> str:
        return f"{'R' if self.is_paid else 'INV'}-{self.payment.pk:06d}"

    @property
    def filename(self) -> str:
        return f"influmojo-{self.title.lower()}-{self.payment.pk}.pdf"


def payment_receipt(*, actor: Actor, payment_id: int) -> Receipt:
    """The payer's (or an agent's) receipt; a cancelled payment was never paid and has none (409)."""
    payment = payment_get(actor=actor, payment_id=payment_id)
    if payment.status == Payment.Status.CANCELLED:
        raise Conflict("This payment was cancelled and nothing was charged, so it has no receipt.",
                       code="receipt_not_available")
    escrows = list(Escrow.objects.filter(payment=payment).order_by("order_id")
                   .select_related("order__creator__creator_profile").prefetch_related("order__items"))
    refunds = list(payment.refunds.all().order_by("created_at", "id"))
    succeeded = defaultdict(lambda: ZERO)
    for refund in refunds:
        if refund.status == Refund.Status.SUCCEEDED:
            succeeded[refund.order_id] += refund.amount
    orders = [ReceiptOrder(order=escrow.order, items=list(escrow.order.items.all()),
                           creator_name=party_name(escrow.order.creator), escrow=escrow,
                           refunded=succeeded[escrow.order_id]) for escrow in escrows]
    return Receipt(payment=payment, payer_name=party_name(payment.payer),
                   orders=orders, refunds=refunds, refunded=payment.amount_refunded,
                   net=payment.amount - payment.amount_refunded, test_mode=payment.gateway == Gateway.SANDBOX)


# --- A creator's payout statement ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Statement:
    payout: Payout
    order: Order
    items: list
    creator_name: str
    brand_name: str
    subtotal: Decimal  # what the brand paid for the order
    refunded: Decimal  # returned to the brand (a split dispute)
    gross: Decimal  # released to the creator's side
    fee: Decimal  # the platform's fee on the released part
    net: Decimal  # the payout
    test_mode: bool

    @property
    def number(self) -> str:
        return f"PO-{self.payout.pk:06d}"

    @property
    def fee_percent(self) -> str:
        return fee_percent(self.order.fee_rate)

    @property
    def filename(self) -> str:
        return f"influmojo-statement-{self.payout.pk}.pdf"


def payout_statement(*, actor: Actor, payout_id: int) -> Statement:
    payout = payout_get(actor=actor, payout_id=payout_id)
    order = (Order.objects.select_related("brand__brand_profile", "creator__creator_profile")
             .prefetch_related("items").get(pk=payout.order_id))
    escrow = Escrow.objects.filter(payment_id=payout.payment_id, order_id=payout.order_id).first()
    gross = escrow.released_amount if escrow and escrow.released_amount is not None else payout.amount
    fee = escrow.fee if escrow and escrow.fee is not None else ZERO
    return Statement(payout=payout, order=order, items=list(order.items.all()), creator_name=party_name(order.creator),
                     brand_name=party_name(order.brand), subtotal=order.subtotal,
                     refunded=(escrow.refund_amount or ZERO) if escrow else ZERO, gross=gross, fee=fee,
                     net=payout.amount, test_mode=payout.payment.gateway == Gateway.SANDBOX)


def payout_rows(*, actor: Actor, status: str | None = None):
    """payout_list with each payout's released amount (gross) and platform fee, in the same query."""
    settled = Escrow.objects.filter(order_id=OuterRef("order_id"), payment_id=OuterRef("payment_id"))
    return payout_list(actor=actor, status=status).annotate(
        gross=Subquery(settled.values("released_amount")[:1]), fee=Subquery(settled.values("fee")[:1]))


# --- Money per month ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MonthTotal:
    month: datetime.date  # the first day of the month, in the current time zone
    currency: str
    amount: Decimal


def _months(count: int) -> list[datetime.date]:
    """The first days of the last `count` months, oldest first, ending with this one."""
    month = timezone.localdate().replace(day=1)
    days = []
    for _ in range(count):
        days.append(month)
        month = (month - datetime.timedelta(days=1)).replace(day=1)
    return days[::-1]


def _per_month(lines, *, sign: int, count: int) -> list[MonthTotal]:
    months = _months(count)
    sums: dict[tuple[datetime.date, str], Decimal] = defaultdict(lambda: ZERO)
    start = timezone.make_aware(datetime.datetime.combine(months[0], datetime.time.min))
    rows = (lines.filter(entry__created_at__gte=start).annotate(month=TruncMonth("entry__created_at"))
            .values("month", "currency").annotate(total=Sum("amount")).order_by())
    for row in rows:
        month = row["month"].date() if isinstance(row["month"], datetime.datetime) else row["month"]
        sums[(month, row["currency"])] += sign * cents(row["total"])
    currencies = sorted({currency for _, currency in sums})
    return [MonthTotal(month=month, currency=currency, amount=sums[(month, currency)])
            for currency in currencies for month in months]


def brand_spend_by_month(*, actor: Actor, months: int = MONTHS) -> list[MonthTotal]:
    """What the brand was charged each month (refunds are reported beside, not netted here)."""
    lines = LedgerLine.objects.filter(account=Account.CASH, party=actor.user, entry__kind=JournalEntry.Kind.CHARGE)
    return _per_month(lines, sign=1, count=months)


def creator_earnings_by_month(*, actor: Actor, months: int = MONTHS) -> list[MonthTotal]:
    """What was released to the creator each month, after the platform fee."""
    lines = LedgerLine.objects.filter(account=Account.CREATOR_PAYABLE, party=actor.user,
                                      entry__kind=JournalEntry.Kind.RELEASE)
    return _per_month(lines, sign=-1, count=months)


# --- Overviews: what a dashboard shows, in one call ---------------------------------------------------------
@dataclass(frozen=True)
class PaymentsOverview:
    role: str
    dashboard: PaymentsDashboard  # totals per currency and the newest payments (or payouts, for creators)
    spend: list[SpendRow]  # brands: charged, refunded and net per currency
    months: list[MonthTotal]  # brands: charged per month; creators: earned per month


def payments_overview(*, actor: Actor) -> PaymentsOverview:
    dashboard = payments_dashboard(actor=actor)
    if actor.role == "brand":
        return PaymentsOverview(role=actor.role, dashboard=dashboard, spend=brand_spend(actor=actor),
                                months=brand_spend_by_month(actor=actor))
    if actor.role == "creator":
        return PaymentsOverview(role=actor.role, dashboard=dashboard, spend=[],
                                months=creator_earnings_by_month(actor=actor))
    return PaymentsOverview(role=actor.role, dashboard=dashboard, spend=[], months=[])


@dataclass(frozen=True)
class EarningsOverview:
    earnings: CreatorEarnings
    account: ConnectedAccount | None
    months: list[MonthTotal]

    @property
    def onboarding(self) -> str:
        """not_started | incomplete | complete: where the creator's payout setup stands."""
        if self.account is None:
            return "not_started"
        return "complete" if self.account.can_receive_payouts else "incomplete"


def earnings_overview(*, actor: Actor) -> EarningsOverview:
    """The creator's earnings (PermissionDenied for other roles), payout account and earnings per month."""
    earnings = creator_earnings(actor=actor)
    return EarningsOverview(earnings=earnings, account=ConnectedAccount.objects.filter(user=actor.user).first(),
                            months=creator_earnings_by_month(actor=actor))



def day_bounds(*, since: datetime.date | None = None, until: datetime.date | None = None) -> dict:
    """Days as the start of that day in the current time zone (for platform_fee_report's since/until)."""

    def start(day):
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min)) if day else None

    return {"since": start(since), "until": start(until)}
