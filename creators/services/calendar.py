"""Writes to a creator's calendar: entries (create, update, complete, delete) and the ICS feed token.

`calendar_entry_problems` is the one set of entry rules: the API serializer (and through it the web
form) reports them field by field, and every service checks them again on the row it writes.
"""

import datetime
import secrets

from django.db import transaction
from django.utils import timezone

from creators.models import CalendarEntry, CalendarFeed, ContentType, Platform
from creators.services.packages import PLATFORM_CONTENT_TYPES  # one table for packages and uploads
from influmojo.errors import ApplicationError, InvalidTransition, NotFound, PermissionDenied
from influmojo.permissions import Actor

# (from, to): roles allowed. calendar_entry_complete is the only door.
CALENDAR_TRANSITIONS = {
    (CalendarEntry.Status.PENDING, CalendarEntry.Status.COMPLETED): {"creator"},
}

EDITABLE_FIELDS = (
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
)
SHOOT_FIELDS = ("location",)
UPLOAD_FIELDS = ("platform", "content_type")
KIND_FIELDS = ("kind", *SHOOT_FIELDS, *UPLOAD_FIELDS)
OPTIONAL_DEFAULTS = {"time": None} | {
    name: "" for name in ("brand_name", "campaign_name", "location", "platform", "content_type", "notes")
}
EARLIEST_DATE = datetime.date(2000, 1, 1)
YEARS_AHEAD = 5
MAX_LENGTHS = {name: CalendarEntry._meta.get_field(name).max_length for name in EDITABLE_FIELDS}
MAX_LENGTHS = {name: length for name, length in MAX_LENGTHS.items() if length}
FEED_TOKEN_BYTES = 32


def latest_allowed_date(today: datetime.date | None = None) -> datetime.date:
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year + YEARS_AHEAD)
    except ValueError:  # 29 February → 28 February
        return today.replace(year=today.year + YEARS_AHEAD, day=28)


def calendar_date_problem(day) -> str | None:
    if not isinstance(day, datetime.date):
        return "Enter a date."
    if day < EARLIEST_DATE:
        return f"Use a date from {EARLIEST_DATE:%Y} on."
    if day > latest_allowed_date():
        return f"Use a date at most {YEARS_AHEAD} years ahead."
    return None


def calendar_entry_kind_problems(values: dict) -> dict[str, list[str]]:
    """The rules of each kind: a shoot has a location only, an upload a platform and a content type it offers."""
    problems: dict[str, list[str]] = {}
    kind = values.get("kind")
    location, platform, content_type = (values.get(name) or "" for name in ("location", "platform", "content_type"))
    if kind == CalendarEntry.Kind.SHOOT:
        if not location.strip():
            problems["location"] = ["A shoot needs a location."]
        for name in UPLOAD_FIELDS:
            if values.get(name):
                problems[name] = ["Only uploads have a platform and content type; leave it empty for a shoot."]
    elif kind == CalendarEntry.Kind.UPLOAD:
        if location:
            problems["location"] = ["Only shoots have a location; leave it empty for an upload."]
        if not platform:
            problems["platform"] = ["An upload needs a platform."]
        elif platform not in Platform.values:
            problems["platform"] = ["Unknown platform."]
        if not content_type:
            problems["content_type"] = ["An upload needs a content type."]
        elif content_type not in ContentType.values:
            problems["content_type"] = ["Unknown content type."]
        elif platform in PLATFORM_CONTENT_TYPES and content_type not in PLATFORM_CONTENT_TYPES[platform]:
            offered = ", ".join(ContentType(item).label for item in PLATFORM_CONTENT_TYPES[platform])
            problems["content_type"] = [f"{Platform(platform).label} takes: {offered}."]
    return problems


def calendar_entry_problems(values: dict) -> dict[str, list[str]]:
    """Every rule an entry breaks, as {field: [message]}; {} when `values` (all editable fields) is valid."""
    problems: dict[str, list[str]] = {}
    if values.get("kind") not in CalendarEntry.Kind.values:
        problems["kind"] = ["Choose shoot or upload."]
    if not (values.get("title") or "").strip():
        problems["title"] = ["Give the entry a title."]
    for name, length in MAX_LENGTHS.items():
        if len(values.get(name) or "") > length:
            problems.setdefault(name, []).append(f"Use at most {length} characters.")
    date_problem = calendar_date_problem(values.get("date"))
    if date_problem:
        problems["date"] = [date_problem]
    if values.get("time") is not None and not isinstance(values["time"], datetime.time):
        problems["time"] = ["Enter a time or leave it empty."]
    for name, messages in calendar_entry_kind_problems(values).items():
        problems.setdefault(name, []).extend(messages)
    return problems


def calendar_entry_values(entry: CalendarEntry | None, changes: dict) -> dict:
    """What the entry will hold after `changes`: a new kind clears the other kind's fields it was not sent."""
    values = {name: getattr(entry, name) for name in EDITABLE_FIELDS} if entry else {}
    values.update(changes)
    if entry is not None and values.get("kind") != entry.kind:
        dropped = UPLOAD_FIELDS if values.get("kind") == CalendarEntry.Kind.SHOOT else SHOOT_FIELDS
        for name in dropped:
            if name not in changes:
                values[name] = ""
    return values


def _check(values: dict) -> None:
    problems = calendar_entry_problems(values)
    if problems:
        raise ApplicationError("Some fields are invalid.", code="validation_error", details=problems)


def _creator_of(actor: Actor):
    if actor.role != "creator" or actor.user is None:
        raise PermissionDenied("Only creators keep a calendar.")
    return actor.user


def _locked_entry(*, entry_id: int, actor: Actor) -> CalendarEntry:
    creator = _creator_of(actor)
    entry = CalendarEntry.objects.select_for_update().filter(pk=entry_id, creator=creator).first()
    if entry is None:
        raise NotFound("No such calendar entry.")
    return entry


def _unknown_fields(data: dict) -> None:
    unknown = sorted(set(data) - set(EDITABLE_FIELDS))
    if unknown:
        raise ValueError(f"not calendar entry fields: {', '.join(unknown)}")


@transaction.atomic
def calendar_entry_create(*, data: dict, actor: Actor) -> CalendarEntry:
    creator = _creator_of(actor)
    _unknown_fields(data)
    values = {**OPTIONAL_DEFAULTS, **data}
    _check(values)
    return CalendarEntry.objects.create(creator=creator, **values)


@transaction.atomic
def calendar_entry_update(*, entry_id: int, data: dict, actor: Actor) -> CalendarEntry:
    """Changes the fields in `data`; switching kind empties the old kind's fields unless they are sent."""
    entry = _locked_entry(entry_id=entry_id, actor=actor)
    _unknown_fields(data)
    values = calendar_entry_values(entry, data)
    _check(values)
    changed = [name for name in EDITABLE_FIELDS if getattr(entry, name) != values[name]]
    for name in changed:
        setattr(entry, name, values[name])
    if changed:
        entry.save(update_fields=[*changed, "updated_at"])
    return entry


@transaction.atomic
def calendar_entry_complete(*, entry_id: int, actor: Actor) -> CalendarEntry:
    entry = _locked_entry(entry_id=entry_id, actor=actor)
    to = CalendarEntry.Status.COMPLETED
    allowed = CALENDAR_TRANSITIONS.get((entry.status, to))
    if allowed is None or actor.role not in allowed:
        raise InvalidTransition(f"cannot move calendar entry from {entry.status} to {to}")
    entry.status = to
    entry.save(update_fields=["status", "updated_at"])
    return entry


@transaction.atomic
def calendar_entry_delete(*, entry_id: int, actor: Actor) -> None:
    _locked_entry(entry_id=entry_id, actor=actor).delete()


# --- ICS feed token -------------------------------------------------------------------------------------
def _feed_creator(creator):
    if creator is None or not getattr(creator, "is_creator", False):
        raise PermissionDenied("Only creators have a calendar feed.")
    return creator


@transaction.atomic
def calendar_feed_ensure(*, creator) -> CalendarFeed:
    """The creator's feed, made on first use; an existing token is kept."""
    feed, _ = CalendarFeed.objects.get_or_create(
        creator=_feed_creator(creator), defaults={"token": secrets.token_urlsafe(FEED_TOKEN_BYTES)}
    )
    return feed


@transaction.atomic
def calendar_feed_rotate(*, creator) -> CalendarFeed:
    """A new secret token (made if there was none); the old feed URL stops working at once."""
    feed, _ = CalendarFeed.objects.update_or_create(
        creator=_feed_creator(creator), defaults={"token": secrets.token_urlsafe(FEED_TOKEN_BYTES)}
    )
    return feed
