"""The channels-redis layer as settings configure it (REDIS_URL; skipped without it)."""

import os

import pytest
from django.conf import settings

pytestmark = pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="the Redis layer runs under scripts/test.sh")


def test_a_receive_waits_out_the_layers_blocking_pop_without_a_socket_timeout():
    """channels_redis blocks up to brpop_timeout (5 s) for a socket's next event; a read timeout no longer than that
    raised TimeoutError from an idle socket's receive (found by bench/ws.py: idle sockets died every few seconds)."""
    from channels_redis.core import RedisChannelLayer

    layer = RedisChannelLayer(**settings.CHANNEL_LAYERS["default"]["CONFIG"])
    connection = layer.create_pool(0).make_connection()  # what the layer's connections read with (unconnected)

    assert connection.socket_timeout is None or connection.socket_timeout >= RedisChannelLayer.brpop_timeout + 5


async def test_a_socket_idle_longer_than_the_blocking_pop_still_receives():
    import asyncio

    from channels_redis.core import RedisChannelLayer

    config = settings.CHANNEL_LAYERS["default"]["CONFIG"]
    layer = RedisChannelLayer(**{**config, "prefix": "test-idle"})
    layer.brpop_timeout = 1  # several empty blocking pops in a few seconds
    name = await layer.new_channel()
    try:
        waiting = asyncio.ensure_future(layer.receive(name))
        await asyncio.sleep(3.5)  # several blocking pops come back empty meanwhile
        await layer.send(name, {"type": "hello"})
        assert (await asyncio.wait_for(waiting, 3))["type"] == "hello"
    finally:
        await layer.flush()
        await layer.close_pools()
