"""The creator's calendar pages (month, list, entry form) and the private ICS feed.

Each page calls one selector or service; the entry form validates with the API serializer
(creators.api.calendar.CalendarEntrySerializer) through accounts' SerializerForm.
"""

import datetime
import re
from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe

from creators.api.calendar import CalendarEntrySerializer, feed_url
from creators.models import CalendarEntry, ContentType, Platform
from creators.selectors import calendar as selectors
from creators.services import calendar as services
from creators.services.packages import PLATFORM_CONTENT_TYPES
from influmojo.errors import ApplicationError, NotFound
from influmojo.forms import SerializerForm
from influmojo.permissions import Actor

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
PAST_PER_PAGE = 20
FEED_MAX_AGE = 300  # seconds: calendar apps poll; a rotated token must stop working soon


def creator_required(view):
    """Signed-in creators only: anonymous visitors go to the login page, other roles get 403."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_creator:
            raise PermissionDenied("The calendar is for creators.")
        return view(request, *args, **kwargs)

    return wrapped


# --- Form --------------------------------------------------------------------------------------------------
def _raw(widget=forms.TextInput, **kwargs) -> forms.Field:
    """A field that carries the browser's value as sent; the serializer decides whether it is valid."""
    return forms.Field(required=False, widget=widget, **kwargs)


def _choices(choices, blank: str) -> forms.Select:
    return forms.Select(choices=[("", blank), *choices])


class CalendarEntryForm(SerializerForm):
    serializer_class = CalendarEntrySerializer
    # The fields of the kind not chosen are hidden on the page, so what they hold is not sent.
    hidden_for_kind = {
        CalendarEntry.Kind.SHOOT: services.UPLOAD_FIELDS,
        CalendarEntry.Kind.UPLOAD: services.SHOOT_FIELDS,
    }

    kind = _raw(forms.RadioSelect(choices=CalendarEntry.Kind.choices), label="Type")
    title = _raw(label="Title", help_text="e.g. GlowUp serum reel")
    date = _raw(forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), label="Date")
    time = _raw(
        forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        label="Time",
        help_text="Optional: leave empty for an all-day entry.",
    )
    location = _raw(label="Location", help_text="Where the shoot happens.")
    platform = _raw(_choices(Platform.choices, "Choose a platform…"), label="Platform")
    content_type = _raw(_choices(ContentType.choices, "Choose a content type…"), label="Content type")
    brand_name = _raw(label="Brand", help_text="Optional.")
    campaign_name = _raw(label="Campaign", help_text="Optional.")
    notes = _raw(
        forms.Textarea(attrs={"rows": 4, "maxlength": "2000"}),
        label="Notes",
        help_text="Optional, up to 2000 characters.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].widget.attrs.update(
            min=services.EARLIEST_DATE.isoformat(), max=services.latest_allowed_date().isoformat()
        )

    def initial_from(self, entry):
        initial = super().initial_from(entry)
        initial["time"] = entry.time.strftime("%H:%M") if entry.time else ""
        return initial

    def payload(self):
        payload = super().payload()
        for name in self.hidden_for_kind.get(payload.get("kind"), ()):
            payload.pop(name, None)
        return payload

    def add_service_error(self, error: ApplicationError) -> None:
        if not error.details:
            self.add_error(None, error.message)
        for name, problems in error.details.items():
            for problem in problems if isinstance(problems, list) else [problems]:
                self.add_error(name if name in self.fields else None, str(problem))


# --- Helpers -----------------------------------------------------------------------------------------------
def _month_from(value: str, today: datetime.date) -> datetime.date:
    """The first of `?month=YYYY-MM`, or of this month when it is missing or outside the calendar's range."""
    match = MONTH_RE.match(value or "")
    if match:
        year, month = int(match[1]), int(match[2])
        if 1 <= month <= 12 and services.EARLIEST_DATE.year <= year <= today.year + services.YEARS_AHEAD:
            return datetime.date(year, month, 1)
    return today.replace(day=1)


def _month_url(day: datetime.date) -> str:
    return f"{reverse('creator_calendar')}?month={day:%Y-%m}"


def _next_or(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


def _entry_or_404(request, entry_id: int) -> CalendarEntry:
    try:
        return selectors.calendar_entry_get(creator=request.user, entry_id=entry_id)
    except NotFound as error:
        raise Http404(error.message) from error


def _feed_context(request) -> dict:
    feed = selectors.calendar_feed_for(creator=request.user)
    return {"feed": feed, "feed_url": feed_url(request, feed) if feed else ""}


# --- Pages -------------------------------------------------------------------------------------------------
@creator_required
@require_safe
def month_view(request):
    today = selectors.creator_today(request.user)
    first = _month_from(request.GET.get("month", ""), today)
    month = selectors.calendar_month(creator=request.user, year=first.year, month=first.month)
    earliest, latest = services.EARLIEST_DATE.replace(day=1), datetime.date(today.year + services.YEARS_AHEAD, 12, 1)
    context = {
        "month": month,
        "weekdays": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
        "previous_url": _month_url(month.previous) if month.previous >= earliest else "",
        "next_url": _month_url(month.next) if month.next <= latest else "",
        "this_month_url": _month_url(today),
        "is_this_month": first == today.replace(day=1),
        "new_url": reverse("creator_calendar_new"),
        **_feed_context(request),
    }
    return render(request, "creators/calendar_month.html", context)


@creator_required
@require_safe
def list_view(request):
    agenda = selectors.calendar_agenda(creator=request.user)
    past = Paginator(agenda.past, PAST_PER_PAGE).get_page(request.GET.get("page"))
    context = {"agenda": agenda, "past": past, "new_url": reverse("creator_calendar_new"), **_feed_context(request)}
    return render(request, "creators/calendar_list.html", context)


@creator_required
def create_view(request):
    if request.method == "POST":
        form = CalendarEntryForm(request.POST)
        if form.is_valid():
            try:
                entry = services.calendar_entry_create(data=form.validated_data, actor=Actor.of(request.user))
            except ApplicationError as error:
                form.add_service_error(error)
            else:
                messages.success(request, f"Added “{entry.title}”.")
                return redirect(_month_url(entry.date))
    else:
        form = CalendarEntryForm(initial=_new_entry_initial(request))
    return render(request, "creators/calendar_form.html", {"form": form, "entry": None, **_form_context()})


def _new_entry_initial(request) -> dict:
    """Kind and date from the link that opened the form (a day in the month view), else a shoot."""
    kind = request.GET.get("kind")
    initial = {"kind": kind if kind in CalendarEntry.Kind.values else CalendarEntry.Kind.SHOOT}
    try:
        initial["date"] = datetime.date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        pass
    return initial


def _form_context() -> dict:
    return {
        "platform_content_types": {platform: list(types) for platform, types in PLATFORM_CONTENT_TYPES.items()},
    }


@creator_required
def edit_view(request, entry_id):
    entry = _entry_or_404(request, entry_id)
    if request.method == "POST":
        form = CalendarEntryForm(request.POST)
        if form.is_valid():
            try:
                entry = services.calendar_entry_update(
                    entry_id=entry.pk, data=form.validated_data, actor=Actor.of(request.user)
                )
            except ApplicationError as error:
                form.add_service_error(error)
            else:
                messages.success(request, f"Saved “{entry.title}”.")
                return redirect(_month_url(entry.date))
    else:
        form = CalendarEntryForm(instance=entry)
    return render(request, "creators/calendar_form.html", {"form": form, "entry": entry, **_form_context()})


@creator_required
@require_POST
def complete_view(request, entry_id):
    try:
        entry = services.calendar_entry_complete(entry_id=entry_id, actor=Actor.of(request.user))
    except NotFound as error:
        raise Http404(error.message) from error
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect(_next_or(request, reverse("creator_calendar_list")))
    messages.success(request, f"Marked “{entry.title}” completed.")
    return redirect(_next_or(request, _month_url(entry.date)))


@creator_required
def delete_view(request, entry_id):
    entry = _entry_or_404(request, entry_id)
    if request.method == "POST":
        try:
            services.calendar_entry_delete(entry_id=entry.pk, actor=Actor.of(request.user))
        except NotFound as error:
            raise Http404(error.message) from error
        messages.success(request, f"Deleted “{entry.title}”.")
        return redirect(_next_or(request, _month_url(entry.date)))
    context = {"entry": entry, "next": _next_or(request, "")}
    return render(request, "creators/calendar_confirm_delete.html", context)


@creator_required
@require_POST
def feed_rotate_view(request):
    services.calendar_feed_rotate(creator=request.user)
    messages.success(request, "Your private calendar link is ready. Any earlier link no longer works.")
    return redirect(_next_or(request, reverse("creator_calendar")))


@require_safe
def feed_ics(request, token):
    """The ICS feed: no sign-in, the unguessable token is the key; rotated or unknown tokens are 404."""
    try:
        body = selectors.calendar_feed_ics(token=token)
    except NotFound as error:
        raise Http404(error.message) from error
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = f"private, max-age={FEED_MAX_AGE}"
    response["Content-Disposition"] = 'inline; filename="influmojo-calendar.ics"'
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


urlpatterns = [
    path("creator/calendar/", month_view, name="creator_calendar"),
    path("creator/calendar/list/", list_view, name="creator_calendar_list"),
    path("creator/calendar/new/", create_view, name="creator_calendar_new"),
    path("creator/calendar/<id:entry_id>/edit/", edit_view, name="creator_calendar_edit"),
    path("creator/calendar/<id:entry_id>/complete/", complete_view, name="creator_calendar_complete"),
    path("creator/calendar/<id:entry_id>/delete/", delete_view, name="creator_calendar_delete"),
    path("creator/calendar/feed/rotate/", feed_rotate_view, name="creator_calendar_feed_rotate"),
    path("calendar/<slug:token>.ics", feed_ics, name="calendar_feed_ics"),
]
