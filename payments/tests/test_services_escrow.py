"""escrow_settle: refund part back to the brand, the rest released (fee at the order's rate, the creator's share
into a payout transferred once they can receive it); amounts exact to the cent; one settle per order."""

from decimal import Decimal

import pytest

from accounts.tests.factories import CreatorUserFactory
from influmojo.errors import ApplicationError, InvalidTransition
from influmojo.permissions import Actor
from payments import services
from payments.models import Account, Escrow, JournalEntry, LedgerLine, Payment, Payout, Refund
from payments.services.refunds import refund_create
from payments.tests.factories import ConnectedAccountFactory

pytestmark = pytest.mark.django_db


def lines(kind):
    return sorted(LedgerLine.objects.filter(entry__kind=kind).values_list("account", "amount", "party_id"))


def test_approval_releases_fee_and_share_and_pays_the_creator(money, brand, creator, books):
    ConnectedAccountFactory(user=creator)
    order = money.paid_order(brand=brand, creator=creator)

    escrow = money.settle(order, refund="0.00", actor=Actor.of(brand), reason="approved by the brand")

    assert (escrow.status, escrow.refund_amount, escrow.released_amount, escrow.fee, escrow.creator_amount) == (
        "settled", Decimal("0.00"), Decimal("500.00"), Decimal("25.00"), Decimal("475.00"))
    assert (escrow.settled_by, escrow.settled_by_role) == (brand, "brand")
    assert escrow.settle_reason == "approved by the brand"
    assert lines("release") == sorted([(Account.ESCROW, Decimal("500.00"), None),
                                       (Account.FEES, Decimal("-25.00"), None),
                                       (Account.CREATOR_PAYABLE, Decimal("-475.00"), creator.pk)])
    payout = Payout.objects.get()
    assert (payout.status, payout.amount, payout.creator, payout.order_id) == ("paid", Decimal("475.00"), creator,
                                                                               order.pk)
    assert payout.provider_transfer_id == f"tr_sandbox_{payout.pk}" and payout.paid_at
    assert lines("transfer") == sorted([(Account.CREATOR_PAYABLE, Decimal("475.00"), creator.pk),
                                        (Account.CASH, Decimal("-475.00"), None)])
    assert not Refund.objects.exists()
    books()


def test_a_creator_without_a_payout_account_is_paid_once_onboarded(money, brand, creator, books):
    order = money.paid_order(brand=brand, creator=creator)

    money.settle(order)
    assert Payout.objects.get().status == "blocked"
    books()

    ConnectedAccountFactory(user=creator, details_submitted=False, payouts_enabled=False)
    with money.commit():
        services.connected_account_apply_status(
            gateway="sandbox", status=services.connect.AccountStatus(
                id=f"acct_sandbox_{creator.pk}", details_submitted=True, charges_enabled=True, payouts_enabled=True))

    assert Payout.objects.get().status == "paid"
    books()


def test_a_full_refund_goes_back_to_the_card_and_releases_nothing(money, brand, creator, books):
    order = money.paid_order(brand=brand, creator=creator)

    money.settle(order, refund="500.00", actor=Actor.of(creator), reason="declined by the creator")

    refund = Refund.objects.get()
    assert (refund.amount, refund.status, refund.provider_refund_id, refund.requested_by) == (
        Decimal("500.00"), "succeeded", f"re_sandbox_{refund.pk}", creator)
    assert lines("refund") == sorted([(Account.ESCROW, Decimal("500.00"), None),
                                      (Account.CASH, Decimal("-500.00"), brand.pk)])
    payment = Payment.objects.get()
    assert (payment.status, payment.amount_refunded) == ("refunded", Decimal("500.00"))
    assert not Payout.objects.exists() and not JournalEntry.objects.filter(kind="release").exists()
    books()


@pytest.mark.parametrize(("subtotal", "refund", "fee", "share"), [
    ("500.00", "200.00", "15.00", "285.00"),
    ("333.33", "0.01", "16.67", "316.65"),  # 333.32 × 5 % = 16.666 → 16.67, half up to the cent
    ("0.03", "0.02", "0.00", "0.01"),
    ("1000.00", "999.99", "0.00", "0.01"),
])
def test_a_split_is_exact_to_the_cent(money, brand, creator, books, subtotal, refund, fee, share):
    ConnectedAccountFactory(user=creator)
    order = money.paid_order(brand=brand, creator=creator, subtotal=subtotal)

    escrow = money.settle(order, refund=refund, actor=Actor.system())

    assert (escrow.fee, escrow.creator_amount) == (Decimal(fee), Decimal(share))
    assert escrow.refund_amount + escrow.fee + escrow.creator_amount == Decimal(subtotal)
    assert Refund.objects.get().amount == Decimal(refund)
    assert Payout.objects.get().amount == Decimal(share)
    books()


def test_the_fee_shown_at_checkout_is_the_fee_taken_on_a_full_release(money, brand, creator, books):
    ConnectedAccountFactory(user=creator)
    order = money.paid_order(brand=brand, creator=creator, subtotal="999.99")  # 49.9995 → 50.00
    type(order).objects.filter(pk=order.pk).update(platform_fee=Decimal("50.00"), fee_rate=Decimal("0.0500"))

    escrow = money.settle(order)

    assert (escrow.fee, escrow.creator_amount) == (Decimal("50.00"), Decimal("949.99"))
    books()


def test_a_second_settle_is_refused_and_changes_nothing(money, brand, creator, books):
    order = money.paid_order(brand=brand, creator=creator)
    money.settle(order)

    with pytest.raises(InvalidTransition) as caught:
        money.settle(order, refund="500.00")

    assert (caught.value.status, caught.value.code) == (409, "already_settled")
    assert JournalEntry.objects.filter(kind="release").count() == 1 and not Refund.objects.exists()
    books()


def test_an_order_never_paid_settles_nothing(money, brand, creator):
    order = money.order(brand=brand, creator=creator)
    money.start(brand, order)

    assert money.settle(order, refund="500.00") is None
    assert not JournalEntry.objects.exists() and not Refund.objects.exists()


@pytest.mark.parametrize(("refund", "code"), [("500.01", "refund_exceeds_held"), ("-1.00", "refund_exceeds_held"),
                                              ("1.005", "invalid_amount"), ("NaN", "invalid_amount"),
                                              ("lots", "invalid_amount")])
def test_refunds_beyond_what_is_held_or_not_in_cents_are_refused(money, brand, creator, refund, code):
    order = money.paid_order(brand=brand, creator=creator)

    with pytest.raises(ApplicationError) as caught:
        services.escrow_settle(order_id=order.pk, refund_amount=refund, reason="x", actor=Actor.system())

    assert caught.value.code == code
    assert Escrow.objects.get().status == "held" and not Refund.objects.exists()


def test_floats_are_refused(money, brand, creator):
    order = money.paid_order(brand=brand, creator=creator)

    with pytest.raises(TypeError):
        services.escrow_settle(order_id=order.pk, refund_amount=0.1, reason="x", actor=Actor.system())


def test_refunds_of_one_payment_never_exceed_it(money, brand, creator, books):
    first = money.order(brand=brand, creator=creator, subtotal="500.00")
    second = money.order(brand=brand, creator=CreatorUserFactory(), subtotal="250.00")
    money.pay(money.start(brand, first, second))

    money.settle(first, refund="500.00")
    assert Payment.objects.get().status == "completed"  # the other order is still held
    payment = Payment.objects.get()
    escrow = Escrow.objects.get(order=first)
    with pytest.raises(ApplicationError, match="more than the 0.00 USD held"):
        refund_create(payment=payment, escrow=escrow, amount=Decimal("0.01"), reason="again", actor=Actor.system())
    money.settle(second, refund="250.00")

    payment.refresh_from_db()
    assert (payment.status, payment.amount_refunded) == ("refunded", Decimal("750.00"))
    books()


def test_every_role_that_finishes_an_order_may_settle_it(money, brand, creator, agent):
    for actor in (Actor.of(brand), Actor.of(creator), Actor.of(agent), Actor.system()):
        order = money.paid_order(brand=brand, creator=creator)
        assert money.settle(order, actor=actor).settled_by_role == actor.role
