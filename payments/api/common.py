"""What the payments API views share: role permissions, paging, input checks and the PDF answer."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework.permissions import BasePermission
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from influmojo.schema import ErrorEnvelope

TAGS = ["payments"]
CONFLICT = OpenApiResponse(ErrorEnvelope, description="The payment's or account's state does not allow it (the "
                                                      "message says what to do).")
GATEWAY_ERROR = OpenApiResponse(ErrorEnvelope, description="`gateway_unavailable`: the payment provider could not "
                                                           "be reached; try again.")
PDF = {(200, "application/pdf"): OpenApiTypes.BINARY}


class _Roles(BasePermission):
    roles: frozenset[str] = frozenset()
    message = "This is not available to your account type."

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.user_type in self.roles)


class IsPayer(_Roles):
    """Brands (their payments) and the Influmojo team (everyone's)."""

    roles = frozenset({"brand", "agent", "admin"})
    message = "Payments are for brand accounts; creators find their money under /earnings and /payouts."


class IsPayee(_Roles):
    """Creators (their payouts) and the Influmojo team (everyone's)."""

    roles = frozenset({"creator", "agent", "admin"})
    message = "Payouts are for creator accounts."


def valid(serializer_class, data, **kwargs) -> dict:
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def paginated(view: APIView, request, rows, serializer_class) -> Response:
    paginator = view.pagination_class()
    page = paginator.paginate_queryset(rows, request, view=view)
    return paginator.get_paginated_response(serializer_class(page, many=True, context={"request": request}).data)


class PDFView(APIView):
    """Answers a PDF (an HttpResponse, past DRF's renderers). Negotiation always settles on JSON, so a client
    that asks for application/pdf still gets its errors in the JSON envelope rather than a 406."""

    renderer_classes = [JSONRenderer]

    def perform_content_negotiation(self, request, force=False):
        return super().perform_content_negotiation(request, force=True)
