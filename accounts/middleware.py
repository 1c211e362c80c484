from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.shortcuts import redirect


class StaffMFARequiredMiddleware:
    """Staff must have TOTP set up before they can use the admin."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            request.path.startswith("/admin/")
            and user is not None
            and user.is_authenticated
            and user.is_staff
            and not is_mfa_enabled(user)
        ):
            messages.warning(request, "Staff accounts need two-factor authentication. Set it up to continue.")
            return redirect("mfa_activate_totp")
        return self.get_response(request)
