"""The brand's cart and checkout: `GET /cart`, `POST /cart/items`, `PATCH|DELETE /cart/items/<id>`,
`POST /cart/checkout`. Brands only (403 for other accounts)."""

from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle, UserRateThrottle
from rest_framework.views import APIView

from influmojo.converters import MAX_ID
from influmojo.permissions import Actor, IsBrand
from influmojo.schema import ErrorEnvelope

from ..models import UsageRights
from ..selectors.cart import cart_get
from ..services import cart as services
from ..services import checkout as checkout_services
from .serializers import PartySerializer, PaymentOutcomeSerializer, UploadField

TAGS = ["cart"]
QUANTITY = {"min_value": services.QUANTITY_RANGE[0], "max_value": services.QUANTITY_RANGE[1]}


# --- Shapes ---------------------------------------------------------------------------------------------------
class CartLineSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="item.pk")
    kind = serializers.SerializerMethodField()
    package_id = serializers.IntegerField(source="item.package_id", allow_null=True)
    offer_id = serializers.IntegerField(source="item.offer_id", allow_null=True)
    creator = PartySerializer()
    title = serializers.CharField()
    unit_price = serializers.DecimalField(max_digits=12, decimal_places=2)
    quantity = serializers.IntegerField()
    line_total = serializers.DecimalField(max_digits=12, decimal_places=2)
    currency = serializers.CharField()
    duration_days = serializers.IntegerField(allow_null=True)
    revisions = serializers.IntegerField()
    available = serializers.BooleanField(help_text="False when the package is off sale or the offer expired.")
    problem = serializers.CharField()

    def get_kind(self, line) -> str:
        return "package" if line.item.package_id else "offer"


class CurrencyTotalSerializer(serializers.Serializer):
    currency = serializers.CharField()
    subtotal = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="What you pay.")
    platform_fee = serializers.DecimalField(
        max_digits=12, decimal_places=2, help_text="The platform's share, taken from the creators' side.")
    creator_amount = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="What the creators receive.")
    lines = serializers.IntegerField()
    creators = serializers.IntegerField(help_text="Orders a checkout of this currency places (one per creator).")


class CartSerializer(serializers.Serializer):
    lines = CartLineSerializer(many=True)
    totals = CurrencyTotalSerializer(many=True, help_text="One per currency of the orderable lines.")
    fee_rate = serializers.DecimalField(max_digits=5, decimal_places=4)
    can_checkout = serializers.BooleanField(help_text="Something orderable, all in one currency.")
    problems = serializers.ListField(child=serializers.CharField())


class CartItemCreateSerializer(serializers.Serializer):
    package_id = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    quantity = serializers.IntegerField(default=1, **QUANTITY)


class CartItemUpdateSerializer(serializers.Serializer):
    quantity = serializers.IntegerField(**QUANTITY)


class CheckoutSerializer(serializers.Serializer):
    item_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), required=False, allow_empty=False,
        max_length=100, help_text="The cart lines to check out; all of them when left out.",
    )
    requirements = serializers.CharField(max_length=10000, help_text="The brief, for every creator of the checkout.")
    deadline = serializers.DateTimeField(
        help_text="Delivery due; in the future and at least the longest delivery time of the lines away.")
    usage_rights = serializers.ChoiceField(choices=UsageRights.choices, default=UsageRights.ORGANIC)
    usage_notes = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    attachments = serializers.ListField(
        child=UploadField(), required=False, default=list,
        help_text="multipart only: product shots, guidelines (images, PDF, video, Office, text; checked by content).",
    )


# --- Views ------------------------------------------------------------------------------------------------------
def cart_response(request) -> Response:
    return Response(CartSerializer(cart_get(actor=Actor.of(request.user))).data)


class CartView(APIView):
    permission_classes = [IsBrand]

    @extend_schema(tags=TAGS, summary="Your cart",
                   description="Lines of several creators, totals per currency and the platform-fee preview.",
                   responses=CartSerializer)
    def get(self, request):
        return cart_response(request)


class CartItemListView(APIView):
    permission_classes = [IsBrand]

    @extend_schema(
        tags=TAGS,
        summary="Add a package to the cart",
        description="Adding a package already in the cart adds to its quantity (1–10 per line). 404 for an "
                    "unknown package or a private creator, 409 `package_inactive` for one off sale.",
        request=CartItemCreateSerializer,
        responses={201: CartSerializer, 409: OpenApiResponse(ErrorEnvelope, description="`package_inactive`.")},
    )
    def post(self, request):
        serializer = CartItemCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.cart_add_package(actor=Actor.of(request.user), **serializer.validated_data)
        response = cart_response(request)
        response.status_code = 201
        return response


class CartItemDetailView(APIView):
    permission_classes = [IsBrand]

    @extend_schema(tags=TAGS, summary="Change a line's quantity",
                   description="Package lines only: an offer is bought as offered (409 `offer_quantity_fixed`).",
                   request=CartItemUpdateSerializer,
                   responses={200: CartSerializer, 409: OpenApiResponse(ErrorEnvelope)})
    def patch(self, request, item_id: int):
        serializer = CartItemUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.cart_item_update(item_id=item_id, actor=Actor.of(request.user), **serializer.validated_data)
        return cart_response(request)

    @extend_schema(tags=TAGS, summary="Remove a line",
                   description="An offer's line puts the offer back to pending (accept it again until it expires).",
                   request=None, responses=CartSerializer)
    def delete(self, request, item_id: int):
        services.cart_item_remove(item_id=item_id, actor=Actor.of(request.user))
        return cart_response(request)


class CheckoutView(APIView):
    permission_classes = [IsBrand]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    throttle_classes = [UserRateThrottle, ScopedRateThrottle]
    throttle_scope = "uploads"

    @extend_schema(
        tags=TAGS,
        summary="Check out",
        description=(
            "Places one order per creator (priced as the packages and offers are now; the fee rate is frozen on "
            "each) and starts one payment for them: answer the client secret (Stripe) or the sandbox's "
            "`confirm_url`. The orders become paid when the gateway confirms. JSON, or multipart with "
            "`attachments`. 400 `mixed_currencies` (select the lines of one currency), `deadline_too_soon`, "
            "`cart_empty`, `invalid_file` / `file_too_large` / `too_many_files`; 409 `cart_item_unavailable`. "
            "When the gateway cannot be reached the orders are still placed (201, `payment_error`)."
        ),
        request={"application/json": CheckoutSerializer, "multipart/form-data": CheckoutSerializer},
        responses={201: PaymentOutcomeSerializer,
                   409: OpenApiResponse(ErrorEnvelope, description="`cart_item_unavailable`.")},
    )
    def post(self, request):
        serializer = CheckoutSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        outcome = checkout_services.checkout(
            actor=Actor.of(request.user), item_ids=data.get("item_ids"), requirements=data["requirements"],
            deadline=data["deadline"], usage_rights=data["usage_rights"], usage_notes=data["usage_notes"],
            attachments=data["attachments"],
        )
        return Response(PaymentOutcomeSerializer(outcome, context={"request": request}).data, status=201)


urlpatterns = [
    path("cart", CartView.as_view(), name="api_cart"),
    path("cart/items", CartItemListView.as_view(), name="api_cart_items"),
    path("cart/items/<id:item_id>", CartItemDetailView.as_view(), name="api_cart_item"),
    path("cart/checkout", CheckoutView.as_view(), name="api_cart_checkout"),
]
