"""Order pages for both sides: the list (filters, search, pages) and one order with its timeline, lines, brief,
deliveries and the moves allowed now (orders.selectors.orders.order_actions), each a POST to one service."""

import datetime
from dataclasses import dataclass
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

from ..api.orders import OrderFilterSerializer
from ..api.serializers import party_name
from ..models import Order
from ..selectors import orders as selectors
from ..services import checkout as checkout_services
from ..services import disputes as dispute_services
from ..services import orders as services
from ..services.rules import party_role
from ..templatetags.orders_pages import STATUS_LABELS, event_title
from .common import or_404, party_required, refusal_to_form, to_payment
from .forms import DeliverForm, DisputeForm, FeedbackForm, NoteForm, ReasonForm, ReviewForm

PER_PAGE = 20
S = Order.Status
TABS = [("", "All"), ("active", "Active"), ("finished", "Finished")]


# --- The list -------------------------------------------------------------------------------------------------------
@party_required
def order_list(request):
    filters = OrderFilterSerializer(data={key: request.GET[key] for key in ("status", "q") if request.GET.get(key)})
    if filters.is_valid():
        chosen = filters.validated_data
    else:
        chosen = {}
        messages.error(request, "That filter is not one of the order statuses; showing all your orders.")
    orders = selectors.order_list(actor=Actor.of(request.user), **chosen)
    page = Paginator(orders, PER_PAGE).get_page(request.GET.get("page"))
    status, q = chosen.get("status", ""), chosen.get("q", "")
    keep = {key: value for key, value in (("status", status), ("q", q)) if value}
    return render(request, "orders/order_list.html", {
        "page": page, "orders": page.object_list, "status": status, "q": q, "tabs": TABS,
        "statuses": [(value, STATUS_LABELS[value]) for value in S.values],
        "query": urlencode(keep), "filtered": bool(keep),
    })


# --- One order --------------------------------------------------------------------------------------------------------
FORMS = {
    "decline": ReasonForm, "cancel": ReasonForm, "request_cancellation": ReasonForm, "agree_cancellation": ReasonForm,
    "approve": NoteForm, "request_revision": FeedbackForm, "deliver": DeliverForm, "dispute": DisputeForm,
    "review": ReviewForm,
}


def _detail(request, order: Order, *, bound: dict | None = None, status: int = 200):
    user = request.user
    role = party_role(order, user)
    actions = selectors.order_actions(order, user)
    forms = {name: form_class(prefix=name) for name, form_class in FORMS.items() if name in actions}
    forms.update(bound or {})
    submissions = list(order.deliverable.submissions.all())
    other = order.creator if role == "brand" else order.brand
    cancellation_by = None
    if order.cancellation_requested_by_id and not order.is_finished:
        cancellation_by = "you" if order.cancellation_requested_by_id == user.pk else "other"
    return render(request, "orders/order_detail.html", {
        "order": order, "role": role, "actions": actions, "forms": forms, "other": other,
        "items": list(order.items.all()), "attachments": list(order.attachments.all()),
        "events": _timeline(order), "submissions": submissions,
        "latest": submissions[-1] if submissions else None,
        "dispute": getattr(order, "dispute", None), "payment": order.payment if order.payment_id else None,
        "cancellation_by": cancellation_by, "open_form": next(iter(bound), "") if bound else "",
        "review_days": settings.ORDER_REVIEW_DAYS, "extension_hours": settings.ORDER_ACCEPT_EXTENSION_HOURS,
        "pay_by": order.created_at + datetime.timedelta(hours=settings.ORDER_UNPAID_CANCEL_HOURS)
        if order.status == S.PENDING_PAYMENT else None,
        "offer_url": _offer_url(order, role),
    }, status=status)


def _timeline(order: Order) -> list:
    """The events, each with `who` acted: "GlowUp Beauty (brand)", "Influmojo" for the platform's timers,
    "Sam (support)" for agents. The two parties' names come from the order (already loaded with profiles)."""
    names = {order.brand_id: party_name(order.brand), order.creator_id: party_name(order.creator)}
    events = list(order.events.all())
    for event in events:
        event.title = event_title(event)
        # "Accepted." under "Accepted" says nothing twice; a note with more to say is shown.
        event.shown_note = "" if event.note.strip().rstrip(".").lower() == event.title.lower() else event.note
        if event.actor_role == "system" or event.actor_id is None:
            event.who = "Influmojo" if event.actor_role == "system" else event.actor_role.capitalize()
        elif event.actor_role in ("agent", "admin"):
            event.who = f"{event.actor.display_name} (support)"
        else:
            event.who = f"{names.get(event.actor_id) or event.actor.display_name} ({event.actor_role})"
    return events


def _offer_url(order: Order, role: str | None) -> str:
    if role != "creator" or order.paid_at is None:
        return ""
    return f"{reverse('offer_create')}?{urlencode({'order': order.pk})}"


@party_required
def order_detail(request, order_id: int):
    order = or_404(selectors.order_get, order_id=order_id, actor=Actor.of(request.user))
    return _detail(request, order)


# --- Moves --------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Move:
    run: object  # (order_id, actor, data) -> anything
    done: str  # the success message
    form: str | None = None  # key of FORMS


MOVES = {
    "accept": Move(lambda oid, actor, data: services.order_accept(order_id=oid, actor=actor),
                   "Order accepted: it is in progress. Deliver before the deadline."),
    "decline": Move(lambda oid, actor, data: services.order_decline(order_id=oid, actor=actor, reason=data["reason"]),
                    "Order declined; the brand is refunded in full.", "decline"),
    "extend": Move(lambda oid, actor, data: services.order_extend_acceptance(order_id=oid, actor=actor),
                   "You have more time to decide."),
    "deliver": Move(lambda oid, actor, data: services.order_deliver(order_id=oid, actor=actor, **data),
                    "Delivered. The brand has been told and will approve or ask for a revision.", "deliver"),
    "request_revision": Move(
        lambda oid, actor, data: services.order_request_revision(order_id=oid, actor=actor, **data),
        "Revision requested; the creator has been told what to change.", "request_revision"),
    "approve": Move(lambda oid, actor, data: services.order_approve(order_id=oid, actor=actor, **data),
                    "Approved: the order is completed and the creator's share is released.", "approve"),
    "cancel": Move(lambda oid, actor, data: services.order_cancel(order_id=oid, actor=actor, reason=data["reason"]),
                   "", "cancel"),
    "withdraw_cancellation": Move(lambda oid, actor, data: services.order_cancel_withdraw(order_id=oid, actor=actor),
                                  "Cancellation request withdrawn; the order goes on."),
    "dispute": Move(lambda oid, actor, data: dispute_services.order_dispute(order_id=oid, actor=actor, **data),
                    "Dispute opened. The order and its funds are frozen until support resolves it.", "dispute"),
    "review": Move(lambda oid, actor, data: services.order_review(order_id=oid, actor=actor, data=data),
                   "Thank you: your review is on the creator's public page.", "review"),
}
# The cancel form serves three moves; the page posts it with the prefix of the one it shows.
CANCEL_PREFIXES = ("cancel", "request_cancellation", "agree_cancellation")


def _cancel_message(order: Order, user) -> str:
    if order.status == S.CANCELLED:
        if order.paid_at is None:
            return "Order cancelled. Nothing was charged."
        return "Order cancelled; the brand is refunded in full."
    if order.cancellation_requested_by_id == user.pk:
        return "Cancellation requested. The other side can agree (the order is then cancelled and refunded) or go on."
    return "Done."


def _move_view(name: str):
    move = MOVES[name]

    @party_required
    @require_POST
    def view(request, order_id: int):
        actor = Actor.of(request.user)
        prefix = move.form
        form = None
        data = {}
        if move.form:
            if name == "cancel":
                prefix = next((p for p in CANCEL_PREFIXES if any(k.startswith(f"{p}-") for k in request.POST)),
                              "cancel")
            form = FORMS[prefix](request.POST, request.FILES, prefix=prefix)
            if not form.is_valid():
                return _refused_form(request, order_id, prefix, form)
            data = dict(form.validated_data)
        try:
            result = move.run(order_id, actor, data)
        except NotFound as error:
            raise Http404(error.message) from error
        except ApplicationError as error:
            if form is not None and any(field in form.fields for field in (error.details or {})):
                refusal_to_form(form, error)
                return _refused_form(request, order_id, prefix, form)
            messages.error(request, error.message)
        else:
            if name == "cancel":
                messages.success(request, _cancel_message(result, request.user))
            else:
                messages.success(request, move.done)
        return redirect("order_detail", order_id=order_id)

    view.__name__ = f"order_{name}"
    return view


def _refused_form(request, order_id: int, prefix: str, form):
    """The order page again, with the form that was refused open and its errors on the fields."""
    order = or_404(selectors.order_get, order_id=order_id, actor=Actor.of(request.user))
    return _detail(request, order, bound={prefix: form}, status=400)


@party_required
@require_POST
def order_pay(request, order_id: int):
    """Pay again (or for the first time after leaving the payment page): straight on to the payment."""
    back = reverse("order_detail", kwargs={"order_id": order_id})
    if not request.user.is_brand:
        raise Http404("Order not found.")
    try:
        outcome = checkout_services.order_pay(order_id=order_id, actor=Actor.of(request.user))
    except NotFound as error:
        raise Http404(error.message) from error
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect(back)
    return to_payment(request, outcome, back=back)


urlpatterns = [
    path("orders/", order_list, name="order_list"),
    path("orders/<id:order_id>/", order_detail, name="order_detail"),
    path("orders/<id:order_id>/pay/", order_pay, name="order_pay"),
    path("orders/<id:order_id>/accept/", _move_view("accept"), name="order_accept"),
    path("orders/<id:order_id>/decline/", _move_view("decline"), name="order_decline"),
    path("orders/<id:order_id>/extend/", _move_view("extend"), name="order_extend"),
    path("orders/<id:order_id>/deliver/", _move_view("deliver"), name="order_deliver"),
    path("orders/<id:order_id>/request-revision/", _move_view("request_revision"), name="order_request_revision"),
    path("orders/<id:order_id>/approve/", _move_view("approve"), name="order_approve"),
    path("orders/<id:order_id>/cancel/", _move_view("cancel"), name="order_cancel"),
    path("orders/<id:order_id>/cancel/withdraw/", _move_view("withdraw_cancellation"), name="order_cancel_withdraw"),
    path("orders/<id:order_id>/dispute/", _move_view("dispute"), name="order_dispute"),
    path("orders/<id:order_id>/review/", _move_view("review"), name="order_review"),
]
