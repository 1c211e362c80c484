"""The agent console for accounts: find a user, see their profile and history, act through services.

Status, activity and verification fields are read-only here; the actions below change them through
`accounts.services`, which records every change as an AccountEvent. Agents and admins reach these
pages by role (`User.is_agent`); Django model permissions still apply to everyone else.
"""

from allauth.account.decorators import secure_admin_login
from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import BaseUserCreationForm
from django.contrib.auth.forms import UserChangeForm as DjangoUserChangeForm
from django.contrib.humanize.templatetags.humanize import naturaltime

from influmojo.admin import ConsoleRoleMixin, ReadOnlyConsoleMixin, is_console_role, names_for_message
from influmojo.errors import ApplicationError
from influmojo.permissions import Actor

from . import services
from .models import AccountEvent, BrandProfile, CreatorProfile, User

admin.site.site_header = "Influmojo console"
admin.site.site_title = "Influmojo console"
admin.site.index_title = "Support and operations"
admin.site.enable_nav_sidebar = False  # the user list needs the width; the index lists everything
# Sign-in goes through allauth, so staff pass the TOTP step instead of the admin's password-only form.
admin.site.login = secure_admin_login(admin.site.login)



def _may_change(request, obj) -> bool:
    """Agents change creators and brands; staff accounts are changed by superusers only."""
    return obj is None or not obj.is_staff or request.user.is_superuser


def _event_change(event: AccountEvent) -> str:
    if event.old_status or event.new_status:
        return f"{event.old_status or '—'} → {event.new_status or '—'}"
    return ""


def _event_actor(event: AccountEvent) -> str:
    return event.actor.email if event.actor else "system"


class StaffFilter(admin.BooleanFieldListFilter):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = "staff"


# --- Forms -------------------------------------------------------------------------------------------
class UserCreationForm(BaseUserCreationForm):
    """E-mail, name, role and a usable password; `services.user_create` does the rest."""

    class Meta:
        model = User
        fields = ("email", "name", "user_type")

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data["email"]).lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("An account with this e-mail already exists.", code="unique")
        return email


class UserChangeForm(DjangoUserChangeForm):
    class Meta(DjangoUserChangeForm.Meta):
        model = User
        fields = "__all__"


# --- Inlines -----------------------------------------------------------------------------------------
class _ProfileInline(ConsoleRoleMixin, admin.StackedInline):
    extra = 0
    max_num = 1
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        if is_console_role(request):
            return _may_change(request, obj)
        return super().has_change_permission(request, obj)


class CreatorProfileInline(_ProfileInline):
    model = CreatorProfile
    fields = (
        ("display_name", "slug"),
        "bio",
        ("country", "state", "city", "pincode"),
        ("gender", "date_of_birth"),
        ("content_categories", "niches"),
        ("languages", "content_types"),
        ("min_rate", "max_rate", "currency"),
        ("availability", "featured"),
        ("verified", "rating", "total_collaborations"),
    )
    readonly_fields = ("verified", "rating", "total_collaborations")


class BrandProfileInline(_ProfileInline):
    model = BrandProfile
    fields = (
        ("company_name", "website"),
        ("industry", "industries"),
        ("business_type", "company_size", "role_in_organization"),
        "description",
        ("country", "state", "city", "pincode"),
        ("languages", "marketing_goals"),
        ("budget_min", "budget_max", "currency"),
        ("target_audience", "preferences"),
        "verified",
    )
    readonly_fields = ("verified",)


class AccountEventInline(ReadOnlyConsoleMixin, ConsoleRoleMixin, admin.TabularInline):
    model = AccountEvent
    fk_name = "user"
    fields = ("created_at", "action", "change", "by", "note")
    readonly_fields = fields
    ordering = ("-created_at", "-id")
    extra = 0
    can_delete = False
    verbose_name_plural = "History (newest first)"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

    @admin.display(description="status change")
    def change(self, event):
        return _event_change(event)

    @admin.display(description="by")
    def by(self, event):
        return _event_actor(event)


# --- Users -------------------------------------------------------------------------------------------
@admin.register(User)
class UserAdmin(ConsoleRoleMixin, DjangoUserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    list_display = ("email", "display", "user_type", "status", "email_verified", "badge", "joined", "last_seen")
    list_filter = ("user_type", "status", "email_verified", "agent_status", ("is_staff", StaffFilter))
    search_fields = ("email", "name", "phone", "creator_profile__display_name", "brand_profile__company_name")
    list_select_related = ("creator_profile", "brand_profile")
    ordering = ("-created_at",)
    list_per_page = 50
    actions = ("verify_users", "activate_users", "suspend_users", "ban_users")

    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Person", {"fields": ("name", ("first_name", "last_name"), "phone", ("timezone", "language"))}),
        (
            "Account state",
            {
                "description": "Changed only through the actions on the user list, each recorded in the history.",
                "fields": (
                    ("user_type", "status", "can_sign_in"),
                    ("email_verified", "phone_verified", "auth_provider"),
                    ("onboarding_completed", "onboarding_step"),
                    "onboarding_state",
                ),
            },
        ),
        ("Activity", {"fields": (("created_at", "last_login_at"), ("is_online", "last_online_at"))}),
        ("Public profile", {"fields": ("profile_public", "avatar", "cover_image")}),
    )
    staff_fieldsets = (
        ("Support agent", {"fields": ("agent_status",)}),
        ("Console access", {"fields": ("is_staff", "is_superuser", "groups", "user_permissions")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "name", "user_type", "password1", "password2")}),
    )
    # The e-mail and phone belong to allauth's verification flows; status and flags to the services.
    state_fields = (
        "email",
        "phone",
        "user_type",
        "status",
        "can_sign_in",
        "email_verified",
        "phone_verified",
        "auth_provider",
        "onboarding_completed",
        "onboarding_step",
        "onboarding_state",
        "created_at",
        "last_login_at",
        "is_online",
        "last_online_at",
    )
    access_fields = ("is_staff", "is_superuser", "groups", "user_permissions")

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.add_fieldsets
        # Creators and brands never reach the console, so their pages leave its settings out.
        return self.fieldsets + self.staff_fieldsets if obj.is_staff else self.fieldsets

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        if request.user.is_superuser:
            return self.state_fields
        return self.state_fields + self.access_fields

    def get_inlines(self, request, obj):
        if obj is None:
            return []
        if obj.user_type == User.UserType.CREATOR:
            return [CreatorProfileInline, AccountEventInline]
        if obj.user_type == User.UserType.BRAND:
            return [BrandProfileInline, AccountEventInline]
        return [AccountEventInline]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is None and not request.user.is_superuser:
            # modelform_factory made fresh fields for this request, so narrowing them is safe.
            form.base_fields["user_type"].choices = [
                (value, label) for value, label in User.UserType.choices if value not in services.STAFF_USER_TYPES
            ]
        return form

    # Permissions: by role for agents and admins, by Django model permissions for anyone else.
    def has_add_permission(self, request):
        return is_console_role(request) or super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        if is_console_role(request):
            return _may_change(request, obj)
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
        else:
            services.user_create(user=obj, actor=Actor.of(request.user), note="created in the console")

    # --- List columns ---
    @admin.display(description="name", ordering="name")
    def display(self, user):
        profile = _profile(user)
        if isinstance(profile, BrandProfile) and profile.company_name:
            return f"{user.display_name} ({profile.company_name})"
        if isinstance(profile, CreatorProfile) and profile.display_name:
            return profile.display_name
        return user.display_name

    @admin.display(description="can sign in", boolean=True)
    def can_sign_in(self, user):
        return user.is_active  # derived from status by the database

    @admin.display(description="joined", ordering="created_at")
    def joined(self, user):
        return user.created_at.date()

    @admin.display(description="last login", ordering="last_login_at")
    def last_seen(self, user):
        return naturaltime(user.last_login_at) if user.last_login_at else "never"

    @admin.display(description="verified badge", boolean=True)
    def badge(self, user):
        profile = _profile(user)
        return None if profile is None else profile.verified

    # --- Actions: each user goes through a service on its own; a refusal leaves the others alone ---
    @admin.action(description="Verify selected users (verified badge)", permissions=["change"])
    def verify_users(self, request, queryset):
        def verify(user, actor):
            services.user_verify(user_id=user.pk, actor=actor, note="console action")

        self._apply(request, queryset, verify, done="Verified")

    @admin.action(description="Activate selected users", permissions=["change"])
    def activate_users(self, request, queryset):
        self._set_status(request, queryset, User.Status.ACTIVE, done="Activated")

    @admin.action(description="Suspend selected users", permissions=["change"])
    def suspend_users(self, request, queryset):
        self._set_status(request, queryset, User.Status.SUSPENDED, done="Suspended")

    @admin.action(description="Ban selected users", permissions=["change"])
    def ban_users(self, request, queryset):
        self._set_status(request, queryset, User.Status.BANNED, done="Banned")

    def _set_status(self, request, queryset, to, *, done):
        def set_status(user, actor):
            services.user_set_status(user_id=user.pk, to=to, actor=actor, note="console action")

        self._apply(request, queryset, set_status, done=done)

    def _apply(self, request, queryset, call, *, done):
        actor = Actor.of(request.user)
        changed, refused = [], []
        for user in queryset.select_related("creator_profile", "brand_profile").order_by("email"):
            try:
                call(user, actor)
            except ApplicationError as exc:
                refused.append(f"{user.email} ({exc.message})")
            else:
                changed.append(user.email)
        if changed:
            self.message_user(request, f"{done} {len(changed)}: {names_for_message(changed)}.", messages.SUCCESS)
        if refused:
            self.message_user(request, f"Refused {len(refused)}: {names_for_message(refused)}.", messages.ERROR)


def _profile(user: User) -> CreatorProfile | BrandProfile | None:
    if user.user_type == User.UserType.CREATOR:
        return getattr(user, "creator_profile", None)
    if user.user_type == User.UserType.BRAND:
        return getattr(user, "brand_profile", None)
    return None


# --- Account history ----------------------------------------------------------------------------------
@admin.register(AccountEvent)
class AccountEventAdmin(ReadOnlyConsoleMixin, ConsoleRoleMixin, admin.ModelAdmin):
    """The audit trail: read-only, written only by accounts.services."""

    list_display = ("created_at", "user", "action", "change", "by", "note")
    list_filter = ("action", "new_status")
    search_fields = ("user__email", "actor__email", "note")
    list_select_related = ("user", "actor")
    readonly_fields = ("user", "action", "old_status", "new_status", "actor", "note", "created_at")
    ordering = ("-created_at", "-id")

    @admin.display(description="status change")
    def change(self, event):
        return _event_change(event)

    @admin.display(description="by", ordering="actor__email")
    def by(self, event):
        return _event_actor(event)
