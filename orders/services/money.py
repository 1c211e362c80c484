"""The one place where orders reaches the payments app (its contract in /tmp/issue5/CONTRACT.md).

payments.services calls orders.services.order_mark_paid, so importing it at module level from here would be
an import cycle; each call imports it when it runs.
"""

from decimal import Decimal

from influmojo.permissions import Actor


def payment_start(*, payer, orders: list, actor: Actor):
    """A pending Payment for `orders` (inside the caller's transaction; no gateway call)."""
    from payments import services

    return services.payment_start(payer=payer, orders=orders, actor=actor)


def payment_prepare(*, payment_id: int, actor: Actor):
    """The PaymentIntent's client secret / confirm URL (outside a transaction: it calls the gateway)."""
    from payments import services

    return services.payment_prepare(payment_id=payment_id, actor=actor)


def payment_cancel(*, payment_id: int, actor: Actor):
    from payments import services

    return services.payment_cancel(payment_id=payment_id, actor=actor)


def escrow_settle(*, order_id: int, refund_amount: Decimal, reason: str, actor: Actor) -> None:
    """Refund `refund_amount` of the order's escrow and release the rest (inside the caller's transaction)."""
    from payments import services

    services.escrow_settle(order_id=order_id, refund_amount=refund_amount, reason=reason, actor=actor)
