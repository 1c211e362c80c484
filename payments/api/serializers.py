"""Input and output shapes of the payments API (payments, earnings and payouts, saved cards)."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from payments.models import Escrow, Gateway, Payment, PaymentMethod, Payout, Refund
from orders.api.serializers import PartySerializer

MAX_ORDERS = 50
DECIMAL = {"max_digits": 14, "decimal_places": 2}


def absolute(request, url: str | None) -> str | None:
    """A path of ours as a full URL (the mobile app opens it in a browser); None stays None."""
    if not url or request is None or not url.startswith("/"):
        return url
    return request.build_absolute_uri(url)


# --- Input ---------------------------------------------------------------------------------------------------
class PaymentFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Payment.Status.choices, required=False)


class PayoutFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Payout.Status.choices, required=False)


class BulkPaySerializer(serializers.Serializer):
    order_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), min_length=1, max_length=MAX_ORDERS,
        help_text=f"Your orders waiting for payment, in one currency (at most {MAX_ORDERS}).",
    )

    def validate_order_ids(self, value):
        if len(set(value)) != len(value):
            raise serializers.ValidationError("An order is listed twice.")
        return value


class FeeReportFilterSerializer(serializers.Serializer):
    since = serializers.DateField(required=False, help_text="From this day (inclusive).")
    until = serializers.DateField(required=False, help_text="Up to this day (exclusive).")

    def validate(self, attrs):
        if attrs.get("since") and attrs.get("until") and attrs["since"] >= attrs["until"]:
            raise serializers.ValidationError({"until": ["Must be after `since`."]})
        return attrs


# --- Payments ------------------------------------------------------------------------------------------------
class PaymentOrderSerializer(serializers.Serializer):
    """An order a payment covers (from its escrow: the payment's share held for that order)."""

    id = serializers.IntegerField(source="order.id")
    number = serializers.CharField(source="order.number")
    status = serializers.CharField(source="order.status", help_text="The order's status.")
    amount = serializers.DecimalField(**DECIMAL, help_text="This order's part of the payment.")
    escrow_status = serializers.ChoiceField(source="status", choices=Escrow.Status.choices,
                                            help_text="awaiting_payment, held, settled or returned (refunded whole).")


class PaymentSerializer(serializers.ModelSerializer):
    test_mode = serializers.SerializerMethodField(help_text="Paid through the sandbox gateway: no real money.")
    orders = PaymentOrderSerializer(many=True, source="escrows")
    receipt_url = serializers.SerializerMethodField(help_text="The PDF receipt (an invoice while unpaid); null "
                                                              "for a cancelled payment.")

    class Meta:
        model = Payment
        fields = ["id", "status", "amount", "currency", "amount_refunded", "gateway", "test_mode", "method",
                  "transaction_id", "failure_code", "failure_message", "created_at", "paid_at", "orders",
                  "receipt_url"]
        read_only_fields = fields

    def get_test_mode(self, payment: Payment) -> bool:
        return payment.gateway == Gateway.SANDBOX

    def get_receipt_url(self, payment: Payment) -> str | None:
        if payment.status == Payment.Status.CANCELLED:
            return None
        return absolute(self.context.get("request"), reverse("api_payment_receipt", args=[payment.pk]))


class RefundSerializer(serializers.ModelSerializer):
    class Meta:
        model = Refund
        fields = ["id", "order_id", "amount", "currency", "status", "reason", "failure_message", "created_at",
                  "succeeded_at"]
        read_only_fields = fields


class PaymentDetailOrderSerializer(PaymentOrderSerializer):
    creator = PartySerializer(source="order.creator")
    refunded = serializers.DecimalField(source="refund_amount", **DECIMAL, allow_null=True,
                                        help_text="Refunded to you when the order settled (null until then).")
    released = serializers.DecimalField(source="released_amount", **DECIMAL, allow_null=True,
                                        help_text="Released to the creator's side when it settled.")


class PaymentDetailSerializer(PaymentSerializer):
    """One payment with its orders, refunds and what you may do now."""

    orders = PaymentDetailOrderSerializer(many=True, source="escrows")
    refunds = RefundSerializer(many=True)
    actions = serializers.SerializerMethodField(help_text="`pay` while it can still be paid "
                                                          "(POST /payments/bulk with its orders).")

    class Meta(PaymentSerializer.Meta):
        fields = [*PaymentSerializer.Meta.fields, "refunds", "actions"]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_actions(self, payment: Payment) -> list[str]:
        return ["pay"] if payment.status in (Payment.Status.PENDING, Payment.Status.FAILED) else []


# --- Dashboard -----------------------------------------------------------------------------------------------
class DashboardRowSerializer(serializers.Serializer):
    currency = serializers.CharField()
    total = serializers.DecimalField(**DECIMAL, help_text="Brands: paid less refunds. Creators: paid out and owed.")
    pending = serializers.DecimalField(**DECIMAL, help_text="Brands: payments not through yet. Creators: payouts "
                                                            "waiting (blocked, queued or failed).")
    pending_count = serializers.IntegerField()
    completed = serializers.DecimalField(**DECIMAL)
    completed_count = serializers.IntegerField()
    refunded = serializers.DecimalField(**DECIMAL, help_text="Brands: refunded. Creators: reversed transfers.")


class SpendRowSerializer(serializers.Serializer):
    currency = serializers.CharField()
    charged = serializers.DecimalField(**DECIMAL)
    refunded = serializers.DecimalField(**DECIMAL)
    net = serializers.DecimalField(**DECIMAL)


class MonthTotalSerializer(serializers.Serializer):
    month = serializers.DateField(help_text="The month's first day.")
    currency = serializers.CharField()
    amount = serializers.DecimalField(**DECIMAL)


class PayoutBriefSerializer(serializers.ModelSerializer):
    order = serializers.SerializerMethodField()

    class Meta:
        model = Payout
        fields = ["id", "status", "amount", "currency", "order", "created_at", "paid_at", "failure_message"]
        read_only_fields = fields

    @extend_schema_field({"type": "object", "properties": {"id": {"type": "integer"}, "number": {"type": "string"}}})
    def get_order(self, payout: Payout) -> dict:
        return {"id": payout.order_id, "number": payout.order.number}


class DashboardSerializer(serializers.Serializer):
    role = serializers.CharField()
    currencies = DashboardRowSerializer(many=True, source="dashboard.rows")
    recent_payments = serializers.SerializerMethodField(help_text="Brands and agents: the newest payments.")
    recent_payouts = serializers.SerializerMethodField(help_text="Creators: the newest payouts.")
    spend = SpendRowSerializer(many=True, help_text="Brands: charged, refunded and net per currency (ledger).")
    months = MonthTotalSerializer(many=True, help_text="The last 12 months: brands' charges, creators' earnings.")

    @extend_schema_field(PaymentSerializer(many=True))
    def get_recent_payments(self, overview):
        if overview.role == "creator":
            return []
        return PaymentSerializer(overview.dashboard.recent, many=True, context=self.context).data

    @extend_schema_field(PayoutBriefSerializer(many=True))
    def get_recent_payouts(self, overview):
        if overview.role != "creator":
            return []
        return PayoutBriefSerializer(overview.dashboard.recent, many=True, context=self.context).data


# --- Earnings and payouts ------------------------------------------------------------------------------------
class EarningsRowSerializer(serializers.Serializer):
    currency = serializers.CharField()
    total_earned = serializers.DecimalField(**DECIMAL, help_text="Released to you, after the platform fee.")
    paid_out = serializers.DecimalField(**DECIMAL, help_text="Transferred to your payout account.")
    available = serializers.DecimalField(**DECIMAL, help_text="Earned and not transferred yet.")
    pending = serializers.DecimalField(**DECIMAL, help_text="Held in escrow for your active orders (after the fee).")


class EarningsSerializer(serializers.Serializer):
    currencies = EarningsRowSerializer(many=True, source="earnings.rows")
    can_receive_payouts = serializers.BooleanField(source="earnings.can_receive_payouts")
    blocked_reason = serializers.CharField(source="earnings.blocked_reason", allow_null=True,
                                           help_text="Why payouts cannot reach you yet, or null.")
    blocked = serializers.SerializerMethodField(help_text="Per currency, payouts waiting for your payout setup.")
    onboarding = serializers.ChoiceField(choices=["not_started", "incomplete", "complete"])
    requirements_due = serializers.SerializerMethodField(help_text="What Stripe still asks for.")
    months = MonthTotalSerializer(many=True, help_text="Earned per month, the last 12 months.")

    @extend_schema_field({"type": "object", "additionalProperties": {"type": "string", "format": "decimal"}})
    def get_blocked(self, overview) -> dict:
        return {currency: str(amount) for currency, amount in overview.earnings.blocked_amount.items()}

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_requirements_due(self, overview) -> list[str]:
        return list(overview.account.requirements_due) if overview.account else []


class PayoutSerializer(PayoutBriefSerializer):
    gross = serializers.DecimalField(**DECIMAL, allow_null=True, help_text="Released for the order (before the fee).")
    fee = serializers.DecimalField(**DECIMAL, allow_null=True, help_text="The platform fee on it.")
    statement_url = serializers.SerializerMethodField(help_text="The PDF statement of this payout.")

    class Meta(PayoutBriefSerializer.Meta):
        fields = ["id", "status", "gross", "fee", "amount", "currency", "order", "created_at", "paid_at",
                  "failure_message", "statement_url"]
        read_only_fields = fields

    def get_statement_url(self, payout: Payout) -> str:
        return absolute(self.context.get("request"), reverse("api_payout_statement", args=[payout.pk]))


class PayoutReleaseSerializer(serializers.Serializer):
    released = PayoutBriefSerializer(many=True, help_text="The payouts that were waiting and are now on their way.")


class OnboardingLinkSerializer(serializers.Serializer):
    url = serializers.CharField(help_text="Stripe's onboarding page (single use; ask again when it expires).")


# --- Saved cards ---------------------------------------------------------------------------------------------
class PaymentMethodSerializer(serializers.ModelSerializer):
    label = serializers.CharField(source="__str__")
    test_mode = serializers.SerializerMethodField()

    class Meta:
        model = PaymentMethod
        fields = ["id", "label", "card_brand", "last4", "exp_month", "exp_year", "is_default", "gateway", "test_mode",
                  "created_at"]
        read_only_fields = fields

    def get_test_mode(self, method: PaymentMethod) -> bool:
        return method.gateway == Gateway.SANDBOX


class SetupSerializer(serializers.Serializer):
    """How to save a card: Stripe.js confirms `client_secret` (confirmSetup); the sandbox opens `confirm_url`."""

    gateway = serializers.CharField()
    setup_intent_id = serializers.CharField()
    client_secret = serializers.CharField()
    publishable_key = serializers.CharField()
    confirm_url = serializers.SerializerMethodField(help_text="The sandbox's test card page; null for Stripe.")

    def get_confirm_url(self, setup) -> str | None:
        return absolute(self.context.get("request"), setup.confirm_url)


# --- Fees ----------------------------------------------------------------------------------------------------
class FeeMonthSerializer(serializers.Serializer):
    month = serializers.DateField()
    currency = serializers.CharField()
    fees = serializers.DecimalField(**DECIMAL, help_text="Platform fees earned on releases that month.")
    orders = serializers.IntegerField()
