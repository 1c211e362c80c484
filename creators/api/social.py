"""The creator's social accounts: list, add (typed in, or finish an OAuth the app started), remove, sync.

Output never carries a token: SocialAccountSerializer names its fields one by one, and the selectors
do not even load the token columns.
"""

from urllib.parse import urlsplit

from django.urls import path
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, PolymorphicProxySerializer, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle, UserRateThrottle
from rest_framework.views import APIView

from accounts.api.serializers import MAX_HANDLE_LENGTH, SOCIAL_HANDLE_RE
from influmojo.pagination import LimitOffsetPagination
from influmojo.permissions import IsCreator
from influmojo.schema import ErrorEnvelope

from .. import platforms
from ..models import Platform, SocialAccount
from ..selectors import social as selectors
from ..services import social as services

TAGS = ["social accounts"]
MAX_FOLLOWERS = 10**10


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


# --- Serializers -----------------------------------------------------------------------------------------
class SocialAccountSerializer(serializers.ModelSerializer):
    verified = serializers.BooleanField(
        source="is_verified",
        read_only=True,
        help_text="Connected through the platform (OAuth): its numbers are measured.",
    )
    engagement_rate = serializers.DecimalField(
        max_digits=7,
        decimal_places=4,
        read_only=True,
        help_text="Percent: (average likes + average comments) per recent post ÷ followers × 100, over the "
        "newest 25 posts at the last sync. 0 for self-reported accounts.",
    )
    avg_views = serializers.IntegerField(
        read_only=True, help_text="Mean views of the recent posts whose platform reports views (YouTube, TikTok)."
    )

    class Meta:
        model = SocialAccount
        fields = [
            "id",
            "platform",
            "source",
            "state",
            "verified",
            "platform_user_id",
            "username",
            "display_name",
            "profile_url",
            "avatar_url",
            "followers",
            "following",
            "posts",
            "avg_views",
            "avg_likes",
            "avg_comments",
            "engagement_rate",
            "sync_status",
            "last_synced_at",
            "last_sync_error",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class SocialAccountsResultSerializer(serializers.Serializer):
    accounts = SocialAccountSerializer(many=True)


class SelfReportedAccountSerializer(serializers.Serializer):
    platform = serializers.ChoiceField(choices=Platform.choices)
    username = serializers.CharField(max_length=MAX_HANDLE_LENGTH + 1, help_text="The handle, without the leading @.")
    followers = serializers.IntegerField(
        min_value=0,
        max_value=MAX_FOLLOWERS,
        required=False,
        allow_null=True,
        default=None,
        help_text="As the creator reports it; shown as unverified.",
    )

    def validate_username(self, value: str) -> str:
        handle = value.strip().removeprefix("@")
        if not handle or len(handle) > MAX_HANDLE_LENGTH:
            raise serializers.ValidationError(f"Use 1–{MAX_HANDLE_LENGTH} characters.")
        if not SOCIAL_HANDLE_RE.match(handle):
            raise serializers.ValidationError("Use only letters, digits, dots, dashes and underscores.")
        return handle


class OAuthCodeSerializer(serializers.Serializer):
    platform = serializers.ChoiceField(
        choices=platforms.OAUTH_PLATFORM_CHOICES, help_text="Platforms connected by OAuth."
    )
    code = serializers.CharField(max_length=2048, help_text="The authorization code the platform gave the app.")
    redirect_uri = serializers.CharField(
        max_length=500, help_text="Exactly the redirect URI the app used to start the OAuth dialog."
    )
    code_verifier = serializers.CharField(
        max_length=128,
        required=False,
        default="",
        allow_blank=True,
        help_text="PKCE verifier, when the app started the dialog with a code challenge (YouTube, TikTok).",
    )

    def validate_redirect_uri(self, value: str) -> str:
        parts = urlsplit(value.strip())
        if not parts.scheme or not (parts.netloc or parts.path):
            raise serializers.ValidationError("Send the redirect URI used in the authorization request.")
        return value.strip()


CREATE_REQUEST = PolymorphicProxySerializer(
    component_name="SocialAccountCreate",
    serializers=[SelfReportedAccountSerializer, OAuthCodeSerializer],
    resource_type_field_name=None,
)


# --- Views -------------------------------------------------------------------------------------------------
class SocialAccountListView(APIView):
    permission_classes = [IsCreator]
    pagination_class = LimitOffsetPagination

    @extend_schema(
        tags=TAGS,
        summary="Your social accounts",
        description="Connected (verified) and self-reported (unverified) accounts with their latest numbers "
        "and sync state. Tokens are never part of the answer.",
        responses=SocialAccountSerializer(many=True),
    )
    def get(self, request):
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(selectors.social_accounts_of(creator=request.user), request, view=self)
        return paginator.get_paginated_response(SocialAccountSerializer(page, many=True).data)

    @extend_schema(
        tags=TAGS,
        summary="Add a self-reported account, or finish connecting one by OAuth",
        description=(
            "Two shapes:\n\n"
            "* **Self-reported** `{platform, username, followers}`: sets your typed-in handle on that platform "
            "(one per platform; sending another replaces it). Shown as unverified. 201 when new, 200 when replaced. "
            "409 if that handle is already connected by OAuth.\n"
            "* **OAuth** `{platform, code, redirect_uri[, code_verifier]}` (instagram, youtube, facebook, tiktok): "
            "the app ran the platform's OAuth dialog with Influmojo's client id and sends the code it got; we "
            "exchange it, store the tokens encrypted and connect every account granted (an Instagram login can "
            "grant several). A typed-in handle with the same username becomes verified. 201; the first sync "
            "is queued. 400 `platform_not_configured` when this server has no app for the platform, 400 "
            "`oauth_failed` when the platform refuses the code, 409 `account_taken` when another creator "
            "connected that account."
        ),
        request=CREATE_REQUEST,
        responses={
            201: OpenApiResponse(SocialAccountsResultSerializer, description="The accounts added or connected."),
            200: OpenApiResponse(SocialAccountsResultSerializer, description="The self-reported handle was replaced."),
            409: OpenApiResponse(ErrorEnvelope, description="`conflict` or `account_taken`."),
            502: OpenApiResponse(ErrorEnvelope, description="`platform_error`: the platform failed; try again later."),
            503: OpenApiResponse(ErrorEnvelope, description="`rate_limited`: details.retry_after_seconds."),
        },
        examples=[
            OpenApiExample(
                "Self-reported", value={"platform": "twitter", "username": "asha", "followers": 1200}, request_only=True
            ),
            OpenApiExample(
                "OAuth code from the app",
                request_only=True,
                value={
                    "platform": "youtube",
                    "code": "4/0AeanS0b…",
                    "redirect_uri": "com.influmojo.app:/oauth2redirect",
                    "code_verifier": "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
                },
            ),
        ],
    )
    def post(self, request):
        if isinstance(request.data, dict) and "code" in request.data:
            serializer = OAuthCodeSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            accounts = services.social_accounts_connect(
                creator=request.user, ip=client_ip(request), **serializer.validated_data
            )
            status = 201
        else:
            serializer = SelfReportedAccountSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            account, created = services.social_account_self_report(
                creator=request.user, ip=client_ip(request), **serializer.validated_data
            )
            accounts, status = [account], 201 if created else 200
        return Response({"accounts": SocialAccountSerializer(accounts, many=True).data}, status=status)


class SocialAccountDetailView(APIView):
    permission_classes = [IsCreator]

    @extend_schema(
        tags=TAGS,
        summary="Disconnect or remove one of your accounts",
        description="A connected account is disconnected: its tokens are erased, its history is kept and it "
        "stays listed as `disconnected` (connect it again to resume syncing). A self-reported or already "
        "disconnected account is removed. Someone else's account answers 404.",
        request=None,
        responses={204: None},
    )
    def delete(self, request, account_id: int):
        services.social_account_disconnect(creator=request.user, account_id=account_id, ip=client_ip(request))
        return Response(status=204)


class SocialAccountSyncView(APIView):
    permission_classes = [IsCreator]
    throttle_classes = [UserRateThrottle, ScopedRateThrottle]
    throttle_scope = "social_sync"

    @extend_schema(
        tags=TAGS,
        summary="Sync a connected account now",
        description="Queues a sync (`sync_status` becomes `queued`, then `running`, then `idle` or `failed` "
        "with `last_sync_error`). Asking again while one is under way queues nothing more. 409 for an "
        "account that is not connected by OAuth; 429 when asked too often.",
        request=None,
        responses={
            202: SocialAccountSerializer,
            409: OpenApiResponse(ErrorEnvelope, description="`invalid_transition`: the account is not connected."),
        },
    )
    def post(self, request, account_id: int):
        account = services.social_account_request_sync(
            account_id=account_id, creator=request.user, ip=client_ip(request)
        )
        return Response(SocialAccountSerializer(account).data, status=202)


urlpatterns = [
    path("social-accounts", SocialAccountListView.as_view(), name="api-social-accounts"),
    path("social-accounts/<id:account_id>", SocialAccountDetailView.as_view(), name="api-social-account"),
    path("social-accounts/<id:account_id>/sync", SocialAccountSyncView.as_view(), name="api-social-account-sync"),
]
