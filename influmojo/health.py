import asyncio
import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _cache() -> None:
    cache.set("healthz", "ok", 5)
    if cache.get("healthz") != "ok":
        raise RuntimeError("cache read-back failed")


async def _channel_layer_publish() -> None:
    """The layer reaches Redis: one publish to a group nobody is in. (Not a round trip on a new channel: the pub/sub
    layer would keep that channel's subscription for the life of the process, one more every check.)"""
    await asyncio.wait_for(get_channel_layer().group_send("healthz", {"type": "healthz"}), timeout=2)


def _channel_layer() -> None:
    async_to_sync(_channel_layer_publish)()


CHECKS = {"database": _database, "cache": _cache, "channel_layer": _channel_layer}


@require_GET
def healthz(request):
    """Reports whether the database, the cache and the channel layer answer; 503 if any does not."""
    results = {}
    for name, check in CHECKS.items():
        try:
            check()
            results[name] = "ok"
        except Exception as exc:  # a health check reports failures, it does not raise them
            logger.warning("healthz: %s failed: %s", name, exc)
            results[name] = "unavailable"
    healthy = all(value == "ok" for value in results.values())
    return JsonResponse({"status": "ok" if healthy else "degraded", "checks": results}, status=200 if healthy else 503)
