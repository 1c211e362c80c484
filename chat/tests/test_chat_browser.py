"""The Messages pages in headless Chromium: a brand and a creator chatting in two browsers over real websockets —
the message appears on the other side without a reload, typing shows, "Seen" appears, the bell and the Messages
count go up on a page away from the chat — and, when the socket cannot connect, the page says so and polls.

pytest-django's live_server is WSGI (no websockets), so the live tests run Daphne — the server `runserver`
uses — on a free port in a thread of this process, against the same test database and channel layer. The polling
test uses live_server itself: a WSGI server answers the socket's handshake with 404, as a proxy that blocks
websockets would.
"""

import re
import threading
import time

import pytest
from django.urls import reverse

from chat.models import Message
from chat.services import conversations as conversation_services
from influmojo.permissions import Actor
from influmojo.pytest_plugin import MOBILE, horizontal_overflow

from .conftest import send

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="session")
def asgi_server(django_db_setup, django_db_blocker):
    """Daphne serving influmojo.asgi (HTTP and websockets) on a free port; once per session (Twisted's reactor
    runs once per process). URLs use `localhost`, the host live_server's session cookies are set for."""
    from daphne.server import Server  # first: it installs the asyncio reactor
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

    from influmojo.asgi import application

    server = Server(ASGIStaticFilesHandler(application), endpoints=["tcp:port=0:interface=127.0.0.1"],
                    signal_handlers=False, verbosity=0)
    threading.Thread(target=server.run, name="daphne-test", daemon=True).start()
    deadline = time.monotonic() + 10
    while not server.listening_addresses:
        if time.monotonic() > deadline:
            pytest.fail("Daphne did not start listening")
        time.sleep(0.05)
    _, port = server.listening_addresses[0]
    yield f"http://localhost:{port}"
    from twisted.internet import reactor

    reactor.callFromThread(server.stop)


def _read_uncommitted(connection, on: bool) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA read_uncommitted = {int(on)}")


def _readers_do_not_lock(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        _read_uncommitted(connection, True)


@pytest.fixture
def live_asgi(asgi_server, transactional_db, browser, monkeypatch):
    """The server for one test, its database work kept on one thread: every request and socket's sync code runs
    on asgiref's single thread (Django's per-request thread is switched off), so the server never races itself.
    On the in-memory SQLite test database that thread's connection and this one share a cache whose readers
    would lock tables (read_uncommitted lets them read past the other's writes). Afterwards the browsers close
    and the test waits for their sockets to be gone and the server to be idle, so nothing touches the database
    once the test is over."""
    import contextlib

    from asgiref.sync import SyncToAsync
    from django.core.handlers import asgi as django_asgi
    from django.db import connection
    from django.db.backends.signals import connection_created

    from chat.models import Connection

    monkeypatch.setattr(django_asgi, "ThreadSensitiveContext", contextlib.nullcontext)
    sqlite = connection.vendor == "sqlite"
    if sqlite:
        connection_created.connect(_readers_do_not_lock)
        _read_uncommitted(connection, True)
    try:
        yield asgi_server
        for context in list(browser.contexts):
            context.close()
        deadline = time.monotonic() + 10
        while Connection.objects.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        SyncToAsync.single_thread_executor.submit(lambda: None).result(timeout=10)
    finally:
        if sqlite:  # later tests' sockets run on that thread too, and expect their usual isolation
            connection_created.disconnect(_readers_do_not_lock)
            _read_uncommitted(connection, False)
            SyncToAsync.single_thread_executor.submit(_isolated_again).result(timeout=10)


def _isolated_again():
    from django.db import connection

    if connection.connection is not None:
        _read_uncommitted(connection, False)


def direct(brand, creator):
    return conversation_services.conversation_open_direct(actor=Actor.of(brand), creator_id=creator.pk)


def open_live(page, url):
    page.goto(url)
    page.wait_for_selector("[data-chat][data-mode=live]")


def test_a_brand_and_a_creator_chat_live_in_two_browsers(live_asgi, signed_in_page, brand, creator):
    conversation = direct(brand, creator)
    send(conversation, brand, "Hello Sarah, are you free next week?")
    url = live_asgi + reverse("chat_conversation", args=[conversation.pk])
    as_brand, as_creator = signed_in_page(brand), signed_in_page(creator)
    open_live(as_brand, url)
    open_live(as_creator, url)
    as_brand.evaluate("window.notReloaded = true")

    # The other side comes online, and typing shows.
    as_brand.wait_for_selector("[data-presence]:text('Online')")
    as_creator.fill("#chat-body", "Yes")
    as_brand.wait_for_selector("[data-typing]:not([hidden])")
    assert "is typing" in as_brand.inner_text("[data-typing]")

    # Enter sends; the brand sees it without a reload, once.
    as_creator.fill("#chat-body", "Yes! Thursday works for me.")
    as_creator.press("#chat-body", "Enter")
    as_brand.wait_for_selector(".msg-them .msg-body:text('Yes! Thursday works for me.')")
    assert as_brand.evaluate("window.notReloaded") is True
    assert as_brand.locator(".msg-body:text('Yes! Thursday works for me.')").count() == 1
    assert as_creator.locator(".msg-me .msg-body:text('Yes! Thursday works for me.')").count() == 1
    assert not as_creator.is_visible(".msg-pending")
    assert as_brand.is_hidden("[data-typing]")  # their message ends their typing

    # Shift+Enter is a new line; the brand's reply is "Seen" once the creator's page shows it.
    as_brand.fill("#chat-body", "Great,")
    as_brand.press("#chat-body", "Shift+Enter")
    as_brand.type("#chat-body", "see you then.")
    as_brand.press("#chat-body", "Enter")
    as_creator.wait_for_selector(".msg-them .msg-body:text('Great,')")
    as_brand.wait_for_selector(".msg-me:last-child [data-seen]:not([hidden])")
    reply = Message.objects.filter(sender=brand).latest("id")
    assert reply.body == "Great,\nsee you then." and reply.client_id
    assert Message.objects.filter(conversation=conversation).count() == 3


def test_the_bell_and_the_messages_count_go_up_away_from_the_chat(live_asgi, signed_in_page, brand, creator):
    conversation = direct(brand, creator)
    as_brand, as_creator = signed_in_page(brand), signed_in_page(creator)
    as_brand.goto(live_asgi + reverse("dashboard"))
    as_brand.wait_for_function("window.performance.getEntriesByType('resource').some("
                               "(entry) => entry.name.includes('/api/v1/conversations/unread-count'))")
    assert as_brand.is_hidden("[data-bell-count]")
    open_live(as_creator, live_asgi + reverse("chat_conversation", args=[conversation.pk]))

    as_creator.fill("#chat-body", "I sent you the mood board.")
    as_creator.press("#chat-body", "Enter")

    as_brand.wait_for_selector("[data-bell-count]:not([hidden]):text('1')")
    as_brand.wait_for_selector(".nav [data-chat-count]:not([hidden]):text('1')")
    as_brand.click("[data-bell-button]")
    as_brand.wait_for_selector("[data-bell-list] .note.unread")
    assert "New message from" in as_brand.inner_text("[data-bell-list]")
    as_brand.click("[data-read-all]")
    as_brand.wait_for_selector("[data-bell-count]", state="hidden")


def test_the_page_polls_when_the_socket_cannot_connect(signed_in_page, live_server, brand, creator):
    conversation = direct(brand, creator)
    page = signed_in_page(brand, MOBILE)
    page.goto(live_server.url + reverse("chat_conversation", args=[conversation.pk]))

    page.wait_for_selector("[data-chat][data-mode=polling]", timeout=20_000)
    assert "checked every few seconds" in page.inner_text("[data-status]")
    assert horizontal_overflow(page) <= 0

    send(conversation, creator, "Arrived by polling")
    page.wait_for_selector(".msg-them .msg-body:text('Arrived by polling')", timeout=10_000)

    page.fill("#chat-body", "Sent over REST")
    page.press("#chat-body", "Enter")
    page.wait_for_selector(".msg-me[data-id] .msg-body:text('Sent over REST')")
    assert Message.objects.filter(sender=brand, body="Sent over REST").count() == 1
    assert re.search(r"/messages/\d+/$", page.url)


def test_phones_show_the_list_and_the_conversation_as_two_screens(signed_in_page, live_server, brand, creator):
    conversation = direct(brand, creator)
    send(conversation, creator, "Hi from the phone test")
    page = signed_in_page(brand, MOBILE)

    page.goto(live_server.url + reverse("inbox"))
    assert page.is_visible(".chat-sidebar") and page.is_hidden(".chat-main")
    assert horizontal_overflow(page) <= 0
    page.click(f"[data-conversation='{conversation.pk}'] .chat-row-link")

    page.wait_for_selector(".chat-pane")
    assert page.is_hidden(".chat-sidebar") and page.is_visible(".chat-back")
    assert horizontal_overflow(page) <= 0
    page.click(".chat-back")
    page.wait_for_url(re.compile(r"/messages/$"))


def test_a_dropped_socket_reconnects_and_resyncs_what_it_missed(live_asgi, signed_in_page, brand, creator):
    conversation = direct(brand, creator)
    sockets = {"opened": 0, "refused": 0, "down": False, "live": []}

    def through(route):  # the real server behind sockets the test can drop, and refuse while it is "down"
        if sockets["down"]:
            sockets["refused"] += 1
            route.close(code=1011, reason="server restarting")
            return
        route.connect_to_server()
        sockets["opened"] += 1
        sockets["live"].append(route)

    as_brand, as_creator = signed_in_page(brand), signed_in_page(creator)
    as_brand.route_web_socket(re.compile(r"/ws/chat/"), through)
    url = live_asgi + reverse("chat_conversation", args=[conversation.pk])
    open_live(as_brand, url)
    open_live(as_creator, url)

    sockets["down"] = True
    sockets["live"].pop().close(code=1011, reason="dropped")  # like a proxy restarting
    as_brand.wait_for_selector("[data-status]:text('Reconnecting…')")
    as_creator.fill("#chat-body", "Sent while you were away")
    as_creator.press("#chat-body", "Enter")
    as_creator.wait_for_selector(".msg-me[data-id] .msg-body:text('Sent while you were away')")
    as_brand.wait_for_timeout(1600)  # past the first retry (1 s ± 25 %), refused while "down"
    assert as_brand.locator(".msg-body:text('Sent while you were away')").count() == 0
    sockets["down"] = False

    as_brand.wait_for_selector(".msg-them .msg-body:text('Sent while you were away')")
    assert sockets["opened"] == 2 and sockets["refused"] >= 1
    assert as_brand.locator(".msg-body:text('Sent while you were away')").count() == 1
    as_brand.wait_for_selector("[data-status]", state="hidden")


def test_files_upload_with_progress_and_offers_are_answered_in_place(live_asgi, signed_in_page, brand, creator,
                                                                    tmp_path):
    from PIL import Image

    conversation = direct(brand, creator)
    picture = tmp_path / "mood-board.png"
    Image.new("RGB", (120, 80), "purple").save(picture)
    as_brand, as_creator = signed_in_page(brand), signed_in_page(creator)
    url = live_asgi + reverse("chat_conversation", args=[conversation.pk])
    open_live(as_brand, url)
    open_live(as_creator, url)

    as_creator.set_input_files("[data-files]", str(picture))
    assert "mood-board.png" in as_creator.inner_text("[data-file-names]")
    as_creator.fill("#chat-body", "The mood board")
    as_creator.click(".chat-composer button[type=submit]")

    as_brand.wait_for_selector(".msg-them img[alt='mood-board.png'][width='120'][height='80']")
    as_creator.wait_for_selector(".msg-me[data-id] img[alt='mood-board.png']")
    assert Message.objects.get(conversation=conversation).attachments.get().width == 120

    from .test_views import offer_in

    offer = offer_in(conversation, creator)  # sent from this thread: no push, the brand's page fetches it on reload
    as_brand.reload()
    as_brand.wait_for_selector("[data-chat][data-mode=live]")
    as_brand.click(f"[data-offer='{offer.data['offer_id']}'] [data-offer-move=accept] button")

    as_brand.wait_for_selector(".msg-event a:text('Go to cart')")
    assert as_brand.is_hidden("[data-offer-actions]")
    as_creator.wait_for_selector(".msg-event:has-text('accepted the offer')")
    from orders.models import CustomOffer

    assert CustomOffer.objects.get(pk=offer.data["offer_id"]).status == "accepted"
