"""The sandbox gateway's own pages: what Stripe's checkout, Express onboarding and card form are in test mode.

Each page produces the event the provider would send and hands it to webhook_event_process, the same door
Stripe's webhooks go through, so the same states and ledger entries follow. Event ids are derived from what
happened (a payment succeeds once: a double submit is a duplicate event and changes nothing).
"""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render, resolve_url
from django.urls import path
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from influmojo.errors import ApplicationError
from influmojo.permissions import Actor
from payments.models import ConnectedAccount, Customer, Payment, WebhookEvent

from .sandbox import DECLINE_CARD, DEFAULT_CARD, TEST_CARDS, SandboxGateway

GATEWAY = SandboxGateway.name


def _sandbox_on():
    """Test money must never pay for real orders: the pages exist only while the sandbox is the gateway."""
    if settings.PAYMENT_GATEWAY != GATEWAY:
        raise Http404("The test gateway is off.")


def _safe_next(request, url: str | None, fallback: str = "dashboard") -> str:
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
        return url
    return resolve_url(fallback) if fallback else ""


def _deliver(event) -> None:
    from payments.services.events import webhook_event_process

    webhook_event_process(gateway=GATEWAY, event=event)


@login_required
@require_http_methods(["GET", "POST"])
def sandbox_confirm(request, payment_id: int):
    """The test checkout of one payment, for the brand that pays it."""
    _sandbox_on()
    payment = Payment.objects.filter(pk=payment_id, payer=request.user, gateway=GATEWAY).first()
    if payment is None:
        raise Http404("Payment not found.")
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"), "")
    if request.method == "POST":
        return _confirm(request, payment, next_url)
    return render(request, "payments/sandbox_confirm.html", {
        "payment": payment, "orders": [escrow.order for escrow in payment.escrows.select_related("order")],
        "cards": TEST_CARDS.values(), "default_card": DEFAULT_CARD, "next": next_url,
        "open": payment.status in (Payment.Status.PENDING, Payment.Status.FAILED),
    })


def _confirm(request, payment: Payment, next_url: str):
    from payments.services import payment_prepare

    here = request.path + (f"?{urlencode({'next': next_url})}" if next_url else "")
    card = TEST_CARDS.get(DECLINE_CARD if request.POST.get("action") == "decline" else request.POST.get("card", ""))
    if card is None:
        messages.error(request, "Choose one of the test cards.")
        return redirect(here)
    try:
        payment = payment_prepare(payment_id=payment.pk, actor=Actor.of(request.user)).payment
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(here)
    gateway = SandboxGateway()
    intent_id = payment.provider_payment_id
    if card.decline:
        attempt = WebhookEvent.objects.filter(gateway=GATEWAY, event_id__startswith=f"evt_{intent_id}_failed_").count()
        _deliver(gateway.event(event_id=f"evt_{intent_id}_failed_{attempt + 1}", type="payment_intent.payment_failed",
                               obj=gateway.payment_intent_object(payment=payment, card=card,
                                                                 status="requires_payment_method")))
        messages.error(request, f"Test card declined: {card.decline[2]} Try another test card.")
        return redirect(here)
    _deliver(gateway.event(event_id=f"evt_{intent_id}_succeeded", type="payment_intent.succeeded",
                           obj=gateway.payment_intent_object(payment=payment, card=card, status="succeeded")))
    payment.refresh_from_db()
    if payment.status == Payment.Status.COMPLETED:
        messages.success(request, f"Test payment of {payment.amount} {payment.currency} succeeded.")
    return redirect(_safe_next(request, next_url, here))


@login_required
@require_http_methods(["GET", "POST"])
def sandbox_onboarding(request, account_id: str):
    """The test stand-in for Stripe Express onboarding: one click completes the creator's payout account."""
    _sandbox_on()
    account = ConnectedAccount.objects.filter(provider_account_id=account_id, user=request.user,
                                              gateway=GATEWAY).first()
    if account is None:
        raise Http404("Account not found.")
    return_url = _safe_next(request, request.POST.get("return_url") or request.GET.get("return_url"))
    if request.method == "POST":
        if request.POST.get("action") != "complete":
            return redirect(_safe_next(request, request.POST.get("refresh_url") or request.GET.get("refresh_url")))
        gateway = SandboxGateway()
        _deliver(gateway.event(
            event_id=f"evt_{account_id}_onboarded", type="account.updated",
            obj={"id": account_id, "object": "account", "type": "express", "details_submitted": True,
                 "charges_enabled": True, "payouts_enabled": True, "requirements": {"currently_due": []}},
            previous_attributes={"details_submitted": False, "payouts_enabled": False},
        ))
        messages.success(request, "Test payout account ready: your payouts are on their way.")
        return redirect(return_url)
    return render(request, "payments/sandbox_onboarding.html", {
        "account": account, "return_url": return_url,
        "refresh_url": _safe_next(request, request.GET.get("refresh_url")),
    })


@login_required
@require_http_methods(["GET", "POST"])
def sandbox_setup(request, setup_intent_id: str):
    """The test card form of a SetupIntent: saves a test card on the brand's sandbox customer."""
    _sandbox_on()
    customer = Customer.objects.filter(user=request.user, gateway=GATEWAY).first()
    if customer is None or not setup_intent_id.startswith("seti_sandbox_"):
        raise Http404("Setup not found.")
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if request.method == "POST":
        card = TEST_CARDS.get(request.POST.get("card", ""))
        if card is None or card.decline:
            messages.error(request, f"Test card declined: {card.decline[2] if card else 'choose a test card.'}")
            return redirect(request.get_full_path())
        gateway = SandboxGateway()
        method = gateway.payment_method_object(customer_id=customer.provider_customer_id, card=card)
        _deliver(gateway.event(
            event_id=f"evt_{setup_intent_id}_succeeded", type="setup_intent.succeeded",
            obj={"id": setup_intent_id, "object": "setup_intent", "status": "succeeded",
                 "customer": customer.provider_customer_id, "payment_method": method},
        ))
        messages.success(request, f"Test card {card.brand.title()} •••• {card.last4} saved.")
        return redirect(next_url)
    return render(request, "payments/sandbox_setup.html", {
        "cards": [card for card in TEST_CARDS.values() if not card.decline], "default_card": DEFAULT_CARD,
        "next": next_url, "setup_intent_id": setup_intent_id,
    })


urlpatterns = [
    path("payments/sandbox/<id:payment_id>/", sandbox_confirm, name="payments_sandbox_confirm"),
    path("payments/sandbox/connect/<str:account_id>/", sandbox_onboarding, name="payments_sandbox_onboarding"),
    path("payments/sandbox/cards/<str:setup_intent_id>/", sandbox_setup, name="payments_sandbox_setup"),
]
