"""Orders: what a brand buys from one creator, from cart to completion, and the deliverables it produces.

Money is not here: the payment, the escrow ledger, refunds and the creator's payout live in the payments
app, which orders reach through payments.services. Every status below has one transition table and one
service that changes it (orders.services.orders.order_transition; deliverables: submission_decide).
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from creators.models import ContentType, Platform
from influmojo.models import TimeStamped

ZERO = Decimal("0.00")


class CustomOffer(TimeStamped):
    """A package a creator makes for one brand (its own title, scope and price), sent from an order page or
    a chat; the brand accepts it into the cart and checks it out like any package."""

    class Status(models.TextChoices):
        PENDING = "pending"  # sent, waiting for the brand
        ACCEPTED = "accepted"  # in the brand's cart
        ORDERED = "ordered"  # checked out: an order holds it
        DECLINED = "declined"
        WITHDRAWN = "withdrawn"
        EXPIRED = "expired"

    TRANSITIONS = {  # (from, to): roles allowed
        ("pending", "accepted"): {"brand"},
        ("pending", "declined"): {"brand"},
        ("pending", "withdrawn"): {"creator"},
        ("pending", "expired"): {"system"},
        ("accepted", "pending"): {"brand"},  # taken out of the cart again
        ("accepted", "withdrawn"): {"creator"},
        ("accepted", "expired"): {"system"},
        ("accepted", "ordered"): {"system"},
    }

    creator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="offers_sent")
    brand = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="offers_received")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    title = models.CharField(max_length=120)
    description = models.TextField(blank=True, max_length=4000)
    platform = models.CharField(max_length=12, choices=Platform.choices)
    content_type = models.CharField(max_length=12, choices=ContentType.choices)
    quantity = models.PositiveSmallIntegerField(default=1)
    revisions = models.PositiveSmallIntegerField(default=1)
    duration_days = models.PositiveSmallIntegerField(null=True, blank=True)
    price = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3, default="USD")
    expires_at = models.DateTimeField()
    in_reply_to = models.ForeignKey("Order", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["brand", "status"]), models.Index(fields=["creator", "status"])]
        constraints = [models.CheckConstraint(condition=Q(price__gt=0), name="offer_price_positive")]

    def __str__(self):
        return self.title


class CartItem(TimeStamped):
    """One line of a brand's cart: a creator's package (with a quantity) or an accepted custom offer."""

    brand = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cart_items")
    package = models.ForeignKey("creators.Package", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    offer = models.OneToOneField(CustomOffer, null=True, blank=True, on_delete=models.CASCADE, related_name="cart_item")
    quantity = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(package__isnull=False, offer__isnull=True) | Q(package__isnull=True, offer__isnull=False),
                name="cart_item_package_or_offer",
            ),
            models.UniqueConstraint(fields=["brand", "package"], condition=Q(package__isnull=False),
                                    name="cart_item_one_line_per_package"),
            models.CheckConstraint(condition=Q(quantity__gte=1, quantity__lte=10), name="cart_item_quantity_range"),
        ]


class UsageRights(models.TextChoices):
    ORGANIC = "organic", "Organic posting on the creator's channels only"
    BRAND_CHANNELS = "brand_channels", "Brand may repost on its own channels"
    PAID_30 = "paid_30", "Paid ads for 30 days"
    PAID_90 = "paid_90", "Paid ads for 90 days"
    PERPETUAL = "perpetual", "Unlimited use, no time limit"


class Order(TimeStamped):
    """What one brand bought from one creator in one checkout; prices are copied in at that moment."""

    class Status(models.TextChoices):
        PENDING_PAYMENT = "pending_payment"
        PAID = "paid"  # funds held in escrow; the creator has until accept_by to accept
        IN_PROGRESS = "in_progress"  # accepted
        DELIVERED = "delivered"  # the brand has until review_by to approve or ask for a revision
        REVISION_REQUESTED = "revision_requested"
        COMPLETED = "completed"  # funds released to the creator
        DECLINED = "declined"  # by the creator; refunded
        CANCELLED = "cancelled"  # refunded when it had been paid
        REFUNDED = "refunded"  # a dispute resolved with a full refund
        DISPUTED = "disputed"  # frozen with its funds until an agent resolves it

    ACTIVE = (Status.PAID, Status.IN_PROGRESS, Status.DELIVERED, Status.REVISION_REQUESTED, Status.DISPUTED)
    FINISHED = (Status.COMPLETED, Status.DECLINED, Status.CANCELLED, Status.REFUNDED)

    # (from, to): roles allowed. order_transition is the only door; the named services add their own checks
    # (revisions left, deadline passed, both sides agreed to cancel, …) before they call it.
    TRANSITIONS = {
        ("pending_payment", "paid"): {"system"},
        ("pending_payment", "cancelled"): {"brand", "system"},
        ("paid", "in_progress"): {"creator"},
        ("paid", "declined"): {"creator"},
        ("paid", "cancelled"): {"brand", "system"},
        ("paid", "disputed"): {"brand", "creator"},
        ("in_progress", "delivered"): {"creator"},
        ("in_progress", "cancelled"): {"brand", "system"},
        ("in_progress", "disputed"): {"brand", "creator"},
        ("delivered", "revision_requested"): {"brand"},
        ("delivered", "completed"): {"brand", "system"},
        ("delivered", "cancelled"): {"system"},
        ("delivered", "disputed"): {"brand", "creator"},
        ("revision_requested", "delivered"): {"creator"},
        ("revision_requested", "cancelled"): {"brand", "system"},
        ("revision_requested", "disputed"): {"brand", "creator"},
        ("disputed", "completed"): {"agent", "admin"},
        ("disputed", "refunded"): {"agent", "admin"},
    }

    number = models.CharField(max_length=20, unique=True)  # shown to people: "IM-7K3M9QX2"
    brand = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders_placed")
    creator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders_received")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING_PAYMENT, db_index=True)
    currency = models.CharField(max_length=3)
    subtotal = models.DecimalField(max_digits=12, decimal_places=2)  # what the brand pays
    fee_rate = models.DecimalField(max_digits=5, decimal_places=4)  # the platform's share at checkout
    platform_fee = models.DecimalField(max_digits=12, decimal_places=2)  # subtotal × fee_rate, from the creator's share
    requirements = models.TextField(max_length=10000)  # the brief
    deadline = models.DateTimeField()  # delivery due
    usage_rights = models.CharField(max_length=20, choices=UsageRights.choices, default=UsageRights.ORGANIC)
    usage_notes = models.CharField(max_length=500, blank=True)
    revisions_allowed = models.PositiveSmallIntegerField(default=0)
    revisions_used = models.PositiveSmallIntegerField(default=0)
    payment = models.ForeignKey("payments.Payment", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="orders")
    deliverable = models.OneToOneField("Deliverable", on_delete=models.PROTECT, related_name="order")
    # Timers (orders.services.timers): each deadline is a column, so the beat job finds due orders by index.
    paid_at = models.DateTimeField(null=True, blank=True)
    accept_by = models.DateTimeField(null=True, blank=True)
    acceptance_extended = models.BooleanField(default=False)
    accepted_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    review_by = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Cancellation by agreement: one side asks, the other agrees.
    cancellation_requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                                  on_delete=models.SET_NULL, related_name="+")
    cancellation_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["brand", "-created_at"]),
            models.Index(fields=["creator", "-created_at"]),
            models.Index(fields=["status", "accept_by"]),
            models.Index(fields=["status", "review_by"]),
            models.Index(fields=["status", "deadline"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(subtotal__gt=0), name="order_subtotal_positive"),
            models.CheckConstraint(condition=Q(platform_fee__gte=0, platform_fee__lte=models.F("subtotal")),
                                   name="order_fee_within_subtotal"),
            models.CheckConstraint(condition=Q(revisions_used__lte=models.F("revisions_allowed")),
                                   name="order_revisions_within_allowance"),
            models.CheckConstraint(condition=~Q(brand=models.F("creator")), name="order_brand_is_not_creator"),
        ]

    def __str__(self):
        return self.number

    @property
    def creator_amount(self) -> Decimal:
        """What the creator receives on completion: the subtotal less the platform fee."""
        return self.subtotal - self.platform_fee

    @property
    def revisions_left(self) -> int:
        return self.revisions_allowed - self.revisions_used

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED


class OrderItem(models.Model):
    """A line of an order: a package or custom offer as it was when the order was placed."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="items")
    package = models.ForeignKey("creators.Package", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    offer = models.OneToOneField(CustomOffer, null=True, blank=True, on_delete=models.SET_NULL, related_name="order_item")
    title = models.CharField(max_length=120)
    description = models.TextField(blank=True, max_length=4000)
    platform = models.CharField(max_length=12, choices=Platform.choices)
    content_type = models.CharField(max_length=12, choices=ContentType.choices)
    quantity = models.PositiveSmallIntegerField()  # packages bought
    pieces = models.PositiveSmallIntegerField()  # content pieces per package
    revisions = models.PositiveSmallIntegerField()
    duration_days = models.PositiveSmallIntegerField(null=True, blank=True)
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)
    line_total = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(unit_price__gt=0, quantity__gte=1), name="order_item_positive"),
        ]

    def __str__(self):
        return f"{self.quantity} × {self.title}"


class OrderAttachment(TimeStamped):
    """A file the brand attaches to the brief at checkout (product shots, guidelines)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="orders/attachments/%Y/%m/")
    name = models.CharField(max_length=200)
    size = models.PositiveIntegerField()
    content_type = models.CharField(max_length=100)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["id"]


class OrderEvent(models.Model):
    """The order's timeline: every status change (old → new) and the other things that happened to it."""

    class Kind(models.TextChoices):
        STATUS = "status"
        EXTENSION = "extension"  # acceptance deadline extended
        CANCELLATION_REQUESTED = "cancellation_requested"
        CANCELLATION_WITHDRAWN = "cancellation_withdrawn"
        DELIVERY = "delivery"  # a submission (also recorded with its status change)
        REMINDER = "reminder"
        NOTE = "note"

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=24, choices=Kind.choices, default=Kind.STATUS)
    old_status = models.CharField(max_length=20, blank=True)
    new_status = models.CharField(max_length=20, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    actor_role = models.CharField(max_length=10)  # creator | brand | agent | admin | system
    note = models.TextField(blank=True, max_length=4000)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.old_status} → {self.new_status}" if self.kind == self.Kind.STATUS else self.kind


class OrderReminder(models.Model):
    """A reminder sent before a deadline: unique per order, kind and deadline, so a beat job that runs twice
    (or overlaps itself) sends it once, and an extended deadline gets its own reminder."""

    class Kind(models.TextChoices):
        ACCEPT = "accept"  # the creator, before accept_by
        DELIVERY = "delivery"  # the creator, before deadline
        REVIEW = "review"  # the brand, before review_by
        MISSED = "missed"  # the brand, once the delivery deadline has passed: it may cancel for a refund

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    due_at = models.DateTimeField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["order", "kind", "due_at"], name="order_reminder_once")]


class Dispute(TimeStamped):
    """A brand or creator stops the clock on an order; an agent resolves it with a refund, a release or a split."""

    class Reason(models.TextChoices):
        NOT_DELIVERED = "not_delivered", "Not delivered"
        NOT_AS_DESCRIBED = "not_as_described", "Not as described"
        QUALITY = "quality", "Quality"
        UNRESPONSIVE = "unresponsive", "Other side unresponsive"
        PAYMENT = "payment", "Payment problem"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        OPEN = "open"
        RESOLVED = "resolved"

    class Resolution(models.TextChoices):
        REFUND = "refund", "Full refund to the brand"
        RELEASE = "release", "Release to the creator"
        SPLIT = "split", "Split"

    TRANSITIONS = {("open", "resolved"): {"agent", "admin"}}

    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="dispute")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=20, choices=Reason.choices)
    description = models.TextField(max_length=4000)
    frozen_status = models.CharField(max_length=20)  # where the order stood when it was disputed
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    resolution = models.CharField(max_length=10, choices=Resolution.choices, blank=True)
    refund_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    resolution_note = models.TextField(blank=True, max_length=4000)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Dispute on {self.order}"


# --- Deliverables: one submission/approval mechanism for orders now and campaign content later ---------------
class Deliverable(TimeStamped):
    """A thread of submissions for one piece of work. Its owner (an Order, later campaign content) points at it
    with a OneToOneField and moves its own status after each submission or decision."""

    creator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="deliverables")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    def __str__(self):
        return f"Deliverable {self.pk}"


class Submission(TimeStamped):
    """One version of the work: a message with files and links, and the reviewer's decision on it."""

    class Decision(models.TextChoices):
        PENDING = "pending"
        APPROVED = "approved"
        REVISION_REQUESTED = "revision_requested"
        REJECTED = "rejected"
        SUPERSEDED = "superseded"  # the owner moved on without a decision (cancelled, resolved by an agent)

    TRANSITIONS = {  # (from, to): roles allowed; orders.services.deliverables.submission_decide is the door
        ("pending", "approved"): {"brand", "system", "agent", "admin"},
        ("pending", "revision_requested"): {"brand"},
        ("pending", "rejected"): {"brand"},
        ("pending", "superseded"): {"system", "agent", "admin"},
    }

    deliverable = models.ForeignKey(Deliverable, on_delete=models.CASCADE, related_name="submissions")
    version = models.PositiveSmallIntegerField()
    message = models.TextField(max_length=4000, blank=True)
    links = models.JSONField(default=list, blank=True)  # https URLs of the published or shared work
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=20, choices=Decision.choices, default=Decision.PENDING)
    feedback = models.TextField(max_length=4000, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["deliverable", "version"]
        constraints = [
            models.UniqueConstraint(fields=["deliverable", "version"], name="submission_version_unique"),
            models.UniqueConstraint(fields=["deliverable"], condition=Q(decision="pending"),
                                    name="submission_one_pending"),
        ]

    def __str__(self):
        return f"v{self.version}"


class SubmissionFile(models.Model):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to="deliverables/%Y/%m/")
    name = models.CharField(max_length=200)
    size = models.PositiveIntegerField()
    content_type = models.CharField(max_length=100)

    class Meta:
        ordering = ["id"]
