"""Creator calendar API: entries (shoots and uploads) and the private ICS feed URL.

The entry serializer is the one input shape for the API and the web form
(creators.views.calendar); its rules are creators.services.calendar's.
"""

from collections.abc import Mapping

from django.urls import path, reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ErrorDetail
from rest_framework.fields import SkipField
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.serializers import VocabularyField
from creators.models import CalendarEntry, CalendarFeed, ContentType, Platform
from creators.selectors import calendar as selectors
from creators.services import calendar as services
from creators.services.packages import PLATFORM_CONTENT_TYPES
from influmojo.pagination import LIMIT_OFFSET_PARAMETERS, LimitOffsetPagination
from influmojo.permissions import Actor, IsCreator

TAGS = ["calendar"]


# --- Serializers -----------------------------------------------------------------------------------------
def _text(name: str, **kwargs) -> serializers.CharField:
    return serializers.CharField(
        max_length=CalendarEntry._meta.get_field(name).max_length,
        allow_blank=True,
        required=False,
        default="",
        **kwargs,
    )


class CalendarEntrySerializer(serializers.Serializer):
    """A shoot (needs `location`) or an upload (needs `platform` and a `content_type` that platform offers)."""

    id = serializers.IntegerField(read_only=True)
    kind = VocabularyField(dict(CalendarEntry.Kind.choices), schema_name="CalendarEntryKind")
    title = serializers.CharField(
        max_length=CalendarEntry._meta.get_field("title").max_length,
        error_messages={"required": "Give the entry a title.", "blank": "Give the entry a title."},
    )
    brand_name = _text("brand_name")
    campaign_name = _text("campaign_name")
    date = serializers.DateField(
        help_text=f"From {services.EARLIEST_DATE.isoformat()} to {services.YEARS_AHEAD} years from today."
    )
    time = serializers.TimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Local time in the creator's time zone; empty for an all-day entry.",
    )
    location = _text("location", help_text="Shoots only (required there).")
    platform = serializers.ChoiceField(
        choices=Platform.choices,
        allow_blank=True,
        required=False,
        default="",
        help_text="Uploads only (required there).",
    )
    content_type = serializers.ChoiceField(
        choices=ContentType.choices,
        allow_blank=True,
        required=False,
        default="",
        help_text="Uploads only (required there), one the platform offers: "
        + "; ".join(f"`{platform}`: {', '.join(types)}" for platform, types in PLATFORM_CONTENT_TYPES.items())
        + ".",
    )
    notes = _text("notes")
    status = VocabularyField(dict(CalendarEntry.Status.choices), schema_name="CalendarEntryStatus", read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    def validate_date(self, value):
        problem = services.calendar_date_problem(value)
        if problem:
            raise serializers.ValidationError(problem)
        return value

    def validate(self, attrs):
        problems = services.calendar_entry_problems(services.calendar_entry_values(self._stored(), attrs))
        if problems:
            raise serializers.ValidationError(problems)
        return attrs

    def to_internal_value(self, data):
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as error:
            # Field errors stop DRF before validate(): add the kind rules they leave untouched, so a form
            # shows every problem in one round.
            if isinstance(error.detail, dict) and isinstance(data, Mapping):
                if not set(error.detail) & set(services.KIND_FIELDS):
                    for name, problems in self._kind_problems(data).items():
                        error.detail[name] = [ErrorDetail(problem, code="invalid") for problem in problems]
            raise

    def _stored(self) -> CalendarEntry | None:
        """A partial update is checked as the entry it would leave behind (context "entry": the stored one)."""
        return self.context.get("entry") if self.partial else None

    def _kind_problems(self, data: Mapping) -> dict[str, list[str]]:
        sent = {}
        for name in services.KIND_FIELDS:
            field = self.fields[name]
            try:
                sent[name] = field.run_validation(field.get_value(data))
            except (SkipField, serializers.ValidationError):
                continue
        return services.calendar_entry_kind_problems(services.calendar_entry_values(self._stored(), sent))


class CalendarQuerySerializer(serializers.Serializer):
    """Query string of the entry list: `?from=&to=&kind=&status=`."""

    def get_fields(self):
        return {
            "from": serializers.DateField(required=False),
            "to": serializers.DateField(required=False),
            "kind": VocabularyField(dict(CalendarEntry.Kind.choices), schema_name="CalendarEntryKind", required=False),
            "status": VocabularyField(
                dict(CalendarEntry.Status.choices), schema_name="CalendarEntryStatus", required=False
            ),
        }

    def validate(self, attrs):
        if "from" in attrs and "to" in attrs and attrs["from"] > attrs["to"]:
            raise serializers.ValidationError({"to": ["Must be on or after `from`."]})
        return attrs


class CalendarFeedSerializer(serializers.Serializer):
    url = serializers.SerializerMethodField(help_text="Private ICS URL; anyone who has it can read the calendar.")
    created_at = serializers.DateTimeField(help_text="When this URL was made (rotating makes a new one).")

    def get_url(self, feed: CalendarFeed) -> str:
        return feed_url(self.context["request"], feed)


def feed_url(request, feed: CalendarFeed) -> str:
    return request.build_absolute_uri(reverse("calendar_feed_ics", kwargs={"token": feed.token}))


# --- Views ---------------------------------------------------------------------------------------------------
class CalendarListView(generics.GenericAPIView):
    permission_classes = [IsCreator]
    pagination_class = LimitOffsetPagination
    serializer_class = CalendarEntrySerializer  # for OPTIONS and the schema; rows come from the selector
    queryset = CalendarEntry.objects.none()

    @extend_schema(
        tags=TAGS,
        operation_id="calendar_list",
        summary="The creator's calendar entries",
        description="Oldest first (date, then time). Dates are inclusive; `from` must not be after `to`.",
        parameters=[
            OpenApiParameter("from", {"type": "string", "format": "date"}, description="Earliest date, inclusive."),
            OpenApiParameter("to", {"type": "string", "format": "date"}, description="Latest date, inclusive."),
            OpenApiParameter("kind", str, enum=CalendarEntry.Kind.values),
            OpenApiParameter("status", str, enum=CalendarEntry.Status.values),
            *LIMIT_OFFSET_PARAMETERS,
        ],
        responses=CalendarEntrySerializer(many=True),
    )
    def get(self, request):
        query = CalendarQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        filters = query.validated_data
        entries = selectors.calendar_entry_list(
            creator=request.user,
            date_from=filters.get("from"),
            date_to=filters.get("to"),
            kind=filters.get("kind"),
            status=filters.get("status"),
        )
        page = self.paginate_queryset(entries)
        return self.get_paginated_response(CalendarEntrySerializer(page, many=True).data)

    @extend_schema(
        tags=TAGS,
        operation_id="calendar_create",
        summary="Add a shoot or an upload",
        request=CalendarEntrySerializer,
        responses={201: CalendarEntrySerializer},
    )
    def post(self, request):
        serializer = CalendarEntrySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        entry = services.calendar_entry_create(data=serializer.validated_data, actor=Actor.of(request.user))
        return Response(CalendarEntrySerializer(entry).data, status=status.HTTP_201_CREATED)


class CalendarEntryView(APIView):
    permission_classes = [IsCreator]

    @extend_schema(
        tags=TAGS, operation_id="calendar_retrieve", summary="One calendar entry", responses=CalendarEntrySerializer
    )
    def get(self, request, entry_id):
        entry = selectors.calendar_entry_get(creator=request.user, entry_id=entry_id)
        return Response(CalendarEntrySerializer(entry).data)

    @extend_schema(
        tags=TAGS,
        operation_id="calendar_partial_update",
        summary="Change a calendar entry",
        description=(
            "Partial update. Changing `kind` empties the fields of the old kind (location, or platform and "
            "content type) unless they are sent. Status changes only through `/complete`."
        ),
        request=CalendarEntrySerializer,
        responses=CalendarEntrySerializer,
    )
    def patch(self, request, entry_id):
        entry = selectors.calendar_entry_get(creator=request.user, entry_id=entry_id)
        serializer = CalendarEntrySerializer(data=request.data, partial=True, context={"entry": entry})
        serializer.is_valid(raise_exception=True)
        entry = services.calendar_entry_update(
            entry_id=entry.pk, data=serializer.validated_data, actor=Actor.of(request.user)
        )
        return Response(CalendarEntrySerializer(entry).data)

    @extend_schema(
        tags=TAGS,
        operation_id="calendar_destroy",
        summary="Delete a calendar entry",
        request=None,
        responses={204: None},
    )
    def delete(self, request, entry_id):
        services.calendar_entry_delete(entry_id=entry_id, actor=Actor.of(request.user))
        return Response(status=status.HTTP_204_NO_CONTENT)


class CalendarEntryCompleteView(APIView):
    permission_classes = [IsCreator]

    @extend_schema(
        tags=TAGS,
        operation_id="calendar_complete",
        summary="Mark a calendar entry completed",
        description="pending → completed; an entry that is already completed answers 409 `invalid_transition`.",
        request=None,
        responses=CalendarEntrySerializer,
    )
    def post(self, request, entry_id):
        entry = services.calendar_entry_complete(entry_id=entry_id, actor=Actor.of(request.user))
        return Response(CalendarEntrySerializer(entry).data)


class CalendarFeedView(APIView):
    permission_classes = [IsCreator]

    @extend_schema(
        tags=TAGS,
        operation_id="calendar_feed_retrieve",
        summary="The private ICS feed URL",
        description=(
            "Subscribe to it in a calendar app (no sign-in: the URL is the secret). Made on first call; "
            "the same URL is returned until it is rotated."
        ),
        responses=CalendarFeedSerializer,
    )
    def get(self, request):
        feed = services.calendar_feed_ensure(creator=request.user)
        return Response(CalendarFeedSerializer(feed, context={"request": request}).data)


class CalendarFeedRotateView(APIView):
    permission_classes = [IsCreator]

    @extend_schema(
        tags=TAGS,
        operation_id="calendar_feed_rotate",
        summary="Replace the ICS feed URL",
        description="Makes a new secret URL; the old one answers 404 from now on.",
        request=None,
        responses=CalendarFeedSerializer,
    )
    def post(self, request):
        feed = services.calendar_feed_rotate(creator=request.user)
        return Response(CalendarFeedSerializer(feed, context={"request": request}).data)


urlpatterns = [
    path("calendar", CalendarListView.as_view(), name="api_calendar"),
    path("calendar/feed", CalendarFeedView.as_view(), name="api_calendar_feed"),
    path("calendar/feed/rotate", CalendarFeedRotateView.as_view(), name="api_calendar_feed_rotate"),
    path("calendar/<id:entry_id>", CalendarEntryView.as_view(), name="api_calendar_entry"),
    path("calendar/<id:entry_id>/complete", CalendarEntryCompleteView.as_view(), name="api_calendar_entry_complete"),
]
