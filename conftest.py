import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.tests.factories import AgentFactory, BrandUserFactory, CreatorUserFactory, UserFactory


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path):
    """Each test gets an empty cache (rate limits, throttles) and its own media folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def brand(db):
    return BrandUserFactory()


@pytest.fixture
def creator(db):
    return CreatorUserFactory()


@pytest.fixture
def agent(db):
    return AgentFactory()


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def auth_client(api_client):
    """`auth_client(user)` → an APIClient authenticated as that user (session-less, force_authenticate)."""

    def make(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make
