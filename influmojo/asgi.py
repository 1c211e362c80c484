import gc
import os
import sys

from django.conf import settings
from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "influmojo.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from influmojo.channels_auth import SessionOrJWTAuthMiddlewareStack  # noqa: E402
from influmojo.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(SessionOrJWTAuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)

# An ASGI process lives long and holds thousands of sockets, and a full collection walks every tracked object while
# the event loop waits (bench/ws.py saw 100-200 ms pauses at 1,000 sockets). What start-up loaded (Django, the URL
# map, the models' metadata) is never garbage: it is moved out of the collector's reach; and the youngest generation
# is collected after 50,000 new objects instead of 700, so full collections come seldom (cycles are still freed).
gc.freeze()
gc.set_threshold(50_000, 20, 100)

# The sockets' database work runs in threads (influmojo.socket_db) that give the GIL up at every round trip to
# PostgreSQL; with the event loop busy, each waited Python's 5 ms switch interval to get it back (settings).
sys.setswitchinterval(settings.SOCKET_SWITCH_INTERVAL_MS / 1000)
