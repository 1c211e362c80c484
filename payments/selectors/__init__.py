"""Every non-trivial read of the payments app, scoped to the actor (someone else's payment is a 404)."""

from .earnings import (
    CreatorEarnings,
    EarningsRow,
    FeeMonth,
    SpendRow,
    brand_spend,
    creator_earnings,
    platform_fee_report,
)
from .ledger import LedgerReport, ledger_check
from .payments import (
    DashboardRow,
    PaymentsDashboard,
    connected_account_get,
    payment_get,
    payment_list,
    payment_method_list,
    payments_dashboard,
    payout_get,
    payout_list,
)

__all__ = [
    "CreatorEarnings", "DashboardRow", "EarningsRow", "FeeMonth", "LedgerReport", "PaymentsDashboard", "SpendRow",
    "brand_spend", "connected_account_get", "creator_earnings", "ledger_check", "payment_get", "payment_list",
    "payment_method_list", "payments_dashboard", "payout_get", "payout_list", "platform_fee_report",
]
