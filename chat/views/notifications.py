"""The notifications page: the user's in-app list (all or unread, paged), each one's link, read and delete, "Mark
all read", and which notifications arrive on which channel (the settings page's matrix, saved by the same
service). The bell in the top bar shows the latest few over the REST routes and the socket."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from ..selectors import notifications as selectors
from ..services import notifications as services
from .common import or_404
from .forms import NotificationPreferencesForm

PER_PAGE = 20
TABS = [("", "All"), ("unread", "Unread")]


def _back(request) -> str:
    """The list as the user had it (tab and page), from the form's hidden fields."""
    query = "&".join(f"{key}={value}" for key in ("show", "page")
                     if (value := request.POST.get(key, "")) and value.isalnum())
    return f"{reverse('notifications')}?{query}" if query else reverse("notifications")


def _page(request, *, form=None, status: int = 200):
    user = request.user
    show = "unread" if request.GET.get("show") == "unread" else ""
    notifications = selectors.notification_list(user=user, unread=True if show else None)
    page = Paginator(notifications, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "chat/notifications.html", {
        "page": page, "notifications": page.object_list, "show": show, "tabs": TABS,
        "unread_count": selectors.notification_unread_count(user_id=user.pk),
        "form": form or NotificationPreferencesForm(instance=user),
    }, status=status)


@login_required
def notifications(request):
    return _page(request)


@login_required
@require_POST
def notification_read(request, notification_id: int):
    or_404(services.notification_mark_read, user=request.user, notification_id=notification_id)
    return redirect(_back(request))


@login_required
@require_POST
def notification_delete(request, notification_id: int):
    or_404(services.notification_delete, user=request.user, notification_id=notification_id)
    messages.success(request, "Notification deleted.")
    return redirect(_back(request))


@login_required
@require_POST
def notifications_read_all(request):
    marked = services.notifications_mark_all_read(user=request.user)
    messages.success(request, f"{marked} notification{'s' if marked != 1 else ''} marked read." if marked
                     else "Nothing was unread.")
    return redirect(_back(request))


@login_required
@require_POST
def notification_preferences(request):
    form = NotificationPreferencesForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Those choices could not be saved; see below.")
        return _page(request, form=form, status=400)
    services.preferences_update(user=request.user,
                                preferences=form.validated_data.get("notification_preferences", {}))
    messages.success(request, "Notification preferences saved.")
    return redirect(f"{reverse('notifications')}#preferences")


urlpatterns = [
    path("notifications/", notifications, name="notifications"),
    path("notifications/read-all/", notifications_read_all, name="notifications_read_all"),
    path("notifications/preferences/", notification_preferences, name="notification_preferences"),
    path("notifications/<id:notification_id>/read/", notification_read, name="notification_read"),
    path("notifications/<id:notification_id>/delete/", notification_delete, name="notification_delete"),
]
