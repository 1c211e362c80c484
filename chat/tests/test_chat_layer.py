"""The channels-redis layer as settings configure it (REDIS_URL; skipped without it): its pub/sub layer, which keeps
nothing in Redis, so what matters is that a subscriber idle for long, or cut off by Redis, still hears its groups."""

import asyncio
import contextlib
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


@contextlib.asynccontextmanager
async def listening(group: str):
    """A fresh layer, a channel of it in `group`, and the layer's one shard with its Redis client made."""
    layer = new_layer()
    name = await layer.new_channel()
    try:
        await layer.group_add(group, name)
        shard = layer._get_layer()._shards[0]
        shard._ensure_redis()
        yield layer, name, shard
    finally:
        await layer.flush()


async def received(layer, channel, timeout=3.0) -> dict:
    return await asyncio.wait_for(layer.receive(channel), timeout)


async def test_the_layer_is_the_pub_sub_one():
    from channels_redis.pubsub import RedisPubSubChannelLayer

    assert isinstance(new_layer(), RedisPubSubChannelLayer)


async def test_the_layer_reads_redis_replies_with_hiredis():
    async with listening("parsed") as (_, _, shard):
        connection = await shard._redis.connection_pool.get_connection()
        try:  # the C parser: each publish's answer and each message heard costs ~30 us less than redis-py's own
            assert type(connection._parser).__name__ == "_AsyncHiredisParser"
        finally:
            await shard._redis.connection_pool.release(connection)


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


def pipelines_wrapped(monkeypatch, shard, wrap):
    """Every pipeline the shard's client makes gets `wrap(pipeline, execute)` as its `execute`."""
    make_pipeline = shard._redis.pipeline

    def wrapped_pipeline(*args, **kwargs):
        pipeline = make_pipeline(*args, **kwargs)
        pipeline.execute = wrap(pipeline, pipeline.execute)
        return pipeline

    monkeypatch.setattr(shard._redis, "pipeline", wrapped_pipeline)


def pipelines_held(monkeypatch, shard):
    """Every pipeline the shard's client makes waits at `execute` until the returned event is set; the list collects
    each pipeline's PUBLISHed channels."""
    release, executed = asyncio.Event(), []

    def held(pipeline, execute):
        async def execute_when_released(*a, **k):
            executed.append([command[0][1] for command in pipeline.command_stack])
            await release.wait()
            return await execute(*a, **k)
        return execute_when_released

    pipelines_wrapped(monkeypatch, shard, held)
    return release, executed


async def test_batches_sent_while_one_is_on_its_way_share_the_next_round_trip(monkeypatch):
    async with listening("busy") as (layer, name, shard):
        release, executed = pipelines_held(monkeypatch, shard)
        first = asyncio.ensure_future(layer.group_send_many([("busy", {"type": "a"})]))
        await asyncio.sleep(0.05)  # "a" is on its way
        later = [asyncio.ensure_future(layer.group_send_many([("busy", {"type": kind})])) for kind in "bcd"]
        await asyncio.sleep(0.05)
        assert len(executed) == 1 and not any(task.done() for task in [first, *later])

        release.set()
        await asyncio.wait_for(asyncio.gather(first, *later), 3)

        assert [len(channels) for channels in executed] == [1, 3]  # b, c and d in one pipeline
        assert [(await received(layer, name))["type"] for _ in range(4)] == ["a", "b", "c", "d"]


async def test_a_failed_round_trip_fails_its_own_batch_and_the_next_one_is_sent(monkeypatch):
    async with listening("flaky") as (layer, name, shard):
        made = []

        def failing_once(pipeline, execute):
            made.append(pipeline)
            if len(made) > 1:
                return execute

            async def refused(*a, **k):
                await asyncio.sleep(0.05)
                raise ConnectionError("Redis went away")
            return refused

        pipelines_wrapped(monkeypatch, shard, failing_once)
        lost = asyncio.ensure_future(layer.group_send_many([("flaky", {"type": "lost"})]))
        await asyncio.sleep(0.01)
        sent = asyncio.ensure_future(layer.group_send_many([("flaky", {"type": "sent"})]))

        with pytest.raises(ConnectionError):
            await lost
        await asyncio.wait_for(sent, 3)
        assert (await received(layer, name))["type"] == "sent"


async def test_a_caller_that_gives_up_leaves_the_others_batch_alone(monkeypatch):
    async with listening("patient") as (layer, name, shard):
        release, _ = pipelines_held(monkeypatch, shard)
        asyncio.ensure_future(layer.group_send_many([("patient", {"type": "first"})]))
        await asyncio.sleep(0.05)
        impatient = asyncio.ensure_future(layer.group_send_many([("patient", {"type": "second"})]))
        patient = asyncio.ensure_future(layer.group_send_many([("patient", {"type": "third"})]))
        await asyncio.sleep(0.01)
        impatient.cancel()  # its socket closed, say: what it queued still goes out with the rest
        release.set()
        await asyncio.wait_for(patient, 3)

        assert [(await received(layer, name))["type"] for _ in range(3)] == ["first", "second", "third"]


async def test_callers_are_not_left_waiting_when_the_publishing_is_cancelled(monkeypatch):
    async with listening("closing") as (layer, _, shard):
        pipelines_held(monkeypatch, shard)  # never released
        on_its_way = asyncio.ensure_future(layer.group_send_many([("closing", {"type": "a"})]))
        await asyncio.sleep(0.05)
        waiting = asyncio.ensure_future(layer.group_send_many([("closing", {"type": "b"})]))
        await asyncio.sleep(0.01)

        layer._publishers[shard].task.cancel()  # what closing the event loop does to it

        for caller in (on_its_way, waiting):
            with pytest.raises(asyncio.CancelledError):
                await asyncio.wait_for(caller, 3)


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
