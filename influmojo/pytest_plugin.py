"""Loaded by pytest before Django settings (`-p` in pytest.ini): test-wide environment defaults."""

import os

os.environ.setdefault("INFLUMOJO_TESTING", "1")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")


def pytest_collection_modifyitems(config, items):
    """`@pytest.mark.postgres` tests need PostgreSQL features; the embedded SQLite run skips them."""
    import pytest
    from django.conf import settings

    if "postgresql" in settings.DATABASES["default"]["ENGINE"]:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL")
    for item in items:
        if item.get_closest_marker("postgres"):
            item.add_marker(skip)
