"""Orders in the chat: a paid order opens its conversation, every status change says so there, the agent who
resolves a dispute joins it, and custom offers are sent and accepted from it (orders' real services, payments'
sandbox gateway)."""

from decimal import Decimal

import pytest
from django.db import transaction

from accounts.tests.factories import AgentFactory, CreatorUserFactory
from chat.models import Conversation, Message, Participant
from chat.selectors import conversations as selectors
from chat.services import messages as message_services
from creators.tests.factories import PackageFactory
from influmojo.permissions import Actor
from orders.models import CustomOffer, Order
from orders.services import cart, checkout, disputes, orders
from orders.tests.conftest import future, pay_in_sandbox

pytestmark = pytest.mark.django_db


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def place(brand, creator, commit) -> tuple[Order, object]:
    cart.cart_add_package(actor=Actor.of(brand), package_id=PackageFactory(creator=creator, price=Decimal("500")).pk)
    with commit():
        outcome = checkout.checkout(actor=Actor.of(brand), requirements="One reel", deadline=future(days=14))
    return outcome.orders[0], outcome.payment


@pytest.fixture
def paid(brand, commit):
    creator = CreatorUserFactory()
    order, payment = place(brand, creator, commit)
    with commit():
        pay_in_sandbox(payment)
    return Order.objects.get(pk=order.pk)


def events(order) -> list[str]:
    conversation = Conversation.objects.get(order=order)
    return [m.data.get("event") for m in Message.objects.filter(conversation=conversation, kind="system")]


def test_a_paid_order_opens_its_conversation_after_the_payment_commits(brand, django_capture_on_commit_callbacks):
    creator = CreatorUserFactory()
    order, payment = place(brand, creator, lambda: django_capture_on_commit_callbacks(execute=True))

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        pay_in_sandbox(payment)
    assert not Conversation.objects.exists()  # not before the payment is committed
    for callback in callbacks:
        callback()

    conversation = Conversation.objects.get()
    assert conversation.order_id == order.pk and conversation.kind == "order"
    assert set(conversation.participants.values_list("user_id", "role")) == {(brand.pk, "brand"),
                                                                             (creator.pk, "creator")}
    message = Message.objects.get(conversation=conversation)
    assert message.kind == "system" and message.sender_id is None
    assert message.data["event"] == "order.paid" and message.data["order_id"] == order.pk
    assert order.number in message.body


def test_each_status_change_is_a_system_message(paid, brand, commit):
    creator = paid.creator
    with commit():
        orders.order_accept(order_id=paid.pk, actor=Actor.of(creator))
        orders.order_deliver(order_id=paid.pk, actor=Actor.of(creator), links=["https://x.test/1"])
        orders.order_request_revision(order_id=paid.pk, actor=Actor.of(brand), feedback="Brighter, please")
        orders.order_deliver(order_id=paid.pk, actor=Actor.of(creator), links=["https://x.test/2"])
        orders.order_approve(order_id=paid.pk, actor=Actor.of(brand))

    assert events(paid) == ["order.paid", "order.in_progress", "order.delivered", "order.revision_requested",
                            "order.delivered", "order.completed"]
    revision = Message.objects.get(data__event="order.revision_requested")
    assert "Brighter, please" in revision.body and revision.data["old_status"] == "delivered"
    assert selectors.unread_count(conversation_id=revision.conversation_id, user_id=brand.pk) == 6


def test_a_cancelled_order_says_so_and_an_unpaid_one_has_no_conversation(paid, brand, commit):
    unpaid, _ = place(brand, CreatorUserFactory(), commit)

    with commit():
        orders.order_cancel(order_id=paid.pk, actor=Actor.of(brand), reason="Plans changed")
        orders.order_cancel(order_id=unpaid.pk, actor=Actor.of(brand))

    assert events(paid) == ["order.paid", "order.cancelled"]
    assert "Plans changed" in Message.objects.get(data__event="order.cancelled").body
    assert not Conversation.objects.filter(order=unpaid).exists()


def test_a_declined_order_says_so(paid, commit):
    with commit():
        orders.order_decline(order_id=paid.pk, actor=Actor.of(paid.creator), reason="Fully booked")

    assert events(paid) == ["order.paid", "order.declined"]


def test_the_agent_who_resolves_a_dispute_joins_the_conversation(paid, brand, commit):
    agent = AgentFactory()
    with commit():
        orders.order_accept(order_id=paid.pk, actor=Actor.of(paid.creator))
        dispute = disputes.order_dispute(order_id=paid.pk, actor=Actor.of(brand), reason="not_delivered",
                                         description="Nothing arrived")
    conversation = Conversation.objects.get(order=paid)
    assert not selectors.is_member(conversation_id=conversation.pk, user_id=agent.pk)

    with commit():
        disputes.dispute_resolve(dispute_id=dispute.pk, actor=Actor.of(agent), resolution="refund",
                                 note="No delivery was made")

    assert Participant.objects.get(conversation=conversation, user=agent).role == "agent"
    assert events(paid) == ["order.paid", "order.in_progress", "order.disputed", "agent.joined",
                            "order.refunded"]
    resolved = Message.objects.get(data__event="order.refunded")
    assert "No delivery was made" in resolved.body
    page = selectors.message_list(conversation_id=conversation.pk, user=agent)  # the agent reads it all
    assert len(page.messages) == 5


def test_a_chat_failure_never_fails_the_order(paid, commit, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("chat is broken")

    monkeypatch.setattr(message_services, "_order_event_post", broken)

    with commit():
        orders.order_accept(order_id=paid.pk, actor=Actor.of(paid.creator))

    assert Order.objects.get(pk=paid.pk).status == "in_progress"
    assert events(paid) == ["order.paid"]


def test_an_order_change_that_rolls_back_leaves_nothing_in_the_chat(paid, commit):
    with commit():
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                orders.order_accept(order_id=paid.pk, actor=Actor.of(paid.creator))
                raise RuntimeError("the request failed later")

    assert events(paid) == ["order.paid"]


def test_an_offer_sent_in_an_order_conversation_replies_to_the_order(paid, brand, commit):
    conversation = Conversation.objects.get(order=paid)
    data = {"title": "A third reel", "platform": "instagram", "content_type": "reel", "quantity": 1,
            "price": Decimal("300.00")}

    with commit():
        message = message_services.message_offer_send(conversation_id=conversation.pk, actor=Actor.of(paid.creator),
                                                      data=data)
        accepted = message_services.message_offer_accept(conversation_id=conversation.pk,
                                                         offer_id=message.data["offer_id"], actor=Actor.of(brand))

    offer = CustomOffer.objects.get()
    assert message.kind == "offer" and offer.in_reply_to_id == paid.pk and offer.brand_id == brand.pk
    assert offer.status == "accepted" and accepted.data["cart_item_id"] == offer.cart_item.pk
