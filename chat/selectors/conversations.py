"""Reads of conversations and their messages, scoped to members: someone else's conversation is as absent as a
missing one (404). Members are the conversation's participants (brand, creator, and agents who joined it) whose
account can still sign in.

Unread: the messages after a member's `last_read_message_id` that somebody else sent (system messages count).
Message payloads (`message_data`) are one shape everywhere: the REST API, the websocket and the pushes.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from rest_framework.fields import DateTimeField

from accounts.models import User
from influmojo.errors import ApplicationError, NotFound
from influmojo.prepared import prepared_cursor, table

from ..models import Connection, Conversation, Message, MessageAttachment, Participant

_datetime = DateTimeField()  # the API's own rendering of datetimes, so sockets and REST agree


@dataclass(frozen=True)
class MessagePage:
    """Messages oldest first; `has_more`: more exist past the page (after it for `after`, before it otherwise)."""

    messages: list[Message]
    has_more: bool


def iso(value: datetime.datetime | None) -> str | None:
    return _datetime.to_representation(value) if value else None


def member_name(user: User) -> str:
    """The company for a brand, the display name for a creator, else the person's name (as on orders)."""
    if user.user_type == User.UserType.BRAND:
        profile = getattr(user, "brand_profile", None)
        if profile is not None and profile.company_name:
            return profile.company_name
    if user.user_type == User.UserType.CREATOR:
        profile = getattr(user, "creator_profile", None)
        if profile is not None and profile.display_name:
            return profile.display_name
    return user.display_name


def absolute_url(url: str) -> str:
    """Storage URLs are paths locally (/media/…): sockets and the app get them with the site in front."""
    return f"{settings.SITE_URL.rstrip('/')}{url}" if url.startswith("/") else url


def member_data(user: User) -> dict:
    """Who a member is and whether they are online (last_seen: when they last were, while offline)."""
    return {
        "id": user.pk,
        "name": member_name(user),
        "avatar_url": absolute_url(user.avatar.url) if user.avatar else None,
        "online": user.is_online,
        "last_seen": iso(user.last_online_at),
    }


# --- Membership -----------------------------------------------------------------------------------------------
def _members(user_id: int | None = None) -> QuerySet[Participant]:
    """Participants whose account can still sign in (all of them, or the user's)."""
    members = Participant.objects.filter(user__is_active=True)
    return members if user_id is None else members.filter(user_id=user_id)


def member_role(*, conversation_id: int, user_id: int) -> str | None:
    """The member's role (brand, creator, agent), or None for a non-member or an account that cannot sign in."""
    return _members(user_id).filter(conversation_id=conversation_id).values_list("role", flat=True).first()


def member_role_in(conversation_ref, *, user_id: int) -> Subquery:
    """`member_role` as a subquery of a conversation query (`conversation_ref`: its id), for a query that reads or
    locks the conversation to learn the membership in the same trip."""
    return Subquery(_members(user_id).filter(conversation_id=conversation_ref).values("role")[:1])


def is_member(*, conversation_id: int, user_id: int) -> bool:
    return member_role(conversation_id=conversation_id, user_id=user_id) is not None


def memberships(*, pairs) -> set[tuple[int, int]]:
    """Which of these (conversation_id, user_id) pairs are members (the rule of `member_role`), in one query."""
    pairs = set(pairs)
    if not pairs:
        return set()
    found = _members().filter(conversation_id__in={conversation_id for conversation_id, _ in pairs},
                              user_id__in={user_id for _, user_id in pairs})
    return set(found.values_list("conversation_id", "user_id")) & pairs


def _member_or_404(*, conversation_id: int, user) -> None:
    if user is None or not user.is_authenticated or not is_member(conversation_id=conversation_id, user_id=user.pk):
        raise NotFound("Conversation not found.")


def member_ids(*, conversation_id: int) -> list[int]:
    return list(Participant.objects.filter(conversation_id=conversation_id).values_list("user_id", flat=True))


# --- Conversations --------------------------------------------------------------------------------------------
def _my_last_read(user_id: int) -> Subquery:
    return Subquery(Participant.objects.filter(conversation_id=OuterRef("pk"), user_id=user_id)
                    .values("last_read_message_id")[:1], output_field=IntegerField())


def _unread_after(*, conversation_ref, last_read_ref, user_id: int) -> Coalesce:
    counted = (Message.objects.filter(conversation_id=conversation_ref, id__gt=last_read_ref)
               .exclude(sender_id=user_id).order_by().values("conversation_id")
               .annotate(n=Count("id")).values("n")[:1])
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def conversation_scope(*, user) -> QuerySet[Conversation]:
    """The user's conversations, each with `last_read_message_id` and `unread_count` for that user."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Conversation.objects.none()
    return (
        Conversation.objects.filter(participants__user_id=user.pk)
        .annotate(last_read_message_id=_my_last_read(user.pk))
        .annotate(unread_count=_unread_after(conversation_ref=OuterRef("pk"),
                                             last_read_ref=OuterRef("last_read_message_id"), user_id=user.pk))
        .select_related("brand__brand_profile", "creator__creator_profile", "last_message__sender__brand_profile",
                        "last_message__sender__creator_profile")
    )


def conversation_list(*, user, kind: str | None = None) -> QuerySet[Conversation]:
    """Most recent activity first (a conversation without messages by when it was opened); one query per page."""
    conversations = conversation_scope(user=user)
    if kind:
        conversations = conversations.filter(kind=kind)
    return conversations.order_by(Coalesce("last_message_at", "created_at").desc(), "-id")


def conversation_get(*, conversation_id: int, user) -> Conversation:
    """One of the user's conversations with its members (`participants`, users and profiles); else 404."""
    members = Participant.objects.select_related("user__brand_profile", "user__creator_profile").order_by("id")
    conversation = (conversation_scope(user=user).prefetch_related(Prefetch("participants", queryset=members))
                    .filter(pk=conversation_id).first())
    if conversation is None:
        raise NotFound("Conversation not found.")
    return conversation


def conversation_for_order(*, order_id: int) -> Conversation | None:
    """The order's conversation if it has been opened (unscoped: for the orders integration)."""
    return Conversation.objects.filter(topic=f"order:{order_id}").first()


def conversation_url(conversation_id: int) -> str:
    """Where the web app shows the conversation (its page once chat's pages are mounted, else the API's)."""
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse("chat_conversation", args=[conversation_id])
    except NoReverseMatch:
        return f"/api/v1/conversations/{conversation_id}"


# --- Unread counts --------------------------------------------------------------------------------------------
def unread_count(*, conversation_id: int, user_id: int) -> int:
    last_read = (Participant.objects.filter(conversation_id=conversation_id, user_id=user_id)
                 .values_list("last_read_message_id", flat=True).first())
    if last_read is None:
        return 0
    return (Message.objects.filter(conversation_id=conversation_id, id__gt=last_read)
            .exclude(sender_id=user_id).count())


def unread_total(*, user_id: int) -> int:
    """Unread messages in all of the user's conversations (the badge), in one query."""
    total = (Participant.objects.filter(user_id=user_id)
             .annotate(unread=_unread_after(conversation_ref=OuterRef("conversation_id"),
                                            last_read_ref=OuterRef("last_read_message_id"), user_id=user_id))
             .aggregate(total=Sum("unread")))["total"]
    return total or 0


def _unread_here() -> Coalesce:
    """A participant's unread messages in its conversation, as an annotation of a participant query."""
    return _unread_after(conversation_ref=OuterRef("conversation_id"), last_read_ref=OuterRef("last_read_message_id"),
                         user_id=OuterRef("user_id"))


def _unread_totals(user_ids) -> dict[int, int]:
    """{user_id: unread messages in all their conversations} in one query."""
    return dict(Participant.objects.filter(user_id__in=list(user_ids)).annotate(unread=_unread_here()).order_by()
                .values("user_id").annotate(total=Sum("unread")).values_list("user_id", "total"))


def unread_badges(*, conversation_id: int, user_ids) -> dict[int, tuple[int, int]]:
    """{user_id: (unread_count in this conversation, unread_total)} for these members, in two queries whatever
    their number: what `unread_count` and `unread_total` say for each of them."""
    user_ids = list(user_ids)
    if not user_ids:
        return {}
    here = dict(Participant.objects.filter(conversation_id=conversation_id, user_id__in=user_ids)
                .annotate(unread=_unread_here()).values_list("user_id", "unread"))
    totals = _unread_totals(here)
    return {user_id: (count, totals.get(user_id) or 0) for user_id, count in here.items()}


@dataclass(frozen=True)
class Audience:
    """A member of a conversation that has just had a message: their badges and whether they are watching it."""

    participant_id: int
    user_id: int
    unread_here: int
    unread_total: int
    watching: bool  # a live socket on this conversation


def message_audience(*, conversation_id: int) -> list[Audience]:
    """Every member of the conversation with their badges (what `unread_badges` says) and whether they have it open
    (`users_watching`), in one query whatever their number (a send tells every member). Written out in SQL and
    prepared (influmojo.prepared): it runs after every message, and the ORM took longer to build it than PostgreSQL
    to answer it, PostgreSQL longer to plan it than to run it (bench/ws.py)."""
    participant, message, live = table(Participant), table(Message), table(Connection)
    unread = (f"FROM {participant} q INNER JOIN {message} m ON m.conversation_id = q.conversation_id"
              " AND m.id > q.last_read_message_id AND (m.sender_id IS NULL OR m.sender_id <> q.user_id)")
    with prepared_cursor() as cursor:
        cursor.execute(
            f"SELECT p.id, p.user_id,"
            f" (SELECT COUNT(*) {unread} WHERE q.id = p.id),"
            f" (SELECT COUNT(*) {unread} WHERE q.user_id = p.user_id),"
            f" EXISTS (SELECT 1 FROM {live} k WHERE k.conversation_id = p.conversation_id AND k.user_id = p.user_id"
            f"  AND k.last_seen_at >= %s)"
            f" FROM {participant} p WHERE p.conversation_id = %s ORDER BY p.id",
            [Connection._meta.get_field("last_seen_at").get_db_prep_value(live_cutoff(), connection),
             conversation_id])
        rows = cursor.fetchall()
    return [Audience(participant_id=pk, user_id=user_id, unread_here=here, unread_total=total, watching=bool(watching))
            for pk, user_id, here, total, watching in rows]


# --- Messages ---------------------------------------------------------------------------------------------------
def _messages() -> QuerySet[Message]:
    return Message.objects.select_related("sender__brand_profile", "sender__creator_profile").prefetch_related(
        "attachments")


def _attach_offers(messages: list[Message]) -> list[Message]:
    """An offer message shows the offer as it stands now (pending, accepted, expired …): one query for the page."""
    from orders.models import CustomOffer

    ids = {message.data.get("offer_id") for message in messages if message.kind == Message.Kind.OFFER}
    ids.discard(None)
    offers = CustomOffer.objects.in_bulk(list(ids)) if ids else {}
    for message in messages:
        message.offer_row = offers.get(message.data.get("offer_id")) if message.kind == Message.Kind.OFFER else None
    return messages


def message_list(*, conversation_id: int, user, after: int | None = None, before: int | None = None,
                 limit: int | None = None) -> MessagePage:
    """A page of the conversation's messages, oldest first, for a member (404 otherwise).

    - `after=<id>`: the messages after that id (a client resyncing after a reconnect), the oldest `limit` of them;
      `has_more` says more follow (ask again after the page's last id);
    - `before=<id>`: the newest `limit` before that id (scrolling back); `has_more` says older ones exist;
    - neither: the newest `limit` messages.
    """
    _member_or_404(conversation_id=conversation_id, user=user)
    if after is not None and before is not None:
        raise ApplicationError("Give after or before, not both.", code="invalid_cursor",
                               details={"after": ["Not with before."]})
    limit = max(1, min(limit or settings.CHAT_HISTORY_PAGE, settings.CHAT_HISTORY_PAGE))
    messages = _messages().filter(conversation_id=conversation_id)
    if after is not None:
        rows = list(messages.filter(id__gt=after).order_by("id")[: limit + 1])
        page, has_more = rows[:limit], len(rows) > limit
    else:
        if before is not None:
            messages = messages.filter(id__lt=before)
        rows = list(messages.order_by("-id")[: limit + 1])
        page, has_more = rows[:limit][::-1], len(rows) > limit
    return MessagePage(messages=_attach_offers(page), has_more=has_more)


def message_total(*, conversation_id: int) -> int:
    return Message.objects.filter(conversation_id=conversation_id).count()


def message_get(*, message_id: int) -> Message:
    """One message with what its payload shows (unscoped: services call it for what they have just written)."""
    return _attach_offers([_messages().get(pk=message_id)])[0]


def message_written(message: Message, *, attachments=()) -> Message:
    """A message its service has just written, made ready for `message_data` without reading it again: its
    attachments as written (`attachments`) and, for an offer, the offer (one query).

    The cached attachments are a bare queryset of the rows: the related manager's own (`message.attachments.all()`)
    points back at the message, and that cycle left every sent message to the garbage collector, whose pauses
    held a 5,000-socket server's event loop 30-150 ms (bench/ws.py); without it a message is freed when done."""
    cached = QuerySet(model=MessageAttachment)
    cached._result_cache, cached._prefetch_done = list(attachments), True
    message._prefetched_objects_cache = {"attachments": cached}
    return _attach_offers([message])[0]


def _offer_data(offer) -> dict | None:
    if offer is None:
        return None
    return {
        "id": offer.pk,
        "title": offer.title,
        "description": offer.description,
        "platform": offer.platform,
        "content_type": offer.content_type,
        "quantity": offer.quantity,
        "revisions": offer.revisions,
        "duration_days": offer.duration_days,
        "price": str(offer.price),
        "currency": offer.currency,
        "status": offer.status,
        "expires_at": iso(offer.expires_at),
    }


def message_data(message: Message) -> dict:
    """The one shape of a message (REST, websocket frames, pushes)."""
    sender = message.sender
    return {
        "id": message.pk,
        "conversation_id": message.conversation_id,
        "kind": message.kind,
        "body": message.body,
        "data": message.data,
        "client_id": message.client_id,
        "sender": {"id": sender.pk, "name": member_name(sender)} if sender is not None else None,
        "created_at": iso(message.created_at),
        "attachments": [
            {"id": row.pk, "name": row.name, "size": row.size, "content_type": row.content_type,
             "url": absolute_url(row.file.url), "width": row.width, "height": row.height}
            for row in message.attachments.all()
        ],
        "offer": _offer_data(getattr(message, "offer_row", None)),
    }


# --- Presence ---------------------------------------------------------------------------------------------------
def presence_of(*, user_ids) -> dict[int, dict]:
    """{user_id: {"online", "last_seen"}}; last_seen is when an offline user was last online."""
    rows = User.objects.filter(pk__in=list(user_ids)).values_list("pk", "is_online", "last_online_at")
    return {pk: {"online": online, "last_seen": iso(seen)} for pk, online, seen in rows}


def live_cutoff(now: datetime.datetime | None = None) -> datetime.datetime:
    """Connections heard from after this are alive (settings.CHAT_CONNECTION_TTL_SECONDS)."""
    return (now or timezone.now()) - datetime.timedelta(seconds=settings.CHAT_CONNECTION_TTL_SECONDS)


def users_watching(*, conversation_id: int, user_ids) -> set[int]:
    """Which of these users have a live socket on this conversation right now."""
    return set(Connection.objects.filter(conversation_id=conversation_id, user_id__in=list(user_ids),
                                         last_seen_at__gte=live_cutoff()).values_list("user_id", flat=True))


def conversations_watched_by_others(*, user_id: int) -> list[int]:
    """The user's conversations that someone else has open right now (where the user's presence is news)."""
    mine = Participant.objects.filter(user_id=user_id).values("conversation_id")
    return list(Connection.objects.filter(conversation_id__in=mine, last_seen_at__gte=live_cutoff())
                .exclude(user_id=user_id).order_by().values_list("conversation_id", flat=True).distinct())
