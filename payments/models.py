"""Payments: charges from brands, the escrow ledger, refunds, creators' payouts, and the gateway's records.

Escrow uses separate charges and transfers: the brand's payment is charged to the platform's account
(one PaymentIntent per checkout, covering its orders), held in the ledger against each order, and on
completion the creator's share is transferred to their Connect Express account (one Payout per order).
Amounts are Decimal in major units here; gateways convert to integer minor units at their boundary.
Provider ids and outbound idempotency keys are unique, so a retried call or a replayed webhook has one effect.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from influmojo.models import TimeStamped

ZERO = Decimal("0.00")


class Gateway(models.TextChoices):
    STRIPE = "stripe", "Stripe"
    SANDBOX = "sandbox", "Test mode"


class Payment(TimeStamped):
    """One charge of a brand's card, covering the orders of one checkout (or a bulk payment)."""

    class Status(models.TextChoices):
        PENDING = "pending"  # waiting for the brand to confirm
        PROCESSING = "processing"  # confirmed, the provider is still working on it
        COMPLETED = "completed"  # money received; held in escrow per order
        FAILED = "failed"  # the last attempt failed; the brand may try again
        CANCELLED = "cancelled"
        REFUNDED = "refunded"  # everything paid has been refunded

    TRANSITIONS = {  # (from, to): roles allowed; payments.services.payments.payment_transition is the door
        ("pending", "processing"): {"system"},
        ("pending", "completed"): {"system"},
        ("pending", "failed"): {"system"},
        ("pending", "cancelled"): {"brand", "system"},
        ("processing", "completed"): {"system"},
        ("processing", "failed"): {"system"},
        ("failed", "processing"): {"system"},
        ("failed", "completed"): {"system"},
        ("failed", "cancelled"): {"brand", "system"},
        # The brand paid in the moment we cancelled (the provider's cancel came too late): the money is here,
        # so it is booked, and each order that no longer waits for it is refunded.
        ("cancelled", "completed"): {"system"},
        ("completed", "refunded"): {"system"},
    }

    payer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payments_made")
    gateway = models.CharField(max_length=10, choices=Gateway.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    amount_refunded = models.DecimalField(max_digits=12, decimal_places=2, default=ZERO)
    idempotency_key = models.CharField(max_length=80, unique=True)  # sent with the create call
    provider_payment_id = models.CharField(max_length=100, unique=True, null=True, blank=True)  # pi_…
    client_secret = models.CharField(max_length=200, blank=True)  # for Stripe.js / the mobile PaymentSheet
    transaction_id = models.CharField(max_length=100, blank=True)  # the charge (ch_…), once paid
    method = models.CharField(max_length=60, blank=True)  # "Visa •••• 4242"
    failure_code = models.CharField(max_length=60, blank=True)
    failure_message = models.CharField(max_length=500, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["payer", "-created_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(condition=Q(amount_refunded__gte=0, amount_refunded__lte=models.F("amount")),
                                   name="payment_refunds_within_amount"),
        ]

    def __str__(self):
        return f"Payment {self.pk} ({self.amount} {self.currency})"

    @property
    def refundable(self) -> Decimal:
        return self.amount - self.amount_refunded


class Refund(TimeStamped):
    """Money going back to the brand's card for one order (full or partial)."""

    class Status(models.TextChoices):
        PENDING = "pending"
        SUCCEEDED = "succeeded"
        FAILED = "failed"

    TRANSITIONS = {("pending", "succeeded"): {"system"}, ("pending", "failed"): {"system"}}

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="refunds")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    reason = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    idempotency_key = models.CharField(max_length=80, unique=True)
    provider_refund_id = models.CharField(max_length=100, unique=True, null=True, blank=True)  # re_…
    failure_message = models.CharField(max_length=500, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    succeeded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive")]


class Escrow(TimeStamped):
    """The share of one payment that pays for one order, and what became of it: held for the order once the
    money arrived, then settled (released to the creator and/or refunded to the brand).

    Payments owns this record of which orders a payment covers, so it does not depend on Order.payment (which
    orders moves when an order is paid again). A payment that arrives for an order that no longer waits for it
    (cancelled, or paid by another payment) is booked and refunded in full: `returned`.
    """

    class Status(models.TextChoices):
        AWAITING_PAYMENT = "awaiting_payment"
        HELD = "held"  # charged; held for the order until it settles
        SETTLED = "settled"  # released to the creator and/or refunded to the brand
        RETURNED = "returned"  # the order no longer waited for this money: refunded in full

    TRANSITIONS = {  # payments.services.escrow.escrow_transition is the door
        ("awaiting_payment", "held"): {"system"},
        ("awaiting_payment", "returned"): {"system"},
        # whoever orders lets finish the order (approve, decline, cancel, timers, dispute resolution)
        ("held", "settled"): {"brand", "creator", "agent", "admin", "system"},
    }

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="escrows")
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="escrows")
    amount = models.DecimalField(max_digits=12, decimal_places=2)  # the order's subtotal at checkout
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.AWAITING_PAYMENT, db_index=True)
    # Set when it settles: refund_amount + released_amount = amount; released_amount = fee + creator_amount.
    refund_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    released_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    fee = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    creator_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    settle_reason = models.CharField(max_length=500, blank=True)
    settled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    settled_by_role = models.CharField(max_length=10, blank=True)
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["order_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["payment", "order"], name="escrow_once_per_payment_and_order"),
            # An order is paid for once: a second payment that arrives for it is returned, never held.
            models.UniqueConstraint(fields=["order"], condition=Q(status__in=["held", "settled"]),
                                    name="escrow_one_held_per_order"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="escrow_amount_positive"),
            models.CheckConstraint(
                condition=~Q(status="settled")
                | Q(refund_amount__isnull=False, released_amount__isnull=False, refund_amount__gte=0,
                    released_amount__gte=0, amount=models.F("refund_amount") + models.F("released_amount")),
                name="escrow_settlement_adds_up",
            ),
        ]

    def __str__(self):
        return f"Escrow {self.pk} (order {self.order_id}, {self.amount} {self.currency}, {self.status})"


class Payout(TimeStamped):
    """The creator's share of one completed order, transferred to their Connect account (one per order)."""

    class Status(models.TextChoices):
        BLOCKED = "blocked"  # the creator has not finished Stripe onboarding yet
        PENDING = "pending"  # queued for the transfer task
        PAID = "paid"  # transferred
        FAILED = "failed"  # the provider refused; an agent or a retry moves it back to pending
        REVERSED = "reversed"  # the provider reversed the transfer

    TRANSITIONS = {
        ("blocked", "pending"): {"system", "creator"},
        ("pending", "paid"): {"system"},
        ("pending", "failed"): {"system"},
        ("failed", "pending"): {"system", "agent", "admin"},
        ("paid", "reversed"): {"system"},
    }

    creator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payouts")
    order = models.OneToOneField("orders.Order", on_delete=models.PROTECT, related_name="payout")
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="payouts")  # source_transaction
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=10, choices=Status.choices, db_index=True)
    idempotency_key = models.CharField(max_length=80, unique=True)
    provider_transfer_id = models.CharField(max_length=100, unique=True, null=True, blank=True)  # tr_…
    failure_message = models.CharField(max_length=500, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payout_amount_positive")]


class ConnectedAccount(TimeStamped):
    """A creator's Stripe Connect Express account (or its sandbox stand-in), where payouts go."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="connected_account")
    gateway = models.CharField(max_length=10, choices=Gateway.choices)
    provider_account_id = models.CharField(max_length=100, unique=True)  # acct_…
    details_submitted = models.BooleanField(default=False)
    charges_enabled = models.BooleanField(default=False)
    payouts_enabled = models.BooleanField(default=False)
    requirements_due = models.JSONField(default=list, blank=True)  # what Stripe still asks for

    @property
    def can_receive_payouts(self) -> bool:
        return self.details_submitted and self.payouts_enabled


class Customer(TimeStamped):
    """A brand's customer record at the gateway, where its saved cards live."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="payment_customer")
    gateway = models.CharField(max_length=10, choices=Gateway.choices)
    provider_customer_id = models.CharField(max_length=100, unique=True)  # cus_…


class PaymentMethod(TimeStamped):
    """A card saved on the brand's customer (never the card number: the gateway's id and what to show)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="payment_methods")
    gateway = models.CharField(max_length=10, choices=Gateway.choices)
    provider_method_id = models.CharField(max_length=100, unique=True)  # pm_…
    card_brand = models.CharField(max_length=20)
    last4 = models.CharField(max_length=4)
    exp_month = models.PositiveSmallIntegerField()
    exp_year = models.PositiveSmallIntegerField()
    is_default = models.BooleanField(default=False)

    class Meta:
        ordering = ["-is_default", "-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user"], condition=Q(is_default=True),
                                               name="payment_method_one_default")]

    def __str__(self):
        return f"{self.card_brand.title()} •••• {self.last4}"


class WebhookEvent(models.Model):
    """Every provider event received, stored once: a duplicate delivery finds its id taken and changes nothing."""

    gateway = models.CharField(max_length=10, choices=Gateway.choices)
    event_id = models.CharField(max_length=100)  # evt_…
    type = models.CharField(max_length=100)
    payload = models.JSONField()
    provider_created_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    outcome = models.CharField(max_length=200, blank=True)  # what processing did ("ignored: unknown type", …)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["gateway", "event_id"], name="webhook_event_once")]


# --- Ledger --------------------------------------------------------------------------------------------------
class Account(models.TextChoices):
    """Ledger accounts. Lines are signed: + debit, − credit; every journal entry's lines sum to zero."""

    CASH = "cash", "Platform cash at the gateway"  # + money in (charges), − money out (refunds, transfers)
    ESCROW = "escrow", "Held for an order"  # − held, + released or refunded; zero once an order is settled
    FEES = "fees", "Platform fee revenue"  # − earned
    CREATOR_PAYABLE = "creator_payable", "Owed to a creator"  # − owed, + transferred


class JournalEntry(models.Model):
    """One money movement, written in the same transaction as the status change that causes it."""

    class Kind(models.TextChoices):
        CHARGE = "charge", "Brand charge into escrow"
        RELEASE = "release", "Escrow released: platform fee and creator payable"
        REFUND = "refund", "Refund from escrow to the brand"
        TRANSFER = "transfer", "Transfer to the creator"
        TRANSFER_REVERSAL = "transfer_reversal", "Transfer reversed"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="journal_entries")
    payment = models.ForeignKey(Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="journal_entries")
    refund = models.OneToOneField(Refund, null=True, blank=True, on_delete=models.PROTECT, related_name="journal_entry")
    payout = models.ForeignKey(Payout, null=True, blank=True, on_delete=models.PROTECT, related_name="journal_entries")
    currency = models.CharField(max_length=3)
    memo = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            # The database, not only the code, refuses to book the same movement twice.
            # One charge per payment and order: a second payment for the same order (paid twice, or paid just
            # as it was cancelled) is booked under its own payment and refunded (Escrow "returned").
            models.UniqueConstraint(fields=["order", "payment"], condition=Q(kind="charge"),
                                    name="journal_one_charge_per_order_payment"),
            models.UniqueConstraint(fields=["order"], condition=Q(kind="release"), name="journal_one_release_per_order"),
            models.UniqueConstraint(fields=["payout", "kind"], condition=Q(payout__isnull=False),
                                    name="journal_one_transfer_entry_per_payout"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.order_id}"


class LedgerLine(models.Model):
    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="lines")
    account = models.CharField(max_length=20, choices=Account.choices)
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="+")
    party = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="ledger_lines")  # the brand (cash lines) or the creator (payable)
    amount = models.DecimalField(max_digits=14, decimal_places=2)  # + debit, − credit
    currency = models.CharField(max_length=3)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["account", "party"]), models.Index(fields=["account", "order"])]
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="ledger_line_not_zero")]
