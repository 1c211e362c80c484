"""The chat API: conversations, messages (resync with ?after=, attachments), read receipts, offers in a
conversation — 401 / 403 / 404 / 400, equal query counts at 1 and 25 rows."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from accounts.tests.factories import CreatorUserFactory
from chat.models import Message, MessageAttachment
from chat.services import conversations as services
from influmojo.permissions import Actor
from orders.models import CartItem, CustomOffer

from .conftest import png, send

pytestmark = pytest.mark.django_db


def error_of(response, status: int) -> dict:
    assert response.status_code == status, response.content
    return response.json()["error"]


def queries(callable_) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = callable_()
    assert response.status_code == 200, response.content
    return len(captured)


ROUTES = [
    ("get", "/api/v1/conversations"), ("post", "/api/v1/conversations"), ("get", "/api/v1/conversations/unread-count"),
    ("get", "/api/v1/conversations/1"), ("get", "/api/v1/conversations/1/messages"),
    ("post", "/api/v1/conversations/1/messages"), ("post", "/api/v1/conversations/1/read"),
    ("post", "/api/v1/conversations/1/offers"), ("post", "/api/v1/conversations/1/offers/1/accept"),
    ("post", "/api/v1/conversations/1/offers/1/decline"),
]


@pytest.mark.parametrize(("method", "url"), ROUTES)
def test_anonymous_callers_are_refused(api_client, method, url):
    assert error_of(getattr(api_client, method)(url), 401)["code"] == "not_authenticated"


# --- Conversations -------------------------------------------------------------------------------------------------
def test_a_brand_starts_a_conversation_from_a_profile_and_again_finds_it(auth_client, brand, creator):
    client = auth_client(brand)

    first = client.post("/api/v1/conversations", {"creator_id": creator.pk}, format="json")
    again = client.post("/api/v1/conversations", {"creator_id": creator.pk}, format="json")

    assert first.status_code == again.status_code == 201
    body = first.json()
    assert body["id"] == again.json()["id"] and body["kind"] == "direct" and body["unread_count"] == 0
    assert [(member["id"], member["role"]) for member in body["members"]] == [(brand.pk, "brand"),
                                                                             (creator.pk, "creator")]
    assert body["creator"]["id"] == creator.pk and set(body["creator"]) == {"id", "name", "avatar_url", "online",
                                                                           "last_seen"}


def test_only_brands_start_conversations(auth_client, creator):
    other = CreatorUserFactory()

    assert error_of(auth_client(creator).post("/api/v1/conversations", {"creator_id": other.pk}, format="json"),
                    403)


@pytest.mark.parametrize("creator_id", ["x", 0, None])
def test_a_bad_creator_id_is_400(auth_client, brand, creator_id):
    error = error_of(auth_client(brand).post("/api/v1/conversations", {"creator_id": creator_id}, format="json"), 400)

    assert "creator_id" in error["details"]


def test_a_private_creator_is_404(auth_client, brand):
    hidden = CreatorUserFactory()
    User.objects.filter(pk=hidden.pk).update(profile_public=False)

    assert error_of(auth_client(brand).post("/api/v1/conversations", {"creator_id": hidden.pk}, format="json"), 404)


def test_the_list_has_the_last_message_and_the_unread_count(auth_client, brand, creator, conversation):
    send(conversation, creator, "Hi, I saw your brief")

    body = auth_client(brand).get("/api/v1/conversations").json()

    assert body["total"] == 1
    [row] = body["results"]
    assert row["id"] == conversation.pk and row["unread_count"] == 1
    assert row["last_message"]["body"] == "Hi, I saw your brief" and row["last_message"]["sender_id"] == creator.pk
    assert auth_client(brand).get("/api/v1/conversations/unread-count").json() == {"unread_count": 1}


def test_the_list_costs_the_same_queries_for_1_and_25_conversations(auth_client, brand,
                                                                    django_assert_max_num_queries):
    client = auth_client(brand)

    def another():
        conversation = services.conversation_open_direct(actor=Actor.of(brand), creator_id=CreatorUserFactory().pk)
        send(conversation, conversation.creator, "Hello")

    another()
    one = queries(lambda: client.get("/api/v1/conversations?limit=25"))
    for _ in range(24):
        another()
    with django_assert_max_num_queries(one):
        response = client.get("/api/v1/conversations?limit=25")
    assert len(response.json()["results"]) == 25


def test_someone_elses_conversation_is_404_everywhere(auth_client, conversation, brand, outsider):
    message = send(conversation, brand, "Private")
    client = auth_client(outsider)

    assert error_of(client.get(f"/api/v1/conversations/{conversation.pk}"), 404)
    assert error_of(client.get(f"/api/v1/conversations/{conversation.pk}/messages"), 404)
    assert error_of(client.post(f"/api/v1/conversations/{conversation.pk}/messages", {"body": "hi"}), 404)
    assert error_of(client.post(f"/api/v1/conversations/{conversation.pk}/read", {"up_to": message.pk}), 404)
    assert client.get("/api/v1/conversations").json()["total"] == 0
    assert Message.objects.count() == 1


# --- Messages --------------------------------------------------------------------------------------------------
def test_resync_after_an_id_returns_what_came_since(auth_client, conversation, brand, creator, settings):
    settings.CHAT_HISTORY_PAGE = 2
    seen = send(conversation, brand, "Seen")
    missed = [send(conversation, creator, f"Missed {n}") for n in range(3)]
    client = auth_client(brand)

    first = client.get(f"/api/v1/conversations/{conversation.pk}/messages?after={seen.pk}").json()
    rest = client.get(f"/api/v1/conversations/{conversation.pk}/messages?after={first['results'][-1]['id']}").json()

    assert [m["id"] for m in first["results"]] == [missed[0].pk, missed[1].pk] and first["has_more"]
    assert [m["id"] for m in rest["results"]] == [missed[2].pk] and not rest["has_more"]
    assert first["total"] == 4


def test_without_a_cursor_the_newest_page_comes_oldest_first(auth_client, conversation, brand, settings):
    settings.CHAT_HISTORY_PAGE = 2
    sent = [send(conversation, brand, f"Message {n}") for n in range(3)]

    body = auth_client(brand).get(f"/api/v1/conversations/{conversation.pk}/messages").json()
    older = auth_client(brand).get(
        f"/api/v1/conversations/{conversation.pk}/messages?before={body['results'][0]['id']}").json()

    assert [m["id"] for m in body["results"]] == [sent[1].pk, sent[2].pk] and body["has_more"]
    assert [m["id"] for m in older["results"]] == [sent[0].pk] and not older["has_more"]


@pytest.mark.parametrize("query", ["after=-1", "after=x", "limit=0", "limit=51", "after=1&before=5"])
def test_a_bad_cursor_is_400(auth_client, conversation, brand, query):
    assert error_of(auth_client(brand).get(f"/api/v1/conversations/{conversation.pk}/messages?{query}"), 400)


def test_the_messages_cost_the_same_queries_for_1_and_25(auth_client, conversation, brand, creator,
                                                         django_assert_max_num_queries):
    client = auth_client(brand)
    send(conversation, creator, "First", files=[png()])
    one = queries(lambda: client.get(f"/api/v1/conversations/{conversation.pk}/messages"))
    for n in range(24):
        send(conversation, brand if n % 2 else creator, f"Message {n}", files=[png()] if n % 3 == 0 else ())
    with django_assert_max_num_queries(one):
        response = client.get(f"/api/v1/conversations/{conversation.pk}/messages")
    assert len(response.json()["results"]) == 25


def test_a_member_sends_a_message_and_a_retry_returns_it(auth_client, conversation, brand):
    client = auth_client(brand)
    url = f"/api/v1/conversations/{conversation.pk}/messages"

    first = client.post(url, {"body": "Hello!", "client_id": "phone-1"}, format="json")
    retry = client.post(url, {"body": "Hello!", "client_id": "phone-1"}, format="json")

    assert first.status_code == retry.status_code == 201
    assert first.json() == retry.json() and first.json()["body"] == "Hello!" and first.json()["kind"] == "text"
    assert Message.objects.count() == 1


@pytest.mark.parametrize(("body", "field"), [({"body": ""}, "body"), ({"body": "x" * 5001}, "body"),
                                             ({"body": "hi", "client_id": "c" * 65}, "client_id")])
def test_a_bad_message_is_400(auth_client, conversation, brand, body, field):
    error = error_of(auth_client(brand).post(f"/api/v1/conversations/{conversation.pk}/messages", body,
                                             format="json"), 400)

    assert field in error["details"]
    assert not Message.objects.exists()


def test_an_image_is_attached_with_its_size(auth_client, conversation, brand):
    response = auth_client(brand).post(f"/api/v1/conversations/{conversation.pk}/messages",
                                       {"body": "Moodboard", "files": [png(800, 600, "mood.png")]}, format="multipart")

    assert response.status_code == 201, response.content
    [attachment] = response.json()["attachments"]
    assert (attachment["name"], attachment["content_type"], attachment["width"], attachment["height"]) == (
        "mood.png", "image/png", 800, 600)
    assert attachment["url"].startswith("http") and "/media/chat/" in attachment["url"]


@pytest.mark.parametrize(("upload", "code"), [
    (SimpleUploadedFile("cat.jpg", b"GIF89a but not really an image at all", content_type="image/jpeg"),
     "invalid_file"),
    (SimpleUploadedFile("run.sh", b"#!/bin/sh\necho hi\n", content_type="text/x-sh"), "invalid_file"),
    (SimpleUploadedFile("big.txt", b"a" * 2048, content_type="text/plain"), "file_too_large"),
])
def test_bad_attachments_are_400(auth_client, conversation, brand, settings, upload, code):
    settings.CHAT_ATTACHMENT_MAX_BYTES = 1024
    upload.seek(0)

    error = error_of(auth_client(brand).post(f"/api/v1/conversations/{conversation.pk}/messages",
                                             {"body": "See file", "files": [upload]}, format="multipart"), 400)

    assert error["code"] == code and "files" in error["details"]
    assert not MessageAttachment.objects.exists() and not Message.objects.exists()


# --- Read receipts ----------------------------------------------------------------------------------------------
def test_marking_read_answers_the_position_and_the_count(auth_client, conversation, brand, creator):
    first = send(conversation, creator, "One")
    send(conversation, creator, "Two")

    response = auth_client(brand).post(f"/api/v1/conversations/{conversation.pk}/read", {"up_to": first.pk},
                                       format="json")

    assert response.json() == {"conversation_id": conversation.pk, "last_read_message_id": first.pk,
                               "unread_count": 1}


@pytest.mark.parametrize("body", [{}, {"up_to": "x"}, {"up_to": -1}])
def test_a_bad_read_is_400(auth_client, conversation, brand, body):
    assert error_of(auth_client(brand).post(f"/api/v1/conversations/{conversation.pk}/read", body, format="json"),
                    400)


# --- Offers in a conversation ------------------------------------------------------------------------------------
OFFER = {"title": "Two reels for the launch", "platform": "instagram", "content_type": "reel", "quantity": 2,
         "price": "900.00"}


def test_a_creator_offers_in_the_chat_and_the_brand_accepts_it_there(auth_client, conversation, brand, creator):
    made = auth_client(creator).post(f"/api/v1/conversations/{conversation.pk}/offers", OFFER, format="json")
    assert made.status_code == 201, made.content
    offer_message = made.json()
    offer_id = offer_message["offer"]["id"]

    accepted = auth_client(brand).post(f"/api/v1/conversations/{conversation.pk}/offers/{offer_id}/accept")

    assert offer_message["kind"] == "offer" and offer_message["data"] == {"offer_id": offer_id}
    assert offer_message["offer"]["status"] == "pending" and offer_message["offer"]["price"] == "900.00"
    assert accepted.status_code == 201
    assert accepted.json()["kind"] == "system" and accepted.json()["data"]["event"] == "offer.accepted"
    item = CartItem.objects.get(brand=brand)
    assert item.offer_id == offer_id and accepted.json()["data"]["cart_item_id"] == item.pk
    history = auth_client(brand).get(f"/api/v1/conversations/{conversation.pk}/messages").json()["results"]
    assert history[0]["offer"]["status"] == "accepted"  # the offer message shows the offer as it stands


def test_the_brand_declines_an_offer_from_the_chat(auth_client, conversation, brand, creator):
    made = auth_client(creator).post(f"/api/v1/conversations/{conversation.pk}/offers", OFFER, format="json").json()

    declined = auth_client(brand).post(f"/api/v1/conversations/{conversation.pk}/offers/{made['offer']['id']}/decline")

    assert declined.status_code == 201 and declined.json()["data"]["event"] == "offer.declined"
    assert CustomOffer.objects.get().status == "declined"


def test_offers_follow_the_sides(auth_client, conversation, brand, creator, outsider):
    made = auth_client(creator).post(f"/api/v1/conversations/{conversation.pk}/offers", OFFER, format="json").json()
    accept = f"/api/v1/conversations/{conversation.pk}/offers/{made['offer']['id']}/accept"

    assert error_of(auth_client(brand).post(f"/api/v1/conversations/{conversation.pk}/offers", OFFER,
                                            format="json"), 403)
    assert error_of(auth_client(creator).post(accept), 403)
    assert error_of(auth_client(outsider).post(accept), 404)
    other = services.conversation_open_direct(actor=Actor.of(brand), creator_id=CreatorUserFactory().pk)
    assert error_of(auth_client(brand).post(f"/api/v1/conversations/{other.pk}/offers/{made['offer']['id']}/accept"),
                    404)  # an offer is accepted in the conversation it was sent in
    assert CustomOffer.objects.get().status == "pending"


def test_a_bad_offer_is_400(auth_client, conversation, creator):
    error = error_of(auth_client(creator).post(f"/api/v1/conversations/{conversation.pk}/offers",
                                               {**OFFER, "price": "0"}, format="json"), 400)

    assert "price" in error["details"]
    assert not CustomOffer.objects.exists()
