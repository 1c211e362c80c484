"""Chat and notifications pages."""

urlpatterns: list = []
