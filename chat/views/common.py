"""What the chat pages share: a selector's NotFound as the page's 404, a service's refusal as a message."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect

from influmojo.errors import NotFound


def or_404(read, **kwargs):
    """Someone else's conversation or notification looks like a missing one."""
    try:
        return read(**kwargs)
    except NotFound as error:
        raise Http404(error.message) from error


def role_required(role: str, message: str):
    """Signed-in users of one role; the others go back to their dashboard with `message`."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.user.user_type != role:
                messages.error(request, message)
                return redirect("dashboard")
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorator


brand_required = role_required("brand", "Only brand accounts start conversations with creators.")


def refusal_to_form(form, error) -> None:
    """A service's refusal lands on the form field it names (its details), else on the whole form."""
    fields = [name for name in (error.details or {}) if name in form.fields]
    form.add_error(fields[0] if fields else None, error.message)
