"""Who is online: one Connection row per open websocket (any tab, any process), keyed by its channel name.

A user is online while at least one of their connections is alive (heard from within
CHAT_CONNECTION_TTL_SECONDS: a socket's heartbeat moves its `last_seen_at`). A process writes its sockets'
heartbeats together (chat.heartbeats → `presence_heartbeat_many`), re-checking in the same trip that each socket's
user may still be there. Each change settles the user's `is_online` / `last_online_at`
(accounts.services.user_presence_set) under a lock on the user's row, after counting the connections still
alive — so a tab closing while another opens, in another process, ends right.
A process that dies leaves rows nobody closes: `presence_sweep` (a beat job) removes those whose heartbeat
stopped and settles their users, `last_online_at` being their last heartbeat.
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accounts import services as accounts
from accounts.models import User

from ..models import Connection
from ..selectors import conversations as selectors
from .live import push
from .messages import chat_group


def presence_push(*, user_id: int) -> None:
    """The user's presence (online, last seen) to every conversation of theirs that someone else has open."""
    state = selectors.presence_of(user_ids=[user_id]).get(user_id)
    if state is None:
        return
    for conversation_id in selectors.conversations_watched_by_others(user_id=user_id):
        push(chat_group(conversation_id), {"type": "chat.presence", "user_id": user_id, **state})


def _settle(*, user_id: int, now, seen_at=None) -> bool | None:
    """Under the user's lock: online iff a live connection remains. True: came online, False: went offline,
    None: unchanged."""
    accounts.user_presence_lock(user_id=user_id)
    alive = Connection.objects.filter(user_id=user_id, last_seen_at__gte=selectors.live_cutoff(now)).exists()
    if accounts.user_presence_set(user_id=user_id, online=alive, seen_at=seen_at or now):
        return alive
    return None


@transaction.atomic
def presence_connect(*, user_id: int, channel_name: str, conversation_id: int | None = None) -> bool:
    """A socket opened (or came back after a sweep); True if the user was offline until now."""
    now = timezone.now()
    Connection.objects.update_or_create(channel_name=channel_name, defaults={
        "user_id": user_id, "conversation_id": conversation_id, "last_seen_at": now})
    return _settle(user_id=user_id, now=now) is True


@dataclass(frozen=True)
class Heartbeat:
    """One socket is still open: a chat socket on its conversation, or a notifications socket (no conversation)."""

    channel_name: str
    user_id: int
    conversation_id: int | None = None


def _allowed(heartbeats: list[Heartbeat]) -> set[str]:
    """The sockets whose user may still be there: a member of the conversation (selectors.memberships) for a chat
    socket, an account that can sign in for a notifications
    socket. One query for each kind, whatever the number of sockets."""
    chats = [heartbeat for heartbeat in heartbeats if heartbeat.conversation_id is not None]
    others = [heartbeat for heartbeat in heartbeats if heartbeat.conversation_id is None]
    allowed = set()
    if chats:
        members = selectors.memberships(pairs=[(heartbeat.conversation_id, heartbeat.user_id) for heartbeat in chats])
        allowed.update(heartbeat.channel_name for heartbeat in chats
                       if (heartbeat.conversation_id, heartbeat.user_id) in members)
    if others:
        active = set(User.objects.filter(pk__in={heartbeat.user_id for heartbeat in others}, is_active=True)
                     .values_list("pk", flat=True))
        allowed.update(heartbeat.channel_name for heartbeat in others if heartbeat.user_id in active)
    return allowed


def presence_heartbeat_many(*, heartbeats) -> set[str]:
    """Sockets still open, written together: each allowed one's `last_seen_at` moves in one UPDATE; one whose row
    had been swept comes back (presence_connect) and its user's presence is pushed if that brought them online.
    Returns the channel names of the sockets whose user may no longer be there (removed from the conversation,
    suspended, banned): nothing is written for those. At most 4 queries whatever the number of sockets (members,
    users, the UPDATE, and which rows exist when some were missing), plus each comeback's own."""
    heartbeats = list({heartbeat.channel_name: heartbeat for heartbeat in heartbeats}.values())
    if not heartbeats:
        return set()
    allowed = _allowed(heartbeats)
    names = [heartbeat.channel_name for heartbeat in heartbeats if heartbeat.channel_name in allowed]
    if names and Connection.objects.filter(channel_name__in=names).update(last_seen_at=timezone.now()) < len(names):
        # Read after the write: a row it has just moved is no longer stale, so a sweep cannot take it in between.
        present = set(Connection.objects.filter(channel_name__in=names).values_list("channel_name", flat=True))
        for heartbeat in heartbeats:
            if heartbeat.channel_name in allowed and heartbeat.channel_name not in present:
                if presence_connect(user_id=heartbeat.user_id, channel_name=heartbeat.channel_name,
                                    conversation_id=heartbeat.conversation_id):
                    presence_push(user_id=heartbeat.user_id)
    return {heartbeat.channel_name for heartbeat in heartbeats} - allowed


@transaction.atomic
def presence_disconnect(*, user_id: int, channel_name: str) -> bool:
    """A socket closed; True if it was the user's last one (they are offline now, last seen now)."""
    Connection.objects.filter(channel_name=channel_name).delete()
    return _settle(user_id=user_id, now=timezone.now()) is False


def presence_sweep(*, now=None) -> list[int]:
    """Removes connections whose heartbeat stopped (their process died); returns the users that went offline."""
    now = now or timezone.now()
    stale = Connection.objects.filter(last_seen_at__lt=selectors.live_cutoff(now))
    last_seen = dict(stale.values("user_id").annotate(seen=Max("last_seen_at")).values_list("user_id", "seen"))
    stale.delete()
    offline = []
    for user_id, seen_at in sorted(last_seen.items()):
        with transaction.atomic():
            if _settle(user_id=user_id, now=now, seen_at=seen_at) is False:
                offline.append(user_id)
    for user_id in offline:
        presence_push(user_id=user_id)
    return offline
