"""Clients for the platforms creators connect by OAuth; see base.py for the shared shapes and errors."""

from influmojo.errors import NotFound

from .base import NotConfigured, PlatformClient, PlatformError, RateLimited, TokenRevoked, redact  # noqa: F401
from .facebook import FacebookClient
from .instagram import InstagramClient
from .tiktok import TikTokClient
from .youtube import YouTubeClient

CLIENTS: dict[str, type[PlatformClient]] = {
    client.platform: client for client in (InstagramClient, YouTubeClient, FacebookClient, TikTokClient)
}
OAUTH_PLATFORMS = tuple(CLIENTS)
OAUTH_PLATFORM_CHOICES = [(name, client.label) for name, client in CLIENTS.items()]  # schema: OAuthPlatformEnum


def client_class(platform: str) -> type[PlatformClient]:
    try:
        return CLIENTS[platform]
    except KeyError:
        raise NotFound(f"There is no OAuth connection for {platform!r}.") from None


def client_for(platform: str) -> PlatformClient:
    """A fresh client (its own call record) for one connect or sync."""
    return client_class(platform)()


def is_configured(platform: str) -> bool:
    return platform in CLIENTS and CLIENTS[platform].is_configured()
