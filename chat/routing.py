"""Websocket routes of the chat app (collected by influmojo.routing)."""

from django.urls import re_path

from .consumers.chat import ChatConsumer
from .consumers.notifications import NotificationConsumer

websocket_urlpatterns = [
    # the `id` converter's pattern (influmojo.converters); the consumer refuses an id past a bigint
    re_path(r"^ws/chat/(?P<conversation_id>[1-9][0-9]{0,18})/$", ChatConsumer.as_asgi()),
    re_path(r"^ws/notifications/$", NotificationConsumer.as_asgi()),
]
