"""A creator's money: earnings, payouts (and asking for the blocked ones), payout statements as PDF, and the
link to Stripe's onboarding for their payout account.

Views: validate → one service or selector → serialize. Someone else's payout answers 404.
"""

from django.urls import path, reverse
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from influmojo.pagination import LIMIT_OFFSET_PARAMETERS, LimitOffsetPagination
from influmojo.permissions import Actor, IsCreator
from payments import services
from payments.selectors import documents
from payments.views.pdf import pdf_response, statement_document

from .common import CONFLICT, GATEWAY_ERROR, PDF, TAGS, IsPayee, PDFView, paginated, valid
from .serializers import (
    EarningsSerializer,
    OnboardingLinkSerializer,
    PayoutFilterSerializer,
    PayoutReleaseSerializer,
    PayoutSerializer,
)


class EarningsView(APIView):
    permission_classes = [IsCreator]

    @extend_schema(
        tags=TAGS, summary="Your earnings",
        description="Per currency, from the ledger: total earned (after the platform fee), paid out, available "
                    "(earned, not transferred yet) and pending (still in escrow for your active orders). With "
                    "whether payouts can reach you, why not in words (`blocked_reason`), what is waiting, and "
                    "earnings per month.",
        responses=EarningsSerializer,
    )
    def get(self, request):
        overview = documents.earnings_overview(actor=Actor.of(request.user))
        return Response(EarningsSerializer(overview, context={"request": request}).data)


class PayoutListView(APIView):
    pagination_class = LimitOffsetPagination

    def get_permissions(self):
        return [IsCreator()] if self.request.method == "POST" else [IsPayee()]

    @extend_schema(
        tags=TAGS, summary="Your payouts",
        description="One per completed order: the creator's share (gross released, platform fee, net), newest "
                    "first, with a PDF statement each (agents: everyone's). `status`: blocked (waiting for your "
                    "payout setup), pending, paid, failed, reversed.",
        parameters=[PayoutFilterSerializer, *LIMIT_OFFSET_PARAMETERS], responses=PayoutSerializer(many=True),
    )
    def get(self, request):
        filters = valid(PayoutFilterSerializer, request.query_params)
        payouts = documents.payout_rows(actor=Actor.of(request.user), status=filters.get("status"))
        return paginated(self, request, payouts, PayoutSerializer)

    @extend_schema(
        tags=TAGS, summary="Send my waiting payouts",
        description="Asks the provider again about your payout account and, once it can receive payouts, sends "
                    "every payout that was waiting for it (`released`; empty when none was). Until then 409 "
                    "`payouts_not_set_up` (start with POST /payments/connect/onboarding) or "
                    "`onboarding_incomplete` (the message says what Stripe still needs).",
        request=None, responses={200: PayoutReleaseSerializer, 409: CONFLICT, 502: GATEWAY_ERROR},
    )
    def post(self, request):
        released = services.payouts_release(actor=Actor.of(request.user))
        return Response(PayoutReleaseSerializer({"released": released}, context={"request": request}).data)


class PayoutStatementView(PDFView):
    permission_classes = [IsPayee]

    @extend_schema(tags=TAGS, summary="A payout's statement (PDF)", operation_id="payouts_statement_pdf",
                   description="The order, what the brand paid, the gross released, the platform fee and the net "
                               "payout; TEST MODE for the sandbox.",
                   responses=PDF)
    def get(self, request, payout_id: int):
        statement = documents.payout_statement(actor=Actor.of(request.user), payout_id=payout_id)
        return pdf_response(statement_document(statement), statement.filename)


class OnboardingLinkView(APIView):
    permission_classes = [IsCreator]

    @extend_schema(
        tags=TAGS, summary="Set up payouts (Stripe Express onboarding)",
        description="Your payout account is created the first time; answers the provider's onboarding page (single "
                    "use). Coming back lands on the earnings page, which reads the account's status again; an "
                    "expired link there asks for a new one.",
        request=None, responses={200: OnboardingLinkSerializer, 502: GATEWAY_ERROR},
    )
    def post(self, request):
        url = services.connected_account_onboarding_link(
            actor=Actor.of(request.user),
            return_url=request.build_absolute_uri(reverse("creator_earnings_onboarding_return")),
            refresh_url=request.build_absolute_uri(reverse("creator_earnings_onboarding")),
        )
        return Response({"url": request.build_absolute_uri(url) if url.startswith("/") else url})


urlpatterns = [
    path("earnings", EarningsView.as_view(), name="api_earnings"),
    path("payouts", PayoutListView.as_view(), name="api_payouts"),
    path("payouts/<id:payout_id>/statement.pdf", PayoutStatementView.as_view(), name="api_payout_statement"),
    path("payments/connect/onboarding", OnboardingLinkView.as_view(), name="api_payments_connect_onboarding"),
]
