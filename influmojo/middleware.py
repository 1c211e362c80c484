from django.contrib import messages
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme

from .errors import ApplicationError, json_error


class ApplicationErrorMiddleware:
    """ApplicationError raised outside DRF (allauth's headless views, template views) becomes a 4xx:
    the JSON envelope for API clients, a flash message and a way back for browser pages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, ApplicationError):
            return None
        if request.path.startswith(("/api/", "/_allauth/")):
            return json_error(exception.code, exception.message, exception.status, exception.details)
        messages.error(request, exception.message)
        back = request.META.get("HTTP_REFERER", "")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            back = request.path
        return redirect(back)
