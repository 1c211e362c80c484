"""Recommended creators for a brand and creators similar to one creator.

GET /api/v1/creators/recommendations  (brands) listed creators ranked by match + shortlist categories
GET /api/v1/creators/<id>/similar      (signed in) listed creators sharing categories, platform, size, country
"""

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from brands import matching
from brands.api.discovery import CreatorCardSerializer, saved_ids_for
from brands.selectors import recommendations as selectors
from influmojo.permissions import IsBrand
from influmojo.schema import ErrorEnvelope


class PageParamsSerializer(serializers.Serializer):
    limit = serializers.IntegerField(required=False, default=20, min_value=1, max_value=100,
                                     help_text="Rows per page (max 100).")
    offset = serializers.IntegerField(required=False, default=0, min_value=0, max_value=10_000,
                                      help_text="Rows to skip.")


class SimilarCreatorSerializer(CreatorCardSerializer):
    similarity = serializers.IntegerField(help_text="0–100: how much this creator resembles the given one.")


def page_response(serializer_class, page, params: dict, context: dict) -> Response:
    return Response({
        "results": serializer_class(page.cards, many=True, context=context).data,
        "total": page.total,
        "limit": params["limit"],
        "offset": params["offset"],
    })


def page_schema(name: str, serializer, cap: int):
    return inline_serializer(name, fields={
        "results": serializer(many=True),
        "total": serializers.IntegerField(help_text=f"Rows in the list, at most {cap}."),
        "limit": serializers.IntegerField(),
        "offset": serializers.IntegerField(),
    })


RECOMMENDATIONS_DOCS = (
    "Listed creators you have not shortlisted yet, best first; when your industries or shortlists point to "
    "content categories, only creators posting about at least one of them. **Ranking** (in the database): your match score "
    f"plus {selectors.SHORTLIST_BOOST} points for each of your {selectors.SHORTLIST_TOP_CATEGORIES} most "
    "shortlisted content categories the creator posts about; then most followers. The match score comes from "
    "your stated preferences (industries → content categories, audience countries and languages, platforms, "
    "budget per creator); without any, `match_percentage` is null and the ranking rests on engagement, "
    "audience quality and reliability. Campaign criteria will join the target once campaigns exist.\n\n"
    f"**Match score.** {matching.FORMULA_SUMMARY}\n\n"
    f"The list holds the top {selectors.MAX_RECOMMENDATIONS}; `limit` (≤ 100) and `offset` page through it. "
    "403 for accounts other than brands."
)

SIMILAR_DOCS = (
    "Listed creators resembling the given one, most similar first (ranked in the database). A candidate shares "
    "at least one content category with the creator (or, when it has none, its primary platform). "
    f"`similarity` = {selectors.SIMILAR_WEIGHTS['categories']} × shared categories ÷ the creator's categories "
    f"+ {selectors.SIMILAR_WEIGHTS['primary_platform']} same primary platform "
    f"+ {selectors.SIMILAR_WEIGHTS['size_band']} same size band + {selectors.SIMILAR_WEIGHTS['country']} same "
    "country; then most followers. For a brand with stated preferences each result also carries "
    "`match_percentage` and `match_status` (null otherwise).\n\n"
    f"**Match score.** {matching.FORMULA_SUMMARY}\n\n"
    f"The list holds the top {selectors.MAX_SIMILAR}. 404 for an unknown or unlisted creator."
)


class RecommendationsView(APIView):
    permission_classes = [IsBrand]

    @extend_schema(
        tags=["discovery"],
        summary="Creators recommended for your brand",
        description=RECOMMENDATIONS_DOCS,
        parameters=[PageParamsSerializer],
        responses={
            200: page_schema("CreatorRecommendationsPage", CreatorCardSerializer, selectors.MAX_RECOMMENDATIONS),
            403: OpenApiResponse(ErrorEnvelope, description="Not a brand account."),
        },
    )
    def get(self, request):
        params = PageParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        page = selectors.creator_recommendations(brand=request.user, **params.validated_data)
        # Shortlisted creators are left out, so none of these is saved yet.
        context = {"request": request, "saved_ids": set()}
        return page_response(CreatorCardSerializer, page, params.validated_data, context)


class SimilarCreatorsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["discovery"],
        summary="Creators similar to this one",
        description=SIMILAR_DOCS,
        parameters=[
            OpenApiParameter("creator_id", int, OpenApiParameter.PATH, description="The creator's user id."),
            PageParamsSerializer,
        ],
        responses={
            200: page_schema("SimilarCreatorsPage", SimilarCreatorSerializer, selectors.MAX_SIMILAR),
            404: OpenApiResponse(ErrorEnvelope, description="Unknown or unlisted creator."),
        },
    )
    def get(self, request, creator_id: int):
        params = PageParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        page = selectors.similar_creators(creator_id=creator_id, viewer=request.user, **params.validated_data)
        context = {"request": request, "saved_ids": saved_ids_for(request.user, page.cards)}
        return page_response(SimilarCreatorSerializer, page, params.validated_data, context)


urlpatterns = [
    path("creators/recommendations", RecommendationsView.as_view(), name="api_creator_recommendations"),
    path("creators/<id:creator_id>/similar", SimilarCreatorsView.as_view(), name="api_creator_similar"),
]
