"""The console's package pages: search, filters, and nothing to change (packages are their creator's)."""

import pytest
from django.urls import reverse

from accounts.tests.factories import AgentFactory
from accounts.tests.test_admin import with_totp
from creators.models import Package
from creators.tests.factories import PackageFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:creators_package_changelist")


@pytest.fixture
def agent_client(client):
    client.force_login(with_totp(AgentFactory()))
    return client


def titles(response) -> set[str]:
    assert response.status_code == 200
    return {package.title for package in response.context["cl"].result_list}


@pytest.fixture
def packages(creator):
    return [
        PackageFactory(creator=creator, title="Reel", platform="instagram", content_type="reel"),
        PackageFactory(title="Short", platform="youtube", content_type="short", is_active=False),
        PackageFactory(title="Thread", platform="twitter", content_type="post"),
    ]


@pytest.mark.parametrize(
    "query,expected",
    [
        ({"platform__exact": "youtube"}, {"Short"}),
        ({"content_type__exact": "post"}, {"Thread"}),
        ({"is_active__exact": "0"}, {"Short"}),
        ({"q": "Thre"}, {"Thread"}),
        ({}, {"Reel", "Short", "Thread"}),
    ],
)
def test_search_and_filters(agent_client, packages, query, expected):
    assert titles(agent_client.get(CHANGELIST, query)) == expected


def test_search_by_creator_email(agent_client, packages, creator):
    assert titles(agent_client.get(CHANGELIST, {"q": creator.email})) == {"Reel"}


def test_a_package_page_is_read_only(agent_client, packages):
    package = packages[0]

    html = agent_client.get(reverse("admin:creators_package_change", args=[package.pk])).content.decode()

    assert 'name="price"' not in html and 'name="is_active"' not in html and "Reel" in html
    assert agent_client.get(reverse("admin:creators_package_add")).status_code == 403
    response = agent_client.post(reverse("admin:creators_package_delete", args=[package.pk]), {"post": "yes"})
    assert response.status_code == 403 and Package.objects.filter(pk=package.pk).exists()
