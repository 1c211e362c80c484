"""Chat and notifications pages."""

from .views import conversations, notifications

urlpatterns: list = [*conversations.urlpatterns, *notifications.urlpatterns]
