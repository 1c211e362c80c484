"""Error pages: JSON envelope under /api/, HTML elsewhere."""

from django.shortcuts import render

from .errors import json_error


def _is_api(request) -> bool:
    return request.path.startswith(("/api/", "/_allauth/"))


def not_found(request, exception=None):
    if _is_api(request):
        return json_error("not_found", "Not found.", 404)
    return render(request, "404.html", status=404)


def permission_denied(request, exception=None):
    if _is_api(request):
        return json_error("permission_denied", "You do not have permission to do this.", 403)
    return render(request, "403.html", {"exception": str(exception or "")}, status=403)


def server_error(request):
    if _is_api(request):
        return json_error("server_error", "Something went wrong on our side. Please try again.", 500)
    return render(request, "500.html", status=500)
