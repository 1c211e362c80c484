"""Chat and notifications API routes (see API.md), one module per area."""

urlpatterns: list = []
