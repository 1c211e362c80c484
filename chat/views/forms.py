"""Forms of the chat pages. The notification matrix is the settings page's own form (accounts.profile_forms
.SettingsForm, validated by accounts' SettingsSerializer) without the profile's visibility: one set of rules for
the settings page, the notifications page and the API."""

from accounts.profile_forms import SettingsForm


class NotificationPreferencesForm(SettingsForm):
    """The {type × channel} checkboxes alone (a form without the profile checkbox never changes visibility)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["profile_public"]


def chat_offer_form(*args, **kwargs):
    """orders' custom-offer form for an offer sent in a conversation: its brand and order are the conversation's,
    so only the offer itself is asked for (validated by chat's ChatOfferSerializer, built on orders' own)."""
    from django import forms

    from influmojo.forms import raw_field
    from orders.views.forms import OfferForm

    from ..api.conversations import ChatOfferSerializer

    class ChatOfferForm(OfferForm):
        serializer_class = ChatOfferSerializer
        client_id = raw_field(forms.HiddenInput)  # a resubmitted form sends the offer once

        def __init__(self, *args, **kwargs):
            super().__init__(*args, brands={}, **kwargs)
            del self.fields["brand_id"], self.fields["in_reply_to_order_id"]

    return ChatOfferForm(*args, **kwargs)
