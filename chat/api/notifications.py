"""Notifications and push devices: `GET /notifications`, `GET /notifications/unread-count`,
`PUT /notifications/<id>/read`, `PUT /notifications/mark-all-read`, `DELETE /notifications/<id>`,
`GET|PUT /notifications/preferences`, `POST|DELETE /devices`.

The live copy of the same list is the `/ws/notifications/` socket (chat.consumers.notifications).
"""

from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.serializers import NotificationPreferencesSerializer
from accounts.preferences import NOTIFICATION_TYPES
from influmojo.pagination import LIMIT_OFFSET_PARAMETERS, LimitOffsetPagination
from influmojo.schema import ErrorEnvelope

from ..models import Device
from ..selectors import notifications as selectors
from ..services import devices as device_services
from ..services import notifications as services

TAGS = ["notifications"]
NOT_FOUND = OpenApiResponse(ErrorEnvelope, description="Not one of your notifications.")


class NotificationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    type = serializers.ChoiceField(choices=list(NOTIFICATION_TYPES.items()),
                                   help_text="Its preference type (GET /notifications/preferences).")
    event = serializers.CharField(help_text='What happened, e.g. "order.paid", "message.received".')
    title = serializers.CharField()
    body = serializers.CharField(allow_blank=True)
    url = serializers.CharField(allow_blank=True, help_text="Where it opens: a path on the site, or a full URL.")
    data = serializers.DictField(help_text="The event's own ids and numbers (order_id, conversation_id, …).")
    read = serializers.BooleanField()
    read_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()

    def to_representation(self, instance):
        return selectors.notification_data(instance)  # the socket's notification.new carries the same


class NotificationFilterSerializer(serializers.Serializer):
    unread = serializers.BooleanField(required=False, allow_null=True, default=None,
                                      help_text="true: only unread ones; false: only read ones.")


class UnreadCountSerializer(serializers.Serializer):
    unread_count = serializers.IntegerField()


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many were unread.")
    unread_count = serializers.IntegerField()


class DeviceRegisterSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=device_services.TOKEN_MAX_LENGTH,
                                  help_text="The FCM registration token of this install.")
    platform = serializers.ChoiceField(choices=Device.Platform.choices)


class DeviceUnregisterSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=device_services.TOKEN_MAX_LENGTH)


class DeviceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Device
        fields = ["id", "platform", "active", "created_at", "last_seen_at"]
        read_only_fields = fields


class NotificationListView(APIView):
    permission_classes = [IsAuthenticated]
    pagination_class = LimitOffsetPagination

    @extend_schema(tags=TAGS, summary="Your notifications", description="Newest first.",
                   parameters=[NotificationFilterSerializer, *LIMIT_OFFSET_PARAMETERS],
                   responses=NotificationSerializer(many=True))
    def get(self, request):
        filters = NotificationFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        notifications = selectors.notification_list(user=request.user, **filters.validated_data)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(notifications, request, view=self)
        return paginator.get_paginated_response(NotificationSerializer(page, many=True).data)


class UnreadCountView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=TAGS, summary="How many notifications are unread", responses=UnreadCountSerializer)
    def get(self, request):
        return Response({"unread_count": selectors.notification_unread_count(user_id=request.user.pk)})


class NotificationReadView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=TAGS, summary="Mark a notification read", request=None,
                   responses={200: NotificationSerializer, 404: NOT_FOUND})
    def put(self, request, notification_id: int):
        notification = services.notification_mark_read(user=request.user, notification_id=notification_id)
        return Response(NotificationSerializer(notification).data)


class MarkAllReadView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=TAGS, summary="Mark every notification read", request=None, responses=MarkedSerializer)
    def put(self, request):
        marked = services.notifications_mark_all_read(user=request.user)
        return Response({"marked": marked, "unread_count": selectors.notification_unread_count(user_id=request.user.pk)})


class NotificationDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=TAGS, summary="Delete a notification", responses={204: None, 404: NOT_FOUND})
    def delete(self, request, notification_id: int):
        services.notification_delete(user=request.user, notification_id=notification_id)
        return Response(status=204)


class PreferencesView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=TAGS, summary="Which notifications you get, on which channel",
                   description="{type: {email, push, in_app}}: the same choices as the settings page and "
                               "`/profile/settings`.",
                   responses=NotificationPreferencesSerializer)
    def get(self, request):
        return Response(services.preferences_get(user=request.user))

    @extend_schema(tags=TAGS, summary="Change notification preferences",
                   description="Changes the type/channel pairs sent; the others keep their value. Answers the "
                               "whole matrix.",
                   request=NotificationPreferencesSerializer, responses=NotificationPreferencesSerializer)
    def put(self, request):
        serializer = NotificationPreferencesSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(services.preferences_update(user=request.user, preferences=serializer.validated_data))


class DeviceView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=TAGS, summary="Register this device for push",
                   description="Call after sign-in and whenever FCM hands the app a new token. A token another "
                               "account registered moves to yours.",
                   request=DeviceRegisterSerializer, responses={201: DeviceSerializer})
    def post(self, request):
        serializer = DeviceRegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        device = device_services.device_register(user=request.user, **serializer.validated_data)
        return Response(DeviceSerializer(device).data, status=201)

    @extend_schema(tags=TAGS, summary="Stop pushes to this device", description="Call at sign-out.",
                   request=DeviceUnregisterSerializer,
                   responses={204: None, 404: OpenApiResponse(ErrorEnvelope, description="Not your device.")})
    def delete(self, request):
        serializer = DeviceUnregisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        device_services.device_unregister(user=request.user, token=serializer.validated_data["token"])
        return Response(status=204)


urlpatterns = [
    path("notifications", NotificationListView.as_view(), name="api_notifications"),
    path("notifications/unread-count", UnreadCountView.as_view(), name="api_notifications_unread_count"),
    path("notifications/mark-all-read", MarkAllReadView.as_view(), name="api_notifications_mark_all_read"),
    path("notifications/preferences", PreferencesView.as_view(), name="api_notification_preferences"),
    path("notifications/<id:notification_id>", NotificationDetailView.as_view(), name="api_notification"),
    path("notifications/<id:notification_id>/read", NotificationReadView.as_view(), name="api_notification_read"),
    path("devices", DeviceView.as_view(), name="api_devices"),
]
