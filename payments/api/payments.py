"""Payments: a brand's list, one payment with its orders and refunds, its receipt as PDF, the dashboard (per
role), paying several unpaid orders at once, and the platform fee report for the team.

Views: validate → one service or selector → serialize. Someone else's payment answers 404.
"""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from influmojo.pagination import LIMIT_OFFSET_PARAMETERS, LimitOffsetPagination
from influmojo.permissions import Actor, IsAgent, IsBrand
from orders.api.serializers import PaymentOutcomeSerializer
from orders.services.checkout import orders_pay
from payments import selectors
from payments.selectors import documents
from payments.views.pdf import pdf_response, receipt_document

from .common import CONFLICT, GATEWAY_ERROR, PDF, TAGS, IsPayer, PDFView, paginated, valid
from .serializers import (
    BulkPaySerializer,
    DashboardSerializer,
    FeeMonthSerializer,
    FeeReportFilterSerializer,
    PaymentDetailSerializer,
    PaymentFilterSerializer,
    PaymentSerializer,
)


class PaymentListView(APIView):
    permission_classes = [IsPayer]
    pagination_class = LimitOffsetPagination

    @extend_schema(
        tags=TAGS, summary="Your payments",
        description="A brand's payments, newest first, each with the orders it covers (agents: everyone's). "
                    "`status`: one of the payment statuses.",
        parameters=[PaymentFilterSerializer, *LIMIT_OFFSET_PARAMETERS], responses=PaymentSerializer(many=True),
    )
    def get(self, request):
        filters = valid(PaymentFilterSerializer, request.query_params)
        payments = selectors.payment_list(actor=Actor.of(request.user), status=filters.get("status"))
        return paginated(self, request, payments, PaymentSerializer)


class PaymentDetailView(APIView):
    permission_classes = [IsPayer]

    @extend_schema(tags=TAGS, summary="One payment",
                   description="With its orders (and what became of each one's money), its refunds and `actions`.",
                   responses=PaymentDetailSerializer)
    def get(self, request, payment_id: int):
        payment = selectors.payment_get(actor=Actor.of(request.user), payment_id=payment_id)
        return Response(PaymentDetailSerializer(payment, context={"request": request}).data)


class PaymentReceiptView(PDFView):
    permission_classes = [IsPayer]

    @extend_schema(
        tags=TAGS, summary="A payment's receipt (PDF)", operation_id="payments_receipt_pdf",
        description="The receipt of a paid payment: orders and lines, refunds, dates, the card, TEST MODE for the "
                    "sandbox. Before it is paid, the same document is an invoice of what is due. 409 "
                    "`receipt_not_available` for a cancelled payment.",
        responses={**PDF, 409: CONFLICT},
    )
    def get(self, request, payment_id: int):
        receipt = documents.payment_receipt(actor=Actor.of(request.user), payment_id=payment_id)
        return pdf_response(receipt_document(receipt), receipt.filename)


class PaymentDashboardView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAGS, summary="Payments dashboard",
        description="Per currency: total, pending, completed and refunded, with the newest rows. Brands: their "
                    "payments, spend from the ledger and charges per month. Creators: their payouts and earnings "
                    "per month. Agents: every payment.",
        responses=DashboardSerializer,
    )
    def get(self, request):
        overview = documents.payments_overview(actor=Actor.of(request.user))
        return Response(DashboardSerializer(overview, context={"request": request}).data)


class PaymentBulkView(APIView):
    permission_classes = [IsBrand]

    @extend_schema(
        tags=TAGS, summary="Pay several unpaid orders at once",
        description="One payment for your orders waiting for payment (one currency). The same set under a payment "
                    "that can still be paid reuses it and its PaymentIntent; otherwise their old payments are "
                    "abandoned and a new one starts. Answers the orders and how to pay: Stripe's client secret and "
                    "publishable key, or the sandbox's confirmation page. When the provider cannot be reached, "
                    "`payment` is null and `payment_error` says why; call again. 404 for an order that is not "
                    "yours, 409 `order_not_payable` / `payment_processing`, 400 `mixed_currencies`.",
        request=BulkPaySerializer, responses={200: PaymentOutcomeSerializer, 409: CONFLICT, 502: GATEWAY_ERROR},
    )
    def post(self, request):
        data = valid(BulkPaySerializer, request.data)
        outcome = orders_pay(actor=Actor.of(request.user), order_ids=data["order_ids"])
        return Response(PaymentOutcomeSerializer(outcome, context={"request": request}).data)


class FeeReportView(APIView):
    permission_classes = [IsAgent]
    pagination_class = LimitOffsetPagination

    @extend_schema(
        tags=TAGS, summary="Platform fee report",
        description="The Influmojo team: platform fees earned per month and currency (from the ledger's releases), "
                    "newest month first, with the number of orders they came from.",
        parameters=[FeeReportFilterSerializer, *LIMIT_OFFSET_PARAMETERS], responses=FeeMonthSerializer(many=True),
    )
    def get(self, request):
        filters = valid(FeeReportFilterSerializer, request.query_params)
        rows = selectors.platform_fee_report(actor=Actor.of(request.user), **documents.day_bounds(**filters))
        return paginated(self, request, rows, FeeMonthSerializer)


urlpatterns = [
    path("payments", PaymentListView.as_view(), name="api_payments"),
    path("payments/dashboard", PaymentDashboardView.as_view(), name="api_payments_dashboard"),
    path("payments/bulk", PaymentBulkView.as_view(), name="api_payments_bulk"),
    path("payments/fees", FeeReportView.as_view(), name="api_payments_fees"),
    path("payments/<id:payment_id>", PaymentDetailView.as_view(), name="api_payment"),
    path("payments/<id:payment_id>/receipt.pdf", PaymentReceiptView.as_view(), name="api_payment_receipt"),
]
