"""Reads of a user's notifications (the in-app list: rows whose in_app is on) and their one shape on the wire."""

from django.db.models import QuerySet

from influmojo.errors import NotFound

from ..models import Notification


def notification_list(*, user, unread: bool | None = None) -> QuerySet[Notification]:
    """The user's in-app notifications, newest first; `unread` True/False narrows to unread/read ones."""
    notifications = Notification.objects.filter(user=user, in_app=True).order_by("-created_at", "-id")
    if unread is not None:
        notifications = notifications.filter(read_at__isnull=unread)
    return notifications


def notification_get(*, user, notification_id: int) -> Notification:
    """One of the user's in-app notifications; anyone else's is not found."""
    notification = Notification.objects.filter(pk=notification_id, user=user, in_app=True).first()
    if notification is None:
        raise NotFound("Notification not found.")
    return notification


def notification_unread_count(*, user_id: int) -> int:
    return Notification.objects.filter(user_id=user_id, in_app=True, read_at__isnull=True).count()


def notification_data(notification: Notification) -> dict:
    """What the API lists and the socket's notification.new carries (plain JSON: the channel layer sends it)."""
    return {
        "id": notification.pk,
        "type": notification.type,
        "event": notification.event,
        "title": notification.title,
        "body": notification.body,
        "url": notification.url,
        "data": notification.data,
        "read": notification.read_at is not None,
        "read_at": _iso(notification.read_at),
        "created_at": _iso(notification.created_at),
    }


def _iso(moment) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None
