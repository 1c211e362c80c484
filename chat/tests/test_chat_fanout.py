"""What a send costs as conversations grow (found by the websocket benchmark, bench/ws.py): the conversation locked,
its membership and a retry learnt in one query; every member's badge and whether they watch in one query, and the
message and the badges in one trip to the channel layer; the message pushed as written, never read again; a plain
text send without the retry check before the lock (the checks under the lock give the same answers)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import AgentFactory
from chat.models import Connection, Message
from chat.selectors import conversations as selectors
from chat.services import conversations as services
from chat.services import live
from chat.services import messages as message_services
from influmojo.errors import NotFound
from influmojo.permissions import Actor

from .conftest import other_conversation, png, send

pytestmark = pytest.mark.django_db


def add_agents(conversation, count):
    agents = [AgentFactory() for _ in range(count)]
    for agent in agents:
        services.conversation_add_agent(conversation_id=conversation.pk, agent_id=agent.pk, actor=Actor.system())
    return agents


def test_the_badges_of_all_members_are_what_each_members_own_counts_say(conversation, brand, creator):
    agents = add_agents(conversation, 2)
    elsewhere = other_conversation()
    services.conversation_add_agent(conversation_id=elsewhere.pk, agent_id=agents[0].pk, actor=Actor.system())
    send(conversation, brand, "One")
    send(conversation, creator, "Two")
    send(conversation, agents[1], "Three")
    send(elsewhere, elsewhere.brand, "Elsewhere")
    message_services.message_system(conversation_id=conversation.pk, event="order.paid", body="Paid")  # no sender
    message_services.conversation_mark_read(conversation_id=conversation.pk, actor=Actor.of(creator),
                                            up_to_message_id=Message.objects.filter(body="Two").get().pk)
    members = [brand.pk, creator.pk] + [agent.pk for agent in agents]

    badges = selectors.unread_badges(conversation_id=conversation.pk, user_ids=members)

    assert badges == {user_id: (selectors.unread_count(conversation_id=conversation.pk, user_id=user_id),
                                selectors.unread_total(user_id=user_id)) for user_id in members}
    assert badges[agents[0].pk][1] > badges[agents[0].pk][0]  # the other conversation counts in the total
    assert selectors.unread_badges(conversation_id=conversation.pk, user_ids=[]) == {}


def watching(conversation, *users):
    """Live sockets of these users on the conversation (members watching are not notified, only their badges move)."""
    from django.utils import timezone

    for user in users:
        Connection.objects.create(user=user, conversation=conversation, channel_name=f"test!{user.pk}",
                                  last_seen_at=timezone.now())


def sent_queries(conversation, user, django_capture_on_commit_callbacks) -> int:
    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True):
        send(conversation, user, "Counted", client_id=f"count-{Message.objects.count()}")
    return len(queries.captured_queries)


def test_a_send_costs_the_same_queries_for_2_and_12_members_and_tells_every_badge(
        conversation, brand, creator, pushes, django_capture_on_commit_callbacks):
    watching(conversation, brand, creator)
    two = sent_queries(conversation, brand, django_capture_on_commit_callbacks)
    agents = add_agents(conversation, 10)
    watching(conversation, *agents)
    pushes.events.clear()

    twelve = sent_queries(conversation, brand, django_capture_on_commit_callbacks)

    assert twelve == two
    badges = pushes.of_type("unread.changed")
    assert sorted(group for group, _ in badges) == sorted(
        f"notifications.{user.pk}" for user in [brand, creator, *agents])
    for group, event in badges:
        user_id = int(group.split(".")[1])
        assert event == {"type": "unread.changed", "kind": "chat", "conversation_id": conversation.pk,
                         "conversation_unread_count": selectors.unread_count(conversation_id=conversation.pk,
                                                                             user_id=user_id),
                         "unread_count": selectors.unread_total(user_id=user_id)}


def test_a_send_answers_with_the_message_it_pushed(conversation, brand, pushes, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = send(conversation, brand, "Once", client_id="once")

    [pushed] = pushes.to(f"chat.{conversation.pk}")
    assert selectors.message_data(message) == pushed["message"]


@pytest.mark.parametrize("files", [(), (png(4, 3), png(name="second.png"))], ids=["text", "attachments"])
def test_the_message_pushed_as_written_is_the_message_as_stored(conversation, brand, pushes, files,
                                                                 django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send(conversation, brand, "As stored", files=files)

    [pushed] = pushes.to(f"chat.{conversation.pk}")
    stored = selectors.message_get(message_id=pushed["message"]["id"])
    assert pushed["message"] == selectors.message_data(stored)
    assert len(pushed["message"]["attachments"]) == len(files)


def test_a_text_send_to_watching_members_is_seven_queries(conversation, brand, creator,
                                                           django_capture_on_commit_callbacks):
    """Lock + membership + retry, the message, the conversation's last message, the sender's read position, the
    members' badges, totals and watching — and the savepoint pair of the send's own transaction (the test's
    transaction is outside it; in production BEGIN/COMMIT)."""
    watching(conversation, brand, creator)
    send(conversation, brand, "The sender's profile is read once per user object")

    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True):
        send(conversation, brand, "Counted", client_id="counted")

    assert len(queries.captured_queries) == 7


@pytest.mark.postgres
def test_on_postgresql_a_sends_statements_are_prepared_once_per_connection(conversation, brand, creator,
                                                                         django_capture_on_commit_callbacks):
    """influmojo.prepared: PostgreSQL plans the send's statements once per connection, not once per message."""
    watching(conversation, brand, creator)
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(3):
            send(conversation, brand if n % 2 else creator, f"Prepared {n}", client_id=f"prepared-{n}")

    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    hot = ['INSERT INTO "chat_message"', 'UPDATE "chat_conversation"', 'UPDATE "chat_participant"', "FOR UPDATE OF c",
           "SELECT p.id, p.user_id"]
    assert all(sum(part in statement for statement in prepared) == 1 for part in hot), prepared
    assert Message.objects.filter(body__startswith="Prepared").count() == 3


@pytest.mark.django_db(transaction=True)  # committed for real: the on-commit pushes run and are let go, as in production
@pytest.mark.parametrize("with_file", [False, True])
def test_a_sent_message_is_freed_when_done_not_left_to_the_garbage_collector(conversation, brand, creator, with_file):
    """A send's objects form no reference cycle, so reference counting frees them: in a server holding thousands of
    sockets every message left to the collector made its pauses longer (message_written)."""
    import gc
    import weakref

    watching(conversation, brand, creator)
    files = [png()] if with_file else []
    gc.collect()
    gc.disable()
    try:
        with live.pushes_held():
            message = message_services.message_send(conversation_id=conversation.pk, actor=Actor.of(brand),
                                                    body="Freed when done", files=files)
        assert selectors.message_data(message)["body"] == "Freed when done"
        freed = weakref.ref(message)
        del message
        assert freed() is None
    finally:
        gc.enable()


def test_a_retried_text_send_and_a_non_member_get_the_same_answers_as_before(conversation, brand, outsider):
    first = send(conversation, brand, "Retry me", client_id="retry")

    again = send(conversation, brand, "Retry me", client_id="retry")

    assert again.pk == first.pk and Message.objects.count() == 1
    with pytest.raises(NotFound):
        send(conversation, outsider, "Sneaky", client_id="sneaky")
    assert Message.objects.count() == 1


def test_a_send_in_an_outer_transaction_reads_the_message_itself(conversation, brand, pushes,
                                                                  django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            message = send(conversation, brand, "Inside", client_id="inside")
            assert message.body == "Inside" and pushes.events == []  # not pushed before the outer commit

    assert [event["message"]["id"] for event in pushes.to(f"chat.{conversation.pk}")] == [message.pk]


def test_one_failed_badge_push_does_not_stop_the_others(conversation, brand, creator, pushes, monkeypatch,
                                                        django_capture_on_commit_callbacks):
    recorded = pushes.group_send

    async def flaky(group, event):
        if group == f"notifications.{creator.pk}":
            raise ConnectionError("this one fails")
        await recorded(group, event)

    monkeypatch.setattr(pushes, "group_send", flaky)

    with django_capture_on_commit_callbacks(execute=True):
        send(conversation, brand, "Partly told")

    assert [group for group, event in pushes.of_type("unread.changed")] == [f"notifications.{brand.pk}"]
    assert len(pushes.to(f"chat.{conversation.pk}")) == 1


def test_held_pushes_wait_for_the_caller_and_go_in_their_order(conversation, brand, creator, pushes,
                                                              django_capture_on_commit_callbacks):
    """A socket's send keeps its pushes (its worker thread never waits on the event loop); its consumer sends them."""
    from asgiref.sync import async_to_sync

    watching(conversation, brand, creator)
    with live.pushes_held() as held:
        with django_capture_on_commit_callbacks(execute=True):
            message = send(conversation, brand, "Held")

    assert pushes.events == []
    assert held[0] == (f"chat.{conversation.pk}", {"type": "chat.message", "message": selectors.message_data(message)})
    assert sorted(group for group, _ in held[1:]) == sorted([f"notifications.{brand.pk}",
                                                             f"notifications.{creator.pk}"])
    async_to_sync(live.send_pushes)(held)
    assert pushes.events == held
    with django_capture_on_commit_callbacks(execute=True):
        send(conversation, brand, "Not held")
    assert len(pushes.events) == 2 * len(held)  # outside, pushes go at once again


def test_held_pushes_of_a_rolled_back_send_are_none(conversation, brand, pushes, django_capture_on_commit_callbacks):
    from django.db import transaction

    with live.pushes_held() as held:
        with django_capture_on_commit_callbacks(execute=True):
            with pytest.raises(RuntimeError), transaction.atomic():
                send(conversation, brand, "Undone")
                raise RuntimeError

    assert held == [] and pushes.events == [] and not Message.objects.filter(body="Undone").exists()
