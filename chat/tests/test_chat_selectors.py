"""chat.selectors.conversations: scoped to members, unread counts, message pages for resync and scrolling back."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import CreatorUserFactory
from chat.selectors import conversations as selectors
from chat.services import conversations as services
from chat.services import messages as message_services
from influmojo.errors import ApplicationError, NotFound
from influmojo.permissions import Actor

from .conftest import send

pytestmark = pytest.mark.django_db


def open_with(brand, creator=None):
    creator = creator or CreatorUserFactory()
    return services.conversation_open_direct(actor=Actor.of(brand), creator_id=creator.pk)


# --- Conversations -------------------------------------------------------------------------------------------------
def test_the_list_is_the_users_with_unread_counts_and_latest_activity_first(brand, creator, outsider):
    quiet = open_with(brand)
    busy = open_with(brand, creator)
    open_with(outsider)  # someone else's
    send(busy, brand, "Mine are never unread")
    send(busy, creator, "One")
    send(busy, creator, "Two")
    message_services.message_system(conversation_id=busy.pk, event="order.paid", body="Paid.")

    rows = list(selectors.conversation_list(user=brand))

    assert [row.pk for row in rows] == [busy.pk, quiet.pk]
    assert [row.unread_count for row in rows] == [3, 0]
    assert rows[0].last_message.body == "Paid."


def test_replying_reads_what_came_before(brand, creator):
    conversation = open_with(brand, creator)
    send(conversation, creator, "Question?")

    send(conversation, brand, "Answer.")

    assert selectors.unread_count(conversation_id=conversation.pk, user_id=brand.pk) == 0
    assert selectors.unread_count(conversation_id=conversation.pk, user_id=creator.pk) == 1


def test_reading_clears_the_count_and_the_total(brand, creator):
    first, second = open_with(brand, creator), open_with(brand)
    send(first, first.creator, "Hello")
    last = send(second, second.creator, "Hi")
    send(second, second.creator, "Hi again")

    assert selectors.unread_total(user_id=brand.pk) == 3
    message_services.conversation_mark_read(conversation_id=second.pk, actor=Actor.of(brand), up_to_message_id=last.pk)

    assert selectors.unread_total(user_id=brand.pk) == 2
    assert selectors.unread_count(conversation_id=second.pk, user_id=brand.pk) == 1
    assert selectors.unread_total(user_id=first.creator_id) == 0


def test_the_list_costs_the_same_queries_for_1_and_25_conversations(brand):
    open_with(brand)
    send(open_with(brand), brand, "Hi")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            [(row.unread_count, row.last_message and row.last_message.sender, row.brand.brand_profile,
              row.creator.creator_profile) for row in selectors.conversation_list(user=brand)[:25]]
        return len(captured)

    few = queries()
    for _ in range(23):
        send(open_with(brand), brand, "Hello")

    assert queries() == few == 1


def test_someone_elses_conversation_is_not_found(conversation, outsider):
    with pytest.raises(NotFound):
        selectors.conversation_get(conversation_id=conversation.pk, user=outsider)
    with pytest.raises(NotFound):
        selectors.message_list(conversation_id=conversation.pk, user=outsider)


def test_one_conversation_comes_with_its_members(conversation, brand, creator, agent):
    services.conversation_add_agent(conversation_id=conversation.pk, agent_id=agent.pk, actor=Actor.system())

    found = selectors.conversation_get(conversation_id=conversation.pk, user=agent)

    assert [(p.user_id, p.role) for p in found.participants.all()] == [
        (brand.pk, "brand"), (creator.pk, "creator"), (agent.pk, "agent")]


# --- Messages --------------------------------------------------------------------------------------------------
@pytest.fixture
def history(conversation, brand, creator, settings):
    settings.CHAT_HISTORY_PAGE = 3
    return [send(conversation, brand if n % 2 else creator, f"Message {n}") for n in range(7)]


def ids(page):
    return [message.pk for message in page.messages]


def test_after_an_id_comes_everything_since_oldest_first_in_pages(conversation, brand, history):
    first = selectors.message_list(conversation_id=conversation.pk, user=brand, after=history[1].pk)
    rest = selectors.message_list(conversation_id=conversation.pk, user=brand, after=first.messages[-1].pk)

    assert ids(first) == [m.pk for m in history[2:5]] and first.has_more
    assert ids(rest) == [m.pk for m in history[5:]] and not rest.has_more


def test_without_a_cursor_the_newest_page_comes_and_before_scrolls_back(conversation, brand, history):
    newest = selectors.message_list(conversation_id=conversation.pk, user=brand)
    older = selectors.message_list(conversation_id=conversation.pk, user=brand, before=newest.messages[0].pk)
    oldest = selectors.message_list(conversation_id=conversation.pk, user=brand, before=older.messages[0].pk)

    assert ids(newest) == [m.pk for m in history[4:]] and newest.has_more
    assert ids(older) == [m.pk for m in history[1:4]] and older.has_more
    assert ids(oldest) == [history[0].pk] and not oldest.has_more


def test_a_page_is_at_most_the_history_page_and_both_cursors_are_refused(conversation, brand, history):
    page = selectors.message_list(conversation_id=conversation.pk, user=brand, after=0, limit=100)

    assert len(page.messages) == 3
    with pytest.raises(ApplicationError):
        selectors.message_list(conversation_id=conversation.pk, user=brand, after=1, before=5)


def test_a_message_has_one_shape(conversation, brand):
    message = send(conversation, brand, "Hi", client_id="c-9")

    data = selectors.message_data(selectors.message_get(message_id=message.pk))

    assert set(data) == {"id", "conversation_id", "kind", "body", "data", "client_id", "sender", "created_at",
                         "attachments", "offer"}
    assert data["sender"]["id"] == brand.pk and data["created_at"].endswith("Z") and data["offer"] is None
