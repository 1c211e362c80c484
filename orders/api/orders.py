"""Orders: the list, one order, its timeline and versions, and every move on it (`POST /orders/<id>/<move>`).

Views: validate → one service or selector → serialize. Someone else's order answers 404, a move the order's
state or your side does not allow answers 409 (`invalid_transition`, or the rule's own code).
"""

from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle, UserRateThrottle
from rest_framework.views import APIView

from creators.api.reviews import ReviewSerializer
from influmojo.converters import MAX_ID
from influmojo.pagination import LIMIT_OFFSET_PARAMETERS, LimitOffsetPagination
from influmojo.permissions import Actor, IsBrand
from influmojo.schema import ErrorEnvelope

from ..models import Dispute
from ..selectors import orders as selectors
from ..selectors.orders import STATUS_FILTERS
from ..services import checkout as checkout_services
from ..services import disputes as dispute_services
from ..services import orders as services
from .serializers import (
    EventSerializer,
    OrderDetailSerializer,
    OrderSerializer,
    PaymentOutcomeSerializer,
    SubmissionSerializer,
    UploadField,
)

TAGS = ["orders"]
CONFLICT = OpenApiResponse(ErrorEnvelope, description="`invalid_transition` (wrong state or side) or the rule's code.")


def paginated(view: APIView, request, queryset, serializer_class) -> Response:
    paginator = view.pagination_class()
    page = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response(serializer_class(page, many=True, context={"request": request}).data)


def detail(request, order_id: int) -> Response:
    order = selectors.order_get(order_id=order_id, actor=Actor.of(request.user))
    return Response(OrderDetailSerializer(order, context={"request": request}).data)


# --- Input ----------------------------------------------------------------------------------------------------
class OrderFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=STATUS_FILTERS, required=False)
    q = serializers.CharField(max_length=100, required=False, allow_blank=True)
    brand_id = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    creator_id = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class FeedbackSerializer(serializers.Serializer):
    feedback = serializers.CharField(max_length=4000, help_text="What should change.")


class DeliverSerializer(serializers.Serializer):
    message = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    links = serializers.ListField(child=serializers.CharField(max_length=500), required=False, default=list,
                                  max_length=10, help_text="https:// links to the published or shared work.")
    files = serializers.ListField(child=UploadField(), required=False, default=list,
                                  help_text="multipart only; at most ORDER_ATTACHMENTS_MAX files.")


class DisputeCreateSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=Dispute.Reason.choices)
    description = serializers.CharField(max_length=4000)


class OrderReviewSerializer(serializers.Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=5)
    text = serializers.CharField(max_length=4000, allow_blank=True, required=False, default="")
    project_type = serializers.CharField(max_length=100, allow_blank=True, required=False, default="")


def valid(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


# --- Reads ------------------------------------------------------------------------------------------------------
class OrderListView(APIView):
    permission_classes = [IsAuthenticated]
    pagination_class = LimitOffsetPagination

    @extend_schema(
        tags=TAGS,
        summary="Your orders",
        description=(
            "A brand's orders placed, a creator's orders received (once paid), every order for agents; newest "
            "first. `status`: one status, or `active` / `finished`. `q`: part of the order number or of a "
            "line's title. `brand_id` / `creator_id` narrow an agent's list."
        ),
        parameters=[OrderFilterSerializer, *LIMIT_OFFSET_PARAMETERS],
        responses=OrderSerializer(many=True),
    )
    def get(self, request):
        filters = valid(OrderFilterSerializer, request.query_params)
        orders = selectors.order_list(actor=Actor.of(request.user), **filters)
        return paginated(self, request, orders, OrderSerializer)


class OrderDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        summary="One order",
        description="With the brief, attachments, timeline, every delivered version, the dispute, the payment's "
                    "state and `actions` (what you may do now). Someone else's order is 404.",
        responses=OrderDetailSerializer,
    )
    def get(self, request, order_id: int):
        return detail(request, order_id)


class OrderEventListView(APIView):
    permission_classes = [IsAuthenticated]
    pagination_class = LimitOffsetPagination

    @extend_schema(tags=TAGS, summary="An order's timeline", description="Oldest first.",
                   parameters=LIMIT_OFFSET_PARAMETERS, responses=EventSerializer(many=True))
    def get(self, request, order_id: int):
        events = selectors.order_events(order_id=order_id, actor=Actor.of(request.user))
        return paginated(self, request, events, EventSerializer)


class OrderDeliverableListView(APIView):
    permission_classes = [IsAuthenticated]
    pagination_class = LimitOffsetPagination

    @extend_schema(tags=TAGS, summary="Every delivered version of an order",
                   description="Oldest first, each with its files, links and the brand's decision.",
                   parameters=LIMIT_OFFSET_PARAMETERS, responses=SubmissionSerializer(many=True))
    def get(self, request, order_id: int):
        versions = selectors.order_submissions(order_id=order_id, actor=Actor.of(request.user))
        return paginated(self, request, versions, SubmissionSerializer)


# --- Moves --------------------------------------------------------------------------------------------------------
class _MoveView(APIView):
    permission_classes = [IsAuthenticated]


def _move_schema(summary: str, description: str, request=None, **extra):
    return extend_schema(tags=TAGS, summary=summary, description=description, request=request,
                         responses={200: OrderDetailSerializer, 409: CONFLICT}, **extra)


class OrderAcceptView(_MoveView):
    @_move_schema("Accept an order", "The creator, before `accept_by`: paid → in_progress.")
    def post(self, request, order_id: int):
        services.order_accept(order_id=order_id, actor=Actor.of(request.user))
        return detail(request, order_id)


class OrderDeclineView(_MoveView):
    @_move_schema("Decline an order", "The creator: paid → declined; the brand is refunded in full.",
                  request=ReasonSerializer)
    def post(self, request, order_id: int):
        data = valid(ReasonSerializer, request.data)
        services.order_decline(order_id=order_id, actor=Actor.of(request.user), reason=data["reason"])
        return detail(request, order_id)


class OrderExtendView(_MoveView):
    @_move_schema("Take more time to accept", "The creator, once, before `accept_by`: adds "
                  "ORDER_ACCEPT_EXTENSION_HOURS (409 `already_extended` the second time).")
    def post(self, request, order_id: int):
        services.order_extend_acceptance(order_id=order_id, actor=Actor.of(request.user))
        return detail(request, order_id)


class OrderDeliverView(_MoveView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    throttle_classes = [UserRateThrottle, ScopedRateThrottle]
    throttle_scope = "uploads"

    @_move_schema(
        "Deliver the work",
        "The creator: in_progress / revision_requested → delivered, with a message and at least one https link "
        "or file (multipart for files; images, PDF, video, Office, text — type checked from the bytes). Each "
        "delivery is a new version; the brand then has ORDER_REVIEW_DAYS to approve or ask for a revision.",
        request={"application/json": DeliverSerializer, "multipart/form-data": DeliverSerializer},
    )
    def post(self, request, order_id: int):
        data = valid(DeliverSerializer, request.data)
        services.order_deliver(order_id=order_id, actor=Actor.of(request.user), message=data["message"],
                               links=data["links"], files=data["files"])
        return detail(request, order_id)


class OrderRequestRevisionView(_MoveView):
    @_move_schema("Ask for a revision", "The brand: delivered → revision_requested, with feedback; 409 "
                  "`no_revisions_left` once the order's revisions are used.", request=FeedbackSerializer)
    def post(self, request, order_id: int):
        data = valid(FeedbackSerializer, request.data)
        services.order_request_revision(order_id=order_id, actor=Actor.of(request.user), feedback=data["feedback"])
        return detail(request, order_id)


class OrderApproveView(_MoveView):
    @_move_schema("Approve the delivery", "The brand: delivered → completed; the creator's share is released. "
                  "Then `POST /orders/<id>/review` leaves a verified review.", request=NoteSerializer)
    def post(self, request, order_id: int):
        data = valid(NoteSerializer, request.data)
        services.order_approve(order_id=order_id, actor=Actor.of(request.user), note=data["note"])
        return detail(request, order_id)


class OrderCancelView(_MoveView):
    @_move_schema(
        "Cancel, or ask to cancel",
        "The brand cancels at once an unpaid order, a paid one the creator has not accepted, or one past its "
        "deadline (paid orders are refunded in full). Otherwise this asks the other side; when the other side "
        "then cancels too, the order is cancelled by agreement and refunded. See `actions` and `cancellation`.",
        request=ReasonSerializer,
    )
    def post(self, request, order_id: int):
        data = valid(ReasonSerializer, request.data)
        services.order_cancel(order_id=order_id, actor=Actor.of(request.user), reason=data["reason"])
        return detail(request, order_id)


class OrderCancelWithdrawView(_MoveView):
    @_move_schema("Withdraw your cancellation request", "Only whoever asked; the order goes on.")
    def post(self, request, order_id: int):
        services.order_cancel_withdraw(order_id=order_id, actor=Actor.of(request.user))
        return detail(request, order_id)


class OrderDisputeView(_MoveView):
    @_move_schema("Open a dispute", "The brand or the creator of an active order: it is frozen with its funds "
                  "(no timer moves it) until support resolves it.", request=DisputeCreateSerializer)
    def post(self, request, order_id: int):
        data = valid(DisputeCreateSerializer, request.data)
        dispute_services.order_dispute(order_id=order_id, actor=Actor.of(request.user), **data)
        return detail(request, order_id)


class OrderPayView(APIView):
    permission_classes = [IsBrand]

    @extend_schema(
        tags=TAGS,
        summary="Pay an unpaid order again",
        description="The orders still waiting under this order's payment are paid together (its PaymentIntent "
                    "reused while it is payable). 409 `order_not_payable` once paid, `payment_processing` while "
                    "the gateway works on it.",
        request=None,
        responses={200: PaymentOutcomeSerializer, 409: CONFLICT},
    )
    def post(self, request, order_id: int):
        outcome = checkout_services.order_pay(order_id=order_id, actor=Actor.of(request.user))
        return Response(PaymentOutcomeSerializer(outcome, context={"request": request}).data)


class OrderReviewView(APIView):
    permission_classes = [IsBrand]

    @extend_schema(
        tags=TAGS,
        summary="Review the creator of a completed order",
        description="A verified review, one per order (409 `order_already_reviewed`).",
        request=OrderReviewSerializer,
        responses={201: ReviewSerializer, 409: CONFLICT},
    )
    def post(self, request, order_id: int):
        data = valid(OrderReviewSerializer, request.data)
        review = services.order_review(order_id=order_id, actor=Actor.of(request.user), data=data)
        return Response(ReviewSerializer(review).data, status=201)


urlpatterns = [
    path("orders", OrderListView.as_view(), name="api_orders"),
    path("orders/<id:order_id>", OrderDetailView.as_view(), name="api_order"),
    path("orders/<id:order_id>/events", OrderEventListView.as_view(), name="api_order_events"),
    path("orders/<id:order_id>/deliverables", OrderDeliverableListView.as_view(), name="api_order_deliverables"),
    path("orders/<id:order_id>/accept", OrderAcceptView.as_view(), name="api_order_accept"),
    path("orders/<id:order_id>/decline", OrderDeclineView.as_view(), name="api_order_decline"),
    path("orders/<id:order_id>/extend", OrderExtendView.as_view(), name="api_order_extend"),
    path("orders/<id:order_id>/deliver", OrderDeliverView.as_view(), name="api_order_deliver"),
    path("orders/<id:order_id>/request-revision", OrderRequestRevisionView.as_view(),
         name="api_order_request_revision"),
    path("orders/<id:order_id>/approve", OrderApproveView.as_view(), name="api_order_approve"),
    path("orders/<id:order_id>/cancel", OrderCancelView.as_view(), name="api_order_cancel"),
    path("orders/<id:order_id>/cancel/withdraw", OrderCancelWithdrawView.as_view(), name="api_order_cancel_withdraw"),
    path("orders/<id:order_id>/dispute", OrderDisputeView.as_view(), name="api_order_dispute"),
    path("orders/<id:order_id>/pay", OrderPayView.as_view(), name="api_order_pay"),
    path("orders/<id:order_id>/review", OrderReviewView.as_view(), name="api_order_review"),
]
