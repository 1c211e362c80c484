"""The production channel layer: channels_redis's pub/sub layer, plus `group_send_many`.

The pub/sub layer sends each group_send as its own PUBLISH, one at a time per Redis connection (a lock), each
waiting for its answer on the event loop. A chat message is three of them (the conversation, and each member's
badge), a message in a 100-member conversation 101; at 150 messages/s in bench/ws.py that queue, not the CPU, held
deliveries up (p95 ~200-460 ms with the server at ~55 % of a core). `group_send_many` sends a batch of group sends
as one pipeline: one round trip per Redis server for the lot.
"""

from collections import defaultdict

from channels_redis.pubsub import RedisPubSubChannelLayer


class PubSubChannelLayer(RedisPubSubChannelLayer):
    async def group_send_many(self, events) -> None:
        """[(group, message), …] published in their order, one pipelined round trip per shard."""
        layer = self._get_layer()
        by_shard = defaultdict(list)
        for group, message in events:
            channel = layer._get_group_channel_name(group)
            by_shard[layer._get_shard(channel)].append((channel, self.serialize(message)))
        for shard, published in by_shard.items():
            async with shard._lock:  # the lock the layer's own publish takes
                shard._ensure_redis()
                pipeline = shard._redis.pipeline(transaction=False)
                for channel, data in published:
                    pipeline.publish(channel, data)
                await pipeline.execute()
