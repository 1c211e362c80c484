"""ledger_check: do the books balance, and do they agree with the payments, refunds and payouts they record?

Run it from a shell, a test or a periodic job; an empty `problems` list means:
- every journal entry's lines sum to zero (per currency, and in the entry's own currency);
- no hold is negative: no escrow gave back more than it received, no creator was sent more than owed, and
  the fee account only ever earns;
- each escrow was charged exactly once once its payment arrived (never before), held escrows still hold what
  was charged less refunds, and a settled or returned escrow is empty except for refunds still under way;
- cash per currency equals charges − refunds − transfers (+ reversals), both in the ledger and from the rows;
- each payment's amount_refunded is its succeeded refunds; each payout was released and transferred once.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, Sum

from payments.gateways.money import cents
from payments.models import Account, Escrow, JournalEntry, LedgerLine, Payment, Payout, Refund

ZERO = Decimal("0.00")
K = JournalEntry.Kind


@dataclass
class LedgerReport:
    problems: list[str] = field(default_factory=list)
    balances: dict = field(default_factory=dict)  # (account, currency) → balance

    @property
    def ok(self) -> bool:
        return not self.problems

    def __str__(self):
        return "the books balance" if self.ok else "; ".join(self.problems)


def ledger_check() -> LedgerReport:
    report = LedgerReport()
    problem = report.problems.append

    # 1. Every entry balances, in its own currency.
    for row in LedgerLine.objects.values("entry_id", "currency").annotate(total=Sum("amount")).order_by("entry_id"):
        if cents(row["total"]):
            problem(f"entry {row['entry_id']} does not balance in {row['currency']}: {cents(row['total'])}")
    mixed = LedgerLine.objects.exclude(currency=F("entry__currency")).values_list("entry_id", flat=True).distinct()
    for entry_id in mixed:
        problem(f"entry {entry_id} has lines in another currency than its own")

    # 2. Balances per account and currency; no negative holds.
    for row in LedgerLine.objects.values("account", "currency").annotate(total=Sum("amount")):
        report.balances[(row["account"], row["currency"])] = cents(row["total"])
    if any(total > 0 for (account, _), total in report.balances.items() if account == Account.FEES):
        problem("the fee account has given back more than it earned")
    for row in (LedgerLine.objects.filter(account=Account.CREATOR_PAYABLE).values("party_id", "currency")
                .annotate(total=Sum("amount"))):
        if cents(row["total"]) > 0:
            problem(f"creator {row['party_id']} was sent {cents(row['total'])} {row['currency']} more than they "
                    "were owed")
    escrow_balance = {
        (row["order_id"], row["entry__payment_id"]): cents(row["total"])
        for row in LedgerLine.objects.filter(account=Account.ESCROW)
        .values("order_id", "entry__payment_id").annotate(total=Sum("amount"))
    }
    for (order_id, payment_id), total in escrow_balance.items():
        if total > 0:
            problem(f"order {order_id} (payment {payment_id}): escrow gave back {total} more than it held")

    # 3. Each escrow against its entries and refunds.
    charges = {(row["order_id"], row["payment_id"]): row for row in JournalEntry.objects.filter(kind=K.CHARGE)
               .values("order_id", "payment_id").annotate(n=Count("id"))}
    charged_amounts = {(row["order_id"], row["entry__payment_id"]): cents(row["total"]) for row in LedgerLine.objects
                       .filter(entry__kind=K.CHARGE, account=Account.CASH)
                       .values("order_id", "entry__payment_id").annotate(total=Sum("amount"))}
    refunds = defaultdict(lambda: defaultdict(lambda: ZERO))
    for row in Refund.objects.values("order_id", "payment_id", "status").annotate(total=Sum("amount")):
        refunds[(row["order_id"], row["payment_id"])][row["status"]] += cents(row["total"])
    paid_statuses = (Escrow.Status.HELD, Escrow.Status.SETTLED, Escrow.Status.RETURNED)
    for escrow in Escrow.objects.all():
        key = (escrow.order_id, escrow.payment_id)
        name = f"order {escrow.order_id} (payment {escrow.payment_id})"
        count = charges.get(key, {}).get("n", 0)
        if escrow.status == Escrow.Status.AWAITING_PAYMENT:
            if count:
                problem(f"{name}: charged although its payment never arrived")
            continue
        if count != 1 or charged_amounts.get(key) != escrow.amount:
            problem(f"{name}: {count} charge(s) of {charged_amounts.get(key)} for an escrow of {escrow.amount}")
        held = -escrow_balance.get(key, ZERO)
        succeeded, pending, failed = (refunds[key][Refund.Status.SUCCEEDED], refunds[key][Refund.Status.PENDING],
                                      refunds[key][Refund.Status.FAILED])
        if escrow.status == Escrow.Status.HELD:
            expected = escrow.amount - succeeded
        else:  # settled or returned: only refunds still under way may remain
            expected = pending
            settled = escrow.status == Escrow.Status.SETTLED
            if settled and escrow.refund_amount + escrow.released_amount != escrow.amount:
                problem(f"{name}: settled {escrow.refund_amount} + {escrow.released_amount} of {escrow.amount}")
        if held != expected:
            hint = f" ({failed} in failed refunds, to retry)" if failed else ""
            problem(f"{name}: {held} {escrow.currency} in escrow, expected {expected}{hint}")
    escrow_keys = set(Escrow.objects.values_list("order_id", "payment_id"))
    for key in charges:
        if key not in escrow_keys:
            problem(f"order {key[0]} (payment {key[1]}): a charge without an escrow")

    # 4. Cash: in the ledger and from the rows, charges − refunds − transfers + reversals.
    kinds = defaultdict(lambda: ZERO)
    for row in (LedgerLine.objects.filter(account=Account.CASH).values("currency", "entry__kind")
                .annotate(total=Sum("amount"))):
        kinds[(row["currency"], row["entry__kind"])] += cents(row["total"])
    from_rows = defaultdict(lambda: ZERO)
    for row in Escrow.objects.filter(status__in=paid_statuses).values("currency").annotate(total=Sum("amount")):
        from_rows[row["currency"]] += cents(row["total"])
    for row in (Refund.objects.filter(status=Refund.Status.SUCCEEDED).values("currency")
                .annotate(total=Sum("amount"))):
        from_rows[row["currency"]] -= cents(row["total"])
    for row in (Payout.objects.filter(status=Payout.Status.PAID).values("currency")
                .annotate(total=Sum("amount"))):
        from_rows[row["currency"]] -= cents(row["total"])
    currencies = {currency for currency, _ in kinds} | set(from_rows)
    for currency in sorted(currencies):
        ledger_cash = report.balances.get((Account.CASH, currency), ZERO)
        by_kind = (kinds[(currency, K.CHARGE)] + kinds[(currency, K.REFUND)] + kinds[(currency, K.TRANSFER)]
                   + kinds[(currency, K.TRANSFER_REVERSAL)])
        if ledger_cash != by_kind or ledger_cash != from_rows[currency]:
            problem(f"cash in {currency} is {ledger_cash} in the ledger, {from_rows[currency]} from the payments, "
                    "refunds and payouts")

    # 5. Payments' refunded amounts; payouts released and transferred once.
    succeeded = {payment_id: cents(total) for payment_id, total in Refund.objects.filter(
        status=Refund.Status.SUCCEEDED).values("payment_id").annotate(total=Sum("amount"))
        .values_list("payment_id", "total")}
    for payment in Payment.objects.only("id", "amount_refunded", "status"):
        if payment.amount_refunded != succeeded.get(payment.pk, ZERO):
            problem(f"payment {payment.pk}: amount_refunded {payment.amount_refunded}, refunds "
                    f"{succeeded.get(payment.pk, ZERO)}")
    transfers = defaultdict(set)
    for payout_id, kind in JournalEntry.objects.filter(payout__isnull=False).values_list("payout_id", "kind"):
        transfers[payout_id].add(kind)
    released = dict(Escrow.objects.filter(status=Escrow.Status.SETTLED).values_list("order_id", "creator_amount"))
    for payout in Payout.objects.all():
        if released.get(payout.order_id) != payout.amount:
            problem(f"payout {payout.pk}: {payout.amount} but the release owed {released.get(payout.order_id)}")
        expected = {Payout.Status.PAID: {K.TRANSFER}, Payout.Status.REVERSED: {K.TRANSFER, K.TRANSFER_REVERSAL}}
        if transfers[payout.pk] != expected.get(payout.status, set()):
            problem(f"payout {payout.pk} is {payout.status} with entries {sorted(transfers[payout.pk])}")
    return report
