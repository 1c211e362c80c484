"""Messages: stored first, pushed after commit.

Every write locks the conversation row, so within a conversation message ids are handed out in commit order: a
client that saw message 41 and asks for everything after 41 (`?after=41`) can never miss a message 40 that
committed later. Pushes (`chat.<conversation_id>` for the members' sockets, `notifications.<user_id>` for
badges) leave in `transaction.on_commit`; a channel layer that is down is logged and nothing else — the message
is stored and clients get it when they resync.

New-message notifications (chat.services.notifications.notify, type "messages", event "message.received") go to
each other member who has no live socket on the conversation, at most once per conversation and member every
CHAT_UNREAD_EMAIL_MINUTES: `Participant.notified_at` is claimed by one conditional UPDATE (two processes cannot
both win it). Messages inside the window move the unread badge (`unread.changed`) and schedule, once per window
(a cache key), a check when the window ends: if messages are still unread and the member is still away, one
notification of how many (`message_remind_unread`, chat.tasks.remind_unread) — so nothing goes untold because the
first notice was already read. The notification service then sends what the member's "messages" preferences
allow (in-app, e-mail as a digest, push). Offer and system messages notify nobody here: orders tells people about
offers and order changes itself.
"""

import datetime
import functools
import logging

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from influmojo import uploads
from influmojo.errors import ApplicationError, NotFound, PermissionDenied
from influmojo.permissions import Actor
from influmojo.prepared import prepared_cursor, table

from ..models import Conversation, Message, MessageAttachment, Participant
from ..selectors import conversations as selectors
from . import conversations
from .live import push, push_many
from .notifications import group_name as notifications_group
from .notifications import notify

logger = logging.getLogger(__name__)

CLIENT_ID_MAX_LENGTH = Message._meta.get_field("client_id").max_length
PREVIEW_LENGTH = 140


# --- Pushes -------------------------------------------------------------------------------------------------------
def chat_group(conversation_id: int) -> str:
    return f"chat.{conversation_id}"


def _badge_event(*, conversation_id: int, unread_here: int, unread_total: int) -> dict:
    return {"type": "unread.changed", "kind": "chat", "conversation_id": conversation_id,
            "conversation_unread_count": unread_here, "unread_count": unread_total}


def push_unread(*, user_id: int, conversation_id: int) -> None:
    """The user's chat badges on their notification sockets: unread messages in this conversation
    (`conversation_unread_count`) and in all of theirs (`unread_count`). (A send tells every member's badges from
    selectors.message_audience instead, in the same query that finds who is watching.)"""
    badges = selectors.unread_badges(conversation_id=conversation_id, user_ids=[user_id])
    if user_id in badges:
        here, total = badges[user_id]
        push(notifications_group(user_id), _badge_event(conversation_id=conversation_id, unread_here=here,
                                                         unread_total=total))


# --- Writing --------------------------------------------------------------------------------------------------------
# The statements of a send are written out here rather than built by the ORM: building them cost ~4 ms of Python per
# message (py-spy in bench/ws.py), more than PostgreSQL takes to run them. They are plain SQL that PostgreSQL and
# SQLite (3.35+, RETURNING) both run, prepared on PostgreSQL (influmojo.prepared); values go through the model fields'
# own conversions.
@functools.cache
def _lock_sql(vendor: str) -> str:
    """The conversation locked (its columns, as `Conversation.from_db` takes them), the user's role in it (the rule of
    selectors.member_role: a participant whose account can sign in) and the id of the message that user already
    sent with a client_id."""
    columns = ", ".join(f"c.{connection.ops.quote_name(field.column)}" for field in Conversation._meta.concrete_fields)
    lock = ("FOR UPDATE OF c" if connection.features.has_select_for_update_of
            else "FOR UPDATE" if connection.features.has_select_for_update else "")
    return (
        f"SELECT {columns},"
        f" (SELECT p.role FROM {table(Participant)} p INNER JOIN {table(User)} u ON u.id = p.user_id"
        f"  WHERE p.conversation_id = c.id AND p.user_id = %s AND u.is_active LIMIT 1),"
        f" (SELECT m.id FROM {table(Message)} m"
        f"  WHERE m.conversation_id = c.id AND m.sender_id = %s AND m.client_id = %s AND m.client_id <> '' LIMIT 1)"
        f" FROM {table(Conversation)} c WHERE c.id = %s {lock}"
    )


def _locked_conversation(*, conversation_id: int, user_id: int | None, client_id: str = "") -> Conversation:
    """The conversation, locked until commit (ids in commit order), in one query that also learns whether `user_id`
    is a member (404 unless; None: the system, which writes in any conversation) and, for a `client_id`, the
    message that user already sent with it (`replayed_id`, else None)."""
    with prepared_cursor() as cursor:
        cursor.execute(_lock_sql(connection.vendor), [user_id, user_id, client_id, conversation_id])
        row = cursor.fetchone()
    fields = Conversation._meta.concrete_fields
    if row is None or (user_id is not None and row[len(fields)] is None):
        raise NotFound("Conversation not found.")
    conversation = Conversation.from_db(connection.alias, [field.attname for field in fields], row[: len(fields)])
    conversation.replayed_id = row[len(fields) + 1] if user_id is not None else None
    return conversation


def _clean_body(body) -> str:
    body = (body if isinstance(body, str) else "").strip()
    limit = settings.CHAT_MESSAGE_MAX_LENGTH
    if len(body) > limit:
        message = f"A message has at most {limit} characters."
        raise ApplicationError(message, code="body_too_long", details={"body": [message]})
    if "\x00" in body:  # PostgreSQL text cannot hold it: refused here, not a database error (a 500)
        message = "A message cannot contain NUL characters."
        raise ApplicationError(message, code="invalid_body", details={"body": [message]})
    return body


def _clean_client_id(client_id) -> str:
    client_id = (client_id if isinstance(client_id, str) else "").strip()
    if len(client_id) > CLIENT_ID_MAX_LENGTH or not client_id.isprintable():
        message = f"client_id: at most {CLIENT_ID_MAX_LENGTH} printable characters."
        raise ApplicationError(message, code="invalid_client_id", details={"client_id": [message]})
    return client_id


def _sender(actor: Actor):
    if actor.user is None or not getattr(actor.user, "is_authenticated", False):
        raise PermissionDenied("Sign in to send messages.")
    return actor.user


def _store(*, conversation: Conversation, sender, kind: str, body: str = "", data: dict | None = None,
           client_id: str = "", attachments=()) -> Message:
    """Writes the message (inside the caller's transaction, conversation locked) and moves the conversation's
    last message and the sender's read position to it; the message comes back ready for its payload."""
    message = Message(conversation=conversation, sender=sender, kind=kind, body=body, data=data or {},
                      client_id=client_id, created_at=timezone.now())
    field = Message._meta.get_field
    created_at = field("created_at").get_db_prep_save(message.created_at, connection)
    with prepared_cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table(Message)} (conversation_id, sender_id, kind, body, data, client_id, created_at)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING id",
            [conversation.pk, message.sender_id, kind, body, field("data").get_db_prep_save(message.data, connection),
             client_id, created_at])
        message.pk = cursor.fetchone()[0]
        message._state.adding, message._state.db = False, connection.alias
        cursor.execute(
            f"UPDATE {table(Conversation)} SET last_message_id = %s, last_message_at = %s"
            " WHERE id = %s AND (last_message_id IS NULL OR last_message_id < %s)",
            [message.pk, created_at, conversation.pk, message.pk])
        if sender is not None:
            cursor.execute(
                f"UPDATE {table(Participant)} SET last_read_message_id = %s, last_read_at = %s"
                " WHERE conversation_id = %s AND user_id = %s AND last_read_message_id < %s",
                [message.pk, created_at, conversation.pk, sender.pk, message.pk])
    rows = MessageAttachment.objects.bulk_create([  # by id: rows holding the message would close a reference cycle
        MessageAttachment(message_id=message.pk, file=name, name=checked.name, size=checked.size,
                          content_type=checked.content_type, width=checked.width, height=checked.height)
        for name, checked in attachments
    ])
    return selectors.message_written(message, attachments=rows)


def _published(message: Message, *, notify_members: bool) -> None:
    """After commit: the message to the members' sockets, then every member's badges (so a large conversation's
    badges never hold its message up), and a notification to the other members not watching it (debounced)."""
    conversation_id = message.conversation_id
    audience = selectors.message_audience(conversation_id=conversation_id)
    push_many([(chat_group(conversation_id), {"type": "chat.message", "message": selectors.message_data(message)})]
              + [(notifications_group(member.user_id), _badge_event(conversation_id=conversation_id,
                                                                   unread_here=member.unread_here,
                                                                   unread_total=member.unread_total))
                 for member in audience])
    if not notify_members:
        return
    for member in audience:
        if member.user_id == message.sender_id or member.watching:
            continue
        if _claim_notification(participant_id=member.participant_id):
            _notify_new_message(user_id=member.user_id, message=message)
        else:
            _remind_later(participant_id=member.participant_id)


def _publish_on_commit(message: Message, *, notify_members: bool) -> None:
    transaction.on_commit(lambda: _published(message, notify_members=notify_members), robust=True)


def message_send(*, conversation_id: int, actor: Actor, body: str = "", files=(), client_id: str = "") -> Message:
    """A member's message: text and/or up to CHAT_ATTACHMENTS_PER_MESSAGE files (checked by content, at most
    CHAT_ATTACHMENT_MAX_BYTES each; images with width and height), stored via the default storage.

    A retried send with the same `client_id` returns the message stored the first time (nothing is sent twice).
    400 `message_empty` / `body_too_long` / `invalid_client_id` / the file checks' codes; 404 for a non-member.
    """
    sender = _sender(actor)
    body, client_id = _clean_body(body), _clean_client_id(client_id)
    if client_id and (files or not body):
        # Before files are stored (or a retried caption-less send is refused as empty): the answer for a retry. A
        # plain text send gets the same answers from the checks under the lock below, without these two queries.
        if not selectors.is_member(conversation_id=conversation_id, user_id=sender.pk):
            raise NotFound("Conversation not found.")
        stored = Message.objects.filter(conversation_id=conversation_id, sender=sender, client_id=client_id).first()
        if stored is not None:
            return selectors.message_get(message_id=stored.pk)
    checked = uploads.check_uploads(files, max_bytes=settings.CHAT_ATTACHMENT_MAX_BYTES,
                                    max_count=settings.CHAT_ATTACHMENTS_PER_MESSAGE, field="files")
    if not body and not checked:
        message = "Write a message or attach a file."
        raise ApplicationError(message, code="message_empty", details={"body": [message]})
    field = MessageAttachment._meta.get_field("file")
    # Files go to the storage before the conversation is locked (S3 is slow); a send that fails removes them. (Only
    # an outer transaction of the caller's that rolls back later leaves them behind, under random unlisted names.)
    stored_files = [(default_storage.save(field.generate_filename(None, item.content.name), item.content), item)
                    for item in checked]
    try:
        with transaction.atomic():
            conversation = _locked_conversation(conversation_id=conversation_id, user_id=sender.pk,
                                                client_id=client_id)
            if conversation.replayed_id is not None:
                raise _Replayed(conversation.replayed_id)
            kind = Message.Kind.ATTACHMENT if stored_files else Message.Kind.TEXT
            message = _store(conversation=conversation, sender=sender, kind=kind, body=body, client_id=client_id,
                             attachments=stored_files)
            _publish_on_commit(message, notify_members=True)
    except _Replayed as replay:
        _remove(stored_files)
        return selectors.message_get(message_id=replay.message_id)
    except BaseException:
        _remove(stored_files)
        raise
    return message


class _Replayed(Exception):
    def __init__(self, message_id: int):
        super().__init__(message_id)
        self.message_id = message_id


def _remove(stored_files) -> None:
    for name, _ in stored_files:
        try:
            default_storage.delete(name)
        except Exception:
            logger.warning("chat: could not remove %s", name, exc_info=True)


def message_system(*, conversation_id: int, event: str, body: str, data: dict | None = None) -> Message:
    """A message from the platform (an order or campaign event), no sender; `data` carries {"event": …, …}."""
    body = _clean_body(body)
    with transaction.atomic():
        conversation = _locked_conversation(conversation_id=conversation_id, user_id=None)
        message = _store(conversation=conversation, sender=None, kind=Message.Kind.SYSTEM, body=body,
                         data={"event": event, **(data or {})})
        _publish_on_commit(message, notify_members=False)
    return message


# --- Read receipts ---------------------------------------------------------------------------------------------------
def conversation_mark_read(*, conversation_id: int, actor: Actor, up_to_message_id: int) -> Participant:
    """The member has read everything up to that message (a later id than any message counts up to the last one).

    Monotonic: an older id than the one already read changes nothing and pushes nothing. Otherwise the members'
    sockets get `read` (a read receipt) and the member's badges `unread.changed`, after commit.
    """
    user = _sender(actor)
    if not selectors.is_member(conversation_id=conversation_id, user_id=user.pk):
        raise NotFound("Conversation not found.")
    if isinstance(up_to_message_id, bool) or not isinstance(up_to_message_id, int) or up_to_message_id < 0:
        raise ApplicationError("up_to: a message id.", code="invalid_up_to", details={"up_to": ["A message id."]})
    last = (Message.objects.filter(conversation_id=conversation_id, id__lte=up_to_message_id)
            .order_by("-id").values_list("id", flat=True).first())
    participant = Participant.objects.get(conversation_id=conversation_id, user=user)
    if last is None or last <= participant.last_read_message_id:
        return participant
    now = timezone.now()
    with transaction.atomic():
        moved = Participant.objects.filter(pk=participant.pk, last_read_message_id__lt=last).update(
            last_read_message_id=last, last_read_at=now)
        if moved:
            transaction.on_commit(lambda: _read_published(conversation_id, user.pk, last), robust=True)
    participant.refresh_from_db()
    return participant


def _read_published(conversation_id: int, user_id: int, up_to: int) -> None:
    push(chat_group(conversation_id), {"type": "chat.read", "user_id": user_id, "up_to": up_to})
    push_unread(user_id=user_id, conversation_id=conversation_id)


# --- Notifications ------------------------------------------------------------------------------------------------
def _window() -> datetime.timedelta:
    return datetime.timedelta(minutes=settings.CHAT_UNREAD_EMAIL_MINUTES)


def _claim_notification(*, participant_id: int) -> bool:
    """True for the one caller that may notify this member now (none told in the last CHAT_UNREAD_EMAIL_MINUTES)."""
    now = timezone.now()
    return bool(Participant.objects.filter(pk=participant_id)
                .filter(Q(notified_at__isnull=True) | Q(notified_at__lte=now - _window())).update(notified_at=now))


def _remind_later(*, participant_id: int) -> None:
    """A message inside the member's window: once per window, a check when it ends (chat.tasks.remind_unread), so
    messages that arrive after a notification the member has already acted on are not left untold."""
    from .. import tasks

    notified_at = Participant.objects.filter(pk=participant_id).values_list("notified_at", flat=True).first()
    if notified_at is None:
        return
    wait = (notified_at + _window() - timezone.now()).total_seconds()
    if wait > 0 and cache.add(f"chat.remind:{participant_id}", 1, timeout=int(wait) + 1):
        tasks.remind_unread.apply_async(args=[participant_id], countdown=int(wait) + 1)


def message_remind_unread(*, participant_id: int) -> bool:
    """The end of a member's window: if messages from others are still unread, they are not watching and nobody
    told them since, one notification of how many (True)."""
    member = Participant.objects.filter(pk=participant_id).values_list("conversation_id", "user_id").first()
    if member is None:
        return False
    conversation_id, user_id = member
    unread = selectors.unread_count(conversation_id=conversation_id, user_id=user_id)
    watching = selectors.users_watching(conversation_id=conversation_id, user_ids=[user_id])
    if not unread or watching or not _claim_notification(participant_id=participant_id):
        return False
    latest = (Message.objects.filter(conversation_id=conversation_id).exclude(sender_id=user_id)
              .order_by("-id").values_list("pk", flat=True).first())
    _notify_new_message(user_id=user_id, message=selectors.message_get(message_id=latest), unread=unread)
    return True


def _preview(message: Message) -> str:
    if message.body:
        return message.body if len(message.body) <= PREVIEW_LENGTH else message.body[: PREVIEW_LENGTH - 1] + "…"
    count = len(message.attachments.all())
    return f"{count} attachment" + ("s" if count != 1 else "")


def _notify_new_message(*, user_id: int, message: Message, unread: int = 1) -> None:
    """The one place chat calls the notification service (in-app, live, e-mail, push per the member's
    preferences; its e-mails of type messages are digests, so one e-mail may tell of several conversations)."""
    sender_name = selectors.member_name(message.sender) if message.sender is not None else "Influmojo"
    title = f"New message from {sender_name}" if unread == 1 else f"{unread} new messages, the last from {sender_name}"
    notify(
        user_id=user_id, type="messages", event="message.received", title=title,
        body=_preview(message), url=selectors.conversation_url(message.conversation_id),
        data={"conversation_id": message.conversation_id, "message_id": message.pk, "unread_count": unread},
        dedupe_key=f"chat.message:{message.pk}" if unread == 1 else f"chat.unread:{message.pk}",
    )


# --- Orders ----------------------------------------------------------------------------------------------------------
ORDER_HEADLINES = {
    "paid": "Order {number} was paid; the funds are held until the work is approved.",
    "in_progress": "The creator accepted order {number}.",
    "declined": "The creator declined order {number}; the brand is refunded.",
    "delivered": "The work for order {number} was delivered.",
    "revision_requested": "The brand asked for a revision of order {number}.",
    "completed": "Order {number} is completed; the creator is paid.",
    "cancelled": "Order {number} was cancelled.",
    "disputed": "A dispute was opened on order {number}; Influmojo support will look into it.",
    "refunded": "Order {number} was refunded.",
}
HEADLINE_AUTO_COMPLETED = "Order {number} completed by itself: the review time passed."
HEADLINE_DISPUTE_RESOLVED = "The dispute on order {number} was resolved; the order is {status}."
NOTE_SHOWN = {"declined", "revision_requested", "cancelled", "disputed"}  # the other side's words matter there


def _order_event_body(order, event) -> str:
    status = event.new_status
    if event.old_status == "disputed":
        headline = HEADLINE_DISPUTE_RESOLVED.format(number=order.number, status=status)
    elif status == "completed" and event.actor_role == "system":
        headline = HEADLINE_AUTO_COMPLETED.format(number=order.number)
    else:
        headline = ORDER_HEADLINES[status].format(number=order.number)
    show_note = status in NOTE_SHOWN or event.old_status == "disputed"
    return f"{headline}\n{event.note}" if show_note and event.note else headline


def _order_event_post(*, order_id: int, event_id: int) -> Message | None:
    from orders.models import Order, OrderEvent

    order = Order.objects.get(pk=order_id)
    event = OrderEvent.objects.get(pk=event_id)
    conversation = conversations.conversation_open_for_order(order_id=order.pk)
    return message_system(
        conversation_id=conversation.pk, event=f"order.{event.new_status}",
        body=_order_event_body(order, event)[: settings.CHAT_MESSAGE_MAX_LENGTH],
        data={"order_id": order.pk, "order_number": order.number, "old_status": event.old_status,
              "status": event.new_status, "order_event_id": event.pk},
    )


def message_order_event(*, order, event) -> None:
    """orders' status door calls this after each change: a system message in the order's conversation.

    Paid: the conversation opens and says so after the payment commits (a chat hiccup never touches the payment).
    Later changes: in the order's transaction, in a savepoint, so they roll back with the order, and a chat
    failure is logged without failing the order. Changes of an order never paid have no conversation.
    """
    if event.new_status not in ORDER_HEADLINES or order.paid_at is None:
        return
    if event.new_status == "paid":
        order_id, event_id = order.pk, event.pk
        transaction.on_commit(lambda: _order_event_post(order_id=order_id, event_id=event_id), robust=True)
        return
    try:
        with transaction.atomic():
            _order_event_post(order_id=order.pk, event_id=event.pk)
    except Exception:
        logger.exception("chat: the system message for order %s (%s) was not posted", order.pk, event.new_status)


# --- Custom offers in a conversation ---------------------------------------------------------------------------------
def _offer_in_conversation(*, conversation_id: int, offer_id: int) -> None:
    sent_here = Message.objects.filter(conversation_id=conversation_id, kind=Message.Kind.OFFER,
                                       data__offer_id=offer_id).exists()
    if not sent_here:
        raise NotFound("Offer not found.")


def message_offer_send(*, conversation_id: int, actor: Actor, data: dict, expires_in_days: int | None = None,
                       client_id: str = "") -> Message:
    """The conversation's creator makes the brand a custom offer from the chat (orders.services.offers.offer_create,
    in reply to the conversation's order if it has one); it appears as an offer message."""
    from orders.services import offers

    sender = _sender(actor)
    client_id = _clean_client_id(client_id)
    with transaction.atomic():
        conversation = _locked_conversation(conversation_id=conversation_id, user_id=sender.pk, client_id=client_id)
        if conversation.replayed_id is not None:
            return selectors.message_get(message_id=conversation.replayed_id)
        if actor.role != "creator" or conversation.creator_id != sender.pk:
            raise PermissionDenied("Only the conversation's creator makes offers in it.")
        extra = {} if expires_in_days is None else {"expires_in_days": expires_in_days}
        offer = offers.offer_create(actor=actor, brand_id=conversation.brand_id, data=data,
                                    in_reply_to_order_id=conversation.order_id, **extra)
        message = _store(conversation=conversation, sender=sender, kind=Message.Kind.OFFER, body=offer.title,
                         data={"offer_id": offer.pk}, client_id=client_id)
        _publish_on_commit(message, notify_members=False)
    return message


def message_offer_accept(*, conversation_id: int, offer_id: int, actor: Actor) -> Message:
    """The brand accepts an offer sent in this conversation (orders.services.offers.offer_accept: it goes into the
    cart); a system message says so, with the cart line (`data.cart_item_id`)."""
    from orders.services import offers

    user = _sender(actor)
    with transaction.atomic():
        conversation = _locked_conversation(conversation_id=conversation_id, user_id=user.pk)
        _offer_in_conversation(conversation_id=conversation.pk, offer_id=offer_id)
        item = offers.offer_accept(offer_id=offer_id, actor=actor)
        message = _store(conversation=conversation, sender=None, kind=Message.Kind.SYSTEM,
                         body=f"{selectors.member_name(user)} accepted the offer “{item.offer.title}”.",
                         data={"event": "offer.accepted", "offer_id": offer_id, "cart_item_id": item.pk})
        _publish_on_commit(message, notify_members=False)
    return message


def message_offer_decline(*, conversation_id: int, offer_id: int, actor: Actor) -> Message:
    from orders.services import offers

    user = _sender(actor)
    with transaction.atomic():
        conversation = _locked_conversation(conversation_id=conversation_id, user_id=user.pk)
        _offer_in_conversation(conversation_id=conversation.pk, offer_id=offer_id)
        offer = offers.offer_decline(offer_id=offer_id, actor=actor)
        message = _store(conversation=conversation, sender=None, kind=Message.Kind.SYSTEM,
                         body=f"{selectors.member_name(user)} declined the offer “{offer.title}”.",
                         data={"event": "offer.declined", "offer_id": offer_id})
        _publish_on_commit(message, notify_members=False)
    return message
