"""The console's calendar entries: searchable and filterable by agents, never edited there."""

import pytest
from django.urls import reverse

from accounts.tests.factories import AgentFactory, CreatorUserFactory
from accounts.tests.test_admin import with_totp
from creators.tests.factories import CalendarEntryFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:creators_calendarentry_changelist")


@pytest.fixture
def agent_client(client):
    client.force_login(with_totp(AgentFactory()))
    return client


@pytest.fixture
def entries(db):
    sarah = CreatorUserFactory(email="sarah@example.com")
    return {
        "serum": CalendarEntryFactory(creator=sarah, title="Serum shoot", brand_name="GlowUp"),
        "launch": CalendarEntryFactory(
            title="Launch video",
            brand_name="Acme",
            kind="upload",
            location="",
            platform="youtube",
            content_type="video",
            status="completed",
        ),
    }


def listed(response) -> set[str]:
    assert response.status_code == 200
    return {entry.title for entry in response.context["cl"].result_list}


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("q=sarah@example", {"Serum shoot"}),
        ("q=acme", {"Launch video"}),
        ("q=serum", {"Serum shoot"}),
        ("kind__exact=upload", {"Launch video"}),
        ("status__exact=pending", {"Serum shoot"}),
        ("", {"Serum shoot", "Launch video"}),
    ],
)
def test_agents_search_and_filter_entries(agent_client, entries, query, titles):
    assert listed(agent_client.get(f"{CHANGELIST}?{query}")) == titles


def test_the_date_filter_narrows_by_day(agent_client, entries):
    day = entries["serum"].date

    assert listed(agent_client.get(f"{CHANGELIST}?date__gte={day}&date__lt={day}")) == set()
    assert "Serum shoot" in listed(agent_client.get(f"{CHANGELIST}?date__gte={day}"))


def test_entries_are_read_only_in_the_console(agent_client, entries):
    entry = entries["serum"]

    detail = agent_client.get(reverse("admin:creators_calendarentry_change", args=[entry.pk]))
    posted = agent_client.post(reverse("admin:creators_calendarentry_change", args=[entry.pk]), {"title": "Changed"})

    html = detail.content.decode()
    assert detail.status_code == 200 and "Serum shoot" in html and 'name="title"' not in html
    assert posted.status_code == 403
    assert agent_client.get(reverse("admin:creators_calendarentry_add")).status_code == 403
    assert agent_client.get(reverse("admin:creators_calendarentry_delete", args=[entry.pk])).status_code == 403
    entry.refresh_from_db()
    assert entry.title == "Serum shoot"


def test_creators_do_not_reach_the_console(client, entries):
    client.force_login(CreatorUserFactory())

    response = client.get(CHANGELIST)

    assert response.status_code == 302 and "login" in response.url
