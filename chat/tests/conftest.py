"""Fixtures of the chat tests: conversations between a brand and a creator, a recorder of what chat pushes over
the channel layer, a recorder of what it asks the notification service, and websockets on both channel layers.

`channel_layer` runs a test once on the in-memory layer and once on channels_redis against the test Redis
(REDIS_URL, which scripts/test.sh exports; skipped without it). `open_socket(user, conversation)` connects
through the project's real ASGI application (origin check, session cookie or JWT, routing); `open_socket(user,
None)` opens the user's /ws/notifications/.
"""

import io
import os
import uuid
from dataclasses import dataclass, field

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from accounts.tests.factories import BrandUserFactory, CreatorUserFactory
from chat.services import conversations as conversation_services
from chat.services import live
from chat.services import messages as message_services
from influmojo.permissions import Actor

ORIGIN = (b"origin", b"http://testserver")


# --- Data ----------------------------------------------------------------------------------------------------------
@pytest.fixture
def conversation(brand, creator):
    """A direct conversation the brand opened with the creator."""
    return conversation_services.conversation_open_direct(actor=Actor.of(brand), creator_id=creator.pk)


@pytest.fixture
def outsider(db):
    return BrandUserFactory()


def send(conversation, user, body="Hello", **kwargs):
    return message_services.message_send(conversation_id=conversation.pk, actor=Actor.of(user), body=body, **kwargs)


def other_conversation():
    brand, creator = BrandUserFactory(), CreatorUserFactory()
    return conversation_services.conversation_open_direct(actor=Actor.of(brand), creator_id=creator.pk)


def png(width=3, height=2, name="photo.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "red").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


# --- What chat pushes and whom it notifies -------------------------------------------------------------------------
@dataclass
class Pushes:
    """Every group_send chat makes, as (group, event), through a stand-in channel layer."""

    events: list = field(default_factory=list)
    down: bool = False  # the layer refuses every send, as Redis does when it is gone

    async def group_send(self, group, event):
        if self.down:
            raise ConnectionError("channel layer down")
        self.events.append((group, event))

    def to(self, group: str) -> list[dict]:
        return [event for name, event in self.events if name == group]

    def of_type(self, kind: str) -> list[tuple[str, dict]]:
        return [(name, event) for name, event in self.events if event["type"] == kind]


@pytest.fixture
def pushes(monkeypatch):
    recorder = Pushes()
    monkeypatch.setattr(live, "get_channel_layer", lambda: recorder)
    return recorder


@pytest.fixture
def notified(monkeypatch):
    """The calls chat makes to the notification service (kwargs of notify)."""
    calls = []
    monkeypatch.setattr(message_services, "notify", lambda **kwargs: calls.append(kwargs))
    return calls


# --- Websockets ----------------------------------------------------------------------------------------------------
def _redis_layer_config() -> dict:
    return {"BACKEND": django_settings.CHANNEL_LAYERS["default"]["BACKEND"],
            "CONFIG": {"hosts": [os.environ["REDIS_URL"]], "prefix": f"test-{uuid.uuid4().hex[:12]}"}}


@pytest.fixture(params=["memory", "redis"])
async def channel_layer(request, settings):
    """The test runs on this layer (a fresh one: its groups and channels are the test's alone)."""
    if request.param == "redis":
        if not os.environ.get("REDIS_URL"):
            pytest.skip("no REDIS_URL: the Redis layer runs under scripts/test.sh")
        settings.CHANNEL_LAYERS = {"default": _redis_layer_config()}
    else:
        settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    layer = get_channel_layer()
    yield layer
    if request.param == "redis":
        await layer.flush()  # the pub/sub layer's flush also closes its connections


def session_cookie(user) -> bytes:
    client = Client()
    client.force_login(user)
    return f"{django_settings.SESSION_COOKIE_NAME}={client.cookies[django_settings.SESSION_COOKIE_NAME].value}".encode()


class Socket:
    """One websocket of a test: its communicator and what it was refused with."""

    def __init__(self, communicator, connected, code):
        self.communicator, self.connected, self.code = communicator, connected, code
        self.closed = not connected

    async def send(self, frame: dict):
        await self.communicator.send_json_to(frame)

    async def send_text(self, text: str):
        await self.communicator.send_to(text_data=text)

    async def receive(self, timeout: float = 2) -> dict:
        return await self.communicator.receive_json_from(timeout=timeout)

    async def receive_type(self, kind: str, timeout: float = 2) -> dict:
        """The next frame of that type (others before it, like presence, are skipped)."""
        while True:
            frame = await self.receive(timeout)
            if frame["type"] == kind:
                return frame

    async def nothing(self, timeout: float = 0.3) -> bool:
        return await self.communicator.receive_nothing(timeout=timeout)

    async def drain(self) -> list[dict]:
        frames = []
        while not await self.nothing(0.2):
            frames.append(await self.receive())
        return frames

    async def closed_by_server(self, timeout: float = 2) -> int:
        """The close code of the next output, which must be the server closing the socket (frames before it are
        skipped)."""
        while True:
            output = await self.communicator.receive_output(timeout)
            if output["type"] == "websocket.close":
                return output.get("code")

    async def close(self):
        if not self.closed:
            self.closed = True
            await self.communicator.disconnect()


@pytest.fixture
async def open_socket():
    """`await open_socket(user, conversation, query="after=3", token=None)` → a Socket (connected or refused);
    conversation None: the notifications socket."""
    from influmojo.asgi import application

    sockets = []

    async def make(user, conversation, *, query: str = "", token: str | None = None, cookie: bool = True):
        headers = [ORIGIN]
        if user is not None and cookie and token is None:
            headers.append((b"cookie", await database_sync_to_async(session_cookie)(user)))
        if token is not None:
            query = f"token={token}" + (f"&{query}" if query else "")
        if conversation is None:
            path = "/ws/notifications/"
        else:
            path = f"/ws/chat/{conversation if isinstance(conversation, int) else conversation.pk}/"
        path += f"?{query}" if query else ""
        communicator = WebsocketCommunicator(application, path, headers=headers)
        connected, code = await communicator.connect(timeout=3)
        socket = Socket(communicator, connected, code)
        if connected:
            sockets.append(socket)
        return socket

    yield make
    for socket in sockets:
        try:
            await socket.close()
        except Exception:  # already ended by the server; nothing left to close
            pass
