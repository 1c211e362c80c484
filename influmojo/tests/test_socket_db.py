"""influmojo.socket_db: the consumers' database work on a pool of threads (PostgreSQL) or channels' one thread."""

import asyncio
import threading

import pytest

from accounts.tests.factories import UserFactory
from influmojo.socket_db import socket_db_work


def _meeting(parties: int):
    """Work that only finishes once `parties` calls are inside it at the same time."""
    barrier = threading.Barrier(parties, timeout=5)

    @socket_db_work
    def meet() -> str:
        barrier.wait()
        return threading.current_thread().name

    return meet


@pytest.mark.django_db
async def test_with_several_threads_calls_run_at_once_on_the_pool(settings):
    settings.SOCKET_DB_THREADS = 3
    meet = _meeting(3)

    names = await asyncio.gather(meet(), meet(), meet())

    assert len(set(names)) == 3 and all(name.startswith("socket-db") for name in names)


@pytest.mark.django_db
async def test_with_one_thread_calls_wait_for_each_other_on_channels_thread(settings):
    settings.SOCKET_DB_THREADS = 1

    @socket_db_work
    def where() -> str:
        return threading.current_thread().name

    first, second = await asyncio.gather(where(), where())

    assert first == second and not first.startswith("socket-db")


def test_sqlite_always_keeps_one_thread():
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        assert settings.SOCKET_DB_THREADS == 1
    else:
        assert settings.SOCKET_DB_THREADS >= 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
async def test_pooled_work_reads_and_writes_through_its_own_connection(settings):
    settings.SOCKET_DB_THREADS = 2
    user = await socket_db_work(UserFactory)()

    @socket_db_work
    def rename(pk: int) -> str:
        from accounts.models import User

        User.objects.filter(pk=pk).update(name="Renamed on the pool")
        return User.objects.get(pk=pk).name

    assert await rename(user.pk) == "Renamed on the pool"


async def _echo_through(consumer_class) -> None:
    from channels.testing import WebsocketCommunicator

    class Echo(consumer_class):
        async def receive_json(self, content, **kwargs):
            await self.send_json(content)

    communicator = WebsocketCommunicator(Echo.as_asgi(), "/")
    connected, _ = await communicator.connect()
    assert connected
    await communicator.send_json_to({"frame": 1})
    assert await communicator.receive_json_from() == {"frame": 1}
    await communicator.disconnect()


async def test_a_socket_db_consumer_handles_events_without_channels_hop_to_its_shared_thread(monkeypatch):
    from channels.generic.websocket import AsyncJsonWebsocketConsumer

    from influmojo.socket_db import SocketDbConsumer

    hops = []

    async def hop():
        hops.append(1)

    monkeypatch.setattr("channels.consumer.aclose_old_connections", hop)  # before every event
    monkeypatch.setattr("channels.generic.websocket.aclose_old_connections", hop)  # and after the disconnect
    await _echo_through(AsyncJsonWebsocketConsumer)
    assert hops  # channels' own consumer hops for every event (connect, frame, disconnect)
    hops.clear()

    await _echo_through(SocketDbConsumer)

    assert hops == []
