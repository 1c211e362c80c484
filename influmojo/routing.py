"""Websocket routes of every app, collected in one list for asgi.py."""

from chat.routing import websocket_urlpatterns as chat_routes

websocket_urlpatterns: list = [*chat_routes]
