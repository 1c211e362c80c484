"""Views that fail in every way an API view can, for the error-envelope tests."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.urls import include, path
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from influmojo import errors


class PriceInput(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=8, decimal_places=2, min_value=1)
    currency = serializers.ChoiceField(choices=["USD", "EUR"])


class Validate(APIView):
    permission_classes = [AllowAny]

    def post(self, request):
        PriceInput(data=request.data).is_valid(raise_exception=True)
        return Response({})


class Private(APIView):
    def get(self, request):
        return Response({})


def raising(exc):
    class Raise(APIView):
        permission_classes = [AllowAny]

        def get(self, request):
            raise exc

    return Raise.as_view()


class OnceAMinute(AnonRateThrottle):
    rate = "1/min"


class Throttled(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [OnceAMinute]

    def get(self, request):
        return Response({"ok": True})


urlpatterns = [
    path("api/v1/validate", Validate.as_view()),
    path("api/v1/private", Private.as_view()),
    path("api/v1/conflict", raising(errors.InvalidTransition("cannot move order from paid to completed"))),
    path("api/v1/forbidden", raising(errors.PermissionDenied("not yours"))),
    path("api/v1/django-forbidden", raising(DjangoPermissionDenied())),
    path("api/v1/missing", raising(Http404())),
    path("api/v1/model-invalid", raising(DjangoValidationError({"deadline": ["must be in the future"]}))),
    path("api/v1/payment", raising(errors.PaymentFailed("card declined", details={"decline_code": "insufficient_funds"}))),
    path("api/v1/crash", raising(RuntimeError("secret internals /etc/passwd"))),
    path("api/v1/throttled", Throttled.as_view()),
    path("", include("influmojo.urls")),
]

handler404 = "influmojo.views.not_found"
handler500 = "influmojo.views.server_error"
