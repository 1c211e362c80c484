"""Browser forms for the onboarding wizard and the settings page.

They only lay fields out and carry the browser's values: every rule lives in the API serializers
(accounts.api.serializers). `SerializerForm.clean` turns the POST into the serializer's input,
validates it there and puts each serializer error back on the form field it belongs to.
"""

from django import forms
from django.conf import settings
from rest_framework.settings import api_settings

from . import onboarding
from . import preferences as prefs
from creators.selectors.social import social_handles_of

from .api import serializers as api
from .models import CreatorProfile


def _field(widget=forms.TextInput, *, label=None, help_text="", wide=False) -> forms.Field:
    """A field that carries the raw value; the serializer decides whether it is valid."""
    field = forms.Field(required=False, widget=widget, label=label, help_text=help_text)
    field.wide = wide  # spans both columns of the form grid
    return field


def _select(vocabulary: dict[str, str], *, blank: str = "Choose…", **kwargs) -> forms.Field:
    return _field(forms.Select(choices=[("", blank), *vocabulary.items()]), **kwargs)


def _chips(vocabulary: dict[str, str], **kwargs) -> forms.Field:
    return _field(forms.CheckboxSelectMultiple(choices=list(vocabulary.items())), wide=True, **kwargs)


def _number(*, step: str = "1", **kwargs) -> forms.Field:
    return _field(forms.NumberInput(attrs={"step": step, "min": "0"}), **kwargs)


def _dig(data, path: tuple):
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _put(payload: dict, path: tuple, value) -> None:
    for key in path[:-1]:
        payload = payload.setdefault(key, {})
    payload[path[-1]] = value


def flatten_errors(errors, prefix: tuple = ()):
    """Yields (path, message) for every message in a DRF `serializer.errors` tree."""
    if isinstance(errors, dict):
        for key, value in errors.items():
            yield from flatten_errors(value, prefix if key == api_settings.NON_FIELD_ERRORS_KEY else (*prefix, key))
    elif isinstance(errors, list):
        for index, item in enumerate(errors):
            if isinstance(item, dict | list):
                yield from flatten_errors(item, (*prefix, index))
            else:
                yield prefix, str(item)


class SerializerForm(forms.Form):
    serializer_class: type = None
    partial = False
    paths: dict[str, tuple] = {}  # form field → where its value sits in the serializer's input
    comma_lists: tuple[str, ...] = ()  # text inputs that carry a comma-separated list

    def __init__(self, data=None, files=None, *, instance=None, context=None, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(data, files, **kwargs)
        self.fields.update(self.extra_fields())
        self.context = context or {}
        self.validated_data = None
        if instance is not None:
            self.initial = self.initial_from(instance)

    def extra_fields(self) -> dict[str, forms.Field]:
        return {}

    def path(self, name: str) -> tuple:
        return self.paths.get(name, (name,))

    def initial_from(self, instance) -> dict:
        """What is stored, as the API shows it."""
        data = self.serializer_class(instance).data
        initial = {name: _dig(data, self.path(name)) for name in self.fields}
        for name in self.comma_lists:
            initial[name] = ", ".join(initial[name] or [])
        return initial

    def payload(self) -> dict:
        payload = {}
        for name, value in self.cleaned_data.items():
            if name in self.comma_lists:
                value = [item.strip() for item in (value or "").split(",") if item.strip()]
            if value is None or value == "":
                continue
            _put(payload, self.path(name), value)
        return payload

    def field_for(self, path: tuple) -> str | None:
        """The form field an error at `path` belongs to: the one whose path is its longest prefix."""
        owners = [name for name in self.fields if path[: len(self.path(name))] == self.path(name)]
        return max(owners, key=lambda name: len(self.path(name)), default=None)

    def clean(self):
        cleaned = super().clean()
        serializer = self.serializer_class(data=self.payload(), partial=self.partial, context=self.context)
        if serializer.is_valid():
            self.validated_data = serializer.validated_data
        else:
            for path, message in flatten_errors(serializer.errors):
                self.add_error(self.field_for(path), message)
        return cleaned


# --- Onboarding steps ---------------------------------------------------------------------------------------
class PersonalStepForm(SerializerForm):
    serializer_class = api.CreatorPersonalSerializer

    display_name = _field(label="Display name", help_text="How brands will see you.")
    date_of_birth = _field(forms.DateInput(attrs={"type": "date"}), label="Date of birth")
    gender = _select(onboarding.GENDERS)
    country = _select(onboarding.COUNTRIES)
    state = _field(label="State / region")
    city = _field()
    pincode = _field(label="PIN / postal code")
    bio = _field(forms.Textarea(attrs={"rows": 4}), help_text="A few lines about you and your content.", wide=True)
    languages = _chips(onboarding.CONTENT_LANGUAGES, label="Languages you create in")


class CategoriesStepForm(SerializerForm):
    serializer_class = api.CreatorCategoriesSerializer
    comma_lists = ("niches",)

    content_categories = _chips(onboarding.CONTENT_CATEGORIES, label="Categories", help_text="Pick 1 to 10.")
    niches = _field(help_text="Optional, comma-separated: e.g. vegan recipes, budget travel (up to 15).", wide=True)


class SocialStepForm(SerializerForm):
    """One handle and follower count per platform; only the platforms with a handle are sent."""

    serializer_class = api.CreatorSocialSerializer

    def extra_fields(self):
        fields = {}
        for platform, label in onboarding.SOCIAL_PLATFORMS.items():
            fields[f"{platform}_handle"] = _field(label=f"{label} handle", help_text="Without the @.")
            fields[f"{platform}_followers"] = _number(
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

    content_types = _chips(onboarding.CONTENT_TYPES, label="What you create")
    min_rate = _number(step="0.01", label="Minimum rate")
    max_rate = _number(step="0.01", label="Maximum rate")
    currency = _select(onboarding.CURRENCIES)
    availability = _select(dict(CreatorProfile.Availability.choices))


class CompanyStepForm(SerializerForm):
    serializer_class = api.BrandCompanySerializer

    company_name = _field(label="Company name")
    website = _field(forms.TextInput(attrs={"inputmode": "url"}), help_text="e.g. https://example.com")
    industry = _select(onboarding.INDUSTRIES, label="Main industry")
    company_size = _select(onboarding.COMPANY_SIZES, label="Company size")
    business_type = _select(onboarding.BUSINESS_TYPES, label="Business type")
    role_in_organization = _field(label="Your role")
    country = _select(onboarding.COUNTRIES)
    state = _field(label="State / region")
    city = _field()
    industries = _chips(onboarding.INDUSTRIES, label="Other industries", help_text="Up to 5.")
    description = _field(forms.Textarea(attrs={"rows": 4}), label="About the company", wide=True)


class GoalsStepForm(SerializerForm):
    serializer_class = api.BrandGoalsSerializer

    marketing_goals = _chips(onboarding.MARKETING_GOALS, label="Marketing goals", help_text="Pick 1 to 8.")


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

    budget_min = _number(step="0.01", label="Budget from")
    budget_max = _number(step="0.01", label="Budget up to")
    currency = _select(onboarding.CURRENCIES)
    audience_age_min = _number(label="Audience age from")
    audience_age_max = _number(label="Audience age to")
    audience_countries = _field(
        forms.SelectMultiple(choices=list(onboarding.COUNTRIES.items()), attrs={"size": 8}),
        label="Audience countries",
        help_text="Hold Ctrl (⌘ on a Mac) to pick several.",
        wide=True,
    )
    audience_languages = _chips(onboarding.CONTENT_LANGUAGES, label="Audience languages")
    platforms = _chips(onboarding.SOCIAL_PLATFORMS, label="Platforms")
    content_types = _chips(onboarding.CONTENT_TYPES, label="Content types")


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

    name = _field(label="Full name")
    timezone = _field(label="Time zone", help_text="e.g. Europe/London or Asia/Kolkata.")
    language = _select(dict(settings.LANGUAGES))


class AvatarForm(forms.Form):
    """Only says whether a file came; the image rules are influmojo.images' (the service raises them)."""

    avatar = forms.FileField(
        label="Profile photo",
        help_text=f"JPEG, PNG, WEBP or GIF, up to {settings.AVATAR_MAX_BYTES // (1024 * 1024)} MB.",
    )


class SettingsForm(SerializerForm):
    serializer_class = api.SettingsSerializer

    profile_public = _field(forms.CheckboxInput, label="Public profile", help_text="Others can find and view your profile. Creators: your public page and discovery.")

    def extra_fields(self):
        fields = {}
        for kind, label in prefs.NOTIFICATION_TYPES.items():
            for channel, channel_label in prefs.NOTIFICATION_CHANNELS.items():
                text = f"{label}: {channel_label}"
                fields[f"notify_{kind}_{channel}"] = _field(forms.CheckboxInput(attrs={"aria-label": text}), label=text)
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
