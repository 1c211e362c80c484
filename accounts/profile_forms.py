"""Browser forms for the onboarding wizard and the settings page.

They only lay fields out and carry the browser's values: every rule lives in the API serializers
(accounts.api.serializers). `SerializerForm.clean` turns the POST into the serializer's input,
validates it there and puts each serializer error back on the form field it belongs to.
"""

from django import forms
from django.conf import settings

from creators.selectors.social import social_handles_of
from influmojo.forms import (
    SerializerForm,
    chips_field,
    number_field,
    raw_field,
    select_field,
)

from . import onboarding
from . import preferences as prefs
from .api import serializers as api
from .models import CreatorProfile


# --- Onboarding steps ---------------------------------------------------------------------------------------
class PersonalStepForm(SerializerForm):
    serializer_class = api.CreatorPersonalSerializer

    display_name = raw_field(label="Display name", help_text="How brands will see you.")
    date_of_birth = raw_field(forms.DateInput(attrs={"type": "date"}), label="Date of birth")
    gender = select_field(onboarding.GENDERS)
    country = select_field(onboarding.COUNTRIES)
    state = raw_field(label="State / region")
    city = raw_field()
    pincode = raw_field(label="PIN / postal code")
    bio = raw_field(forms.Textarea(attrs={"rows": 4}), help_text="A few lines about you and your content.", wide=True)
    languages = chips_field(onboarding.CONTENT_LANGUAGES, label="Languages you create in")


class CategoriesStepForm(SerializerForm):
    serializer_class = api.CreatorCategoriesSerializer
    comma_lists = ("niches",)

    content_categories = chips_field(onboarding.CONTENT_CATEGORIES, label="Categories", help_text="Pick 1 to 10.")
    niches = raw_field(help_text="Optional, comma-separated: e.g. vegan recipes, budget travel (up to 15).", wide=True)


class SocialStepForm(SerializerForm):
    """One handle and follower count per platform; only the platforms with a handle are sent."""

    serializer_class = api.CreatorSocialSerializer

    def extra_fields(self):
        fields = {}
        for platform, label in onboarding.SOCIAL_PLATFORMS.items():
            fields[f"{platform}_handle"] = raw_field(label=f"{label} handle", help_text="Without the @.")
            fields[f"{platform}_followers"] = number_field(
                label=f"{label} followers", help_text="A connected account shows the platform's own count."
            )
        return fields


    def initial_from(self, profile):
        initial = {}
        for item in social_handles_of(creator_id=profile.user_id):
            initial[f"{item['platform']}_handle"] = item.get("handle", "")
            initial[f"{item['platform']}_followers"] = item.get("followers")
        return initial

    def payload(self):
        # Remembered: errors are mapped back by list index, after add_error has emptied cleaned_data.
        self._sent_platforms = [
            platform
            for platform in onboarding.SOCIAL_PLATFORMS
            if (self.cleaned_data.get(f"{platform}_handle") or "").strip()
        ]
        handles = []
        for platform in self._sent_platforms:
            item = {"platform": platform, "handle": self.cleaned_data[f"{platform}_handle"].strip()}
            followers = self.cleaned_data.get(f"{platform}_followers")
            if followers not in (None, ""):
                item["followers"] = followers
            handles.append(item)
        return {"social_handles": handles}

    def field_for(self, path):
        if len(path) >= 3 and path[0] == "social_handles" and isinstance(path[1], int):
            return f"{self._sent_platforms[path[1]]}_{path[2]}"
        return None


class RatesStepForm(SerializerForm):
    serializer_class = api.CreatorRatesSerializer

    content_types = chips_field(onboarding.CONTENT_TYPES, label="What you create")
    min_rate = number_field(step="0.01", label="Minimum rate")
    max_rate = number_field(step="0.01", label="Maximum rate")
    currency = select_field(onboarding.CURRENCIES)
    availability = select_field(dict(CreatorProfile.Availability.choices))


class CompanyStepForm(SerializerForm):
    serializer_class = api.BrandCompanySerializer

    company_name = raw_field(label="Company name")
    website = raw_field(forms.TextInput(attrs={"inputmode": "url"}), help_text="e.g. https://example.com")
    industry = select_field(onboarding.INDUSTRIES, label="Main industry")
    company_size = select_field(onboarding.COMPANY_SIZES, label="Company size")
    business_type = select_field(onboarding.BUSINESS_TYPES, label="Business type")
    role_in_organization = raw_field(label="Your role")
    country = select_field(onboarding.COUNTRIES)
    state = raw_field(label="State / region")
    city = raw_field()
    industries = chips_field(onboarding.INDUSTRIES, label="Other industries", help_text="Up to 5.")
    description = raw_field(forms.Textarea(attrs={"rows": 4}), label="About the company", wide=True)


class GoalsStepForm(SerializerForm):
    serializer_class = api.BrandGoalsSerializer

    marketing_goals = chips_field(onboarding.MARKETING_GOALS, label="Marketing goals", help_text="Pick 1 to 8.")


class PreferencesStepForm(SerializerForm):
    serializer_class = api.BrandPreferencesSerializer
    paths = {
        "audience_countries": ("target_audience", "countries"),
        "audience_languages": ("target_audience", "languages"),
        "audience_age_min": ("target_audience", "age_min"),
        "audience_age_max": ("target_audience", "age_max"),
        "platforms": ("preferences", "platforms"),
        "content_types": ("preferences", "content_types"),
    }

    budget_min = number_field(step="0.01", label="Budget from")
    budget_max = number_field(step="0.01", label="Budget up to")
    currency = select_field(onboarding.CURRENCIES)
    audience_age_min = number_field(label="Audience age from")
    audience_age_max = number_field(label="Audience age to")
    audience_countries = raw_field(
        forms.SelectMultiple(choices=list(onboarding.COUNTRIES.items()), attrs={"size": 8}),
        label="Audience countries",
        help_text="Hold Ctrl (⌘ on a Mac) to pick several.",
        wide=True,
    )
    audience_languages = chips_field(onboarding.CONTENT_LANGUAGES, label="Audience languages")
    platforms = chips_field(onboarding.SOCIAL_PLATFORMS, label="Platforms")
    content_types = chips_field(onboarding.CONTENT_TYPES, label="Content types")


STEP_FORMS: dict[str, type[SerializerForm]] = {
    "personal": PersonalStepForm,
    "categories": CategoriesStepForm,
    "social": SocialStepForm,
    "rates": RatesStepForm,
    "company": CompanyStepForm,
    "goals": GoalsStepForm,
    "preferences": PreferencesStepForm,
}


# --- Settings page ------------------------------------------------------------------------------------------
class AccountForm(SerializerForm):
    serializer_class = api.UserMeSerializer
    partial = True

    name = raw_field(label="Full name")
    timezone = raw_field(label="Time zone", help_text="e.g. Europe/London or Asia/Kolkata.")
    language = select_field(dict(settings.LANGUAGES))


class AvatarForm(forms.Form):
    """Only says whether a file came; the image rules are influmojo.images' (the service raises them)."""

    avatar = forms.FileField(
        label="Profile photo",
        help_text=f"JPEG, PNG, WEBP or GIF, up to {settings.AVATAR_MAX_BYTES // (1024 * 1024)} MB.",
    )


class SettingsForm(SerializerForm):
    serializer_class = api.SettingsSerializer

    profile_public = raw_field(forms.CheckboxInput, label="Public profile", help_text="Others can find and view your profile. Creators: your public page and discovery.")

    def extra_fields(self):
        fields = {}
        for kind, label in prefs.NOTIFICATION_TYPES.items():
            for channel, channel_label in prefs.NOTIFICATION_CHANNELS.items():
                text = f"{label}: {channel_label}"
                fields[f"notify_{kind}_{channel}"] = raw_field(forms.CheckboxInput(attrs={"aria-label": text}), label=text)
        return fields

    def path(self, name):
        if name.startswith("notify_"):
            kind, channel = self._notification_keys[name]
            return ("notification_preferences", kind, channel)
        return super().path(name)

    @property
    def _notification_keys(self) -> dict[str, tuple[str, str]]:
        return {
            f"notify_{kind}_{channel}": (kind, channel)
            for kind in prefs.NOTIFICATION_TYPES
            for channel in prefs.NOTIFICATION_CHANNELS
        }

    def notification_rows(self) -> list[tuple[str, list]]:
        """[(type label, [bound checkbox per channel])] for the preferences table."""
        return [
            (label, [self[f"notify_{kind}_{channel}"] for channel in prefs.NOTIFICATION_CHANNELS])
            for kind, label in prefs.NOTIFICATION_TYPES.items()
        ]

    def notification_channels(self) -> list[str]:
        return list(prefs.NOTIFICATION_CHANNELS.values())
