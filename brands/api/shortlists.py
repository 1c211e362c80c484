"""Shortlists API: a brand's named lists of creators, one-click save/unsave, notes and a CSV export.

Brand accounts only (others 403, anonymous 401); another brand's list or item answers 404. Views:
validate → one service or selector → serialize.
"""

import csv
import io
from collections.abc import Mapping

from django.http import HttpResponse
from django.urls import path
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from influmojo.pagination import LimitOffsetPagination
from influmojo.permissions import IsBrand

from ..selectors import shortlists as selectors
from ..services import shortlists as services

TAGS = ["shortlists"]
BIGINT_MAX = 2**63 - 1


# --- Serializers -----------------------------------------------------------------------------------------
class ShortlistSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(
        max_length=services.NAME_MAX_LENGTH,
        help_text=f"1–{services.NAME_MAX_LENGTH} characters, unique among your lists (any case); "
        f"“{services.DEFAULT_NAME}” belongs to the default list.",
    )
    is_default = serializers.BooleanField(
        read_only=True,
        help_text=f"The “{services.DEFAULT_NAME}” list: created on your first save, never renamed or deleted.",
    )
    creator_count = serializers.IntegerField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)


class ShortlistItemSerializer(serializers.Serializer):
    """A creator in a list; the numbers come from the creator's discovery card (null until it exists)."""

    shortlist_id = serializers.IntegerField()
    creator_id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()
    profile_url = serializers.SerializerMethodField(help_text="The public page; null when it is no longer public.")
    avatar_url = serializers.SerializerMethodField()
    listed = serializers.BooleanField(help_text="False when the creator has left discovery (private or inactive).")
    followers = serializers.IntegerField(allow_null=True)
    engagement_rate = serializers.DecimalField(max_digits=7, decimal_places=4, allow_null=True, help_text="percent")
    min_price = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True, help_text="Price from")
    currency = serializers.CharField()
    platforms = serializers.ListField(child=serializers.CharField())
    country = serializers.CharField()
    note = serializers.CharField()
    added_at = serializers.DateTimeField()

    def _absolute(self, url: str) -> str | None:
        if not url:
            return None
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None and url.startswith("/") else url

    def get_profile_url(self, row) -> str | None:
        return self._absolute(row.profile_path)

    def get_avatar_url(self, row) -> str | None:
        return self._absolute(row.avatar_url)


class ShortlistTargetSerializer(serializers.Serializer):
    shortlist_id = serializers.IntegerField(
        min_value=1, max_value=BIGINT_MAX, required=False, allow_null=True,
        help_text=f"One of your lists; leave out for the default “{services.DEFAULT_NAME}” list.",
    )


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(
        max_length=services.NOTE_MAX_LENGTH, allow_blank=True, trim_whitespace=True,
        help_text="Your note on this creator in this list; blank clears it.",
    )


class UnsaveResultSerializer(serializers.Serializer):
    removed = serializers.IntegerField(help_text="How many list entries went (0 when the creator was not saved).")
    saved = serializers.BooleanField(help_text="Whether the creator is still in any of your lists.")


class JSONErrorsNegotiation(DefaultContentNegotiation):
    """The export answers CSV whatever the Accept header says, and its errors in the JSON envelope."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


# --- CSV ---------------------------------------------------------------------------------------------------
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    """A cell that spreadsheets show as text: one starting like a formula gets a leading apostrophe (OWASP)."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text


def export_csv(rows) -> str:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # BOM: spreadsheet apps then read the names as UTF-8
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return buffer.getvalue()


def export_filename(shortlist) -> str:
    return f"shortlist-{slugify(shortlist.name) or shortlist.pk}-{timezone.localdate():%Y-%m-%d}.csv"


def export_response(request, shortlist) -> HttpResponse:
    """The whole list as a CSV download (also used by the brand's page)."""
    rows = selectors.shortlist_export_rows(shortlist=shortlist, absolute_url=request.build_absolute_uri)
    response = HttpResponse(export_csv(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, export_filename(shortlist))
    response["Cache-Control"] = "private, no-store"
    return response


# --- Views -------------------------------------------------------------------------------------------------
def _target(request) -> int | None:
    """`shortlist_id` from the query string or the body (the body wins)."""
    data = {}
    if "shortlist_id" in request.query_params:
        data["shortlist_id"] = request.query_params["shortlist_id"]
    if isinstance(request.data, Mapping):
        if "shortlist_id" in request.data:
            data["shortlist_id"] = request.data["shortlist_id"]
    elif request.data:
        raise serializers.ValidationError({"non_field_errors": ["Send a JSON object."]})
    serializer = ShortlistTargetSerializer(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data.get("shortlist_id")


def _item_response(request, shortlist_id: int, creator_id: int, status: int = 200) -> Response:
    row = selectors.shortlist_item_row(brand=request.user, shortlist_id=shortlist_id, creator_id=creator_id)
    return Response(ShortlistItemSerializer(row, context={"request": request}).data, status=status)


class ShortlistListView(APIView):
    permission_classes = [IsBrand]
    pagination_class = LimitOffsetPagination

    @extend_schema(
        tags=TAGS,
        operation_id="shortlists_list",
        summary="Your shortlists",
        description=f"Your lists with how many creators each holds; the default “{services.DEFAULT_NAME}” list "
        "first (it exists once you have saved a creator), then by name.",
        responses=ShortlistSerializer(many=True),
    )
    def get(self, request):
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(selectors.shortlist_list(brand=request.user), request, view=self)
        return paginator.get_paginated_response(ShortlistSerializer(page, many=True).data)

    @extend_schema(
        tags=TAGS,
        operation_id="shortlists_create",
        summary="Create a named list",
        description=f"At most {services.MAX_LISTS_PER_BRAND} lists per brand (400 `too_many_lists`); "
        "a name you already use answers 400 `name_taken`.",
        request=ShortlistSerializer,
        responses={201: ShortlistSerializer},
    )
    def post(self, request):
        serializer = ShortlistSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        shortlist = services.shortlist_create(brand=request.user, name=serializer.validated_data["name"])
        shortlist = selectors.shortlist_get(brand=request.user, shortlist_id=shortlist.pk)
        return Response(ShortlistSerializer(shortlist).data, status=201)


class ShortlistDetailView(APIView):
    permission_classes = [IsBrand]

    @extend_schema(
        tags=TAGS, operation_id="shortlists_retrieve", summary="One of your lists", responses=ShortlistSerializer
    )
    def get(self, request, shortlist_id: int):
        shortlist = selectors.shortlist_get(brand=request.user, shortlist_id=shortlist_id)
        return Response(ShortlistSerializer(shortlist).data)

    @extend_schema(
        tags=TAGS,
        operation_id="shortlists_rename",
        summary="Rename a list",
        description=f"The default “{services.DEFAULT_NAME}” list keeps its name: 409 `invalid_transition`.",
        request=ShortlistSerializer,
        responses=ShortlistSerializer,
    )
    def patch(self, request, shortlist_id: int):
        serializer = ShortlistSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        name = serializer.validated_data["name"]
        services.shortlist_rename(brand=request.user, shortlist_id=shortlist_id, name=name)
        shortlist = selectors.shortlist_get(brand=request.user, shortlist_id=shortlist_id)
        return Response(ShortlistSerializer(shortlist).data)

    @extend_schema(
        tags=TAGS,
        operation_id="shortlists_delete",
        summary="Delete a list",
        description=f"Removes the list and its notes (the creators stay on Influmojo). The default "
        f"“{services.DEFAULT_NAME}” list cannot be deleted: 409 `invalid_transition`.",
        request=None,
        responses={204: None, 409: OpenApiResponse(description="The default list.")},
    )
    def delete(self, request, shortlist_id: int):
        services.shortlist_delete(brand=request.user, shortlist_id=shortlist_id)
        return Response(status=204)


class ShortlistCreatorListView(APIView):
    permission_classes = [IsBrand]
    pagination_class = LimitOffsetPagination

    @extend_schema(
        tags=TAGS,
        operation_id="shortlists_creators_list",
        summary="The creators in a list",
        description="Newest first, with the creator's numbers from discovery and your note.",
        responses=ShortlistItemSerializer(many=True),
    )
    def get(self, request, shortlist_id: int):
        shortlist = selectors.shortlist_get(brand=request.user, shortlist_id=shortlist_id)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(selectors.shortlist_items(shortlist=shortlist), request, view=self)
        rows = [selectors.ItemRow.of(item) for item in page]
        data = ShortlistItemSerializer(rows, many=True, context={"request": request}).data
        return paginator.get_paginated_response(data)


SHORTLIST_ID_PARAMETER = OpenApiParameter(
    "shortlist_id", int, required=False, description="One of your lists (also accepted in the body)."
)


class CreatorSaveView(APIView):
    permission_classes = [IsBrand]

    @extend_schema(
        tags=TAGS,
        operation_id="shortlists_creator_save",
        summary="Save a creator",
        description=(
            f"Into `shortlist_id`, or into your default “{services.DEFAULT_NAME}” list (created on first use). "
            "201 with the new entry; 200 with the existing one when the creator is already in that list. "
            "Only creators listed in discovery can be saved (others 404). "
            f"A list holds at most {services.MAX_CREATORS_PER_LIST} creators (400 `list_full`)."
        ),
        parameters=[SHORTLIST_ID_PARAMETER],
        request=ShortlistTargetSerializer,
        responses={201: ShortlistItemSerializer, 200: ShortlistItemSerializer},
    )
    def post(self, request, creator_id: int):
        item, created = services.creator_save(brand=request.user, creator_id=creator_id, shortlist_id=_target(request))
        return _item_response(request, item.shortlist_id, creator_id, status=201 if created else 200)

    @extend_schema(
        tags=TAGS,
        operation_id="shortlists_creator_unsave",
        summary="Unsave a creator",
        description=(
            "From `shortlist_id` only, or without it from every one of your lists (the discovery page's "
            "Saved toggle). Idempotent: a creator who was not saved answers `removed: 0`."
        ),
        parameters=[SHORTLIST_ID_PARAMETER],
        request=None,
        responses=UnsaveResultSerializer,
    )
    def delete(self, request, creator_id: int):
        removed = services.creator_unsave(brand=request.user, creator_id=creator_id, shortlist_id=_target(request))
        saved = bool(selectors.saved_creator_ids(brand=request.user, creator_ids=[creator_id]))
        return Response(UnsaveResultSerializer({"removed": removed, "saved": saved}).data)


class ShortlistItemView(APIView):
    permission_classes = [IsBrand]

    @extend_schema(
        tags=TAGS,
        operation_id="shortlists_creator_note",
        summary="Set your note on a creator in a list",
        description=f"Up to {services.NOTE_MAX_LENGTH} characters; each list keeps its own note. "
        "A creator who is not in the list answers 404.",
        request=NoteSerializer,
        responses=ShortlistItemSerializer,
    )
    def patch(self, request, shortlist_id: int, creator_id: int):
        serializer = NoteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.shortlist_item_note_set(
            brand=request.user, shortlist_id=shortlist_id, creator_id=creator_id, note=serializer.validated_data["note"]
        )
        return _item_response(request, shortlist_id, creator_id)


class ShortlistExportView(APIView):
    permission_classes = [IsBrand]
    renderer_classes = [JSONRenderer]
    content_negotiation_class = JSONErrorsNegotiation

    @extend_schema(
        tags=TAGS,
        operation_id="shortlists_export_csv",
        summary="Export a list as CSV",
        description=(
            "A download (`Content-Disposition: attachment`), UTF-8 with a byte-order mark, one row per creator: "
            + ", ".join(selectors.EXPORT_HEADER)
            + ". A cell that starts with = + - @ (or a tab/carriage return) gets a leading apostrophe so "
            "spreadsheets never run it as a formula. Errors answer JSON."
        ),
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="The list as CSV."),
        },
    )
    def get(self, request, shortlist_id: int):
        shortlist = selectors.shortlist_get(brand=request.user, shortlist_id=shortlist_id)
        return export_response(request, shortlist)


urlpatterns = [
    path("shortlists", ShortlistListView.as_view(), name="api_shortlists"),
    path("shortlists/creators/<id:creator_id>", CreatorSaveView.as_view(), name="api_shortlist_save"),
    path("shortlists/<id:shortlist_id>", ShortlistDetailView.as_view(), name="api_shortlist"),
    path("shortlists/<id:shortlist_id>/creators", ShortlistCreatorListView.as_view(), name="api_shortlist_creators"),
    path(
        "shortlists/<id:shortlist_id>/creators/<id:creator_id>", ShortlistItemView.as_view(), name="api_shortlist_item"
    ),
    path("shortlists/<id:shortlist_id>/export.csv", ShortlistExportView.as_view(), name="api_shortlist_export"),
]
