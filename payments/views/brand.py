"""A brand's payments pages: the dashboard (totals, spend per month, every payment with its receipt), one
payment, the pay page (the sandbox's TEST MODE confirmation, or Stripe's Payment Element), receipts as PDF,
and saved cards (add through a SetupIntent or the sandbox's card page, remove, make default)."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from influmojo.errors import ApplicationError, NotFound
from influmojo.permissions import Actor
from payments import selectors, services
from payments.api.serializers import PaymentFilterSerializer
from payments.fees import fee_rate
from payments.models import Payment
from payments.selectors import documents

from .charts import charts_by_currency, money_text
from .common import PER_PAGE, brand_required, or_404, safe_next
from .pdf import pdf_response, receipt_document

S = Payment.Status
PAYABLE = (S.PENDING, S.FAILED)
TABS = [("", "All"), (S.COMPLETED, "Completed"), (S.PENDING, "Pending"), (S.FAILED, "Failed"),
        (S.REFUNDED, "Refunded"), (S.CANCELLED, "Cancelled")]


@brand_required
def payments_dashboard(request):
    actor = Actor.of(request.user)
    filters = PaymentFilterSerializer(data={"status": request.GET["status"]} if request.GET.get("status") else {})
    if filters.is_valid():
        status = filters.validated_data.get("status", "")
    else:
        status = ""
        messages.error(request, "That filter is not a payment status; showing all your payments.")
    overview = documents.payments_overview(actor=actor)
    page = Paginator(selectors.payment_list(actor=actor, status=status or None), PER_PAGE).get_page(
        request.GET.get("page"))
    return render(request, "payments/dashboard.html", {
        "overview": overview, "rows": overview.dashboard.rows, "spend": {row.currency: row for row in overview.spend},
        "charts": charts_by_currency(overview.months, title="Spend per month",
                                     empty="No payments in the last 12 months"),
        "page": page, "payments": page.object_list, "status": status, "tabs": TABS,
        "query": urlencode({"status": status}) if status else "", "test_mode": settings.PAYMENT_GATEWAY == "sandbox",
    })


@brand_required
def payment_detail(request, payment_id: int):
    payment = or_404(selectors.payment_get, actor=Actor.of(request.user), payment_id=payment_id)
    returned = request.GET.get("redirect_status", "")  # Stripe sends the brand back here after confirming
    waiting = payment.status == S.PROCESSING or (payment.status == S.PENDING and returned in ("succeeded", "processing"))
    if returned == "failed" and payment.status in PAYABLE:
        messages.error(request, "Your card was not charged. Try again or use another card.")
    escrows = list(payment.escrows.all())
    return render(request, "payments/payment_detail.html", {
        "payment": payment, "escrows": escrows, "refunds": list(payment.refunds.all()), "waiting": waiting,
        "can_pay": payment.status in PAYABLE and not waiting, "timeline": _timeline(payment),
    })


def _timeline(payment: Payment) -> list[dict]:
    """The payment's steps as the page shows them: done (ok), where it stands (now), still to come."""
    steps = [{"label": "Checkout started", "at": payment.created_at, "state": "ok"}]
    if payment.status == S.CANCELLED:
        return [*steps, {"label": "Cancelled: nothing was charged", "at": payment.updated_at, "state": "now"}]
    if payment.status == S.FAILED:
        reason = payment.failure_message or "the card was declined"
        return [*steps, {"label": f"Last attempt failed: {reason}", "at": payment.updated_at, "state": "now"},
                {"label": "Paid", "at": None, "state": ""}]
    if payment.status in (S.PENDING, S.PROCESSING):
        label = "Processing: waiting for the card issuer" if payment.status == S.PROCESSING else "Waiting for payment"
        return [*steps, {"label": label, "at": None, "state": "now"}, {"label": "Paid", "at": None, "state": ""}]
    steps.append({"label": f"Paid{f' with {payment.method}' if payment.method else ''}", "at": payment.paid_at,
                  "state": "ok"})
    for refund in payment.refunds.all():
        state = {"succeeded": "ok", "pending": "now"}.get(refund.status, "now")
        label = {"succeeded": "Refunded", "pending": "Refund on its way", "failed": "Refund failed, support retries"}
        steps.append({"label": f"{label[refund.status]}: {money_text(refund.amount, refund.currency)} ({refund.reason})",
                      "at": refund.succeeded_at or refund.created_at, "state": state})
    return steps


@brand_required
def payment_pay(request, payment_id: int):
    """The pay page: the orders and the amount, then the sandbox's TEST MODE button or Stripe's Payment Element."""
    actor = Actor.of(request.user)
    detail = reverse("payment_detail", args=[payment_id])
    back = safe_next(request, request.GET.get("next"), detail)
    payment = or_404(selectors.payment_get, actor=actor, payment_id=payment_id)
    if payment.status not in PAYABLE:
        if payment.status == S.CANCELLED:
            messages.error(request, "This payment was cancelled; pay its orders again from your orders.")
        return redirect(detail)
    try:
        intent = services.payment_prepare(payment_id=payment.pk, actor=actor)
    except NotFound as error:
        raise Http404(error.message) from error
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect(detail)
    receipt = documents.payment_receipt(actor=actor, payment_id=payment.pk)
    rates = {row.order.fee_rate for row in receipt.orders}
    return render(request, "payments/pay.html", {
        "payment": intent.payment, "receipt": receipt, "intent": intent, "back": back,
        "fee_percent": documents.fee_percent(rates.pop() if len(rates) == 1 else fee_rate()),
        "confirm_url": f"{intent.confirm_url}?{urlencode({'next': back})}" if intent.confirm_url else "",
        "return_url": request.build_absolute_uri(detail),
    })


@brand_required
def payment_receipt(request, payment_id: int):
    try:
        receipt = or_404(documents.payment_receipt, actor=Actor.of(request.user), payment_id=payment_id)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("payment_detail", payment_id=payment_id)
    return pdf_response(receipt_document(receipt), receipt.filename)


# --- Saved cards ---------------------------------------------------------------------------------------------
@brand_required
def cards(request):
    methods = list(selectors.payment_method_list(actor=Actor.of(request.user)))
    return render(request, "payments/cards.html", {"methods": methods})


@brand_required
@require_POST
def card_add(request):
    """Starts saving a card: the sandbox's test card page, or Stripe's card form on our page."""
    try:
        setup = services.payment_method_setup(actor=Actor.of(request.user))
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("payment_cards")
    if setup.confirm_url:
        return redirect(f"{setup.confirm_url}?{urlencode({'next': reverse('payment_cards')})}")
    return render(request, "payments/card_add.html", {
        "setup": setup, "return_url": request.build_absolute_uri(reverse("payment_card_added")),
    })


@brand_required
def card_added(request):
    """Stripe sends the brand back here after confirming the card: read the cards back at once (the
    setup_intent.succeeded webhook would bring it too, a moment later)."""
    if request.GET.get("redirect_status") == "failed":
        messages.error(request, "The card was not saved. Try again or use another card.")
        return redirect("payment_cards")
    try:
        services.payment_methods_sync(user_id=request.user.pk)
    except ApplicationError as error:
        messages.error(request, f"Your card is being saved; it appears here in a moment. ({error.message})")
        return redirect("payment_cards")
    messages.success(request, "Card saved.")
    return redirect("payment_cards")


def _card_action(service, done: str):
    @brand_required
    @require_POST
    def view(request, payment_method_id: int):
        try:
            or_404(service, actor=Actor.of(request.user), payment_method_id=payment_method_id)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, done)
        return redirect("payment_cards")

    return view


card_remove = _card_action(services.payment_method_remove, "Card removed.")
card_default = _card_action(services.payment_method_set_default, "Default card changed.")


urlpatterns = [
    path("payments/", payments_dashboard, name="payments_dashboard"),
    path("payments/cards/", cards, name="payment_cards"),
    path("payments/cards/add/", card_add, name="payment_card_add"),
    path("payments/cards/added/", card_added, name="payment_card_added"),
    path("payments/cards/<id:payment_method_id>/remove/", card_remove, name="payment_card_remove"),
    path("payments/cards/<id:payment_method_id>/default/", card_default, name="payment_card_default"),
    path("payments/<id:payment_id>/", payment_detail, name="payment_detail"),
    path("payments/<id:payment_id>/pay/", payment_pay, name="payment_pay"),
    path("payments/<id:payment_id>/receipt.pdf", payment_receipt, name="payment_receipt"),
]
