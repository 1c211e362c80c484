"""orders.services.orders and disputes: every move of an order, each refused move, the wrong actor, and the
money each move asks payments for (escrow_settle's refund)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.tests.factories import AgentFactory, BrandUserFactory, CreatorUserFactory
from creators.models import Review
from influmojo.errors import ApplicationError, Conflict, InvalidTransition, NotFound
from influmojo.permissions import Actor
from orders.models import Dispute, Order, OrderEvent, Submission
from orders.services import disputes, orders
from orders.tests.conftest import order_in
from payments.models import Payment

pytestmark = pytest.mark.django_db
S = Order.Status


def brand_of(order):
    return Actor.of(order.brand)


def creator_of(order):
    return Actor.of(order.creator)


def events(order) -> list[tuple[str, str, str]]:
    return list(order.events.filter(kind=OrderEvent.Kind.STATUS).values_list("old_status", "new_status", "actor_role"))


# --- Paid ------------------------------------------------------------------------------------------------------
def test_mark_paid_starts_the_creators_clock(settings):
    order = order_in(S.PENDING_PAYMENT)
    payment = Payment.objects.create(payer=order.brand, gateway="sandbox", amount=order.subtotal, currency="USD",
                                     idempotency_key="k1")
    Order.objects.filter(pk=order.pk).update(payment=payment)

    assert orders.order_mark_paid(order_id=order.pk, payment_id=payment.pk) is True

    order.refresh_from_db()
    assert order.status == S.PAID and order.paid_at is not None
    assert order.accept_by - order.paid_at == datetime.timedelta(hours=settings.ORDER_ACCEPT_HOURS)
    assert events(order) == [(S.PENDING_PAYMENT, S.PAID, "system")]


def test_mark_paid_twice_or_for_another_payment_changes_nothing():
    order = order_in(S.PENDING_PAYMENT)
    payment = Payment.objects.create(payer=order.brand, gateway="sandbox", amount=order.subtotal, currency="USD",
                                     idempotency_key="k2")
    other = Payment.objects.create(payer=order.brand, gateway="sandbox", amount=order.subtotal, currency="USD",
                                   idempotency_key="k3")
    Order.objects.filter(pk=order.pk).update(payment=payment)

    assert orders.order_mark_paid(order_id=order.pk, payment_id=other.pk) is False
    assert orders.order_mark_paid(order_id=order.pk, payment_id=payment.pk) is True
    assert orders.order_mark_paid(order_id=order.pk, payment_id=payment.pk) is False
    assert order.events.count() == 1


def test_mark_paid_of_a_cancelled_order_is_refused_so_payments_refunds_it():
    order = order_in(S.CANCELLED, paid_at=None, accept_by=None)

    assert orders.order_mark_paid(order_id=order.pk, payment_id=1) is False


# --- Accept, decline, extend ---------------------------------------------------------------------------------------
def test_the_creator_accepts_a_paid_order(payments):
    order = order_in(S.PAID)

    orders.order_accept(order_id=order.pk, actor=creator_of(order))

    order.refresh_from_db()
    assert order.status == S.IN_PROGRESS and order.accepted_at is not None
    assert events(order)[-1] == (S.PAID, S.IN_PROGRESS, "creator")
    assert payments.settled == []


def test_accepting_after_accept_by_is_refused():
    order = order_in(S.PAID, accept_by=timezone.now() - datetime.timedelta(minutes=1))

    with pytest.raises(InvalidTransition) as refused:
        orders.order_accept(order_id=order.pk, actor=creator_of(order))

    assert refused.value.code == "acceptance_expired"


def test_declining_refunds_the_whole_subtotal(payments):
    order = order_in(S.PAID)

    orders.order_decline(order_id=order.pk, actor=creator_of(order), reason="Fully booked")

    order.refresh_from_db()
    assert order.status == S.DECLINED and order.finished_at is not None
    assert payments.settled == [(order.pk, Decimal("500.00"), "declined by the creator", "creator")]
    assert order.events.last().note == "Fully booked"


def test_acceptance_is_extended_once(settings):
    order = order_in(S.PAID)
    before = order.accept_by

    orders.order_extend_acceptance(order_id=order.pk, actor=creator_of(order))

    order.refresh_from_db()
    assert order.accept_by - before == datetime.timedelta(hours=settings.ORDER_ACCEPT_EXTENSION_HOURS)
    assert order.events.filter(kind=OrderEvent.Kind.EXTENSION).count() == 1
    with pytest.raises(InvalidTransition) as refused:
        orders.order_extend_acceptance(order_id=order.pk, actor=creator_of(order))
    assert refused.value.code == "already_extended"


def test_the_brand_cannot_extend_the_creators_time():
    order = order_in(S.PAID)

    with pytest.raises(InvalidTransition):
        orders.order_extend_acceptance(order_id=order.pk, actor=brand_of(order))


# --- Delivery, revision, approval ----------------------------------------------------------------------------------
def test_a_delivery_opens_the_review_window(settings):
    order = order_in(S.IN_PROGRESS)

    submission = orders.order_deliver(order_id=order.pk, actor=creator_of(order), message="Draft 1",
                                      links=["https://instagram.com/reel/abc"])

    order.refresh_from_db()
    assert order.status == S.DELIVERED and submission.version == 1
    assert order.review_by - order.delivered_at == datetime.timedelta(days=settings.ORDER_REVIEW_DAYS)
    assert list(order.events.values_list("kind", flat=True))[-2:] == [OrderEvent.Kind.DELIVERY, OrderEvent.Kind.STATUS]


def test_revisions_are_limited_by_the_orders_allowance():
    order = order_in(S.IN_PROGRESS, revisions_allowed=1)
    brand, creator = brand_of(order), creator_of(order)

    orders.order_deliver(order_id=order.pk, actor=creator, links=["https://x.test/1"])
    orders.order_request_revision(order_id=order.pk, actor=brand, feedback="Brighter, please")
    orders.order_deliver(order_id=order.pk, actor=creator, links=["https://x.test/2"])
    with pytest.raises(InvalidTransition) as refused:
        orders.order_request_revision(order_id=order.pk, actor=brand, feedback="Again")

    order.refresh_from_db()
    assert refused.value.code == "no_revisions_left"
    assert (order.status, order.revisions_used) == (S.DELIVERED, 1)
    versions = list(order.deliverable.submissions.values_list("version", "decision", "feedback"))
    assert versions == [(1, "revision_requested", "Brighter, please"), (2, "pending", "")]


def test_a_revision_needs_feedback():
    order = order_in(S.DELIVERED)

    with pytest.raises(ApplicationError) as refused:
        orders.order_request_revision(order_id=order.pk, actor=brand_of(order), feedback="  ")

    assert refused.value.code == "feedback_required"
    order.refresh_from_db()
    assert order.status == S.DELIVERED


def test_a_late_revision_leaves_the_creator_time_to_deliver(settings):
    order = order_in(S.DELIVERED, deadline=timezone.now() + datetime.timedelta(hours=1))

    orders.order_request_revision(order_id=order.pk, actor=brand_of(order), feedback="Change the music")

    order.refresh_from_db()
    assert order.deadline >= timezone.now() + datetime.timedelta(days=settings.ORDER_REVIEW_DAYS, minutes=-1)


def test_approval_completes_the_order_and_releases_everything(payments):
    order = order_in(S.DELIVERED)

    orders.order_approve(order_id=order.pk, actor=brand_of(order))

    order.refresh_from_db()
    assert order.status == S.COMPLETED and order.finished_at is not None and order.review_by is None
    assert payments.settled == [(order.pk, Decimal("0.00"), "order completed", "brand")]
    assert order.deliverable.submissions.get().decision == Submission.Decision.APPROVED


def test_after_completion_the_brand_leaves_a_verified_review():
    order = order_in(S.COMPLETED)

    review = orders.order_review(order_id=order.pk, actor=brand_of(order), data={"rating": 5, "text": "Great"})

    assert review.is_verified and review.order_id == order.pk and review.creator_id == order.creator_id
    with pytest.raises(Conflict):
        orders.order_review(order_id=order.pk, actor=brand_of(order), data={"rating": 4})


def test_an_order_is_reviewed_only_once_completed_and_only_by_its_brand():
    order = order_in(S.DELIVERED)

    with pytest.raises(InvalidTransition):
        orders.order_review(order_id=order.pk, actor=brand_of(order), data={"rating": 5})
    with pytest.raises(NotFound):
        orders.order_review(order_id=order.pk, actor=Actor.of(BrandUserFactory()), data={"rating": 5})
    assert not Review.objects.exists()


# --- Every refused move: wrong state (409), wrong role (409), someone else's order (404) -----------------------
MOVES = {
    "accept": (lambda o, a: orders.order_accept(order_id=o.pk, actor=a), {S.PAID}, "creator"),
    "decline": (lambda o, a: orders.order_decline(order_id=o.pk, actor=a), {S.PAID}, "creator"),
    "extend": (lambda o, a: orders.order_extend_acceptance(order_id=o.pk, actor=a), {S.PAID}, "creator"),
    "deliver": (lambda o, a: orders.order_deliver(order_id=o.pk, actor=a, links=["https://x.test/v"]),
                {S.IN_PROGRESS, S.REVISION_REQUESTED}, "creator"),
    "request_revision": (lambda o, a: orders.order_request_revision(order_id=o.pk, actor=a, feedback="More"),
                         {S.DELIVERED}, "brand"),
    "approve": (lambda o, a: orders.order_approve(order_id=o.pk, actor=a), {S.DELIVERED}, "brand"),
    "dispute": (lambda o, a: disputes.order_dispute(order_id=o.pk, actor=a, reason="quality", description="Bad"),
                {S.PAID, S.IN_PROGRESS, S.DELIVERED, S.REVISION_REQUESTED}, "brand"),
}
VISIBLE_TO_BOTH = [status for status in S.values if status != S.PENDING_PAYMENT]


REFUSED = [(move, status) for move, (_, allowed, _) in MOVES.items() for status in VISIBLE_TO_BOTH
           if status not in allowed]


@pytest.mark.parametrize("move,status", REFUSED)
def test_a_move_from_the_wrong_state_is_refused(move, status, payments):
    call, allowed, role = MOVES[move]
    order = order_in(status)
    actor = Actor.of(getattr(order, role))

    with pytest.raises(InvalidTransition):
        call(order, actor)

    order.refresh_from_db()
    assert order.status == status and payments.settled == []


@pytest.mark.parametrize("move", [move for move in MOVES if move != "dispute"])  # both sides may dispute
def test_a_move_by_the_wrong_side_is_refused(move):
    call, allowed, role = MOVES[move]
    order = order_in(sorted(allowed)[0])
    other_side = "creator" if role == "brand" else "brand"

    with pytest.raises(InvalidTransition):
        call(order, Actor.of(getattr(order, other_side)))
    with pytest.raises(InvalidTransition):
        call(order, Actor.of(AgentFactory()))


@pytest.mark.parametrize("move", MOVES)
def test_someone_elses_order_is_not_found(move):
    call, allowed, role = MOVES[move]
    order = order_in(sorted(allowed)[0])
    stranger = BrandUserFactory() if role == "brand" else CreatorUserFactory()

    with pytest.raises(NotFound):
        call(order, Actor.of(stranger))
    order.refresh_from_db()
    assert order.status == sorted(allowed)[0]


def test_a_creator_does_not_see_an_unpaid_order():
    order = order_in(S.PENDING_PAYMENT)

    with pytest.raises(NotFound):
        orders.order_accept(order_id=order.pk, actor=creator_of(order))


def test_the_door_refuses_moves_outside_the_table():
    order = order_in(S.PAID)

    with pytest.raises(InvalidTransition) as refused:
        orders.order_transition(order_id=order.pk, to=S.COMPLETED, actor=Actor.system())

    assert refused.value.details == {"status": "paid", "to": "completed", "role": "system"}


# --- Cancellation ----------------------------------------------------------------------------------------------------
def test_an_unpaid_order_is_cancelled_and_its_payment_abandoned(payments):
    first, second = order_in(S.PENDING_PAYMENT), None
    second = order_in(S.PENDING_PAYMENT, brand=first.brand)
    payment = Payment.objects.create(payer=first.brand, gateway="sandbox", amount=Decimal("1000.00"),
                                     currency="USD", idempotency_key="k4")
    Order.objects.filter(pk__in=[first.pk, second.pk]).update(payment=payment)
    first.refresh_from_db()

    orders.order_cancel(order_id=first.pk, actor=brand_of(first))

    first.refresh_from_db(), second.refresh_from_db()
    assert first.status == S.CANCELLED and first.payment_id == payment.pk
    assert second.status == S.PENDING_PAYMENT and second.payment_id is None  # payable again on its own
    assert payments.cancelled == [payment.pk] and payments.settled == []


def test_an_unpaid_order_whose_payment_is_processing_cannot_be_cancelled(payments):
    order = order_in(S.PENDING_PAYMENT)
    payment = Payment.objects.create(payer=order.brand, gateway="sandbox", amount=order.subtotal, currency="USD",
                                     idempotency_key="k5", status=Payment.Status.PROCESSING)
    Order.objects.filter(pk=order.pk).update(payment=payment)

    with pytest.raises(Conflict) as refused:
        orders.order_cancel(order_id=order.pk, actor=brand_of(order))

    assert refused.value.code == "payment_processing" and payments.cancelled == []


def test_the_brand_cancels_a_paid_order_before_acceptance_for_a_full_refund(payments):
    order = order_in(S.PAID)

    orders.order_cancel(order_id=order.pk, actor=brand_of(order), reason="Campaign moved")

    order.refresh_from_db()
    assert order.status == S.CANCELLED
    assert payments.refunds(order) == [Decimal("500.00")]


def test_the_creator_declines_rather_than_cancels_a_paid_order():
    order = order_in(S.PAID)

    with pytest.raises(InvalidTransition) as refused:
        orders.order_cancel(order_id=order.pk, actor=creator_of(order))

    assert refused.value.code == "decline_instead"


def test_a_missed_deadline_lets_the_brand_cancel_for_a_full_refund(payments):
    order = order_in(S.IN_PROGRESS, deadline=timezone.now() - datetime.timedelta(hours=1))

    orders.order_cancel(order_id=order.pk, actor=brand_of(order))

    order.refresh_from_db()
    assert order.status == S.CANCELLED and payments.refunds(order) == [Decimal("500.00")]


def test_before_the_deadline_cancelling_needs_both_sides(payments):
    order = order_in(S.IN_PROGRESS)

    asked = orders.order_cancel(order_id=order.pk, actor=brand_of(order), reason="Budget cut")
    assert asked.status == S.IN_PROGRESS and asked.cancellation_requested_by == order.brand
    with pytest.raises(InvalidTransition) as again:
        orders.order_cancel(order_id=order.pk, actor=brand_of(order))
    assert again.value.code == "cancellation_already_requested"
    assert payments.settled == []

    orders.order_cancel(order_id=order.pk, actor=creator_of(order))

    order.refresh_from_db()
    assert order.status == S.CANCELLED and payments.refunds(order) == [Decimal("500.00")]
    kinds = list(order.events.values_list("kind", flat=True))
    assert kinds[-2:] == [OrderEvent.Kind.CANCELLATION_REQUESTED, OrderEvent.Kind.STATUS]
    assert "agreed by the creator" in order.events.last().note


def test_a_cancellation_request_can_be_withdrawn_by_whoever_asked():
    order = order_in(S.DELIVERED)
    orders.order_cancel(order_id=order.pk, actor=creator_of(order))

    with pytest.raises(InvalidTransition):
        orders.order_cancel_withdraw(order_id=order.pk, actor=brand_of(order))
    orders.order_cancel_withdraw(order_id=order.pk, actor=creator_of(order))

    order.refresh_from_db()
    assert order.cancellation_requested_by is None and order.status == S.DELIVERED
    # the pending version is untouched; the brand can still approve
    orders.order_approve(order_id=order.pk, actor=brand_of(order))


def test_cancelling_a_delivered_order_by_agreement_supersedes_the_waiting_version(payments):
    order = order_in(S.DELIVERED)

    orders.order_cancel(order_id=order.pk, actor=brand_of(order))
    orders.order_cancel(order_id=order.pk, actor=creator_of(order))

    order.refresh_from_db()
    assert order.status == S.CANCELLED
    assert order.deliverable.submissions.get().decision == Submission.Decision.SUPERSEDED


@pytest.mark.parametrize("status", [S.DISPUTED, S.COMPLETED, S.DECLINED, S.CANCELLED, S.REFUNDED])
def test_disputed_and_finished_orders_cannot_be_cancelled(status, payments):
    order = order_in(status)

    for actor in (brand_of(order), creator_of(order)):
        with pytest.raises(InvalidTransition):
            orders.order_cancel(order_id=order.pk, actor=actor)
    assert payments.settled == []


# --- Disputes -------------------------------------------------------------------------------------------------
def test_a_dispute_freezes_the_order(payments):
    order = order_in(S.DELIVERED)

    dispute = disputes.order_dispute(order_id=order.pk, actor=creator_of(order), reason="unresponsive",
                                     description="No answer for a week")

    order.refresh_from_db()
    assert order.status == S.DISPUTED and dispute.frozen_status == S.DELIVERED and dispute.opened_by == order.creator
    assert payments.settled == []
    with pytest.raises(InvalidTransition):
        orders.order_approve(order_id=order.pk, actor=brand_of(order))


def test_a_dispute_needs_a_known_reason_and_a_description():
    order = order_in(S.IN_PROGRESS)

    with pytest.raises(ApplicationError):
        disputes.order_dispute(order_id=order.pk, actor=brand_of(order), reason="bored", description="x")
    with pytest.raises(ApplicationError):
        disputes.order_dispute(order_id=order.pk, actor=brand_of(order), reason="quality", description=" ")
    assert not Dispute.objects.exists()


def open_dispute(status=S.DELIVERED):
    order = order_in(status)
    return disputes.order_dispute(order_id=order.pk, actor=brand_of(order), reason="quality",
                                  description="Not what we agreed")


@pytest.mark.parametrize("resolution,amount,status,refund", [
    ("refund", None, S.REFUNDED, Decimal("500.00")),
    ("release", None, S.COMPLETED, Decimal("0.00")),
    ("split", "125.50", S.COMPLETED, Decimal("125.50")),
])
def test_an_agent_resolves_a_dispute(resolution, amount, status, refund, payments):
    dispute = open_dispute()
    agent = AgentFactory()

    disputes.dispute_resolve(dispute_id=dispute.pk, actor=Actor.of(agent), resolution=resolution,
                             refund_amount=amount, note="Looked at both versions")

    dispute.refresh_from_db()
    order = dispute.order
    order.refresh_from_db()
    assert order.status == status
    assert payments.settled == [(order.pk, refund, f"dispute resolved: {resolution}", "agent")]
    assert (dispute.status, dispute.resolution, dispute.refund_amount) == ("resolved", resolution, refund)
    assert dispute.resolved_by == agent and dispute.resolved_at is not None
    assert order.deliverable.submissions.get().decision == Submission.Decision.SUPERSEDED
    assert events(order)[-1] == (S.DISPUTED, status, "agent")


@pytest.mark.parametrize("amount", ["0", "0.00", "500.00", "600", "-1", "12.345", "abc", None, "NaN"])
def test_a_split_refunds_more_than_nothing_and_less_than_everything(amount, payments):
    dispute = open_dispute()

    with pytest.raises(ApplicationError) as refused:
        disputes.dispute_resolve(dispute_id=dispute.pk, actor=Actor.of(AgentFactory()), resolution="split",
                                 refund_amount=amount, note="Split")

    assert refused.value.code == "invalid_amount" and payments.settled == []


def test_only_agents_resolve_and_only_once(payments):
    dispute = open_dispute()
    order = dispute.order

    for actor in (brand_of(order), creator_of(order), Actor.system()):
        with pytest.raises(InvalidTransition):
            disputes.dispute_resolve(dispute_id=dispute.pk, actor=actor, resolution="refund", note="Mine")
    with pytest.raises(ApplicationError):
        disputes.dispute_resolve(dispute_id=dispute.pk, actor=Actor.of(AgentFactory()), resolution="refund", note="")
    disputes.dispute_resolve(dispute_id=dispute.pk, actor=Actor.of(AgentFactory()), resolution="refund", note="Ok")
    with pytest.raises(InvalidTransition):
        disputes.dispute_resolve(dispute_id=dispute.pk, actor=Actor.of(AgentFactory()), resolution="release",
                                 note="Again")
    assert len(payments.settled) == 1
