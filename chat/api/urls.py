"""Chat and notifications API routes (see API.md), one module per area."""

from . import conversations

urlpatterns: list = [*conversations.urlpatterns]
