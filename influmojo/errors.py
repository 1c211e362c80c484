"""One error shape for the whole API: {"error": {code, message, details, timestamp}}.

Services raise ApplicationError (or a subclass); DRF, Django and unexpected exceptions are
rendered by `api_exception_handler` in the same envelope. Template views show `error.message`.
"""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils import timezone
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

logger = logging.getLogger(__name__)


class ApplicationError(Exception):
    code = "bad_request"
    status = 400

    def __init__(self, message: str, *, code: str | None = None, details=None, status: int | None = None):
        super().__init__(message)
        self.message = message
        self.code = code or self.code
        self.details = details or {}
        self.status = status or self.status


class NotFound(ApplicationError):
    code, status = "not_found", 404


class PermissionDenied(ApplicationError):
    code, status = "permission_denied", 403


class InvalidTransition(ApplicationError):
    code, status = "invalid_transition", 409


class Conflict(ApplicationError):
    code, status = "conflict", 409


class PaymentFailed(ApplicationError):
    code, status = "payment_failed", 402


def error_body(code: str, message: str, details=None) -> dict:
    return {
        "error": {
            "code": code,
            "message": message,
            "details": details or {},
            "timestamp": timezone.now().isoformat().replace("+00:00", "Z"),
        }
    }


def _drf_code(exc: exceptions.APIException) -> str:
    codes = {
        exceptions.NotAuthenticated: "not_authenticated",
        exceptions.AuthenticationFailed: "authentication_failed",
        exceptions.PermissionDenied: "permission_denied",
        exceptions.NotFound: "not_found",
        exceptions.MethodNotAllowed: "method_not_allowed",
        exceptions.NotAcceptable: "not_acceptable",
        exceptions.UnsupportedMediaType: "unsupported_media_type",
        exceptions.Throttled: "throttled",
        exceptions.ParseError: "parse_error",
        exceptions.ValidationError: "validation_error",
    }
    for cls, code in codes.items():
        if isinstance(exc, cls):
            return code
    return getattr(exc, "default_code", "error")


def _message(exc: exceptions.APIException) -> str:
    if isinstance(exc, exceptions.ValidationError):
        return "Some fields are invalid."
    detail = exc.detail
    if isinstance(detail, list | dict):
        return "Request failed."
    return str(detail)


def api_exception_handler(exc, context):
    """DRF EXCEPTION_HANDLER: every error leaves in the envelope, never with a stack trace."""
    if isinstance(exc, ApplicationError):
        return Response(error_body(exc.code, exc.message, exc.details), status=exc.status)
    if isinstance(exc, DjangoValidationError):
        details = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(details)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = exception_handler(exc, context)
    if response is None:
        logger.exception("unhandled API error", exc_info=exc)
        return Response(
            error_body("server_error", "Something went wrong on our side. Please try again."),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    details = {}
    if isinstance(exc, exceptions.ValidationError):
        details = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
    elif isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        details = {"retry_after_seconds": int(exc.wait)}
    response.data = error_body(_drf_code(exc), _message(exc), details)
    return response


def json_error(code: str, message: str, status: int, details=None) -> JsonResponse:
    """For plain Django views under /api/ (handler404/500, middleware) that have no DRF context."""
    return JsonResponse(error_body(code, message, details), status=status)
