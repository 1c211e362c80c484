"""The notifications and devices API: 401 anonymous, 404 for someone else's notification, 400 for bad input, the
same number of queries for 1 and 25 notifications."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts import preferences as prefs
from accounts.tests.factories import BrandUserFactory, CreatorUserFactory
from chat.models import Device, Notification

pytestmark = pytest.mark.django_db
LIST = "/api/v1/notifications"


def stored(user, count=1, **fields):
    now = timezone.now()
    rows = [Notification(user=user, type=fields.get("type", "orders"), event="order.paid", title=f"Order {n}",
                         body="Acme ordered", url=f"/orders/{n}/", data={"order_id": n},
                         read_at=fields.get("read_at"), in_app=fields.get("in_app", True))
            for n in range(count)]
    created = Notification.objects.bulk_create(rows)
    for offset, notification in enumerate(created):  # distinct times, oldest first
        Notification.objects.filter(pk=notification.pk).update(created_at=now - timedelta(minutes=count - offset))
    return created


@pytest.fixture
def me(auth_client):
    user = CreatorUserFactory()
    client = auth_client(user)
    client.user = user
    return client


@pytest.mark.parametrize("method,url", [
    ("get", LIST), ("get", f"{LIST}/unread-count"), ("put", f"{LIST}/1/read"), ("put", f"{LIST}/mark-all-read"),
    ("delete", f"{LIST}/1"), ("get", f"{LIST}/preferences"), ("put", f"{LIST}/preferences"),
    ("post", "/api/v1/devices"), ("delete", "/api/v1/devices"),
])
def test_anonymous_is_401(api_client, method, url):
    response = getattr(api_client, method)(url)

    assert response.status_code == 401 and response.json()["error"]["code"] == "not_authenticated"


# --- The list -----------------------------------------------------------------------------------------------------
def test_the_list_is_yours_newest_first_without_hidden_rows(me):
    older, newer = stored(me.user, 2)
    stored(me.user, in_app=False)  # kept only for its e-mail
    stored(BrandUserFactory())

    body = me.get(LIST).json()

    assert body["total"] == 2 and [item["id"] for item in body["results"]] == [newer.pk, older.pk]
    assert body["results"][0] == {
        "id": newer.pk, "type": "orders", "event": "order.paid", "title": "Order 1", "body": "Acme ordered",
        "url": "/orders/1/", "data": {"order_id": 1}, "read": False, "read_at": None,
        "created_at": Notification.objects.get(pk=newer.pk).created_at.isoformat().replace("+00:00", "Z"),
    }


def test_the_list_filters_unread_and_read(me):
    stored(me.user, 2)
    (read,) = stored(me.user, read_at=timezone.now())

    unread = me.get(LIST, {"unread": "true"}).json()
    only_read = me.get(LIST, {"unread": "false"}).json()

    assert unread["total"] == 2 and all(not item["read"] for item in unread["results"])
    assert [item["id"] for item in only_read["results"]] == [read.pk]
    assert me.get(LIST, {"unread": "perhaps"}).status_code == 400


def test_the_list_pages_with_limit_and_offset(me):
    stored(me.user, 5)

    body = me.get(LIST, {"limit": 2, "offset": 2}).json()

    assert (body["total"], body["limit"], body["offset"], len(body["results"])) == (5, 2, 2, 2)


@pytest.mark.parametrize("rows", [1, 25])
def test_the_list_costs_the_same_queries_for_1_and_25_rows(me, django_assert_num_queries, rows):
    stored(me.user, rows)

    with django_assert_num_queries(2):  # the count and the page (force_authenticate needs no query)
        response = me.get(LIST, {"limit": 50})

    assert len(response.json()["results"]) == rows


def test_the_unread_count(me):
    stored(me.user, 3)
    stored(me.user, read_at=timezone.now())
    stored(me.user, in_app=False)

    assert me.get(f"{LIST}/unread-count").json() == {"unread_count": 3}


# --- Read, all read, delete -------------------------------------------------------------------------------------
def test_marking_one_read(me):
    (notification,) = stored(me.user)

    response = me.put(f"{LIST}/{notification.pk}/read")

    assert response.status_code == 200 and response.json()["read"] is True and response.json()["read_at"]
    assert me.put(f"{LIST}/{notification.pk}/read").status_code == 200  # again: still read
    assert me.get(f"{LIST}/unread-count").json() == {"unread_count": 0}


def test_marking_all_read(me):
    stored(me.user, 3)
    (theirs,) = stored(BrandUserFactory())

    response = me.put(f"{LIST}/mark-all-read")

    assert response.json() == {"marked": 3, "unread_count": 0}
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_deleting_one(me):
    (notification,) = stored(me.user)

    assert me.delete(f"{LIST}/{notification.pk}").status_code == 204
    assert not Notification.objects.filter(pk=notification.pk).exists()


@pytest.mark.parametrize("method,suffix", [("put", "/read"), ("delete", "")])
def test_someone_elses_notification_is_404(me, method, suffix):
    (theirs,) = stored(BrandUserFactory())

    response = getattr(me, method)(f"{LIST}/{theirs.pk}{suffix}")

    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_a_hidden_row_is_404_too(me):
    (hidden,) = stored(me.user, in_app=False)

    assert me.put(f"{LIST}/{hidden.pk}/read").status_code == 404


# --- Preferences --------------------------------------------------------------------------------------------------
def test_preferences_are_the_full_matrix(me):
    body = me.get(f"{LIST}/preferences").json()

    assert set(body) == set(prefs.NOTIFICATION_TYPES)
    assert body["marketing"] == {"email": False, "push": False, "in_app": True}


def test_put_changes_the_pairs_sent_and_the_profile_settings_see_them(me):
    response = me.put(f"{LIST}/preferences", {"orders": {"email": False}, "marketing": {"push": True}}, format="json")

    assert response.status_code == 200
    body = response.json()
    assert body["orders"] == {"email": False, "push": True, "in_app": True}
    assert body["marketing"] == {"email": False, "push": True, "in_app": True}
    me.user.refresh_from_db()  # the client's forced user is this object; a real request loads it again
    assert me.get("/api/v1/profile/settings").json()["notification_preferences"] == body


@pytest.mark.parametrize("payload", [{"horoscope": {"email": True}}, {"orders": {"fax": True}},
                                     {"orders": {"email": "maybe"}}, {"orders": True}, ["orders"]])
def test_bad_preferences_are_400(me, payload):
    response = me.put(f"{LIST}/preferences", payload, format="json")

    assert response.status_code == 400 and response.json()["error"]["code"] == "validation_error"
    me.user.refresh_from_db()
    assert me.user.notification_preferences == {}


# --- Devices ------------------------------------------------------------------------------------------------------
def test_registering_a_device(me):
    response = me.post("/api/v1/devices", {"token": "fcm-token-abc", "platform": "ios"}, format="json")

    assert response.status_code == 201
    device = Device.objects.get()
    assert response.json() == {"id": device.pk, "platform": "ios", "active": True,
                               "created_at": device.created_at.isoformat().replace("+00:00", "Z"),
                               "last_seen_at": device.last_seen_at.isoformat().replace("+00:00", "Z")}
    assert device.user == me.user and device.token == "fcm-token-abc"


@pytest.mark.parametrize("payload", [{}, {"token": "abc"}, {"token": "", "platform": "ios"},
                                     {"token": "abc", "platform": "symbian"}, {"token": "a b", "platform": "ios"}])
def test_bad_devices_are_400(me, payload):
    response = me.post("/api/v1/devices", payload, format="json")

    assert response.status_code == 400 and not Device.objects.exists()


def test_unregistering_a_device(me, auth_client):
    me.post("/api/v1/devices", {"token": "fcm-token-abc", "platform": "android"}, format="json")
    stranger = auth_client(CreatorUserFactory())

    assert stranger.delete("/api/v1/devices", {"token": "fcm-token-abc"}, format="json").status_code == 404
    assert me.delete("/api/v1/devices", {"token": "fcm-token-abc"}, format="json").status_code == 204
    assert not Device.objects.exists()
    assert me.delete("/api/v1/devices", {}, format="json").status_code == 400
