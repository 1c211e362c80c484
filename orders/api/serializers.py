"""Output shapes shared by the orders API modules (orders, cart, checkout, offers)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import CustomOffer, Dispute, Order, OrderAttachment, OrderEvent, OrderItem, Submission, SubmissionFile
from ..selectors.orders import order_actions

ACTIONS_HELP = (
    "What you may do now: pay, accept, decline, extend, deliver, request_revision, approve, cancel (cancels at "
    "once), request_cancellation / agree_cancellation (both POST /cancel), withdraw_cancellation, dispute, "
    "review, resolve_dispute (agents, in the console)."
)


def party_name(user) -> str:
    """The company for a brand, the display name for a creator, else the person's name."""
    brand_profile = getattr(user, "brand_profile", None) if user.user_type == "brand" else None
    creator_profile = getattr(user, "creator_profile", None) if user.user_type == "creator" else None
    if brand_profile and brand_profile.company_name:
        return brand_profile.company_name
    if creator_profile and creator_profile.display_name:
        return creator_profile.display_name
    return user.display_name


class PartySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.SerializerMethodField()

    def get_name(self, user) -> str:
        return party_name(user)


class FileSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    size = serializers.IntegerField(help_text="Bytes.")
    content_type = serializers.CharField(help_text="As sniffed from the file's bytes.")
    url = serializers.SerializerMethodField()

    def get_url(self, row: OrderAttachment | SubmissionFile) -> str:
        url = row.file.url
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request and url.startswith("/") else url


class OrderItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrderItem
        fields = ["id", "package_id", "offer_id", "title", "description", "platform", "content_type", "quantity",
                  "pieces", "revisions", "duration_days", "unit_price", "line_total"]
        read_only_fields = fields


class OrderSerializer(serializers.ModelSerializer):
    """An order in a list: its parties, lines, money and clocks."""

    brand = PartySerializer()
    creator = PartySerializer()
    items = OrderItemSerializer(many=True)
    creator_amount = serializers.DecimalField(max_digits=12, decimal_places=2,
                                              help_text="subtotal − platform_fee: what the creator receives.")

    class Meta:
        model = Order
        fields = ["id", "number", "status", "brand", "creator", "currency", "subtotal", "fee_rate", "platform_fee",
                  "creator_amount", "deadline", "accept_by", "review_by", "revisions_allowed", "revisions_used",
                  "payment_id", "created_at", "paid_at", "accepted_at", "delivered_at", "finished_at", "items"]
        read_only_fields = fields


class EventSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()

    class Meta:
        model = OrderEvent
        fields = ["id", "kind", "old_status", "new_status", "actor_role", "actor", "note", "created_at"]
        read_only_fields = fields

    @extend_schema_field(PartySerializer(allow_null=True))
    def get_actor(self, event: OrderEvent):
        return {"id": event.actor.pk, "name": event.actor.display_name} if event.actor else None


class SubmissionSerializer(serializers.ModelSerializer):
    files = FileSerializer(many=True)
    links = serializers.ListField(child=serializers.URLField())
    submitted_at = serializers.DateTimeField(source="created_at")

    class Meta:
        model = Submission
        fields = ["id", "version", "message", "links", "files", "decision", "feedback", "submitted_at", "decided_at"]
        read_only_fields = fields


class DisputeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Dispute
        fields = ["id", "status", "reason", "description", "frozen_status", "resolution", "refund_amount",
                  "resolution_note", "created_at", "resolved_at"]
        read_only_fields = fields


class CancellationSerializer(serializers.Serializer):
    requested_by = serializers.ChoiceField(choices=["brand", "creator"])
    reason = serializers.CharField()


class PaymentStateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()


class OrderDetailSerializer(OrderSerializer):
    """One order with the brief, attachments, timeline, every delivered version and what you may do now."""

    attachments = FileSerializer(many=True)
    events = EventSerializer(many=True)
    submissions = serializers.SerializerMethodField()
    dispute = serializers.SerializerMethodField()
    cancellation = serializers.SerializerMethodField()
    payment = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField(help_text=ACTIONS_HELP)

    class Meta(OrderSerializer.Meta):
        fields = [*OrderSerializer.Meta.fields, "requirements", "usage_rights", "usage_notes", "acceptance_extended",
                  "attachments", "events", "submissions", "dispute", "cancellation", "payment", "actions"]
        read_only_fields = fields

    @extend_schema_field(SubmissionSerializer(many=True))
    def get_submissions(self, order: Order):
        return SubmissionSerializer(order.deliverable.submissions.all(), many=True, context=self.context).data

    @extend_schema_field(DisputeSerializer(allow_null=True))
    def get_dispute(self, order: Order):
        dispute = getattr(order, "dispute", None)
        return DisputeSerializer(dispute).data if dispute else None

    @extend_schema_field(CancellationSerializer(allow_null=True))
    def get_cancellation(self, order: Order):
        if order.cancellation_requested_by_id is None or order.is_finished:
            return None
        side = "brand" if order.cancellation_requested_by_id == order.brand_id else "creator"
        return {"requested_by": side, "reason": order.cancellation_reason}

    @extend_schema_field(PaymentStateSerializer(allow_null=True))
    def get_payment(self, order: Order):
        return {"id": order.payment.pk, "status": order.payment.status} if order.payment_id else None

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_actions(self, order: Order) -> list[str]:
        return order_actions(order, self.context["request"].user)


class PaymentIntentSerializer(serializers.Serializer):
    """What the client needs to pay: Stripe's client secret + publishable key, or the sandbox's confirm URL."""

    id = serializers.IntegerField(source="payment.pk")
    status = serializers.CharField(source="payment.status")
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, source="payment.amount")
    currency = serializers.CharField(source="payment.currency")
    gateway = serializers.CharField()
    client_secret = serializers.CharField(allow_null=True)
    publishable_key = serializers.CharField(allow_blank=True, allow_null=True)
    confirm_url = serializers.CharField(allow_null=True, help_text="The sandbox's confirmation page; null for Stripe.")


class ProblemSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class PaymentOutcomeSerializer(serializers.Serializer):
    """Orders waiting for one payment and how to pay it. When the gateway could not be reached, `payment` is
    null and `payment_error` says why: the orders stay placed, pay them with POST /orders/<id>/pay."""

    orders = OrderSerializer(many=True)
    payment = serializers.SerializerMethodField()
    payment_error = serializers.SerializerMethodField()

    @extend_schema_field(PaymentIntentSerializer(allow_null=True))
    def get_payment(self, outcome):
        return PaymentIntentSerializer(outcome.intent).data if outcome.intent else None

    @extend_schema_field(ProblemSerializer(allow_null=True))
    def get_payment_error(self, outcome):
        return {"code": outcome.error.code, "message": outcome.error.message} if outcome.error else None


class OfferSerializer(serializers.ModelSerializer):
    creator = PartySerializer()
    brand = PartySerializer()
    in_reply_to_order_id = serializers.IntegerField(allow_null=True, source="in_reply_to_id")

    class Meta:
        model = CustomOffer
        fields = ["id", "status", "creator", "brand", "title", "description", "platform", "content_type",
                  "quantity", "revisions", "duration_days", "price", "currency", "expires_at",
                  "in_reply_to_order_id", "created_at"]
        read_only_fields = fields


@extend_schema_field(OpenApiTypes.BINARY)
class UploadField(serializers.FileField):
    """A file in a multipart request (checked by the service: size, number, type sniffed from its bytes)."""
