"""Chat and notifications API routes (see API.md), one module per area."""

from . import conversations, notifications

urlpatterns: list = [*conversations.urlpatterns, *notifications.urlpatterns]
