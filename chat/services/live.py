"""Live pushes: events to groups of sockets over the channel layer, after the writes they report have committed.

Best effort by design: a channel layer that is down is logged and nothing else; the database has everything and
clients resync from it. Sync code (services, in on-commit hooks) calls `push`/`push_many`; a socket's database work
runs them inside `pushes_held`, and its consumer sends what they kept with `send_pushes` from the event loop.
"""

import asyncio
import contextlib
import logging
from contextvars import ContextVar

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

logger = logging.getLogger(__name__)


def push(group: str, event: dict) -> None:
    """One event to a group over the channel layer (`push_many`)."""
    push_many([(group, event)])


PUSHES_AT_ONCE = 8  # each group_send holds one of the layer's pooled Redis connections while it runs
_held: ContextVar[list | None] = ContextVar("chat_pushes_held", default=None)


def push_many(events) -> None:
    """Several (group, event) pushes, now, in one trip to the event loop (`send_pushes`); a channel layer that is down
    is logged and nothing else: the database still has everything and clients resync from it. Inside `pushes_held`
    they are kept for the caller to send instead."""
    events = list(events)
    held = _held.get()
    if held is not None:
        held.extend(events)
        return
    if not events or get_channel_layer() is None:
        return
    try:
        async_to_sync(send_pushes)(events)
    except Exception:  # a push is best effort; it must never undo or fail the write it reports
        logger.warning("chat: %s pushes failed", len(events), exc_info=True)


async def send_pushes(events) -> None:
    """The pushes, in their order: in one round trip where the layer can (influmojo.channel_layer), else PUSHES_AT_ONCE
    at a time, each one that fails logged while the others still go."""
    layer = get_channel_layer()
    if layer is None or not events:
        return
    if hasattr(layer, "group_send_many"):
        try:
            await layer.group_send_many(events)
        except Exception:  # a push is best effort; it must never undo or fail the write it reports
            logger.warning("chat: %s pushes failed", len(events), exc_info=True)
        return
    gate = asyncio.Semaphore(PUSHES_AT_ONCE)

    async def send(group, event):
        async with gate:
            await layer.group_send(group, event)

    results = await asyncio.gather(*(send(group, event) for group, event in events), return_exceptions=True)
    for (group, _), result in zip(events, results):
        if isinstance(result, Exception):
            logger.warning("chat: push to %s failed", group, exc_info=result)


@contextlib.contextmanager
def pushes_held():
    """The pushes that writes inside make (after their commits) are kept in the list this yields, not sent: a socket's
    database work runs in a worker thread, which would otherwise wait for the event loop to send them; its consumer
    sends them itself (`send_pushes`) once the work is back, after its own reply."""
    held = []
    token = _held.set(held)
    try:
        yield held
    finally:
        _held.reset(token)
