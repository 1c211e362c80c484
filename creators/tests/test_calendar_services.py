"""creators.services.calendar: entry rules, ownership, the status table, the feed token; and the DB constraints."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.tests.factories import BrandUserFactory, CreatorUserFactory
from creators.models import CalendarEntry, CalendarFeed
from creators.services import calendar as services
from creators.services.packages import PLATFORM_CONTENT_TYPES
from creators.tests.factories import CalendarEntryFactory
from influmojo.errors import ApplicationError, InvalidTransition, NotFound, PermissionDenied
from influmojo.permissions import Actor

pytestmark = pytest.mark.django_db

SOON = timezone.localdate() + datetime.timedelta(days=10)


def shoot(**changes) -> dict:
    return {"kind": "shoot", "title": "Serum reel shoot", "date": SOON, "location": "Studio 4, Brooklyn", **changes}


def upload(**changes) -> dict:
    return {
        "kind": "upload",
        "title": "Serum reel",
        "date": SOON,
        "platform": "instagram",
        "content_type": "reel",
        **changes,
    }


def refused(call) -> dict:
    with pytest.raises(ApplicationError) as caught:
        call()
    assert caught.value.code == "validation_error" and caught.value.status == 400
    return caught.value.details


# --- Create -----------------------------------------------------------------------------------------------
def test_a_creator_adds_a_shoot_with_every_field(creator):
    data = shoot(time=datetime.time(9, 30), brand_name="GlowUp", campaign_name="Winter glow", notes="Bring ring light")

    entry = services.calendar_entry_create(data=data, actor=Actor.of(creator))

    entry.refresh_from_db()
    assert entry.creator == creator and entry.status == CalendarEntry.Status.PENDING
    assert (entry.kind, entry.title, entry.location, entry.time) == (
        "shoot",
        "Serum reel shoot",
        "Studio 4, Brooklyn",
        datetime.time(9, 30),
    )
    assert (entry.brand_name, entry.campaign_name, entry.notes) == ("GlowUp", "Winter glow", "Bring ring light")
    assert (entry.platform, entry.content_type) == ("", "")


def test_an_upload_without_a_time_is_an_all_day_entry(creator):
    entry = services.calendar_entry_create(data=upload(), actor=Actor.of(creator))

    assert entry.time is None and entry.platform == "instagram" and entry.content_type == "reel"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (shoot(location=""), "location", "A shoot needs a location."),
        (shoot(location="   "), "location", "A shoot needs a location."),
        (shoot(platform="instagram"), "platform", "Only uploads have a platform"),
        (shoot(content_type="reel"), "content_type", "Only uploads have a platform"),
        (upload(platform=""), "platform", "An upload needs a platform."),
        (upload(content_type=""), "content_type", "An upload needs a content type."),
        (upload(location="Studio"), "location", "Only shoots have a location"),
        (upload(platform="tiktok", content_type="carousel"), "content_type", "TikTok takes: Video, Live stream."),
        (upload(platform="youtube", content_type="story"), "content_type", "YouTube takes: Video, Short, Live stream."),
        (upload(platform="myspace"), "platform", "Unknown platform."),
        (upload(content_type="podcast"), "content_type", "Unknown content type."),
        (shoot(kind="meeting"), "kind", "Choose shoot or upload."),
        (shoot(title=""), "title", "Give the entry a title."),
        (shoot(title="  \t "), "title", "Give the entry a title."),
        (shoot(title="x" * 151), "title", "Use at most 150 characters."),
        (shoot(location="x" * 201), "location", "Use at most 200 characters."),
        (shoot(brand_name="x" * 151), "brand_name", "Use at most 150 characters."),
        (shoot(campaign_name="x" * 151), "campaign_name", "Use at most 150 characters."),
        (shoot(notes="x" * 2001), "notes", "Use at most 2000 characters."),
        (shoot(date=datetime.date(1999, 12, 31)), "date", "Use a date from 2000 on."),
        (shoot(date=None), "date", "Enter a date."),
        (shoot(time="10:00"), "time", "Enter a time or leave it empty."),
    ],
)
def test_create_refuses_each_broken_rule(creator, data, field, message):
    details = refused(lambda: services.calendar_entry_create(data=data, actor=Actor.of(creator)))

    assert field in details and any(message in problem for problem in details[field]), details
    assert not CalendarEntry.objects.exists()


def test_the_date_range_is_2000_to_five_years_ahead(creator):
    today = timezone.localdate()
    last = services.latest_allowed_date(today)

    first_ok = services.calendar_entry_create(data=shoot(date=datetime.date(2000, 1, 1)), actor=Actor.of(creator))
    last_ok = services.calendar_entry_create(data=shoot(date=last), actor=Actor.of(creator))
    details = refused(
        lambda: services.calendar_entry_create(
            data=shoot(date=last + datetime.timedelta(days=1)), actor=Actor.of(creator)
        )
    )

    assert last == today.replace(year=today.year + 5) or (today.month, today.day) == (2, 29)
    assert first_ok.pk and last_ok.pk
    assert details == {"date": ["Use a date at most 5 years ahead."]}


def test_five_years_after_a_leap_day_is_the_28th_of_february():
    assert services.latest_allowed_date(datetime.date(2028, 2, 29)) == datetime.date(2033, 2, 28)


def test_every_platform_accepts_exactly_its_content_types(creator):
    for platform, types in PLATFORM_CONTENT_TYPES.items():
        for content_type in CalendarEntry._meta.get_field("content_type").choices:
            values = upload(platform=platform, content_type=content_type[0])
            problems = services.calendar_entry_problems({**values, "location": "", "notes": "", "time": None})
            assert ("content_type" in problems) == (content_type[0] not in types), (platform, content_type)


def test_only_creators_keep_a_calendar():
    brand = BrandUserFactory()

    with pytest.raises(PermissionDenied):
        services.calendar_entry_create(data=shoot(), actor=Actor.of(brand))
    with pytest.raises(PermissionDenied):
        services.calendar_entry_create(data=shoot(), actor=Actor.system())
    assert not CalendarEntry.objects.exists()


def test_create_refuses_fields_that_are_not_editable(creator):
    with pytest.raises(ValueError, match="status"):
        services.calendar_entry_create(data=shoot(status="completed"), actor=Actor.of(creator))


# --- Update ---------------------------------------------------------------------------------------------------
def test_update_changes_the_fields_sent(creator):
    entry = CalendarEntryFactory(creator=creator, notes="old")

    updated = services.calendar_entry_update(
        entry_id=entry.pk, data={"title": "Moved shoot", "time": None}, actor=Actor.of(creator)
    )

    entry.refresh_from_db()
    assert updated.title == entry.title == "Moved shoot"
    assert entry.time is None and entry.notes == "old" and entry.location == "Studio 4, Brooklyn"


def test_switching_a_shoot_to_an_upload_drops_its_location(creator):
    entry = CalendarEntryFactory(creator=creator, kind="shoot", location="Studio 4")

    services.calendar_entry_update(
        entry_id=entry.pk,
        data={"kind": "upload", "platform": "youtube", "content_type": "short"},
        actor=Actor.of(creator),
    )

    entry.refresh_from_db()
    assert (entry.kind, entry.location, entry.platform, entry.content_type) == ("upload", "", "youtube", "short")


def test_switching_to_an_upload_without_its_fields_is_refused(creator):
    entry = CalendarEntryFactory(creator=creator, kind="shoot")

    details = refused(
        lambda: services.calendar_entry_update(entry_id=entry.pk, data={"kind": "upload"}, actor=Actor.of(creator))
    )

    assert set(details) == {"platform", "content_type"}
    entry.refresh_from_db()
    assert entry.kind == "shoot" and entry.location == "Studio 4, Brooklyn"


def test_update_checks_the_result_against_every_rule(creator):
    entry = CalendarEntryFactory(creator=creator, kind="upload", location="", platform="instagram", content_type="reel")

    details = refused(
        lambda: services.calendar_entry_update(entry_id=entry.pk, data={"platform": "youtube"}, actor=Actor.of(creator))
    )

    assert details == {"content_type": ["YouTube takes: Video, Short, Live stream."]}


def test_update_of_someone_elses_entry_is_not_found(creator):
    entry = CalendarEntryFactory(creator=CreatorUserFactory())

    with pytest.raises(NotFound):
        services.calendar_entry_update(entry_id=entry.pk, data={"title": "Mine now"}, actor=Actor.of(creator))

    entry.refresh_from_db()
    assert entry.title == "Product shoot"


def test_update_by_a_brand_is_refused():
    entry = CalendarEntryFactory()

    with pytest.raises(PermissionDenied):
        services.calendar_entry_update(entry_id=entry.pk, data={"title": "x"}, actor=Actor.of(BrandUserFactory()))


# --- Complete and delete ------------------------------------------------------------------------------------------
def test_complete_moves_pending_to_completed(creator):
    entry = CalendarEntryFactory(creator=creator)

    services.calendar_entry_complete(entry_id=entry.pk, actor=Actor.of(creator))

    entry.refresh_from_db()
    assert entry.status == CalendarEntry.Status.COMPLETED


def test_completing_twice_is_an_invalid_transition(creator):
    entry = CalendarEntryFactory(creator=creator, status=CalendarEntry.Status.COMPLETED)

    with pytest.raises(InvalidTransition) as caught:
        services.calendar_entry_complete(entry_id=entry.pk, actor=Actor.of(creator))

    assert caught.value.status == 409 and "from completed to completed" in caught.value.message


def test_only_the_owner_completes_or_deletes(creator):
    entry = CalendarEntryFactory(creator=CreatorUserFactory())

    with pytest.raises(NotFound):
        services.calendar_entry_complete(entry_id=entry.pk, actor=Actor.of(creator))
    with pytest.raises(NotFound):
        services.calendar_entry_delete(entry_id=entry.pk, actor=Actor.of(creator))

    entry.refresh_from_db()
    assert entry.status == CalendarEntry.Status.PENDING


def test_delete_removes_the_entry(creator):
    entry = CalendarEntryFactory(creator=creator)

    services.calendar_entry_delete(entry_id=entry.pk, actor=Actor.of(creator))

    assert not CalendarEntry.objects.filter(pk=entry.pk).exists()


# --- Feed token ----------------------------------------------------------------------------------------------------
def test_ensure_makes_a_token_once(creator):
    first = services.calendar_feed_ensure(creator=creator)
    again = services.calendar_feed_ensure(creator=creator)

    assert first.token == again.token and len(first.token) >= 43
    assert CalendarFeed.objects.filter(creator=creator).count() == 1


def test_rotate_replaces_the_token(creator):
    old = services.calendar_feed_ensure(creator=creator).token

    new = services.calendar_feed_rotate(creator=creator).token

    assert new != old and CalendarFeed.objects.get(creator=creator).token == new
    assert not CalendarFeed.objects.filter(token=old).exists()


def test_rotate_without_a_feed_makes_one(creator):
    feed = services.calendar_feed_rotate(creator=creator)

    assert CalendarFeed.objects.get(creator=creator).token == feed.token


def test_brands_have_no_feed():
    with pytest.raises(PermissionDenied):
        services.calendar_feed_ensure(creator=BrandUserFactory())
    with pytest.raises(PermissionDenied):
        services.calendar_feed_rotate(creator=BrandUserFactory())


# --- Database constraints: the last line when code skips the services -----------------------------------------------
@pytest.mark.parametrize(
    "fields",
    [
        {"kind": "shoot", "location": ""},
        {"kind": "upload", "location": "", "platform": "", "content_type": "reel"},
        {"kind": "upload", "location": "", "platform": "instagram", "content_type": ""},
    ],
)
def test_the_database_refuses_entries_missing_their_kinds_fields(creator, fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        CalendarEntry.objects.create(creator=creator, title="Raw", date=SOON, **fields)


def test_the_database_accepts_complete_entries(creator):
    CalendarEntry.objects.create(creator=creator, kind="shoot", title="Raw", date=SOON, location="Park")
    CalendarEntry.objects.create(
        creator=creator, kind="upload", title="Raw", date=SOON, platform="tiktok", content_type="video"
    )

    assert CalendarEntry.objects.count() == 2


def test_the_database_allows_one_feed_per_creator_and_unique_tokens(creator):
    CalendarFeed.objects.create(creator=creator, token="a" * 43)

    with pytest.raises(IntegrityError), transaction.atomic():
        CalendarFeed.objects.create(creator=creator, token="b" * 43)
    with pytest.raises(IntegrityError), transaction.atomic():
        CalendarFeed.objects.create(creator=CreatorUserFactory(), token="a" * 43)
