"""Websocket authentication: the session cookie (browser) or `?token=<access JWT>` (mobile app).

Suspended and banned users resolve to AnonymousUser either way, so consumers refuse them.
"""

from urllib.parse import parse_qs

from allauth.headless.tokens.strategies.jwt.internal import validate_access_token
from channels.auth import AuthMiddlewareStack
from channels.middleware import BaseMiddleware
from django.contrib.auth.models import AnonymousUser

from influmojo.socket_db import socket_db_work


@socket_db_work
def user_from_access_token(token: str):
    result = validate_access_token(token)
    if result is None:
        return AnonymousUser()
    user = result[0]
    return user if user.is_active else AnonymousUser()


class JWTQueryAuthMiddleware(BaseMiddleware):
    async def __call__(self, scope, receive, send):
        token = parse_qs(scope.get("query_string", b"").decode()).get("token")
        if token:
            scope["user"] = await user_from_access_token(token[0])
        return await super().__call__(scope, receive, send)


def SessionOrJWTAuthMiddlewareStack(inner):  # noqa: N802 - named like Channels' own stacks
    return AuthMiddlewareStack(JWTQueryAuthMiddleware(inner))
