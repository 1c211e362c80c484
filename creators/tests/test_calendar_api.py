"""/api/v1/calendar: entries of the signed-in creator, filters, the status door and the feed URL."""

import datetime

import pytest
from django.utils import timezone

from accounts.tests.factories import CreatorUserFactory
from creators.models import CalendarEntry, CalendarFeed
from creators.tests.factories import CalendarEntryFactory

pytestmark = pytest.mark.django_db

LIST, FEED, ROTATE = "/api/v1/calendar", "/api/v1/calendar/feed", "/api/v1/calendar/feed/rotate"
SOON = timezone.localdate() + datetime.timedelta(days=10)


def entry_url(entry_id) -> str:
    return f"{LIST}/{entry_id}"


def error_of(response, status: int) -> dict:
    assert response.status_code == status, response.content
    return response.json()["error"]


def upload(**changes) -> dict:
    return {
        "kind": "upload",
        "title": "Serum reel",
        "date": SOON.isoformat(),
        "time": "18:00",
        "platform": "instagram",
        "content_type": "reel",
        "brand_name": "GlowUp",
        **changes,
    }


# --- Who may call --------------------------------------------------------------------------------------------
ROUTES = [
    ("get", LIST),
    ("post", LIST),
    ("get", entry_url(1)),
    ("patch", entry_url(1)),
    ("delete", entry_url(1)),
    ("post", f"{LIST}/1/complete"),
    ("get", FEED),
    ("post", ROTATE),
]


@pytest.mark.parametrize(("method", "url"), ROUTES)
def test_anonymous_callers_get_401(api_client, method, url):
    error = error_of(getattr(api_client, method)(url), 401)

    assert error["code"] == "not_authenticated"


@pytest.mark.parametrize(("method", "url"), ROUTES)
def test_brands_get_403(auth_client, brand, method, url):
    error = error_of(getattr(auth_client(brand), method)(url, {}), 403)

    assert error["code"] == "permission_denied"


# --- List and filters ------------------------------------------------------------------------------------------
def test_the_list_holds_only_my_entries_oldest_first(auth_client, creator):
    later = CalendarEntryFactory(creator=creator, date=SOON + datetime.timedelta(days=2), time=None)
    sooner = CalendarEntryFactory(creator=creator, date=SOON, time=datetime.time(15))
    earliest_that_day = CalendarEntryFactory(creator=creator, date=SOON, time=datetime.time(8))
    CalendarEntryFactory(creator=CreatorUserFactory(), date=SOON)

    body = auth_client(creator).get(LIST).json()

    assert body["total"] == 3 and body["limit"] == 20 and body["offset"] == 0
    assert [row["id"] for row in body["results"]] == [earliest_that_day.pk, sooner.pk, later.pk]
    row = body["results"][0]
    assert row["kind"] == "shoot" and row["time"] == "08:00:00" and row["status"] == "pending"
    assert row["location"] == "Studio 4, Brooklyn" and row["platform"] == "" and row["content_type"] == ""
    assert set(row) == {
        "id",
        "kind",
        "title",
        "brand_name",
        "campaign_name",
        "date",
        "time",
        "location",
        "platform",
        "content_type",
        "notes",
        "status",
        "created_at",
        "updated_at",
    }


def test_filters_by_date_range_kind_and_status(auth_client, creator):
    day = datetime.date(2026, 3, 1)
    before = CalendarEntryFactory(creator=creator, date=day - datetime.timedelta(days=1))
    first = CalendarEntryFactory(creator=creator, date=day)
    upload_entry = CalendarEntryFactory(
        creator=creator,
        date=day + datetime.timedelta(days=5),
        kind="upload",
        location="",
        platform="youtube",
        content_type="video",
    )
    done = CalendarEntryFactory(creator=creator, date=day + datetime.timedelta(days=9), status="completed")
    after = CalendarEntryFactory(creator=creator, date=day + datetime.timedelta(days=10))
    client = auth_client(creator)

    def ids(query: str) -> list[int]:
        response = client.get(f"{LIST}?{query}")
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    assert ids("from=2026-03-01&to=2026-03-10") == [first.pk, upload_entry.pk, done.pk]
    assert ids("from=2026-03-10") == [done.pk, after.pk]
    assert ids("to=2026-03-01") == [before.pk, first.pk]
    assert ids("kind=upload") == [upload_entry.pk]
    assert ids("status=completed") == [done.pk]
    assert ids("kind=shoot&status=pending&from=2026-03-01") == [first.pk, after.pk]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=2026-13-01", "from"),
        ("to=yesterday", "to"),
        ("kind=meeting", "kind"),
        ("status=done", "status"),
        ("from=2026-03-10&to=2026-03-01", "to"),
    ],
)
def test_bad_filters_answer_400(auth_client, creator, query, field):
    error = error_of(auth_client(creator).get(f"{LIST}?{query}"), 400)

    assert error["code"] == "validation_error" and field in error["details"]


def test_the_list_pages_with_limit_and_offset(auth_client, creator):
    entries = [CalendarEntryFactory(creator=creator, date=SOON + datetime.timedelta(days=n)) for n in range(5)]

    body = auth_client(creator).get(f"{LIST}?limit=2&offset=2").json()

    assert body["total"] == 5 and [row["id"] for row in body["results"]] == [entries[2].pk, entries[3].pk]


@pytest.mark.parametrize("rows", [1, 25])
def test_the_list_costs_the_same_queries_for_1_and_25_rows(auth_client, creator, django_assert_num_queries, rows):
    CalendarEntryFactory.create_batch(rows, creator=creator)
    client = auth_client(creator)

    with django_assert_num_queries(2):  # count + page
        response = client.get(f"{LIST}?limit=100")

    assert len(response.json()["results"]) == rows


# --- Create ------------------------------------------------------------------------------------------------------
def test_create_an_upload(auth_client, creator):
    response = auth_client(creator).post(LIST, upload(notes="Tag @glowup"))

    assert response.status_code == 201, response.content
    body = response.json()
    entry = CalendarEntry.objects.get(pk=body["id"])
    assert entry.creator == creator and entry.time == datetime.time(18) and entry.notes == "Tag @glowup"
    assert body["status"] == "pending" and body["platform"] == "instagram" and body["time"] == "18:00:00"


def test_create_reports_every_problem_at_once(auth_client, creator):
    response = auth_client(creator).post(
        LIST, upload(title="", date="1999-05-01", platform="tiktok", content_type="carousel")
    )

    error = error_of(response, 400)
    assert error["code"] == "validation_error"
    assert error["details"] == {
        "title": ["Give the entry a title."],
        "date": ["Use a date from 2000 on."],
        "content_type": ["TikTok takes: Video, Live stream."],
    }
    assert not CalendarEntry.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": "shoot"}, "location"),
        ({"kind": "shoot", "location": "Park"}, "platform"),
        ({"platform": ""}, "platform"),
        ({"content_type": "podcast"}, "content_type"),
        ({"date": (timezone.localdate() + datetime.timedelta(days=5 * 366 + 1)).isoformat()}, "date"),
        ({"date": ""}, "date"),
        ({"time": "25:00"}, "time"),
        ({"notes": "x" * 2001}, "notes"),
        ({"title": "x" * 151}, "title"),
        ({"location": "Studio"}, "location"),
        ({"title": "nul\x00byte"}, "title"),
    ],
)
def test_create_refuses_bad_input(auth_client, creator, changes, field):
    error = error_of(auth_client(creator).post(LIST, upload(**changes)), 400)

    assert field in error["details"], error


def test_create_ignores_a_status_sent_by_the_client(auth_client, creator):
    body = auth_client(creator).post(LIST, upload(status="completed")).json()

    assert body["status"] == "pending"


def test_create_refuses_a_body_that_is_not_an_object(auth_client, creator):
    error = error_of(auth_client(creator).post(LIST, ["kind", "upload"]), 400)

    assert error["code"] == "validation_error"


# --- Retrieve, update, delete ------------------------------------------------------------------------------------
def test_someone_elses_entry_is_404_for_every_method(auth_client, creator):
    theirs = CalendarEntryFactory(creator=CreatorUserFactory())
    client = auth_client(creator)

    for response in (
        client.get(entry_url(theirs.pk)),
        client.patch(entry_url(theirs.pk), {"title": "Mine"}),
        client.delete(entry_url(theirs.pk)),
        client.post(f"{entry_url(theirs.pk)}/complete"),
    ):
        assert error_of(response, 404)["code"] == "not_found"
    theirs.refresh_from_db()
    assert theirs.title == "Product shoot" and theirs.status == "pending"


def test_an_entry_that_does_not_exist_is_404(auth_client, creator):
    assert error_of(auth_client(creator).get(entry_url(999_999)), 404)["code"] == "not_found"
    assert error_of(auth_client(creator).get(entry_url(2**70)), 404)["code"] == "not_found"


def test_get_one_entry(auth_client, creator):
    entry = CalendarEntryFactory(creator=creator, campaign_name="Winter glow")

    body = auth_client(creator).get(entry_url(entry.pk)).json()

    assert body["id"] == entry.pk and body["campaign_name"] == "Winter glow"


def test_patch_changes_only_what_is_sent(auth_client, creator):
    entry = CalendarEntryFactory(creator=creator, notes="Bring props")

    response = auth_client(creator).patch(entry_url(entry.pk), {"time": None, "title": "Golden hour shoot"})

    assert response.status_code == 200, response.content
    entry.refresh_from_db()
    assert entry.title == "Golden hour shoot" and entry.time is None and entry.notes == "Bring props"
    assert response.json()["time"] is None


def test_patch_switching_kind_drops_the_old_kinds_fields(auth_client, creator):
    entry = CalendarEntryFactory(creator=creator)

    response = auth_client(creator).patch(
        entry_url(entry.pk), {"kind": "upload", "platform": "facebook", "content_type": "post"}
    )

    assert response.status_code == 200, response.content
    assert response.json()["location"] == ""


def test_patch_is_checked_against_the_stored_entry(auth_client, creator):
    entry = CalendarEntryFactory(
        creator=creator, kind="upload", location="", platform="instagram", content_type="carousel"
    )

    error = error_of(auth_client(creator).patch(entry_url(entry.pk), {"platform": "youtube"}), 400)

    assert error["details"] == {"content_type": ["YouTube takes: Video, Short, Live stream."]}


def test_patch_cannot_change_the_status(auth_client, creator):
    entry = CalendarEntryFactory(creator=creator)

    auth_client(creator).patch(entry_url(entry.pk), {"status": "completed"})

    entry.refresh_from_db()
    assert entry.status == "pending"


def test_delete(auth_client, creator):
    entry = CalendarEntryFactory(creator=creator)

    response = auth_client(creator).delete(entry_url(entry.pk))

    assert response.status_code == 204
    assert not CalendarEntry.objects.filter(pk=entry.pk).exists()


# --- Complete ----------------------------------------------------------------------------------------------------
def test_complete_then_complete_again_is_409(auth_client, creator):
    entry = CalendarEntryFactory(creator=creator)
    client = auth_client(creator)

    first = client.post(f"{entry_url(entry.pk)}/complete")
    second = client.post(f"{entry_url(entry.pk)}/complete")

    assert first.status_code == 200 and first.json()["status"] == "completed"
    assert error_of(second, 409)["code"] == "invalid_transition"


# --- Feed URL ------------------------------------------------------------------------------------------------------
def test_feed_url_is_made_once_and_then_kept(auth_client, creator):
    client = auth_client(creator)

    first = client.get(FEED).json()
    again = client.get(FEED).json()

    token = CalendarFeed.objects.get(creator=creator).token
    assert first["url"] == again["url"] == f"http://testserver/calendar/{token}.ics"


def test_rotating_gives_a_new_url_and_the_old_one_stops_working(auth_client, client, creator):
    api = auth_client(creator)
    old_url = api.get(FEED).json()["url"]

    response = api.post(ROTATE)

    new_url = response.json()["url"]
    assert response.status_code == 200 and new_url != old_url
    assert client.get(old_url.removeprefix("http://testserver")).status_code == 404
    assert client.get(new_url.removeprefix("http://testserver")).status_code == 200
