"""`/ws/chat/<conversation_id>/`: one conversation, live.

Authenticated by the session cookie or `?token=<access JWT>` (influmojo.channels_auth: suspended and banned
users are anonymous). Refused before the handshake: 4401 not signed in, 4404 not a member (or no such
conversation). Membership is checked again on every frame, a ping's with the next heartbeat flush: a member
removed or suspended meanwhile gets an error frame `not_member` and the socket is closed with 4403.

Frames in (JSON text):
- `{"type": "message.send", "body": "…", "client_id": "…"}` — stored, then `message.new` to every member's socket
  (this one gets its own copy at once, even if the channel layer is down; a retried client_id is stored once);
- `{"type": "typing"}` — `typing` to the other members (not stored);
- `{"type": "read", "up_to": <message id>}` — a read receipt (`read` to the members, badges updated);
- `{"type": "resync", "after": <message id>}` — a `resync` frame with what came after that id;
- `{"type": "ping"}` — `pong` at once; it is also the heartbeat that keeps the user online (send one every ~30 s),
  written with the process's other sockets' within CHAT_HEARTBEAT_FLUSH_SECONDS (chat.heartbeats).

Frames out:
- `{"type": "message.new", "message": {…}}` (the API's message shape);
- `{"type": "typing", "user_id", "name"}`; `{"type": "read", "user_id", "up_to"}`;
- `{"type": "presence", "user_id", "online", "last_seen"}` — for every other member on connect, then on changes;
- `{"type": "resync", "after", "messages": [...], "has_more"}` — oldest first, at most CHAT_HISTORY_PAGE; when
  has_more, ask again after the last id. `?after=<id>` on the socket's URL sends one on connect;
- `{"type": "pong"}`; `{"type": "error", "code", "message"}` — a bad frame never closes the socket.

Every frame counts against a per-socket budget (CHAT_SOCKET_BURST frames, refilled at
CHAT_SOCKET_FRAMES_PER_SECOND); over it, `rate_limited` and the frame is dropped. All database work runs in
worker threads (influmojo.socket_db): the event loop never waits on the ORM, and the threads never wait on the loop (a
send's and a read's pushes come back with their result and the consumer sends them).
"""

import json
import logging
import time
from collections import deque
from urllib.parse import parse_qs

from django.conf import settings

from influmojo.converters import MAX_ID
from influmojo.errors import ApplicationError, NotFound
from influmojo.permissions import Actor
from influmojo.socket_db import SocketDbConsumer, socket_db_work

from .. import heartbeats
from ..selectors import conversations as selectors
from ..services import live
from ..services import messages as message_services
from ..services import presence

logger = logging.getLogger(__name__)

CLOSE_UNAUTHENTICATED = 4401
CLOSE_NOT_MEMBER = 4403
CLOSE_NOT_FOUND = 4404
MAX_FRAME_BYTES = 32 * 1024  # a message body of CHAT_MESSAGE_MAX_LENGTH characters fits with room to spare
RECENT_IDS = 500  # message ids this socket was sent, so a push of one it already has is not sent twice


def _message_id(value) -> int | None:
    """A message id from a frame: a non-negative integer (0: from the start); None for anything else."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_ID:
        return None
    return value


# --- Database work (each runs in a worker thread) ------------------------------------------------------------------
@socket_db_work
def _connect(*, conversation_id: int, user_id: int, channel_name: str) -> dict:
    """The connection row (and the user's presence if they just came online); the other members' presence."""
    came_online = presence.presence_connect(user_id=user_id, channel_name=channel_name,
                                            conversation_id=conversation_id)
    if came_online:
        presence.presence_push(user_id=user_id)
    others = [uid for uid in selectors.member_ids(conversation_id=conversation_id) if uid != user_id]
    return selectors.presence_of(user_ids=others)


@socket_db_work
def _disconnect(*, user_id: int, channel_name: str) -> None:
    if presence.presence_disconnect(user_id=user_id, channel_name=channel_name):
        presence.presence_push(user_id=user_id)


@socket_db_work
def _still_member(*, conversation_id: int, user_id: int) -> bool:
    return selectors.is_member(conversation_id=conversation_id, user_id=user_id)


@socket_db_work
def _send(*, conversation_id: int, user, body: str, client_id: str) -> tuple[dict, list]:
    """The message as stored, and the pushes its commit made, for the consumer to send (`pushes_held`)."""
    with live.pushes_held() as pushes:
        message = message_services.message_send(conversation_id=conversation_id, actor=Actor.of(user), body=body,
                                                client_id=client_id)
    return selectors.message_data(message), pushes


@socket_db_work
def _read(*, conversation_id: int, user, up_to: int) -> list:
    with live.pushes_held() as pushes:
        message_services.conversation_mark_read(conversation_id=conversation_id, actor=Actor.of(user),
                                                up_to_message_id=up_to)
    return pushes


@socket_db_work
def _resync(*, conversation_id: int, user, after: int) -> tuple[list[dict], bool]:
    page = selectors.message_list(conversation_id=conversation_id, user=user, after=after)
    return [selectors.message_data(message) for message in page.messages], page.has_more


class ChatConsumer(SocketDbConsumer):
    group = None
    conversation_id = None

    # --- Opening and closing ----------------------------------------------------------------------------------------
    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.user = user
        self.conversation_id = int(self.scope["url_route"]["kwargs"]["conversation_id"])
        if self.conversation_id > MAX_ID:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        self.recent_ids, self.recent_order = set(), deque()
        self.tokens, self.tokens_at = float(settings.CHAT_SOCKET_BURST), time.monotonic()
        if not await _still_member(conversation_id=self.conversation_id, user_id=user.pk):
            await self.close(code=CLOSE_NOT_FOUND)
            return
        # Join the group before reading any message, so nothing committed from now on can fall between the two.
        self.group = message_services.chat_group(self.conversation_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        others = await _connect(conversation_id=self.conversation_id, user_id=user.pk, channel_name=self.channel_name)
        self.present = True
        await self.accept()
        for user_id, state in others.items():
            await self.send_json({"type": "presence", "user_id": user_id, **state})
        after = parse_qs(self.scope.get("query_string", b"").decode()).get("after")
        if after:
            after_id = _message_id(int(after[0])) if after[0].isdigit() else None
            if after_id is None:
                await self._error("bad_frame", "after: a message id.")
            else:
                await self._resync(after_id)

    async def disconnect(self, code):
        if self.group:
            try:
                await self.channel_layer.group_discard(self.group, self.channel_name)
            except Exception:
                logger.warning("chat: leaving %s failed", self.group, exc_info=True)
        if getattr(self, "present", False):
            await heartbeats.forget(self.channel_name)
            await _disconnect(user_id=self.user.pk, channel_name=self.channel_name)

    # --- From the client ----------------------------------------------------------------------------------------------
    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        if not self._spend():
            return await self._error("rate_limited", "Too many frames; slow down.")
        if text_data is None:
            return await self._error("bad_frame", "Send JSON text frames.")
        if len(text_data) > MAX_FRAME_BYTES:
            return await self._error("frame_too_large", f"Frames are at most {MAX_FRAME_BYTES} bytes.")
        try:
            content = json.loads(text_data)
        except ValueError:
            return await self._error("bad_json", "That frame is not JSON.")
        await self.receive_json(content)

    async def receive_json(self, content, **kwargs):
        kind = content.get("type") if isinstance(content, dict) else None
        handler = self.HANDLERS.get(kind) if isinstance(kind, str) else None
        if not isinstance(kind, str) or not kind:
            return await self._error("bad_frame", 'Send an object with a "type".')
        if handler is None:
            return await self._error("unknown_type", f"Unknown frame type {kind[:40]!r}.")
        try:
            await handler(self, content)
        except ApplicationError as exc:
            await self._error(exc.code, exc.message)
        except _NotMember:
            await self._error("not_member", "You are no longer in this conversation.")
            await self.close(code=CLOSE_NOT_MEMBER)
        except Exception:  # one frame's failure is reported on that frame; the socket lives on
            logger.exception("chat: frame %r failed in conversation %s", kind, self.conversation_id)
            await self._error("server_error", "Something went wrong on our side. Please try again.")

    async def _check_member(self):
        if not await _still_member(conversation_id=self.conversation_id, user_id=self.user.pk):
            raise _NotMember

    async def on_message_send(self, content):
        body, client_id = content.get("body", ""), content.get("client_id", "")
        if not isinstance(body, str) or not isinstance(client_id, str):
            return await self._error("bad_frame", "body and client_id are strings.")
        try:  # message_send checks membership itself (under the conversation's lock): no separate query first
            message, pushes = await _send(conversation_id=self.conversation_id, user=self.user, body=body,
                                          client_id=client_id)
        except NotFound:
            raise _NotMember from None
        await self._deliver(message)  # the sender's copy first, then the other members' and the badges
        await live.send_pushes(pushes)

    async def on_typing(self, content):
        await self._check_member()
        event = {"type": "chat.typing", "user_id": self.user.pk, "name": await self._name()}
        try:
            await self.channel_layer.group_send(self.group, event)
        except Exception:  # typing is a courtesy: without the layer it is simply not shown
            logger.warning("chat: typing in %s not pushed", self.group, exc_info=True)

    async def on_read(self, content):
        up_to = _message_id(content.get("up_to"))
        if up_to is None:
            return await self._error("bad_frame", "up_to: a message id.")
        await self._check_member()
        await live.send_pushes(await _read(conversation_id=self.conversation_id, user=self.user, up_to=up_to))

    async def on_resync(self, content):
        after = _message_id(content.get("after"))
        if after is None:
            return await self._error("bad_frame", "after: a message id.")
        await self._check_member()
        await self._resync(after)

    async def on_ping(self, content):
        heartbeats.beat(self, presence.Heartbeat(channel_name=self.channel_name, user_id=self.user.pk,
                                                 conversation_id=self.conversation_id))
        await self.send_json({"type": "pong"})

    HANDLERS = {"message.send": on_message_send, "typing": on_typing, "read": on_read, "resync": on_resync,
                "ping": on_ping}

    # --- From the group (chat.services.messages and presence, other members' sockets) -----------------------------
    async def chat_message(self, event):
        await self._deliver(event["message"])

    async def chat_typing(self, event):
        if event["user_id"] != self.user.pk:
            await self.send_json({"type": "typing", "user_id": event["user_id"], "name": event["name"]})

    async def chat_read(self, event):
        await self.send_json({"type": "read", "user_id": event["user_id"], "up_to": event["up_to"]})

    async def chat_presence(self, event):
        if event["user_id"] != self.user.pk:
            await self.send_json({"type": "presence", "user_id": event["user_id"], "online": event["online"],
                                  "last_seen": event["last_seen"]})

    # --- From the heartbeat flush (chat.heartbeats) ----------------------------------------------------------------
    async def heartbeat_refused(self):
        await self._error("not_member", "You are no longer in this conversation.")
        await self.close(code=CLOSE_NOT_MEMBER)

    # --- Helpers ----------------------------------------------------------------------------------------------------
    async def _resync(self, after: int):
        messages, has_more = await _resync(conversation_id=self.conversation_id, user=self.user, after=after)
        for message in messages:
            self._remember(message["id"])
        await self.send_json({"type": "resync", "after": after, "messages": messages, "has_more": has_more})

    async def _deliver(self, message: dict):
        """A message to this socket once: its own echo, a resync and the group's push may all carry it."""
        if message["id"] in self.recent_ids:
            return
        self._remember(message["id"])
        await self.send_json({"type": "message.new", "message": message})

    def _remember(self, message_id: int):
        if message_id in self.recent_ids:
            return
        self.recent_ids.add(message_id)
        self.recent_order.append(message_id)
        if len(self.recent_order) > RECENT_IDS:
            self.recent_ids.discard(self.recent_order.popleft())

    async def _name(self) -> str:
        if not hasattr(self, "display_name"):
            self.display_name = await socket_db_work(selectors.member_name)(self.user)
        return self.display_name

    def _spend(self) -> bool:
        now = time.monotonic()
        self.tokens = min(float(settings.CHAT_SOCKET_BURST),
                          self.tokens + (now - self.tokens_at) * settings.CHAT_SOCKET_FRAMES_PER_SECOND)
        self.tokens_at = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True

    async def _error(self, code: str, message: str):
        await self.send_json({"type": "error", "code": code, "message": message})


class _NotMember(Exception):
    """The socket's user is no longer a member (removed, suspended, banned)."""
