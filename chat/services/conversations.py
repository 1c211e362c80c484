"""Conversations: one per topic, so opening one twice finds the first.

- `order:<id>` — opened when the order is paid (orders calls chat through messages.message_order_event);
- `campaign:<id>:creator:<id>` — one per campaign participant (the campaigns app calls it when it lands);
- `direct:<brand id>:<creator id>` — a brand starts it from a creator's public profile.

Members are the brand and the creator, plus the agents who join one they work on (a dispute about the order, a
ticket): `conversation_add_agent`. The rule for disputes: the agent who resolves an order's dispute joins the
order's conversation in the resolution's transaction (orders.services.disputes calls
`conversation_add_agent_for_order`), so they can read it and answer questions about the outcome; an agent
working an open dispute before that is added the same way by whatever console page offers it.
"""

import logging

from django.db import IntegrityError, transaction

from accounts.models import User
from influmojo.errors import ApplicationError, InvalidTransition, NotFound, PermissionDenied
from influmojo.permissions import Actor

from ..models import Conversation, Participant
from ..selectors.conversations import member_name

logger = logging.getLogger(__name__)

STAFF_ROLES = ("agent", "admin")


def _open(*, topic: str, kind: str, brand_id: int, creator_id: int, order_id: int | None = None,
          title: str = "") -> Conversation:
    conversation = Conversation.objects.filter(topic=topic).first()
    if conversation is not None:
        return conversation
    try:
        with transaction.atomic():  # a savepoint: the same topic opened at once by two requests is one conversation
            conversation = Conversation.objects.create(kind=kind, topic=topic, brand_id=brand_id,
                                                       creator_id=creator_id, order_id=order_id, title=title[:200])
            Participant.objects.bulk_create([
                Participant(conversation=conversation, user_id=brand_id, role=Participant.Role.BRAND),
                Participant(conversation=conversation, user_id=creator_id, role=Participant.Role.CREATOR),
            ])
    except IntegrityError:
        conversation = Conversation.objects.get(topic=topic)
    return conversation


def conversation_open_for_order(*, order_id: int) -> Conversation:
    """The order's conversation between its brand and creator, opened once it is paid (409 before that)."""
    from orders.models import Order

    order = Order.objects.filter(pk=order_id).only("pk", "number", "brand_id", "creator_id", "paid_at").first()
    if order is None:
        raise NotFound("Order not found.")
    if order.paid_at is None:
        raise InvalidTransition("An order's conversation opens once it is paid.", code="order_not_paid")
    return _open(topic=f"order:{order.pk}", kind=Conversation.Kind.ORDER, brand_id=order.brand_id,
                 creator_id=order.creator_id, order_id=order.pk, title=f"Order {order.number}")


def conversation_open_direct(*, actor: Actor, creator_id: int) -> Conversation:
    """A brand starts (or finds) its conversation with a creator from the creator's public profile.

    403 for anyone but a brand; 404 for a creator nobody may look at (not a creator, private, not active).
    """
    from creators.selectors.packages import creator_get_public

    if actor.role != "brand" or actor.user is None:
        raise PermissionDenied("Only brands start conversations with creators.")
    creator = creator_get_public(creator_id=creator_id)
    return _open(topic=f"direct:{actor.user.pk}:{creator.pk}", kind=Conversation.Kind.DIRECT,
                 brand_id=actor.user.pk, creator_id=creator.pk, title=member_name(creator))


def conversation_open_for_campaign(*, campaign_id: int, creator_id: int, brand_id: int,
                                   title: str = "") -> Conversation:
    """The conversation of one creator taking part in a brand's campaign (for the campaigns app)."""
    users = dict(User.objects.filter(pk__in=[brand_id, creator_id]).values_list("pk", "user_type"))
    if users.get(brand_id) != User.UserType.BRAND or users.get(creator_id) != User.UserType.CREATOR:
        raise NotFound("Brand or creator not found.")
    return _open(topic=f"campaign:{campaign_id}:creator:{creator_id}", kind=Conversation.Kind.CAMPAIGN,
                 brand_id=brand_id, creator_id=creator_id, title=title or f"Campaign {campaign_id}")


def _agent(agent_id: int) -> User:
    agent = User.objects.filter(pk=agent_id, user_type__in=STAFF_ROLES, is_active=True).first()
    if agent is None:
        raise ApplicationError("Only active agents and admins join conversations.", code="not_an_agent")
    return agent


def conversation_add_agent(*, conversation_id: int, agent_id: int, actor: Actor) -> Participant:
    """An agent joins a conversation they work on (a dispute, a ticket); the members see a system message.

    Idempotent (a second call returns the same member, and says nothing). The system, agents and admins add.
    """
    from . import messages

    if actor.role not in ("system", *STAFF_ROLES):
        raise PermissionDenied("Only support adds agents to a conversation.")
    agent = _agent(agent_id)
    with transaction.atomic():
        if not Conversation.objects.filter(pk=conversation_id).exists():
            raise NotFound("Conversation not found.")
        participant, created = Participant.objects.get_or_create(
            conversation_id=conversation_id, user=agent, defaults={"role": Participant.Role.AGENT})
        if created:
            messages.message_system(
                conversation_id=conversation_id, event="agent.joined",
                body=f"{member_name(agent)} from Influmojo support joined the conversation.",
                data={"user_id": agent.pk},
            )
    return participant


def conversation_remove_agent(*, conversation_id: int, agent_id: int, actor: Actor) -> bool:
    """The agent leaves (a ticket closed); their open sockets are refused on their next frame. True if they were in."""
    from . import messages

    if actor.role not in ("system", *STAFF_ROLES):
        raise PermissionDenied("Only support removes agents from a conversation.")
    with transaction.atomic():
        removed, _ = Participant.objects.filter(conversation_id=conversation_id, user_id=agent_id,
                                                role=Participant.Role.AGENT).delete()
        if removed:
            agent = User.objects.get(pk=agent_id)
            messages.message_system(conversation_id=conversation_id, event="agent.left",
                                    body=f"{member_name(agent)} from Influmojo support left the conversation.",
                                    data={"user_id": agent_id})
    return bool(removed)


def conversation_add_agent_for_order(*, order_id: int, agent_id: int) -> Participant | None:
    """orders' disputes: the agent working the order's dispute joins the order's conversation (opened now if the
    order is paid and it was not yet). None for an order that never had one (never paid), or when chat failed:
    in a savepoint, logged, so the dispute's own transaction goes on."""
    from orders.models import Order

    if not Order.objects.filter(pk=order_id, paid_at__isnull=False).exists():
        return None
    try:
        with transaction.atomic():
            conversation = conversation_open_for_order(order_id=order_id)
            return conversation_add_agent(conversation_id=conversation.pk, agent_id=agent_id, actor=Actor.system())
    except Exception:
        logger.exception("chat: agent %s was not added to order %s's conversation", agent_id, order_id)
        return None
