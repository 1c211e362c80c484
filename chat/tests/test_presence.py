"""chat.services.presence: a user is online while any of their sockets lives, in any tab or process."""

import datetime

import pytest
from django.utils import timezone

from accounts.models import User
from chat.models import Connection
from chat.services import presence
from chat.services.presence import Heartbeat

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

    refused = presence.presence_heartbeat_many(heartbeats=[Heartbeat(channel_name="p1.a", user_id=creator.pk)])

    assert refused == set()
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


def test_a_socket_swept_by_mistake_comes_back_with_its_next_heartbeat(creator, brand, conversation, pushes):
    presence.presence_connect(user_id=creator.pk, channel_name="slow.a", conversation_id=conversation.pk)
    presence.presence_connect(user_id=brand.pk, channel_name="watching.b", conversation_id=conversation.pk)
    Connection.objects.filter(channel_name="slow.a").update(last_seen_at=timezone.now() - datetime.timedelta(hours=1))
    presence.presence_sweep()
    pushes.events.clear()

    refused = presence.presence_heartbeat_many(heartbeats=[
        Heartbeat(channel_name="slow.a", user_id=creator.pk, conversation_id=conversation.pk),
        Heartbeat(channel_name="watching.b", user_id=brand.pk, conversation_id=conversation.pk)])

    assert refused == set() and state(creator)[0] is True
    assert Connection.objects.get(channel_name="slow.a").conversation_id == conversation.pk
    [(group, event)] = pushes.events
    assert group == f"chat.{conversation.pk}" and (event["user_id"], event["online"]) == (creator.pk, True)


def test_heartbeats_of_sockets_whose_user_may_no_longer_be_there_are_refused_and_not_written(
        creator, brand, agent, conversation):
    from accounts import services as account_services
    from influmojo.permissions import Actor

    from .conftest import other_conversation

    theirs = other_conversation()
    for name, user_id, conversation_id in [("member.a", creator.pk, conversation.pk), ("outsider.b", brand.pk, None),
                                           ("suspended.c", theirs.creator_id, None)]:
        presence.presence_connect(user_id=user_id, channel_name=name, conversation_id=conversation_id)
    account_services.user_set_status(user_id=theirs.creator_id, to=User.Status.SUSPENDED, actor=Actor.of(agent))
    hour_ago = timezone.now() - datetime.timedelta(hours=1)
    Connection.objects.update(last_seen_at=hour_ago)

    refused = presence.presence_heartbeat_many(heartbeats=[
        Heartbeat(channel_name="member.a", user_id=creator.pk, conversation_id=conversation.pk),
        Heartbeat(channel_name="not-a-member.d", user_id=creator.pk, conversation_id=theirs.pk),
        Heartbeat(channel_name="outsider.b", user_id=brand.pk),
        Heartbeat(channel_name="suspended.c", user_id=theirs.creator_id)])

    assert refused == {"not-a-member.d", "suspended.c"}
    assert dict(Connection.objects.filter(last_seen_at__gt=hour_ago).values_list("channel_name", "user_id")) == {
        "member.a": creator.pk, "outsider.b": brand.pk}
    assert not Connection.objects.filter(channel_name="not-a-member.d").exists()


@pytest.mark.parametrize("pairs", [1, 10])
def test_a_batch_of_heartbeats_costs_the_same_queries_for_2_and_for_20_sockets(pairs, django_assert_num_queries):
    from .conftest import other_conversation

    heartbeats = []
    for n in range(pairs):
        theirs = other_conversation()
        presence.presence_connect(user_id=theirs.brand_id, channel_name=f"chat.{n}", conversation_id=theirs.pk)
        presence.presence_connect(user_id=theirs.creator_id, channel_name=f"bell.{n}")
        heartbeats += [Heartbeat(channel_name=f"chat.{n}", user_id=theirs.brand_id, conversation_id=theirs.pk),
                       Heartbeat(channel_name=f"bell.{n}", user_id=theirs.creator_id)]

    with django_assert_num_queries(3):  # members, users, one UPDATE
        refused = presence.presence_heartbeat_many(heartbeats=heartbeats)

    assert refused == set() and len(heartbeats) == 2 * pairs


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
