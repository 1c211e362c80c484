"""Every write of the payments app, one module per area: payments (checkout's payment and its status door),
escrow (held per order, settled by orders), refunds, payouts, connect (creators' payout accounts), customers
(saved cards), events (webhooks and sandbox events) and ledger (the only journal writer).

The contract with orders (/tmp/issue5/CONTRACT.md) is re-exported here: payment_start, payment_prepare,
payment_cancel, escrow_settle.
"""

from .connect import (
    connected_account_apply_status,
    connected_account_onboarding_link,
    connected_account_refresh,
    payouts_release,
)
from .customers import (
    SetupInfo,
    customer_ensure,
    payment_method_remove,
    payment_method_set_default,
    payment_method_setup,
    payment_methods_sync,
)
from .escrow import escrow_settle, escrow_transition
from .events import webhook_event_process
from .payments import PaymentIntentInfo, payment_cancel, payment_prepare, payment_start, payment_transition
from .payouts import payout_retry, payout_transfer, payout_transition, payouts_unblock
from .refunds import refund_retry, refund_send, refund_transition

__all__ = [
    "PaymentIntentInfo", "SetupInfo", "connected_account_apply_status", "connected_account_onboarding_link",
    "connected_account_refresh", "customer_ensure", "escrow_settle", "escrow_transition", "payment_cancel",
    "payment_method_remove", "payment_method_set_default", "payment_method_setup", "payment_methods_sync",
    "payment_prepare", "payment_start", "payment_transition", "payout_retry", "payout_transfer", "payout_transition",
    "payouts_release", "payouts_unblock", "refund_retry", "refund_send", "refund_transition", "webhook_event_process",
]
