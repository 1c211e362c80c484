"""The production channel layer: channels_redis's pub/sub layer, plus `group_send_many`.

The pub/sub layer sends each group_send as its own PUBLISH, one at a time per Redis connection (a lock), each
waiting for its answer on the event loop. A chat message is three of them (the conversation, and each member's
badge), a message in a 100-member conversation 101; at 150 messages/s in bench/ws.py that queue, not the CPU, held
deliveries up (p95 ~200-460 ms with the server at ~55 % of a core). `group_send_many` sends a batch of group sends
as one pipeline, and the batches that arrive while one is on its way to Redis go together in the next pipeline
(`_Publisher`): one round trip per shard carries every message waiting, however busy the event loop is.
"""

import asyncio
import weakref
from collections import defaultdict

from channels_redis.pubsub import RedisPubSubChannelLayer


class _Publisher:
    """One shard's publishing for `group_send_many`: one pipeline in flight; whatever is published meanwhile waits,
    in order, and goes in the next one. Each caller returns (or raises) when its own PUBLISHes have been answered."""

    def __init__(self, shard):
        self.shard = shard
        self.waiting: list[tuple[list, asyncio.Future]] = []
        self.task: asyncio.Task | None = None

    def publish(self, published: list[tuple[str, bytes]]) -> asyncio.Future:
        """Queues the PUBLISHes; the future is answered when Redis has answered them."""
        answered = asyncio.get_running_loop().create_future()
        self.waiting.append((published, answered))
        if self.task is None:
            self.task = asyncio.ensure_future(self._send_waiting())
        return answered

    async def _send_waiting(self) -> None:
        batch = []
        try:
            while self.waiting:
                batch, self.waiting = self.waiting, []
                error = None
                try:
                    await self._send(batch)
                except Exception as failed:
                    error = failed
                for _, answered in batch:
                    if not answered.done():
                        answered.set_result(None) if error is None else answered.set_exception(error)
                batch = []
        finally:  # cancelled (its event loop closing, say): no caller is left waiting for ever
            self.task = None
            for _, answered in batch + self.waiting:
                answered.cancel()
            self.waiting = []

    async def _send(self, batch) -> None:
        async with self.shard._lock:  # the lock the layer's own publish and subscribe take
            self.shard._ensure_redis()
            pipeline = self.shard._redis.pipeline(transaction=False)
            for published, _ in batch:
                for channel, data in published:
                    pipeline.publish(channel, data)
            await pipeline.execute()


class PubSubChannelLayer(RedisPubSubChannelLayer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._publishers = weakref.WeakKeyDictionary()  # shard -> _Publisher (shards belong to one event loop)

    async def group_send_many(self, events) -> None:
        """[(group, message), …] published in their order, one pipelined round trip per shard (shared with the
        other batches waiting for it)."""
        layer = self._get_layer()
        by_shard = defaultdict(list)
        for group, message in events:
            channel = layer._get_group_channel_name(group)
            by_shard[layer._get_shard(channel)].append((channel, self.serialize(message)))
        # futures, not coroutines: gathering them starts no task per shard on a send's hot path
        await asyncio.gather(*(self._publisher(shard).publish(published) for shard, published in by_shard.items()))

    def _publisher(self, shard) -> _Publisher:
        if shard not in self._publishers:
            self._publishers[shard] = _Publisher(shard)
        return self._publishers[shard]
