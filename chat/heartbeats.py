"""Heartbeats of this process's websockets, written together.

A socket's ping is answered at once and its heartbeat waits here (one per socket: a second ping before the flush
changes nothing). One flusher per process, an asyncio task on the server's event loop started by the first
heartbeat, writes all that are pending every CHAT_HEARTBEAT_FLUSH_SECONDS in one trip to the database thread
(presence.presence_heartbeat_many: the same few queries for 2 sockets or 5,000), which also re-checks that each
socket's user may still be there. A socket that may not is told by its consumer's `heartbeat_refused()` (an
error frame, then close 4403); one that closed meanwhile is dropped. A flush that fails (database down) is logged
and its heartbeats wait for the next one; CHAT_CONNECTION_TTL_SECONDS leaves room for several.

The batch belongs to the event loop it was made on: a new loop (each test runs its own) gets a new one.
"""

import asyncio
import logging

from django.conf import settings

from influmojo.socket_db import socket_db_work

from .services import presence
from .services.presence import Heartbeat

logger = logging.getLogger(__name__)


class HeartbeatBatch:
    """The heartbeats waiting for the next flush, each with the consumer to tell if its socket may not stay."""

    def __init__(self, loop: asyncio.AbstractEventLoop):
        self.loop = loop
        self.pending: dict[str, tuple[object, Heartbeat]] = {}  # channel name -> (consumer, heartbeat)
        self.writing: dict[str, tuple[object, Heartbeat]] = {}  # the flush in progress
        self.lock = asyncio.Lock()
        self.flusher: asyncio.Task | None = None

    def beat(self, consumer, heartbeat: Heartbeat) -> None:
        self.pending[heartbeat.channel_name] = (consumer, heartbeat)
        if self.flusher is None or self.flusher.done():
            self.flusher = self.loop.create_task(self._flush_while_pending())

    async def forget(self, channel_name: str) -> None:
        """The socket closed. If its heartbeat is being written, this waits for that write, so the socket's row is
        deleted after it and never brought back by it."""
        self.pending.pop(channel_name, None)
        if self.writing.pop(channel_name, None) is not None:
            async with self.lock:
                pass

    async def flush(self) -> None:
        async with self.lock:
            if not self.pending:
                return
            self.writing, self.pending = self.pending, {}
            try:
                refused = await _write([heartbeat for _, heartbeat in self.writing.values()])
            except Exception:
                logger.warning("heartbeats: writing %d failed; they wait for the next flush", len(self.writing),
                               exc_info=True)
                for channel_name, entry in self.writing.items():
                    self.pending.setdefault(channel_name, entry)
                self.writing = {}
                return
            for channel_name in refused:
                entry = self.writing.get(channel_name)  # None: the socket closed meanwhile
                if entry is not None:
                    await _tell(entry[0], channel_name)
            self.writing = {}

    async def _flush_while_pending(self) -> None:
        while self.pending:
            await asyncio.sleep(settings.CHAT_HEARTBEAT_FLUSH_SECONDS)
            try:
                await self.flush()
            except Exception:  # the flusher outlives any one flush
                logger.exception("heartbeats: a flush failed")


@socket_db_work
def _write(heartbeats: list[Heartbeat]) -> set[str]:
    return presence.presence_heartbeat_many(heartbeats=heartbeats)


async def _tell(consumer, channel_name: str) -> None:
    try:
        await consumer.heartbeat_refused()
    except Exception:  # one socket that cannot be told must not keep the others from hearing
        logger.warning("heartbeats: telling %s it may not stay failed", channel_name, exc_info=True)


_batch: HeartbeatBatch | None = None


def _current() -> HeartbeatBatch:
    global _batch
    loop = asyncio.get_running_loop()
    if _batch is None or _batch.loop is not loop:
        _batch = HeartbeatBatch(loop)
    return _batch


def beat(consumer, heartbeat: Heartbeat) -> None:
    """The socket is still open; written with the next flush. `consumer.heartbeat_refused()` is awaited if its user
    may no longer be there."""
    _current().beat(consumer, heartbeat)


async def forget(channel_name: str) -> None:
    """The socket closed: its pending heartbeat is dropped (call before deleting its connection row)."""
    await _current().forget(channel_name)


async def flush() -> None:
    """Writes the pending heartbeats now (the flusher does it every CHAT_HEARTBEAT_FLUSH_SECONDS)."""
    await _current().flush()
