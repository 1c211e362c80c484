"""The chat section of `seed_demo`: the Messages pages have conversations to show (orders', direct ones, a picture,
a pending offer, something unread), made through the chat services, and a second run sends nothing again."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.models import User
from chat.models import Conversation, Message, MessageAttachment
from chat.selectors.conversations import unread_total
from orders.models import Order

pytestmark = pytest.mark.django_db


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_the_demo_has_conversations_to_show_and_a_second_run_sends_nothing():
    output = seed()

    assert "Chat: 16 messages sent." in output
    paid = Order.objects.filter(paid_at__isnull=False).count()
    assert Conversation.objects.filter(kind="order").count() == paid
    glowup = User.objects.get(email="glowup@influmojo.local")
    direct = Conversation.objects.filter(kind="direct", brand=glowup)
    assert direct.count() == 2
    assert Message.objects.filter(kind="offer", conversation__in=direct).count() == 1
    assert MessageAttachment.objects.get().width == 640
    assert unread_total(user_id=glowup.pk) > 0  # the offer and Sarah's last message wait for the brand
    before = list(Message.objects.values_list("pk", flat=True))

    again = seed()

    assert "Chat: 0 messages sent." in again
    assert list(Message.objects.values_list("pk", flat=True)) == before

    client = Client()
    client.force_login(glowup)
    assert client.get(reverse("inbox")).status_code == 200
    for conversation in Conversation.objects.filter(brand=glowup):
        assert client.get(reverse("chat_conversation", args=[conversation.pk])).status_code == 200
