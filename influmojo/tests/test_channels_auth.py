"""Websocket authentication: session cookie or ?token=<JWT>; suspended users are anonymous."""

import pytest
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client
from django.urls import path
from rest_framework.test import APIClient

from accounts import services
from accounts.models import User
from accounts.tests.factories import PASSWORD
from influmojo.channels_auth import SessionOrJWTAuthMiddlewareStack
from influmojo.permissions import Actor

pytestmark = pytest.mark.django_db(transaction=True)


class WhoAmI(AsyncJsonWebsocketConsumer):
    """Accepts only authenticated users and tells them who they are, like every real consumer will."""

    async def connect(self):
        if not self.scope["user"].is_authenticated:
            await self.close(code=4401)
            return
        await self.accept()
        await self.send_json({"email": self.scope["user"].email})


application = SessionOrJWTAuthMiddlewareStack(
    __import__("channels.routing", fromlist=["URLRouter"]).URLRouter([path("ws/whoami/", WhoAmI.as_asgi())])
)


def access_token(email: str) -> str:
    response = APIClient().post("/_allauth/app/v1/auth/login", {"email": email, "password": PASSWORD}, format="json")
    return response.json()["meta"]["access_token"]


def session_cookie(user) -> bytes:
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}".encode()


async def connect(path: str, headers=None):
    communicator = WebsocketCommunicator(application, path, headers=headers or [])
    connected, code = await communicator.connect()
    reply = await communicator.receive_json_from() if connected else None
    await communicator.disconnect()
    return connected, code, reply


async def test_anonymous_socket_is_refused():
    connected, code, _ = await connect("/ws/whoami/")

    assert not connected and code == 4401


async def test_jwt_in_query_string_authenticates(creator):
    token = await database_sync_to_async(access_token)(creator.email)

    connected, _, reply = await connect(f"/ws/whoami/?token={token}")

    assert connected and reply == {"email": creator.email}


async def test_forged_token_is_refused(creator):
    connected, code, _ = await connect("/ws/whoami/?token=eyJhbGciOiJSUzI1NiJ9.e30.forged")

    assert not connected and code == 4401


async def test_session_cookie_authenticates(brand):
    cookie = await database_sync_to_async(session_cookie)(brand)

    connected, _, reply = await connect("/ws/whoami/", headers=[(b"cookie", cookie)])

    assert connected and reply == {"email": brand.email}


@pytest.mark.parametrize("credential", ["jwt", "session"])
async def test_suspended_user_is_refused_with_a_token_or_session_they_already_hold(creator, agent, credential):
    if credential == "jwt":
        token = await database_sync_to_async(access_token)(creator.email)
        path, headers = f"/ws/whoami/?token={token}", []
    else:
        path, headers = "/ws/whoami/", [(b"cookie", await database_sync_to_async(session_cookie)(creator))]

    await database_sync_to_async(services.user_set_status)(
        user_id=creator.pk, to=User.Status.SUSPENDED, actor=Actor.of(agent)
    )
    connected, code, _ = await connect(path, headers)

    assert not connected and code == 4401
