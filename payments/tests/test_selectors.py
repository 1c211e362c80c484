"""Reads scoped to the actor, money summaries derived from the ledger, and ledger_check itself (it must catch
books that do not balance, or it proves nothing)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.tests.factories import BrandUserFactory, CreatorUserFactory
from influmojo.errors import NotFound, PermissionDenied
from influmojo.permissions import Actor
from payments import selectors
from payments.models import JournalEntry, LedgerLine, Payment, Payout, Refund
from payments.tests.factories import ConnectedAccountFactory

pytestmark = pytest.mark.django_db


def test_payments_are_the_payers_and_the_teams(money, brand, creator, agent):
    mine = money.start(brand, money.order(brand=brand, creator=creator))
    other_brand = BrandUserFactory()
    theirs = money.start(other_brand, money.order(brand=other_brand, creator=creator))

    assert list(selectors.payment_list(actor=Actor.of(brand))) == [mine]
    assert selectors.payment_get(actor=Actor.of(brand), payment_id=mine.pk) == mine
    assert set(selectors.payment_list(actor=Actor.of(agent))) == {mine, theirs}
    for actor in (Actor.of(brand), Actor.of(creator)):
        with pytest.raises(NotFound):
            selectors.payment_get(actor=actor, payment_id=theirs.pk)
    assert not selectors.payment_list(actor=Actor.of(creator)).exists()


def test_payouts_are_the_creators(money, brand, creator):
    money.settle(money.paid_order(brand=brand, creator=creator))
    payout = Payout.objects.get()

    assert list(selectors.payout_list(actor=Actor.of(creator))) == [payout]
    for actor in (Actor.of(CreatorUserFactory()), Actor.of(brand)):
        with pytest.raises(NotFound):
            selectors.payout_get(actor=actor, payout_id=payout.pk)


def test_payment_list_reads_the_same_number_of_queries_for_1_and_25(money, brand, creator, django_assert_num_queries):
    def read():
        for payment in selectors.payment_list(actor=Actor.of(brand)):
            [escrow.order.number for escrow in payment.escrows.all()]

    money.start(brand, money.order(brand=brand, creator=creator))
    with django_assert_num_queries(2):
        read()
    for _ in range(24):
        money.start(brand, money.order(brand=brand, creator=creator), money.order(brand=brand, creator=creator))
    with django_assert_num_queries(2):
        read()


def test_the_brands_dashboard(money, brand, creator, django_assert_max_num_queries):
    paid = money.pay(money.start(brand, money.order(brand=brand, creator=creator, subtotal="500.00")))
    money.start(brand, money.order(brand=brand, creator=creator, subtotal="80.00"))
    refunded = money.paid_order(brand=brand, creator=creator, subtotal="120.00")
    money.settle(refunded, refund="20.00")

    with django_assert_max_num_queries(4):
        dashboard = selectors.payments_dashboard(actor=Actor.of(brand))

    (row,) = dashboard.rows
    assert (row.currency, row.completed, row.completed_count, row.refunded, row.total) == (
        "USD", Decimal("620.00"), 2, Decimal("20.00"), Decimal("600.00"))
    assert (row.pending, row.pending_count) == (Decimal("80.00"), 1)
    assert len(dashboard.recent) == 3 and paid in dashboard.recent


def test_creator_earnings_come_from_the_ledger(money, brand, creator):
    held = money.paid_order(brand=brand, creator=creator, subtotal="200.00")  # still in escrow
    blocked = money.paid_order(brand=brand, creator=creator, subtotal="500.00")
    money.settle(blocked)  # released, not onboarded yet: 475 available, blocked

    earnings = selectors.creator_earnings(actor=Actor.of(creator))

    (row,) = earnings.rows
    assert (row.total_earned, row.paid_out, row.available, row.pending) == (
        Decimal("475.00"), Decimal("0.00"), Decimal("475.00"), Decimal("190.00"))
    assert not earnings.can_receive_payouts and "Set up payouts" in earnings.blocked_reason
    assert earnings.blocked_amount == {"USD": Decimal("475.00")}

    ConnectedAccountFactory(user=creator)
    with money.commit():
        from payments.services.payouts import payouts_unblock

        payouts_unblock(user_id=creator.pk)
    money.settle(held, refund="50.00")  # 150 released: fee 7.50, share 142.50, paid at once

    (row,) = selectors.creator_earnings(actor=Actor.of(creator)).rows
    assert (row.total_earned, row.paid_out, row.available, row.pending) == (
        Decimal("617.50"), Decimal("617.50"), Decimal("0.00"), Decimal("0.00"))
    assert selectors.creator_earnings(actor=Actor.of(creator)).blocked_reason is None


def test_blocked_reasons_say_what_to_do():
    from payments.selectors.earnings import blocked_reason

    account = ConnectedAccountFactory.build(details_submitted=False, payouts_enabled=False)
    assert blocked_reason(account) == "Finish your Stripe payout setup to receive your earnings."
    account = ConnectedAccountFactory.build(payouts_enabled=False, requirements_due=["external_account"])
    assert blocked_reason(account) == "Stripe needs more details before it can pay you: external_account."


def test_brand_spend_is_charges_less_refunds(money, brand, creator):
    money.paid_order(brand=brand, creator=creator, subtotal="500.00")
    refunded = money.paid_order(brand=brand, creator=creator, subtotal="300.00")
    money.settle(refunded, refund="300.00")
    money.paid_order(brand=BrandUserFactory(), creator=creator, subtotal="999.00")  # someone else's

    (row,) = selectors.brand_spend(actor=Actor.of(brand))

    assert (row.charged, row.refunded, row.net) == (Decimal("800.00"), Decimal("300.00"), Decimal("500.00"))


def test_summaries_are_for_their_role(brand, creator):
    with pytest.raises(PermissionDenied):
        selectors.creator_earnings(actor=Actor.of(brand))
    with pytest.raises(PermissionDenied):
        selectors.brand_spend(actor=Actor.of(creator))
    with pytest.raises(PermissionDenied):
        selectors.platform_fee_report(actor=Actor.of(brand))


def test_the_fee_report_sums_fees_per_month(money, brand, creator, agent):
    for subtotal in ("500.00", "100.00"):
        money.settle(money.paid_order(brand=brand, creator=creator, subtotal=subtotal))
    last_month = money.paid_order(brand=brand, creator=creator, subtotal="1000.00")
    money.settle(last_month)
    JournalEntry.objects.filter(kind="release", order=last_month).update(
        created_at=timezone.now() - datetime.timedelta(days=40))

    rows = selectors.platform_fee_report(actor=Actor.of(agent))

    assert [(row.currency, row.fees, row.orders) for row in rows] == [("USD", Decimal("30.00"), 2),
                                                                      ("USD", Decimal("50.00"), 1)]
    assert rows[0].month > rows[1].month


# --- ledger_check catches what is wrong --------------------------------------------------------------------
@pytest.fixture
def settled_books(money, brand, creator):
    ConnectedAccountFactory(user=creator)
    money.settle(money.paid_order(brand=brand, creator=creator, subtotal="500.00"), refund="100.00")
    assert selectors.ledger_check().ok
    return Payment.objects.get()


def test_an_unbalanced_entry_is_caught(settled_books):
    line = LedgerLine.objects.filter(entry__kind="release", account="fees").get()
    LedgerLine.objects.filter(pk=line.pk).update(amount=Decimal("-19.99"))

    report = selectors.ledger_check()

    assert not report.ok and f"entry {line.entry_id} does not balance in USD: 0.01" in report.problems


def test_a_missing_refund_entry_is_caught(settled_books):
    entry = JournalEntry.objects.get(kind="refund")
    LedgerLine.objects.filter(entry=entry).delete()
    entry.delete()

    assert any("in escrow, expected" in problem for problem in selectors.ledger_check().problems)


def test_a_payment_whose_refunds_drifted_is_caught(settled_books):
    Payment.objects.filter(pk=settled_books.pk).update(amount_refunded=Decimal("0.00"))

    assert f"payment {settled_books.pk}: amount_refunded 0.00, refunds 100.00" in selectors.ledger_check().problems


def test_cash_that_disagrees_with_the_rows_is_caught(settled_books):
    Refund.objects.update(status="pending")

    assert any(problem.startswith("cash in USD") for problem in selectors.ledger_check().problems)


def test_a_double_transfer_is_caught(settled_books):
    payout = Payout.objects.get()
    Payout.objects.filter(pk=payout.pk).update(amount=Decimal("1.00"))

    assert any(problem.startswith(f"payout {payout.pk}: 1.00") for problem in selectors.ledger_check().problems)
