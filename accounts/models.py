from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin
from django.contrib.auth.models import BaseUserManager
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from influmojo.models import TimeStamped


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)

    def create_user(self, email, password=None, **fields):
        if not email:
            raise ValueError("email is required")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **fields):
        fields.update(is_staff=True, is_superuser=True, user_type=User.UserType.ADMIN, status=User.Status.ACTIVE)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin, TimeStamped):
    class UserType(models.TextChoices):
        CREATOR = "creator"
        BRAND = "brand"
        AGENT = "agent"
        ADMIN = "admin"

    class Status(models.TextChoices):
        PENDING = "pending"
        ACTIVE = "active"
        SUSPENDED = "suspended"
        BANNED = "banned"

    class AgentStatus(models.TextChoices):
        AVAILABLE = "available"
        BUSY = "busy"
        OFFLINE = "offline"

    # (from, to): roles allowed. accounts.services.user_set_status is the only door.
    STATUS_TRANSITIONS = {
        ("pending", "active"): {"system", "agent", "admin"},
        ("pending", "suspended"): {"agent", "admin"},
        ("pending", "banned"): {"admin"},
        ("active", "suspended"): {"agent", "admin"},
        ("active", "banned"): {"admin"},
        ("suspended", "active"): {"agent", "admin"},
        ("suspended", "banned"): {"admin"},
        ("banned", "active"): {"admin"},
    }
    CAN_SIGN_IN = (Status.PENDING, Status.ACTIVE)

    email = models.EmailField(unique=True)
    phone = models.CharField(max_length=20, unique=True, null=True, blank=True)
    name = models.CharField(max_length=150, blank=True)
    first_name = models.CharField(max_length=75, blank=True)
    last_name = models.CharField(max_length=75, blank=True)
    user_type = models.CharField(max_length=10, choices=UserType.choices, default=UserType.CREATOR, db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    # Derived from status so Django, allauth and DRF refuse suspended/banned users everywhere.
    is_active = models.GeneratedField(
        expression=models.Case(
            models.When(status__in=CAN_SIGN_IN, then=models.Value(True)),
            default=models.Value(False),
        ),
        output_field=models.BooleanField(),
        db_persist=True,
    )
    is_staff = models.BooleanField(default=False)
    agent_status = models.CharField(max_length=10, choices=AgentStatus.choices, default=AgentStatus.OFFLINE)
    timezone = models.CharField(max_length=64, default="UTC")
    language = models.CharField(max_length=10, default="en")
    email_verified = models.BooleanField(default=False)
    phone_verified = models.BooleanField(default=False)
    onboarding_completed = models.BooleanField(default=False)
    onboarding_step = models.CharField(max_length=32, blank=True)
    onboarding_state = models.JSONField(default=dict, blank=True)  # {step: "completed" | "skipped"}
    last_login_at = models.DateTimeField(null=True, blank=True)
    is_online = models.BooleanField(default=False)
    last_online_at = models.DateTimeField(null=True, blank=True)
    avatar = models.ImageField(upload_to="avatars/", blank=True)
    cover_image = models.ImageField(upload_to="covers/", blank=True)
    auth_provider = models.CharField(max_length=20, default="email")
    profile_public = models.BooleanField(default=True)  # private: no public page, not in discovery
    notification_preferences = models.JSONField(default=dict, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]
        indexes = [models.Index(fields=["user_type", "status"])]

    def __str__(self):
        return self.email

    @property
    def display_name(self) -> str:
        return self.name or f"{self.first_name} {self.last_name}".strip() or self.email.split("@")[0]

    @property
    def is_creator(self) -> bool:
        return self.user_type == self.UserType.CREATOR

    @property
    def is_brand(self) -> bool:
        return self.user_type == self.UserType.BRAND

    @property
    def is_agent(self) -> bool:
        return self.user_type in (self.UserType.AGENT, self.UserType.ADMIN)


class AccountEvent(models.Model):
    """Audit trail of what was done to an account, by whom: status changes, verification, admin actions."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="account_events")
    action = models.CharField(max_length=32)
    old_status = models.CharField(max_length=10, blank=True)
    new_status = models.CharField(max_length=10, blank=True)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        change = f"{self.old_status} → {self.new_status}" if self.new_status else ""
        return f"{self.action} {change}".strip()


class Location(models.Model):
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166-1 alpha-2")
    state = models.CharField(max_length=100, blank=True)
    city = models.CharField(max_length=100, blank=True)
    pincode = models.CharField(max_length=12, blank=True)

    class Meta:
        abstract = True


class CreatorProfile(Location, TimeStamped):
    class Availability(models.TextChoices):
        AVAILABLE = "available"
        BUSY = "busy"
        UNAVAILABLE = "unavailable"

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="creator_profile")
    slug = models.SlugField(max_length=80, unique=True)
    display_name = models.CharField(max_length=150, blank=True)
    bio = models.TextField(blank=True, max_length=2000)
    gender = models.CharField(max_length=20, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    content_categories = models.JSONField(default=list, blank=True)
    niches = models.JSONField(default=list, blank=True)
    languages = models.JSONField(default=list, blank=True)
    content_types = models.JSONField(default=list, blank=True)
    min_rate = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    max_rate = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, default="USD")
    availability = models.CharField(max_length=12, choices=Availability.choices, default=Availability.AVAILABLE)
    verified = models.BooleanField(default=False)
    featured = models.BooleanField(default=False)
    rating = models.DecimalField(max_digits=3, decimal_places=2, default=0)
    total_collaborations = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(min_rate__isnull=True) | Q(max_rate__isnull=True) | Q(min_rate__lte=models.F("max_rate")),
                name="creator_rate_range_ordered",
            )
        ]

    def __str__(self):
        return self.display_name or self.user.display_name


class BrandProfile(Location, TimeStamped):
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="brand_profile")
    company_name = models.CharField(max_length=200, blank=True)
    industry = models.CharField(max_length=100, blank=True)
    industries = models.JSONField(default=list, blank=True)
    role_in_organization = models.CharField(max_length=100, blank=True)
    business_type = models.CharField(max_length=50, blank=True)
    company_size = models.CharField(max_length=20, blank=True)
    website = models.URLField(blank=True)
    description = models.TextField(blank=True, max_length=4000)
    logo = models.ImageField(upload_to="logos/", blank=True)
    languages = models.JSONField(default=list, blank=True)
    marketing_goals = models.JSONField(default=list, blank=True)
    budget_min = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    budget_max = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, default="USD")
    target_audience = models.JSONField(default=dict, blank=True)  # {countries, languages, age_range, genders}
    preferences = models.JSONField(default=dict, blank=True)  # {platforms, content_types, creator_size}
    verified = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(budget_min__isnull=True)
                | Q(budget_max__isnull=True)
                | Q(budget_min__lte=models.F("budget_max")),
                name="brand_budget_range_ordered",
            )
        ]

    def __str__(self):
        return self.company_name or self.user.display_name
