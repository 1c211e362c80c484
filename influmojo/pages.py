"""What every app's pages share: role guards, a selector's NotFound as the page's 404, a service's refusal on its
form, and a safe `next`."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme

from influmojo.errors import ApplicationError, NotFound


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


def or_404(read, **kwargs):
    """A selector's or service's NotFound is the page's 404 (someone else's object looks like a missing one)."""
    try:
        return read(**kwargs)
    except NotFound as error:
        raise Http404(error.message) from error


def refusal_to_form(form, error: ApplicationError) -> None:
    """A service's refusal lands on the form field it names (its details), else on the whole form."""
    fields = [name for name in (error.details or {}) if name in form.fields]
    form.add_error(fields[0] if fields else None, error.message)


def safe_next(request, url: str | None, fallback: str, *args) -> str:
    """`url` when it is a path on this site, else the `fallback` URL name (or path; "" stays "")."""
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
        return url
    return resolve_url(fallback, *args) if fallback else fallback
