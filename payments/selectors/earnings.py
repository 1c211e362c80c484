"""Money summaries derived from the ledger: a creator's earnings, a brand's spend, the platform's fees."""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth

from influmojo.errors import PermissionDenied
from influmojo.permissions import Actor
from payments.fees import platform_fee
from payments.gateways.money import cents
from payments.models import Account, ConnectedAccount, Escrow, JournalEntry, LedgerLine, Payout

ZERO = Decimal("0.00")
K = JournalEntry.Kind


@dataclass(frozen=True)
class EarningsRow:
    currency: str
    total_earned: Decimal  # released to the creator (after the platform fee)
    paid_out: Decimal  # transferred to their account (less reversals)
    available: Decimal  # owed and not transferred yet (pending or blocked payouts)
    pending: Decimal  # still in escrow for their active orders, after the fee they will pay on it


@dataclass(frozen=True)
class CreatorEarnings:
    rows: list[EarningsRow]
    can_receive_payouts: bool
    blocked_reason: str | None  # why payouts cannot reach the creator yet, in words they can act on
    blocked_amount: dict  # currency → amount waiting for onboarding


def blocked_reason(account: ConnectedAccount | None) -> str | None:
    if account is None:
        return "Set up payouts with Stripe to receive your earnings: it takes a few minutes."
    if account.can_receive_payouts:
        return None
    if not account.details_submitted:
        return "Finish your Stripe payout setup to receive your earnings."
    if account.requirements_due:
        return f"Stripe needs more details before it can pay you: {', '.join(account.requirements_due)}."
    return "Stripe is reviewing your payout details; payouts start as soon as it enables them."


def creator_earnings(*, actor: Actor) -> CreatorEarnings:
    if actor.role != "creator" or actor.user is None:
        raise PermissionDenied("Earnings are for creator accounts.")
    user = actor.user
    by_currency: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    payable = (LedgerLine.objects.filter(account=Account.CREATOR_PAYABLE, party=user)
               .values("currency", "entry__kind").annotate(total=Sum("amount")))
    for row in payable:
        by_currency[row["currency"]][row["entry__kind"]] += cents(row["total"])
    # Held for their active orders: each escrow's balance in the ledger, less the fee due on it at release.
    held = list(Escrow.objects.filter(order__creator=user, status=Escrow.Status.HELD).select_related("order"))
    balances = {
        (row["order_id"], row["entry__payment_id"]): -cents(row["total"])
        for row in LedgerLine.objects.filter(account=Account.ESCROW, order_id__in=[e.order_id for e in held])
        .values("order_id", "entry__payment_id").annotate(total=Sum("amount"))
    }
    pending: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for escrow in held:
        amount = balances.get((escrow.order_id, escrow.payment_id), ZERO)
        order = escrow.order
        fee = order.platform_fee if amount == order.subtotal else platform_fee(amount, order.fee_rate)
        pending[escrow.currency] += amount - fee
    rows = []
    for currency in sorted(set(by_currency) | set(pending)):
        kinds = by_currency[currency]
        earned = -kinds[K.RELEASE]
        paid_out = kinds[K.TRANSFER] + kinds[K.TRANSFER_REVERSAL]  # transfers +, reversals −
        rows.append(EarningsRow(currency=currency, total_earned=earned, paid_out=paid_out,
                                available=earned - paid_out, pending=pending[currency]))
    account = ConnectedAccount.objects.filter(user=user).first()
    blocked = {currency: cents(total) for currency, total in Payout.objects.filter(
        creator=user, status=Payout.Status.BLOCKED).values("currency").annotate(total=Sum("amount"))
        .values_list("currency", "total")}
    return CreatorEarnings(rows=rows, can_receive_payouts=bool(account and account.can_receive_payouts),
                           blocked_reason=blocked_reason(account), blocked_amount=blocked)


@dataclass(frozen=True)
class SpendRow:
    currency: str
    charged: Decimal
    refunded: Decimal
    net: Decimal  # charged − refunded


def brand_spend(*, actor: Actor) -> list[SpendRow]:
    """What the brand was charged and refunded, per currency, from its cash lines."""
    if actor.role != "brand" or actor.user is None:
        raise PermissionDenied("Spend is for brand accounts.")
    sums: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    for row in (LedgerLine.objects.filter(account=Account.CASH, party=actor.user)
                .values("currency", "entry__kind").annotate(total=Sum("amount"))):
        sums[row["currency"]][row["entry__kind"]] += cents(row["total"])
    return [SpendRow(currency=currency, charged=kinds[K.CHARGE], refunded=-kinds[K.REFUND],
                     net=kinds[K.CHARGE] + kinds[K.REFUND]) for currency, kinds in sorted(sums.items())]


@dataclass(frozen=True)
class FeeMonth:
    month: datetime.date
    currency: str
    fees: Decimal
    orders: int


def platform_fee_report(*, actor: Actor, since: datetime.datetime | None = None,
                        until: datetime.datetime | None = None) -> list[FeeMonth]:
    """Fees earned per month and currency (agents and admins), newest month first."""
    if actor.role not in ("agent", "admin", "system"):
        raise PermissionDenied("The fee report is for the Influmojo team.")
    lines = LedgerLine.objects.filter(account=Account.FEES)
    if since:
        lines = lines.filter(entry__created_at__gte=since)
    if until:
        lines = lines.filter(entry__created_at__lt=until)
    rows = (lines.annotate(month=TruncMonth("entry__created_at")).values("month", "currency")
            .annotate(total=Sum("amount"), orders=Count("order", distinct=True)).order_by("-month", "currency"))
    return [FeeMonth(month=row["month"].date() if hasattr(row["month"], "date") else row["month"],
                     currency=row["currency"], fees=-cents(row["total"]), orders=row["orders"]) for row in rows]
