"""POST /api/v1/creators/search: a sentence in, creators and an account of how the sentence was read out."""

from django.urls import path
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle, UserRateThrottle
from rest_framework.views import APIView

from brands import ai_search
from brands.api.discovery import CreatorCardSerializer
from influmojo.schema import ErrorEnvelope

TAGS = ["Discovery"]
MAX_LIMIT, MAX_OFFSET = 50, 10_000


class AISearchRequestSerializer(serializers.Serializer):
    query = serializers.CharField(min_length=3, max_length=500,
                                  help_text="What the brand is looking for, in its own words (3–500 characters).")
    limit = serializers.IntegerField(min_value=1, max_value=MAX_LIMIT, default=20)
    offset = serializers.IntegerField(min_value=0, max_value=MAX_OFFSET, default=0)


class FiltersAppliedSerializer(serializers.Serializer):
    """Only the filters that were set appear; the names and meanings are those of GET /api/v1/creators."""

    search = serializers.CharField(required=False, help_text="Free text left after the filters were taken out.")
    platforms = serializers.ListField(child=serializers.CharField(), required=False)
    niches = serializers.ListField(child=serializers.CharField(), required=False,
                                   help_text="Content category keys and free-text niches (any of).")
    min_followers = serializers.IntegerField(required=False)
    max_followers = serializers.IntegerField(required=False)
    min_engagement = serializers.DecimalField(max_digits=5, decimal_places=2, required=False, help_text="Percent.")
    countries = serializers.ListField(child=serializers.CharField(), required=False, help_text="ISO 3166-1 alpha-2.")
    city = serializers.CharField(required=False)
    languages = serializers.ListField(child=serializers.CharField(), required=False)
    min_price = serializers.DecimalField(max_digits=12, decimal_places=2, required=False)
    max_price = serializers.DecimalField(max_digits=12, decimal_places=2, required=False)
    available = serializers.BooleanField(required=False)
    verified = serializers.BooleanField(required=False)
    min_audience_quality = serializers.IntegerField(required=False)
    size_bands = serializers.ListField(child=serializers.CharField(), required=False)
    ordering = serializers.CharField(required=False)


class BudgetAnalysisSerializer(serializers.Serializer):
    budget_min = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    budget_max = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    budget_currency = serializers.CharField(allow_null=True, help_text="Currency named in the request, if any.")
    results_considered = serializers.IntegerField(help_text="Creators on this page of results.")
    results_with_price = serializers.IntegerField(help_text="Of those, how many list a price.")
    within_budget = serializers.IntegerField(
        allow_null=True, help_text="Creators on this page whose starting price (cheapest package) lies inside the "
        "budget, as the price filter reads it; null without a budget.")
    cheapest_price = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    median_price = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True,
                                            help_text="Median starting price on this page.")
    currencies = serializers.ListField(child=serializers.CharField(),
                                       help_text="Currencies of those prices; they are compared as listed.")
    summary = serializers.CharField()


class SearchInsightsSerializer(serializers.Serializer):
    interpretation = serializers.CharField(help_text="One plain sentence: what was searched for.")
    source = serializers.CharField(help_text="`ai` when the model's reading was used, `parser` otherwise.")
    filters_applied = FiltersAppliedSerializer()
    budget_analysis = BudgetAnalysisSerializer()
    fallback_reason = serializers.CharField(
        allow_null=True,
        help_text="Why the parser read the request: `no_api_key` (AI not configured), `timeout`, `api_error` "
        "(HTTP or connection error), `invalid_output` (refusal, not JSON, or values outside the allowed "
        "filters); null when the model's reading was used.")


class AISearchResponseSerializer(serializers.Serializer):
    results = CreatorCardSerializer(many=True)
    total = serializers.IntegerField()
    total_is_exact = serializers.BooleanField(help_text="false when `total` is an estimate (very large results).")
    search_insights = SearchInsightsSerializer()


class AISearchView(APIView):
    permission_classes = [IsAuthenticated]
    throttle_classes = [UserRateThrottle, ScopedRateThrottle]
    throttle_scope = "ai_search"

    @extend_schema(
        tags=TAGS,
        summary="Search creators with a sentence",
        description=(
            "Reads a sentence such as “tech YouTubers over 100K who review gadgets, budget 500–2000” into the "
            "filters of `GET /api/v1/creators` and returns one page of matching creators with `search_insights`."
            "\n\n**How the sentence is read.** When the server has an OpenAI key, the model is asked for the "
            "filters as JSON under a strict schema (platforms, content categories, countries, languages, "
            "currencies and orderings from fixed lists; follower, engagement and price bounds). Its answer is "
            "validated again here: any value outside those lists or ranges, a minimum above its maximum, a "
            "refusal or text that is not JSON makes the whole answer rejected. Then, and when there is no key, "
            "the call times out (`OPENAI_TIMEOUT_SECONDS`, no retry) or fails, a deterministic parser reads the "
            "sentence (numbers with K/M, budgets with $, €, £, ₹, platforms and nicknames, categories and "
            "synonyms, countries and demonyms, languages, verified, available); `search_insights.source` and "
            "`fallback_reason` say which happened. The search itself never fails because the model did."
            "\n\nFor a brand, results carry `match_percentage`/`match_status` against its stated preferences. "
            "Throttled per user (scope `ai_search`); 429 in the error envelope with `retry_after_seconds`."
        ),
        request=AISearchRequestSerializer,
        responses={
            200: AISearchResponseSerializer,
            400: OpenApiResponse(ErrorEnvelope, description="`validation_error`: query missing, shorter than 3 or "
                                 "longer than 500 characters, or limit/offset out of range."),
            429: OpenApiResponse(ErrorEnvelope, description="`throttled`: too many AI searches; try again after "
                                 "`details.retry_after_seconds`."),
        },
        examples=[OpenApiExample("Sentence", request_only=True, value={
            "query": "tech YouTubers over 100K who review gadgets, budget 500–2000", "limit": 20, "offset": 0})],
    )
    def post(self, request):
        from brands.matching import target_for_brand
        from brands.selectors.discovery import creator_search
        from brands.selectors.shortlists import saved_creator_ids

        data = AISearchRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        interpretation = ai_search.interpret(data.validated_data["query"])
        user = request.user
        page = creator_search(
            query=interpretation.query,
            viewer=user,
            target=target_for_brand(user) if user.is_brand else None,
            limit=data.validated_data["limit"],
            offset=data.validated_data["offset"],
        )
        saved_ids = (saved_creator_ids(brand=user, creator_ids=[card.creator_id for card in page.cards])
                     if user.is_brand and page.cards else set())
        context = {"request": request, "saved_ids": saved_ids}
        return Response({
            "results": CreatorCardSerializer(page.cards, many=True, context=context).data,
            "total": page.total,
            "total_is_exact": page.total_is_exact,
            "search_insights": ai_search.search_insights(interpretation, page.cards),
        })


urlpatterns = [
    path("creators/search", AISearchView.as_view(), name="api-creators-search"),
]
