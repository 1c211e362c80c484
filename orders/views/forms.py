"""The orders pages' forms. They only carry the browser's values: the API serializers (orders.api.*) validate
them through influmojo.forms.SerializerForm, so a rule lives in one place, and the services check again."""

import datetime
import zoneinfo

from django import forms
from django.conf import settings

from accounts import onboarding
from creators.models import ContentType, Platform
from creators.views.packages import CONTENT_TYPES_BY_PLATFORM
from influmojo.forms import SerializerForm, number_field, raw_field, select_field

from ..api.cart import CartItemCreateSerializer, CartItemUpdateSerializer, CheckoutSerializer
from ..api.offers import OfferCreateSerializer
from ..api.orders import (
    DeliverSerializer,
    DisputeCreateSerializer,
    FeedbackSerializer,
    NoteSerializer,
    OrderReviewSerializer,
    ReasonSerializer,
)
from ..models import Dispute, UsageRights
from ..services import files
from ..services.offers import DEFAULT_EXPIRY_DAYS

ACCEPT_ATTRIBUTE = ",".join(f".{ext}" for extensions in files.ACCEPTED_TYPES.values() for ext in extensions)


def limits_note() -> str:
    size = settings.ORDER_ATTACHMENT_MAX_BYTES // (1024 * 1024)
    return f"Up to {settings.ORDER_ATTACHMENTS_MAX} files of at most {size} MB each: {files.ACCEPTED_DESCRIPTION}."


def textarea(rows: int = 3, **attrs) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, **attrs})


class MultipleFiles(forms.FileInput):
    allow_multiple_selected = True


class FilesMixin:
    """The form's file inputs (several files each) go into the serializer's input as lists."""

    file_fields: tuple[str, ...] = ()

    def payload(self) -> dict:
        payload = super().payload()
        for name in self.file_fields:
            uploads = self.files.getlist(self.add_prefix(name)) if self.files else []
            if uploads:
                payload[name] = uploads
            else:
                payload.pop(name, None)
        return payload


# --- Cart -----------------------------------------------------------------------------------------------------
class AddToCartForm(SerializerForm):
    serializer_class = CartItemCreateSerializer
    package_id = raw_field(forms.HiddenInput)
    quantity = number_field(label="Quantity")


class QuantityForm(SerializerForm):
    serializer_class = CartItemUpdateSerializer
    quantity = number_field(label="Quantity")


class CheckoutForm(FilesMixin, SerializerForm):
    """The deadline is picked as a date: it is due at the end of that day in the brand's time zone."""

    serializer_class = CheckoutSerializer
    file_fields = ("attachments",)

    requirements = raw_field(
        textarea(7, maxlength=10000), label="Brief and requirements", wide=True,
        help_text="What each creator should make: the product, key messages, do's and don'ts, links, hashtags. "
                  "Every creator in this checkout gets the same brief.",
    )
    deadline = raw_field(forms.DateInput(attrs={"type": "date"}), label="Delivery deadline")
    usage_rights = raw_field(forms.RadioSelect(choices=UsageRights.choices), label="Usage rights", wide=True)
    usage_notes = raw_field(textarea(2, maxlength=500), label="Usage notes", wide=True,
                            help_text="Optional: regions, whitelisting, anything the rights above do not say.")
    attachments = raw_field(MultipleFiles(attrs={"accept": ACCEPT_ATTRIBUTE}), label="Attachments", wide=True)

    def __init__(self, *args, tz: str = "UTC", item_ids=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.tz = tz
        self.item_ids = item_ids
        self.fields["attachments"].help_text = limits_note()

    def due_at(self, value: str) -> str:
        """2026-12-03 → the end of that day in the brand's time zone, as the serializer reads it."""
        try:
            day = datetime.date.fromisoformat(value)
        except (TypeError, ValueError):
            return value
        try:
            zone = zoneinfo.ZoneInfo(self.tz)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            zone = datetime.UTC
        return datetime.datetime.combine(day, datetime.time(23, 59), tzinfo=zone).isoformat()

    def payload(self) -> dict:
        payload = super().payload()
        if payload.get("deadline"):
            payload["deadline"] = self.due_at(payload["deadline"])
        if self.item_ids is not None:
            payload["item_ids"] = self.item_ids
        return payload

    def clean(self):
        cleaned = super().clean()
        if not (self.data.get("deadline") or "").strip():
            self.errors.pop("deadline", None)
            self.add_error("deadline", "Choose the date the work is due.")
        return cleaned


# --- Moves on an order ------------------------------------------------------------------------------------------
class ReasonForm(SerializerForm):
    serializer_class = ReasonSerializer
    reason = raw_field(textarea(2, maxlength=500), label="Reason", help_text="Optional; the other side reads it.")


class NoteForm(SerializerForm):
    serializer_class = NoteSerializer
    note = raw_field(textarea(2, maxlength=4000), label="Note", help_text="Optional: a word of thanks or a remark.")


class FeedbackForm(SerializerForm):
    serializer_class = FeedbackSerializer
    feedback = raw_field(textarea(4, maxlength=4000), label="What should change",
                         help_text="Be specific: the creator works from this.")


class DeliverForm(FilesMixin, SerializerForm):
    serializer_class = DeliverSerializer
    file_fields = ("files",)

    message = raw_field(textarea(3, maxlength=4000), label="Message to the brand")
    links = raw_field(textarea(3), label="Links", help_text="https:// links to the posted or shared work, one a line.")
    files = raw_field(MultipleFiles(attrs={"accept": ACCEPT_ATTRIBUTE}), label="Files")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].help_text = limits_note() + " Attach a file or share a link (or both)."

    def payload(self) -> dict:
        payload = super().payload()
        text = payload.get("links")
        if isinstance(text, str):
            payload["links"] = [line.strip() for line in text.splitlines() if line.strip()]
        return payload


class DisputeForm(SerializerForm):
    serializer_class = DisputeCreateSerializer
    reason = select_field(dict(Dispute.Reason.choices), label="Reason")
    description = raw_field(textarea(4, maxlength=4000), label="What went wrong",
                            help_text="Support reads this with the order's brief, messages and deliveries.")


class ReviewForm(SerializerForm):
    serializer_class = OrderReviewSerializer
    rating = raw_field(forms.RadioSelect(choices=[(str(n), f"{n} ★") for n in range(5, 0, -1)]), label="Rating")
    text = raw_field(textarea(3, maxlength=4000), label="Your review", help_text="Shown on the creator's public page.")
    project_type = raw_field(label="Project", help_text='Optional, e.g. "Product launch reel".')


# --- Custom offers ------------------------------------------------------------------------------------------------
class OfferForm(SerializerForm):
    serializer_class = OfferCreateSerializer

    brand_id = raw_field(label="Brand")
    in_reply_to_order_id = raw_field(forms.HiddenInput)
    title = raw_field(label="Title", help_text='What the brand buys, e.g. "2 reels + 3 stories for the launch".',
                      wide=True)
    description = raw_field(textarea(4, maxlength=4000), label="What is included", wide=True)
    platform = select_field(dict(Platform.choices))
    content_type = select_field(dict(ContentType.choices), label="Content type", help_text=CONTENT_TYPES_BY_PLATFORM)
    quantity = number_field(label="Pieces of content", help_text="1 to 100.")
    revisions = number_field(label="Revisions included", help_text="0 to 20.")
    duration_days = number_field(label="Delivery time (days)", help_text="1 to 365; leave empty if open.")
    price = number_field(step="0.01", label="Price")
    currency = select_field(onboarding.CURRENCIES)
    expires_in_days = number_field(label="Valid for (days)", help_text="1 to 30 days; then the offer expires.")

    def __init__(self, *args, brands: dict[int, str], **kwargs):
        kwargs["initial"] = {"quantity": 1, "revisions": 1, "currency": "USD", "expires_in_days": DEFAULT_EXPIRY_DAYS,
                             **(kwargs.get("initial") or {})}
        super().__init__(*args, **kwargs)
        self.fields["brand_id"].widget = forms.Select(choices=[("", "Choose…"), *brands.items()])
