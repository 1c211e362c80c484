"""The brand's cart and checkout pages: add a package (from the creator's public page), change or remove lines,
check out the lines of one currency with the brief, then straight on to paying."""

import datetime
import zoneinfo
from urllib.parse import urlencode
from collections import OrderedDict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from influmojo.errors import ApplicationError, NotFound
from influmojo.permissions import Actor
from payments.fees import platform_fee

from ..models import ZERO
from ..selectors.cart import cart_get
from ..services import cart as services
from ..services import checkout as checkout_services
from .common import back_after_payment, brand_required, refusal_to_form, safe_next, to_payment
from .forms import AddToCartForm, CheckoutForm, QuantityForm


@dataclass
class CreatorGroup:
    """The lines of one creator in one currency: what becomes one order at checkout."""

    creator: object
    currency: str
    lines: list = field(default_factory=list)
    subtotal: Decimal = ZERO
    platform_fee: Decimal = ZERO

    @property
    def creator_amount(self) -> Decimal:
        return self.subtotal - self.platform_fee


def _groups(cart) -> list[CreatorGroup]:
    groups: OrderedDict[tuple, CreatorGroup] = OrderedDict()
    for line in cart.lines:
        group = groups.setdefault((line.creator.pk, line.currency), CreatorGroup(line.creator, line.currency))
        group.lines.append(line)
        if line.available:
            group.subtotal += line.line_total
    for group in groups.values():
        group.platform_fee = platform_fee(group.subtotal, cart.fee_rate) if group.subtotal else ZERO
    return list(groups.values())


def _first_error(error: ApplicationError) -> str:
    for messages_ in (error.details or {}).values():
        if isinstance(messages_, list) and messages_ and isinstance(messages_[0], str):
            return messages_[0]
    return error.message


@brand_required
@require_POST
def cart_add(request):
    """Adds a package (with a quantity) from wherever packages are shown, then back there."""
    back = safe_next(request, request.POST.get("next"), reverse("cart"))
    form = AddToCartForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(error for errors in form.errors.values() for error in errors))
        return redirect(back)
    data = form.validated_data
    try:
        item = services.cart_add_package(actor=Actor.of(request.user), package_id=data["package_id"],
                                         quantity=data["quantity"])
    except NotFound as error:
        raise Http404(error.message) from error
    except ApplicationError as error:
        messages.error(request, _first_error(error))
        return redirect(back)
    added = data["quantity"]
    messages.success(request, f"Added {added} × “{item.package.title}” to your cart"
                              f"{f' ({item.quantity} in all)' if item.quantity != added else ''}.")
    cart = reverse("cart")
    return redirect(f"{cart}?{urlencode({'back': back})}" if back != cart else cart)


@brand_required
def cart_page(request):
    cart = cart_get(actor=Actor.of(request.user))
    return render(request, "orders/cart.html", {
        "back": safe_next(request, request.GET.get("back"), ""),
        "cart": cart, "groups": _groups(cart), "single_currency": len(cart.totals) == 1,
        "quantity_range": range(services.QUANTITY_RANGE[0], services.QUANTITY_RANGE[1] + 1),
    })


@brand_required
@require_POST
def cart_item_quantity(request, item_id: int):
    form = QuantityForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(error for errors in form.errors.values() for error in errors))
        return redirect("cart")
    try:
        services.cart_item_update(item_id=item_id, actor=Actor.of(request.user), **form.validated_data)
    except NotFound as error:
        raise Http404(error.message) from error
    except ApplicationError as error:
        messages.error(request, _first_error(error))
    else:
        messages.success(request, "Quantity updated.")
    return redirect("cart")


@brand_required
@require_POST
def cart_item_remove(request, item_id: int):
    try:
        services.cart_item_remove(item_id=item_id, actor=Actor.of(request.user))
    except NotFound as error:
        raise Http404(error.message) from error
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Removed from your cart.")
    return redirect("cart")


# --- Checkout ------------------------------------------------------------------------------------------------------
def _zone(user) -> datetime.tzinfo:
    try:
        return zoneinfo.ZoneInfo(user.timezone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return datetime.UTC


def earliest_deadline(lines, user) -> datetime.date:
    """The first day the deadline may fall on: the longest delivery time of the lines (at least a day) from
    now, in the brand's time zone (the deadline is the end of the chosen day, so that day is allowed)."""
    days = max([line.duration_days or 1 for line in lines] + [1])
    return (timezone.now() + datetime.timedelta(days=days)).astimezone(_zone(user)).date()


def _selected_ids(request) -> list | None:
    values = request.POST.getlist("item_ids")
    return values or None


@brand_required
def checkout_page(request):
    """The brief for the lines of one currency (all of them, or those ticked), then on to the payment."""
    actor = Actor.of(request.user)
    cart = cart_get(actor=actor)
    currencies = [total.currency for total in cart.totals]
    currency = request.GET.get("currency") or (currencies[0] if len(currencies) == 1 else None)
    if not currencies:
        messages.error(request, "Your cart has nothing to check out yet.")
        return redirect("cart")
    if currency not in currencies:
        messages.error(request, "Your cart holds several currencies: check out one currency at a time.")
        return redirect("cart")
    lines = [line for line in cart.lines if line.available and line.currency == currency]
    total = next(total for total in cart.totals if total.currency == currency)
    tz = request.user.timezone or "UTC"
    if request.method == "POST":
        chosen = _selected_ids(request)
        form = CheckoutForm(request.POST, request.FILES, tz=tz, item_ids=chosen)
        if not chosen:
            form.add_error(None, "Tick at least one line to check out.")
        elif form.is_valid():
            data = form.validated_data
            try:
                outcome = checkout_services.checkout(
                    actor=actor, item_ids=data.get("item_ids"), requirements=data["requirements"],
                    deadline=data["deadline"], usage_rights=data["usage_rights"], usage_notes=data["usage_notes"],
                    attachments=data["attachments"],
                )
            except NotFound as error:
                form.add_error(None, error.message)
            except ApplicationError as error:
                refusal_to_form(form, error)
            else:
                count = len(outcome.orders)
                messages.success(request, f"{count} order{'s' if count != 1 else ''} placed"
                                          f"{' (one per creator)' if count > 1 else ''}. Pay now to send "
                                          f"{'them' if count > 1 else 'it'} to the creator{'s' if count > 1 else ''}.")
                return to_payment(request, outcome, back=back_after_payment(outcome.orders))
        selected = {str(value) for value in (chosen or [])}
    else:
        form = CheckoutForm(tz=tz, initial={"usage_rights": "organic"})
        selected = {str(line.item.pk) for line in lines}
    return render(request, "orders/checkout.html", {
        "form": form, "lines": lines, "total": total, "fee_rate": cart.fee_rate, "currency": currency,
        "selected": selected, "earliest": earliest_deadline(lines, request.user),
        "latest": (timezone.now() + datetime.timedelta(days=checkout_services.DEADLINE_MAX_DAYS)).date(),
        "accept_hours": settings.ORDER_ACCEPT_HOURS, "test_mode": settings.PAYMENT_GATEWAY == "sandbox",
    })


urlpatterns = [
    path("cart/", cart_page, name="cart"),
    path("cart/add/", cart_add, name="cart_add"),
    path("cart/<id:item_id>/quantity/", cart_item_quantity, name="cart_item_quantity"),
    path("cart/<id:item_id>/remove/", cart_item_remove, name="cart_item_remove"),
    path("cart/checkout/", checkout_page, name="checkout"),
]
