"""Who is told what about money: one function per event, each calling the one notification service
(chat.services.notifications.notify, type "payments": in-app, live, e-mail, push per the recipient's preferences).

Each is called inside the transaction that changes the state, so nothing is said until it commits (and nothing if it
rolls back); each has a dedupe key, so a webhook or task that runs twice tells nobody twice. The creator hears that
an order was paid from orders (order.paid); the brand gets the receipt here.
"""

from django.urls import NoReverseMatch, reverse

from chat.services.notifications import notify
from orders.models import Order

from .models import Payment, Payout, Refund


def _path(name: str, **kwargs) -> str:
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:  # the payments pages are not mounted (API-only deployment)
        return ""


def _numbers(order_ids) -> str:
    numbers = list(Order.objects.filter(pk__in=order_ids).order_by("pk").values_list("number", flat=True))
    return ", ".join(numbers)


def payment_received(*, payment: Payment, held_order_ids: list[int], returned_order_ids: list[int]) -> None:
    """The brand's receipt: the money arrived and is held for the orders it paid (some may be returned)."""
    amount = f"{payment.amount} {payment.currency}"
    body = f"We received {amount}" + (f" ({payment.method})" if payment.method else "") + "."
    if held_order_ids:
        body += (f" It pays for {_numbers(held_order_ids)} and is held safely until you approve the work; the "
                 "creator is paid only then.")
    if returned_order_ids:
        body += (f" {_numbers(returned_order_ids)} no longer waited for this payment, so that share is refunded "
                 "to your card.")
    notify(user_id=payment.payer_id, type="payments", event="payment.received", title=f"Payment of {amount} received",
           body=body, url=_path("payment_detail", payment_id=payment.pk),
           data={"payment_id": payment.pk, "amount": payment.amount, "currency": payment.currency,
                 "order_ids": [*held_order_ids, *returned_order_ids]},
           dedupe_key=f"payment:{payment.pk}:received")


def payout_sent(*, payout: Payout) -> None:
    """The creator's share of a completed order left for their payout account."""
    amount = f"{payout.amount} {payout.currency}"
    number = _numbers([payout.order_id])
    notify(user_id=payout.creator_id, type="payments", event="payout.sent", title=f"Payout of {amount} sent",
           body=f"Your share of order {number} is on its way to your payout account; banks usually show it within "
                "a few business days.",
           url=_path("creator_earnings"),
           data={"payout_id": payout.pk, "order_id": payout.order_id, "amount": payout.amount,
                 "currency": payout.currency},
           dedupe_key=f"payout:{payout.pk}:paid")


def refund_issued(*, refund: Refund, payer_id: int) -> None:
    """The card issuer accepted a refund to the brand."""
    amount = f"{refund.amount} {refund.currency}"
    number = _numbers([refund.order_id])
    notify(user_id=payer_id, type="payments", event="refund.issued", title=f"Refund of {amount} issued",
           body=f"{amount} for order {number} is refunded to your card. It usually shows on your statement within "
                "5–10 business days.",
           url=_path("payment_detail", payment_id=refund.payment_id),
           data={"refund_id": refund.pk, "payment_id": refund.payment_id, "order_id": refund.order_id,
                 "amount": refund.amount, "currency": refund.currency},
           dedupe_key=f"refund:{refund.pk}:succeeded")
