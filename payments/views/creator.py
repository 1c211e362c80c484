"""A creator's earnings page: what they earned, what is available, pending in escrow and paid out; their payout
setup (Stripe Express onboarding, with a plain message while payouts are blocked); earnings per month; their
payouts with a PDF statement each."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods, require_POST

from influmojo.errors import ApplicationError
from influmojo.permissions import Actor
from payments import services
from payments.selectors import documents

from .charts import charts_by_currency
from .common import PER_PAGE, creator_required, or_404
from .pdf import pdf_response, statement_document


@creator_required
def earnings(request):
    actor = Actor.of(request.user)
    overview = documents.earnings_overview(actor=actor)
    page = Paginator(documents.payout_rows(actor=actor), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "payments/earnings.html", {
        "overview": overview, "rows": overview.earnings.rows, "account": overview.account,
        "blocked": sorted(overview.earnings.blocked_amount.items()),
        "charts": charts_by_currency(overview.months, title="Earnings per month",
                                     empty="No earnings in the last 12 months"),
        "page": page, "payouts": page.object_list,
    })


@creator_required
@require_http_methods(["GET", "POST"])
def onboarding(request):
    """Off to the provider's onboarding page. GET too: Stripe sends the creator here when a link expired."""
    try:
        url = services.connected_account_onboarding_link(
            actor=Actor.of(request.user),
            return_url=request.build_absolute_uri(reverse("creator_earnings_onboarding_return")),
            refresh_url=request.build_absolute_uri(reverse("creator_earnings_onboarding")),
        )
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("creator_earnings")
    return redirect(url)


@creator_required
def onboarding_return(request):
    """Back from onboarding: read the account's status from the provider (payouts waiting are sent once it can
    receive them) and say where things stand."""
    try:
        account = services.connected_account_refresh(actor=Actor.of(request.user))
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("creator_earnings")
    if account is not None and account.can_receive_payouts:
        messages.success(request, "Your payout account is ready: payouts go to it as orders complete.")
    else:
        messages.warning(request, "Your payout setup is not finished yet; continue it when you are ready.")
    return redirect("creator_earnings")


@creator_required
@require_POST
def payouts_release(request):
    try:
        released = services.payouts_release(actor=Actor.of(request.user))
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        if released:
            messages.success(request, f"{len(released)} payout{'s' if len(released) != 1 else ''} on the way.")
        else:
            messages.info(request, "Your payout account is ready; no payout was waiting.")
    return redirect("creator_earnings")


@creator_required
def payout_statement(request, payout_id: int):
    statement = or_404(documents.payout_statement, actor=Actor.of(request.user), payout_id=payout_id)
    return pdf_response(statement_document(statement), statement.filename)


urlpatterns = [
    path("creator/earnings/", earnings, name="creator_earnings"),
    path("creator/earnings/onboarding/", onboarding, name="creator_earnings_onboarding"),
    path("creator/earnings/onboarding/return/", onboarding_return, name="creator_earnings_onboarding_return"),
    path("creator/earnings/payouts/release/", payouts_release, name="creator_payouts_release"),
    path("creator/earnings/payouts/<id:payout_id>/statement.pdf", payout_statement, name="creator_payout_statement"),
]
