"""Public creator detail, the portfolio (media kit) as data, and the creator's page address.

GET /api/v1/creators/<id>            profile, accounts with latest numbers, active packages, rating, recent media,
                                     audience quality; for a brand with stated preferences, campaign_match
GET /api/v1/creators/<id>/portfolio  the same plus follower history per account and the latest reviews
PATCH /api/v1/profile/slug           move the public page to a new address (the old one redirects)
"""

from django.urls import path, reverse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import onboarding
from brands import audience, matching
from brands.models import CreatorCard
from creators.models import ContentType, Platform, SocialAccount
from creators.selectors import profiles as selectors
from creators.services import profiles as services
from influmojo.permissions import IsCreator
from influmojo.schema import ErrorEnvelope


def public_page_url(request, slug: str) -> str:
    return request.build_absolute_uri(reverse("creator_portfolio", kwargs={"slug": slug}))


# --- Output shapes --------------------------------------------------------------------------------
class CreatorLocationSerializer(serializers.Serializer):
    country = serializers.CharField(help_text="ISO 3166-1 alpha-2; empty when not given.")
    country_name = serializers.SerializerMethodField()
    state = serializers.CharField()
    city = serializers.CharField()

    def get_country_name(self, profile) -> str:
        return onboarding.COUNTRIES.get(profile.country, "")


class CreatorRateRangeSerializer(serializers.Serializer):
    min = serializers.DecimalField(source="min_rate", max_digits=12, decimal_places=2, allow_null=True)
    max = serializers.DecimalField(source="max_rate", max_digits=12, decimal_places=2, allow_null=True)
    currency = serializers.CharField()


class CreatorRatingSerializer(serializers.Serializer):
    average = serializers.DecimalField(
        max_digits=2, decimal_places=1, allow_null=True, help_text="Mean of published reviews; null without any."
    )
    count = serializers.IntegerField(help_text="Number of published reviews.")


class CreatorAccountSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="account_id", help_text="The social account.")
    platform = serializers.ChoiceField(choices=Platform.choices)
    username = serializers.CharField()
    profile_url = serializers.CharField()
    followers = serializers.IntegerField()
    engagement_rate = serializers.DecimalField(
        max_digits=7, decimal_places=4, allow_null=True,
        help_text="Percent: average (likes + comments) per post over followers; null when not known.",
    )
    avg_views = serializers.IntegerField(allow_null=True)
    verified = serializers.BooleanField(
        help_text="Connected by OAuth, numbers read from the platform; false for self-reported numbers."
    )
    state = serializers.ChoiceField(choices=SocialAccount.State.choices)
    last_synced_at = serializers.DateTimeField(allow_null=True)


class CreatorFollowersPointSerializer(serializers.Serializer):
    date = serializers.DateField()
    followers = serializers.IntegerField()

    def to_representation(self, point):
        day, followers = point
        return super().to_representation({"date": day, "followers": followers})


class CreatorPortfolioAccountSerializer(CreatorAccountSerializer):
    history = CreatorFollowersPointSerializer(
        many=True, help_text=f"Daily followers over the last {selectors.HISTORY_DAYS} days, oldest first."
    )


class CreatorPackageSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    platform = serializers.ChoiceField(choices=Platform.choices)
    content_type = serializers.ChoiceField(choices=ContentType.choices)
    quantity = serializers.IntegerField()
    revisions = serializers.IntegerField()
    duration_days = serializers.IntegerField(allow_null=True, help_text="Delivery time in days.")
    price = serializers.DecimalField(max_digits=12, decimal_places=2)
    currency = serializers.CharField()
    description = serializers.CharField()


class CreatorMediaSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="media.id")
    platform = serializers.ChoiceField(choices=Platform.choices)
    media_type = serializers.CharField(source="media.media_type")
    caption = serializers.CharField(source="media.caption")
    thumbnail_url = serializers.CharField(source="media.thumbnail_url")
    permalink = serializers.CharField(source="media.permalink")
    likes = serializers.IntegerField(source="media.likes")
    comments = serializers.IntegerField(source="media.comments")
    views = serializers.IntegerField(source="media.views", allow_null=True)
    posted_at = serializers.DateTimeField(source="media.posted_at")


class CreatorReviewSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    rating = serializers.IntegerField(min_value=1, max_value=5)
    text = serializers.CharField()
    project_type = serializers.CharField()
    client_name = serializers.CharField(
        source="reviewer_name", help_text="The client named on the review, else the reviewing brand's company."
    )
    is_verified = serializers.BooleanField(help_text="Left by a brand after a completed order.")
    created_at = serializers.DateTimeField()



class AudienceQualityDetailSerializer(serializers.Serializer):
    score = serializers.IntegerField(allow_null=True, help_text="0–100; null until there is enough data.")
    confidence = serializers.CharField(allow_null=True, help_text="low | medium | high; null without a score.")
    basis = serializers.DictField(help_text="The inputs the score was computed from, factor by factor.")
    computed_from = serializers.CharField(help_text="What the score is computed from, in one plain sentence.")

    def to_representation(self, card):
        if card is None:
            return {"score": None, "confidence": None, "basis": {}, "computed_from": audience.explain({})}
        basis = card.audience_quality_basis if isinstance(card.audience_quality_basis, dict) else {}
        return {
            "score": card.audience_quality,
            "confidence": card.audience_quality_confidence or None,
            "basis": basis,
            "computed_from": audience.explain(basis),
        }


class MatchReasonSerializer(serializers.Serializer):
    factor = serializers.ChoiceField(choices=list(matching.WEIGHTS), help_text="The factor of the match score.")
    description = serializers.CharField(help_text="Why, in plain words.")
    impact = serializers.IntegerField(help_text="Points this factor added to match_percentage (0..weight).")
    weight = serializers.IntegerField(help_text="The most points this factor can add.")


class CampaignMatchSerializer(serializers.Serializer):
    match_percentage = serializers.IntegerField(source="percentage", help_text="0–100; the reasons' impacts add up to it.")
    match_status = serializers.ChoiceField(source="status", choices=["high", "medium", "low"])
    reasons = MatchReasonSerializer(many=True)


class CreatorDetailSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="user.id", help_text="The creator's user id.")
    slug = serializers.CharField(source="profile.slug")
    url = serializers.SerializerMethodField(help_text="The public page (media kit).")
    display_name = serializers.CharField()
    avatar = serializers.SerializerMethodField()
    bio = serializers.CharField(source="profile.bio")
    content_categories = serializers.ListField(child=serializers.CharField(), source="profile.content_categories")
    niches = serializers.ListField(child=serializers.CharField(), source="profile.niches")
    languages = serializers.ListField(child=serializers.CharField(), source="profile.languages")
    content_types = serializers.ListField(child=serializers.CharField(), source="profile.content_types")
    location = CreatorLocationSerializer(source="profile")
    rates = CreatorRateRangeSerializer(source="profile", help_text="The creator's budget range per deliverable.")
    availability = serializers.CharField(source="profile.availability")
    verified = serializers.BooleanField(source="profile.verified", help_text="Identity checked by Influmojo.")
    rating = CreatorRatingSerializer()
    total_followers = serializers.IntegerField()
    is_public = serializers.BooleanField(help_text="False only in the owner's own view of a private page.")
    is_owner = serializers.BooleanField()
    social_accounts = CreatorAccountSerializer(source="channels", many=True)
    packages = CreatorPackageSerializer(many=True, help_text="Active packages, cheapest first.")
    recent_media = CreatorMediaSerializer(
        source="media", many=True, help_text=f"Newest posts across accounts, at most {selectors.MEDIA_ON_PAGE}."
    )
    audience_quality = serializers.SerializerMethodField(
        help_text="Audience quality from the creator's discovery card (null score until computed)."
    )

    def get_url(self, page) -> str:
        return public_page_url(self.context["request"], page.profile.slug)

    def get_avatar(self, page) -> str | None:
        avatar = page.user.avatar
        return self.context["request"].build_absolute_uri(avatar.url) if avatar else None

    @extend_schema_field(AudienceQualityDetailSerializer)
    def get_audience_quality(self, page) -> dict:
        return AudienceQualityDetailSerializer().to_representation(creator_card(page))

    def to_representation(self, page):
        data = super().to_representation(page)
        target = self.context.get("target")
        card = creator_card(page)
        if target is not None and card is not None:
            data["campaign_match"] = CampaignMatchSerializer(matching.match_for(card, target)).data
        return data


def creator_card(page) -> CreatorCard | None:
    """The creator's discovery card, loaded with the profile (select_related); None before it is built."""
    try:
        return page.user.card
    except CreatorCard.DoesNotExist:
        return None


class CreatorMatchDetailSerializer(CreatorDetailSerializer):
    """The detail as documented: campaign_match is present only for a brand with a target."""

    campaign_match = CampaignMatchSerializer(
        required=False,
        help_text=(
            "Only for a signed-in brand that stated preferences (industries, audience, platforms or budget): how "
            "well the creator fits them, factor by factor. " + matching.FORMULA_SUMMARY
        ),
    )


class CreatorPortfolioSerializer(CreatorDetailSerializer):
    social_accounts = CreatorPortfolioAccountSerializer(source="channels", many=True)
    reviews = CreatorReviewSerializer(
        many=True, help_text=f"The latest {selectors.REVIEWS_ON_PAGE} published reviews, newest first."
    )


class ProfileSlugSerializer(serializers.Serializer):
    slug = serializers.CharField(max_length=80, help_text=services.SLUG_RULES)


class ProfileSlugResultSerializer(serializers.Serializer):
    slug = serializers.CharField()
    url = serializers.CharField(help_text="The public page at its new address.")


# --- Views --------------------------------------------------------------------------------------------
PRIVATE_NOTE = (
    "Private profiles and accounts that are not active answer 404 to everyone but their owner, who gets "
    "`is_public: false`."
)
CREATOR_ID = OpenApiParameter("creator_id", int, OpenApiParameter.PATH, description="The creator's user id.")


class CreatorDetailView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        tags=["creators"],
        summary="A creator's public profile",
        description=(
            "Profile, social accounts with their latest numbers (`verified` for OAuth-connected ones), active "
            "packages, rating over published reviews, recent media and `audience_quality` (score, confidence, "
            "the inputs, and a sentence saying what it is computed from). For a signed-in brand with stated "
            "preferences, `campaign_match` says how well the creator fits them: `match_percentage`, "
            "`match_status` and `reasons` (factor, description, impact = points added). Campaign criteria will "
            f"replace the brand's preferences once campaigns exist.\n\n**Match score.** {matching.FORMULA_SUMMARY}"
            f"\n\nNo sign-in needed. {PRIVATE_NOTE}"
        ),
        parameters=[CREATOR_ID],
        responses=CreatorMatchDetailSerializer,
    )
    def get(self, request, creator_id: int):
        page = selectors.creator_public_profile(creator_id=creator_id, viewer=request.user)
        context = {"request": request, "target": matching.target_for_brand(request.user)}
        return Response(CreatorDetailSerializer(page, context=context).data)


class CreatorPortfolioView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        tags=["creators"],
        summary="A creator's portfolio (media kit) as data",
        description=(
            "Everything the public page /p/<slug>/ shows, in one call: the creator detail plus each account's "
            f"daily follower history ({selectors.HISTORY_DAYS} days) for a chart and the latest published "
            f"reviews. No sign-in needed. {PRIVATE_NOTE}"
        ),
        parameters=[CREATOR_ID],
        responses=CreatorPortfolioSerializer,
    )
    def get(self, request, creator_id: int):
        page = selectors.creator_public_profile(creator_id=creator_id, viewer=request.user)
        return Response(CreatorPortfolioSerializer(page, context={"request": request}).data)


class ProfileSlugView(APIView):
    permission_classes = [IsCreator]

    @extend_schema(
        tags=["profile"],
        summary="Change the address of your public page",
        description=(
            "Moves /p/<slug>/ to the new slug; the old address keeps redirecting (301). "
            "400 `invalid_slug` for a malformed slug; 409 `slug_taken` when another creator uses it now or "
            "used it before. Your own old slugs can be taken back."
        ),
        request=ProfileSlugSerializer,
        responses={
            200: ProfileSlugResultSerializer,
            409: OpenApiResponse(ErrorEnvelope, description="The slug is taken (`slug_taken`)."),
        },
    )
    def patch(self, request):
        serializer = ProfileSlugSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        profile = services.creator_change_slug(creator=request.user, new_slug=serializer.validated_data["slug"])
        result = {"slug": profile.slug, "url": public_page_url(request, profile.slug)}
        return Response(ProfileSlugResultSerializer(result).data)


urlpatterns = [
    path("creators/<id:creator_id>", CreatorDetailView.as_view(), name="api_creator_detail"),
    path("creators/<id:creator_id>/portfolio", CreatorPortfolioView.as_view(), name="api_creator_portfolio"),
    path("profile/slug", ProfileSlugView.as_view(), name="api_profile_slug"),
]
