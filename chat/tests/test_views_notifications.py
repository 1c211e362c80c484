"""The notifications page: your in-app notifications (all or unread), each one's link (only site paths and http(s)
URLs become links), read, delete and all read through the notification service (someone else's is 404), the
preference matrix saved through the same form and service as the settings page, and the same queries for 1 and
25 notifications."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts import preferences as prefs
from accounts.tests.factories import BrandUserFactory
from chat.models import Notification

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def note(user, title="Order IM-1 was paid", **fields) -> Notification:
    fields = {"type": "orders", "event": "order.paid", "url": "/orders/1/", **fields}
    return Notification.objects.create(user=user, title=title, **fields)


def queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_page_lists_your_notifications_newest_first(brand):
    old = note(brand, "Older one")
    new = note(brand, "Newer one", body="With a body")
    note(BrandUserFactory(), "Someone else's")
    note(brand, "Kept for its e-mail only", in_app=False)

    response = signed_in(brand).get(reverse("notifications"))

    assert response.status_code == 200
    assert [n.pk for n in response.context["notifications"]] == [new.pk, old.pk]
    html = response.content.decode()
    assert "Someone else&#x27;s" not in html and "Kept for its e-mail only" not in html
    assert '<a href="/orders/1/">Newer one</a>' in html and "With a body" in html
    assert "2 unread" in html


def test_only_site_paths_and_web_addresses_become_links(brand):
    note(brand, "Scripted", url="javascript:alert(1)")
    note(brand, "Elsewhere", url="//evil.example/x")
    note(brand, "Help centre", url="https://help.influmojo.example/a")

    html = signed_in(brand).get(reverse("notifications")).content.decode()

    assert "javascript:" not in html and "//evil.example" not in html
    assert '<a href="https://help.influmojo.example/a">Help centre</a>' in html


def test_the_unread_tab_and_an_empty_state(brand):
    read = note(brand, "Read already")
    Notification.objects.filter(pk=read.pk).update(read_at=read.created_at)
    client = signed_in(brand)

    unread = client.get(reverse("notifications"), {"show": "unread"})

    assert list(unread.context["notifications"]) == []
    assert "Nothing unread" in unread.content.decode()
    assert "No notifications yet" in signed_in(BrandUserFactory()).get(reverse("notifications")).content.decode()


def test_read_delete_and_all_read(brand):
    first, second, third = note(brand, "One"), note(brand, "Two"), note(brand, "Three")
    client = signed_in(brand)

    read = client.post(reverse("notification_read", args=[first.pk]), {"show": "unread", "page": "1"})
    deleted = client.post(reverse("notification_delete", args=[second.pk]))
    all_read = client.post(reverse("notifications_read_all"), follow=True)

    assert read.url == reverse("notifications") + "?show=unread&page=1"
    assert deleted.url == reverse("notifications")
    assert not Notification.objects.filter(pk=second.pk).exists()
    assert Notification.objects.get(pk=third.pk).read_at is not None
    assert "1 notification marked read." in all_read.content.decode()


def test_someone_elses_notification_is_404(brand):
    theirs = note(BrandUserFactory())
    client = signed_in(brand)

    assert client.post(reverse("notification_read", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("notification_delete", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_page_needs_sign_in_and_posts(client, brand):
    mine = note(brand)

    assert client.post(reverse("notification_delete", args=[mine.pk])).status_code == 302
    assert signed_in(brand).get(reverse("notification_read", args=[mine.pk])).status_code == 405
    assert Notification.objects.filter(pk=mine.pk, read_at__isnull=True).exists()


def test_preferences_are_the_settings_matrix_and_leave_the_profile_alone(brand):
    matrix = prefs.notification_preferences(brand)
    posted = {f"notify_{kind}_{channel}": "on" for kind, channels in matrix.items()
              for channel, on in channels.items() if on}
    del posted["notify_messages_email"]
    posted["notify_marketing_email"] = "on"
    client = signed_in(brand)

    response = client.post(reverse("notification_preferences"), posted, follow=True)

    brand.refresh_from_db()
    saved = prefs.notification_preferences(brand)
    assert saved["messages"] == {"email": False, "push": True, "in_app": True}
    assert saved["marketing"]["email"] is True
    assert brand.profile_public is True  # the settings page's visibility box is not on this form
    assert "Notification preferences saved." in response.content.decode()
    settings_html = client.get(reverse("profile_settings")).content.decode()
    assert 'name="notify_messages_email"' in settings_html
    assert 'name="notify_messages_email" aria-label="New chat messages: E-mail" id="id_notify_messages_email">' \
        in settings_html  # unchecked there too: one source of truth


def test_the_list_costs_the_same_queries_for_1_and_25_notifications(brand):
    note(brand)
    client = signed_in(brand)
    one = queries(client, reverse("notifications"))
    for number in range(24):
        note(brand, f"Notification {number}")

    assert queries(client, reverse("notifications")) == one
    assert len(client.get(reverse("notifications")).context["notifications"]) == 20  # a page
