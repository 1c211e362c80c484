"""What the orders pages share: their role guards (influmojo.pages has the shared ones, the 404, a refusal on its
form and a safe `next`) and sending the brand on to pay."""

from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse

from influmojo.pages import or_404, refusal_to_form, role_required, safe_next

__all__ = ["back_after_payment", "brand_required", "creator_required", "or_404", "party_required", "pay_page",
           "refusal_to_form", "safe_next", "to_payment"]


brand_required = role_required("brand", "The cart and checkout are for brand accounts.")
creator_required = role_required("creator", "Custom offers are sent by creator accounts.")


def party_required(view):
    """Brands and creators (the two sides of an order); agents use the console."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.user.user_type not in ("brand", "creator"):
            messages.error(request, "Orders are between brands and creators; agents handle them in the console.")
            return redirect("dashboard")
        return view(request, *args, **kwargs)

    return login_required(wrapped)


def pay_page(payment_id: int) -> str | None:
    """payments' pay page (/payments/<id>/pay/: the sandbox's TEST MODE button or Stripe's Payment Element)."""
    path = f"/payments/{payment_id}/pay/"
    try:
        resolve(path)
    except Resolver404:
        return None
    return path


def to_payment(request, outcome, *, back: str):
    """After checkout or "pay again": straight on to paying. `back` is where the brand lands afterwards.

    payments' pay page when it is mounted, else the gateway's own confirmation page (the sandbox's). A gateway
    failure leaves the orders placed and payable: the brand is told why and sent to `back`.
    """
    if outcome.error is not None or outcome.intent is None:
        message = outcome.error.message if outcome.error else "The payment could not be started."
        messages.error(request, f"{message} Your order is saved: pay it from its page when you are ready.")
        return redirect(back)
    target = pay_page(outcome.payment.pk) or outcome.intent.confirm_url
    if not target:
        messages.error(request, "The payment page is not available right now. Your order is saved: pay it from "
                                "its page in a moment.")
        return redirect(back)
    return redirect(f"{target}?{urlencode({'next': back})}")


def back_after_payment(orders) -> str:
    """One order: its page; several (one per creator): the active orders list."""
    if len(orders) == 1:
        return reverse("order_detail", kwargs={"order_id": orders[0].pk})
    return f"{reverse('order_list')}?{urlencode({'status': 'active'})}"
