"""Input and output shapes for profile, settings and onboarding.

The onboarding step serializers are the one set of validation rules: the API views, the
browser wizard (accounts.profile_forms) and `PATCH /profile/me` (which combines them) all use them.
"""

import re
import zoneinfo
from datetime import date
from decimal import Decimal
from functools import lru_cache

from django.conf import settings
from django.core.validators import URLValidator
from django.utils import timezone
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers

from accounts import onboarding
from accounts import preferences as prefs
from accounts.models import CreatorProfile, User
from creators.selectors.social import social_handles_of

SOCIAL_HANDLE_RE = re.compile(r"^[A-Za-z0-9._-]+$")
PINCODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 -]{1,10}[A-Za-z0-9]$")
MAX_HANDLE_LENGTH = 50


# --- Field types shared by the steps ----------------------------------------------------------------
class VocabularyField(serializers.ChoiceField):
    """A code from one of accounts.onboarding's vocabularies; `upper` codes accept any case ("in" → "IN")."""

    def __init__(self, vocabulary: dict[str, str], *, schema_name: str, upper: bool = False, **kwargs):
        self.schema_name, self.upper = schema_name, upper
        super().__init__(choices=list(vocabulary.items()), **kwargs)

    def to_internal_value(self, data):
        if self.upper and isinstance(data, str):
            data = data.strip().upper()
        return super().to_internal_value(data)


class VocabularyFieldSchema(OpenApiSerializerFieldExtension):
    """Each vocabulary is one named enum in the schema, however many fields (single or list) use it."""

    target_class = VocabularyField
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        component = ResolvedComponent(
            name=field.schema_name,
            type=ResolvedComponent.SCHEMA,
            object=field.schema_name,
            schema={
                "type": "string",
                "enum": list(field.choices),
                "description": "; ".join(f"`{code}` {label}" for code, label in field.choices.items()),
            },
        )
        auto_schema.registry.register_on_missing(component)
        if field.allow_blank:
            return {"oneOf": [component.ref, {"type": "string", "enum": [""]}]}
        return component.ref


class UniqueListField(serializers.ListField):
    """A list whose repeated entries are dropped (first one kept) before its length is checked."""

    def to_internal_value(self, data):
        values = super().to_internal_value(data)
        return list(dict.fromkeys(values))


VOCABULARIES = {  # name → (words, schema component, codes are upper-case)
    "countries": (onboarding.COUNTRIES, "CountryCode", True),
    "currencies": (onboarding.CURRENCIES, "CurrencyCode", True),
    "languages": (onboarding.CONTENT_LANGUAGES, "LanguageCode", False),
    "genders": (onboarding.GENDERS, "Gender", False),
    "categories": (onboarding.CONTENT_CATEGORIES, "ContentCategory", False),
    "platforms": (onboarding.SOCIAL_PLATFORMS, "SocialPlatform", False),
    "content_types": (onboarding.CONTENT_TYPES, "ContentType", False),
    "industries": (onboarding.INDUSTRIES, "Industry", False),
    "business_types": (onboarding.BUSINESS_TYPES, "BusinessType", False),
    "company_sizes": (onboarding.COMPANY_SIZES, "CompanySize", False),
    "goals": (onboarding.MARKETING_GOALS, "MarketingGoal", False),
}


def vocabulary(name: str, **kwargs) -> VocabularyField:
    words, schema_name, upper = VOCABULARIES[name]
    return VocabularyField(words, schema_name=schema_name, upper=upper, **kwargs)


def optional_vocabulary(name: str) -> VocabularyField:
    return vocabulary(name, allow_blank=True, required=False, default="")


def vocabulary_list(name: str, *, min_length: int = 0, max_length: int | None = None, **kwargs) -> UniqueListField:
    return UniqueListField(
        child=vocabulary(name),
        min_length=min_length or None,
        max_length=max_length or len(VOCABULARIES[name][0]),
        allow_empty=min_length == 0,
        **kwargs,
    )


def money_field(*, minimum: Decimal, **kwargs):
    return serializers.DecimalField(max_digits=12, decimal_places=2, min_value=minimum, **kwargs)


def optional_text(max_length: int, **kwargs):
    return serializers.CharField(max_length=max_length, allow_blank=True, required=False, default="", **kwargs)


def _current(serializer: serializers.Serializer, attrs: dict, name: str):
    """The value a partial update will leave on the profile: the new one, else the stored one."""
    if name in attrs:
        return attrs[name]
    return getattr(serializer.context.get("profile"), name, None)


def _check_range(serializer, attrs: dict, low: str, high: str, message: str) -> None:
    low_value, high_value = _current(serializer, attrs, low), _current(serializer, attrs, high)
    if low_value is not None and high_value is not None and low_value > high_value:
        raise serializers.ValidationError({high: [message]})


# --- Creator onboarding steps -----------------------------------------------------------------------
class CreatorPersonalSerializer(serializers.Serializer):
    display_name = serializers.CharField(max_length=150)
    bio = optional_text(2000)
    gender = optional_vocabulary("genders")
    date_of_birth = serializers.DateField()
    country = vocabulary("countries")
    state = optional_text(100)
    city = optional_text(100)
    pincode = optional_text(12)
    languages = vocabulary_list("languages", min_length=1, max_length=10)

    def validate_date_of_birth(self, value: date) -> date:
        today = timezone.localdate()
        if value > today:
            raise serializers.ValidationError("Date of birth cannot be in the future.")
        age = today.year - value.year - ((today.month, today.day) < (value.month, value.day))
        if age < onboarding.MIN_CREATOR_AGE:
            raise serializers.ValidationError(f"Creators must be at least {onboarding.MIN_CREATOR_AGE} years old.")
        if age > 120:
            raise serializers.ValidationError("Enter your real date of birth.")
        return value

    def validate_pincode(self, value: str) -> str:
        if value and not PINCODE_RE.match(value):
            raise serializers.ValidationError("Use 3–12 letters, digits, spaces or dashes.")
        return value.upper()


class CreatorCategoriesSerializer(serializers.Serializer):
    content_categories = vocabulary_list("categories", min_length=1, max_length=10)
    niches = UniqueListField(
        child=serializers.CharField(max_length=40), max_length=15, required=False, default=list,
        help_text="Free-text niches, up to 15, each up to 40 characters.",
    )


class SocialHandleSerializer(serializers.Serializer):
    platform = vocabulary("platforms")
    handle = serializers.CharField(max_length=MAX_HANDLE_LENGTH + 1, help_text="Without the leading @.")
    followers = serializers.IntegerField(min_value=0, required=False, allow_null=True, default=None)

    def validate_handle(self, value: str) -> str:
        handle = value.removeprefix("@")
        if not handle or len(handle) > MAX_HANDLE_LENGTH:
            raise serializers.ValidationError(f"Use 1–{MAX_HANDLE_LENGTH} characters.")
        if not SOCIAL_HANDLE_RE.match(handle):
            raise serializers.ValidationError("Use only letters, digits, dots, dashes and underscores.")
        return handle


class SocialHandlesField(serializers.ListField):
    """Read from the creator's social accounts (one per platform), which the step writes as self-reported."""

    def get_attribute(self, instance):
        return social_handles_of(creator_id=instance.user_id)


class CreatorSocialSerializer(serializers.Serializer):
    social_handles = SocialHandlesField(
        child=SocialHandleSerializer(),
        min_length=1,
        max_length=len(onboarding.SOCIAL_PLATFORMS),
        help_text="Saved as self-reported (unverified) social accounts; an account connected by OAuth for the "
        "same handle keeps its verified numbers. See /api/v1/social-accounts.",
    )

    def validate_social_handles(self, value: list[dict]) -> list[dict]:
        platforms = [item["platform"] for item in value]
        if len(platforms) != len(set(platforms)):
            raise serializers.ValidationError("Each platform can be listed only once.")
        # Same shape whether or not followers was sent (a partial update applies no defaults).
        return [
            {"platform": item["platform"], "handle": item["handle"], "followers": item.get("followers")}
            for item in value
        ]


class CreatorRatesSerializer(serializers.Serializer):
    content_types = vocabulary_list("content_types", min_length=1)
    min_rate = money_field(minimum=Decimal("0.01"))
    max_rate = money_field(minimum=Decimal("0.01"))
    currency = vocabulary("currencies", default="USD")
    availability = serializers.ChoiceField(choices=CreatorProfile.Availability.choices, default="available")

    def validate(self, attrs):
        _check_range(self, attrs, "min_rate", "max_rate", "The maximum rate must be at least the minimum rate.")
        return attrs


# --- Brand onboarding steps -------------------------------------------------------------------------
class WebsiteField(serializers.CharField):
    """An http(s) URL; "example.com" is taken as "https://example.com"."""

    def __init__(self, **kwargs):
        super().__init__(max_length=200, **kwargs)
        self.validators.append(URLValidator(schemes=["http", "https"]))

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if value and "://" not in value:
            value = f"https://{value}"
        return value


class BrandCompanySerializer(serializers.Serializer):
    company_name = serializers.CharField(max_length=200)
    industry = optional_vocabulary("industries")
    industries = vocabulary_list("industries", max_length=5, required=False, default=list)
    role_in_organization = optional_text(100)
    business_type = optional_vocabulary("business_types")
    company_size = optional_vocabulary("company_sizes")
    website = WebsiteField(allow_blank=True, required=False, default="")
    description = optional_text(4000)
    country = optional_vocabulary("countries")
    state = optional_text(100)
    city = optional_text(100)


class BrandGoalsSerializer(serializers.Serializer):
    marketing_goals = vocabulary_list("goals", min_length=1, max_length=8)


AUDIENCE_AGES = {"min_value": 13, "max_value": 100}


def _empty_audience() -> dict:
    return {"countries": [], "languages": [], "age_min": None, "age_max": None}


def _empty_brand_preferences() -> dict:
    return {"platforms": [], "content_types": []}


class TargetAudienceSerializer(serializers.Serializer):
    """Its age range is checked by BrandPreferencesSerializer, on the object a partial update leaves."""

    countries = vocabulary_list("countries", max_length=50, required=False, default=list)
    languages = vocabulary_list("languages", required=False, default=list)
    age_min = serializers.IntegerField(required=False, allow_null=True, default=None, **AUDIENCE_AGES)
    age_max = serializers.IntegerField(required=False, allow_null=True, default=None, **AUDIENCE_AGES)


class BrandPlatformPreferencesSerializer(serializers.Serializer):
    platforms = vocabulary_list("platforms", required=False, default=list)
    content_types = vocabulary_list("content_types", required=False, default=list)


class BrandPreferencesSerializer(serializers.Serializer):
    budget_min = money_field(minimum=Decimal("0"))
    budget_max = money_field(minimum=Decimal("0.01"))
    currency = vocabulary("currencies", default="USD")
    target_audience = TargetAudienceSerializer(required=False, default=_empty_audience)
    preferences = BrandPlatformPreferencesSerializer(required=False, default=_empty_brand_preferences)

    def validate(self, attrs):
        _check_range(self, attrs, "budget_min", "budget_max", "The maximum budget must be at least the minimum budget.")
        partial = getattr(self.root, "partial", False)
        for name, empty in (("target_audience", _empty_audience), ("preferences", _empty_brand_preferences)):
            if name in attrs:
                # A partial update of a nested object changes the keys it sends and keeps the others.
                stored = (getattr(self.context.get("profile"), name, None) or {}) if partial else {}
                attrs[name] = {**empty(), **stored, **attrs[name]}
        audience = attrs.get("target_audience") or {}
        if None not in (audience.get("age_min"), audience.get("age_max")) and audience["age_min"] > audience["age_max"]:
            message = "The maximum age must be at least the minimum age."
            raise serializers.ValidationError({"target_audience": {"age_max": [message]}})
        return attrs


STEP_SERIALIZERS: dict[str, type[serializers.Serializer]] = {
    "personal": CreatorPersonalSerializer,
    "categories": CreatorCategoriesSerializer,
    "social": CreatorSocialSerializer,
    "rates": CreatorRatesSerializer,
    "company": BrandCompanySerializer,
    "goals": BrandGoalsSerializer,
    "preferences": BrandPreferencesSerializer,
}


# --- Onboarding progress ------------------------------------------------------------------------------
class OnboardingStepStatusSerializer(serializers.Serializer):
    step = serializers.CharField()
    title = serializers.CharField()
    status = VocabularyField(
        {"pending": "Not answered yet", "completed": "Answered", "skipped": "Skipped"},
        schema_name="OnboardingStepState",
    )


class OnboardingProgressSerializer(serializers.Serializer):
    flow = serializers.CharField()
    completed = serializers.BooleanField()
    current_step = serializers.CharField(help_text='The next open step; "" when onboarding is finished.')
    percent = serializers.IntegerField(help_text="Share of steps completed (skipped steps do not count).")
    steps = OnboardingStepStatusSerializer(many=True)


class OnboardingProgressResultSerializer(serializers.Serializer):
    progress = OnboardingProgressSerializer()


# --- Role profiles: the steps combined ------------------------------------------------------------------
class _CombinedStepsSerializer(serializers.Serializer):
    """Every field of a role's onboarding steps, with each step's own cross-field checks."""

    steps: tuple[type[serializers.Serializer], ...] = ()

    def validate(self, attrs):
        for step in self.steps:
            attrs = step.validate(self, attrs)
        return attrs


class CreatorProfileSerializer(
    _CombinedStepsSerializer, CreatorPersonalSerializer, CreatorCategoriesSerializer, CreatorSocialSerializer,
    CreatorRatesSerializer,
):
    steps = (CreatorPersonalSerializer, CreatorCategoriesSerializer, CreatorSocialSerializer, CreatorRatesSerializer)

    slug = serializers.SlugField(read_only=True)
    verified = serializers.BooleanField(read_only=True)
    featured = serializers.BooleanField(read_only=True)
    rating = serializers.DecimalField(max_digits=3, decimal_places=2, read_only=True)
    total_collaborations = serializers.IntegerField(read_only=True)


class BrandProfileSerializer(
    _CombinedStepsSerializer, BrandCompanySerializer, BrandGoalsSerializer, BrandPreferencesSerializer
):
    steps = (BrandCompanySerializer, BrandGoalsSerializer, BrandPreferencesSerializer)

    verified = serializers.BooleanField(read_only=True)
    logo = serializers.ImageField(read_only=True, allow_null=True)


# --- Me ---------------------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


class UserMeSerializer(serializers.Serializer):
    """The account fields a user edits themselves; everything else on the account is read-only."""

    id = serializers.IntegerField(read_only=True)
    email = serializers.EmailField(read_only=True)
    phone = serializers.CharField(read_only=True, allow_null=True, help_text="Changed through phone verification.")
    name = serializers.CharField(max_length=150, allow_blank=True, required=False)
    first_name = serializers.CharField(max_length=75, allow_blank=True, required=False)
    last_name = serializers.CharField(max_length=75, allow_blank=True, required=False)
    display_name = serializers.CharField(read_only=True)
    timezone = serializers.CharField(max_length=64, required=False, help_text="IANA time zone, e.g. Asia/Kolkata.")
    language = serializers.ChoiceField(choices=settings.LANGUAGES, required=False)
    user_type = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)
    email_verified = serializers.BooleanField(read_only=True)
    phone_verified = serializers.BooleanField(read_only=True)
    avatar = serializers.ImageField(read_only=True, allow_null=True)
    profile_public = serializers.BooleanField(read_only=True)
    onboarding = serializers.SerializerMethodField()

    def validate(self, attrs):
        # The nested profile is read from `<role>_profile`; services take it as "profile".
        for source in ("creator_profile", "brand_profile"):
            if source in attrs:
                attrs["profile"] = dict(attrs.pop(source))
        return attrs

    def validate_timezone(self, value: str) -> str:
        if value not in _time_zones():
            raise serializers.ValidationError("Unknown time zone.")
        return value

    @extend_schema_field(OnboardingProgressSerializer(allow_null=True))
    def get_onboarding(self, user: User) -> dict | None:
        return onboarding.progress(user) if onboarding.steps_for(user) else None


class CreatorMeSerializer(UserMeSerializer):
    profile = CreatorProfileSerializer(source="creator_profile", required=False)


class BrandMeSerializer(UserMeSerializer):
    profile = BrandProfileSerializer(source="brand_profile", required=False)


ME_SERIALIZERS: dict[str, type[UserMeSerializer]] = {
    User.UserType.CREATOR: CreatorMeSerializer,
    User.UserType.BRAND: BrandMeSerializer,
}

ME_SCHEMA = PolymorphicProxySerializer(
    component_name="Me",
    serializers=[CreatorMeSerializer, BrandMeSerializer, UserMeSerializer],
    resource_type_field_name=None,
)


def me_serializer_class(user: User) -> type[UserMeSerializer]:
    return ME_SERIALIZERS.get(user.user_type, UserMeSerializer)


# --- Avatar and settings ------------------------------------------------------------------------------------
class AvatarUploadSerializer(serializers.Serializer):
    avatar = serializers.FileField(
        help_text=f"JPEG, PNG, WEBP or GIF, up to {settings.AVATAR_MAX_BYTES // (1024 * 1024)} MB; "
        f"stored re-encoded at most {settings.AVATAR_SIZE}×{settings.AVATAR_SIZE}."
    )


class AvatarSerializer(serializers.Serializer):
    avatar = serializers.ImageField(read_only=True, allow_null=True)


class StrictSerializer(serializers.Serializer):
    """Refuses keys it does not know, so a typo in a preference is an error and not a silent no-op."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({key: ["Unknown key."] for key in unknown})
        return super().to_internal_value(data)


# One field per channel, one nested object per notification type: the schema lists them all.
NotificationChannelsSerializer = type(
    "NotificationChannelsSerializer",
    (StrictSerializer,),
    {
        channel: serializers.BooleanField(required=False, help_text=label)
        for channel, label in prefs.NOTIFICATION_CHANNELS.items()
    },
)

NotificationPreferencesSerializer = type(
    "NotificationPreferencesSerializer",
    (StrictSerializer,),
    {
        kind: NotificationChannelsSerializer(required=False, help_text=label)
        for kind, label in prefs.NOTIFICATION_TYPES.items()
    },
)


class SettingsSerializer(serializers.Serializer):
    profile_public = serializers.BooleanField(
        required=False,
        help_text="Whether others can find and view your profile (for creators: the public page and discovery).",
    )
    notification_preferences = NotificationPreferencesSerializer(
        required=False, help_text="{type: {channel: bool}}; a PATCH changes only the pairs it sends."
    )

    def to_representation(self, user):
        return {
            "profile_public": user.profile_public,
            "notification_preferences": prefs.notification_preferences(user),
        }
