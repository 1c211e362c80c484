"""The only writer of the journal. Each money movement is one entry whose signed lines (+ debit, − credit)
sum to zero, written in the same transaction as the status change that causes it.

    charge    cash +S (brand)            escrow −S             the brand's money arrives, held for the order
    refund    escrow +R                  cash −R (brand)        money goes back to the brand's card
    release   escrow +H                  fees −F, creator_payable −(H−F) (creator)
    transfer  creator_payable +C (creator)  cash −C             the creator's share leaves for their account
    transfer_reversal  cash +C           creator_payable −C (creator)
"""

from decimal import Decimal

from payments.models import Account, Escrow, JournalEntry, LedgerLine, Payout, Refund

CENT = Decimal("0.01")


def journal_post(*, kind: str, order_id: int, currency: str, lines: list[tuple[str, Decimal, int | None]],
                 payment_id: int | None = None, refund: Refund | None = None, payout: Payout | None = None,
                 memo: str = "") -> JournalEntry:
    """One balanced entry; `lines` are (account, signed amount, party user id). Zero lines are left out."""
    lines = [(account, Decimal(amount), party) for account, amount, party in lines if amount]
    if sum(amount for _, amount, _ in lines) != 0:
        raise ValueError(f"unbalanced {kind} entry for order {order_id}: {lines}")
    if any(amount != amount.quantize(CENT) for _, amount, _ in lines):
        raise ValueError(f"{kind} entry for order {order_id} has amounts finer than a cent: {lines}")
    entry = JournalEntry.objects.create(kind=kind, order_id=order_id, payment_id=payment_id, refund=refund,
                                        payout=payout, currency=currency, memo=memo[:200])
    LedgerLine.objects.bulk_create(
        LedgerLine(entry=entry, account=account, order_id=order_id, party_id=party, amount=amount, currency=currency)
        for account, amount, party in lines
    )
    return entry


def post_charge(*, escrow: Escrow, brand_id: int) -> JournalEntry:
    return journal_post(
        kind=JournalEntry.Kind.CHARGE, order_id=escrow.order_id, payment_id=escrow.payment_id,
        currency=escrow.currency,
        lines=[(Account.CASH, escrow.amount, brand_id), (Account.ESCROW, -escrow.amount, None)],
        memo=f"payment {escrow.payment_id}",
    )


def post_refund(*, refund: Refund, brand_id: int) -> JournalEntry:
    return journal_post(
        kind=JournalEntry.Kind.REFUND, order_id=refund.order_id, payment_id=refund.payment_id, refund=refund,
        currency=refund.currency,
        lines=[(Account.ESCROW, refund.amount, None), (Account.CASH, -refund.amount, brand_id)],
        memo=refund.reason,
    )


def post_release(*, escrow: Escrow, released: Decimal, fee: Decimal, creator_amount: Decimal,
                 creator_id: int) -> JournalEntry:
    return journal_post(
        kind=JournalEntry.Kind.RELEASE, order_id=escrow.order_id, payment_id=escrow.payment_id,
        currency=escrow.currency,
        lines=[(Account.ESCROW, released, None), (Account.FEES, -fee, None),
               (Account.CREATOR_PAYABLE, -creator_amount, creator_id)],
        memo=escrow.settle_reason,
    )


def post_transfer(*, payout: Payout) -> JournalEntry:
    return journal_post(
        kind=JournalEntry.Kind.TRANSFER, order_id=payout.order_id, payment_id=payout.payment_id, payout=payout,
        currency=payout.currency,
        lines=[(Account.CREATOR_PAYABLE, payout.amount, payout.creator_id), (Account.CASH, -payout.amount, None)],
        memo=payout.provider_transfer_id or "",
    )


def post_transfer_reversal(*, payout: Payout) -> JournalEntry:
    return journal_post(
        kind=JournalEntry.Kind.TRANSFER_REVERSAL, order_id=payout.order_id, payment_id=payout.payment_id,
        payout=payout, currency=payout.currency,
        lines=[(Account.CASH, payout.amount, None), (Account.CREATOR_PAYABLE, -payout.amount, payout.creator_id)],
        memo=payout.provider_transfer_id or "",
    )
