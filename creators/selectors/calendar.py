"""Reads of a creator's calendar: entries scoped to their owner, the month grid, the ICS feed."""

import calendar as month_calendar
import datetime
import zoneinfo
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from creators.models import CalendarEntry, CalendarFeed
from influmojo.errors import NotFound

# The ICS feed covers what a calendar app needs to show: the recent past and the coming year.
FEED_DAYS_BACK = 90
FEED_DAYS_AHEAD = 365
TIMED_EVENT_LENGTH = datetime.timedelta(hours=1)


def creator_timezone(creator) -> zoneinfo.ZoneInfo:
    """The creator's own time zone (User.timezone); UTC when it is not a known IANA name."""
    try:
        return zoneinfo.ZoneInfo(creator.timezone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def creator_today(creator) -> datetime.date:
    return timezone.now().astimezone(creator_timezone(creator)).date()


# --- Entries ------------------------------------------------------------------------------------------
def calendar_entry_list(
    *,
    creator,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    kind: str | None = None,
    status: str | None = None,
) -> QuerySet[CalendarEntry]:
    """The creator's own entries, oldest first; each filter is optional and the dates inclusive."""
    entries = CalendarEntry.objects.filter(creator=creator)
    if date_from:
        entries = entries.filter(date__gte=date_from)
    if date_to:
        entries = entries.filter(date__lte=date_to)
    if kind:
        entries = entries.filter(kind=kind)
    if status:
        entries = entries.filter(status=status)
    return entries.order_by("date", "time", "id")


def calendar_entry_get(*, creator, entry_id: int) -> CalendarEntry:
    """One of the creator's entries; someone else's answers exactly like a missing one."""
    entry = CalendarEntry.objects.filter(creator=creator, pk=entry_id).first()
    if entry is None:
        raise NotFound("No such calendar entry.")
    return entry


@dataclass
class CalendarDay:
    date: datetime.date
    in_month: bool
    is_today: bool
    entries: list[CalendarEntry] = field(default_factory=list)


@dataclass
class CalendarMonth:
    first: datetime.date
    today: datetime.date
    weeks: list[list[CalendarDay]]
    entries: list[CalendarEntry]
    previous: datetime.date
    next: datetime.date


def calendar_month(*, creator, year: int, month: int) -> CalendarMonth:
    """The month as whole weeks (Monday first) with the creator's entries on their days."""
    first = datetime.date(year, month, 1)
    weeks = month_calendar.Calendar(firstweekday=month_calendar.MONDAY).monthdatescalendar(year, month)
    entries = list(calendar_entry_list(creator=creator, date_from=weeks[0][0], date_to=weeks[-1][-1]))
    by_day: dict[datetime.date, list[CalendarEntry]] = {}
    for entry in entries:
        by_day.setdefault(entry.date, []).append(entry)
    today = creator_today(creator)
    grid = [[CalendarDay(day, day.month == month, day == today, by_day.get(day, [])) for day in week] for week in weeks]
    return CalendarMonth(
        first=first,
        today=today,
        weeks=grid,
        entries=[entry for entry in entries if entry.date.month == month and entry.date.year == year],
        previous=(first - datetime.timedelta(days=1)).replace(day=1),
        next=(first + datetime.timedelta(days=32)).replace(day=1),
    )


@dataclass
class CalendarAgenda:
    today: datetime.date
    upcoming: list[CalendarEntry]
    past: QuerySet[CalendarEntry]


def calendar_agenda(*, creator) -> CalendarAgenda:
    """Upcoming entries (today on, soonest first) and past ones (latest first, for paging)."""
    today = creator_today(creator)
    upcoming = list(calendar_entry_list(creator=creator, date_from=today))
    past = calendar_entry_list(creator=creator, date_to=today - datetime.timedelta(days=1)).order_by(
        "-date", "-time", "-id"
    )
    return CalendarAgenda(today=today, upcoming=upcoming, past=past)


# --- ICS feed -----------------------------------------------------------------------------------------
def calendar_feed_for(*, creator) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(creator=creator).first()


def _uid_domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "influmojo"


def _summary(entry: CalendarEntry) -> str:
    if entry.kind == CalendarEntry.Kind.SHOOT:
        return f"Shoot: {entry.title}"
    return f"Upload: {entry.title} on {entry.get_platform_display()}"


def _description(entry: CalendarEntry) -> str:
    lines = []
    if entry.brand_name:
        lines.append(f"Brand: {entry.brand_name}")
    if entry.campaign_name:
        lines.append(f"Campaign: {entry.campaign_name}")
    if entry.kind == CalendarEntry.Kind.UPLOAD:
        lines.append(f"Content: {entry.get_content_type_display()} on {entry.get_platform_display()}")
    lines.append(f"Status: {entry.get_status_display()}")
    if entry.notes:
        lines.extend(["", entry.notes])
    return "\n".join(lines)


def _event(entry: CalendarEntry, *, tz: zoneinfo.ZoneInfo, domain: str) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", f"calendar-entry-{entry.pk}@{domain}")
    # Without a METHOD, DTSTAMP means "last modified" (RFC 5545 3.8.7.2): stable until the entry changes.
    event.add("dtstamp", entry.updated_at.astimezone(datetime.UTC))
    event.add("last-modified", entry.updated_at.astimezone(datetime.UTC))
    event.add("created", entry.created_at.astimezone(datetime.UTC))
    event.add("summary", _summary(entry))
    if entry.location:
        event.add("location", entry.location)
    event.add("description", _description(entry))
    if entry.time is None:
        event.add("dtstart", entry.date)
        event.add("dtend", entry.date + datetime.timedelta(days=1))
    else:
        start = datetime.datetime.combine(entry.date, entry.time, tzinfo=tz)
        event.add("dtstart", start)
        event.add("dtend", start + TIMED_EVENT_LENGTH)
    # VEVENT STATUS only knows TENTATIVE/CONFIRMED/CANCELLED; "completed" travels as an X- property.
    event.add("status", "CONFIRMED")
    event.add("x-influmojo-status", entry.status.upper())
    # A shoot is time the creator is busy; an upload is a deadline that does not block the day.
    event.add("transp", "OPAQUE" if entry.kind == CalendarEntry.Kind.SHOOT else "TRANSPARENT")
    event.add("categories", [entry.get_kind_display()])
    return event


def calendar_feed_ics(*, token: str) -> bytes:
    """The ICS document behind a feed URL; an unknown or rotated token is NotFound."""
    feed = CalendarFeed.objects.select_related("creator").filter(token=token).first() if token else None
    if feed is None:
        raise NotFound("No such calendar feed.")
    creator = feed.creator
    tz = creator_timezone(creator)
    today = creator_today(creator)
    entries = calendar_entry_list(
        creator=creator,
        date_from=today - datetime.timedelta(days=FEED_DAYS_BACK),
        date_to=today + datetime.timedelta(days=FEED_DAYS_AHEAD),
    )
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Influmojo//Creator calendar//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"Influmojo · {creator.display_name}")
    cal.add("x-wr-timezone", tz.key)
    cal.add("refresh-interval", datetime.timedelta(hours=1), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT1H")
    domain = _uid_domain()
    for entry in entries:
        cal.add_component(_event(entry, tz=tz, domain=domain))
    cal.add_missing_timezones()
    return cal.to_ical()
