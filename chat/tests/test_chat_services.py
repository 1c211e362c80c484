"""chat.services.conversations and chat.services.messages: who talks where, what is stored, what is pushed on
commit, who is notified."""

import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from accounts import services as account_services
from accounts.models import User
from accounts.tests.factories import BrandUserFactory, CreatorUserFactory
from chat.models import Connection, Conversation, Message, MessageAttachment, Participant
from chat.services import conversations as services
from chat.services import messages as message_services
from influmojo.errors import ApplicationError, InvalidTransition, NotFound, PermissionDenied
from influmojo.permissions import Actor
from orders.tests.factories import OrderFactory

from .conftest import png, send

pytestmark = pytest.mark.django_db


# --- Opening conversations ----------------------------------------------------------------------------------------
def test_a_brand_opens_one_direct_conversation_with_a_creator(brand, creator):
    first = services.conversation_open_direct(actor=Actor.of(brand), creator_id=creator.pk)
    again = services.conversation_open_direct(actor=Actor.of(brand), creator_id=creator.pk)

    assert first.pk == again.pk and first.kind == "direct" and first.topic == f"direct:{brand.pk}:{creator.pk}"
    assert set(Participant.objects.filter(conversation=first).values_list("user_id", "role")) == {
        (brand.pk, "brand"), (creator.pk, "creator")}


def test_only_a_brand_opens_a_direct_conversation(creator):
    other = CreatorUserFactory()

    with pytest.raises(PermissionDenied):
        services.conversation_open_direct(actor=Actor.of(creator), creator_id=other.pk)


@pytest.mark.parametrize("change", ["private", "suspended", "a brand"])
def test_a_creator_nobody_may_look_at_cannot_be_messaged(brand, agent, change):
    target = CreatorUserFactory() if change != "a brand" else BrandUserFactory()
    if change == "private":
        User.objects.filter(pk=target.pk).update(profile_public=False)
    elif change == "suspended":
        account_services.user_set_status(user_id=target.pk, to=User.Status.SUSPENDED, actor=Actor.of(agent))

    with pytest.raises(NotFound):
        services.conversation_open_direct(actor=Actor.of(brand), creator_id=target.pk)
    assert not Conversation.objects.exists()


def test_an_order_conversation_opens_once_the_order_is_paid():
    unpaid = OrderFactory()
    paid = OrderFactory(status="paid", paid_at=timezone.now())

    with pytest.raises(InvalidTransition):
        services.conversation_open_for_order(order_id=unpaid.pk)
    first = services.conversation_open_for_order(order_id=paid.pk)
    again = services.conversation_open_for_order(order_id=paid.pk)

    assert first.pk == again.pk and first.order_id == paid.pk and first.topic == f"order:{paid.pk}"
    assert first.title == f"Order {paid.number}"
    assert set(first.participants.values_list("user_id", flat=True)) == {paid.brand_id, paid.creator_id}


def test_a_campaign_participant_gets_one_conversation(brand, creator):
    first = services.conversation_open_for_campaign(campaign_id=7, creator_id=creator.pk, brand_id=brand.pk)
    again = services.conversation_open_for_campaign(campaign_id=7, creator_id=creator.pk, brand_id=brand.pk)

    assert first.pk == again.pk and first.topic == f"campaign:7:creator:{creator.pk}" and first.kind == "campaign"
    with pytest.raises(NotFound):
        services.conversation_open_for_campaign(campaign_id=7, creator_id=brand.pk, brand_id=creator.pk)


def test_an_agent_joins_once_and_the_members_are_told(conversation, agent):
    first = services.conversation_add_agent(conversation_id=conversation.pk, agent_id=agent.pk, actor=Actor.system())
    again = services.conversation_add_agent(conversation_id=conversation.pk, agent_id=agent.pk, actor=Actor.of(agent))

    assert first.pk == again.pk and first.role == "agent"
    said = Message.objects.get(conversation=conversation)
    assert said.kind == "system" and said.data == {"event": "agent.joined", "user_id": agent.pk}


def test_only_support_adds_agents_and_only_agents_join(conversation, brand, creator, agent):
    with pytest.raises(PermissionDenied):
        services.conversation_add_agent(conversation_id=conversation.pk, agent_id=agent.pk, actor=Actor.of(brand))
    with pytest.raises(ApplicationError):
        services.conversation_add_agent(conversation_id=conversation.pk, agent_id=creator.pk, actor=Actor.system())
    assert not Participant.objects.filter(role="agent").exists()


def test_a_removed_agent_is_no_longer_a_member(conversation, agent):
    services.conversation_add_agent(conversation_id=conversation.pk, agent_id=agent.pk, actor=Actor.system())

    assert services.conversation_remove_agent(conversation_id=conversation.pk, agent_id=agent.pk, actor=Actor.system())
    with pytest.raises(NotFound):
        send(conversation, agent, "Still here")


# --- Sending --------------------------------------------------------------------------------------------------------
def test_a_message_is_stored_with_the_conversation_moved_on(conversation, brand, creator):
    message = send(conversation, brand, "  Hi! Free in May?  ")

    conversation.refresh_from_db()
    sender = Participant.objects.get(conversation=conversation, user=brand)
    assert message.body == "Hi! Free in May?" and message.kind == "text" and message.sender_id == brand.pk
    assert conversation.last_message_id == message.pk and conversation.last_message_at == message.created_at
    assert sender.last_read_message_id == message.pk  # your own message is read


def test_someone_elses_conversation_is_not_found(conversation, outsider):
    with pytest.raises(NotFound):
        send(conversation, outsider, "Let me in")
    assert not Message.objects.exists()


@pytest.mark.parametrize(("body", "code"), [("   ", "message_empty"), ("x" * 5001, "body_too_long"),
                                            ("a\x00b", "invalid_body")])
def test_an_empty_too_long_or_unstorable_message_is_refused(conversation, brand, body, code):
    with pytest.raises(ApplicationError) as refused:
        send(conversation, brand, body)

    assert refused.value.code == code and refused.value.status == 400


def test_a_retried_client_id_returns_the_first_message(conversation, brand, creator):
    first = send(conversation, brand, "Once", client_id="abc")
    again = send(conversation, brand, "Once", client_id="abc")
    theirs = send(conversation, creator, "Theirs", client_id="abc")  # client ids are the sender's own

    assert again.pk == first.pk and theirs.pk != first.pk
    assert Message.objects.count() == 2


def test_a_suspended_member_cannot_send(conversation, creator, agent):
    account_services.user_set_status(user_id=creator.pk, to=User.Status.SUSPENDED, actor=Actor.of(agent))

    with pytest.raises(NotFound):
        send(conversation, creator, "Hello?")


# --- Attachments ------------------------------------------------------------------------------------------------
def test_an_image_is_stored_with_its_size(conversation, brand):
    message = send(conversation, brand, "The moodboard", files=[png(640, 480, "moodboard.png")])

    attachment = MessageAttachment.objects.get(message=message)
    assert message.kind == "attachment" and message.body == "The moodboard"
    assert (attachment.name, attachment.content_type, attachment.width, attachment.height) == (
        "moodboard.png", "image/png", 640, 480)
    assert attachment.file.name.startswith("chat/") and attachment.file.storage.exists(attachment.file.name)
    assert attachment.file.read().startswith(b"\x89PNG")


def test_a_file_without_text_is_a_message(conversation, brand):
    from django.core.files.uploadedfile import SimpleUploadedFile

    message = send(conversation, brand, "", files=[SimpleUploadedFile("brief.txt", b"Two reels, one story.")])

    assert message.kind == "attachment" and message.attachments.get().content_type == "text/plain"


@pytest.mark.parametrize(("upload", "code"), [
    ("fake image", "invalid_file"), ("wrong type", "invalid_file"), ("too big", "file_too_large"),
    ("too many", "too_many_files"),
])
def test_bad_attachments_are_refused_by_their_content(conversation, brand, settings, upload, code):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.CHAT_ATTACHMENT_MAX_BYTES = 1024
    files = {
        "fake image": [SimpleUploadedFile("cat.png", b"#!/bin/sh\nrm -rf /\n" * 5, content_type="image/png")],
        "wrong type": [SimpleUploadedFile("setup.exe", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 50)],
        "too big": [SimpleUploadedFile("notes.txt", b"a" * 1025)],
        "too many": [png() for _ in range(settings.CHAT_ATTACHMENTS_PER_MESSAGE + 1)],
    }[upload]

    with pytest.raises(ApplicationError) as refused:
        send(conversation, brand, "See attached", files=files)

    assert refused.value.code == code
    assert not Message.objects.exists() and not MessageAttachment.objects.exists()


def test_a_send_that_fails_after_storing_its_files_removes_them(conversation, brand, outsider, settings):
    send(conversation, brand, "Kept", files=[png()])

    with pytest.raises(NotFound):
        send(conversation, outsider, "Sneaky", files=[png()])

    stored = [path for path in (settings.MEDIA_ROOT / "chat").rglob("*") if path.is_file()]
    assert [path.name for path in stored] == [MessageAttachment.objects.get().file.name.rsplit("/", 1)[1]]


# --- Pushes on commit -------------------------------------------------------------------------------------------
def test_the_message_and_the_badges_are_pushed_after_commit(conversation, brand, creator, pushes,
                                                            django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = send(conversation, brand, "Hello")
    assert pushes.events == []  # nothing before the commit

    for callback in callbacks:
        callback()

    [pushed] = pushes.to(f"chat.{conversation.pk}")
    assert pushed["type"] == "chat.message" and pushed["message"]["id"] == message.pk
    assert pushed["message"]["body"] == "Hello" and pushed["message"]["sender"]["id"] == brand.pk
    assert pushes.to(f"notifications.{creator.pk}") == [{
        "type": "unread.changed", "kind": "chat", "conversation_id": conversation.pk,
        "conversation_unread_count": 1, "unread_count": 1}]
    assert pushes.to(f"notifications.{brand.pk}") == [{
        "type": "unread.changed", "kind": "chat", "conversation_id": conversation.pk,
        "conversation_unread_count": 0, "unread_count": 0}]  # replying reads: the sender's badge is told too


def test_nothing_is_pushed_or_notified_when_the_transaction_rolls_back(conversation, brand, pushes, notified,
                                                                      django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                send(conversation, brand, "Never")
                raise RuntimeError("rolled back")

    assert callbacks == [] and pushes.events == [] and notified == []
    assert not Message.objects.exists()


def test_a_layer_that_is_down_does_not_fail_the_send(conversation, brand, pushes, django_capture_on_commit_callbacks):
    pushes.down = True

    with django_capture_on_commit_callbacks(execute=True):
        message = send(conversation, brand, "Stored anyway")

    assert Message.objects.get().pk == message.pk


# --- Read receipts ----------------------------------------------------------------------------------------------
def test_reading_moves_forward_only_and_tells_the_members(conversation, brand, creator, pushes,
                                                          django_capture_on_commit_callbacks):
    first, second = send(conversation, brand, "One"), send(conversation, brand, "Two")
    pushes.events.clear()

    with django_capture_on_commit_callbacks(execute=True):
        read = message_services.conversation_mark_read(conversation_id=conversation.pk, actor=Actor.of(creator),
                                                       up_to_message_id=second.pk)
        back = message_services.conversation_mark_read(conversation_id=conversation.pk, actor=Actor.of(creator),
                                                       up_to_message_id=first.pk)

    assert read.last_read_message_id == back.last_read_message_id == second.pk
    assert pushes.to(f"chat.{conversation.pk}") == [{"type": "chat.read", "user_id": creator.pk, "up_to": second.pk}]
    assert pushes.to(f"notifications.{creator.pk}")[-1]["unread_count"] == 0


def test_reading_past_the_last_message_stops_at_it(conversation, brand, creator):
    message = send(conversation, brand, "Only one")

    read = message_services.conversation_mark_read(conversation_id=conversation.pk, actor=Actor.of(creator),
                                                   up_to_message_id=message.pk + 1000)

    assert read.last_read_message_id == message.pk


def test_only_members_mark_read(conversation, brand, outsider):
    message = send(conversation, brand, "Private")

    with pytest.raises(NotFound):
        message_services.conversation_mark_read(conversation_id=conversation.pk, actor=Actor.of(outsider),
                                                up_to_message_id=message.pk)


# --- New-message notifications ------------------------------------------------------------------------------------
def test_the_other_member_is_notified_once_per_window(conversation, brand, creator, notified, settings,
                                                      django_capture_on_commit_callbacks):
    settings.CHAT_UNREAD_EMAIL_MINUTES = 15

    with django_capture_on_commit_callbacks(execute=True):
        first = send(conversation, brand, "Are you free in May?")
        send(conversation, brand, "We pay well")
    Participant.objects.filter(user=creator).update(notified_at=timezone.now() - datetime.timedelta(minutes=16))
    with django_capture_on_commit_callbacks(execute=True):
        later = send(conversation, brand, "Still there?")

    assert [call["data"]["message_id"] for call in notified] == [first.pk, later.pk]
    call = notified[0]
    assert call["user_id"] == creator.pk and call["type"] == "messages" and call["event"] == "message.received"
    assert call["body"] == "Are you free in May?" and call["data"]["conversation_id"] == conversation.pk
    assert call["title"].startswith("New message from")


def test_the_notification_service_tells_an_offline_member(conversation, brand, creator,
                                                          django_capture_on_commit_callbacks):
    from chat.models import Notification

    with django_capture_on_commit_callbacks(execute=True):
        message = send(conversation, brand, "Can you do two reels?")

    notification = Notification.objects.get(user=creator)
    assert (notification.type, notification.event, notification.body) == (
        "messages", "message.received", "Can you do two reels?")
    assert notification.data == {"conversation_id": conversation.pk, "message_id": message.pk, "unread_count": 1}
    assert not Notification.objects.filter(user=brand).exists()


def test_a_member_watching_the_conversation_is_not_notified(conversation, brand, creator, notified,
                                                            django_capture_on_commit_callbacks):
    Connection.objects.create(user=creator, conversation=conversation, channel_name="specific.watching",
                              last_seen_at=timezone.now())

    with django_capture_on_commit_callbacks(execute=True):
        send(conversation, brand, "You are reading this live")

    assert notified == []


def test_a_member_whose_socket_went_quiet_is_notified(conversation, brand, creator, notified, settings,
                                                      django_capture_on_commit_callbacks):
    quiet = timezone.now() - datetime.timedelta(seconds=settings.CHAT_CONNECTION_TTL_SECONDS + 1)
    Connection.objects.create(user=creator, conversation=conversation, channel_name="specific.dead", last_seen_at=quiet)

    with django_capture_on_commit_callbacks(execute=True):
        send(conversation, brand, "Hello?")

    assert [call["user_id"] for call in notified] == [creator.pk]


def test_system_messages_notify_nobody_but_move_the_badges(conversation, creator, brand, notified, pushes,
                                                           django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = message_services.message_system(conversation_id=conversation.pk, event="order.paid",
                                                   body="Order IM-1 was paid.", data={"order_id": 1})

    assert message.sender_id is None and message.data == {"event": "order.paid", "order_id": 1}
    assert notified == []
    assert {event["unread_count"] for event in pushes.to(f"notifications.{creator.pk}")} == {1}
    assert {event["unread_count"] for event in pushes.to(f"notifications.{brand.pk}")} == {1}


def test_messages_inside_the_window_are_told_when_it_ends_if_still_unread(conversation, brand, creator, notified,
                                                                         monkeypatch, settings,
                                                                         django_capture_on_commit_callbacks):
    from chat import tasks

    scheduled = []
    monkeypatch.setattr(tasks.remind_unread, "apply_async",
                        lambda args, countdown: scheduled.append((args, countdown)))
    settings.CHAT_UNREAD_EMAIL_MINUTES = 15
    with django_capture_on_commit_callbacks(execute=True):
        send(conversation, brand, "First")
        send(conversation, brand, "Second")
        last = send(conversation, brand, "Third")
    participant = Participant.objects.get(conversation=conversation, user=creator)
    Participant.objects.filter(pk=participant.pk).update(
        notified_at=timezone.now() - datetime.timedelta(minutes=15, seconds=1))

    with django_capture_on_commit_callbacks(execute=True):
        reminded = message_services.message_remind_unread(participant_id=participant.pk)
        again = message_services.message_remind_unread(participant_id=participant.pk)

    assert len(scheduled) == 1  # one check per window, however many messages
    (args, countdown), = scheduled
    assert args == [participant.pk] and 14 * 60 < countdown <= 15 * 60 + 1
    assert (reminded, again) == (True, False)
    assert len(notified) == 2 and notified[1]["data"]["unread_count"] == 3
    assert notified[1]["data"]["message_id"] == last.pk and notified[1]["title"].startswith("3 new messages")


def test_no_reminder_once_the_member_has_read_or_is_watching(conversation, brand, creator, notified,
                                                             django_capture_on_commit_callbacks):
    message = send(conversation, brand, "Hello")
    participant = Participant.objects.get(conversation=conversation, user=creator)
    message_services.conversation_mark_read(conversation_id=conversation.pk, actor=Actor.of(creator),
                                            up_to_message_id=message.pk)
    other = send(conversation, brand, "Anyone?")
    Connection.objects.create(user=creator, conversation=conversation, channel_name="r.watch",
                              last_seen_at=timezone.now())

    read_all = message_services.message_remind_unread(participant_id=participant.pk)
    Connection.objects.all().delete()
    message_services.conversation_mark_read(conversation_id=conversation.pk, actor=Actor.of(creator),
                                            up_to_message_id=other.pk)

    assert read_all is False
    assert message_services.message_remind_unread(participant_id=participant.pk) is False
    assert notified == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_message_ids_follow_the_order_in_which_sends_commit(conversation, brand, creator, monkeypatch):
    """A resync after the last id a client saw must never skip a message that committed later with a smaller id.
    The first send stalls right after its row is written; the second, started meanwhile, must wait for it."""
    import threading
    import time

    from django.db import connection

    committed, slow = [], threading.Event()
    bulk_create = MessageAttachment.objects.bulk_create

    def stalling_bulk_create(*args, **kwargs):  # between the message's insert and the conversation's update
        if threading.current_thread().name == "slow":
            slow.set()
            time.sleep(0.5)
        return bulk_create(*args, **kwargs)

    monkeypatch.setattr(MessageAttachment.objects, "bulk_create", stalling_bulk_create)

    def run(user, body):
        try:
            if threading.current_thread().name == "quick":
                slow.wait(2)
            sent = {}
            with transaction.atomic():
                transaction.on_commit(lambda: committed.append(sent["id"]))  # runs first, right at the commit
                sent["id"] = send(conversation, user, body).pk
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(brand, "Slow"), name="slow"),
               threading.Thread(target=run, args=(creator, "Quick"), name="quick")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(committed) == 2 and committed == sorted(committed)
