"""Conversations and their messages (the mobile app's chat; the web page uses the same routes when its socket
cannot connect): `GET|POST /conversations`, `GET /conversations/unread-count`, `GET /conversations/<id>`,
`GET|POST /conversations/<id>/messages`, `POST /conversations/<id>/read`, and custom offers sent in a
conversation: `POST /conversations/<id>/offers`, `POST /conversations/<id>/offers/<offer_id>/{accept,decline}`.

Someone else's conversation is 404. The live copy of the same data is the `/ws/chat/<id>/` socket.
"""

from django.conf import settings
from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle, UserRateThrottle
from rest_framework.views import APIView

from influmojo.converters import MAX_ID
from influmojo.pagination import LIMIT_OFFSET_PARAMETERS, LimitOffsetPagination
from influmojo.permissions import Actor, IsBrand, IsCreator
from influmojo.schema import ErrorEnvelope
from orders.api.offers import OfferCreateSerializer
from orders.api.serializers import UploadField

from ..models import Conversation, Message, Participant
from ..selectors import conversations as selectors
from ..services import conversations as services
from ..services import messages as message_services

TAGS = ["chat"]
NOT_FOUND = OpenApiResponse(ErrorEnvelope, description="Not one of your conversations.")


# --- Output -----------------------------------------------------------------------------------------------------
class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(help_text="The company for a brand, the display name for a creator.")
    avatar_url = serializers.CharField(allow_null=True)
    online = serializers.BooleanField(help_text="Has a live socket (any tab, any device).")
    last_seen = serializers.DateTimeField(allow_null=True, help_text="When they were last online.")

    def to_representation(self, instance):
        return selectors.member_data(instance)


class MemberSerializer(PersonSerializer):
    role = serializers.ChoiceField(choices=Participant.Role.choices)
    last_read_message_id = serializers.IntegerField(help_text="How far they have read (read receipts).")

    def to_representation(self, instance: Participant):
        return {**selectors.member_data(instance.user), "role": instance.role,
                "last_read_message_id": instance.last_read_message_id}


class AttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(help_text="The uploaded file's name (display only).")
    size = serializers.IntegerField(help_text="Bytes.")
    content_type = serializers.CharField(help_text="As sniffed from the file's bytes.")
    url = serializers.CharField()
    width = serializers.IntegerField(allow_null=True, help_text="Images only.")
    height = serializers.IntegerField(allow_null=True, help_text="Images only.")


class MessageOfferSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    platform = serializers.CharField()
    content_type = serializers.CharField()
    quantity = serializers.IntegerField()
    revisions = serializers.IntegerField()
    duration_days = serializers.IntegerField(allow_null=True)
    price = serializers.DecimalField(max_digits=12, decimal_places=2)
    currency = serializers.CharField()
    status = serializers.CharField(help_text="As it stands now: pending, accepted, ordered, declined, withdrawn, "
                                             "expired.")
    expires_at = serializers.DateTimeField()


class SenderSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class MessageSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Increases in the order messages were stored: resync with ?after=.")
    conversation_id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Message.Kind.choices)
    body = serializers.CharField(allow_blank=True)
    data = serializers.DictField(help_text="system: {event, …} (order.paid, agent.joined, offer.accepted with "
                                           "cart_item_id …); offer: {offer_id}.")
    client_id = serializers.CharField(allow_blank=True, help_text="The sender's id for the send, if it gave one.")
    sender = SenderSerializer(allow_null=True, help_text="null for system messages.")
    created_at = serializers.DateTimeField()
    attachments = AttachmentSerializer(many=True)
    offer = MessageOfferSerializer(allow_null=True, help_text="offer messages: the offer as it stands now.")

    def to_representation(self, instance):
        return selectors.message_data(instance)  # the socket's message.new carries the same


class LastMessageSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Message.Kind.choices)
    body = serializers.CharField(allow_blank=True)
    sender_id = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()


class ConversationSerializer(serializers.ModelSerializer):
    brand = PersonSerializer()
    creator = PersonSerializer()
    last_message = LastMessageSerializer(allow_null=True)
    unread_count = serializers.IntegerField(help_text="Messages from others after your last_read_message_id.")
    last_read_message_id = serializers.IntegerField()

    class Meta:
        model = Conversation
        fields = ["id", "kind", "topic", "title", "order_id", "brand", "creator", "last_message", "last_message_at",
                  "unread_count", "last_read_message_id", "created_at"]
        read_only_fields = fields


class ConversationDetailSerializer(ConversationSerializer):
    members = MemberSerializer(many=True, source="participants.all", help_text="Brand, creator and any agents.")

    class Meta(ConversationSerializer.Meta):
        fields = [*ConversationSerializer.Meta.fields, "members"]
        read_only_fields = fields


class MessagePageSerializer(serializers.Serializer):
    results = MessageSerializer(many=True, help_text="Oldest first.")
    has_more = serializers.BooleanField(help_text="With after: newer ones follow (ask after the last id); "
                                                  "otherwise older ones exist (ask before the first id).")
    total = serializers.IntegerField(help_text="Messages in the conversation.")


class ReadStateSerializer(serializers.Serializer):
    conversation_id = serializers.IntegerField()
    last_read_message_id = serializers.IntegerField()
    unread_count = serializers.IntegerField()


class UnreadTotalSerializer(serializers.Serializer):
    unread_count = serializers.IntegerField(help_text="Unread messages in all your conversations.")


# --- Input ------------------------------------------------------------------------------------------------------
class ConversationFilterSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Conversation.Kind.choices, required=False)


class ConversationOpenSerializer(serializers.Serializer):
    creator_id = serializers.IntegerField(min_value=1, max_value=MAX_ID,
                                          help_text="A creator with a public profile.")


class MessageCursorSerializer(serializers.Serializer):
    after = serializers.IntegerField(min_value=0, max_value=MAX_ID, required=False,
                                     help_text="Messages after this id, oldest first (resync after a reconnect).")
    before = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False,
                                      help_text="The newest messages before this id (scrolling back).")
    limit = serializers.IntegerField(min_value=1, max_value=settings.CHAT_HISTORY_PAGE, required=False,
                                     help_text=f"At most {settings.CHAT_HISTORY_PAGE} (the default).")


class MessageSendSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=settings.CHAT_MESSAGE_MAX_LENGTH, required=False, allow_blank=True,
                                 trim_whitespace=False, default="")
    client_id = serializers.CharField(max_length=64, required=False, allow_blank=True, default="",
                                      help_text="Your id for this send: a retry with the same one returns the "
                                                "message stored the first time.")
    files = serializers.ListField(child=UploadField(), required=False, default=list,
                                  help_text=f"multipart only; at most {settings.CHAT_ATTACHMENTS_PER_MESSAGE} "
                                            f"files of {settings.CHAT_ATTACHMENT_MAX_BYTES // (1024 * 1024)} MB.")


class ReadSerializer(serializers.Serializer):
    up_to = serializers.IntegerField(min_value=0, max_value=MAX_ID,
                                     help_text="The last message id you have seen (later ids count up to the last).")


class ChatOfferSerializer(OfferCreateSerializer):
    brand_id = None  # the conversation's brand
    in_reply_to_order_id = None  # the conversation's order, if it is an order's
    client_id = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")


def valid(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class AttachmentThrottle(ScopedRateThrottle):
    """The `uploads` rate applies to sends that carry files; text messages only count against the user rate."""

    scope_attr = "throttle_scope"

    def allow_request(self, request, view):
        if request.method != "POST" or not request.FILES:
            return True
        return super().allow_request(request, view)


# --- Views ------------------------------------------------------------------------------------------------------
class ConversationListView(APIView):
    permission_classes = [IsAuthenticated]
    pagination_class = LimitOffsetPagination

    def get_permissions(self):
        return [IsBrand()] if self.request.method == "POST" else super().get_permissions()

    @extend_schema(tags=TAGS, summary="Your conversations",
                   description="Latest activity first, each with its last message and your unread count.",
                   parameters=[ConversationFilterSerializer, *LIMIT_OFFSET_PARAMETERS],
                   responses=ConversationSerializer(many=True))
    def get(self, request):
        filters = valid(ConversationFilterSerializer, request.query_params)
        conversations = selectors.conversation_list(user=request.user, kind=filters.get("kind"))
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(conversations, request, view=self)
        return paginator.get_paginated_response(ConversationSerializer(page, many=True).data)

    @extend_schema(tags=TAGS, summary="Start a conversation with a creator",
                   description="Brands only, from a creator's public profile. Opening it again returns the same "
                               "conversation. 404 for a creator without a public profile.",
                   request=ConversationOpenSerializer, responses={201: ConversationDetailSerializer, 404: NOT_FOUND})
    def post(self, request):
        data = valid(ConversationOpenSerializer, request.data)
        conversation = services.conversation_open_direct(actor=Actor.of(request.user), creator_id=data["creator_id"])
        conversation = selectors.conversation_get(conversation_id=conversation.pk, user=request.user)
        return Response(ConversationDetailSerializer(conversation).data, status=201)


class UnreadTotalView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=TAGS, summary="Unread messages in all your conversations", responses=UnreadTotalSerializer)
    def get(self, request):
        return Response({"unread_count": selectors.unread_total(user_id=request.user.pk)})


class ConversationDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=TAGS, summary="One conversation",
                   description="With its members (their presence and how far they have read).",
                   responses={200: ConversationDetailSerializer, 404: NOT_FOUND})
    def get(self, request, conversation_id: int):
        conversation = selectors.conversation_get(conversation_id=conversation_id, user=request.user)
        return Response(ConversationDetailSerializer(conversation).data)


class MessageListView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    throttle_classes = [UserRateThrottle, AttachmentThrottle]
    throttle_scope = "uploads"

    @extend_schema(
        tags=TAGS, summary="A conversation's messages",
        description="Oldest first. `after=<id>`: everything after that id (resync; page on with the last id while "
                    "`has_more`). `before=<id>`: the page before that id. Neither: the newest page.",
        parameters=[MessageCursorSerializer], responses={200: MessagePageSerializer, 404: NOT_FOUND},
    )
    def get(self, request, conversation_id: int):
        cursor = valid(MessageCursorSerializer, request.query_params)
        page = selectors.message_list(conversation_id=conversation_id, user=request.user, **cursor)
        return Response({
            "results": MessageSerializer(page.messages, many=True).data,
            "has_more": page.has_more,
            "total": selectors.message_total(conversation_id=conversation_id),
        })

    @extend_schema(
        tags=TAGS, summary="Send a message",
        description="JSON (`body`, `client_id`) or multipart with `files` too. Stored, then pushed to the members' "
                    "sockets. A retry with the same `client_id` returns the first message (201 again).",
        request={"application/json": MessageSendSerializer, "multipart/form-data": MessageSendSerializer},
        responses={201: MessageSerializer, 404: NOT_FOUND},
    )
    def post(self, request, conversation_id: int):
        data = valid(MessageSendSerializer, request.data)
        message = message_services.message_send(conversation_id=conversation_id, actor=Actor.of(request.user),
                                                body=data["body"], files=data["files"], client_id=data["client_id"])
        return Response(MessageSerializer(message).data, status=201)


class ReadView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=TAGS, summary="Mark read up to a message",
                   description="Never moves back. The other members see a read receipt.",
                   request=ReadSerializer, responses={200: ReadStateSerializer, 404: NOT_FOUND})
    def post(self, request, conversation_id: int):
        data = valid(ReadSerializer, request.data)
        participant = message_services.conversation_mark_read(conversation_id=conversation_id,
                                                              actor=Actor.of(request.user),
                                                              up_to_message_id=data["up_to"])
        return Response({
            "conversation_id": conversation_id,
            "last_read_message_id": participant.last_read_message_id,
            "unread_count": selectors.unread_count(conversation_id=conversation_id, user_id=request.user.pk),
        })


class OfferSendView(APIView):
    permission_classes = [IsCreator]

    @extend_schema(tags=TAGS, summary="Send the brand a custom offer in the conversation",
                   description="The conversation's creator only; it is an offer of the orders app "
                               "(GET /offers/<id>), in reply to the conversation's order if it has one.",
                   request=ChatOfferSerializer, responses={201: MessageSerializer, 404: NOT_FOUND})
    def post(self, request, conversation_id: int):
        data = dict(valid(ChatOfferSerializer, request.data))
        client_id, expires_in_days = data.pop("client_id"), data.pop("expires_in_days")
        message = message_services.message_offer_send(conversation_id=conversation_id, actor=Actor.of(request.user),
                                                      data=data, expires_in_days=expires_in_days,
                                                      client_id=client_id)
        return Response(MessageSerializer(message).data, status=201)


OFFER_CONFLICT = OpenApiResponse(ErrorEnvelope, description="`invalid_transition`, `offer_expired` or "
                                                            "`creator_unavailable`.")


class OfferAcceptView(APIView):
    permission_classes = [IsBrand]

    @extend_schema(tags=TAGS, summary="Accept an offer sent in the conversation",
                   description="It goes into your cart (`data.cart_item_id` of the system message answered); check "
                               "it out like a package.",
                   request=None, responses={201: MessageSerializer, 404: NOT_FOUND, 409: OFFER_CONFLICT})
    def post(self, request, conversation_id: int, offer_id: int):
        message = message_services.message_offer_accept(conversation_id=conversation_id, offer_id=offer_id,
                                                        actor=Actor.of(request.user))
        return Response(MessageSerializer(message).data, status=201)


class OfferDeclineView(APIView):
    permission_classes = [IsBrand]

    @extend_schema(tags=TAGS, summary="Decline an offer sent in the conversation", request=None,
                   responses={201: MessageSerializer, 404: NOT_FOUND, 409: OFFER_CONFLICT})
    def post(self, request, conversation_id: int, offer_id: int):
        message = message_services.message_offer_decline(conversation_id=conversation_id, offer_id=offer_id,
                                                         actor=Actor.of(request.user))
        return Response(MessageSerializer(message).data, status=201)


urlpatterns = [
    path("conversations", ConversationListView.as_view(), name="api_conversations"),
    path("conversations/unread-count", UnreadTotalView.as_view(), name="api_conversations_unread"),
    path("conversations/<id:conversation_id>", ConversationDetailView.as_view(), name="api_conversation"),
    path("conversations/<id:conversation_id>/messages", MessageListView.as_view(), name="api_conversation_messages"),
    path("conversations/<id:conversation_id>/read", ReadView.as_view(), name="api_conversation_read"),
    path("conversations/<id:conversation_id>/offers", OfferSendView.as_view(), name="api_conversation_offers"),
    path("conversations/<id:conversation_id>/offers/<id:offer_id>/accept", OfferAcceptView.as_view(),
         name="api_conversation_offer_accept"),
    path("conversations/<id:conversation_id>/offers/<id:offer_id>/decline", OfferDeclineView.as_view(),
         name="api_conversation_offer_decline"),
]
