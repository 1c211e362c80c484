"""Who is online: one Connection row per open websocket (any tab, any process), keyed by its channel name.

A user is online while at least one of their connections is alive (heard from within
CHAT_CONNECTION_TTL_SECONDS: a socket's heartbeat moves its `last_seen_at`). Each change settles the user's
`is_online` / `last_online_at` (accounts.services.user_presence_set) under a lock on the user's row, after
counting the connections still alive — so a tab closing while another opens, in another process, ends right.
A process that dies leaves rows nobody closes: `presence_sweep` (a beat job) removes those whose heartbeat
stopped and settles their users, `last_online_at` being their last heartbeat.
"""

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accounts import services as accounts

from ..models import Connection
from ..selectors.conversations import conversations_watched_by_others, live_cutoff, presence_of
from .messages import chat_group, push


def presence_push(*, user_id: int) -> None:
    """The user's presence (online, last seen) to every conversation of theirs that someone else has open."""
    state = presence_of(user_ids=[user_id]).get(user_id)
    if state is None:
        return
    for conversation_id in conversations_watched_by_others(user_id=user_id):
        push(chat_group(conversation_id), {"type": "chat.presence", "user_id": user_id, **state})


def _settle(*, user_id: int, now, seen_at=None) -> bool | None:
    """Under the user's lock: online iff a live connection remains. True: came online, False: went offline,
    None: unchanged."""
    accounts.user_presence_lock(user_id=user_id)
    alive = Connection.objects.filter(user_id=user_id, last_seen_at__gte=live_cutoff(now)).exists()
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


def presence_heartbeat(*, user_id: int, channel_name: str, conversation_id: int | None = None) -> bool:
    """The socket is still there; True if that brought the user back online (its row had been swept)."""
    if Connection.objects.filter(channel_name=channel_name).update(last_seen_at=timezone.now()):
        return False
    return presence_connect(user_id=user_id, channel_name=channel_name, conversation_id=conversation_id)


@transaction.atomic
def presence_disconnect(*, user_id: int, channel_name: str) -> bool:
    """A socket closed; True if it was the user's last one (they are offline now, last seen now)."""
    Connection.objects.filter(channel_name=channel_name).delete()
    return _settle(user_id=user_id, now=timezone.now()) is False


def presence_sweep(*, now=None) -> list[int]:
    """Removes connections whose heartbeat stopped (their process died); returns the users that went offline."""
    now = now or timezone.now()
    stale = Connection.objects.filter(last_seen_at__lt=live_cutoff(now))
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
