"""`/ws/notifications/`: a signed-in user's live notifications and unread badges.

Authenticated by the session cookie or `?token=<access JWT>` (influmojo.channels_auth); anonymous, suspended and
banned users are refused (close 4401 before the handshake completes). The socket joins the user's group
`notifications.<user_id>` and sends:

- `{"type": "unread.changed", "kind": "notifications", "unread_count": N}` on connect and whenever the count
  changes; chat sends `{"type": "unread.changed", "kind": "chat", …}` to the same group for its badges, and
  any `unread.changed` message on the group is passed on as it is;
- `{"type": "notification.new", "notification": {...}, "unread_count": N}` (the API's notification shape);
- `{"type": "notification.read", "ids": [...], "all": bool, "unread_count": N}`;
- `{"type": "notification.deleted", "id": N, "unread_count": N}`;
- `{"type": "pong"}` for the client's `{"type": "ping"}`.

The socket is open on every page, so it is also the user's presence (chat.services.presence, a connection that
watches no conversation): online while it is open, kept alive by the ping, which the client sends every ~30 s
(within CHAT_CONNECTION_TTL_SECONDS). The ping is answered at once; its heartbeat is written with the process's
other sockets' within CHAT_HEARTBEAT_FLUSH_SECONDS (chat.heartbeats), and a user suspended meanwhile then gets
`not_allowed` and the socket is closed with 4403.

Anything else from the client gets `{"type": "error", "code", "message"}` and the socket stays open. The
database is the truth: a client that reconnects reads the list again (GET /api/v1/notifications).
"""

import json
import logging

from influmojo.socket_db import SocketDbConsumer, socket_db_work

from .. import heartbeats
from ..selectors.notifications import notification_unread_count
from ..services import presence
from ..services.notifications import group_name

logger = logging.getLogger(__name__)

CLOSE_UNAUTHENTICATED, CLOSE_NOT_ALLOWED = 4401, 4403
MAX_FRAME_BYTES = 4096  # the client only ever says ping


# --- Database work (each runs in a worker thread) ------------------------------------------------------------------
@socket_db_work
def _connect(*, user_id: int, channel_name: str) -> int:
    """The connection row (presence), then the unread count."""
    if presence.presence_connect(user_id=user_id, channel_name=channel_name):
        presence.presence_push(user_id=user_id)
    return notification_unread_count(user_id=user_id)


@socket_db_work
def _disconnect(*, user_id: int, channel_name: str) -> None:
    if presence.presence_disconnect(user_id=user_id, channel_name=channel_name):
        presence.presence_push(user_id=user_id)


class NotificationConsumer(SocketDbConsumer):
    group = None

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.user_id = user.pk
        self.group = group_name(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        count = await _connect(user_id=self.user_id, channel_name=self.channel_name)
        await self.send_json({"type": "unread.changed", "kind": "notifications", "unread_count": count})

    async def disconnect(self, code):
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)
            await heartbeats.forget(self.channel_name)
            await _disconnect(user_id=self.user_id, channel_name=self.channel_name)

    # --- From the client ----------------------------------------------------------------------------------------
    async def receive(self, text_data=None, bytes_data=None, **kwargs):
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
        if kind == "ping":
            await self._ping()
        elif not isinstance(kind, str) or not kind:
            await self._error("bad_frame", 'Send an object with a "type".')
        else:
            await self._error("unknown_type", f"Unknown frame type {kind[:40]!r}: this socket only answers ping.")

    async def _ping(self):
        heartbeats.beat(self, presence.Heartbeat(channel_name=self.channel_name, user_id=self.user_id))
        await self.send_json({"type": "pong"})

    async def heartbeat_refused(self):
        """From the heartbeat flush (chat.heartbeats): the user may no longer be signed in."""
        await self._error("not_allowed", "This account can no longer be signed in.")
        await self.close(code=CLOSE_NOT_ALLOWED)

    async def _error(self, code: str, message: str):
        await self.send_json({"type": "error", "code": code, "message": message})

    # --- From the group (chat.services.notifications, chat's unread badges) -----------------------------------
    async def notification_new(self, event):
        await self.send_json(event)
        await self._unread(event)

    async def notification_read(self, event):
        await self.send_json({"all": False, **event})
        await self._unread(event)

    async def notification_deleted(self, event):
        await self.send_json(event)
        await self._unread(event)

    async def unread_changed(self, event):
        await self.send_json(event)

    async def _unread(self, event):
        if "unread_count" in event:
            await self.send_json({"type": "unread.changed", "kind": "notifications",
                                  "unread_count": event["unread_count"]})
