"""The creator's social accounts page, the "add a handle" form, sync/disconnect, and the OAuth round trip.

Connecting: `/creator/social/connect/<platform>/` sends the creator to the platform with a `state` that
is signed, names the creator and carries a one-time nonce kept in their session; the callback accepts
only that state, once, within STATE_MAX_AGE, then hands the code to the connect service.
"""

import secrets
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_POST

from influmojo.errors import ApplicationError
from influmojo.forms import SerializerForm, number_field, raw_field, select_field

from .. import platforms
from ..api.social import SelfReportedAccountSerializer, client_ip
from ..models import Platform
from ..selectors import social as selectors
from ..services import social as services

STATE_SALT = "creators.social.oauth-state"
STATE_SESSION_KEY = "social_oauth_nonces"
STATE_MAX_AGE = 15 * 60
ACTION_LABELS = {
    "connect": "Connect",
    "sync": "Sync",
    "sync_requested": "Sync requested",
    "refresh_token": "Token renewal",
    "disconnect": "Disconnect",
    "remove": "Remove",
    "self_report": "Handle saved",
}


class SelfReportForm(SerializerForm):
    serializer_class = SelfReportedAccountSerializer

    platform = select_field(dict(Platform.choices))
    username = raw_field(label="Handle", help_text="Without the @.")
    followers = number_field(label="Followers", help_text="Optional.")


def creator_required(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_creator:
            messages.error(request, "Social accounts are for creator accounts.")
            return redirect("dashboard")
        return view(request, *args, **kwargs)

    return login_required(wrapped)


# --- The page -----------------------------------------------------------------------------------------------
@creator_required
def social_accounts(request):
    """Accounts with their numbers and sync state; POST sets a self-reported handle."""
    form = SelfReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account, created = services.social_account_self_report(
                creator=request.user, ip=client_ip(request), **form.validated_data
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            verb = "added" if created else "updated"
            messages.success(request, f"{account.get_platform_display()} handle @{account.username} {verb}.")
            return redirect("creator_social")
    accounts = list(selectors.social_accounts_of(creator=request.user))
    activity = selectors.social_activity_of(creator=request.user)
    for entry in activity:
        entry.action_label = ACTION_LABELS.get(entry.action, entry.action)
    context = {
        "accounts": accounts,
        "options": selectors.connect_options(),
        "form": form,
        "activity": activity,
    }
    return render(request, "creators/social.html", context, status=400 if form.errors else 200)


@creator_required
@require_POST
def social_sync(request, account_id: int):
    try:
        account = services.social_account_request_sync(
            account_id=account_id, creator=request.user, ip=client_ip(request)
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Sync of @{account.username} started. The numbers update when it finishes.")
    return redirect("creator_social")


@creator_required
@require_POST
def social_disconnect(request, account_id: int):
    try:
        account = services.social_account_disconnect(creator=request.user, account_id=account_id, ip=client_ip(request))
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        if account is None:
            messages.success(request, "Account removed.")
        else:
            messages.success(request, f"@{account.username} disconnected; Influmojo no longer holds its access.")
    return redirect("creator_social")


# --- OAuth round trip ---------------------------------------------------------------------------------------
def _client(platform: str) -> platforms.PlatformClient:
    if platform not in platforms.CLIENTS:
        raise Http404("No such platform.")
    return platforms.client_for(platform)


def callback_url(platform: str) -> str:
    """The redirect URI registered with the platform's app (SITE_URL, so it is the same behind a proxy)."""
    return f"{settings.SITE_URL.rstrip('/')}{reverse('creator_social_callback', kwargs={'platform': platform})}"


def _issue_state(request, platform: str) -> str:
    nonce = secrets.token_urlsafe(24)
    request.session[STATE_SESSION_KEY] = {**request.session.get(STATE_SESSION_KEY, {}), platform: nonce}
    return signing.dumps({"platform": platform, "user": request.user.pk, "nonce": nonce}, salt=STATE_SALT)


def _state_is_valid(request, platform: str, state: str) -> bool:
    """True once per issued state: right signature, age, platform, user and session nonce."""
    nonces = request.session.get(STATE_SESSION_KEY, {})
    expected = nonces.pop(platform, None)
    request.session[STATE_SESSION_KEY] = nonces
    try:
        data = signing.loads(state, salt=STATE_SALT, max_age=STATE_MAX_AGE)
    except signing.BadSignature:
        return False
    return (
        expected is not None
        and data.get("platform") == platform
        and data.get("user") == request.user.pk
        and secrets.compare_digest(str(data.get("nonce", "")), expected)
    )


@creator_required
@require_GET
def social_connect(request, platform: str):
    client = _client(platform)
    if not client.is_configured():
        context = {"label": client.label}
        return render(request, "creators/social_unavailable.html", context, status=400)
    return redirect(client.authorize_url(redirect_uri=callback_url(platform), state=_issue_state(request, platform)))


@creator_required
@require_GET
def social_callback(request, platform: str):
    client = _client(platform)
    if not _state_is_valid(request, platform, request.GET.get("state", "")):
        messages.error(request, f"That {client.label} connection was not started here or has expired. Try again.")
        return redirect("creator_social")
    if request.GET.get("error") or not request.GET.get("code"):
        reason = request.GET.get("error_description") or request.GET.get("error") or "no authorization code"
        messages.error(request, f"{client.label} did not connect: {reason[:200]}")
        return redirect("creator_social")
    try:
        accounts = services.social_accounts_connect(
            creator=request.user,
            platform=platform,
            code=request.GET["code"],
            redirect_uri=callback_url(platform),
            ip=client_ip(request),
        )
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("creator_social")
    names = ", ".join(f"@{account.username}" for account in accounts)
    messages.success(request, f"Connected {names} on {client.label}. Its numbers are being synced.")
    return redirect("creator_social")


urlpatterns = [
    path("creator/social/", social_accounts, name="creator_social"),
    path("creator/social/<id:account_id>/sync/", social_sync, name="creator_social_sync"),
    path("creator/social/<id:account_id>/disconnect/", social_disconnect, name="creator_social_disconnect"),
    path("creator/social/connect/<slug:platform>/", social_connect, name="creator_social_connect"),
    path("creator/social/callback/<slug:platform>/", social_callback, name="creator_social_callback"),
]
