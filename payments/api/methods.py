"""A brand's saved cards: list, add one (a SetupIntent for Stripe.js, or the sandbox's test card page),
remove one, choose the default. Someone else's card answers 404."""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from influmojo.pagination import LIMIT_OFFSET_PARAMETERS, LimitOffsetPagination
from influmojo.permissions import Actor, IsBrand
from payments import selectors, services

from .common import GATEWAY_ERROR, TAGS, paginated
from .serializers import PaymentMethodSerializer, SetupSerializer


class PaymentMethodListView(APIView):
    permission_classes = [IsBrand]
    pagination_class = LimitOffsetPagination

    @extend_schema(tags=TAGS, summary="Your saved cards", description="The default card first.",
                   parameters=LIMIT_OFFSET_PARAMETERS, responses=PaymentMethodSerializer(many=True))
    def get(self, request):
        methods = selectors.payment_method_list(actor=Actor.of(request.user))
        return paginated(self, request, methods, PaymentMethodSerializer)

    @extend_schema(
        tags=TAGS, summary="Add a card",
        description="Starts saving a card: with Stripe, confirm `client_secret` with Stripe.js (`confirmSetup`) or "
                    "the mobile PaymentSheet; in the sandbox, open `confirm_url` and pick a test card. The card "
                    "appears in the list once the provider confirms it; the first card becomes the default.",
        request=None, responses={201: SetupSerializer, 502: GATEWAY_ERROR},
    )
    def post(self, request):
        setup = services.payment_method_setup(actor=Actor.of(request.user))
        return Response(SetupSerializer(setup, context={"request": request}).data, status=201)


class PaymentMethodDetailView(APIView):
    permission_classes = [IsBrand]

    @extend_schema(tags=TAGS, summary="Remove a saved card",
                   description="Detached from your customer at the provider, then forgotten here; the newest "
                               "remaining card becomes the default.",
                   responses={204: None, 502: GATEWAY_ERROR})
    def delete(self, request, payment_method_id: int):
        services.payment_method_remove(actor=Actor.of(request.user), payment_method_id=payment_method_id)
        return Response(status=204)


class PaymentMethodDefaultView(APIView):
    permission_classes = [IsBrand]

    @extend_schema(tags=TAGS, summary="Make a card the default", request=None, responses=PaymentMethodSerializer)
    def post(self, request, payment_method_id: int):
        method = services.payment_method_set_default(actor=Actor.of(request.user), payment_method_id=payment_method_id)
        return Response(PaymentMethodSerializer(method, context={"request": request}).data)


urlpatterns = [
    path("payment-methods", PaymentMethodListView.as_view(), name="api_payment_methods"),
    path("payment-methods/<id:payment_method_id>", PaymentMethodDetailView.as_view(), name="api_payment_method"),
    path("payment-methods/<id:payment_method_id>/default", PaymentMethodDefaultView.as_view(),
         name="api_payment_method_default"),
]
