"""The Messages pages: the list and one conversation for its members (404 for anyone else), the no-JS composer
(text, files, a resubmitted form stored once, refusals shown), offers accepted or declined from the chat, the
brand's "Message" on a creator's page and either side's "Message" on an order, and the same number of queries
for a list of 1 and of 25 conversations."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import AgentFactory, BrandUserFactory, CreatorUserFactory
from chat.models import Conversation, Message, MessageAttachment
from chat.services import conversations as conversation_services
from chat.services import messages as message_services
from influmojo.permissions import Actor
from orders.models import CartItem, CustomOffer, Order
from orders.tests.factories import OrderFactory

from .conftest import png, send

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page(conversation) -> str:
    return reverse("chat_conversation", args=[conversation.pk])


def offer_in(conversation, creator, title="Two reels for the launch"):
    from chat.api.conversations import ChatOfferSerializer  # after the URLconf: it registers the <id:> converter

    serializer = ChatOfferSerializer(data={"title": title, "platform": "instagram", "content_type": "reel",
                                           "quantity": 2, "price": "900.00"})
    serializer.is_valid(raise_exception=True)
    data = dict(serializer.validated_data)
    data.pop("client_id")
    return message_services.message_offer_send(conversation_id=conversation.pk, actor=Actor.of(creator),
                                               expires_in_days=data.pop("expires_in_days"), data=data)


def paid_order_conversation(brand, creator):
    order = OrderFactory(brand=brand, creator=creator, status=Order.Status.PAID)
    Order.objects.filter(pk=order.pk).update(paid_at=order.created_at)
    return order, conversation_services.conversation_open_for_order(order_id=order.pk)


# --- Sign-in and membership ----------------------------------------------------------------------------------
@pytest.mark.parametrize("name, args", [("inbox", []), ("chat_conversation", [1]), ("notifications", []),
                                        ("chat_order_conversation", [1])])
def test_pages_need_sign_in(client, name, args):
    response = client.get(reverse(name, args=args))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_the_posts_need_sign_in(client, conversation):
    for url in (reverse("chat_message_send", args=[conversation.pk]), reverse("chat_start")):
        response = client.post(url, {"body": "Hi"})
        assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
    assert not Message.objects.exists()


def test_someone_elses_conversation_is_404_everywhere(conversation, outsider, creator):
    offer = offer_in(conversation, creator)
    client = signed_in(outsider)

    assert client.get(page(conversation)).status_code == 404
    assert client.post(reverse("chat_message_send", args=[conversation.pk]), {"body": "Hi"}).status_code == 404
    offer_id = offer.data["offer_id"]
    for name in ("chat_offer_accept", "chat_offer_decline"):
        assert client.post(reverse(name, args=[conversation.pk, offer_id])).status_code == 404
    assert client.get(reverse("chat_conversation", args=[987654])).status_code == 404
    assert not Message.objects.filter(sender=outsider).exists()


# --- The list -------------------------------------------------------------------------------------------------
def test_the_list_shows_each_conversation_with_the_other_side_and_the_unread_count(conversation, brand, creator):
    order, order_conversation = paid_order_conversation(brand, CreatorUserFactory(name="Olive Order"))
    send(conversation, brand, "Hello from the brand")
    send(conversation, creator, "First reply")
    send(conversation, creator, "Second reply, still unread")

    response = signed_in(brand).get(reverse("inbox"))

    assert response.status_code == 200
    rows = response.context["conversations"]
    assert [row.pk for row in rows] == [conversation.pk, order_conversation.pk]  # newest activity first
    assert rows[0].unread_count == 2 and rows[0].other == creator
    assert rows[0].preview == "Second reply, still unread"
    assert rows[1].topic_label == f"Order {order.number}"
    html = response.content.decode()
    assert reverse("order_detail", kwargs={"order_id": order.pk}) in html
    assert "Direct message" in html and "No messages yet" in html
    assert '<span class="chat-unread" data-unread>2<' in html


def test_the_creator_sees_the_brand_and_their_own_last_message_as_theirs(conversation, brand, creator):
    send(conversation, creator, "Sent by me")

    rows = signed_in(creator).get(reverse("inbox")).context["conversations"]

    assert rows[0].other == brand and rows[0].preview == "You: Sent by me" and rows[0].unread_count == 0


def test_an_empty_list_says_where_conversations_come_from(brand, creator):
    assert "Message a creator from their public page" in signed_in(brand).get(reverse("inbox")).content.decode()
    assert "Brands that write to you" in signed_in(creator).get(reverse("inbox")).content.decode()


def queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_list_costs_the_same_queries_for_1_and_25_conversations(brand):
    def converse():
        creator = CreatorUserFactory()
        conversation = conversation_services.conversation_open_direct(actor=Actor.of(brand), creator_id=creator.pk)
        send(conversation, creator, "Hi there")
        send(conversation, brand, "Hello!", files=[png()])

    converse()
    client = signed_in(brand)
    one = queries(client, reverse("inbox"))
    for _ in range(24):
        converse()

    assert queries(client, reverse("inbox")) == one
    assert len(client.get(reverse("inbox")).context["conversations"]) == 25


def test_a_conversation_page_costs_the_same_queries_for_1_and_25_messages(conversation, brand, creator):
    offer_in(conversation, creator)
    client = signed_in(brand)
    one = queries(client, page(conversation))
    for number in range(23):
        send(conversation, creator if number % 2 else brand, f"Message {number}", files=[png()] if number % 5 else [])
    offer_in(conversation, creator, title="Another offer")

    assert queries(client, page(conversation)) == one


# --- One conversation -------------------------------------------------------------------------------------------
def test_a_member_reads_the_history_with_seen_and_presence(conversation, brand, creator):
    first = send(conversation, brand, "Can you film on Thursday?")
    send(conversation, creator, "Yes, Thursday works.")
    mine = send(conversation, brand, "Great, see the brief.\nSecond line.")
    message_services.conversation_mark_read(conversation_id=conversation.pk, actor=Actor.of(creator),
                                            up_to_message_id=mine.pk)
    User.objects.filter(pk=creator.pk).update(is_online=True)

    response = signed_in(brand).get(page(conversation))

    assert response.status_code == 200
    assert [m.pk for m in response.context["history"]] == [first.pk, first.pk + 1, mine.pk]
    assert response.context["seen_id"] == mine.pk
    html = response.content.decode()
    assert "Great, see the brief.\nSecond line." in html  # shown as written (pre-wrap), never as HTML
    assert html.count("data-seen> · Seen") == 1 and html.count("data-seen hidden>") == 1
    assert 'data-presence>Online<' in html
    assert f'data-socket="/ws/chat/{conversation.pk}/"' in html and f'data-last-id="{mine.pk}"' in html
    assert 'name="client_id"' in html and 'enctype="multipart/form-data"' in html


def test_what_a_member_wrote_is_escaped(conversation, brand, creator):
    send(conversation, creator, '<script>alert("x")</script><b>bold</b>')

    html = signed_in(brand).get(page(conversation)).content.decode()

    assert "<script>alert" not in html and "&lt;script&gt;alert" in html and "<b>bold</b>" not in html


def test_images_show_inline_with_their_size_and_files_as_links(conversation, brand, creator):
    from django.core.files.uploadedfile import SimpleUploadedFile

    pdf = SimpleUploadedFile("brief.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "application/pdf")
    send(conversation, creator, "Files", files=[png(40, 30), pdf])

    html = signed_in(brand).get(page(conversation)).content.decode()

    assert 'width="40" height="30"' in html and 'alt="photo.png"' in html
    assert 'download="brief.pdf"' in html


def test_system_messages_are_events_linking_to_the_order(brand, creator):
    order, conversation = paid_order_conversation(brand, creator)
    message_services.message_system(conversation_id=conversation.pk, event="order.paid",
                                    body=f"Order {order.number} was paid.", data={"order_id": order.pk})

    html = signed_in(creator).get(page(conversation)).content.decode()

    assert 'class="msg msg-event"' in html and f"Order {order.number} was paid." in html
    assert f'href="{reverse("order_detail", kwargs={"order_id": order.pk})}">View order</a>' in html


def test_earlier_messages_page_back(conversation, brand, settings):
    settings.CHAT_HISTORY_PAGE = 3
    sent = [send(conversation, brand, f"Message {n}") for n in range(5)]
    client = signed_in(brand)

    latest = client.get(page(conversation))
    earlier = client.get(page(conversation), {"before": sent[2].pk})

    assert [m.pk for m in latest.context["history"]] == [m.pk for m in sent[2:]] and latest.context["has_earlier"]
    assert f'href="?before={sent[2].pk}#latest"' in latest.content.decode()
    assert [m.pk for m in earlier.context["history"]] == [m.pk for m in sent[:2]]
    assert 'data-live=""' in earlier.content.decode()  # an older page is not kept live
    assert client.get(page(conversation), {"before": "nonsense"}).status_code == 200


# --- Sending without JavaScript ---------------------------------------------------------------------------------
def test_the_form_sends_a_message_and_a_resubmit_stores_it_once(conversation, brand):
    client = signed_in(brand)
    url = reverse("chat_message_send", args=[conversation.pk])

    first = client.post(url, {"body": "Sent without JavaScript", "client_id": "form-1"})
    again = client.post(url, {"body": "Sent without JavaScript", "client_id": "form-1"})

    assert first.status_code == 302 and first.url == page(conversation) + "#latest"
    assert again.status_code == 302
    assert list(Message.objects.values_list("body", "sender_id")) == [("Sent without JavaScript", brand.pk)]


def test_the_form_sends_files(conversation, creator):
    response = signed_in(creator).post(reverse("chat_message_send", args=[conversation.pk]),
                                       {"body": "", "client_id": "f", "files": [png(8, 6)]})

    assert response.status_code == 302
    attachment = MessageAttachment.objects.get()
    assert (attachment.width, attachment.height, attachment.message.kind) == (8, 6, "attachment")


def test_an_empty_message_is_refused_on_the_page(conversation, brand):
    response = signed_in(brand).post(reverse("chat_message_send", args=[conversation.pk]), {"body": "   "})

    assert response.status_code == 400
    assert "Write a message or attach a file." in response.content.decode()
    assert not Message.objects.exists()


def test_a_refused_file_keeps_what_was_written(conversation, brand):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("photo.png", b"not really a picture", "image/png")
    response = signed_in(brand).post(reverse("chat_message_send", args=[conversation.pk]),
                                     {"body": "Here is the photo", "files": [fake]})

    assert response.status_code == 400
    html = response.content.decode()
    assert ">Here is the photo</textarea>" in html and 'class="alert alert-error' in html
    assert not Message.objects.exists()


def test_a_too_long_message_is_refused_with_the_limit(conversation, brand, settings):
    response = signed_in(brand).post(reverse("chat_message_send", args=[conversation.pk]),
                                     {"body": "x" * (settings.CHAT_MESSAGE_MAX_LENGTH + 1)})

    assert response.status_code == 400 and "5000 characters" in response.content.decode()
    assert not Message.objects.exists()


# --- Offers -----------------------------------------------------------------------------------------------------
def test_the_brand_sees_accept_and_decline_and_the_creator_does_not(conversation, brand, creator):
    message = offer_in(conversation, creator)
    accept = reverse("chat_offer_accept", args=[conversation.pk, message.data["offer_id"]])

    brand_html = signed_in(brand).get(page(conversation)).content.decode()
    creator_html = signed_in(creator).get(page(conversation)).content.decode()

    assert f'action="{accept}"' in brand_html and "Two reels for the launch" in brand_html
    assert f'action="{accept}"' not in creator_html and "Waiting for the brand" in creator_html


def test_the_brand_accepts_an_offer_into_the_cart_from_the_chat(conversation, brand, creator):
    offer_id = offer_in(conversation, creator).data["offer_id"]

    response = signed_in(brand).post(reverse("chat_offer_accept", args=[conversation.pk, offer_id]), follow=True)

    assert CustomOffer.objects.get(pk=offer_id).status == "accepted"
    assert CartItem.objects.filter(brand=brand, offer_id=offer_id).exists()
    html = response.content.decode()
    assert "Offer accepted: it is in your cart." in html and f'href="{reverse("cart")}">Go to cart</a>' in html


def test_the_brand_declines_and_a_second_answer_is_refused(conversation, brand, creator):
    offer_id = offer_in(conversation, creator).data["offer_id"]
    client = signed_in(brand)

    client.post(reverse("chat_offer_decline", args=[conversation.pk, offer_id]))
    again = client.post(reverse("chat_offer_accept", args=[conversation.pk, offer_id]), follow=True)

    assert CustomOffer.objects.get(pk=offer_id).status == "declined"
    assert not CartItem.objects.exists()
    assert again.status_code == 200 and 'class="alert alert-error' in again.content.decode()


def test_the_creator_cannot_accept_their_own_offer(conversation, creator):
    offer_id = offer_in(conversation, creator).data["offer_id"]

    response = signed_in(creator).post(reverse("chat_offer_accept", args=[conversation.pk, offer_id]), follow=True)

    assert CustomOffer.objects.get(pk=offer_id).status == "pending"
    assert 'class="alert alert-error' in response.content.decode()


# --- Entry points -----------------------------------------------------------------------------------------------
def test_a_brand_messages_a_creator_from_their_page_once(brand, creator):
    client = signed_in(brand)

    first = client.post(reverse("chat_start"), {"creator_id": creator.pk})
    again = client.post(reverse("chat_start"), {"creator_id": creator.pk})

    conversation = Conversation.objects.get()
    assert first.url == again.url == page(conversation)
    assert (conversation.kind, conversation.brand_id, conversation.creator_id) == ("direct", brand.pk, creator.pk)


def test_the_creator_page_offers_brands_the_message_button(client, brand, creator):
    url = reverse("creator_portfolio", kwargs={"slug": creator.creator_profile.slug})

    assert f'action="{reverse("chat_start")}"' in signed_in(brand).get(url).content.decode()
    assert f'action="{reverse("chat_start")}"' not in client.get(url).content.decode()
    assert f'action="{reverse("chat_start")}"' not in signed_in(creator).get(url).content.decode()


def test_only_brands_start_conversations(creator):
    other = CreatorUserFactory()

    response = signed_in(creator).post(reverse("chat_start"), {"creator_id": other.pk}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("dashboard")
    assert "Only brand accounts start conversations with creators." in response.content.decode()
    assert not Conversation.objects.exists()


def test_a_private_or_unknown_creator_is_404(brand):
    hidden = CreatorUserFactory()
    User.objects.filter(pk=hidden.pk).update(profile_public=False)
    client = signed_in(brand)

    assert client.post(reverse("chat_start"), {"creator_id": hidden.pk}).status_code == 404
    assert client.post(reverse("chat_start"), {"creator_id": "x"}).status_code == 302
    assert not Conversation.objects.exists()


def test_the_order_page_leads_both_sides_to_its_conversation(brand, creator):
    order, conversation = paid_order_conversation(brand, creator)
    url = reverse("chat_order_conversation", args=[order.pk])

    for user in (brand, creator):
        assert signed_in(user).get(url).url == page(conversation)
    assert url in signed_in(brand).get(reverse("order_detail", kwargs={"order_id": order.pk})).content.decode()
    assert signed_in(BrandUserFactory()).get(url).status_code == 404


def test_an_unpaid_order_has_no_conversation_yet(brand, creator):
    order = OrderFactory(brand=brand, creator=creator)

    response = signed_in(brand).get(reverse("chat_order_conversation", args=[order.pk]), follow=True)

    assert response.redirect_chain[-1][0] == reverse("order_detail", kwargs={"order_id": order.pk})
    assert "opens once the order is paid" in response.content.decode()
    assert reverse("chat_order_conversation", args=[order.pk]) not in response.content.decode()


def test_an_agent_who_joined_reads_the_conversation(conversation, brand):
    agent = AgentFactory()
    conversation_services.conversation_add_agent(conversation_id=conversation.pk, agent_id=agent.pk,
                                                 actor=Actor.system())
    send(conversation, brand, "Support, please look at this")

    response = signed_in(agent).get(page(conversation))

    assert response.status_code == 200 and "Support, please look at this" in response.content.decode()


# --- Every signed-in page --------------------------------------------------------------------------------------
def test_the_top_bar_has_the_bell_and_messages_whose_counts_the_script_fetches(brand):
    html = signed_in(brand).get(reverse("dashboard")).content.decode()

    assert 'data-bell' in html and f'href="{reverse("notifications")}"' in html
    assert f'href="{reverse("inbox")}"' in html and "js/notifications.js" in html
    assert 'data-count-url="/api/v1/notifications/unread-count"' in html


# --- A creator's offer from the chat ------------------------------------------------------------------------------
OFFER_FORM = {"title": "Three stories for the launch", "description": "Launch day, with the link sticker.",
              "platform": "instagram", "content_type": "story", "quantity": "3", "revisions": "1",
              "duration_days": "5", "price": "450", "currency": "USD", "expires_in_days": "10", "client_id": "o-1"}


def test_the_creator_sends_an_offer_from_the_chat_once(conversation, creator, brand):
    client = signed_in(creator)
    url = reverse("chat_offer_send", args=[conversation.pk])

    form = client.get(url)
    sent = client.post(url, OFFER_FORM)
    again = client.post(url, OFFER_FORM)

    assert form.status_code == 200 and 'name="brand_id"' not in form.content.decode()
    assert f'href="{url}"' in signed_in(creator).get(page(conversation)).content.decode()
    assert sent.status_code == again.status_code == 302 and sent.url == page(conversation) + "#latest"
    offer = CustomOffer.objects.get()
    assert (offer.brand_id, offer.title, offer.quantity, str(offer.price)) == (brand.pk, OFFER_FORM["title"], 3,
                                                                                "450.00")
    message = Message.objects.get(kind="offer")
    assert message.data == {"offer_id": offer.pk} and message.sender_id == creator.pk


def test_a_bad_offer_is_shown_on_its_fields(conversation, creator):
    response = signed_in(creator).post(reverse("chat_offer_send", args=[conversation.pk]),
                                       {**OFFER_FORM, "price": "-5", "platform": "myspace"})

    assert response.status_code == 400
    assert response.context["form"].errors.keys() >= {"price", "platform"}
    assert not CustomOffer.objects.exists()


def test_offers_are_sent_by_the_conversations_creator_only(conversation, brand, outsider):
    url = reverse("chat_offer_send", args=[conversation.pk])

    refused = signed_in(brand).post(url, OFFER_FORM, follow=True)
    stranger = signed_in(CreatorUserFactory()).get(url)

    assert refused.redirect_chain[-1][0] == reverse("dashboard")
    assert "Custom offers are sent by creator accounts." in refused.content.decode()
    assert stranger.status_code == 404
    assert f'href="{url}"' not in signed_in(brand).get(page(conversation)).content.decode()
    assert not CustomOffer.objects.exists()
