"""GET /calendar/<token>.ics: the private feed, parsed back with icalendar."""

import datetime
import zoneinfo

import icalendar
import pytest
from django.test import override_settings
from django.utils import timezone

from accounts.tests.factories import CreatorUserFactory
from creators.selectors.calendar import creator_today
from creators.services import calendar as services
from creators.tests.factories import CalendarEntryFactory
from influmojo.permissions import Actor

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def feed_path(creator) -> str:
    return f"/calendar/{services.calendar_feed_ensure(creator=creator).token}.ics"


def events_of(response) -> dict[str, icalendar.Event]:
    assert response.status_code == 200, response.content
    calendar = icalendar.Calendar.from_ical(response.content)
    return {str(event["summary"]): event for event in calendar.walk("VEVENT")}


@pytest.fixture
def kolkata_creator(db):
    return CreatorUserFactory(timezone="Asia/Kolkata", name="Sarah Khan")


def test_the_feed_is_a_private_short_lived_calendar_document(client, kolkata_creator):
    response = client.get(feed_path(kolkata_creator))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "private, max-age=300"
    calendar = icalendar.Calendar.from_ical(response.content)
    assert calendar["version"] == "2.0" and "Influmojo" in str(calendar["prodid"])
    assert str(calendar["x-wr-calname"]) == "Influmojo · Sarah Khan"
    assert list(calendar.walk("VEVENT")) == []


@override_settings(SITE_URL="https://app.influmojo.com")
def test_a_timed_shoot_is_an_event_in_the_creators_time_zone(client, kolkata_creator):
    day = TODAY + datetime.timedelta(days=3)
    entry = CalendarEntryFactory(
        creator=kolkata_creator,
        date=day,
        time=datetime.time(10, 30),
        title="Serum shoot",
        brand_name="GlowUp",
        campaign_name="Winter glow",
        notes="Bring the ring light",
        location="Studio 4, Brooklyn",
    )

    event = events_of(client.get(feed_path(kolkata_creator)))["Shoot: Serum shoot"]

    start, end = event.decoded("dtstart"), event.decoded("dtend")
    assert start == datetime.datetime.combine(day, datetime.time(10, 30), tzinfo=zoneinfo.ZoneInfo("Asia/Kolkata"))
    assert start.utcoffset() == datetime.timedelta(hours=5, minutes=30)
    assert end - start == datetime.timedelta(hours=1)
    assert event["dtstart"].params["TZID"] == "Asia/Kolkata"
    assert str(event["uid"]) == f"calendar-entry-{entry.pk}@app.influmojo.com"
    assert str(event["location"]) == "Studio 4, Brooklyn"
    assert str(event["description"]) == "Brand: GlowUp\nCampaign: Winter glow\nStatus: Pending\n\nBring the ring light"
    assert str(event["status"]) == "CONFIRMED" and str(event["x-influmojo-status"]) == "PENDING"
    assert str(event["transp"]) == "OPAQUE"
    assert event.decoded("dtstamp") == entry.updated_at.replace(microsecond=0)


def test_the_feed_carries_the_time_zone_definition(client, kolkata_creator):
    CalendarEntryFactory(creator=kolkata_creator, time=datetime.time(9))

    calendar = icalendar.Calendar.from_ical(client.get(feed_path(kolkata_creator)).content)

    assert [str(tz["tzid"]) for tz in calendar.walk("VTIMEZONE")] == ["Asia/Kolkata"]


def test_an_upload_without_a_time_is_an_all_day_event(client, kolkata_creator):
    day = TODAY + datetime.timedelta(days=1)
    CalendarEntryFactory(
        creator=kolkata_creator,
        kind="upload",
        location="",
        platform="instagram",
        content_type="reel",
        time=None,
        date=day,
        title="Serum reel",
        brand_name="",
    )

    event = events_of(client.get(feed_path(kolkata_creator)))["Upload: Serum reel on Instagram"]

    assert event.decoded("dtstart") == day and not isinstance(event.decoded("dtstart"), datetime.datetime)
    assert event.decoded("dtend") == day + datetime.timedelta(days=1)
    assert "location" not in event
    assert str(event["description"]) == "Content: Reel on Instagram\nStatus: Pending"
    assert str(event["transp"]) == "TRANSPARENT"


def test_a_completed_entry_says_so_without_breaking_rfc_5545(client, kolkata_creator):
    entry = CalendarEntryFactory(creator=kolkata_creator, title="Done shoot")
    services.calendar_entry_complete(entry_id=entry.pk, actor=Actor.of(kolkata_creator))

    event = events_of(client.get(feed_path(kolkata_creator)))["Shoot: Done shoot"]

    assert str(event["status"]) == "CONFIRMED"  # COMPLETED is a VTODO status only
    assert str(event["x-influmojo-status"]) == "COMPLETED"
    assert "Status: Completed" in str(event["description"])


def test_an_unknown_time_zone_falls_back_to_utc(client):
    creator = CreatorUserFactory(timezone="Mars/Olympus_Mons")
    CalendarEntryFactory(creator=creator, title="Shoot", time=datetime.time(12))

    event = events_of(client.get(feed_path(creator)))["Shoot: Shoot"]

    assert event.decoded("dtstart").utcoffset() == datetime.timedelta(0)


def test_uids_are_stable_across_fetches_and_edits(client, kolkata_creator):
    entry = CalendarEntryFactory(creator=kolkata_creator, title="Before")
    path = feed_path(kolkata_creator)
    before = events_of(client.get(path))["Shoot: Before"]

    services.calendar_entry_update(entry_id=entry.pk, data={"title": "After"}, actor=Actor.of(kolkata_creator))
    after = events_of(client.get(path))["Shoot: After"]

    assert str(before["uid"]) == str(after["uid"]) == f"calendar-entry-{entry.pk}@127.0.0.1"
    assert after.decoded("last-modified") >= before.decoded("last-modified")


def test_the_feed_covers_90_days_back_and_a_year_ahead_of_only_this_creator(client, kolkata_creator):
    today = creator_today(kolkata_creator)
    for days, title in ((-91, "too old"), (-90, "oldest"), (365, "furthest"), (366, "too far")):
        CalendarEntryFactory(creator=kolkata_creator, date=today + datetime.timedelta(days=days), title=title)
    CalendarEntryFactory(creator=CreatorUserFactory(), date=today, title="someone else's")

    events = events_of(client.get(feed_path(kolkata_creator)))

    assert set(events) == {"Shoot: oldest", "Shoot: furthest"}


def test_summary_names_the_platform_of_an_upload(client, kolkata_creator):
    CalendarEntryFactory(
        creator=kolkata_creator,
        kind="upload",
        location="",
        platform="twitter",
        content_type="post",
        title="Launch thread",
    )

    assert "Upload: Launch thread on X (Twitter)" in events_of(client.get(feed_path(kolkata_creator)))


def test_text_is_escaped_for_ics(client, kolkata_creator):
    CalendarEntryFactory(creator=kolkata_creator, title="Shoot; with, commas", notes="Line one\nLine two; end")

    event = events_of(client.get(feed_path(kolkata_creator)))["Shoot: Shoot; with, commas"]

    assert str(event["description"]).endswith("Line one\nLine two; end")


def test_an_unknown_token_is_404(client, kolkata_creator):
    services.calendar_feed_ensure(creator=kolkata_creator)

    assert client.get("/calendar/not-a-real-token.ics").status_code == 404


def test_rotating_revokes_the_old_url(client, kolkata_creator):
    CalendarEntryFactory(creator=kolkata_creator)
    old_path = feed_path(kolkata_creator)

    new_token = services.calendar_feed_rotate(creator=kolkata_creator).token

    assert client.get(old_path).status_code == 404
    assert client.get(f"/calendar/{new_token}.ics").status_code == 200


def test_the_feed_needs_no_sign_in_but_only_answers_reads(client, kolkata_creator):
    path = feed_path(kolkata_creator)

    assert client.head(path).status_code == 200
    assert client.post(path).status_code == 405


def test_the_feed_costs_the_same_queries_for_1_and_25_entries(client, kolkata_creator, django_assert_num_queries):
    path = feed_path(kolkata_creator)
    CalendarEntryFactory(creator=kolkata_creator)
    with django_assert_num_queries(2) as one:  # feed with its creator + entries
        client.get(path)

    CalendarEntryFactory.create_batch(24, creator=kolkata_creator)
    with django_assert_num_queries(2):
        response = client.get(path)

    assert len(one.captured_queries) == 2
    assert len(events_of(response)) == 1  # same summary: the dict keeps one per title
    assert len(list(icalendar.Calendar.from_ical(response.content).walk("VEVENT"))) == 25
