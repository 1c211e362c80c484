"""Reviews: a brand reviews a creator (`POST /reviews`); anyone reads a public creator's (`/creators/<id>/reviews`).

Moderation (hide/unhide) is in the console: creators.admin.reviews.
"""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from influmojo.converters import MAX_ID
from influmojo.pagination import LimitOffsetPagination
from influmojo.permissions import IsBrand

from ..models import Review
from ..selectors import reviews as selectors
from ..services import reviews as services

TAGS = ["reviews"]


# --- Serializers -----------------------------------------------------------------------------------------
class ReviewCreateSerializer(serializers.Serializer):
    creator_id = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    rating = serializers.IntegerField(min_value=1, max_value=5, help_text="1 to 5 stars.")
    text = serializers.CharField(max_length=4000, allow_blank=True, required=False, default="")
    project_type = serializers.CharField(
        max_length=100, allow_blank=True, required=False, default="", help_text='e.g. "Instagram reel".'
    )
    client_name = serializers.CharField(
        max_length=150, allow_blank=True, required=False, default="",
        help_text="Shown with the review; defaults to your company name.",
    )
    client_email = serializers.EmailField(
        allow_blank=True, required=False, default="", help_text="Never shown publicly; defaults to your e-mail."
    )


class ReviewSerializer(serializers.ModelSerializer):
    """A review as anyone sees it (the client's e-mail stays private)."""

    class Meta:
        model = Review
        fields = ["id", "creator_id", "rating", "text", "project_type", "client_name", "is_verified", "created_at"]
        read_only_fields = fields


class CreatorReviewPagination(LimitOffsetPagination):
    """The usual envelope plus the creator's average rating and number of published reviews."""

    def get_paginated_response_schema(self, schema):
        envelope = super().get_paginated_response_schema(schema)
        envelope["required"] = [*envelope["required"], "average_rating", "review_count"]
        envelope["properties"]["average_rating"] = {
            "type": "string", "format": "decimal", "pattern": r"^\d\.\d{2}$", "example": "4.67",
            "description": "Average of the published reviews, 2 decimals; 0.00 when there are none.",
        }
        envelope["properties"]["review_count"] = {"type": "integer", "example": 3, "description": "Published reviews."}
        return envelope


# --- Views -------------------------------------------------------------------------------------------------
class ReviewCreateView(APIView):
    permission_classes = [IsBrand]

    @extend_schema(
        tags=TAGS,
        summary="Review a creator",
        description=(
            "Brands only. Reviews written here are unverified (work done off the platform); reviews left "
            "after a completed order are added as verified by the orders flow. One unverified review per "
            "brand and creator: a second answers 409 `review_exists`. A private or unknown creator is 404."
        ),
        request=ReviewCreateSerializer,
        responses={201: ReviewSerializer},
    )
    def post(self, request):
        serializer = ReviewCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        review = services.review_create(creator_id=data["creator_id"], author=request.user, data=data)
        return Response(ReviewSerializer(review).data, status=201)


class CreatorReviewListView(APIView):
    permission_classes = [AllowAny]
    pagination_class = CreatorReviewPagination

    @extend_schema(
        tags=TAGS,
        summary="A creator's reviews",
        description="Published reviews of a public creator, newest first, with the average rating.",
        responses=ReviewSerializer(many=True),
    )
    def get(self, request, creator_id: int):
        found = selectors.review_list_public(creator_id=creator_id)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(found.reviews, request, view=self)
        response = paginator.get_paginated_response(ReviewSerializer(page, many=True).data)
        response.data["average_rating"] = f"{found.average_rating:.2f}"
        response.data["review_count"] = paginator.count
        return response


urlpatterns = [
    path("reviews", ReviewCreateView.as_view(), name="api_reviews"),
    path("creators/<id:creator_id>/reviews", CreatorReviewListView.as_view(), name="api_creator_reviews"),
]
