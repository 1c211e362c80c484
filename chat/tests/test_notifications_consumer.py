"""`/ws/notifications/` through the project's ASGI application, on the in-memory layer and on channels_redis
against the test Redis (REDIS_URL, exported by scripts/test.sh; skipped without it)."""

import os
import uuid

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings as django_settings
from django.db import transaction
from django.test import Client
from rest_framework.test import APIClient

from accounts import services as account_services
from accounts.models import User
from accounts.tests.factories import PASSWORD, AgentFactory, CreatorUserFactory
from chat.models import Notification
from chat.services import notifications as services
from influmojo.permissions import Actor

pytestmark = pytest.mark.django_db(transaction=True)
ORIGIN = (b"origin", b"http://testserver")


@pytest.fixture(params=["memory", "redis"])
async def layer(request, settings):
    if request.param == "redis":
        if not os.environ.get("REDIS_URL"):
            pytest.skip("no REDIS_URL: the Redis layer runs under scripts/test.sh")
        settings.CHANNEL_LAYERS = {"default": {
            "BACKEND": django_settings.CHANNEL_LAYERS["default"]["BACKEND"],
            "CONFIG": {"hosts": [os.environ["REDIS_URL"]], "prefix": f"test-{uuid.uuid4().hex[:12]}"}}}
    else:
        settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    channel_layer = get_channel_layer()
    yield channel_layer
    if request.param == "redis":
        await channel_layer.flush()  # the pub/sub layer's flush also closes its connections


def session_cookie(user) -> bytes:
    client = Client()
    client.force_login(user)
    return f"{django_settings.SESSION_COOKIE_NAME}={client.cookies[django_settings.SESSION_COOKIE_NAME].value}".encode()


def access_token(user) -> str:
    response = APIClient().post("/_allauth/app/v1/auth/login", {"email": user.email, "password": PASSWORD},
                                format="json")
    return response.json()["meta"]["access_token"]


@pytest.fixture
async def sockets():
    """`await sockets.open(user, via="session"|"jwt"|None, token=None)` → (communicator, connected, code)."""
    from influmojo.asgi import application

    opened = []

    class Sockets:
        async def open(self, user=None, *, via="session", token=None):
            headers, path = [ORIGIN], "/ws/notifications/"
            if via == "session" and user is not None:
                headers.append((b"cookie", await database_sync_to_async(session_cookie)(user)))
            elif via == "jwt":
                token = token or await database_sync_to_async(access_token)(user)
                path += f"?token={token}"
            communicator = WebsocketCommunicator(application, path, headers=headers)
            connected, code = await communicator.connect(timeout=3)
            if connected:
                opened.append(communicator)
            return communicator, connected, code

    yield Sockets()
    for communicator in opened:
        await communicator.disconnect()


async def connected_socket(sockets, user, via="session"):
    communicator, connected, _ = await sockets.open(user, via=via)
    assert connected
    hello = await communicator.receive_json_from()
    return communicator, hello


# --- Who may connect ------------------------------------------------------------------------------------------------
async def test_anonymous_is_refused(layer, sockets):
    _, connected, code = await sockets.open(None, via=None)

    assert not connected and code == 4401


async def test_a_bad_token_is_refused(layer, sockets):
    _, connected, code = await sockets.open(None, via="jwt", token="eyJhbGciOiJSUzI1NiJ9.e30.forged")

    assert not connected and code == 4401


@pytest.mark.parametrize("via", ["session", "jwt"])
async def test_a_suspended_user_is_refused_with_credentials_they_still_hold(layer, sockets, via):
    creator, agent = await database_sync_to_async(CreatorUserFactory)(), await database_sync_to_async(AgentFactory)()
    token = await database_sync_to_async(access_token)(creator) if via == "jwt" else None
    cookie = await database_sync_to_async(session_cookie)(creator) if via == "session" else None
    await database_sync_to_async(account_services.user_set_status)(
        user_id=creator.pk, to=User.Status.SUSPENDED, actor=Actor.of(agent))

    from influmojo.asgi import application

    path = "/ws/notifications/" + (f"?token={token}" if token else "")
    headers = [ORIGIN] + ([(b"cookie", cookie)] if cookie else [])
    connected, code = await WebsocketCommunicator(application, path, headers=headers).connect(timeout=3)

    assert not connected and code == 4401


@pytest.mark.parametrize("via", ["session", "jwt"])
async def test_a_user_connects_and_hears_their_unread_count(layer, sockets, via):
    creator = await database_sync_to_async(CreatorUserFactory)()
    await database_sync_to_async(Notification.objects.create)(user=creator, type="orders", event="order.paid",
                                                              title="New order")

    _, hello = await connected_socket(sockets, creator, via=via)

    assert hello == {"type": "unread.changed", "kind": "notifications", "unread_count": 1}


# --- What it hears --------------------------------------------------------------------------------------------------
async def test_a_notify_reaches_the_open_socket_after_commit_not_before(layer, sockets):
    creator = await database_sync_to_async(CreatorUserFactory)()
    communicator, _ = await connected_socket(sockets, creator)
    block = transaction.atomic()

    # One thread and one connection for the whole transaction (sync_to_async is thread-sensitive by default).
    await sync_to_async(block.__enter__)()
    await sync_to_async(services.notify)(user_id=creator.pk, type="orders", event="order.accepted",
                                         title="Order IM-3 was accepted", url="/orders/3/")
    assert await communicator.receive_nothing(timeout=0.3)
    await sync_to_async(block.__exit__)(None, None, None)

    frame = await communicator.receive_json_from(timeout=3)
    badge = await communicator.receive_json_from(timeout=3)
    notification = await database_sync_to_async(Notification.objects.get)(user=creator)
    assert frame["type"] == "notification.new" and frame["unread_count"] == 1
    assert frame["notification"]["id"] == notification.pk and frame["notification"]["title"] == "Order IM-3 was accepted"
    assert badge == {"type": "unread.changed", "kind": "notifications", "unread_count": 1}


async def test_a_rolled_back_notify_never_reaches_the_socket(layer, sockets):
    creator = await database_sync_to_async(CreatorUserFactory)()
    communicator, _ = await connected_socket(sockets, creator)

    def rolled_back():
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                services.notify(user_id=creator.pk, type="orders", event="order.paid", title="Never")
                raise RuntimeError("rolled back")

    await sync_to_async(rolled_back)()

    assert await communicator.receive_nothing(timeout=0.5)
    assert not await database_sync_to_async(Notification.objects.exists)()


async def test_reading_in_one_tab_updates_the_others(layer, sockets):
    creator = await database_sync_to_async(CreatorUserFactory)()
    notification = await database_sync_to_async(Notification.objects.create)(
        user=creator, type="orders", event="order.paid", title="New order")
    first, _ = await connected_socket(sockets, creator)
    second, _ = await connected_socket(sockets, creator, via="jwt")

    await database_sync_to_async(services.notification_mark_read)(user=creator, notification_id=notification.pk)

    for communicator in (first, second):
        assert await communicator.receive_json_from(timeout=3) == {
            "type": "notification.read", "all": False, "ids": [notification.pk], "unread_count": 0}
        assert await communicator.receive_json_from(timeout=3) == {
            "type": "unread.changed", "kind": "notifications", "unread_count": 0}


async def test_chats_unread_badge_is_passed_on(layer, sockets):
    creator = await database_sync_to_async(CreatorUserFactory)()
    communicator, _ = await connected_socket(sockets, creator)
    event = {"type": "unread.changed", "kind": "chat", "conversation_id": 7, "conversation_unread_count": 2,
             "unread_count": 5}

    await layer.group_send(services.group_name(creator.pk), event)

    assert await communicator.receive_json_from(timeout=3) == event


async def test_someone_elses_notifications_are_not_heard(layer, sockets):
    creator = await database_sync_to_async(CreatorUserFactory)()
    other = await database_sync_to_async(CreatorUserFactory)()
    communicator, _ = await connected_socket(sockets, creator)

    await sync_to_async(services.notify)(user_id=other.pk, type="orders", event="order.paid", title="Not yours")

    assert await communicator.receive_nothing(timeout=0.5)


# --- What it says back ----------------------------------------------------------------------------------------------
async def test_ping_is_answered(layer, sockets):
    creator = await database_sync_to_async(CreatorUserFactory)()
    communicator, _ = await connected_socket(sockets, creator)

    await communicator.send_json_to({"type": "ping"})

    assert await communicator.receive_json_from() == {"type": "pong"}


@pytest.mark.parametrize("frame,code", [
    ({"text": "not json{"}, "bad_json"),
    ({"text": "[1, 2]"}, "bad_frame"),
    ({"text": '{"no": "type"}'}, "bad_frame"),
    ({"text": '{"type": "subscribe"}'}, "unknown_type"),
    ({"bytes": b"\x00\x01"}, "bad_frame"),
    ({"text": '{"type": "ping", "pad": "' + "x" * 5000 + '"}'}, "frame_too_large"),
])
async def test_bad_frames_get_an_error_frame_and_the_socket_stays_open(layer, sockets, frame, code):
    creator = await database_sync_to_async(CreatorUserFactory)()
    communicator, _ = await connected_socket(sockets, creator)

    await communicator.send_to(text_data=frame.get("text"), bytes_data=frame.get("bytes"))
    error = await communicator.receive_json_from()
    await communicator.send_json_to({"type": "ping"})

    assert error["type"] == "error" and error["code"] == code and error["message"]
    assert await communicator.receive_json_from() == {"type": "pong"}


# --- Presence -------------------------------------------------------------------------------------------------------
async def test_the_socket_keeps_its_user_online_while_it_is_open(layer, sockets):
    from chat.models import Connection

    creator = await database_sync_to_async(CreatorUserFactory)()
    communicator, _ = await connected_socket(sockets, creator)

    connection = await database_sync_to_async(Connection.objects.get)(user=creator)
    user = await database_sync_to_async(User.objects.get)(pk=creator.pk)
    assert connection.conversation_id is None and user.is_online

    await communicator.disconnect()

    user = await database_sync_to_async(User.objects.get)(pk=creator.pk)
    assert not await database_sync_to_async(Connection.objects.filter(user=creator).exists)()
    assert not user.is_online and user.last_online_at is not None


async def test_a_ping_is_the_heartbeat_and_a_suspended_user_is_shut_out_at_the_flush(layer, sockets):
    from chat import heartbeats
    from chat.models import Connection

    creator, agent = await database_sync_to_async(CreatorUserFactory)(), await database_sync_to_async(AgentFactory)()
    communicator, _ = await connected_socket(sockets, creator)
    before = (await database_sync_to_async(Connection.objects.get)(user=creator)).last_seen_at

    await communicator.send_json_to({"type": "ping"})
    assert await communicator.receive_json_from() == {"type": "pong"}
    await heartbeats.flush()
    beaten = (await database_sync_to_async(Connection.objects.get)(user=creator)).last_seen_at
    assert beaten > before

    await database_sync_to_async(account_services.user_set_status)(
        user_id=creator.pk, to=User.Status.SUSPENDED, actor=Actor.of(agent))
    await communicator.send_json_to({"type": "ping"})
    assert await communicator.receive_json_from() == {"type": "pong"}
    await heartbeats.flush()

    assert (await communicator.receive_json_from())["code"] == "not_allowed"
    assert (await communicator.receive_output())["code"] == 4403
    assert (await database_sync_to_async(Connection.objects.get)(user=creator)).last_seen_at == beaten
