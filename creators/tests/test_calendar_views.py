"""The creator's calendar pages: month grid, list, entry form (validated by the API serializer), feed box; admin."""

import datetime
import re

import pytest
from django.urls import reverse

from accounts.tests.factories import CreatorUserFactory
from creators.models import CalendarEntry, CalendarFeed
from creators.selectors.calendar import creator_today
from creators.services import calendar as services
from creators.tests.factories import CalendarEntryFactory

pytestmark = pytest.mark.django_db

MONTH, LIST, NEW = reverse("creator_calendar"), reverse("creator_calendar_list"), reverse("creator_calendar_new")


@pytest.fixture
def signed_in(client, creator):
    client.force_login(creator)
    return client


def html_of(response, status=200) -> str:
    assert response.status_code == status, response.content[:500]
    return response.content.decode()


def form_data(**changes) -> dict:
    return {
        "kind": "shoot",
        "title": "Serum shoot",
        "date": "2026-12-03",
        "time": "10:30",
        "location": "Studio 4",
        "platform": "",
        "content_type": "",
        "brand_name": "GlowUp",
        "campaign_name": "",
        "notes": "",
        **changes,
    }


# --- Access -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("url", [MONTH, LIST, NEW, "/creator/calendar/1/edit/", "/creator/calendar/1/delete/"])
def test_anonymous_visitors_are_sent_to_log_in(client, url):
    response = client.get(url)

    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("url", [MONTH, LIST, NEW])
def test_brands_get_403(client, brand, url):
    client.force_login(brand)

    assert client.get(url).status_code == 403


def test_someone_elses_entry_is_404_on_every_page(signed_in):
    theirs = CalendarEntryFactory(creator=CreatorUserFactory())

    for response in (
        signed_in.get(f"/creator/calendar/{theirs.pk}/edit/"),
        signed_in.post(f"/creator/calendar/{theirs.pk}/edit/", form_data()),
        signed_in.get(f"/creator/calendar/{theirs.pk}/delete/"),
        signed_in.post(f"/creator/calendar/{theirs.pk}/delete/"),
        signed_in.post(f"/creator/calendar/{theirs.pk}/complete/"),
    ):
        assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "pending" and theirs.title == "Product shoot"


# --- Month view ---------------------------------------------------------------------------------------------------
def test_the_month_shows_whole_weeks_with_entries_as_chips(signed_in, creator):
    CalendarEntryFactory(
        creator=creator, date=datetime.date(2026, 3, 4), time=datetime.time(9, 15), title="Serum shoot"
    )
    CalendarEntryFactory(
        creator=creator,
        date=datetime.date(2026, 3, 31),
        time=None,
        title="Serum reel",
        kind="upload",
        location="",
        platform="instagram",
        content_type="reel",
        status="completed",
    )
    CalendarEntryFactory(creator=creator, date=datetime.date(2026, 4, 15), title="Next month")
    CalendarEntryFactory(creator=CreatorUserFactory(), date=datetime.date(2026, 3, 4), title="Not mine")

    html = html_of(signed_in.get(f"{MONTH}?month=2026-03"))

    assert '<h2 id="month-title">March 2026</h2>' in html
    # March 2026 starts on a Sunday: the grid runs Monday 23 February to Sunday 5 April, 6 weeks.
    assert html.count("<tr>") == 7 and html.count('<td class="cal-day') == 42
    assert 'href="/creator/calendar/?month=2026-02"' in html and 'href="/creator/calendar/?month=2026-04"' in html
    assert 'class="cal-chip cal-chip-shoot"' in html and '<time class="cal-chip-time">09:15</time>' in html
    assert "Serum shoot" in html
    assert 'class="cal-chip cal-chip-upload is-done"' in html and "Serum reel" in html
    assert "Next month" not in html and "Not mine" not in html


def test_the_month_highlights_today_in_the_creators_time_zone(client):
    creator = CreatorUserFactory(timezone="Pacific/Kiritimati")  # UTC+14: often a day ahead of the server
    client.force_login(creator)
    today = creator_today(creator)

    html = html_of(client.get(MONTH))

    assert f'<h2 id="month-title">{today:%B %Y}</h2>' in html
    cell = re.search(
        r'<td class="cal-day[^"]*is-today[^"]*" aria-current="date">\s*<div class="cal-day-head">\s*'
        r'<span class="cal-date">(\d+)',
        html,
    )
    assert cell and int(cell[1]) == today.day
    assert html.count('aria-current="date"') == 1
    assert "This month" not in html  # already on it


def test_a_month_away_from_today_links_back(signed_in):
    html = html_of(signed_in.get(f"{MONTH}?month=2027-01"))

    assert "January 2027" in html and 'aria-current="date"' not in html and "This month" in html


@pytest.mark.parametrize("month", ["2026-13", "1999-12", "garbage", "2026-1", "9999-01"])
def test_a_bad_month_shows_this_month(signed_in, creator, month):
    html = html_of(signed_in.get(f"{MONTH}?month={month}"))

    assert f"{creator_today(creator):%B %Y}" in html


def test_the_first_month_has_no_previous_link(signed_in):
    html = html_of(signed_in.get(f"{MONTH}?month=2000-01"))

    assert 'rel="prev"' not in html and 'rel="next"' in html


def test_days_link_to_a_new_entry_on_that_day(signed_in):
    html = html_of(signed_in.get(f"{MONTH}?month=2026-03"))

    assert f'href="{NEW}?date=2026-03-17"' in html


def test_the_month_costs_the_same_queries_for_1_and_25_entries(signed_in, creator, django_assert_num_queries):
    day = creator_today(creator)
    CalendarEntryFactory(creator=creator, date=day)
    signed_in.get(MONTH)  # warm the session
    with django_assert_num_queries(4) as one:  # session, user, feed, entries
        signed_in.get(MONTH)

    CalendarEntryFactory.create_batch(24, creator=creator, date=day)
    with django_assert_num_queries(len(one.captured_queries)):
        signed_in.get(MONTH)


# --- List view ------------------------------------------------------------------------------------------------------
def test_the_list_shows_upcoming_and_past_with_their_status(signed_in, creator):
    today = creator_today(creator)
    CalendarEntryFactory(creator=creator, date=today + datetime.timedelta(days=2), title="Coming shoot")
    CalendarEntryFactory(creator=creator, date=today, title="Today's shoot")
    CalendarEntryFactory(
        creator=creator, date=today - datetime.timedelta(days=3), title="Done shoot", status="completed"
    )
    CalendarEntryFactory(creator=creator, date=today - datetime.timedelta(days=1), title="Missed shoot")

    html = html_of(signed_in.get(LIST))

    upcoming, past = html.split('id="past-title"')
    assert upcoming.index("Today&#x27;s shoot") < upcoming.index("Coming shoot")
    assert "Done shoot" not in upcoming and "Missed shoot" in past and "Done shoot" in past
    assert past.index("Missed shoot") < past.index("Done shoot")  # latest first
    assert past.count('<span class="badge badge-success cal-status-wide">Completed</span>') == 1
    assert upcoming.count('<span class="badge badge-warning cal-status-wide">Pending</span>') == 2
    assert html.count("Mark completed") == 3  # every pending entry, not the completed one


def test_the_past_is_paged(signed_in, creator):
    today = creator_today(creator)
    for days in range(1, 23):
        CalendarEntryFactory(creator=creator, date=today - datetime.timedelta(days=days), title=f"Past {days:02d}")

    first, second = html_of(signed_in.get(LIST)), html_of(signed_in.get(f"{LIST}?page=2"))

    assert "Past 20" in first and "Past 21" not in first and "Page 1 of 2" in first
    assert "Past 21" in second and "Past 22" in second and "Past 01" not in second


def test_an_empty_list_invites_to_add_an_entry(signed_in):
    html = html_of(signed_in.get(LIST))

    assert "Nothing coming up" in html and "No past entries." in html


# --- Form -------------------------------------------------------------------------------------------------------------
def test_the_new_form_starts_from_the_day_clicked(signed_in):
    html = html_of(signed_in.get(f"{NEW}?date=2026-03-17&kind=upload"))

    assert 'name="date" value="2026-03-17"' in html
    assert re.search(r'<input type="radio" name="kind" value="upload"[^>]*checked', html)
    assert 'min="2000-01-01"' in html


def test_adding_a_shoot(signed_in, creator):
    response = signed_in.post(NEW, form_data())

    entry = CalendarEntry.objects.get()
    assert response.status_code == 302 and response.url == f"{MONTH}?month=2026-12"
    assert (entry.creator, entry.kind, entry.title, entry.location) == (creator, "shoot", "Serum shoot", "Studio 4")
    assert entry.time == datetime.time(10, 30) and entry.brand_name == "GlowUp"


def test_adding_an_upload_ignores_the_hidden_shoot_fields(signed_in):
    signed_in.post(
        NEW, form_data(kind="upload", platform="youtube", content_type="short", location="left over", time="")
    )

    entry = CalendarEntry.objects.get()
    assert (entry.kind, entry.location, entry.platform, entry.content_type, entry.time) == (
        "upload",
        "",
        "youtube",
        "short",
        None,
    )


def test_form_errors_show_on_their_fields_and_nothing_is_saved(signed_in):
    response = signed_in.post(
        NEW,
        form_data(
            kind="upload", title="", date="1999-01-01", platform="tiktok", content_type="carousel", notes="x" * 2001
        ),
    )

    html = html_of(response)
    form = response.context["form"]
    assert form.errors == {
        "title": ["Give the entry a title."],
        "date": ["Use a date from 2000 on."],
        "notes": ["Ensure this field has no more than 2000 characters."],
        "content_type": ["TikTok takes: Video, Live stream."],
    }
    assert "Please fix the fields marked below." in html
    assert 'id="id_content_type_error"' in html and 'aria-invalid="true"' in html
    assert not CalendarEntry.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"location": ""}, "location"),
        ({"kind": "upload", "platform": "", "content_type": ""}, "platform"),
        ({"kind": "meeting"}, "kind"),
        ({"date": "not a date"}, "date"),
        ({"date": ""}, "date"),
        ({"time": "99:99"}, "time"),
        ({"title": "x" * 151}, "title"),
        ({"platform": "instagram", "kind": "upload", "content_type": "podcast"}, "content_type"),
    ],
)
def test_bad_input_is_a_form_error_never_a_crash(signed_in, changes, field):
    response = signed_in.post(NEW, form_data(**changes))

    assert response.status_code == 200
    assert field in response.context["form"].errors


def test_editing_an_entry(signed_in, creator):
    entry = CalendarEntryFactory(creator=creator, time=datetime.time(8, 5))

    form_html = html_of(signed_in.get(f"/creator/calendar/{entry.pk}/edit/"))
    response = signed_in.post(
        f"/creator/calendar/{entry.pk}/edit/",
        form_data(kind="upload", platform="facebook", content_type="reel", time=""),
    )

    assert 'name="time" value="08:05"' in form_html and 'value="Studio 4, Brooklyn"' in form_html
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.kind, entry.location, entry.platform, entry.time, entry.brand_name) == (
        "upload",
        "",
        "facebook",
        None,
        "GlowUp",
    )


def test_editing_with_errors_keeps_the_entry(signed_in, creator):
    entry = CalendarEntryFactory(creator=creator)

    response = signed_in.post(f"/creator/calendar/{entry.pk}/edit/", form_data(title=""))

    assert response.status_code == 200 and response.context["form"].errors == {"title": ["Give the entry a title."]}
    entry.refresh_from_db()
    assert entry.title == "Product shoot"


# --- Complete and delete ---------------------------------------------------------------------------------------------
def test_mark_completed_and_come_back_to_the_list(signed_in, creator):
    entry = CalendarEntryFactory(creator=creator)

    response = signed_in.post(f"/creator/calendar/{entry.pk}/complete/", {"next": LIST})

    assert response.status_code == 302 and response.url == LIST
    entry.refresh_from_db()
    assert entry.status == "completed"


def test_completing_twice_shows_a_message(signed_in, creator):
    entry = CalendarEntryFactory(creator=creator, status="completed")

    response = signed_in.post(f"/creator/calendar/{entry.pk}/complete/", follow=True)

    assert "cannot move calendar entry from completed to completed" in response.content.decode()


def test_complete_never_redirects_off_site(signed_in, creator):
    entry = CalendarEntryFactory(creator=creator)

    response = signed_in.post(f"/creator/calendar/{entry.pk}/complete/", {"next": "https://evil.example/"})

    assert response.url == f"{MONTH}?month={entry.date:%Y-%m}"


def test_complete_only_takes_posts(signed_in, creator):
    entry = CalendarEntryFactory(creator=creator)

    assert signed_in.get(f"/creator/calendar/{entry.pk}/complete/").status_code == 405


def test_delete_asks_first_then_deletes(signed_in, creator):
    entry = CalendarEntryFactory(creator=creator, title="Old shoot")

    confirm = html_of(signed_in.get(f"/creator/calendar/{entry.pk}/delete/?next={LIST}"))
    response = signed_in.post(f"/creator/calendar/{entry.pk}/delete/", {"next": LIST})

    assert "Delete this entry?" in confirm and "Old shoot" in confirm
    assert response.status_code == 302 and response.url == LIST
    assert not CalendarEntry.objects.exists()


# --- Feed box ---------------------------------------------------------------------------------------------------
def test_without_a_feed_the_page_offers_to_make_one_and_makes_none(signed_in, creator):
    html = html_of(signed_in.get(MONTH))

    assert "Create my private link" in html and not CalendarFeed.objects.exists()


def test_making_and_regenerating_the_private_link(signed_in, creator):
    rotate = reverse("creator_calendar_feed_rotate")

    signed_in.post(rotate, {"next": LIST})
    first = CalendarFeed.objects.get(creator=creator).token
    html = html_of(signed_in.get(LIST))
    signed_in.post(rotate)
    second = CalendarFeed.objects.get(creator=creator).token

    assert f'value="http://testserver/calendar/{first}.ics"' in html and "Regenerate link" in html and "Copy" in html
    assert second != first
    assert signed_in.get(f"/calendar/{first}.ics").status_code == 404
    assert signed_in.get(f"/calendar/{second}.ics").status_code == 200


def test_regenerate_only_takes_posts(signed_in):
    assert signed_in.get(reverse("creator_calendar_feed_rotate")).status_code == 405


def test_the_service_rules_and_the_form_agree_on_the_date_limit(signed_in):
    too_far = services.latest_allowed_date() + datetime.timedelta(days=1)

    response = signed_in.post(NEW, form_data(date=too_far.isoformat()))

    assert response.context["form"].errors == {"date": ["Use a date at most 5 years ahead."]}
