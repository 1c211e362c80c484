"""The channels-redis layer as settings configure it (REDIS_URL; skipped without it): its pub/sub layer, which keeps
nothing in Redis, so what matters is that a subscriber idle for long, or cut off by Redis, still hears its groups."""

import asyncio
import os
import uuid

import pytest
from django.conf import settings

pytestmark = pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="the Redis layer runs under scripts/test.sh")


def new_layer():
    """The configured layer, built afresh with a prefix of its own."""
    from django.utils.module_loading import import_string

    config = settings.CHANNEL_LAYERS["default"]
    return import_string(config["BACKEND"])(**{**config["CONFIG"], "prefix": f"test-{uuid.uuid4().hex}"})


async def received(layer, channel, timeout=3.0) -> dict:
    return await asyncio.wait_for(layer.receive(channel), timeout)


async def test_the_layer_is_the_pub_sub_one():
    from channels_redis.pubsub import RedisPubSubChannelLayer

    assert isinstance(new_layer(), RedisPubSubChannelLayer)


async def test_a_batch_of_group_sends_reaches_each_group_in_order_in_one_round_trip(monkeypatch):
    layer = new_layer()
    one, two, elsewhere = await layer.new_channel(), await layer.new_channel(), await layer.new_channel()
    try:
        await layer.group_add("one", one)
        await layer.group_add("two", two)
        await layer.group_add("two", elsewhere)
        shard = layer._get_layer()._shards[0]
        shard._ensure_redis()
        trips = []
        for name in ("execute_command", "pipeline"):
            original = getattr(shard._redis, name)
            monkeypatch.setattr(shard._redis, name, lambda *a, _o=original, _n=name, **k: trips.append(_n) or _o(*a, **k))

        await layer.group_send_many([("one", {"type": "a"}), ("two", {"type": "b"}), ("one", {"type": "c"})])

        assert trips == ["pipeline"]  # no PUBLISH of its own
        assert [(await received(layer, one))["type"] for _ in range(2)] == ["a", "c"]
        assert (await received(layer, two))["type"] == "b" and (await received(layer, elsewhere))["type"] == "b"
    finally:
        await layer.flush()


async def test_a_batch_to_a_layer_that_cannot_reach_redis_raises():
    layer = type(new_layer())(hosts=[{"address": "redis://127.0.0.1:9/0", "socket_connect_timeout": 1}])

    with pytest.raises(Exception):
        await layer.group_send_many([("one", {"type": "a"})])


async def test_a_socket_idle_longer_than_the_read_timeout_still_receives(settings):
    hosts = [{**settings.CHANNEL_LAYERS["default"]["CONFIG"]["hosts"][0], "socket_timeout": 1}]
    settings.CHANNEL_LAYERS = {"default": {**settings.CHANNEL_LAYERS["default"], "CONFIG": {"hosts": hosts}}}
    layer = new_layer()
    name = await layer.new_channel()
    try:
        await layer.group_add("idle", name)
        await asyncio.sleep(2.5)  # longer than the connection's read timeout
        await layer.group_send("idle", {"type": "hello"})
        assert (await received(layer, name))["type"] == "hello"
    finally:
        await layer.flush()


async def test_a_subscriber_hears_its_groups_again_after_redis_drops_its_connection():
    import redis.asyncio as redis

    layer = new_layer()
    name = await layer.new_channel()
    admin = redis.Redis.from_url(os.environ["REDIS_URL"])
    try:
        await layer.group_add("dropped", name)
        await layer.group_send("dropped", {"type": "before"})
        assert (await received(layer, name))["type"] == "before"

        killed = await admin.client_kill_filter(_type="pubsub")  # what a Redis restart does to the subscription

        assert killed >= 1
        got = None
        for _ in range(50):  # the layer reconnects and subscribes again within a few seconds
            try:
                await layer.group_send("dropped", {"type": "after"})
                got = await received(layer, name, timeout=0.2)
                break
            except (asyncio.TimeoutError, redis.ConnectionError):  # a publish may meet the dropped connection once
                continue
        assert got is not None and got["type"] == "after"
    finally:
        await admin.aclose()
        await layer.flush()
