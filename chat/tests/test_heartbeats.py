"""chat.heartbeats through real sockets: pings are answered at once and written per process in one batch."""

import asyncio
import logging

import pytest
from channels.db import database_sync_to_async
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from chat import heartbeats
from chat.models import Connection
from chat.services import presence
from chat.services.presence import Heartbeat

from .conftest import other_conversation

pytestmark = pytest.mark.django_db(transaction=True)
db = database_sync_to_async
QUERIES_PER_FLUSH = 3  # members of the chats, the notification sockets' users, one UPDATE of last_seen_at


@pytest.fixture
def flushes(monkeypatch):
    """Each call to presence_heartbeat_many: the heartbeats it was given and the queries it made."""
    calls = []
    real = presence.presence_heartbeat_many

    def recorded(*, heartbeats):
        heartbeats = list(heartbeats)
        with CaptureQueriesContext(connection) as queries:  # in the database thread, where the flush runs
            refused = real(heartbeats=heartbeats)
        calls.append({"heartbeats": heartbeats, "queries": len(queries)})
        return refused

    monkeypatch.setattr(presence, "presence_heartbeat_many", recorded)
    return calls


async def joined(open_socket, user, conversation):
    socket = await open_socket(user, conversation)
    assert socket.connected, socket.code
    await socket.drain()
    return socket


async def last_seen(user_id: int) -> dict:
    return dict(await db(lambda: list(Connection.objects.filter(user_id=user_id)
                                      .values_list("channel_name", "last_seen_at")))())


async def last_seen_after(user_id: int, before):
    """The user's one connection's last_seen_at once it is later than `before` (or as it is after ~2 s)."""
    for _ in range(100):
        (after,) = (await last_seen(user_id)).values()
        if after > before:
            break
        await asyncio.sleep(0.02)
    return after


@pytest.mark.parametrize("pairs", [1, 10])
async def test_pings_of_many_sockets_are_written_in_one_batch_of_the_same_queries(channel_layer, open_socket,
                                                                                   flushes, pairs):
    """2 and 20 sockets (a chat socket and a notifications socket per pair), each pinging twice."""
    sockets, users = [], []
    for _ in range(pairs):
        theirs = await db(other_conversation)()
        brand, creator = [await db(User.objects.get)(pk=pk) for pk in (theirs.brand_id, theirs.creator_id)]
        # joined: each socket's connection row is written (the notification socket writes it after accepting)
        sockets += [await joined(open_socket, brand, theirs), await joined(open_socket, creator, None)]
        users += [theirs.brand_id, theirs.creator_id]
    assert all(socket.connected for socket in sockets)
    before = {user_id: await last_seen(user_id) for user_id in users}

    for _ in range(2):
        for socket in sockets:
            await socket.send({"type": "ping"})
    pongs = [await socket.receive_type("pong") for socket in sockets for _ in range(2)]  # presence frames skipped
    unwritten = flushes[:]
    await heartbeats.flush()

    assert len(pongs) == 4 * pairs and unwritten == []
    assert len(flushes) == 1 and len(flushes[0]["heartbeats"]) == 2 * pairs
    assert flushes[0]["queries"] == QUERIES_PER_FLUSH
    for user_id in users:
        after = await last_seen(user_id)
        assert after.keys() == before[user_id].keys()
        assert all(after[name] > seen for name, seen in before[user_id].items())
    left = await asyncio.gather(*(socket.drain() for socket in sockets))
    assert not [frame for frames in left for frame in frames if frame["type"] == "error"]  # nobody was refused


async def test_the_flusher_writes_on_its_own_every_interval(channel_layer, open_socket, conversation, brand,
                                                            settings):
    settings.CHAT_HEARTBEAT_FLUSH_SECONDS = 0.05
    socket = await joined(open_socket, brand, conversation)
    (before,) = (await last_seen(brand.pk)).values()

    await socket.send({"type": "ping"})
    assert await socket.receive() == {"type": "pong"}

    after = await last_seen_after(brand.pk, before)
    assert after > before


async def test_a_swept_connection_comes_back_with_the_next_heartbeat_and_its_user_is_online_again(
        channel_layer, open_socket, conversation, brand, creator):
    watcher = await joined(open_socket, brand, conversation)
    socket = await joined(open_socket, creator, conversation)
    await watcher.drain()
    await db(lambda: Connection.objects.filter(user=creator).update(last_seen_at="2000-01-01T00:00:00Z"))()
    assert await db(presence.presence_sweep)() == [creator.pk]
    offline = await watcher.receive_type("presence")

    await socket.send({"type": "ping"})
    assert await socket.receive() == {"type": "pong"}
    await heartbeats.flush()

    online = await watcher.receive_type("presence")
    user = await db(User.objects.get)(pk=creator.pk)
    row = await db(Connection.objects.get)(user=creator)
    assert (offline["online"], online["online"], online["user_id"]) == (False, True, creator.pk)
    assert user.is_online and row.conversation_id == conversation.pk


async def test_a_socket_that_closed_before_the_flush_is_dropped(channel_layer, open_socket, conversation, brand,
                                                                flushes):
    socket = await joined(open_socket, brand, conversation)
    await socket.send({"type": "ping"})
    assert await socket.receive() == {"type": "pong"}

    await socket.close()
    await heartbeats.flush()

    assert flushes == []
    assert not await db(Connection.objects.filter(user=brand).exists)()  # not brought back by its heartbeat


class Listener:
    """A consumer as the batch sees it."""

    def __init__(self):
        self.refusals = 0

    async def heartbeat_refused(self):
        self.refusals += 1


async def test_a_socket_that_closes_while_its_heartbeat_is_written_is_not_told_and_waits_for_the_write(
        monkeypatch):
    writing, written = asyncio.Event(), asyncio.Event()

    async def write(batch):
        writing.set()
        await written.wait()
        return {heartbeat.channel_name for heartbeat in batch}  # neither may stay

    monkeypatch.setattr(heartbeats, "_write", write)
    stays, leaves = Listener(), Listener()
    heartbeats.beat(stays, Heartbeat(channel_name="stays.a", user_id=1, conversation_id=7))
    heartbeats.beat(leaves, Heartbeat(channel_name="leaves.b", user_id=2, conversation_id=7))
    flushing = asyncio.create_task(heartbeats.flush())
    await writing.wait()

    forgetting = asyncio.create_task(heartbeats.forget("leaves.b"))
    await asyncio.sleep(0.05)
    waited = not forgetting.done()  # its connection row is deleted after this write, never before
    written.set()
    await asyncio.gather(flushing, forgetting)

    assert waited and (stays.refusals, leaves.refusals) == (1, 0)


async def test_a_failing_flush_is_logged_and_its_heartbeats_kept_for_the_next(channel_layer, open_socket,
                                                                              conversation, brand, monkeypatch,
                                                                              caplog):
    socket = await joined(open_socket, brand, conversation)
    (before,) = (await last_seen(brand.pk)).values()
    real = presence.presence_heartbeat_many

    def database_down(*, heartbeats):
        raise ConnectionError("database unreachable")

    monkeypatch.setattr(presence, "presence_heartbeat_many", database_down)
    await socket.send({"type": "ping"})
    assert await socket.receive() == {"type": "pong"}
    with caplog.at_level(logging.WARNING, logger="chat.heartbeats"):
        await heartbeats.flush()
    (during,) = (await last_seen(brand.pk)).values()
    monkeypatch.setattr(presence, "presence_heartbeat_many", real)
    await heartbeats.flush()

    (after,) = (await last_seen(brand.pk)).values()
    assert during == before and after > before
    assert "writing 1 failed" in caplog.text
    assert await socket.nothing(0.1)  # a failing flush tells the socket nothing


async def test_the_flusher_survives_a_failing_flush(channel_layer, open_socket, conversation, brand, monkeypatch,
                                                    settings):
    settings.CHAT_HEARTBEAT_FLUSH_SECONDS = 0.05
    socket = await joined(open_socket, brand, conversation)
    (before,) = (await last_seen(brand.pk)).values()
    real, failures = presence.presence_heartbeat_many, []

    def down_once(*, heartbeats):
        if not failures:
            failures.append(1)
            raise ConnectionError("database unreachable")
        return real(heartbeats=heartbeats)

    monkeypatch.setattr(presence, "presence_heartbeat_many", down_once)
    await socket.send({"type": "ping"})
    assert await socket.receive() == {"type": "pong"}

    after = await last_seen_after(brand.pk, before)
    assert failures and after > before


def test_each_event_loop_gets_its_own_batch():
    async def current():
        return heartbeats._current()

    first, second = asyncio.run(current()), asyncio.run(current())

    assert first is not second


def test_heartbeats_are_flushed_well_inside_the_connection_ttl(settings):
    assert 0 < settings.CHAT_HEARTBEAT_FLUSH_SECONDS * 6 <= settings.CHAT_CONNECTION_TTL_SECONDS
