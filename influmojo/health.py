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


async def _channel_layer_roundtrip() -> None:
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.send(channel, {"type": "healthz"})
    await asyncio.wait_for(layer.receive(channel), timeout=2)


def _channel_layer() -> None:
    async_to_sync(_channel_layer_roundtrip)()


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
