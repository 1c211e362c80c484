"""Where websocket consumers (and their authentication) do their database work: `socket_db_work`, in place of channels'
database_sync_to_async.

Channels runs every database_sync_to_async call of a process on one shared thread (thread-sensitive mode; no
consumer has a ThreadSensitiveContext of its own), so with thousands of sockets each send, ping and connect waits
in line behind the others' round trips to PostgreSQL and their commits. With SOCKET_DB_THREADS > 1 the work
runs on a pool of that many threads instead, each with its own database connection (closed or kept as
CONN_MAX_AGE says, as channels does): the waits for PostgreSQL overlap. One socket's frames are still handled one
after the other (a consumer awaits each), and what must be ordered across sockets is ordered by the database
(the conversation's row lock hands out message ids in commit order; presence settles under the user's row lock).

SQLite (the embedded `make run`) keeps the one thread: its writers lock the whole file.

`SocketDbConsumer` is the consumers' base: channels' dispatch without its per-event hop to the shared thread.
"""

import functools
import threading
from concurrent.futures import ThreadPoolExecutor

from channels.db import DatabaseSyncToAsync, database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.consumer import get_handler_name
from channels.exceptions import StopConsumer
from django.conf import settings

_pools: dict[int, ThreadPoolExecutor] = {}  # by size (tests change SOCKET_DB_THREADS)
_pools_lock = threading.Lock()


def _executor(threads: int) -> ThreadPoolExecutor:
    with _pools_lock:
        if threads not in _pools:
            _pools[threads] = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="socket-db")
        return _pools[threads]


def socket_db_work(func):
    """`func` (sync, database work) as a coroutine function for consumers: on the pool when
    SOCKET_DB_THREADS > 1, else on channels' one thread."""
    one_thread = database_sync_to_async(func)

    @functools.wraps(func)
    async def run(*args, **kwargs):
        threads = settings.SOCKET_DB_THREADS
        if threads <= 1:
            return await one_thread(*args, **kwargs)
        pooled = DatabaseSyncToAsync(func, thread_sensitive=False, executor=_executor(threads))
        return await pooled(*args, **kwargs)

    return run


class SocketDbConsumer(AsyncJsonWebsocketConsumer):
    """A JSON websocket consumer whose database work is `socket_db_work`.

    Channels' dispatch first sends every event (each frame in, each group message) to its one shared thread to
    close that thread's stale database connections, and the event waits for it: with a thousand sockets that queue
    held every delivery up (bench/ws.py: past ~150 messages/s deliveries queued with the server at 60 % of a core;
    py-spy found the event loop waiting in `aclose_old_connections`). Here nothing else runs on that thread's
    connections, and `socket_db_work` closes stale connections around each piece of work in the thread that does it.
    The same hop at the end of channels' `websocket_disconnect` is left out too.
    """

    async def dispatch(self, message):
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def websocket_disconnect(self, message):
        for group in self.groups:
            await self.channel_layer.group_discard(group, self.channel_name)
        await self.disconnect(message["code"])
        raise StopConsumer()
