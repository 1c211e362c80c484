"""Packages: the creator's own (`/packages`) and a public creator's active ones (`/creators/<id>/packages`).

PackageSerializer holds every input rule; the creator pages (creators.views.packages) validate
through it too. Views: validate → one service or selector → serialize.
"""

from collections.abc import Mapping

from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.serializers import vocabulary
from influmojo.pagination import LimitOffsetPagination
from influmojo.permissions import Actor, IsCreator

from ..models import ContentType, Package, Platform
from ..selectors import packages as selectors
from ..services import packages as services

TAGS = ["packages"]


# --- Serializers -----------------------------------------------------------------------------------------
class PackageSerializer(serializers.ModelSerializer):
    """Input and output of a package. `is_active` is read-only: it changes through activate/deactivate."""

    title = serializers.CharField(max_length=120)
    platform = serializers.ChoiceField(choices=Platform.choices)
    content_type = serializers.ChoiceField(
        choices=ContentType.choices,
        help_text="Must suit the platform: "
        + "; ".join(f"{platform}: {', '.join(types)}" for platform, types in services.PLATFORM_CONTENT_TYPES.items()),
    )
    quantity = serializers.IntegerField(
        min_value=services.QUANTITY_RANGE[0], max_value=services.QUANTITY_RANGE[1], default=1,
        help_text="How many pieces of content the package delivers.",
    )
    revisions = serializers.IntegerField(
        min_value=services.REVISIONS_RANGE[0], max_value=services.REVISIONS_RANGE[1], default=1,
        help_text="Rounds of changes included.",
    )
    duration_days = serializers.IntegerField(
        min_value=services.DURATION_DAYS_RANGE[0], max_value=services.DURATION_DAYS_RANGE[1],
        allow_null=True, required=False, default=None, help_text="Delivery time in days; null when open.",
    )
    price = serializers.DecimalField(
        max_digits=9, decimal_places=2, min_value=services.PRICE_RANGE[0], max_value=services.PRICE_RANGE[1],
    )
    currency = vocabulary("currencies", default="USD")
    description = serializers.CharField(max_length=4000, allow_blank=True, required=False, default="")

    class Meta:
        model = Package
        fields = [
            "id", "creator_id", "title", "platform", "content_type", "quantity", "revisions", "duration_days",
            "price", "currency", "description", "is_active", "created_at", "updated_at",
        ]
        read_only_fields = ["id", "creator_id", "is_active", "created_at", "updated_at"]

    def validate_title(self, value: str) -> str:
        value = " ".join(value.split())
        if not value:
            raise serializers.ValidationError("Give the package a title.")
        return value

    def _content_type_error(self, values: dict) -> str | None:
        stored = self.context.get("package")  # a partial update is checked against what it leaves behind
        platform = values.get("platform", getattr(stored, "platform", None))
        content_type = values.get("content_type", getattr(stored, "content_type", None))
        return services.content_type_error(platform, content_type)

    def validate(self, attrs):
        message = self._content_type_error(attrs)
        if message:
            raise serializers.ValidationError({"content_type": [message]})
        return attrs

    def to_internal_value(self, data):
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as error:
            # validate() is skipped when a field fails: report the pair too, so one answer lists every problem.
            if isinstance(data, Mapping) and not {"platform", "content_type"} & set(error.detail):
                sent = {key: data[key] for key in ("platform", "content_type") if key in data}
                message = self._content_type_error(sent)
                if message:
                    error.detail["content_type"] = [serializers.ErrorDetail(message, code="invalid")]
            raise


# --- Views -------------------------------------------------------------------------------------------------
def paginated(view: APIView, request, queryset, serializer_class) -> Response:
    paginator = view.pagination_class()
    page = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response(serializer_class(page, many=True).data)


class PackageListView(APIView):
    permission_classes = [IsCreator]
    pagination_class = LimitOffsetPagination

    @extend_schema(
        tags=TAGS,
        summary="Your packages",
        description="All of the signed-in creator's packages, active ones first, then by price.",
        responses=PackageSerializer(many=True),
    )
    def get(self, request):
        packages = selectors.package_list_for_owner(actor=Actor.of(request.user))
        return paginated(self, request, packages, PackageSerializer)

    @extend_schema(
        tags=TAGS,
        summary="Create a package",
        description="A new package is active (on sale). The content type must suit the platform.",
        request=PackageSerializer,
        responses={201: PackageSerializer},
    )
    def post(self, request):
        serializer = PackageSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        package = services.package_create(actor=Actor.of(request.user), data=serializer.validated_data)
        return Response(PackageSerializer(package).data, status=201)


class PackageDetailView(APIView):
    permission_classes = [IsCreator]

    @extend_schema(
        tags=TAGS,
        summary="One of your packages",
        description="Active or not. Another creator's package answers 404.",
        responses=PackageSerializer,
    )
    def get(self, request, package_id: int):
        package = selectors.package_get_for_owner(package_id=package_id, actor=Actor.of(request.user))
        return Response(PackageSerializer(package).data)

    @extend_schema(
        tags=TAGS,
        summary="Change a package",
        description="Partial update; a new platform or content type is checked against the other one.",
        request=PackageSerializer(partial=True),
        responses=PackageSerializer,
    )
    def patch(self, request, package_id: int):
        actor = Actor.of(request.user)
        stored = selectors.package_get_for_owner(package_id=package_id, actor=actor)
        serializer = PackageSerializer(data=request.data, partial=True, context={"package": stored})
        serializer.is_valid(raise_exception=True)
        package = services.package_update(package_id=stored.pk, actor=actor, data=serializer.validated_data)
        return Response(PackageSerializer(package).data)

    @extend_schema(
        tags=TAGS,
        summary="Retire a package",
        description=(
            "A soft delete: the package is deactivated, not removed, so orders that bought it keep it. "
            "It stays in your list (is_active false) and can be put back on sale with `/activate`."
        ),
        request=None,
        responses={200: OpenApiResponse(PackageSerializer, description="The package, now inactive.")},
    )
    def delete(self, request, package_id: int):
        package = services.package_delete(package_id=package_id, actor=Actor.of(request.user))
        return Response(PackageSerializer(package).data)


class PackageActivateView(APIView):
    permission_classes = [IsCreator]

    @extend_schema(
        tags=TAGS,
        operation_id="packages_activate",
        summary="Put a package on sale",
        description="Idempotent.",
        request=None,
        responses=PackageSerializer,
    )
    def post(self, request, package_id: int):
        package = services.package_activate(package_id=package_id, actor=Actor.of(request.user))
        return Response(PackageSerializer(package).data)


class PackageDeactivateView(APIView):
    permission_classes = [IsCreator]

    @extend_schema(
        tags=TAGS,
        operation_id="packages_deactivate",
        summary="Take a package off sale",
        description="Idempotent. Brands can no longer order it; you still see it.",
        request=None,
        responses=PackageSerializer,
    )
    def post(self, request, package_id: int):
        package = services.package_deactivate(package_id=package_id, actor=Actor.of(request.user))
        return Response(PackageSerializer(package).data)


class CreatorPackageListView(APIView):
    permission_classes = [AllowAny]
    pagination_class = LimitOffsetPagination

    @extend_schema(
        tags=TAGS,
        summary="A creator's packages",
        description="The active packages of a public creator, cheapest first. A private or unknown creator is 404.",
        responses=PackageSerializer(many=True),
    )
    def get(self, request, creator_id: int):
        packages = selectors.package_list_public(creator_id=creator_id)
        return paginated(self, request, packages, PackageSerializer)


urlpatterns = [
    path("packages", PackageListView.as_view(), name="api_packages"),
    path("packages/<id:package_id>", PackageDetailView.as_view(), name="api_package"),
    path("packages/<id:package_id>/activate", PackageActivateView.as_view(), name="api_package_activate"),
    path("packages/<id:package_id>/deactivate", PackageDeactivateView.as_view(), name="api_package_deactivate"),
    path("creators/<id:creator_id>/packages", CreatorPackageListView.as_view(), name="api_creator_packages"),
]
