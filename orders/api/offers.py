"""Custom offers: `GET|POST /offers`, `GET /offers/<id>`, `POST /offers/<id>/{accept,decline,withdraw}`.

A creator makes an offer to one brand (optionally in reply to one of their orders); the brand accepts it into
its cart or declines; the creator withdraws it until it is ordered.
"""

from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.serializers import vocabulary
from creators.models import ContentType, Platform
from creators.services.packages import PRICE_RANGE
from influmojo.converters import MAX_ID
from influmojo.pagination import LIMIT_OFFSET_PARAMETERS, LimitOffsetPagination
from influmojo.permissions import Actor, IsBrand, IsCreator
from influmojo.schema import ErrorEnvelope

from ..models import CustomOffer
from ..selectors import offers as selectors
from ..services import offers as services
from .serializers import OfferSerializer

TAGS = ["offers"]
CONFLICT = OpenApiResponse(ErrorEnvelope, description="`invalid_transition` or `offer_expired`.")


class OfferCreateSerializer(serializers.Serializer):
    brand_id = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    in_reply_to_order_id = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, allow_null=True,
                                                    default=None, help_text="One of your orders with this brand.")
    title = serializers.CharField(max_length=120)
    description = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    platform = serializers.ChoiceField(choices=Platform.choices)
    content_type = serializers.ChoiceField(choices=ContentType.choices)
    quantity = serializers.IntegerField(min_value=1, max_value=100, default=1)
    revisions = serializers.IntegerField(min_value=0, max_value=20, default=1)
    duration_days = serializers.IntegerField(min_value=1, max_value=365, required=False, allow_null=True,
                                             default=None)
    price = serializers.DecimalField(max_digits=9, decimal_places=2, min_value=PRICE_RANGE[0],
                                     max_value=PRICE_RANGE[1])
    currency = vocabulary("currencies", default="USD")
    expires_in_days = serializers.IntegerField(min_value=services.EXPIRY_DAYS_RANGE[0],
                                               max_value=services.EXPIRY_DAYS_RANGE[1],
                                               default=services.DEFAULT_EXPIRY_DAYS)


class OfferFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=CustomOffer.Status.choices, required=False)


class OfferAcceptedSerializer(OfferSerializer):
    cart_item_id = serializers.IntegerField(source="cart_item.pk")

    class Meta(OfferSerializer.Meta):
        fields = [*OfferSerializer.Meta.fields, "cart_item_id"]
        read_only_fields = fields


class OfferListView(APIView):
    permission_classes = [IsAuthenticated]
    pagination_class = LimitOffsetPagination

    def get_permissions(self):
        return [IsCreator()] if self.request.method == "POST" else super().get_permissions()

    @extend_schema(tags=TAGS, summary="Custom offers",
                   description="A brand's offers received, a creator's offers sent; newest first.",
                   parameters=[OfferFilterSerializer, *LIMIT_OFFSET_PARAMETERS], responses=OfferSerializer(many=True))
    def get(self, request):
        filters = OfferFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        offers = selectors.offer_list(actor=Actor.of(request.user), **filters.validated_data)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(offers, request, view=self)
        return paginator.get_paginated_response(OfferSerializer(page, many=True).data)

    @extend_schema(tags=TAGS, summary="Make a brand a custom offer",
                   description="Creators only. The brand is e-mailed; the offer expires after `expires_in_days`.",
                   request=OfferCreateSerializer, responses={201: OfferSerializer})
    def post(self, request):
        serializer = OfferCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        offer = services.offer_create(
            actor=Actor.of(request.user), brand_id=data.pop("brand_id"),
            in_reply_to_order_id=data.pop("in_reply_to_order_id"), expires_in_days=data.pop("expires_in_days"),
            data=data,
        )
        return Response(OfferSerializer(offer).data, status=201)


class OfferDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=TAGS, summary="One custom offer", description="Someone else's offer is 404.",
                   responses=OfferSerializer)
    def get(self, request, offer_id: int):
        return Response(OfferSerializer(selectors.offer_get(offer_id=offer_id, actor=Actor.of(request.user))).data)


class OfferAcceptView(APIView):
    permission_classes = [IsBrand]

    @extend_schema(tags=TAGS, summary="Accept an offer into your cart",
                   description="It becomes one cart line; check it out like a package.",
                   request=None, responses={201: OfferAcceptedSerializer, 409: CONFLICT})
    def post(self, request, offer_id: int):
        item = services.offer_accept(offer_id=offer_id, actor=Actor.of(request.user))
        offer = selectors.offer_get(offer_id=item.offer_id, actor=Actor.of(request.user))
        return Response(OfferAcceptedSerializer(offer).data, status=201)


class OfferDeclineView(APIView):
    permission_classes = [IsBrand]

    @extend_schema(tags=TAGS, summary="Decline an offer", request=None,
                   responses={200: OfferSerializer, 409: CONFLICT})
    def post(self, request, offer_id: int):
        services.offer_decline(offer_id=offer_id, actor=Actor.of(request.user))
        return Response(OfferSerializer(selectors.offer_get(offer_id=offer_id, actor=Actor.of(request.user))).data)


class OfferWithdrawView(APIView):
    permission_classes = [IsCreator]

    @extend_schema(tags=TAGS, summary="Withdraw your offer", description="Also out of the brand's cart.",
                   request=None, responses={200: OfferSerializer, 409: CONFLICT})
    def post(self, request, offer_id: int):
        services.offer_withdraw(offer_id=offer_id, actor=Actor.of(request.user))
        return Response(OfferSerializer(selectors.offer_get(offer_id=offer_id, actor=Actor.of(request.user))).data)


urlpatterns = [
    path("offers", OfferListView.as_view(), name="api_offers"),
    path("offers/<id:offer_id>", OfferDetailView.as_view(), name="api_offer"),
    path("offers/<id:offer_id>/accept", OfferAcceptView.as_view(), name="api_offer_accept"),
    path("offers/<id:offer_id>/decline", OfferDeclineView.as_view(), name="api_offer_decline"),
    path("offers/<id:offer_id>/withdraw", OfferWithdrawView.as_view(), name="api_offer_withdraw"),
]
