"""chat.services.presence: a user is online while any of their sockets lives, in any tab or process."""

import datetime

import pytest
from django.utils import timezone

from accounts.models import User
from chat.models import Connection
from chat.services import presence

pytestmark = pytest.mark.django_db


def state(user) -> tuple[bool, datetime.datetime | None]:
    user = User.objects.get(pk=user.pk)
    return user.is_online, user.last_online_at


def test_the_first_socket_brings_a_user_online_and_the_last_one_takes_them_offline(creator, conversation):
    came = presence.presence_connect(user_id=creator.pk, channel_name="p1.tab-a", conversation_id=conversation.pk)
    again = presence.presence_connect(user_id=creator.pk, channel_name="p2.tab-b")  # another process, no conversation

    first_closed = presence.presence_disconnect(user_id=creator.pk, channel_name="p1.tab-a")
    online_after_one = state(creator)[0]
    before = timezone.now()
    last_closed = presence.presence_disconnect(user_id=creator.pk, channel_name="p2.tab-b")

    assert (came, again, first_closed, last_closed) == (True, False, False, True)
    assert online_after_one is True
    online, last_seen = state(creator)
    assert not online and last_seen >= before
    assert not Connection.objects.exists()


def test_a_heartbeat_keeps_the_socket_alive(creator):
    presence.presence_connect(user_id=creator.pk, channel_name="p1.a")
    Connection.objects.update(last_seen_at=timezone.now() - datetime.timedelta(seconds=60))

    assert presence.presence_heartbeat(user_id=creator.pk, channel_name="p1.a") is False
    assert Connection.objects.get().last_seen_at > timezone.now() - datetime.timedelta(seconds=5)


def test_the_sweep_removes_sockets_whose_process_died_and_says_when_they_were_last_seen(creator, brand, settings):
    ttl = datetime.timedelta(seconds=settings.CHAT_CONNECTION_TTL_SECONDS)
    presence.presence_connect(user_id=creator.pk, channel_name="dead.a")
    presence.presence_connect(user_id=brand.pk, channel_name="dead.b")
    presence.presence_connect(user_id=brand.pk, channel_name="alive.c")
    last_heartbeat = timezone.now() - ttl - datetime.timedelta(seconds=30)
    Connection.objects.filter(channel_name__startswith="dead.").update(last_seen_at=last_heartbeat)

    offline = presence.presence_sweep()

    assert offline == [creator.pk]
    assert state(creator) == (False, last_heartbeat)
    assert state(brand)[0] is True  # its other socket is alive
    assert list(Connection.objects.values_list("channel_name", flat=True)) == ["alive.c"]


def test_a_socket_swept_by_mistake_comes_back_with_its_next_heartbeat(creator, settings):
    presence.presence_connect(user_id=creator.pk, channel_name="slow.a")
    Connection.objects.update(last_seen_at=timezone.now() - datetime.timedelta(hours=1))
    presence.presence_sweep()

    back = presence.presence_heartbeat(user_id=creator.pk, channel_name="slow.a")

    assert back is True and state(creator)[0] is True and Connection.objects.count() == 1


def test_a_stale_socket_does_not_keep_a_user_online_when_their_live_one_closes(creator, settings):
    presence.presence_connect(user_id=creator.pk, channel_name="crashed.a")
    presence.presence_connect(user_id=creator.pk, channel_name="live.b")
    Connection.objects.filter(channel_name="crashed.a").update(
        last_seen_at=timezone.now() - datetime.timedelta(seconds=settings.CHAT_CONNECTION_TTL_SECONDS + 5))

    assert presence.presence_disconnect(user_id=creator.pk, channel_name="live.b") is True
    assert state(creator)[0] is False


def test_presence_is_pushed_to_the_conversations_someone_else_has_open(creator, brand, conversation, pushes):
    from .conftest import other_conversation

    unwatched = other_conversation()
    Connection.objects.create(user=brand, conversation=conversation, channel_name="w.brand",
                              last_seen_at=timezone.now())
    Connection.objects.create(user=creator, conversation=conversation, channel_name="w.creator",
                              last_seen_at=timezone.now())
    User.objects.filter(pk=creator.pk).update(is_online=True)

    presence.presence_push(user_id=creator.pk)
    presence.presence_push(user_id=unwatched.creator_id)

    assert pushes.events == [(f"chat.{conversation.pk}", {"type": "chat.presence", "user_id": creator.pk,
                                                          "online": True, "last_seen": None})]


def test_the_beat_job_sweeps_and_runs_well_within_the_ttl(creator, settings):
    from chat import tasks

    presence.presence_connect(user_id=creator.pk, channel_name="gone.a")
    Connection.objects.update(last_seen_at=timezone.now() - datetime.timedelta(hours=1))

    assert tasks.sweep_connections.delay().get() == 1
    assert state(creator)[0] is False
    entry = settings.CELERY_BEAT_SCHEDULE["chat.sweep_connections"]
    assert entry["task"] == "chat.tasks.sweep_connections"
    assert entry["schedule"] <= settings.CHAT_CONNECTION_TTL_SECONDS
