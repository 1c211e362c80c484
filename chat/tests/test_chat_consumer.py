"""`/ws/chat/<id>/` through the project's ASGI application, on the in-memory layer and on channels_redis."""

import pytest
from channels.db import database_sync_to_async
from django.db import transaction
from rest_framework.test import APIClient

from accounts import services as account_services
from accounts.models import User
from accounts.tests.factories import PASSWORD, AgentFactory
from chat import heartbeats
from chat.models import Connection, Message, Participant
from chat.services import conversations as conversation_services
from influmojo.permissions import Actor

from .conftest import send

pytestmark = pytest.mark.django_db(transaction=True)
db = database_sync_to_async


def access_token(email: str) -> str:
    response = APIClient().post("/_allauth/app/v1/auth/login", {"email": email, "password": PASSWORD}, format="json")
    return response.json()["meta"]["access_token"]


async def joined(open_socket, user, conversation, **kwargs):
    """A member's socket with its connect-time frames (presence of the others) read."""
    socket = await open_socket(user, conversation, **kwargs)
    assert socket.connected, socket.code
    await socket.drain()
    return socket


# --- Who may connect -------------------------------------------------------------------------------------------
async def test_an_anonymous_socket_is_refused(channel_layer, open_socket, conversation):
    socket = await open_socket(None, conversation)

    assert not socket.connected and socket.code == 4401


async def test_a_suspended_member_is_refused(channel_layer, open_socket, conversation, creator, agent):
    await db(account_services.user_set_status)(user_id=creator.pk, to=User.Status.SUSPENDED, actor=Actor.of(agent))

    socket = await open_socket(creator, conversation)

    assert not socket.connected and socket.code == 4401


async def test_someone_elses_conversation_is_refused_like_a_missing_one(channel_layer, open_socket, conversation,
                                                                        outsider):
    theirs = await open_socket(outsider, conversation)
    missing = await open_socket(outsider, conversation.pk + 1000)

    assert (theirs.connected, theirs.code) == (missing.connected, missing.code) == (False, 4404)
    assert not await db(Connection.objects.exists)()


async def test_a_forged_token_is_refused_and_a_real_one_connects(channel_layer, open_socket, conversation, creator):
    forged = await open_socket(None, conversation, token="eyJhbGciOiJSUzI1NiJ9.e30.forged")
    token = await db(access_token)(creator.email)
    real = await open_socket(None, conversation, token=token)

    assert not forged.connected and forged.code == 4401
    assert real.connected


# --- Messages ----------------------------------------------------------------------------------------------------
async def test_a_message_is_stored_then_pushed_to_the_other_member_once(channel_layer, open_socket, conversation,
                                                                        brand, creator):
    brand_socket = await joined(open_socket, brand, conversation)
    creator_socket = await joined(open_socket, creator, conversation)
    await brand_socket.drain()

    await brand_socket.send({"type": "message.send", "body": "Hi! Are you free in May?", "client_id": "c-1"})

    echo = await brand_socket.receive_type("message.new")
    pushed = await creator_socket.receive_type("message.new")
    stored = await db(Message.objects.get)()
    assert pushed["message"] == echo["message"]
    assert pushed["message"]["id"] == stored.pk and stored.body == "Hi! Are you free in May?"
    assert pushed["message"]["sender"]["id"] == brand.pk and pushed["message"]["client_id"] == "c-1"
    assert await brand_socket.nothing() and await creator_socket.nothing()  # nobody gets it twice


async def test_a_retried_send_with_the_same_client_id_is_stored_once(channel_layer, open_socket, conversation,
                                                                     brand, creator):
    brand_socket = await joined(open_socket, brand, conversation)

    await brand_socket.send({"type": "message.send", "body": "Once", "client_id": "retry-me"})
    first = await brand_socket.receive_type("message.new")
    await brand_socket.send({"type": "message.send", "body": "Once", "client_id": "retry-me"})

    assert await brand_socket.nothing()  # the socket already has it
    assert await db(Message.objects.count)() == 1 and first["message"]["client_id"] == "retry-me"


async def test_read_receipts_reach_the_other_member(channel_layer, open_socket, conversation, brand, creator):
    message = await db(send)(conversation, brand, "Brief attached")
    brand_socket = await joined(open_socket, brand, conversation)
    creator_socket = await joined(open_socket, creator, conversation)
    await brand_socket.drain()

    await creator_socket.send({"type": "read", "up_to": message.pk})

    assert await brand_socket.receive_type("read") == {"type": "read", "user_id": creator.pk, "up_to": message.pk}
    participant = await db(Participant.objects.get)(conversation=conversation, user=creator)
    assert participant.last_read_message_id == message.pk


async def test_typing_reaches_the_others_and_is_not_stored(channel_layer, open_socket, conversation, brand, creator):
    brand_socket = await joined(open_socket, brand, conversation)
    creator_socket = await joined(open_socket, creator, conversation)
    await brand_socket.drain()

    await creator_socket.send({"type": "typing"})

    frame = await brand_socket.receive_type("typing")
    assert frame["user_id"] == creator.pk and frame["name"]
    assert await creator_socket.nothing()
    assert not await db(Message.objects.exists)()


# --- Presence ----------------------------------------------------------------------------------------------------
async def test_a_member_stays_online_until_their_last_socket_closes(channel_layer, open_socket, conversation, brand,
                                                                    creator):
    watcher = await joined(open_socket, brand, conversation)
    first_tab = await open_socket(creator, conversation)
    online = await watcher.receive_type("presence")
    second_tab = await open_socket(creator, conversation)

    await first_tab.close()
    still = await db(User.objects.get)(pk=creator.pk)
    assert await watcher.nothing()
    await second_tab.close()
    offline = await watcher.receive_type("presence")
    gone = await db(User.objects.get)(pk=creator.pk)

    assert online["user_id"] == creator.pk and online["online"] is True
    assert still.is_online
    assert offline["user_id"] == creator.pk and offline["online"] is False and offline["last_seen"]
    assert not gone.is_online and gone.last_online_at is not None
    assert await db(Connection.objects.filter(user=creator).count)() == 0


async def test_a_socket_is_told_who_else_is_online_when_it_connects(channel_layer, open_socket, conversation, brand,
                                                                    creator):
    creator_socket = await open_socket(creator, conversation)
    first = await creator_socket.receive_type("presence")
    brand_socket = await open_socket(brand, conversation)
    second = await brand_socket.receive_type("presence")

    assert first == {"type": "presence", "user_id": brand.pk, "online": False, "last_seen": None}
    assert second["user_id"] == creator.pk and second["online"] is True


async def test_ping_is_the_heartbeat_written_with_the_next_flush(channel_layer, open_socket, conversation, brand):
    socket = await joined(open_socket, brand, conversation)
    before = await db(Connection.objects.get)(user=brand)

    await socket.send({"type": "ping"})
    pong = await socket.receive()
    waiting = await db(Connection.objects.get)(user=brand)
    await heartbeats.flush()

    assert pong == {"type": "pong"}
    assert waiting.last_seen_at == before.last_seen_at
    after = await db(Connection.objects.get)(user=brand)
    assert after.last_seen_at > before.last_seen_at and after.conversation_id == conversation.pk


# --- Nothing is lost ----------------------------------------------------------------------------------------------
async def test_a_reconnecting_socket_gets_exactly_what_it_missed(channel_layer, open_socket, conversation, brand,
                                                                 creator):
    creator_socket = await joined(open_socket, creator, conversation)
    seen = await db(send)(conversation, brand, "Seen live")
    assert (await creator_socket.receive_type("message.new"))["message"]["id"] == seen.pk
    await creator_socket.close()
    missed = [await db(send)(conversation, brand, f"Missed {n}") for n in range(3)]

    again = await open_socket(creator, conversation, query=f"after={seen.pk}")
    frame = await again.receive_type("resync")

    assert [m["id"] for m in frame["messages"]] == [m.pk for m in missed]
    assert frame["after"] == seen.pk and frame["has_more"] is False


async def test_resync_pages_through_a_long_gap(channel_layer, open_socket, conversation, brand, creator, settings):
    settings.CHAT_HISTORY_PAGE = 2
    missed = [await db(send)(conversation, brand, f"Missed {n}") for n in range(3)]
    socket = await joined(open_socket, creator, conversation)

    await socket.send({"type": "resync", "after": 0})
    first = await socket.receive_type("resync")
    await socket.send({"type": "resync", "after": first["messages"][-1]["id"]})
    second = await socket.receive_type("resync")

    assert [m["id"] for m in first["messages"]] == [missed[0].pk, missed[1].pk] and first["has_more"]
    assert [m["id"] for m in second["messages"]] == [missed[2].pk] and not second["has_more"]


async def test_nothing_is_pushed_when_the_transaction_rolls_back(channel_layer, open_socket, conversation, brand,
                                                                 creator):
    creator_socket = await joined(open_socket, creator, conversation)

    def send_then_fail():
        with transaction.atomic():
            send(conversation, brand, "Never happened")
            raise RuntimeError("the caller's work failed")

    with pytest.raises(RuntimeError):
        await db(send_then_fail)()

    assert await creator_socket.nothing(0.5)
    assert not await db(Message.objects.exists)()


async def test_a_message_sent_while_the_layer_is_down_is_stored_and_arrives_on_resync(
        channel_layer, open_socket, conversation, brand, creator, monkeypatch):
    brand_socket = await joined(open_socket, brand, conversation)
    creator_socket = await joined(open_socket, creator, conversation)
    await brand_socket.drain()
    sends = [name for name in ("group_send", "group_send_many") if hasattr(channel_layer, name)]
    working = {name: getattr(channel_layer, name) for name in sends}

    async def down(*args):
        raise ConnectionError("channel layer unreachable")

    for name in sends:
        monkeypatch.setattr(channel_layer, name, down)
    await brand_socket.send({"type": "message.send", "body": "Sent while Redis was down", "client_id": "d-1"})
    echo = await brand_socket.receive_type("message.new")  # the sender's own copy does not need the layer
    assert await creator_socket.nothing(0.5)
    for name in sends:
        monkeypatch.setattr(channel_layer, name, working[name])
    await creator_socket.send({"type": "resync", "after": 0})
    frame = await creator_socket.receive_type("resync")

    stored = await db(Message.objects.get)()
    assert echo["message"]["id"] == stored.pk and stored.body == "Sent while Redis was down"
    assert [m["id"] for m in frame["messages"]] == [stored.pk]


# --- Bad frames and lost membership ------------------------------------------------------------------------------
BAD_FRAMES = [
    ("not json", "bad_json"),
    ("[1, 2]", "bad_frame"),
    ('{"body": "no type"}', "bad_frame"),
    ('{"type": "dance"}', "unknown_type"),
    ('{"type": "read", "up_to": "seven"}', "bad_frame"),
    ('{"type": "read", "up_to": true}', "bad_frame"),
    ('{"type": "resync", "after": -1}', "bad_frame"),
    ('{"type": "message.send", "body": 5}', "bad_frame"),
    ('{"type": "message.send", "body": "   "}', "message_empty"),
    ('{"type": "message.send", "body": "%s"}' % ("x" * 5001), "body_too_long"),
    ('{"type": "message.send", "body": "a\\u0000b"}', "invalid_body"),
    ('{"type": "message.send", "body": "hi", "client_id": "%s"}' % ("c" * 65), "invalid_client_id"),
    ('{"type": "message.send", "body": "%s"}' % ("x" * 40_000), "frame_too_large"),
]


async def test_bad_frames_get_error_frames_and_the_socket_stays_open(channel_layer, open_socket, conversation,
                                                                     brand):
    socket = await joined(open_socket, brand, conversation)
    codes = []

    for text, _ in BAD_FRAMES:
        await socket.send_text(text)
        frame = await socket.receive()
        assert frame["type"] == "error" and frame["message"]
        codes.append(frame["code"])
    await socket.communicator.send_to(bytes_data=b"\x00\x01")
    binary = await socket.receive()
    await socket.send({"type": "ping"})

    assert codes == [code for _, code in BAD_FRAMES]
    assert binary["code"] == "bad_frame"
    assert await socket.receive() == {"type": "pong"}
    assert not await db(Message.objects.exists)()


async def test_a_flood_of_frames_is_rate_limited(channel_layer, open_socket, conversation, brand, settings):
    settings.CHAT_SOCKET_BURST = 3
    settings.CHAT_SOCKET_FRAMES_PER_SECOND = 0.01
    socket = await joined(open_socket, brand, conversation)

    for _ in range(4):
        await socket.send({"type": "ping"})
    frames = [await socket.receive() for _ in range(4)]

    assert frames[:3] == [{"type": "pong"}] * 3
    assert frames[3]["type"] == "error" and frames[3]["code"] == "rate_limited"


async def test_an_agent_removed_meanwhile_is_refused_at_the_flush_after_their_ping(channel_layer, open_socket,
                                                                                    conversation):
    agent = await db(AgentFactory)()
    await db(conversation_services.conversation_add_agent)(conversation_id=conversation.pk, agent_id=agent.pk,
                                                           actor=Actor.system())
    socket = await joined(open_socket, agent, conversation)
    before = await db(Connection.objects.get)(user=agent)
    await db(conversation_services.conversation_remove_agent)(conversation_id=conversation.pk, agent_id=agent.pk,
                                                              actor=Actor.system())
    await socket.drain()

    await socket.send({"type": "ping"})
    pong = await socket.receive()
    await heartbeats.flush()

    assert pong == {"type": "pong"}
    assert (await socket.receive())["code"] == "not_member"
    assert await socket.closed_by_server() == 4403
    assert (await db(Connection.objects.get)(user=agent)).last_seen_at == before.last_seen_at


async def test_an_agent_removed_meanwhile_is_refused_on_their_next_typing_frame(channel_layer, open_socket,
                                                                                conversation):
    agent = await db(AgentFactory)()
    await db(conversation_services.conversation_add_agent)(conversation_id=conversation.pk, agent_id=agent.pk,
                                                           actor=Actor.system())
    socket = await joined(open_socket, agent, conversation)
    await db(conversation_services.conversation_remove_agent)(conversation_id=conversation.pk, agent_id=agent.pk,
                                                              actor=Actor.system())
    await socket.drain()

    await socket.send({"type": "typing"})

    assert (await socket.receive())["code"] == "not_member"
    assert await socket.closed_by_server() == 4403


async def test_a_member_suspended_meanwhile_is_refused_on_the_next_frame(channel_layer, open_socket, conversation,
                                                                         creator, agent):
    socket = await joined(open_socket, creator, conversation)
    await db(account_services.user_set_status)(user_id=creator.pk, to=User.Status.SUSPENDED, actor=Actor.of(agent))

    await socket.send({"type": "message.send", "body": "Still here?"})

    assert (await socket.receive())["code"] == "not_member"
    assert await socket.closed_by_server() == 4403
    assert not await db(Message.objects.exists)()


# --- Across the two sockets and the REST API -------------------------------------------------------------------
async def test_an_attachment_sent_over_the_api_arrives_on_the_socket(channel_layer, open_socket, conversation, brand,
                                                                     creator):
    from .conftest import png

    creator_socket = await joined(open_socket, creator, conversation)

    def post():
        client = APIClient()
        client.force_authenticate(brand)
        return client.post(f"/api/v1/conversations/{conversation.pk}/messages",
                           {"body": "Moodboard", "files": [png(120, 80, "mood.png")]}, format="multipart")

    response = await db(post)()
    frame = await creator_socket.receive_type("message.new")

    assert response.status_code == 201
    assert frame["message"] == response.json()
    [attachment] = frame["message"]["attachments"]
    assert (attachment["content_type"], attachment["width"], attachment["height"]) == ("image/png", 120, 80)


async def test_the_badge_of_a_member_away_from_the_chat_moves_on_their_notification_socket(
        channel_layer, conversation, brand, creator):
    from channels.testing import WebsocketCommunicator

    from influmojo.asgi import application

    from .conftest import ORIGIN, session_cookie

    cookie = await db(session_cookie)(creator)
    notifications = WebsocketCommunicator(application, "/ws/notifications/", headers=[ORIGIN, (b"cookie", cookie)])
    assert (await notifications.connect())[0]
    await notifications.receive_json_from()  # the notification count on connect

    await db(send)(conversation, brand, "Are you there?")
    frames = [await notifications.receive_json_from(timeout=2) for _ in range(2)]
    await notifications.disconnect()

    badge = next(frame for frame in frames if frame["type"] == "unread.changed" and frame.get("kind") == "chat")
    assert badge == {"type": "unread.changed", "kind": "chat", "conversation_id": conversation.pk,
                     "conversation_unread_count": 1, "unread_count": 1}
