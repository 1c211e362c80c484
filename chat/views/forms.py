"""Forms of the chat pages. The notification matrix is the settings page's own form (accounts.profile_forms
.SettingsForm, validated by accounts' SettingsSerializer) without the profile's visibility: one set of rules for
the settings page, the notifications page and the API."""

from accounts.profile_forms import SettingsForm


class NotificationPreferencesForm(SettingsForm):
    """The {type × channel} checkboxes alone (a form without the profile checkbox never changes visibility)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["profile_public"]
